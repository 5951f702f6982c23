%% ETS with match specifications: match, match_object, select (whole and in
%% chunks), select_reverse, select_count, select_delete, select_replace,
%% match_delete, tab2list, and ets:fun2ms output (compiled here by erlc with
%% ms_transform). Runs on stock erl as the differential check.
-module(ets_select_test).
-include("bt.hrl").
-include_lib("stdlib/include/ms_transform.hrl").
-export([match_test/0, match_object_test/0, select_test/0, fun2ms_test/0,
         chunk_test/0, reverse_test/0, count_delete_test/0, replace_test/0,
         tab2list_test/0, bound_key_test/0, badarg_test/0, large_table_test/0,
         compiled_ms_test/0, compiled_ms_badarg_test/0, compiled_ms_long_test/0,
         compiled_ms_share_test/0, replace_rules_test/0, replace_large_test/0]).

people(Type) ->
    T = ets:new(people, [Type]),
    ets:insert(T, [{alice, 31, london}, {bob, 25, paris}, {carol, 42, london},
                   {dave, 25, berlin}]),
    T.

match_test() ->
    T = people(set),
    ?eq([[alice], [carol]], lists:sort(ets:match(T, {'$1', '_', london}))),
    ?eq([[25, bob], [25, dave]], lists:sort(ets:match(T, {'$2', '$1', '_'})) -- [[31, alice], [42, carol]]),
    ?eq([], ets:match(T, {'_', '_', tokyo})),
    ?eq([[]], ets:match(T, {bob, 25, paris})),
    ets:delete(T).

match_object_test() ->
    T = people(bag),
    ets:insert(T, {bob, 26, rome}),
    ?eq([{bob, 25, paris}, {bob, 26, rome}], ets:match_object(T, {bob, '_', '_'})),
    ?eq([{bob, 25, paris}, {dave, 25, berlin}], lists:sort(ets:match_object(T, {'_', 25, '_'}))),
    ets:delete(T).

select_test() ->
    T = people(ordered_set),
    ?eq([alice, carol], ets:select(T, [{{'$1', '$2', '_'}, [{'>', '$2', 30}], ['$1']}])),
    ?eq([{carol, 42}], ets:select(T, [{{'$1', '$2', '_'}, [{'>', '$2', 40}], [{{'$1', '$2'}}]}])),
    ?eq([[bob, 25], [dave, 25]], ets:select(T, [{{'$1', '$2', '_'}, [{'==', '$2', 25}], ['$$']}])),
    ?eq([{alice, 31, london}], ets:select(T, [{{alice, '_', '_'}, [], ['$_']}])),
    ?eq(4, length(ets:select(T, [{'_', [], [true]}]))),
    %% two clauses: the first that matches gives the result
    ?eq([old, young, old, young],
        ets:select(T, [{{'_', '$1', '_'}, [{'<', '$1', 30}], [young]},
                       {'_', [], [old]}])),
    %% a guard that fails (element of a non-tuple) counts as false
    ?eq([], ets:select(T, [{{'$1', '_', '_'}, [{element, 1, '$1'}], ['$1']}])),
    ets:delete(T).

fun2ms_test() ->
    T = people(set),
    MS = ets:fun2ms(fun({Name, Age, City}) when Age > 30, City =:= london -> {Name, Age} end),
    ?eq([{alice, 31}, {carol, 42}], lists:sort(ets:select(T, MS))),
    MS2 = ets:fun2ms(fun({N, A, _}) when A < 30 andalso is_atom(N) -> A * 2 + 1 end),
    ?eq([51, 51], ets:select(T, MS2)),
    MS3 = ets:fun2ms(fun(X = {_, _, paris}) -> X end),
    ?eq([{bob, 25, paris}], ets:select(T, MS3)),
    MS4 = ets:fun2ms(fun({N, A, C}) when C =/= london -> {N, hd([A, x]), element(1, {C})} end),
    ?eq([{bob, 25, paris}, {dave, 25, berlin}], lists:sort(ets:select(T, MS4))),
    ?eq(2, ets:select_count(T, ets:fun2ms(fun({_, A, _}) when A >= 31 -> true end))),
    ets:delete(T).

