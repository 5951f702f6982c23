%% Match specifications through ets:test_ms/2 (OTP's ets.beam calling
%% erlang:match_spec_test/3): heads, guards, bodies, OTP's exception rules
%% ('EXIT' in a body, false in a guard), ets:fun2ms output compiled by
%% erlc's ms_transform, and OTP's diagnostics for malformed specs.
-module(ms_test).
-include("bt.hrl").
-include_lib("stdlib/include/ms_transform.hrl").
-export([deep_expr_test/0, too_deep_expr_test/0,
         head_test/0, head_repeat_test/0, head_map_test/0, vars_test/0,
         guard_types_test/0, guard_compare_test/0, guard_logic_test/0,
         guard_exception_test/0, clause_order_test/0,
         body_build_test/0, body_functions_test/0, body_arith_test/0,
         body_exit_test/0, body_logic_test/0, const_test/0,
         fun2ms_test/0, malformed_structure_test/0, malformed_expr_test/0,
         malformed_many_test/0, match_spec_test_shape_test/0,
         big_and_binary_test/0, trace_test/0, trace_malformed_test/0]).

id(X) -> X.

%% erlang:match_spec_test/3 in the trace dialect: Args is a call's
%% argument list.
tr(Args, MS) -> erlang:match_spec_test(Args, id(MS), trace).

%% ets:test_ms/2 with the spec passed through id/1, so the compiler cannot
%% see it as a constant.
ms(Obj, MS) -> ets:test_ms(Obj, id(MS)).

head_test() ->
    ?eq({ok, [a, 1]}, ms({a, 1}, [{{'$1', '$2'}, [], ['$$']}])),
    ?eq({ok, {a, 1}}, ms({a, 1}, [{{'_', '_'}, [], ['$_']}])),
    ?eq({ok, false}, ms({a, 1}, [{{'_', '_', '_'}, [], ['$_']}])),
    ?eq({ok, false}, ms({a, 1}, [{{b, '_'}, [], [x]}])),
    ?eq({ok, x}, ms({a, 1}, [{{a, 1}, [], [x]}])),
    %% a literal in a head matches exactly: 1 is not 1.0
    ?eq({ok, false}, ms({a, 1.0}, [{{a, 1}, [], [x]}])),
    ?eq({ok, a}, ms([a, 1], [{['$1' | '_'], [], ['$1']}])),
    ?eq({ok, [2, a, 1]}, ms({a, [1 | 2]}, [{{'$2', ['$5' | '$0']}, [], ['$$']}])),
    ?eq({ok, false}, ms({a, 1}, [{{'$2', ['$5' | '$0']}, [], ['$$']}])),
    ?eq({ok, {x, [1, {y, 2}]}},
        ms({x, [1, {y, 2}]}, [{{x, [1, {y, '$1'}]}, [], ['$_']}])),
    %% any term as a head
    ?eq({ok, 7}, ms(7, [{'$1', [], ['$1']}])),
    ?eq({ok, matched}, ms(<<"bin">>, [{<<"bin">>, [], [matched]}])),
    ?eq({ok, false}, ms(1, [{{'$2', '$1'}, [], [a]}])).

head_repeat_test() ->
    ?eq({ok, false}, ms({a, 1}, [{{'$1', '$1'}, [], [x]}])),
    ?eq({ok, a}, ms({a, a}, [{{'$1', '$1'}, [], ['$1']}])),
    %% repeated variables compare with =:=
    ?eq({ok, false}, ms({1, 1.0}, [{{'$1', '$1'}, [], ['$1']}])),
    ?eq({ok, {1, 1.0}}, ms({1, 1.0}, [{{'$1', '$2'}, [{'==', '$1', '$2'}], [{{'$1', '$2'}}]}])),
    ?eq({ok, [{k, v}]}, ms({{k, v}, [{k, v}]}, [{{'$1', ['$1']}, [], [['$1']]}])).

