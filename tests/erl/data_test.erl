%% Tuples, lists, maps, binaries, bit syntax, funs and the external term format.
-module(data_test).
-include("bt.hrl").
-export([tuple_test/0, list_test/0, map_test/0, big_map_test/0, binary_test/0,
         bitsyntax_test/0, fun_test/0, t2b_test/0, phash2_test/0, atom_test/0,
         string_test/0, module_info_test/0,
         binary_append_test/0]).

id(X) -> X.

tuple_test() ->
    T = id({a, b, c}),
    ?eq(b, element(2, T)),
    ?eq({a, x, c}, setelement(2, T, x)),
    ?eq(3, tuple_size(T)),
    ?eq([a, b, c], tuple_to_list(T)),
    ?eq({a, b, c, d}, erlang:append_element(T, d)),
    ?eq({z, z}, erlang:make_tuple(2, z)),
    ?raises(error, badarg, element(4, T)),
    ?raises(error, badarg, element(0, T)).

list_test() ->
    ?eq([1, 2, 3, 4], id([1, 2]) ++ [3, 4]),
    ?eq([1, 3], id([1, 2, 3, 2]) -- [2, 2]),
    ?eq(3, length(id([a, b, c]))),
    ?eq([c, b, a], lists:reverse(id([a, b, c]))),
    ?eq({value, {b, 2}}, lists:keysearch(b, 1, id([{a, 1}, {b, 2}]))),
    ?eq({b, 2}, lists:keyfind(2, 2, id([{a, 1}, {b, 2}]))),
    ?eq(true, lists:member(3, id([1, 2, 3]))),
    ?eq([1, 2, 3, 4, 5], lists:sort(id([3, 1, 5, 2, 4]))),
    ?eq([2, 4, 6], lists:map(fun(X) -> 2 * X end, id([1, 2, 3]))),
    ?eq(6, lists:foldl(fun(X, A) -> X + A end, 0, id([1, 2, 3]))),
    ?eq([{1, a}, {2, b}], lists:zip(id([1, 2]), [a, b])),
    ?eq("olleh", lists:reverse(id("hello"))),
    ?raises(error, badarg, length(id([a | b]))),
    ?eq(100000, length(lists:seq(1, id(100000)))).