%% select/3 + select/1: every object exactly once, in chunks.
chunk_test() ->
    [chunks(Type) || Type <- [set, ordered_set, bag]],
    ok.

chunks(Type) ->
    T = ets:new(t, [Type]),
    ets:insert(T, [{K, K rem 7} || K <- lists:seq(1, 1000)]),
    MS = [{{'$1', '$2'}, [{'=/=', '$2', 0}], ['$1']}],
    Got = drain(ets:select(T, MS, 50), []),
    ?eq([K || K <- lists:seq(1, 1000), K rem 7 =/= 0], lists:sort(Got)),
    ?eq('$end_of_table', ets:select(T, [{{'_', nomatch}, [], [x]}], 10)),
    Objs = drain(ets:match_object(T, '_', 100), []),
    ?eq(1000, length(Objs)),
    ?eq(1000, length(drain(ets:match(T, {'$1', '_'}, 100), []))),
    ?raises(error, badarg, ets:select(T, MS, 0)),
    ets:delete(T).

drain('$end_of_table', Acc) -> Acc;
drain({Res, Cont}, Acc) -> drain(ets:select(Cont), Res ++ Acc).

reverse_test() ->
    T = ets:new(t, [ordered_set]),
    ets:insert(T, [{K} || K <- lists:seq(1, 100)]),
    MS = [{{'$1'}, [], ['$1']}],
    ?eq(lists:seq(100, 1, -1), ets:select_reverse(T, MS)),
    {First, Cont} = ets:select_reverse(T, MS, 10),
    ?eq(lists:seq(100, 91, -1), First),
    {Next, _} = ets:select_reverse(Cont),
    ?eq(lists:seq(90, 81, -1), Next),
    ?eq(lists:seq(1, 10), element(1, ets:select(T, MS, 10))),
    ets:delete(T).

count_delete_test() ->
    T = ets:new(t, [duplicate_bag]),
    ets:insert(T, [{K rem 10, K} || K <- lists:seq(1, 100)]),
    ?eq(50, ets:select_count(T, [{{'_', '$1'}, [{'>', '$1', 50}], [true]}])),
    ?eq(0, ets:select_count(T, [{{'_', '$1'}, [], [false]}])),
    ?eq(50, ets:select_delete(T, [{{'_', '$1'}, [{'>', '$1', 50}], [true]}])),
    ?eq(50, ets:info(T, size)),
    ?eq(true, ets:match_delete(T, {3, '_'})),
    ?eq(45, ets:info(T, size)),
    ?eq(45, ets:select_delete(T, [{'_', [], [true]}])),
    ?eq(0, ets:info(T, size)),
    ets:delete(T).

replace_test() ->
    T = ets:new(t, [set]),
    ets:insert(T, [{K, K} || K <- lists:seq(1, 10)]),
    ?eq(5, ets:select_replace(T, [{{'$1', '$2'}, [{'>', '$2', 5}], [{{'$1', {'*', '$2', 10}}}]}])),
    ?eq([{6, 60}], ets:lookup(T, 6)),
    ?eq([{5, 5}], ets:lookup(T, 5)),
    %% a replacement may not change the key
    ?raises(error, badarg, ets:select_replace(T, [{{'$1', '$2'}, [], [{{x, '$2'}}]}])),
    ?eq([{1, 1}], ets:lookup(T, 1)),
    B = ets:new(b, [bag]),
    ?raises(error, badarg, ets:select_replace(B, [{'$1', [], ['$1']}])),
    ets:delete(B),
    ets:delete(T).

