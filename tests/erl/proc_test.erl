%% Processes: spawn, messages, selective receive, timeouts, links, monitors,
%% exit signals, registered names, the process dictionary, timers.
-module(proc_test).
-include("bt.hrl").
-export([spawn_send_test/0, selective_receive_test/0, after_test/0,
         link_exit_test/0, trap_exit_test/0, monitor_test/0, noproc_test/0,
         kill_test/0, register_test/0, dictionary_test/0, timer_test/0,
         many_processes_test/0, order_test/0, process_info_test/0]).

echo() ->
    receive
        {From, Msg} -> From ! {self(), Msg}, echo();
        stop -> ok
    end.

spawn_send_test() ->
    P = spawn(fun echo/0),
    P ! {self(), hello},
    ?eq(hello, receive {P, M} -> M after 5000 -> timeout end),
    P ! stop.

selective_receive_test() ->
    self() ! a, self() ! b, self() ! c,
    ?eq(b, receive b -> b after 0 -> none end),
    ?eq([a, c], [receive X -> X after 0 -> none end || _ <- [1, 2]]),
    Ref = make_ref(),
    self() ! other,
    self() ! {Ref, reply},
    ?eq(reply, receive {Ref, R} -> R after 1000 -> timeout end),
    ?eq(other, receive Y -> Y after 0 -> none end).

after_test() ->
    T0 = erlang:monotonic_time(millisecond),
    ?eq(timeout, receive never -> got after 50 -> timeout end),
    ?true(erlang:monotonic_time(millisecond) - T0 >= 50).

link_exit_test() ->
    process_flag(trap_exit, true),
    P = spawn_link(fun() -> exit(boom) end),
    ?eq({'EXIT', P, boom}, receive {'EXIT', P, _} = E -> E after 5000 -> timeout end).

trap_exit_test() ->
    process_flag(trap_exit, true),
    P = spawn_link(fun() -> receive _ -> ok end end),
    exit(P, normal),                       % ignored: P does not trap exits
    ?eq(true, is_process_alive(P)),
    exit(P, shutdown),
    ?eq({'EXIT', P, shutdown}, receive {'EXIT', P, _} = E -> E after 5000 -> timeout end),
    ?eq(false, is_process_alive(P)).

monitor_test() ->
    {P, Ref} = spawn_monitor(fun() -> erlang:error(oops) end),
    receive
        {'DOWN', Ref, process, P, {oops, Stack}} -> ?true(is_list(Stack))
    after 5000 -> erlang:error(no_down)
    end,
    Q = spawn(fun() -> receive _ -> ok end end),
    R2 = monitor(process, Q),
    ?eq(true, demonitor(R2, [flush])),
    exit(Q, kill).

noproc_test() ->
    P = spawn(fun() -> ok end),
    Ref0 = monitor(process, P),
    receive {'DOWN', Ref0, process, P, _} -> ok after 5000 -> erlang:error(no_down) end,
    Ref = monitor(process, P),
    ?eq({'DOWN', Ref, process, P, noproc}, receive {'DOWN', Ref, _, _, _} = D -> D after 5000 -> timeout end),
    process_flag(trap_exit, true),
    link(P),
    ?eq({'EXIT', P, noproc}, receive {'EXIT', P, _} = E -> E after 5000 -> timeout end).

kill_test() ->
    process_flag(trap_exit, true),
    P = spawn_link(fun() -> process_flag(trap_exit, true), receive _ -> ok end end),
    exit(P, kill),
    ?eq({'EXIT', P, killed}, receive {'EXIT', P, _} = E -> E after 5000 -> timeout end).

register_test() ->
    P = spawn(fun echo/0),
    true = register(bt_echo, P),
    ?eq(P, whereis(bt_echo)),
    ?true(lists:member(bt_echo, registered())),
    bt_echo ! {self(), via_name},
    ?eq(via_name, receive {P, M} -> M after 5000 -> timeout end),
    ?raises(error, badarg, register(bt_echo, self())),
    ?raises(error, badarg, no_such_name_here ! x),
    true = unregister(bt_echo),
    ?eq(undefined, whereis(bt_echo)),
    P ! stop.

dictionary_test() ->
    ?eq(undefined, put(k, 1)),
    ?eq(1, put(k, 2)),
    ?eq(2, get(k)),
    ?eq([k], get_keys()),
    ?eq(2, erase(k)),
    ?eq(undefined, get(k)).

timer_test() ->
    erlang:send_after(30, self(), tick),
    ?eq(tick, receive tick -> tick after 5000 -> timeout end),
    Ref = erlang:start_timer(10000, self(), never),
    ?true(is_integer(erlang:cancel_timer(Ref))),
    ?eq(false, erlang:cancel_timer(Ref)),
    Ref2 = erlang:start_timer(20, self(), hi),
    ?eq({timeout, Ref2, hi}, receive {timeout, Ref2, _} = T -> T after 5000 -> timeout end).

many_processes_test() ->
    Self = self(),
    N = 10000,
    Pids = [spawn(fun() -> Self ! {done, I} end) || I <- lists:seq(1, N)],
    ?eq(N, length(Pids)),
    Sum = lists:sum([receive {done, I} -> I after 10000 -> 0 end || _ <- Pids]),
    ?eq(N * (N + 1) div 2, Sum).

order_test() ->
    Self = self(),
    Senders = [spawn(fun() -> [Self ! {S, I} || I <- lists:seq(1, 1000)] end) || S <- lists:seq(1, 8)],
    ?eq(8, length(Senders)),
    Got = [receive {S, I} -> {S, I} after 10000 -> timeout end || _ <- lists:seq(1, 8000)],
    lists:foreach(fun(S) ->
                          Seq = [I || {S1, I} <- Got, S1 =:= S],
                          ?eq(lists:seq(1, 1000), Seq)
                  end, lists:seq(1, 8)).

process_info_test() ->
    P = spawn(fun() -> receive go_away -> ok end end),
    P ! one, P ! two,
    timer_sleep(20),
    ?eq({message_queue_len, 2}, process_info(P, message_queue_len)),
    ?eq({messages, [one, two]}, process_info(P, messages)),
    ?eq({status, waiting}, process_info(P, status)),
    ?eq({trap_exit, false}, process_info(P, trap_exit)),
    {memory, M} = process_info(P, memory),
    ?true(M > 0),
    exit(P, kill),
    timer_sleep(10),
    ?eq(undefined, process_info(P, status)).

timer_sleep(Ms) -> receive after Ms -> ok end.
