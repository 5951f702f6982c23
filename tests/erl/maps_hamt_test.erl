%% Large maps (HAMTs, more than 32 keys) against a list-based model:
%% put/update/remove/take/get round trips with structured keys, keys
%% whose first 32-bit hashes collide (their places come from the level-8
%% rehash), sizes from 1 to 100k keys across the flatmap/HAMT boundary,
%% and the trie order of big maps, checked against values printed by
%% stock erl 25 (gen/0). Runs on erl too, as the differential check.
-module(maps_hamt_test).
-include("bt.hrl").
-export([model_small_test/0, model_large_test/0, sizes_test/0, collisions_test/0,
         build_order_test/0, order_test/0, update_exact_test/0, match_test/0,
         equality_test/0]).
-export([gen/0]).

%% Printed by gen/0 on stock erl 25.
-define(ORDER_FACTS,
        [{ints_1000,231757757906267608352748294038932184423},
         {ints_20000,61580983598355983790012798226856109498},
         {tuples_3000,23615204143724462444704320499095507213},
         {floats_2000,207016184844252096556451977266814157922},
         {bins_2000,260980850349834670949329533326916400783}]).

%% ---- the model: a gb_tree of the same pairs ----
%% Keyed by term_to_binary(Key), since gb_trees compares with == and map
%% keys are told apart by =:= (1 and 1.0 are two keys).

mk(K) -> term_to_binary(K).
m_store(K, V, D) -> gb_trees:enter(mk(K), {K, V}, D).
m_erase(K, D) -> gb_trees:delete_any(mk(K), D).
m_find(K, D) ->
    case gb_trees:lookup(mk(K), D) of
        {value, {_, V}} -> {ok, V};
        none -> error
    end.
m_from_list(L) -> lists:foldl(fun({K, V}, D) -> m_store(K, V, D) end, gb_trees:empty(), L).

check_model(M, D) ->
    ?eq(gb_trees:size(D), maps:size(M)),
    ?eq(gb_trees:values(D), lists:sort(fun(A, B) -> mk(element(1, A)) =< mk(element(1, B)) end,
                                       maps:to_list(M))),
    [?eq({ok, V}, maps:find(K, M)) || {K, V} <- gb_trees:values(D)],
    ok.

%% Smaller inputs in the image (TCG) and in the GC_STRESS build.
small_run() -> bt:gc_stress() orelse (catch beamos:platform()) =:= beamos.