tab2list_test() ->
    T = people(set),
    ?eq([{alice, 31, london}, {bob, 25, paris}, {carol, 42, london}, {dave, 25, berlin}],
        lists:sort(ets:tab2list(T))),
    ets:delete(T),
    E = ets:new(e, []),
    ?eq([], ets:tab2list(E)),
    ets:delete(E).

%% Specs that bind the key look at one key's objects only; the answers are
%% the same as a scan's.
bound_key_test() ->
    T = ets:new(t, [bag]),
    ets:insert(T, [{K rem 100, K} || K <- lists:seq(1, 1000)]),
    ?eq(lists:seq(7, 1000, 100), lists:sort(ets:select(T, [{{7, '$1'}, [], ['$1']}]))),
    ?eq(10, ets:select_count(T, [{{42, '_'}, [], [true]}])),
    ?eq([[142]], ets:match(T, {42, '$1'}) -- [[K] || K <- lists:seq(42, 1000, 100), K =/= 142]),
    ets:delete(T).

badarg_test() ->
    T = people(set),
    ?raises(error, badarg, ets:select(T, not_a_spec)),
    ?raises(error, badarg, ets:select(T, [{'_', not_a_list, []}])),
    ?raises(error, badarg, ets:select(T, [{'_', [], ['$7']}])),     % unbound variable
    ?raises(error, badarg, ets:select(make_ref(), [{'_', [], [true]}])),
    ?raises(error, badarg, ets:select(bogus_continuation)),
    ?eq('$end_of_table', ets:select('$end_of_table')),
    ?raises(error, badarg, ets:match(T, {'_'}, -1)),
    ets:delete(T).

%% Whole-table calls on tables larger than one slice (they yield between
%% slices) while another process inserts and deletes other keys: every
%% stable object is returned exactly once, and the table is unfixed after.
large_table_test() ->
    [large(Type) || Type <- [set, ordered_set, bag]],
    ok.

large(Type) ->
    T = ets:new(big, [Type, public]),
    Stable = [{K, stable} || K <- lists:seq(1, 20000)],
    ets:insert(T, Stable),
    Self = self(),
    M = spawn(fun() -> churn(T, 1, 5000), Self ! {done, self()} end),
    All = ets:tab2list(T),
    Keys = ets:select(T, [{{'$1', stable}, [], ['$1']}]),
    receive {done, M} -> ok after 60000 -> erlang:error(timeout) end,
    ?eq(length(All), length(lists:usort(All))),
    ?eq(Stable, lists:sort([O || {_, stable} = O <- All])),
    ?eq(lists:seq(1, 20000), lists:sort(Keys)),
    ?eq(false, ets:info(T, fixed)),
    case Type of
        ordered_set ->
            ?eq(lists:seq(20000, 1, -1), ets:select_reverse(T, [{{'$1', stable}, [], ['$1']}]));
        _ -> ok
    end,
    ?eq(10000, ets:select_count(T, [{{'$1', stable}, [{'=<', '$1', 10000}], [true]}])),
    ?eq(20000, ets:select_delete(T, [{{'_', stable}, [], [true]}])),
    ?eq([], [O || {_, stable} = O <- ets:tab2list(T)]),
    ?eq(false, ets:info(T, fixed)),
    ets:delete(T).

churn(_, I, N) when I > N -> ok;
churn(T, I, N) ->
    ets:insert(T, {100000 + I, churn}),
    ets:delete(T, 100000 + I - 1),
    churn(T, I + 1, N).

