%% bench: the benchmark runner. Each benchmark runs once as a warm-up, then a
%% fixed number of times under erlang:monotonic_time(microsecond); the runner
%% prints one line
%%     BENCH <name> <microseconds per iteration> <check>
%% where <check> is a small term computed from the benchmark's result, so
%% scripts/bench can tell a wrong answer from a slow one, and halts(0).
%% The same .beam files run on stock erl and on beamos-host.
%%
%%   erl -noshell -pa build/bench -s bench main fib
%%   build/beamos-host -pa build/bench -s bench main fib
-module(bench).
-export([main/1, names/0, run/1]).

%% {Name, Iterations, Fun}: Fun() is one iteration; it returns the check term.
benchmarks() ->
    [{fib,      20, fun() -> bench_work:fib(27) end},
     {sort,      3, fun bench_work:sort/0},
     {map,       5, fun bench_work:map/0},
     {nbody,     1, fun bench_work:nbody/0},
     {bignum,   20, fun bench_work:bignum/0},
     {binary,    3, fun bench_work:binary/0},
     {maps,      5, fun bench_work:maps/0},
     {spawn,     5, fun bench_work:spawn_exit/0},
     {ring,      3, fun bench_work:ring/0},
     {pingpong,  3, fun bench_work:pingpong/0},
     %% ETS (bench/bench_ets.erl): 100k keys; _par = one process per scheduler
     {ets_set_insert,    5, fun() -> bench_ets:insert(set) end},
     {ets_oset_insert,   5, fun() -> bench_ets:insert(ordered_set) end},
     {ets_set_lookup,   10, fun() -> bench_ets:lookup({bench_ets_s, []}) end},
     {ets_oset_lookup,  10, fun() -> bench_ets:lookup({bench_ets_o, [ordered_set]}) end},
     {ets_set_lookup_par,    10, fun() -> bench_ets:lookup_par({bench_ets_sp, []}) end},
     {ets_set_lookup_par_rc, 10, fun() -> bench_ets:lookup_par({bench_ets_rc, [{read_concurrency, true}]}) end},
     {ets_oset_lookup_par_rc, 10, fun() -> bench_ets:lookup_par({bench_ets_orc, [ordered_set, {read_concurrency, true}]}) end},
     {ets_set_insert_par,     5, fun() -> bench_ets:insert_par([]) end},
     {ets_set_insert_par_wc,  5, fun() -> bench_ets:insert_par([{write_concurrency, true}]) end},
     {ets_counter_par,        5, fun bench_ets:counter/0},
     {ets_select,             5, fun bench_ets:select/0}].

names() -> [N || {N, _, _} <- benchmarks()].

main([Name]) when is_atom(Name) ->
    main([atom_to_list(Name)]);
main([Name]) ->
    case lists:keyfind(list_to_atom(Name), 1, benchmarks()) of
        {N, Iters, F} ->
            {Us, Check} = run({N, Iters, F}),
            io:format("BENCH ~s ~w ~w~n", [N, Us, Check]),
            halt(0);
        false ->
            io:format("BENCH ~s unknown~n", [Name]),
            halt(2)
    end;
main(_) ->
    io:format("usage: -s bench main NAME   (one of ~w)~n", [names()]),
    halt(2).

%% Runs in a fresh process so every benchmark starts with a small heap and
%% an empty mailbox, whatever the shell or init left behind.
run({_N, Iters, F}) ->
    Parent = self(),
    {Pid, Ref} = spawn_monitor(fun() -> Parent ! {self(), measure(Iters, F)} end),
    receive
        {Pid, Result} ->
            receive {'DOWN', Ref, process, Pid, _} -> ok end,
            Result;
        {'DOWN', Ref, process, Pid, Why} ->
            io:format("BENCH crashed ~p~n", [Why]),
            halt(3)
    end.

measure(Iters, F) ->
    Check = F(),                                    % warm-up
    T0 = erlang:monotonic_time(microsecond),
    Check = repeat(Iters, F, Check),
    T1 = erlang:monotonic_time(microsecond),
    {(T1 - T0) div Iters, Check}.

repeat(0, _F, Last) -> Last;
repeat(N, F, _Last) -> repeat(N - 1, F, F()).
