%% bench_procs: process and message benchmarks (issue 4), run by bench.erl
%% in the `procs` group, which scripts/bench runs on erl and beamos-host with
%% +S 1 and +S 2. Each body returns a check term that must equal erl's;
%% figures other than the time (bytes per process, µs per spawn) are
%% recorded with bench:extra/3 and printed as BENCH_EXTRA lines.
-module(bench_procs).
-export([spawn_exit/0, spawn_idle/0, fan_in/0, selective_receive/0,
         binary_trees/0, large_message/0, parallel/0]).

%% spawn-and-exit rate: a chain of 20k processes, each spawns the next and
%% exits; the last one tells the parent. No monitor, no link: only spawn,
%% the first schedule and exit/reclamation.
spawn_exit() ->
    N = 20000,
    Parent = self(),
    T0 = erlang:monotonic_time(nanosecond),
    spawn(fun() -> chain(N - 1, Parent) end),
    receive {chain_done, K} -> ok end,
    T1 = erlang:monotonic_time(nanosecond),
    bench:extra(us_per_spawn, (T1 - T0) / 1000 / N, "us"),
    K.

chain(0, Parent) -> Parent ! {chain_done, 1};
chain(N, Parent) -> spawn(fun() -> chain(N - 1, Parent) end), ok.

%% spawn of idle processes: 10k processes blocked in receive. The time is
%% that of the spawn loop alone (bench:timed/1), also recorded as µs per
%% spawn; bytes per process come from the erlang:memory(processes) delta
%% once all of them wait in receive; then they are stopped.
spawn_idle() ->
    N = 10000,
    settle(),
    M0 = erlang:memory(processes),
    {memory, S0} = process_info(self(), memory),
    T0 = erlang:monotonic_time(nanosecond),
    Pids = spawn_idle(N, []),
    T1 = erlang:monotonic_time(nanosecond),
    bench:timed((T1 - T0) div 1000),
    all_waiting(Pids),
    M1 = erlang:memory(processes),
    {memory, S1} = process_info(self(), memory),
    bench:extra(us_per_spawn, (T1 - T0) / 1000 / N, "us"),
    %% the new processes alone: this process's own growth (the pid list,
    %% the replies all_waiting/1 received) is taken out
    bench:extra(bytes_per_process, (M1 - M0 - (S1 - S0)) div N, "bytes"),
    stop_all(Pids),
    length(Pids).

spawn_idle(0, Acc) -> Acc;
spawn_idle(N, Acc) -> spawn_idle(N - 1, [spawn(fun idle/0) | Acc]).

idle() -> receive stop -> ok end.

%% Let the previous iteration's dead processes be freed (erl frees them
%% only after its schedulers pass a thread-progress point) and shrink this
%% process's heap, so the memory delta is the new processes' alone.
settle() ->
    garbage_collect(),
    receive after 100 -> ok end,
    garbage_collect().

%% Wait until every process has run into its receive, so the memory figure
%% is that of an idle process, not of one still queued to start.
all_waiting([]) -> ok;
all_waiting([P | Ps] = All) ->
    case erlang:process_info(P, status) of
        {status, waiting} -> all_waiting(Ps);
        _ -> erlang:yield(), all_waiting(All)
    end.

stop_all(Pids) ->
    Refs = [begin R = monitor(process, P), P ! stop, R end || P <- Pids],
    [receive {'DOWN', R, process, _, _} -> ok end || R <- Refs],
    ok.

%% fan-in: 100 senders each send 1000 messages to one receiver (this
%% process), which sums them.
fan_in() ->
    Senders = 100, PerSender = 1000,
    Self = self(),
    [spawn(fun() -> fan_send(Self, S, PerSender) end) || S <- lists:seq(1, Senders)],
    fan_recv(Senders * PerSender, 0).

fan_send(_To, _S, 0) -> ok;
fan_send(To, S, K) -> To ! {msg, S, K}, fan_send(To, S, K - 1).