%% ets:match_spec_compile/1, match_spec_run/2 (match_spec_run_r/3 under
%% it) and is_compiled_ms/1: a compiled specification is a reference.
compiled_ms_test() ->
    C = ets:match_spec_compile([{{x, '$1'}, [], ['$1']}]),
    ?true(is_reference(C)),
    ?true(ets:is_compiled_ms(C)),
    ?eq([1, 3], ets:match_spec_run([{x, 1}, {y, 2}, {x, 3}, 7, {x, a, b}], C)),
    ?eq([3, 1 | zz], ets:match_spec_run_r([{x, 1}, {y, 2}, {x, 3}], C, zz)),
    ?eq(acc, ets:match_spec_run_r([], C, acc)),
    ?eq([], ets:match_spec_run([], C)),
    %% a body that raises gives 'EXIT'; guards that raise are false
    C2 = ets:match_spec_compile([{{x, '$1'}, [], [{'+', '$1', 1}]}]),
    ?eq([2, 'EXIT'], ets:match_spec_run([{x, 1}, {x, a}], C2)),
    C3 = ets:match_spec_compile([{{'$1', '$2'}, [{'>', '$2', 1}], [{{'$2', '$1'}}]},
                                 {'$1', [], [{const, other}]}]),
    ?eq([{2, a}, other, other], ets:match_spec_run([{a, 2}, {b, 1}, foo], C3)),
    %% the same results as select on a table
    T = ets:new(t, [ordered_set]),
    Objs = [{K, K * K} || K <- lists:seq(1, 50)],
    ets:insert(T, Objs),
    MS = [{{'$1', '$2'}, [{'<', '$2', 100}], [{{'$2', '$1'}}]}],
    ?eq(ets:select(T, MS), ets:match_spec_run(Objs, ets:match_spec_compile(MS))),
    ets:delete(T),
    %% other terms are not compiled specifications
    ?eq(false, ets:is_compiled_ms(make_ref())),
    ?eq(false, ets:is_compiled_ms(atomics:new(1, []))),
    ?eq(false, ets:is_compiled_ms(<<1, 2, 3>>)),
    ?eq(false, ets:is_compiled_ms([{'_', [], [true]}])),
    ?eq(false, ets:is_compiled_ms(foo)),
    %% a copy decoded on this node while the original lives is the same
    ?true(ets:is_compiled_ms(binary_to_term(term_to_binary(C)))).

compiled_ms_badarg_test() ->
    ?raises(error, badarg, ets:match_spec_compile([])),
    ?raises(error, badarg, ets:match_spec_compile(foo)),
    ?raises(error, badarg, ets:match_spec_compile([{a, [], [x]} | b])),
    ?raises(error, badarg, ets:match_spec_compile([{'_', [], ['$7']}])),
    ?raises(error, badarg, ets:match_spec_compile([{'_', not_a_list, []}])),
    ?raises(error, badarg, ets:match_spec_compile([{'_', [], [{get_tcw}]}])),
    C = ets:match_spec_compile([{'$1', [], ['$1']}]),
    ?raises(error, badarg, ets:match_spec_run([{x, 1}], make_ref())),
    ?raises(error, badarg, ets:match_spec_run([{x, 1}], atomics:new(1, []))),
    ?raises(error, badarg, ets:match_spec_run([{x, 1}], [{'$1', [], ['$1']}])),
    ?raises(error, badarg, ets:match_spec_run_r([{x, 1} | bar], C, [])),
    ?raises(error, badarg, ets:match_spec_run_r(bar, C, [])),
    ?raises(error, badarg, ets:match_spec_run(lists:seq(1, 5000) ++ bar, C)).

%% Lists longer than one slice (the BIF yields between slices).
compiled_ms_long_test() ->
    C = ets:match_spec_compile([{'$1', [{is_integer, '$1'}, {'==', {'rem', '$1', 3}, 0}], [{'div', '$1', 3}]}]),
    L = lists:seq(1, 30000),
    ?eq(lists:seq(1, 10000), ets:match_spec_run(L, C)),
    ?eq(lists:seq(10000, 1, -1) ++ [tail], ets:match_spec_run_r(L, C, [tail])).

