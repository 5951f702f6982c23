%% bench: the benchmark runner. Each benchmark runs once as a warm-up, then a
%% fixed number of times under erlang:monotonic_time(microsecond); the runner
%% prints one line
%%     BENCH <name> <microseconds per iteration> <check>
%% where <check> is a small term computed from the benchmark's result, so
%% scripts/bench can tell a wrong answer from a slow one, then one line
%%     BENCH_EXTRA <name> <figure> <value> <unit>
%% per figure the body recorded with extra/3 (bytes per process, µs per
%% spawn: the lowest value seen over all iterations), and halts(0).
%% The same .beam files run on stock erl and on beamos-host.
%%
%%   erl -noshell -pa build/bench -s bench main fib
%%   build/beamos-host -pa build/bench -s bench main fib
-module(bench).
-export([main/1, names/0, names/1, run/1, extra/3, timed/1, scaling/0]).

%% {Name, Iterations, Fun}: Fun() is one iteration; it returns the check term.
%% Two groups: `work` (single-process work and ETS; scripts/bench runs it
%% with default schedulers and +S 1) and `procs` (processes and messages;
%% run with +S 1 and +S 2 on both VMs).
benchmarks() -> work() ++ procs().

work() ->
    [{fib,      20, fun() -> bench_work:fib(27) end},
     {sort,      3, fun bench_work:sort/0},
     {map,       5, fun bench_work:map/0},
     {nbody,     1, fun bench_work:nbody/0},
     {bignum,   20, fun bench_work:bignum/0},
     {binary,    3, fun bench_work:binary/0},
     {maps,      5, fun bench_work:maps/0},
     %% ETS (bench/bench_ets.erl): 100k keys; _par = one process per scheduler
     {ets_set_insert,    5, fun() -> bench_ets:insert(set) end},
     {ets_oset_insert,   5, fun() -> bench_ets:insert(ordered_set) end},
     {ets_set_lookup,   10, fun() -> bench_ets:lookup({bench_ets_s, []}) end},
     {ets_oset_lookup,  10, fun() -> bench_ets:lookup({bench_ets_o, [ordered_set]}) end},
     {ets_set_lookup_par,    10, fun() -> bench_ets:lookup_par({bench_ets_sp, []}) end},
     {ets_set_lookup_par_rc, 10, fun() -> bench_ets:lookup_par({bench_ets_rc, [{read_concurrency, true}]}) end},
     {ets_oset_lookup_par,   10, fun() -> bench_ets:lookup_par({bench_ets_op, [ordered_set]}) end},
     {ets_oset_lookup_par_rc, 10, fun() -> bench_ets:lookup_par({bench_ets_orc, [ordered_set, {read_concurrency, true}]}) end},
     {ets_set_insert_par,     5, fun() -> bench_ets:insert_par(set, []) end},
     {ets_set_insert_par_wc,  5, fun() -> bench_ets:insert_par(set, [{write_concurrency, true}]) end},
     {ets_oset_insert_par,    5, fun() -> bench_ets:insert_par(ordered_set, []) end},
     {ets_oset_insert_par_wc, 5, fun() -> bench_ets:insert_par(ordered_set, [{write_concurrency, true}]) end},
     {ets_counter_par,        5, fun bench_ets:counter/0},
     {ets_select,             5, fun bench_ets:select/0}].

%% processes and messages (bench/bench_procs.erl, bench/bench_work.erl)
procs() ->
    [{spawn,             5, fun bench_work:spawn_exit/0},
     {spawn_exit,        5, fun bench_procs:spawn_exit/0},
     {spawn_idle,        5, fun bench_procs:spawn_idle/0},
     {ring,              3, fun bench_work:ring/0},
     {pingpong,          3, fun bench_work:pingpong/0},
     {fan_in,            5, fun bench_procs:fan_in/0},
     {selective_receive, 3, fun bench_procs:selective_receive/0},
     {binary_trees,      1, fun bench_procs:binary_trees/0},
     {large_message,     5, fun bench_procs:large_message/0},
     {parallel,          5, fun bench_procs:parallel/0}].

names() -> [N || {N, _, _} <- benchmarks()].

%% The work rows that run one process per scheduler, and what grows with
%% the scheduler count: per_scheduler (each process does the same work, so
%% the total grows) or fixed (the same total is split between them).
%% scripts/bench prints each one's rate at N schedulers against one.
scaling() ->
    [{ets_set_lookup_par, per_scheduler}, {ets_set_lookup_par_rc, per_scheduler},
     {ets_oset_lookup_par, per_scheduler}, {ets_oset_lookup_par_rc, per_scheduler},
     {ets_set_insert_par, fixed}, {ets_set_insert_par_wc, fixed},
     {ets_oset_insert_par, fixed}, {ets_oset_insert_par_wc, fixed},
     {ets_counter_par, per_scheduler}].

names(work) -> [N || {N, _, _} <- work()];
names(procs) -> [N || {N, _, _} <- procs()].

%% A body whose iteration includes set-up or clean-up that should not be
%% timed (sleeps, waiting for processes to die) reports the time of its
%% measured section with timed/1; the runner then uses the sum of those
%% instead of the wall time of the iterations.
timed(Us) ->
    put(bench_timed, Us + case get(bench_timed) of undefined -> 0; T -> T end),
    ok.

%% Records a second figure of the running benchmark (lower is better); the
%% runner keeps the lowest value over the warm-up and all iterations.
extra(Figure, Value, Unit) ->
    case get({bench_extra, Figure}) of
        {Old, _} when Old =< Value -> ok;
        _ -> put({bench_extra, Figure}, {Value, Unit})
    end,
    ok.

main([Name]) when is_atom(Name) ->
    main([atom_to_list(Name)]);
main([Name]) ->
    case lists:keyfind(list_to_atom(Name), 1, benchmarks()) of
        {N, Iters, F} ->
            {Us, Check, Extras} = run({N, Iters, F}),
            io:format("BENCH ~s ~w ~w~n", [N, Us, Check]),
            [io:format("BENCH_EXTRA ~s ~s ~s ~s~n", [N, Fig, fmt(V), U])
             || {Fig, V, U} <- lists:sort(Extras)],
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
    erase(bench_timed),
    T0 = erlang:monotonic_time(microsecond),
    Check = repeat(Iters, F, Check),
    T1 = erlang:monotonic_time(microsecond),
    Extras = [{Fig, V, U} || {{bench_extra, Fig}, {V, U}} <- get()],
    Us = case get(bench_timed) of undefined -> T1 - T0; T -> T end,
    {Us div Iters, Check, Extras}.

fmt(V) when is_integer(V) -> integer_to_list(V);
fmt(V) when is_float(V) -> float_to_list(V, [{decimals, 3}]).

repeat(0, _F, Last) -> Last;
repeat(N, F, _Last) -> repeat(N - 1, F, F()).