fan_recv(0, Sum) -> Sum;
fan_recv(N, Sum) -> receive {msg, S, K} -> fan_recv(N - 1, Sum + S * K) end.

%% selective receive: 10k non-matching messages stay in the mailbox; 500
%% times a message is sent to self and received by a pattern that matches
%% only it, so every receive skips all 10k (no reference: the receive
%% marker cannot help). 5M message skips per iteration.
selective_receive() ->
    Junk = 10000, Rounds = 500,
    Self = self(),
    [Self ! {junk, I} || I <- lists:seq(1, Junk)],
    Sum = sel_rounds(Rounds, 0),
    Flushed = sel_flush(0),
    {Sum, Flushed}.

sel_rounds(0, Acc) -> Acc;
sel_rounds(K, Acc) ->
    self() ! {wanted, K},
    receive {wanted, K} -> sel_rounds(K - 1, Acc + K) end.

sel_flush(N) ->
    receive {junk, _} -> sel_flush(N + 1) after 0 -> N end.

%% binary_trees (GC-heavy): the Benchmarks Game workload at depth 16.
%% A stretch tree of depth 17, a long-lived tree of depth 16, and for each
%% depth D = 4, 6, ..., 16 a worker process that builds and walks
%% 2^(16 - D + 4) trees of depth D, so +S 2 can run workers in parallel.
binary_trees() ->
    Max = 16, Min = 4,
    Stretch = bt_check(bt_make(Max + 1)),
    LongLived = bt_make(Max),
    Self = self(),
    Depths = lists:seq(Min, Max, 2),
    Workers = [spawn(fun() -> Self ! {bt, D, bt_iterate(1 bsl (Max - D + Min), D, 0)} end)
               || D <- Depths],
    Results = [receive {bt, D, C} -> {D, C} end || D <- Depths],
    length(Workers) =:= length(Depths) orelse error(workers),
    {Stretch, bt_check(LongLived), Results}.

bt_make(0) -> {nil, nil};
bt_make(D) -> {bt_make(D - 1), bt_make(D - 1)}.

bt_check({nil, nil}) -> 1;
bt_check({L, R}) -> 1 + bt_check(L) + bt_check(R).

bt_iterate(0, _D, Acc) -> Acc;
bt_iterate(N, D, Acc) -> bt_iterate(N - 1, D, Acc + bt_check(bt_make(D))).

%% large message: a deep ~1 MB term (a list of 6000 {K, [8 integers],
%% {K, float}} tuples: lists and tuples, no binary) sent to an echo
%% process and back, 10 round trips; each send copies the whole term.
large_message() ->
    Term = [{K, lists:seq(K, K + 7), {K, K / 2}} || K <- lists:seq(1, 6000)],
    Echo = spawn(fun echo/0),
    Back = lm_rounds(10, Echo, Term),
    Echo ! stop,
    lm_sum(Back, 0).

lm_rounds(0, _Echo, T) -> T;
lm_rounds(N, Echo, T) ->
    Echo ! {self(), T},
    receive {echo, T1} -> lm_rounds(N - 1, Echo, T1) end.

echo() ->
    receive
        {From, T} -> From ! {echo, T}, echo();
        stop -> ok
    end.

lm_sum([], Acc) -> Acc;
lm_sum([{K, L, {K, F}} | T], Acc) -> lm_sum(T, Acc + K + lists:sum(L) + round(F * 2)).

%% parallel: 4 independent CPU-bound processes (fib(27) each). With +S 2
%% the time should halve; speedup = time(+S 1) / time(+S 2).
parallel() ->
    Self = self(),
    Ps = [spawn(fun() -> Self ! {par, I, fib(27)} end) || I <- lists:seq(1, 4)],
    lists:sum([receive {par, I, F} -> F end || {I, _} <- lists:zip(lists:seq(1, 4), Ps)]).

fib(N) when N < 2 -> N;
fib(N) -> fib(N - 1) + fib(N - 2).