%% A compiled specification can be sent, stored and run by other processes,
%% and outlives the process that compiled it.
compiled_ms_share_test() ->
    Self = self(),
    {Pid, MRef} = spawn_monitor(fun() ->
                                        Self ! {ms, ets:match_spec_compile([{{'$1'}, [], [{{'$1', '$1'}}]}])}
                                end),
    C = receive {ms, M} -> M after 5000 -> erlang:error(timeout) end,
    receive {'DOWN', MRef, _, Pid, _} -> ok after 5000 -> erlang:error(no_down) end,
    erlang:garbage_collect(),
    ?eq([{1, 1}, {2, 2}], ets:match_spec_run([{1}, {2}], C)),
    T = ets:new(t, [public]),
    ets:insert(T, {ms, C}),
    Workers = [spawn_monitor(fun() ->
                                     [{ms, C2}] = ets:lookup(T, ms),
                                     R = ets:match_spec_run([{N} || N <- lists:seq(1, 2000)], C2),
                                     exit({done, length(R)})
                             end) || _ <- lists:seq(1, 4)],
    [receive {'DOWN', R, _, P, Why} -> ?eq({done, 2000}, Why) after 30000 -> erlang:error(timeout) end
     || {P, R} <- Workers],
    ets:delete(T),
    ?true(ets:is_compiled_ms(C)).

