%% Deeply nested terms: a 1M-deep list [[[…]]], tuple {{{…}}} and map
%% #{k => #{k => …}} go through every C walker of terms that is not the
%% interpreter's: message copy (term_copy_size/term_copy), comparison and
%% equality, phash2 and phash, ETS (key hashing, matching, copying in and
%% out), map keys, ~p printing of a shallower one, term_to_binary. None may
%% recurse in C once per level: a scheduler in the kernel runs on a 32 KB
%% stack, and an overflow there is a panic of the whole node.
%%
%% Depth: 1,000,000 on stock erl and beamos-host (whose scheduler threads
%% have 8 MB stacks: C recursion of even 16 bytes a level overflows them);
%% 5,000 inside the booted image (QEMU TCG is 10-50x slower; the kernel's
%% scheduler stack is 32 KB, which 5,000 levels of any C recursion would
%% overflow) and on the GC_STRESS build (every collection copies
%% everything live, so building a deep term is quadratic there).
-module(deep_test).
-include("bt.hrl").
-define(false(Expr), ?eq(false, Expr)).
-compile({nowarn_deprecated_function, [{erlang, phash, 2}]}).
-export([send_test/0, compare_test/0, hash_test/0, ets_test/0, ets_bag_test/0,
         map_key_test/0, print_test/0, etf_test/0, exit_reason_test/0,
         mixed_test/0, ets_match_test/0]).

in_image() -> (catch beamos:platform()) =:= beamos.

depth() ->
    case {in_image(), bt:gc_stress()} of
        {true, _} -> 5000;
        {_, true} -> 5000;
        _ -> 1000000
    end.