%% Keys of many kinds; equal under == but not =:= (1 and 1.0) are
%% different keys.
pool(N) ->
    Base = [I || I <- lists:seq(-N div 4, N)]
        ++ [I * 1.0 || I <- lists:seq(1, N div 8)]
        ++ [1 bsl 70 + I || I <- lists:seq(1, N div 16)]
        ++ [{I, [I]} || I <- lists:seq(1, N div 8)]
        ++ [integer_to_binary(I) || I <- lists:seq(1, N div 8)]
        ++ [integer_to_list(I) || I <- lists:seq(1, N div 16)]
        ++ [list_to_atom("k" ++ integer_to_list(I)) || I <- lists:seq(1, 20)]
        ++ [#{I => I} || I <- lists:seq(1, 5)] ++ [<<I:9>> || I <- lists:seq(1, 30)]
        ++ [-0.5 * I || I <- lists:seq(1, 30)] ++ collisions(),
    list_to_tuple(Base).

collisions() -> [388950, 892162, 409845, 625435, 392768, 707725, 407586, 710891,
                 924938, 968407, 412884, 605474, 426156, 967209, 119919, 827997].

%% Ops on map M and model D; every op's result is compared with the
%% model's, and the whole map every `Every` ops.
run(_Pool, M, D, 0, _Every, _I) ->
    check_model(M, D),
    M;
run(Pool, M, D, N, Every, I) ->
    K = element(rand:uniform(tuple_size(Pool)), Pool),
    V = rand:uniform(1000),
    {M2, D2} =
        case rand:uniform(8) of
            1 -> {M#{K => V}, m_store(K, V, D)};
            2 -> {maps:put(K, V, M), m_store(K, V, D)};
            3 ->
                case m_find(K, D) of
                    {ok, _} -> {M#{K := V}, m_store(K, V, D)};
                    error -> ?raises(error, {badkey, K}, M#{K := V}), {M, D}
                end;
            4 -> {maps:remove(K, M), m_erase(K, D)};
            5 ->
                case m_find(K, D) of
                    {ok, Old} -> {Got, M3} = maps:take(K, M),
                                 ?eq(Old, Got),
                                 {M3, m_erase(K, D)};
                    error -> ?eq(error, maps:take(K, M)), {M, D}
                end;
            6 ->
                Want = case m_find(K, D) of {ok, X} -> X; error -> none end,
                ?eq(Want, maps:get(K, M, none)),
                ?eq(Want =/= none, maps:is_key(K, M)),
                ?eq(Want =/= none, is_map_key(K, M)),
                case M of
                    #{K := Got} -> ?eq(Want, Got);
                    _ -> ?eq(none, Want)
                end,
                {M, D};
            7 -> %% the same value again: an equal map
                case m_find(K, D) of
                    {ok, Old} -> ?eq(M, M#{K => Old});
                    error -> ok
                end,
                {M, D};
            8 -> New = case m_find(K, D) of {ok, X} -> X + 1; error -> V end,
                 {maps:update_with(K, fun(X) -> X + 1 end, V, M), m_store(K, New, D)}
        end,
    ?eq(gb_trees:size(D2), maps:size(M2)),
    case I rem Every of
        0 -> check_model(M2, D2);
        _ -> ok
    end,
    run(Pool, M2, D2, N - 1, Every, I + 1).

%% ---- tests ----

%% About 60 keys: the map keeps crossing 32/33 keys (flatmap <-> HAMT).
model_small_test() ->
    rand:seed(exsss, {7, 8, 9}),
    Pool = list_to_tuple(lists:sublist(tuple_to_list(pool(40)), 60)),
    N = case small_run() of true -> 4000; false -> 20000 end,
    run(Pool, #{}, gb_trees:empty(), N, 50, 1),
    ok.

model_large_test() ->
    rand:seed(exsss, {1, 2, 3}),
    N = case small_run() of true -> 4000; false -> 40000 end,
    Pool = pool(2000),
    %% start from a map of half the pool, built by maps:from_list
    Init = [{element(I, Pool), I} || I <- lists:seq(1, tuple_size(Pool), 2)],
    M0 = maps:from_list(Init),
    run(Pool, M0, m_from_list(Init), N, 997, 1),
    ok.

%% n keys, for n across the boundary and up to 100k: built by puts, by
%% from_list and in reverse are the same map (equal, and the same order),
%% every key is found, and removing every key in a shuffled order leaves
%% the right size at each step.
sizes_test() ->
    Big = case small_run() of true -> 5000; false -> 100000 end,
    [sizes(N) || N <- [1, 2, 31, 32, 33, 34, 64, 100, 1000, 4097, Big]],
    ok.

sizes(N) ->
    Keys = lists:seq(1, N),
    M1 = lists:foldl(fun(K, M) -> M#{K => K * 3} end, #{}, Keys),
    M2 = maps:from_list([{K, K * 3} || K <- Keys]),
    M3 = lists:foldl(fun(K, M) -> M#{K => K * 3} end, #{}, lists:reverse(Keys)),
    ?eq(N, maps:size(M1)),
    ?true(M1 =:= M2),
    ?true(M1 =:= M3),
    ?eq(maps:keys(M2), maps:keys(M1)),
    ?eq(maps:keys(M2), maps:keys(M3)),
    ?eq(Keys, lists:sort(maps:keys(M1))),
    ?eq(lists:sum(Keys) * 3, lists:sum([V || #{} = _ <- [M1], {_, V} <- maps:to_list(M1)])),
    [case M1 of #{K := V} -> ?eq(K * 3, V) end || K <- Keys],
    ?eq(error, maps:find(0, M1)),
    ?eq(error, maps:find(N + 1, M1)),
    rand:seed(exsss, {N, 1, 1}),
    Shuffled = [K || {_, K} <- lists:sort([{rand:uniform(), K} || K <- Keys])],
    Empty = lists:foldl(fun(K, M) ->
                                S = maps:size(M),
                                M2b = maps:remove(K, M),
                                ?eq(S - 1, maps:size(M2b)),
                                M2b
                        end, M1, Shuffled),
    ?eq(#{}, Empty),
    ok.

%% Keys equal in their first 32 hash bits, in a large map: found,
%% updated, removed one by one and put back, always consistent.
collisions_test() ->
    C = collisions(),
    M0 = maps:from_list([{K, K} || K <- lists:seq(1, 3000) ++ C]),
    [?eq(K, maps:get(K, M0)) || K <- C],
    M1 = lists:foldl(fun(K, M) -> M#{K := {new, K}} end, M0, C),
    [?eq({new, K}, maps:get(K, M1)) || K <- C],
    ?eq(maps:size(M0), maps:size(M1)),
    M2 = lists:foldl(fun(K, M) -> maps:remove(K, M) end, M1, C),
    ?eq(3000, maps:size(M2)),
    ?eq(lists:seq(1, 3000), lists:sort(maps:keys(M2))),
    [?eq(error, maps:find(K, M2)) || K <- C],
    M3 = lists:foldl(fun(K, M) -> M#{K => K} end, M2, lists:reverse(C)),
    ?true(M3 =:= M0),
    ?eq(maps:keys(M0), maps:keys(M3)),
    %% each one removed alone, from a big map and from a small one
    Small = maps:from_list([{K, K} || K <- C ++ lists:seq(1, 20)]),
    [begin
         ?eq(maps:size(M0) - 1, maps:size(maps:remove(K, M0))),
         ?eq(lists:sort(maps:keys(Small) -- [K]), lists:sort(maps:keys(maps:remove(K, Small))))
     end || K <- C],
    ok.

%% The trie does not depend on the order of puts and removes.
build_order_test() ->
    Keys = [{I, integer_to_list(I)} || I <- lists:seq(1, 2000)],
    A = maps:from_list([{K, 1} || K <- Keys]),
    B = lists:foldl(fun(K, M) -> M#{K => 1} end, #{}, lists:reverse(Keys)),
    Extra = [{x, I} || I <- lists:seq(1, 500)],
    C = lists:foldl(fun(K, M) -> maps:remove(K, M) end,
                    lists:foldl(fun(K, M) -> M#{K => 2} end, A, Extra), Extra),
    ?eq(maps:keys(A), maps:keys(B)),
    ?eq(maps:keys(A), maps:keys(C)),
    ?eq(term_to_binary(A), term_to_binary(C)),
    ok.

md5(T) -> binary:decode_unsigned(erlang:md5(term_to_binary(T))).

order_facts() ->
    Put = fun(Ks) -> lists:foldl(fun(K, M) -> M#{K => 0} end, #{}, Ks) end,
    [{ints_1000, md5(maps:keys(Put(lists:seq(1, 1000))))},
     {ints_20000, md5(maps:keys(Put(lists:seq(1, 20000))))},
     {tuples_3000, md5(maps:keys(Put([{I, "t"} || I <- lists:seq(1, 3000)])))},
     {floats_2000, md5(maps:keys(Put([I / 7 || I <- lists:seq(1, 2000)])))},
     {bins_2000, md5(maps:keys(Put([<<I:32>> || I <- lists:seq(1, 2000)])))}].

gen() ->
    io:format("~w.~n", [order_facts()]).

%% maps:keys order (reverse trie order) of maps built by puts, as erl's.
order_test() ->
    ?eq(?ORDER_FACTS, order_facts()),
    ok.

%% M#{K := V} with several keys, in flat and large maps, and its errors.
update_exact_test() ->
    M = maps:from_list([{I, I} || I <- lists:seq(1, 100)]),
    M2 = M#{1 := a, 50 := b, 100 := c},
    ?eq({a, b, c, 2}, {maps:get(1, M2), maps:get(50, M2), maps:get(100, M2), maps:get(2, M2)}),
    ?eq(100, maps:size(M2)),
    ?raises(error, {badkey, 101}, M#{1 := a, 101 := b}),
    ?raises(error, {badmap, x}, (id(x))#{1 := a}),
    F = #{a => 1, b => 2},
    ?eq(#{a => 3, b => 4}, F#{a := 3, b := 4}),
    ok.

%% get_map_elements with several keys, one missing, and a destination
%% that is also a source.
match_test() ->
    M = maps:from_list([{I, I * 2} || I <- lists:seq(1, 100)]),
    ?eq({2, 200, 100}, match3(M, 1, 100, 50)),
    ?eq(nomatch, match3(M, 1, 101, 50)),
    ?eq(nomatch, match3(M, 0, 100, 50)),
    ?eq({2, 4}, match_fixed(M)),
    ?eq(nomatch, match_fixed(#{1 => 2})),
    ok.

match3(M, A, B, C) ->
    case M of
        #{A := X, B := Y, C := Z} -> {X, Y, Z};
        _ -> nomatch
    end.

match_fixed(#{1 := X, 2 := Y}) -> {X, Y};
match_fixed(_) -> nomatch.

id(X) -> X.

%% == and =:= of large maps (compared by lookup, not in key order): keys
%% match exactly under both, values by the operator's own rule.
equality_test() ->
    N = 5000,
    A = maps:from_list([{I, I} || I <- lists:seq(1, N)]),
    B = maps:from_list([{I, I} || I <- lists:reverse(lists:seq(1, N))]),
    ?true(A =:= B), ?true(A == B), ?eq(0, erts_internal:cmp_term(A, B)),
    F = maps:map(fun(_, V) -> float(V) end, A),           % values 1.0, 2.0, ...
    ?true(A == F), ?eq(false, A =:= F),
    K = maps:from_list([{float(I), I} || I <- lists:seq(1, N)]),   % keys 1.0, 2.0, ...
    ?eq(false, A == K), ?eq(false, A =:= K),
    ?eq(false, A =:= maps:put(N + 1, 0, maps:remove(1, A))),
    ?eq(false, A == maps:put(17, x, A)),
    ?true(A < maps:put(17, 18, A)), ?true(maps:put(17, 16, A) < A),
    Nested = fun(M) -> maps:from_list([{{k, I}, #{I => M}} || I <- lists:seq(1, 100)]) end,
    ?true(Nested(A) =:= Nested(B)),
    ?eq(false, Nested(A) =:= Nested(F)),
    ?true(Nested(A) == Nested(F)),
    Bin = maps:from_list([{integer_to_binary(I), [I]} || I <- lists:seq(1, N)]),
    ?true(Bin =:= maps:from_list(lists:reverse(maps:to_list(Bin)))),
    ?eq(false, Bin =:= maps:put(<<"1">>, [1.0], Bin)),
    ?true(Bin == maps:put(<<"1">>, [1.0], Bin)).
