%% erts_debug:flat_size/1 and erts_debug:size/1: words as OTP 25 counts
%% them on a 64-bit machine, without and with sharing. The values are
%% stock erl's. Runs on stock erl too (the differential check).
-module(erts_debug_test).
-include("bt.hrl").
-export([flat_size_test/0, size_shared_test/0]).

sizes(T) -> {erts_debug:flat_size(T), erts_debug:size(T)}.

flat_size_test() ->
    Big = id(1) bsl 100,
    Fl = 1.5 + id(1),
    HB = list_to_binary(lists:seq(1, id(10))),
    RB = list_to_binary(lists:duplicate(id(100), 1)),
    <<_:8, SubH/binary>> = HB,
    <<_:8, SubR/binary>> = RB,
    <<_:3, Bits/bitstring>> = HB,
    ?eq({0, 0}, sizes(1)),
    ?eq({0, 0}, sizes(a)),
    ?eq({0, 0}, sizes([])),
    ?eq({0, 0}, sizes({})),
    ?eq({0, 0}, sizes(self())),
    ?eq({3, 3}, sizes(Big)),
    ?eq({3, 3}, sizes(-Big)),
    ?eq({2, 2}, sizes(id(1) bsl 63)),
    ?eq({2, 2}, sizes(Fl)),
    ?eq({4, 4}, sizes(HB)),
    ?eq({6, 6}, sizes(RB)),
    ?eq({4, 4}, sizes(SubH)),
    ?eq({6, 6}, sizes(SubR)),
    ?eq({9, 9}, sizes(Bits)),
    ?eq({2, 2}, sizes(<<>>)),
    ?eq({20, 20}, sizes(lists:seq(1, id(10)))),
    ?eq({6, 6}, sizes("abc")),
    ?eq({8, 8}, sizes(#{a => id(1), b => 2})),
    ?eq({3, 3}, sizes(#{})),
    ?eq({152, 152}, sizes(maps:from_list([{I, I} || I <- lists:seq(1, id(40))]))),
    ?eq({566, 566}, sizes(maps:from_list([{I, {I}} || I <- lists:seq(1, id(100))]))),
    ?eq({5, 5}, sizes(fun() -> ok end)),
    ?eq({5, 5}, sizes(fun lists:map/2)),
    Y = id(3),
    ?eq({6, 6}, sizes(fun() -> Y end)),
    ?eq({3, 3}, sizes(make_ref())),
    ?eq({3, 3}, sizes(atomics:new(1, []))),
    ?eq({4, 4}, sizes(binary_to_term(<<131,88,100,0,5,"a@b.c",0:32,0:32,1:32>>))),
    ?eq({5, 5}, sizes(binary_to_term(<<131,90,0,3,100,0,5,"a@b.c",1:32,1:32,2:32,3:32>>))),
    ?eq({4, 4}, sizes(binary_to_term(<<131,89,100,0,5,"a@b.c",5:32,1:32>>))),
    ?eq({8, 8}, sizes({1, 2.0, "x"})),
    ok.

id(X) -> X.

size_shared_test() ->
    A = id(7),
    X = {A, A}, L = [A, A], F = fun() -> {X, L} end,
    M = #{a => X, b => X},
    LM = maps:from_list([{I, X} || I <- lists:seq(1, 40)]),
    LM2 = LM#{41 => 1, 1 => 2},
    B = list_to_binary([A, lists:duplicate(100, A)]),
    <<_:8, S1/binary>> = B,
    <<_:16, S2/binary>> = B,
    Bits = <<A:3>>,
    ?eq({3, 3}, sizes(X)),
    ?eq({18, 9}, sizes({X, X, [X | X]})),
    ?eq({12, 8}, sizes([L, L])),
    ?eq({14, 14}, sizes(F)),
    ?eq({31, 17}, sizes({F, F})),
    ?eq({14, 11}, sizes(M)),
    ?eq({272, 155}, sizes(LM)),
    ?eq({547, 187}, sizes({LM, LM2})),
    ?eq({29, 23}, sizes({B, S1, S2, S1})),
    ?eq({19, 11}, sizes({Bits, Bits})),
    Fl = float(A),
    ?eq({7, 5}, sizes({Fl, Fl})),
    Big = A bsl 70,
    ?eq({10, 7}, sizes([Big, Big])),
    ?eq({50, 33}, sizes([X, {M, F}, L, L])),
    %% deep: no recursion per level
    Deep = lists:foldl(fun(_, Acc) -> [Acc] end, [], lists:seq(1, 10000)),
    ?eq({20000, 20000}, sizes(Deep)),
    ok.