%% [[…[Leaf]…]], {{…{Leaf}…}} and #{k => #{k => … Leaf}}, N levels.
deep(list, N, Leaf) -> wrap(N, Leaf, fun(A) -> [A] end);
deep(tuple, N, Leaf) -> wrap(N, Leaf, fun(A) -> {A} end);
deep(map, N, Leaf) -> wrap(N, Leaf, fun(A) -> #{k => A} end);
%% nesting through a non-last element: [A | x], {A, x}, #{a => A, b => 1}
deep(cons_head, N, Leaf) -> wrap(N, Leaf, fun(A) -> [A | x] end);
deep(tuple_first, N, Leaf) -> wrap(N, Leaf, fun(A) -> {A, x} end);
deep(map_first, N, Leaf) -> wrap(N, Leaf, fun(A) -> #{a => A, b => 1} end).

wrap(0, A, _F) -> A;
wrap(N, A, F) -> wrap(N - 1, F(A), F).

kinds() -> [list, tuple, map, cons_head, tuple_first, map_first].

%% The depth of a deep/3 term and its leaf, counted in Erlang (the
%% emulator's own stack is on the process heap).
unwrap(T) -> unwrap(T, 0).
unwrap([A], N) -> unwrap(A, N + 1);
unwrap([A | x], N) -> unwrap(A, N + 1);
unwrap({A}, N) -> unwrap(A, N + 1);
unwrap({A, x}, N) -> unwrap(A, N + 1);
unwrap(#{k := A}, N) -> unwrap(A, N + 1);
unwrap(#{a := A, b := 1}, N) -> unwrap(A, N + 1);
unwrap(Leaf, N) -> {N, Leaf}.

echo() ->
    receive
        {From, T} -> From ! {echo, T}, echo();
        stop -> ok
    end.

send_test() ->
    N = depth(),
    Echo = spawn_link(fun echo/0),
    [begin
         T = deep(K, N, leaf),
         Echo ! {self(), T},
         Back = receive {echo, B} -> B after 120000 -> error({timeout, K}) end,
         ?eq({N, leaf}, unwrap(Back)),
         ?true(Back =:= T)
     end || K <- kinds()],
    Echo ! stop,
    ok.

%% An exit reason and a monitor's 'DOWN' carry a copy of the term too.
exit_reason_test() ->
    N = depth(),
    T = deep(tuple_first, N, why),
    {Pid, Ref} = spawn_monitor(fun() -> exit(T) end),
    receive
        {'DOWN', Ref, process, Pid, Reason} -> ?eq({N, why}, unwrap(Reason))
    after 120000 -> error(timeout)
    end.

compare_test() ->
    N = depth(),
    [begin
         A = deep(K, N, 1),
         B = deep(K, N, 1),     % equal, not the same object
         C = deep(K, N, 2),
         F = deep(K, N, 1.0),
         ?true(A =:= B),
         ?true(A == B),
         ?false(A =/= B),
         ?true(A < C),
         ?true(C > A),
         ?false(A =:= C),
         ?true(A == F),         % 1 == 1.0 at the bottom
         ?false(A =:= F),
         ?eq(0, cmp(A, B)),
         ?true(lists:sort([C, A]) =:= [A, C])
     end || K <- kinds()],
    %% a shallower term is smaller when the difference is [] vs [[]]
    ?true(deep(list, N, []) < deep(list, N + 1, [])),
    ok.

cmp(A, B) when A < B -> -1;
cmp(A, B) when A > B -> 1;
cmp(_, _) -> 0.

hash_test() ->
    N = depth(),
    [begin
         A = deep(K, N, leaf),
         B = deep(K, N, leaf),
         ?eq(erlang:phash2(A), erlang:phash2(B)),
         ?eq(erlang:phash2(A, 1 bsl 27), erlang:phash2(B, 1 bsl 27)),
         ?eq(erlang:phash(A, 1 bsl 32), erlang:phash(B, 1 bsl 32)),
         ?true(erlang:phash2(A) =/= erlang:phash2(deep(K, N, other)))
     end || K <- kinds()],
    %% stock erl's values (OTP 25) at the depths this test uses
    ?eq(expected_phash2(N), [erlang:phash2(deep(K, N, leaf)) || K <- kinds()]),
    ok.

expected_phash2(1000000) -> [133673916, 61385513, 63122916, 79472391, 26503975, 3892235];
expected_phash2(5000) -> [130496462, 30453219, 87009414, 43293171, 111077319, 101988966].

ets_test() ->
    N = depth(),
    [begin
         Tab = ets:new(deep, [Type]),
         Key = deep(K, N, key),
         Val = deep(K, N, val),
         true = ets:insert(Tab, {Key, Val}),
         true = ets:insert(Tab, {small, Val}),
         [{Got, GotV}] = ets:lookup(Tab, deep(K, N, key)),
         ?true(Got =:= Key),
         ?eq({N, val}, unwrap(GotV)),
         ?true(ets:member(Tab, deep(K, N, key))),
         ?false(ets:member(Tab, deep(K, N, nokey))),
         ?eq([], ets:lookup(Tab, deep(K, N, nokey))),
         [{small, V2}] = ets:lookup(Tab, small),
         ?true(V2 =:= Val),
         ?true(ets:lookup_element(Tab, small, 2) =:= Val),
         ?eq(2, ets:info(Tab, size)),
         true = ets:delete(Tab, deep(K, N, key)),
         ?eq(1, ets:info(Tab, size)),
         ets:delete(Tab)
     end || Type <- [set, ordered_set], K <- kinds()],
    ok.

ets_bag_test() ->
    N = depth(),
    Tab = ets:new(deep, [bag]),
    Key = deep(tuple, N, key),
    true = ets:insert(Tab, {Key, deep(list, N, a)}),
    true = ets:insert(Tab, {Key, deep(list, N, b)}),
    true = ets:insert(Tab, {Key, deep(list, N, a)}),     % already there
    Got = ets:lookup(Tab, deep(tuple, N, key)),
    ?eq([{N, a}, {N, b}], lists:sort([unwrap(V) || {_, V} <- Got])),
    ets:delete(Tab),
    ok.

%% Match patterns 900 levels deep (under the match-spec compiler's limit of
%% 1000): compiling the pattern walks it, which must not recurse in C
%% either (the image's 32 KB stack).
ets_match_test() ->
    D = 900,
    [begin
         Tab = ets:new(deep, [Type]),
         true = ets:insert(Tab, {deep(tuple, D, key), 1}),
         true = ets:insert(Tab, {deep(list, D, key), 2}),
         true = ets:insert(Tab, {other, 3}),
         ?eq([{deep(tuple, D, key), 1}], ets:match_object(Tab, {deep(tuple, D, key), '_'})),
         ?eq([[key, 1]], ets:match(Tab, {deep(tuple, D, '$1'), '$2'})),
         ?eq([2], ets:select(Tab, [{{deep(list, D, '$1'), '$2'}, [{'=:=', '$1', key}], ['$2']}])),
         ?eq([{deep(list, D, key), 2}],
             ets:select(Tab, [{{deep(cons_head, D, '_'), '_'}, [], ['$_']},
                              {{deep(list, D, key), '_'}, [], ['$_']}])),
         ets:delete(Tab)
     end || Type <- [set, ordered_set]],
    ok.

map_key_test() ->
    N = depth(),
    [begin
         Key = deep(K, N, key),
         M = #{Key => found, other => 1},
         ?eq(found, maps:get(deep(K, N, key), M)),
         ?eq(error, maps:find(deep(K, N, nokey), M)),
         M2 = M#{deep(K, N, key) := updated},
         ?eq(2, map_size(M2)),
         ?eq(updated, maps:get(Key, M2)),
         %% a map with more keys than a flatmap holds (a HAMT)
         Big = maps:from_list([{{I, deep(K, 100, I)}, I} || I <- lists:seq(1, 40)]
                              ++ [{Key, deep}]),
         ?eq(deep, maps:get(deep(K, N, key), Big)),
         ?eq(7, maps:get({7, deep(K, 100, 7)}, Big))
     end || K <- kinds()],
    ok.

print_test() ->
    %% ~p and ~w are Erlang code (io_lib); this checks that what they
    %% call in the VM copes, and the exact text.
    D = 2000,
    L = deep(list, D, []),
    Text = lists:flatten(io_lib:format("~w", [L])),
    ?eq(lists:duplicate(D + 1, $[) ++ lists:duplicate(D + 1, $]), Text),
    T = deep(tuple, D, 1),
    ?eq(lists:duplicate(D, ${) ++ "1" ++ lists:duplicate(D, $}),
        lists:flatten(io_lib:format("~w", [T]))),
    P = lists:flatten(io_lib:format("~p", [deep(tuple, 300, 1)])),
    ?eq(lists:duplicate(300, ${) ++ "1" ++ lists:duplicate(300, $}),
        [C || C <- P, C =/= $\s, C =/= $\n]),
    ok.

etf_test() ->
    N = depth(),
    [begin
         T = deep(K, N, leaf),
         Bin = term_to_binary(T),
         ?eq(byte_size(Bin), erlang:external_size(T)),
         ?true(binary_to_term(Bin) =:= T)
     end || K <- kinds()],
    ok.

%% All of it at once: a deep term with binaries (shared off-heap ones and
%% heap ones), floats, bignums and funs at every few levels.
mixed_test() ->
    N = depth() div 10,
    Big = binary:copy(<<"x">>, 100),
    F = fun(X) -> X + 1 end,
    T = wrap(N, leaf, fun(A) -> {A, [1.5, Big, <<"small">>, 1 bsl 70 | F]} end),
    Echo = spawn_link(fun echo/0),
    Echo ! {self(), T},
    Back = receive {echo, B} -> B after 120000 -> error(timeout) end,
    Echo ! stop,
    ?true(Back =:= T),
    ?eq(erlang:phash2(T), erlang:phash2(Back)),
    Tab = ets:new(mixed, []),
    ets:insert(Tab, {T, 1}),
    ?eq([{T, 1}], ets:lookup(Tab, Back)),
    ets:delete(Tab),
    ok.