head_map_test() ->
    ?eq({ok, 1}, ms(#{a => 1, b => 2}, [{#{a => '$1'}, [], ['$1']}])),
    ?eq({ok, false}, ms(#{b => 2}, [{#{a => '$1'}, [], ['$1']}])),
    ?eq({ok, false}, ms({a}, [{#{a => '$1'}, [], ['$1']}])),
    ?eq({ok, [1, 2]}, ms({#{a => 1}, 2}, [{{#{a => '$1'}, '$2'}, [], ['$$']}])),
    ?eq({error, [{error, "Variable found in map key."}]},
        ms(#{a => 1}, [{#{'$1' => 1}, [], ['$$']}])),
    ?eq({error, [{error, "Underscore found in map key."}]},
        ms(#{a => 1}, [{#{'_' => 1}, [], ['$$']}])).

vars_test() ->
    ?eq({ok, [1, a]}, ms({a, 1}, [{{'$2', '$1'}, [], ['$$']}])),
    ?eq({ok, [1, a]}, ms({a, 1}, [{{'$2', '$0'}, [], ['$$']}])),
    ?eq({ok, [1]}, ms({a, 1}, [{{'_', '$2'}, [], ['$$']}])),
    ?eq({ok, []}, ms({a, 1}, [{'_', [], ['$$']}])),
    ?eq({ok, {a, 1}}, ms({a, 1}, [{'$100000000', [], ['$100000000']}])),
    %% not variables: a leading zero, letters, '$', '$*'
    ?eq({ok, false}, ms({a, 1}, [{{'$01', '$1'}, [], ['$$']}])),
    ?eq({ok, false}, ms({a, 1}, [{{'$a', '_'}, [], ['$$']}])),
    ?eq({ok, '$*'}, ms(x, [{'$1', [], ['$*']}])),
    ?eq({ok, x}, ms(x, [{'$0', [], ['$0']}])).

guard_types_test() ->
    Types = [{is_atom, a}, {is_float, 1.5}, {is_integer, 3}, {is_list, [1]},
             {is_number, 2.0}, {is_pid, self()}, {is_reference, make_ref()},
             {is_tuple, {}}, {is_map, #{}}, {is_binary, <<>>},
             {is_function, fun id/1}],
    [begin
         ?eq({ok, yes}, ms({V}, [{{'$1'}, [{T, '$1'}], [yes]}])),
         ?eq({ok, false}, ms({nothing_of_the_kind}, [{{'$1'}, [{T, '$1'}], [yes]}]))
     end || {T, V} <- Types, T =/= is_atom],
    ?eq({ok, yes}, ms({a}, [{{'$1'}, [{is_atom, '$1'}], [yes]}])),
    ?eq({ok, false}, ms({1}, [{{'$1'}, [{is_atom, '$1'}], [yes]}])),
    ?eq({ok, yes}, ms({r, 1}, [{'$1', [{is_record, '$1', r, 2}], [yes]}])),
    ?eq({ok, false}, ms({r, 1}, [{'$1', [{is_record, '$1', r, 3}], [yes]}])),
    ?eq({ok, yes}, ms(#{k => 1}, [{'$1', [{is_map_key, k, '$1'}], [yes]}])),
    ?eq({ok, false}, ms(#{k => 1}, [{'$1', [{is_map_key, j, '$1'}], [yes]}])).

guard_compare_test() ->
    G = fun(Op, A, B) -> ms({A, B}, [{{'$1', '$2'}, [{Op, '$1', '$2'}], [true]}]) end,
    ?eq({ok, true}, G('==', 1, 1.0)),
    ?eq({ok, false}, G('=:=', 1, 1.0)),
    ?eq({ok, true}, G('/=', 1, 2)),
    ?eq({ok, true}, G('=/=', 1, 1.0)),
    ?eq({ok, false}, G('/=', 1, 1.0)),
    ?eq({ok, true}, G('<', 1, a)),
    ?eq({ok, true}, G('>', {a}, 99999999999999999999999)),
    ?eq({ok, true}, G('>=', 2, 2.0)),
    ?eq({ok, true}, G('=<', [], [a])),
    ?eq({ok, false}, G('<', 2.5, 2)),
    %% several guards: all must be true
    ?eq({ok, x}, ms({a, 1}, [{{'$1', '$2'}, [{'=:=', '$2', 1}, {'==', '$2', 1.0}], [x]}])),
    ?eq({ok, false}, ms({a, 1}, [{{'$1', '$2'}, [{'=:=', '$2', 1}, {'=:=', '$2', 1.0}], [x]}])).

guard_logic_test() ->
    ?eq({ok, a}, ms({a, 1}, [{{'$1', '$2'}, [{'andalso', {'>', '$2', 0}, {is_atom, '$1'}}],
                              [{element, 1, '$_'}]}])),
    ?eq({ok, ok}, ms({a, 1}, [{{'$1', '$2'}, [{'orelse', {'>', '$1', 0}, true}], [ok]}])),
    ?eq({ok, ok}, ms({a, 1}, [{{'$1', '$2'}, [{'or', {'>', '$1', 0}, true}], [ok]}])),
    ?eq({ok, false}, ms({a, 1}, [{'_', [{'and', true, false, true}], [a]}])),
    ?eq({ok, a}, ms({a, 1}, [{'_', [{'and', {'>', {abs, -1}, 0}, true}], [a]}])),
    ?eq({ok, a}, ms({a, 1}, [{'_', [{'xor', true, false}, {'not', false}], [a]}])),
    %% a guard whose value is not exactly true fails
    ?eq({ok, false}, ms({a, 1}, [{{'$1', '$2'}, ['$2'], [x]}])),
    ?eq({ok, false}, ms({a, 1}, [{{'$1', '$2'}, [5], [ok]}])),
    ?eq({ok, false}, ms({a, 1}, [{{'$1', '$2'}, [{'andalso', true, 5}], [ok]}])),
    ?eq({ok, false}, ms({a, 1}, [{'_', [{'andalso', true, true, 3}], [a]}])).

guard_exception_test() ->
    %% an exception in a guard is false, whatever the operator around it
    ?eq({ok, false}, ms({a, 1}, [{{'$1', '$2'}, [{'or', {'+', '$1', 0}, true}], [ok]}])),
    ?eq({ok, false}, ms({a, 1}, [{{'$1', '$2'}, [{'orelse', {'+', '$1', 0}, true}], [ok]}])),
    ?eq({ok, ok}, ms({a, 1}, [{{'$1', '$2'}, [{'orelse', true, {'+', '$1', 0}}], [ok]}])),
    ?eq({ok, false}, ms({a, 1}, [{'$1', [{'=:=', {element, 3, '$1'}, 'EXIT'}], [x]}])),
    ?eq({ok, false}, ms({a, 1}, [{'_', [{'not', 1}], [x]}])).

clause_order_test() ->
    MS = [{{a, '$1'}, [{is_integer, '$1'}], [int]},
          {{a, '$1'}, [], [other]},
          {'_', [], [nomatch]}],
    ?eq({ok, int}, ms({a, 1}, MS)),
    ?eq({ok, other}, ms({a, x}, MS)),
    ?eq({ok, nomatch}, ms({b, 1}, MS)),
    %% a guard exception falls through to the next clause
    ?eq({ok, y}, ms({a, 1}, [{{'$1', '$2'}, [{'+', '$1', 1}], [x]}, {'_', [], [y]}])),
    ?eq({ok, b}, ms({a, 1}, [{'_', [{float, '$_'}], [a]}, {'_', [], [b]}])).

body_build_test() ->
    ?eq({ok, {{a, 1}, {a, 1}}}, ms({a, 1}, [{'_', [], [{{'$_', '$_'}}]}])),
    ?eq({ok, {}}, ms({a, 1}, [{'_', [], [{{}}]}])),
    ?eq({ok, {1, {a}}}, ms({a, 1}, [{{'$1', '$2'}, [], [{{'$2', {{'$1'}}}}]}])),
    ?eq({ok, [a | 1]}, ms({a, 1}, [{{'$1', '$2'}, [], [['$1' | '$2']]}])),
    ?eq({ok, [1, a, [a, 1]]}, ms({a, 1}, [{{'$1', '$2'}, [], [['$2', '$1', '$$']]}])),
    ?eq({ok, #{a => 3}}, ms({a, 1}, [{'_', [], [#{a => {'+', 1, 2}}]}])),
    ?eq({ok, #{3 => 1}}, ms({a, 1}, [{'_', [], [#{{'+', 1, 2} => 1}]}])),
    ?eq({ok, #{{a, 1} => 1}}, ms({a, 1}, [{'$1', [], [#{'$1' => 1}]}])),
    ?eq({ok, #{}}, ms({a, 1}, [{'_', [], [#{}]}])),
    %% the last body expression is the result
    ?eq({ok, x}, ms({a, 1}, [{'_', [], [a, b, x]}])),
    ?eq({ok, self()}, ms({a, 1}, [{'_', [], [{self}]}])),
    ?eq({ok, node()}, ms({a, 1}, [{'_', [], [{node}]}])).

body_functions_test() ->
    ?eq({ok, a}, ms({a, 1}, [{{'$1', '$2'}, [], [{element, 1, '$_'}]}])),
    ?eq({ok, [2, 2, 2, 1, [], 3, 3, 2, 2.0, 2]},
        ms({[1], <<1, 2>>}, [{{'$1', '$2'}, [],
                              [[{length, [1, 2]}, {size, '$2'}, {byte_size, '$2'},
                                {hd, '$1'}, {tl, '$1'}, {abs, -3}, {round, 2.5},
                                {trunc, 2.5}, {float, 2}, {size, {{a, b}}}]]}])),
    ?eq({ok, [16, 1, 2]}, ms(#{a => 1, b => 2},
                             [{'$1', [], [[{bit_size, <<1, 2>>}, {map_get, a, '$1'},
                                           {map_size, '$1'}]]}])),
    ?eq({ok, [<<2>>, <<2, 3>>]},
        ms(<<1, 2, 3>>, [{'$1', [], [[{binary_part, '$1', 1, 1},
                                      {binary_part, '$1', {{1, 2}}}]]}])),
    ?eq({ok, [true, false, false]},
        ms({a, 1}, [{'$1', [], [[{is_record, '$1', a, 2}, {is_record, '$1', b, 2},
                                 {is_record, '$1', a, 3}]]}])),
    ?eq({ok, [node(), true, true, 1.5]},
        ms({a, 1}, [{'_', [], [[{node, {self}}, {is_function, fun erlang:abs/1},
                                {is_map, #{}}, {float, 1.5}]]}])).

body_arith_test() ->
    ?eq({ok, [-3, -1, 8, -4, -6, 14, 6, 2.5, 12, 3, 5, -5, 5]},
        ms({7, 2}, [{{'$1', '$2'}, [],
                     [[{'div', -7, '$2'}, {'rem', -7, '$2'}, {'band', 12, 10}, {'bsr', -8, 1},
                       {'bnot', 5}, {'*', '$1', '$2'}, {'bor', 4, '$2'}, {'/', 5, '$2'},
                       {'bsl', 3, 2}, {'bxor', 1, '$2'}, {'+', '$1', -2}, {'-', 5}, {'+', 5}]]}])),
    ?eq({ok, 1606938044258990275541962092341162602522202993782792835301376},
        ms({a, 1}, [{{'$1', '$2'}, [], [{'bsl', '$2', 200}]}])),
    ?eq({ok, 3.5}, ms({a, 1}, [{'_', [], [{'+', 1, 2.5}]}])),
    ?eq({ok, 100000000000000000000},
        ms({10000000000}, [{{'$1'}, [], [{'*', '$1', '$1'}]}])).

body_exit_test() ->
    %% an exception in a body makes that expression 'EXIT'; the clause
    %% still succeeds, and later expressions are still evaluated
    ?eq({ok, 'EXIT'}, ms({a, 1}, [{{'$1', '$2'}, [], [{'+', '$1', 1}]}])),
    ?eq({ok, 'EXIT'}, ms({a, 1}, [{{'$1', '$2'}, [], [{'+', '$1', 1}]}, {'_', [], [x]}])),
    ?eq({ok, x}, ms({a, 1}, [{{'$1', '$2'}, [], [{'+', '$1', 1}, x]}])),
    ?eq({ok, 'EXIT'}, ms({a, 1}, [{{'$1', '$2'}, [], [x, {'+', '$1', 1}]}])),
    ?eq({ok, ['EXIT']}, ms({a, 1}, [{{'$1', '$2'}, [], [[{'+', '$1', 1}]]}])),
    ?eq({ok, {'EXIT'}}, ms({a, 1}, [{{'$1', '$2'}, [], [{{{'+', '$1', 1}}}]}])),
    ?eq({ok, 'EXIT'}, ms({a, 1}, [{'$1', [], [{'+', {element, 3, '$1'}, 1}]}])),
    ?eq({ok, 'EXIT'}, ms({a, 1}, [{'$1', [], [{element, '$1', 2}]}])),
    ?eq({ok, [nonode, 'EXIT', 'EXIT', 'EXIT']},
        ms({a, 1}, [{'$1', [], [[nonode, {node, a}, {is_map_key, a, b}, {'/', 1, 0}]]}])),
    ?eq({ok, 'EXIT'}, ms({a, 1}, [{'_', [], [{is_record, '$_', a, b}]}])).

body_logic_test() ->
    ?eq({ok, [false, true, false, 'EXIT', false, 'EXIT', 5, 3, 'EXIT', 'EXIT']},
        ms({a, 1}, [{'_', [], [[{'andalso', false, 5}, {'orelse', true, 6},
                                {'or', false, false}, {'or', true, 3},
                                {'and', false, true}, {'xor', true, 1},
                                {'andalso', true, 5}, {'andalso', true, true, 3},
                                {'andalso', true, 3, true}, {'orelse', 3, true}]]}])),
    ?eq({ok, 2}, ms({a, 1}, [{{'$2', '$1'}, [],
                              [{'andalso', {'=:=', {element, 1, '$_'}, '$2'}, {'+', '$1', 1}}]}])),
    ?eq({ok, 'EXIT'}, ms({a, 1}, [{{'$2', '$1'}, [], [{'andalso', {'+', '$1', a}, true}]}])),
    ?eq({ok, 1}, ms({a, 1}, [{'_', [], [{'orelse', 1}]}])),
    ?eq({ok, 'EXIT'}, ms({a, 1}, [{'_', [], [{'not', 5}]}])).

const_test() ->
    ?eq({ok, {'$1'}}, ms({a, 1}, [{{'$1', '$2'}, [], [{const, {'$1'}}]}])),
    ?eq({ok, [{a, b}]}, ms({a, 1}, [{'_', [], [{const, [{a, b}]}]}])),
    ?eq({ok, x}, ms({a, 1}, [{'_', [], [{hd, {const, [x]}}]}])),
    ?eq({ok, {a, 1, '$1'}}, ms({a, 1}, [{{'$1', '$2'}, [], [{{'$1', '$2', {const, '$1'}}}]}])),
    ?eq({ok, [1, 2]}, ms({a, 1}, [{{'$1', '$2'}, [{'>', '$2', {const, 0}}], [[1, 2]]}])),
    ?eq({ok, false}, ms({a, 1}, [{{'$2', '$1'}, [{'>', '$1', {{0}}}], ['$$']}])).

fun2ms_test() ->
    MS1 = ets:fun2ms(fun({K, V}) when V > 10, is_atom(K) -> {V, K} end),
    ?eq({ok, {11, k}}, ms({k, 11}, MS1)),
    ?eq({ok, false}, ms({k, 10}, MS1)),
    ?eq({ok, false}, ms({"k", 11}, MS1)),
    MS2 = ets:fun2ms(fun({K, _, [H | T]} = Obj) when H =:= K; T == [] -> {Obj, H} end),
    ?eq({ok, {{a, x, [a, b]}, a}}, ms({a, x, [a, b]}, MS2)),
    ?eq({ok, {{a, x, [b]}, b}}, ms({a, x, [b]}, MS2)),
    ?eq({ok, false}, ms({a, x, [b, c]}, MS2)),
    MS3 = ets:fun2ms(fun({N, L}) when length(L) >= 2, N rem 2 =:= 0 ->
                             #{n => N * 2, first => hd(L), rest => tl(L), self => self()};
                        ({N, _}) when is_integer(N) -> odd_or_short;
                        (X) -> {other, X}
                     end),
    Self = self(),
    ?eq({ok, #{n => 8, first => p, rest => [q], self => Self}}, ms({4, [p, q]}, MS3)),
    ?eq({ok, odd_or_short}, ms({3, [p, q]}, MS3)),
    ?eq({ok, odd_or_short}, ms({4, [p]}, MS3)),
    ?eq({ok, {other, {x, y}}}, ms({x, y}, MS3)),
    ?eq({ok, {other, z}}, ms(z, MS3)),
    MS4 = ets:fun2ms(fun({A, B}) when A andalso (B orelse not A) -> both;
                        ({A, B}) when A xor B -> one
                     end),
    ?eq({ok, both}, ms({true, true}, MS4)),
    ?eq({ok, one}, ms({false, true}, MS4)),
    ?eq({ok, false}, ms({false, false}, MS4)),
    ?eq({ok, false}, ms({1, 2}, MS4)),
    Lim = id(5),
    MS5 = ets:fun2ms(fun({K, V}) when V > Lim -> [K, V, Lim] end),
    ?eq({ok, [k, 6, 5]}, ms({k, 6}, MS5)),
    ?eq({ok, false}, ms({k, 5}, MS5)),
    MS6 = ets:fun2ms(fun(T) when element(1, T) =:= rec, size(T) =:= 3 -> element(3, T) end),
    ?eq({ok, c}, ms({rec, b, c}, MS6)),
    ?eq({ok, false}, ms({rec, b}, MS6)),
    ?eq({ok, false}, ms([rec, b, c], MS6)),
    MS7 = ets:fun2ms(fun({K, L}) when K > -1.5, is_list(L), L =/= [] -> {K, L, [K | L]} end),
    ?eq({ok, {0, [x], [0, x]}}, ms({0, [x]}, MS7)),
    ?eq({ok, false}, ms({0, []}, MS7)).

malformed_structure_test() ->
    E = fun(Msg) -> {error, [{error, Msg}]} end,
    ?eq(E("Match programs are not in a list."), ms({a, 1}, foo)),
    ?eq(E("Match programs are not in a list."), ms({a, 1}, [])),
    ?eq(E("Match programs are not in a list."), ms({a, 1}, {})),
    ?eq(E("Match programs are not in a proper list."), ms({a, 1}, [{'_', [], [a]} | b])),
    ?eq(E("Match program part is not a tuple of arity 3."), ms({a, 1}, [foo])),
    ?eq(E("Match program part is not a tuple of arity 3."), ms({a, 1}, [{'_', [], [a]}, foo])),
    ?eq(E("Match expression is not a list."), ms({a, 1}, [{'_', foo, [a]}])),
    ?eq(E("Match expression is not a proper list."), ms({a, 1}, [{'_', [a | b], [a]}])),
    ?eq(E("Match expression is not a proper list."), ms({a, 1}, [{'_', [], [a | b]}])),
    ?eq(E("Body clause does not return anything."), ms({a, 1}, [{'_', [], []}])),
    ?eq(E("Body clause does not return anything."), ms({a, 1}, [{'_', [], foo}])),
    ?eq(E("Body clause does not return anything."), ms({a, 1}, [{'_', [foo], []}])).

malformed_expr_test() ->
    E = fun(Msg) -> {error, [{error, Msg}]} end,
    ?eq(E("Variable $3 is unbound."), ms({a, 1}, [{{'$1', '$2'}, [{'>', '$3', 0}], ['$_']}])),
    ?eq(E("Variable $1 is unbound."), ms({a, 1}, [{'_', [], [#{a => '$1'}]}])),
    ?eq(E("Variable $100000001 is unbound."), ms({a, 1}, [{'_', [], ['$100000001']}])),
    ?eq(E("Function min/2 does_not_exist."), ms({a, 1}, [{{'$1', '$2'}, [], [{min, '$1', 1}]}])),
    ?eq(E("Function tuple_size/1 does_not_exist."), ms({a, 1}, [{'_', [], [{tuple_size, '$_'}]}])),
    ?eq(E("Function xor/1 does_not_exist."), ms({a, 1}, [{'_', [], [{'xor', 1}]}])),
    ?eq(E("Function '/'/1 does_not_exist."), ms({a, 1}, [{'_', [], [{'/', 1}]}])),
    ?eq(E("Function '$$'/0 does_not_exist."), ms({a, 1}, [{'_', [], [{'$$'}]}])),
    ?eq(E("Function is_function/2 does_not_exist."), ms({a, 1}, [{'_', [], [{is_function, 1, 2}]}])),
    ?eq(E("Function get_tcw/0 cannot be called in this context."), ms({a, 1}, [{'_', [], [{get_tcw}]}])),
    ?eq(E("Special form 'message' used in wrong dialect."), ms({a, 1}, [{'_', [], [{message, 1}]}])),
    ?eq(E("Special form 'return_trace' used in wrong dialect."), ms({a, 1}, [{'_', [], [{return_trace}]}])),
    ?eq(E("Special form 'set_seq_trace' used in wrong dialect."), ms({a, 1}, [{'_', [], [{set_seq_token, a, b}]}])),
    ?eq(E("Special form 'self' called with arguments in {self,1}."), ms({a, 1}, [{'_', [], [{self, 1}]}])),
    ?eq(E("Special form 'andalso' called without arguments in {andalso}."), ms({a, 1}, [{'_', [{'andalso'}], [a]}])),
    ?eq(E("Special form 'or' called without arguments in {or}."), ms({a, 1}, [{'_', [], [{'or'}]}])),
    ?eq(E("Special form 'const' called with more than one argument in {const}."), ms({a, 1}, [{'_', [], [{const}]}])),
    ?eq(E("Special form 'const' called with more than one argument in {const,1,2}."), ms({a, 1}, [{'_', [], [{const, 1, 2}]}])),
    ?eq(E("{'$1'} is neither a function call, nor a tuple (tuples are written {{ ... }})."), ms({a, 1}, [{'_', [], [{'$1'}]}])),
    ?eq(E("{} is neither a function call, nor a tuple (tuples are written {{ ... }})."), ms({a, 1}, [{'_', [], [{}]}])),
    ?eq(E("{1,2} is neither a function call, nor a tuple (tuples are written {{ ... }})."), ms({a, 1}, [{'_', [], [{1, 2}]}])),
    ?eq(E("{\"abc\"} is neither a function call, nor a tuple (tuples are written {{ ... }})."), ms({a, 1}, [{'_', [], [{"abc"}]}])),
    ?eq(E("{1,andalso,[a|b]} is neither a function call, nor a tuple (tuples are written {{ ... }})."), ms({a, 1}, [{'_', [], [{1, 'andalso', [a | b]}]}])),
    ?eq(E("{{1,2},3} is neither a function call, nor a tuple (tuples are written {{ ... }})."), ms({a, 1}, [{'_', [], [{{1, 2}, 3}]}])),
    %% erts' printer cuts a diagnostic at 99 bytes
    ?eq(E("{1,'Ab c',[1,2],\"ab\\n\",[],<<1,2,3>>,<<\"ab\">>,-1,1.000000e+10,1.500000e+00,'a@b',aB_9,[a|b],{},#{},#"),
        ms(x, [{x, [], [{1, 'Ab c', [1, 2], "ab\n", [], <<1, 2, 3>>, <<"ab">>, -1, 1.0e10, 1.5, 'a@b',
                         'aB_9', [a | b], {}, #{}, #{1 => []}, 12345678901234567890}]}])).

malformed_many_test() ->
    %% errors within one clause are all reported, in order, repeats too;
    %% compilation stops after the first clause that has any
    ?eq({error, [{error, "Variable $1 is unbound."}, {error, "Variable $2 is unbound."}]},
        ms({a, 1}, [{'_', [], ['$1', '$2']}, {'_', [], ['$3']}])),
    ?eq({error, [{error, "Variable $1 is unbound."}, {error, "Variable $1 is unbound."}]},
        ms({a, 1}, [{'_', [], ['$1', '$1']}])),
    ?eq({error, [{error, "Function foo/0 does_not_exist."}, {error, "Function bar/0 does_not_exist."},
                 {error, "Function baz/0 does_not_exist."}]},
        ms({a, 1}, [{'_', [{foo}, {bar}], [{baz}]}])),
    ?eq({error, [{error, "Variable $1 is unbound."}, {error, "Function element/1 does_not_exist."},
                 {error, "Function element/3 does_not_exist."}]},
        ms({a, 1}, [{'_', [{'andalso', '$1', true}], [{element, '$_'}, {element, 1, 2, 3}]}])),
    ?eq({error, [{error, "Special form 'const' called with more than one argument in {const}."},
                 {error, "Variable $1 is unbound."}]},
        ms({a, 1}, [{'_', [], [{{'$1', {const}}}]}])),
    ?eq({error, [{error, "{'$1'} is neither a function call, nor a tuple (tuples are written {{ ... }})."}]},
        ms({a, 1}, [{{'$1', '_'}, [], [{'$1'}]}, {{'$1', '_'}, [], [{'$1'}, {'$2'}]}])),
    ?eq({error, [{error, "Body clause does not return anything."}]},
        ms({a, 1}, [{x, [], [x]}, {y, [], []}])).

match_spec_test_shape_test() ->
    ?eq({ok, [a, 1], [], []}, erlang:match_spec_test({a, 1}, id([{{'$1', '$2'}, [], ['$$']}]), table)),
    ?eq({ok, false, [], []}, erlang:match_spec_test({a, 1}, id([{{b, '_'}, [], ['$$']}]), table)),
    ?eq({error, [{error, "Match programs are not in a list."}]},
        erlang:match_spec_test({a, 1}, id(x), table)),
    ?raises(error, badarg, erlang:match_spec_test({a, 1}, id([{'_', [], [a]}]), id(tabel))).

big_and_binary_test() ->
    Big = id(123456789012345678901234567890),
    Bin = list_to_binary(lists:seq(1, 200)),
    ?eq({ok, {Big, Bin}}, ms({Big, Bin}, [{{'$1', '$2'}, [], [{{'$1', '$2'}}]}])),
    ?eq({ok, 200}, ms({Big, Bin}, [{{'_', '$2'}, [], [{byte_size, '$2'}]}])),
    ?eq({ok, yes}, ms({Big, Bin}, [{{Big, '_'}, [], [yes]}])),
    ?eq({ok, yes}, ms({Big, Bin}, [{{'_', Bin}, [], [yes]}])),
    ?eq({ok, Big + 1}, ms({Big}, [{{'$1'}, [{'>', '$1', 1.0e20}], [{'+', '$1', 1}]}])),
    ?eq({ok, [Bin]}, ms({a}, [{'_', [], [{const, [Bin]}]}])),
    Long = lists:seq(1, 5000),
    ?eq({ok, Long}, ms({Long}, [{{'$1'}, [{'==', {length, '$1'}, 5000}], ['$1']}])),
    ?eq({ok, 5000}, ms({a}, [{'_', [], [{length, {const, Long}}]}])).

trace_test() ->
    %% the result is the last {message, X}, true by default, false if no
    %% clause matches; return_trace/exception_trace come back as flags
    ?eq({ok, a, [], []}, tr([a, 1], [{['$1', '_'], [], [{message, '$1'}]}])),
    ?eq({ok, true, [], []}, tr([a, 1], [{['$1', '_'], [], []}])),
    ?eq({ok, true, [], []}, tr([a, 1], [{['$1', '_'], [], [x]}])),
    ?eq({ok, false, [], []}, tr([a, 1], [{[b, '_'], [], []}])),
    ?eq({ok, false, [], []}, tr([a, 1], [{['_'], [], []}])),
    ?eq({ok, z, [], []}, tr([a, 1], [{'_', [], [{message, z}]}])),
    ?eq({ok, [a, 1], [], []}, tr([a, 1], [{'$1', [], [{message, '$1'}]}])),
    ?eq({ok, x, [], []}, tr([], [{[], [], [{message, x}]}])),
    ?eq({ok, false, [], []}, tr([a, 1], [{['$1', '_'], [], [{message, '$1'}, {message, false}]}])),
    ?eq({ok, [a, 1], [], []}, tr([a, 1], [{['$1', '_'], [], [{message, '$1'}, {message, '$_'}]}])),
    ?eq({ok, a, [return_trace], []}, tr([a, 1], [{['$1', '_'], [], [{return_trace}, {message, '$1'}]}])),
    ?eq({ok, true, [exception_trace], []}, tr([a, 1], [{['$1', '_'], [], [{exception_trace}]}])),
    ?eq({ok, true, [return_trace, exception_trace], []},
        tr([a, 1], [{['$1', '_'], [], [{return_trace}, {exception_trace}, {return_trace}]}])),
    %% a failing guard's clause leaves no message or flags behind
    ?eq({ok, true, [], []}, tr([a, 1], [{['$1', '_'], [{is_integer, '$1'}], [{return_trace}]},
                                       {'_', [], []}])),
    %% an exception in a message's argument makes it 'EXIT'
    ?eq({ok, 'EXIT', [], []}, tr([a, 1], [{['$1', '_'], [], [{message, {'+', '$1', 1}}]}])),
    ?eq({ok, false, [], []}, tr([a, 1], [{['$1', '_'], [{'+', '$1', 1}], [x]}])),
    %% a tuple head matches the arguments element by element
    ?eq({ok, a, [], []}, tr([a, 1], [{{'$1', '$2'}, [], [{message, '$1'}]}])),
    ?eq({ok, false, [], []}, tr([a, 1], [{{'$1'}, [], [{message, '$1'}]}])),
    ?eq({ok, false, [], []}, tr([a, 1], [{{x, y}, [], [{message, z}]}])),
    %% outside a traced call there is no caller and no sequential token
    ?eq({ok, undefined, [], []}, tr([a, 1], [{['_', '_'], [], [{message, {caller}}]}])),
    ?eq({ok, [[], false, true], [], []},
        tr([a, 1], [{['_', '_'], [], [{message, [{get_seq_token}, {is_seq_trace}, {silent, true}]}]}])),
    ?eq({ok, false, [], []}, tr([a, 1], [{['_', '_'], [{is_seq_trace}], [{message, 1}]}])),
    %% match_spec_test reads the trace control word but never changes it
    ?eq({ok, 1, [], []}, tr([a, 1], [{['_', '_'], [{'==', {get_tcw}, 0}], [{message, 1}]}])),
    ?eq({ok, [0, 0, 0], [], []},
        tr([a, 1], [{['_', '_'], [], [{message, [{get_tcw}, {set_tcw, 5}, {get_tcw}]}]}])),
    ?eq({ok, 'EXIT', [], []}, tr([a, 1], [{['_', '_'], [], [{message, {set_tcw, a}}]}])),
    %% an improper argument list counts as its proper part
    ?eq({ok, [a], [], []}, tr([a | b], [{'_', [], [{message, '$_'}]}])),
    ?raises(error, badarg, tr(x, [{['$1', '_'], [], []}])),
    ?raises(error, badarg, tr({a, 1}, [{['$1', '_'], [], []}])).

trace_malformed_test() ->
    E = fun(Msg) -> {error, [{error, Msg}]} end,
    ?eq(E("Match head is invalid in this context."), tr([a, 1], [{x, [], [{message, x}]}])),
    ?eq(E("Match expression part [a|b] is not a proper list."), tr([a, 1], [{[a | b], [], []}])),
    ?eq(E("Match expression part [a|'$1'] is not a proper list."), tr([a, 1], [{[a | '$1'], [], []}])),
    %% improper list heads are found before any clause is compiled
    ?eq(E("Match expression part [a|b] is not a proper list."),
        tr([a, 1], [{<<1>>, [], []}, {[a | b], [], []}])),
    %% a bad head stops that clause: its body is not looked at
    ?eq(E("Match head is invalid in this context."), tr([a, 1], [{1, [], [{foo}]}])),
    ?eq(E("Special form 'message' called in guard context."), tr([a, 1], [{'_', [{message, 1}], []}])),
    ?eq(E("Special form 'return_trace' called in guard context."), tr([a, 1], [{'_', [{return_trace}], []}])),
    ?eq(E("Special form 'caller' called in guard context."), tr([a, 1], [{'_', [{caller}], []}])),
    ?eq(E("Special form 'return_trace' called with arguments in {return_trace,1}."),
        tr([a, 1], [{'_', [], [{return_trace, 1}]}])),
    ?eq(E("Special form 'message' called with wrong number of arguments in {message}."),
        tr([a, 1], [{'_', [], [{message}]}])),
    ?eq(E("Function set_tcw/1 cannot be called in this context."),
        tr([a, 1], [{'_', [{'==', {set_tcw, 1}, 0}], [{message, 1}]}])),
    ?eq({error, [{error, "Special form 'message' called with wrong number of arguments in {message,2,3}."},
                 {error, "Special form 'display' called with wrong number of arguments in {display}."},
                 {error, "Special form 'enable_trace' called with wrong number of arguments in {enable_trace,1,2,3}."},
                 {error, "Special form 'set_seq_token' called with wrong number of arguments in {set_seq_token,1}."},
                 {error, "Special form 'caller' called with arguments in {caller,1}."},
                 {error, "Function get_tcw/1 does_not_exist."}]},
        tr([a, 1], [{'_', [], [{message, 1}, {message, 2, 3}, {display}, {enable_trace, 1, 2, 3},
                               {set_seq_token, 1}, {caller, 1}, {get_tcw, 1}]}])),
    ?eq(E("Function get_tcw/0 cannot be called in this context."), ms({a, 1}, [{'_', [], [{get_tcw}]}])),
    ?eq(E("Function set_tcw/1 cannot be called in this context."), ms({a, 1}, [{'_', [], [{set_tcw, 1}]}])).

%% Guards and bodies nested deep: compiled without C recursion per level
%% (the image's scheduler stack is 32 KB). OTP 25 takes them up to where
%% its recursive compiler gives up (2,280 to 3,190 levels by form).
deep_and(0) -> {'>', '$1', 0};
deep_and(N) -> {'andalso', deep_and(N - 1), true}.
deep_or(0) -> {'<', '$1', 0};
deep_or(N) -> {'orelse', false, deep_or(N - 1)}.
deep_plus(0) -> '$1';
deep_plus(N) -> {'+', deep_plus(N - 1), 1}.
deep_list(0) -> '$1';
deep_list(N) -> [deep_list(N - 1)].
deep_tuple(0) -> '$1';
deep_tuple(N) -> {{deep_tuple(N - 1), a}}.
deep_map(0) -> '$1';
deep_map(N) -> #{k => deep_map(N - 1)}.
unwrap_list(0, X) -> X;
unwrap_list(N, [X]) -> unwrap_list(N - 1, X).
unwrap_tuple(0, X) -> X;
unwrap_tuple(N, {X, a}) -> unwrap_tuple(N - 1, X).
unwrap_map(0, X) -> X;
unwrap_map(N, #{k := X}) -> unwrap_map(N - 1, X).

deep_expr_test() ->
    N = 1500,
    T = {5},
    ?eq({ok, ok, [], []}, erlang:match_spec_test(T, [{{'$1'}, [deep_and(N)], [ok]}], table)),
    ?eq({ok, true, [], []}, erlang:match_spec_test(T, [{{'$1'}, [], [deep_and(N)]}], table)),
    ?eq({ok, false, [], []}, erlang:match_spec_test(T, [{{'$1'}, [], [deep_or(N)]}], table)),
    ?eq({ok, 5 + N, [], []}, erlang:match_spec_test(T, [{{'$1'}, [], [deep_plus(N)]}], table)),
    ?eq({ok, x, [], []}, erlang:match_spec_test(T, [{{'$1'}, [{'>', deep_plus(N), N}], [x]}], table)),
    ?eq(false, element(2, erlang:match_spec_test(T, [{{'$1'}, [{'<', deep_plus(N), N}], [x]}], table))),
    {ok, L, [], []} = erlang:match_spec_test(T, [{{'$1'}, [], [deep_list(N)]}], table),
    ?eq(5, unwrap_list(N, L)),
    {ok, Tu, [], []} = erlang:match_spec_test(T, [{{'$1'}, [], [deep_tuple(N)]}], table),
    ?eq(5, unwrap_tuple(N, Tu)),
    %% OTP's compiler takes fewer levels of maps
    {ok, M, [], []} = erlang:match_spec_test(T, [{{'$1'}, [], [deep_map(300)]}], table),
    ?eq(5, unwrap_map(300, M)),
    %% the same in ets:select, and a deep error in a guard is false
    Tab = ets:new(deep, []),
    ets:insert(Tab, [{1}, {2}, {3}]),
    ?eq([3], ets:select(Tab, [{{'$1'}, [{'>', deep_plus(N), N + 2}], [{'-', deep_plus(N), N}]}])),
    ?eq([], ets:select(Tab, [{{'$1'}, [{'>', deep_plus(N), {'+', a, 1}}], ['$1']}])),
    ets:delete(Tab),
    ok.

%% 10,000 levels: refused, with OTP's message, and ets:select raises
%% system_limit (where OTP gives up depends on its C stack; 10,000 is past
%% it for every form).
too_deep_expr_test() ->
    N = 10000,
    Prefix = "Excessive nesting; system limit reached near: ",
    Check = fun(MS) ->
                    {error, Errs} = erlang:match_spec_test({5}, MS, table),
                    ?true(Errs =/= []),
                    [?true(lists:prefix(Prefix, E)) || {error, E} <- Errs],
                    ?eq(length(Errs), length([E || {error, E} <- Errs]))
            end,
    Check([{{'$1'}, [deep_and(N)], [ok]}]),
    Check([{{'$1'}, [], [deep_plus(N)]}]),
    Check([{{'$1'}, [{'>', deep_plus(N), 0}], [x]}]),
    Check([{{'$1'}, [], [deep_tuple(N)]}]),
    ?eq(error, element(1, erlang:match_spec_test({5}, [{{'$1'}, [], [deep_list(N)]}], table))),
    Tab = ets:new(deep, []),
    ets:insert(Tab, {5}),
    ?raises(error, system_limit, ets:select(Tab, [{{'$1'}, [deep_and(N)], ['$1']}])),
    ?raises(error, system_limit, ets:select(Tab, [{{'$1'}, [], [deep_plus(N)]}])),
    ?raises(error, system_limit, ets:select_count(Tab, [{{'$1'}, [deep_and(N)], [true]}])),
    ?raises(error, system_limit, ets:match_spec_compile([{{'$1'}, [deep_and(N)], [ok]}])),
    ?raises(error, badarg, ets:match_spec_compile([{{'$1'}, [{nofun}], [ok]}])),
    ?raises(error, badarg, ets:select(Tab, [{{'$1'}, [], [{nofun, '$1'}]}])),
    ets:delete(Tab),
    ok.
