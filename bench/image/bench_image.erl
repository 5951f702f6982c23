%% bench_image: the process benchmarks inside the booted image (issue 4).
%% scripts/bench-image boots it with `-s bench_image main` at -smp 1 and
%% -smp 2 and reads the lines
%%     BENCH_IMAGE <figure> <value> <unit>
%% Times come from erlang:monotonic_time, which in the image is the guest's
%% TSC (calibrated at boot). Each figure is the best of ROUNDS repetitions.
%% Counts are smaller than on the host: QEMU TCG runs guest code ~10x slower.
-module(bench_image).
-export([main/0, million/0]).

-define(ROUNDS, 3).

main() ->
    Scheds = erlang:system_info(schedulers_online),
    out(schedulers, Scheds, "schedulers"),
    out(spawn_exit, best(fun spawn_exit/0), "us/spawn"),
    {SpawnUs, Bytes} = spawn_idle(),
    out(spawn_idle, SpawnUs, "us/spawn"),
    out(memory_per_process, Bytes, "bytes"),
    out(ring, -best(fun() -> -ring() end), "msgs/s"),
    Par = [parallel() || _ <- lists:seq(1, ?ROUNDS)],
    out(parallel, lists:min([Ms || {Ms, _} <- Par]), "ms"),
    out(parallel_scheds, lists:max([S || {_, S} <- Par]), "schedulers"),
    io:format("BENCH_IMAGE done~n"),
    halt(0).

out(Figure, V, Unit) when is_float(V) ->
    io:format("BENCH_IMAGE ~s ~s ~s~n", [Figure, float_to_list(V, [{decimals, 3}]), Unit]);
out(Figure, V, Unit) ->
    io:format("BENCH_IMAGE ~s ~w ~s~n", [Figure, V, Unit]).

best(F) -> lists:min([F() || _ <- lists:seq(1, ?ROUNDS)]).

now_us() -> erlang:monotonic_time(microsecond).

%% spawn-and-exit: a chain of 5000 processes, each spawns the next and
%% exits; µs per spawn.
spawn_exit() ->
    N = 5000,
    Parent = self(),
    T0 = now_us(),
    spawn(fun() -> chain(N - 1, Parent) end),
    receive chain_done -> ok end,
    (now_us() - T0) / N.

chain(0, Parent) -> Parent ! chain_done;
chain(N, Parent) -> spawn(fun() -> chain(N - 1, Parent) end), ok.

%% 2000 idle processes blocked in receive: µs per spawn (the spawn loop)
%% and bytes per process (erlang:memory(processes) delta once all wait,
%% less the measuring process's own growth).
%% Both the best of ROUNDS.
spawn_idle() ->
    Rs = [spawn_idle_once(2000) || _ <- lists:seq(1, ?ROUNDS)],
    {lists:min([U || {U, _} <- Rs]), lists:min([B || {_, B} <- Rs])}.

spawn_idle_once(N) ->
    garbage_collect(),
    receive after 50 -> ok end,
    M0 = erlang:memory(processes),
    {memory, S0} = process_info(self(), memory),
    T0 = now_us(),
    Pids = [spawn(fun idle/0) || _ <- lists:seq(1, N)],
    T1 = now_us(),
    all_waiting(Pids),
    M1 = erlang:memory(processes),
    {memory, S1} = process_info(self(), memory),
    Refs = [begin R = monitor(process, P), P ! stop, R end || P <- Pids],
    [receive {'DOWN', R, process, _, _} -> ok end || R <- Refs],
    %% the new processes alone: this process's own growth is taken out
    {(T1 - T0) / N, (M1 - M0 - (S1 - S0)) div N}.

idle() -> receive stop -> ok end.

all_waiting([]) -> ok;
all_waiting([P | Ps] = All) ->
    case erlang:process_info(P, status) of
        {status, waiting} -> all_waiting(Ps);
        _ -> erlang:yield(), all_waiting(All)
    end.

%% ring: 1000 processes, a token goes round 50 times; messages per second.
ring() ->
    Size = 1000, Rounds = 50,
    Self = self(),
    First = lists:foldl(fun(_, Next) -> spawn(fun() -> ring_node(Next) end) end,
                        Self, lists:seq(1, Size - 1)),
    T0 = now_us(),
    ring_drive(First, Rounds),
    T1 = now_us(),
    First ! stop,
    receive stop -> ok end,
    Size * Rounds * 1000000 div max(1, T1 - T0).

ring_drive(_First, 0) -> ok;
ring_drive(First, R) ->
    First ! token,
    receive token -> ring_drive(First, R - 1) end.

ring_node(Next) ->
    receive
        token -> Next ! token, ring_node(Next);
        stop -> Next ! stop
    end.

%% parallel: 4 independent CPU-bound processes, fib(27) each; wall time in
%% ms, and how many distinct schedulers the workers finished on (so a poor
%% speedup can be told apart from poor spreading). scripts/bench-image
%% divides the -smp 1 time by the -smp 2 time.
parallel() ->
    Self = self(),
    T0 = now_us(),
    Ps = [spawn(fun() -> F = fib(27), Self ! {par, self(), F, erlang:system_info(scheduler_id)} end)
          || _ <- lists:seq(1, 4)],
    Ids = [receive {par, P, 196418, Id} -> Id end || P <- Ps],
    {(now_us() - T0) / 1000, length(lists:usort(Ids))}.

fib(N) when N < 2 -> N;
fib(N) -> fib(N - 1) + fib(N - 2).

%% One million idle processes (issue 4: they must fit in a 4 GiB guest).
%% scripts/bench-image boots image-million.iso (`-s bench_image million`)
%% once with --mem 4G: spawn them, wait until none is runnable (each one
%% has run to its receive), report µs per spawn, bytes per process (the
%% erlang:memory(processes) delta less this process's own growth: its
%% 1M-element pid list) and the node's total memory, then stop them all
%% and report how many remain.
million() ->
    N = 1000000,
    garbage_collect(),
    M0 = erlang:memory(processes),
    {memory, S0} = process_info(self(), memory),
    T0 = now_us(),
    Pids = spawn_n(N, []),
    T1 = now_us(),
    settle(),
    M1 = erlang:memory(processes),
    {memory, S1} = process_info(self(), memory),
    out(million_processes, erlang:system_info(process_count), "processes"),
    out(million_spawn, (T1 - T0) / N, "us/spawn"),
    out(million_memory_per_process, (M1 - M0 - (S1 - S0)) div N, "bytes"),
    out(million_total_memory, erlang:memory(total) div (1024 * 1024), "MiB"),
    [P ! stop || P <- Pids],
    settle(),
    out(million_left, erlang:system_info(process_count), "processes"),
    io:format("BENCH_IMAGE done~n"),
    halt(0).

spawn_n(0, Acc) -> Acc;
spawn_n(K, Acc) -> spawn_n(K - 1, [spawn(fun idle/0) | Acc]).

%% Until every run queue is empty twice in a row, 20 ms apart.
settle() ->
    receive after 20 -> ok end,
    case erlang:statistics(total_run_queue_lengths) of
        0 -> receive after 20 -> ok end,
             case erlang:statistics(total_run_queue_lengths) of 0 -> ok; _ -> settle() end;
        _ -> settle()
    end.