%% select_replace/2 accepts a specification only if its text shows that
%% every clause keeps the matched object's key (OTP's rule); otherwise
%% badarg and nothing is replaced. duplicate_bag is supported, bag is not.
replace_rules_test() ->
    T = ets:new(t, [set]),
    Reset = fun() -> ets:delete_all_objects(T), ets:insert(T, [{1, a}, {2, b}, {k, c}]) end,
    Ok = [{[{{'$1', '$2'}, [], [{{'$1', x}}]}], 3, [{1, x}, {2, x}, {k, x}]},
          {[{{k, '$2'}, [], [{{k, x}}]}], 1, [{1, a}, {2, b}, {k, x}]},
          {[{{k, '$2'}, [], [{const, {k, y}}]}], 1, [{1, a}, {2, b}, {k, y}]},
          {[{{'$1', '$2'}, [], ['$_']}], 3, [{1, a}, {2, b}, {k, c}]},
          {[{'_', [], ['$_']}], 3, [{1, a}, {2, b}, {k, c}]},
          {[{{'$1', '$2'}, [], [{{{element, 1, '$_'}, z}}]}], 3, [{1, z}, {2, z}, {k, z}]},
          {[{{{'$1'}, '$2'}, [], [{{{{'$1'}}, w}}]}], 0, [{1, a}, {2, b}, {k, c}]},
          {[{{[a | '$1'], '$2'}, [], [{{[a | '$1'], w}}]}], 0, [{1, a}, {2, b}, {k, c}]},
          {[{{<<"bin">>, '$2'}, [], [{{<<"bin">>, w}}]}], 0, [{1, a}, {2, b}, {k, c}]},
          {[{{'$1', '$2'}, [], [{{'$1'}}]}], 3, [{1}, {2}, {k}]},
          {[{{'$1', '$2'}, [], [{{'$1', '$2', extra}}]}], 3, [{1, a, extra}, {2, b, extra}, {k, c, extra}]},
          {[], 0, [{1, a}, {2, b}, {k, c}]},
          {[{{'$1', '$2'}, [{is_integer, '$1'}], [{{'$1', {'+', '$2', 1}}}]}], 2,
           [{1, 'EXIT'}, {2, 'EXIT'}, {k, c}]}],
    [begin
         Reset(),
         ?eq({MS, N}, {MS, ets:select_replace(T, MS)}),
         ?eq({MS, After}, {MS, lists:sort(ets:tab2list(T))})
     end || {MS, N, After} <- Ok],
    Bad = [[{'$1', [], [{const, {k, y}}]}],
           [{{'$1', '$2'}, [], [x, {{'$1', x}}]}],
           [{{'$1', '$2'}, [], [{{'$2', '$1'}}]}],
           [{{'$1', '$2'}, [{'==', '$1', 1}], [{{'$1', w}}]}, {'_', [], [{{x}}]}],
           [{{'$1', '$2'}, [], [{{{const, '$1'}, w}}]}],
           [{{#{a => '$1'}, '$2'}, [], [{{#{a => '$1'}, w}}]}],
           [{{'$1', '$2'}, [], [{{x, '$2'}}]}],
           not_a_spec],
    [begin
         Reset(),
         ?raises(error, badarg, ets:select_replace(T, MS)),
         ?eq([{1, a}, {2, b}, {k, c}], lists:sort(ets:tab2list(T)))
     end || MS <- Bad],
    ets:delete(T),
    D = ets:new(d, [duplicate_bag]),
    ets:insert(D, [{1, a}, {1, b}, {1, a}, {2, c}]),
    ?eq(2, ets:select_replace(D, [{{1, a}, [], [{{1, z}}]}])),
    ?eq([{1, z}, {1, b}, {1, z}], ets:lookup(D, 1)),
    ets:delete(D),
    O = ets:new(o, [ordered_set]),
    ets:insert(O, [{1, a}, {2.0, b}]),
    ?eq(0, ets:select_replace(O, [{{1.0, '$2'}, [], [{{1.0, x}}]}])),
    ?eq(1, ets:select_replace(O, [{{1, '$2'}, [], [{{1, x}}]}])),
    ?eq(0, ets:select_replace(O, [{{2, '$2'}, [], [{{2, x}}]}])),
    ?eq(2, ets:select_replace(O, [{{'$1', '$2'}, [], [{{'$1', y}}]}])),
    ?eq([{1, y}, {2.0, y}], ets:tab2list(O)),
    ets:delete(O),
    B = ets:new(b, [bag]),
    ?raises(error, badarg, ets:select_replace(B, [{'$1', [], ['$1']}])),
    ?raises(error, badarg, ets:select_replace(B, [{'$1', [], ['$_']}])),
    ets:delete(B),
    ?raises(error, badarg, ets:select_replace(make_ref(), [{'$1', [], ['$_']}])),
    P = ets:new(p, [protected]),
    ets:insert(P, {1, a}),
    Self = self(),
    spawn(fun() -> Self ! {r, catch ets:select_replace(P, [{{'$1', '_'}, [], [{{'$1', b}}]}])} end),
    ?eq({r, {'EXIT', badarg}}, receive {r, {'EXIT', {R, _}}} -> {r, {'EXIT', R}}; {r, X} -> {r, X} after 5000 -> timeout end),
    ?eq([{1, a}], ets:lookup(P, 1)),
    ets:delete(P).

%% On tables larger than one slice select_replace yields between slices;
%% another process inserting and deleting other keys meanwhile never makes
%% it replace an object twice or miss one that was there all along.
replace_large_test() ->
    [replace_large(Type) || Type <- [set, ordered_set, duplicate_bag]],
    ok.

replace_large(Type) ->
    T = ets:new(big, [Type, public]),
    N = 20000,
    ets:insert(T, [{K, 0} || K <- lists:seq(1, N)]),
    Self = self(),
    M = spawn(fun() -> churn(T, 1, 5000), Self ! {done, self()} end),
    MS = [{{'$1', '$2'}, [{is_integer, '$2'}, {'=<', '$1', N}], [{{'$1', {'+', '$2', 1}}}]}],
    ?eq(N, ets:select_replace(T, MS)),
    receive {done, M} -> ok after 60000 -> erlang:error(timeout) end,
    ?eq([{K, 1} || K <- lists:seq(1, N)],
        lists:sort(ets:select(T, [{{'$1', '$2'}, [{is_integer, '$2'}], ['$_']}]))),
    ?eq(false, ets:info(T, fixed)),
    ?eq(N, ets:select_replace(T, MS)),
    ?eq(N, ets:select_count(T, [{{'_', 2}, [], [true]}])),
    ets:delete(T).
