%% Exceptions: classes, OTP's error terms, catch, stack traces with lines.
-module(exc_test).
-include("bt.hrl").
-export([classes_test/0, error_terms_test/0, catch_test/0, stacktrace_test/0,
         raise_test/0, nested_test/0, undef_test/0]).

id(X) -> X.

classes_test() ->
    ?eq({throw, t}, try throw(id(t)) catch C:R -> {C, R} end),
    ?eq({exit, e}, try exit(id(e)) catch C:R -> {C, R} end),
    ?eq({error, x}, try erlang:error(id(x)) catch C:R -> {C, R} end),
    ?eq(after_ran, try id(ok) after put(after_flag, after_ran) end =:= ok andalso get(after_flag)).

f(1) -> one.
g(X) -> case X of a -> 1 end.
h(X) -> if X > 10 -> big end.

error_terms_test() ->
    ?eq({badmatch, 2}, try 1 = id(2) catch error:R -> R end),
    ?eq(function_clause, try f(id(2)) catch error:R -> R end),
    ?eq({case_clause, b}, try g(id(b)) catch error:R -> R end),
    ?eq(if_clause, try h(id(1)) catch error:R -> R end),
    ?eq(badarith, try id(1) + a catch error:R -> R end),
    ?eq(badarg, try atom_to_list(id(1)) catch error:R -> R end),
    ?eq({badkey, k}, try #{} = M = id(#{}), maps:get(k, M) catch error:R -> R end),
    ?eq({badmap, 3}, try (id(3))#{a => 1} catch error:R -> R end),
    ?eq({try_clause, 5}, try (try id(5) of 4 -> four catch _:_ -> caught end) catch error:R -> R end).

catch_test() ->
    ?eq(t, catch throw(id(t))),
    ?eq({'EXIT', e}, catch exit(id(e))),
    {'EXIT', {badarith, Stack}} = (catch id(1) / 0),
    ?true(is_list(Stack)).

deep(0) -> erlang:error(deep_error);
deep(N) -> [deep(N - 1)].

stacktrace_test() ->
    try deep(id(3))
    catch error:deep_error:St ->
            [{exc_test, deep, 1, Info} | _] = St,
            ?eq("exc_test.erl", filename:basename(proplists:get_value(file, Info))),
            ?true(is_integer(proplists:get_value(line, Info)))
    end.

raise_test() ->
    St = [{m, f, 0, []}],
    ?eq({error, r, St}, try erlang:raise(error, r, St) catch C:R:S -> {C, R, S} end),
    %% OTP: a bad class makes raise/3 return badarg instead of raising.
    ?eq(badarg, erlang:raise(id(bad_class), r, St)).

nested_test() ->
    R = try
            try throw(inner)
            catch throw:inner -> erlang:error(outer)
            end
        catch error:outer -> recovered
        end,
    ?eq(recovered, R).

undef_test() ->
    ?eq({error, undef, [{no_such_module_xyz, f, [1], []}]},
        try (id(no_such_module_xyz)):f(1) catch C:Rs:St -> {C, Rs, lists:sublist(St, 1)} end).