map_test() ->
    M = id(#{a => 1, b => 2}),
    ?eq(1, maps:get(a, M)),
    ?eq(#{a => 1, b => 3}, M#{b := 3}),
    ?eq(#{a => 1, b => 2, c => 3}, M#{c => 3}),
    ?eq({ok, 2}, maps:find(b, M)),
    ?eq(error, maps:find(z, M)),
    ?eq([a, b], lists:sort(maps:keys(M))),
    ?eq(2, map_size(M)),
    ?eq(#{a => 1}, maps:remove(b, M)),
    ?raises(error, {badkey, z}, maps:get(z, M)),
    ?raises(error, {badmap, notamap}, maps:get(a, id(notamap))),
    #{a := A} = M,
    ?eq(1, A),
    ?eq(true, #{1 => a} =/= #{1.0 => a}),
    ?eq(#{a => 1, b => 2, c => 3}, maps:merge(M, #{c => 3})).

big_map_test() ->
    M = maps:from_list([{I, I * I} || I <- lists:seq(1, id(1000))]),
    ?eq(1000, map_size(M)),
    ?eq(250000, maps:get(500, M)),
    ?eq(lists:seq(1, 1000), lists:sort(maps:keys(M))),
    M2 = maps:remove(500, M),
    ?eq(999, map_size(M2)),
    ?eq(false, maps:is_key(500, M2)),
    ?eq(M, M2#{500 => 250000}),
    ?eq(333833500 - 250000, lists:sum(maps:values(M2))).

binary_test() ->
    B = id(<<1, 2, 3, 4, 5>>),
    ?eq(5, byte_size(B)),
    ?eq(<<2, 3>>, binary:part(B, 1, 2)),
    ?eq({<<1, 2>>, <<3, 4, 5>>}, split_binary(B, 2)),
    ?eq([1, 2, 3, 4, 5], binary_to_list(B)),
    ?eq(<<"hello world">>, iolist_to_binary([<<"hello">>, $\s, ["wor", <<"ld">>]])),
    ?eq(11, iolist_size([<<"hello">>, $\s, ["wor", <<"ld">>]])),
    Big = binary:copy(<<"x">>, id(1000)),
    ?eq(1000, byte_size(Big)),
    ?eq([<<"a">>, <<"b">>, <<"c">>], binary:split(<<"a,b,c">>, <<",">>, [global])),
    ?eq(<<"x">>, binary:part(Big, 999, 1)).

bitsyntax_test() ->
    <<A:4, B:4, C/binary>> = id(<<16#12, 16#34>>),
    ?eq({1, 2, <<16#34>>}, {A, B, C}),
    ?eq(<<1:1, 0:3>>, <<8:4>>),
    ?eq(4, bit_size(id(<<8:4>>))),
    <<X:16/little, Y:16/big-signed>> = id(<<1, 2, 255, 254>>),
    ?eq({513, -2}, {X, Y}),
    <<F:64/float>> = <<(id(1.5)):64/float>>,
    ?eq(1.5, F),
    ?eq(<<"héllo"/utf8>>, unicode:characters_to_binary(id("héllo"))),
    <<U/utf8, _/binary>> = id(<<"é"/utf8>>),
    ?eq(233, U),
    ?eq(<<0, 0, 1, 0>>, <<(id(256)):32>>),
    ?eq([1, 2, 3], [E || <<E:8>> <= id(<<1, 2, 3>>)]),
    ?eq(<<2, 4, 6>>, << <<(E * 2):8>> || <<E:8>> <= id(<<1, 2, 3>>) >>),
    Big = 1 bsl 70,
    <<Big2:72>> = <<Big:72>>,
    ?eq(Big, Big2).

fun_test() ->
    N = id(10),
    Add = fun(X) -> X + N end,
    ?eq(15, Add(5)),
    ?eq(3, (fun lists:max/1)([1, 3, 2])),
    ?eq({arity, 1}, erlang:fun_info(Add, arity)),
    Fact = fun F(0) -> 1; F(K) -> K * F(K - 1) end,
    ?eq(120, Fact(5)),
    ?eq({badarity, {Add, [1, 2]}}, try (id(Add))(1, 2) catch error:R -> R end),
    ?raises(error, {badfun, notafun}, (id(notafun))(1)),
    ?eq(6, apply(fun(A, B) -> A * B end, [2, 3])),
    ?eq(6, apply(erlang, '*', [2, 3])).

t2b_test() ->
    %% Byte sequences printed by stock OTP 25 erl.
    ?eq(<<131, 97, 1>>, term_to_binary(id(1))),
    ?eq(<<131, 100, 0, 3, 97, 98, 99>>, term_to_binary(id(abc))),
    ?eq(<<131, 104, 2, 97, 1, 107, 0, 2, 104, 105>>, term_to_binary(id({1, "hi"}))),
    ?eq(<<131, 110, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1>>, term_to_binary(id(1 bsl 64))),
    ?eq(<<131, 70, 63, 248, 0, 0, 0, 0, 0, 0>>, term_to_binary(id(1.5))),
    ?eq(<<131, 116, 0, 0, 0, 1, 100, 0, 1, 97, 97, 1>>, term_to_binary(id(#{a => 1}))),
    T = {id(self()), [1.5, <<"bin">>, #{x => [y]}], -12345678901234567890},
    ?eq(T, binary_to_term(term_to_binary(T))),
    ?raises(error, badarg, binary_to_term(id(<<131, 200>>))).

phash2_test() ->
    %% Values printed by stock OTP 25 erl.
    ?eq(26499, erlang:phash2(id(abc))),
    ?eq(47480723, erlang:phash2(id(<<"hello">>))),
    ?eq(117801664, erlang:phash2(id({a, 1, "x"}))),
    ?eq(0, erlang:phash2(id([1, 2, 3]), 7)).

atom_test() ->
    ?eq('hello world', list_to_atom(id("hello world"))),
    ?eq("abc", atom_to_list(id(abc))),
    ?raises(error, badarg, list_to_existing_atom(id("surely_no_such_atom_exists_xyz"))),
    ?eq('ünïcödé', binary_to_atom(id(<<"ünïcödé"/utf8>>), utf8)).

string_test() ->
    ?eq("hello world", string:join(["hello", "world"], " ")),
    ?eq(["a", "b", "c"], string:tokens(id("a,b,,c"), ",")),
    ?eq("ABC", string:uppercase(id("abc"))),
    ?eq("  x", lists:flatten(string:pad(id("x"), 3, leading))),
    ?eq("1,2,3", lists:flatten(io_lib:format("~w,~w,~w", id([1, 2, 3])))),
    ?eq("{a,\"b\",<<\"c\">>,1.5}", lists:flatten(io_lib:format("~p", [id({a, "b", <<"c">>, 1.5})]))),
    ?eq("0042", lists:flatten(io_lib:format("~4..0b", [id(42)]))).

module_info_test() ->
    Exports = ?MODULE:module_info(exports),
    ?eq({tuple_test, 0}, hd(Exports)),
    ?true(lists:member({module_info, 1}, Exports)),
    ?eq(?MODULE, proplists:get_value(module, ?MODULE:module_info())),
    ?true(is_list(proplists:get_value(vsn, ?MODULE:module_info(attributes)))),
    ?true(is_list(?MODULE:module_info(compile))),
    ?eq(true, erlang:function_exported(?MODULE, tuple_test, 0)),
    ?eq(false, erlang:function_exported(?MODULE, id, 1)),
    ?eq({module, lists}, code:ensure_loaded(lists)),
    ?eq({error, nofile}, code:ensure_loaded(no_such_module_here)).

%% <<Acc/binary, X:8>> in a loop (appended in place on beamos, as on OTP):
%% a 1 MB result, older values unchanged, two appends to one value, a copy
%% sent to another process while the original keeps growing.
binary_append_test() ->
    N = case bt:gc_stress() of true -> 1 bsl 12; false -> 1 bsl 20 end,
    Bin = append_bytes(0, N, <<>>),
    ?eq(N, byte_size(Bin)),
    ?eq(ok, check_bytes(Bin, 0)),
    ?eq(lists:sum([I band 255 || I <- lists:seq(0, N - 1)]), sum_bytes(Bin, 0)),
    A0 = append_bytes(0, 100, <<>>),
    A1 = <<A0/binary, 1>>,
    A2 = <<A0/binary, 2>>,                 % A0 is no longer the newest view
    A3 = <<A1/binary, 3, 4>>,
    ?eq(100, byte_size(A0)),
    ?eq(<<A0/binary, 1>>, A1),
    ?eq(101, byte_size(A2)),
    ?eq(2, binary:last(A2)),
    ?eq(1, binary:last(A1)),
    ?eq(<<1, 3, 4>>, binary:part(A3, 100, 3)),
    Self = self(),
    Pid = spawn(fun() -> receive {B, From} -> From ! {self(), B, byte_size(B)} end end),
    Pid ! {A3, Self},
    A4 = append_bytes(0, 5000, A3),
    Reply = receive {Pid, Got, Sz} -> {Got, Sz} after 5000 -> timeout end,
    ?eq({A3, 103}, Reply),
    ?eq(5103, byte_size(A4)),
    ?eq(A3, binary:part(A4, 0, 103)),
    <<_:8, Tail/binary>> = A4,
    T1 = <<Tail/binary, 7>>,
    ?eq(5103, byte_size(T1)),
    ?eq(7, binary:last(T1)),
    D = <<A4/binary, A4/binary>>,
    ?eq({A4, A4}, split_binary(D, 5103)),
    <<Bits/bitstring>> = <<A4/binary, 1:3>>,
    ?eq(5103 * 8 + 3, bit_size(Bits)),
    ?eq(<<A4/binary, 1:3, 255>>, <<Bits/bitstring, 255>>).

append_bytes(I, N, Acc) when I >= N -> Acc;
append_bytes(I, N, Acc) -> append_bytes(I + 1, N, <<Acc/binary, (I band 255):8>>).

check_bytes(Bin, I) ->
    case Bin of
        <<X:8, Rest/binary>> when X =:= I band 255 -> check_bytes(Rest, I + 1);
        <<>> -> ok;
        _ -> {mismatch_at, I}
    end.

sum_bytes(<<X:8, Rest/binary>>, S) -> sum_bytes(Rest, S + X);
sum_bytes(<<>>, S) -> S.
