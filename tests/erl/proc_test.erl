%% Processes: spawn, messages, selective receive, timeouts, links, monitors,
%% exit signals, registered names, the process dictionary, timers.
-module(proc_test).
-include("bt.hrl").
-export([spawn_send_test/0, selective_receive_test/0, after_test/0, endless_after_test/0,
         link_exit_test/0, trap_exit_test/0, monitor_test/0, noproc_test/0,
         kill_test/0, register_test/0, dictionary_test/0, timer_test/0,
         many_processes_test/0, order_test/0, process_info_test/0,
         alias_test/0, gen_server_test/0, big_dictionary_test/0]).
%% gen_server callbacks (gen_server_test/0)
-export([init/1, handle_call/3, handle_cast/2, handle_info/2]).

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

%% `receive after T` with T = infinity (or a huge integer) in a register:
%% every wake-up (a message that does not match) runs the wait again,
%% when the register no longer holds T. timer:sleep/1 is such a receive.
endless_after_test() ->
    Sleepers = [spawn(fun() -> timer:sleep(T) end) || T <- [infinity, 1 bsl 70]],
    Waiter = spawn(fun() -> wait_for(stop, id(infinity)) end),
    All = Sleepers ++ [Waiter],
    [begin bt:settle(P), P ! junk, bt:settle(P), P ! more_junk, bt:settle(P) end || P <- All],
    ?eq([{status, waiting}, {messages, [junk, more_junk]}],
        process_info(Waiter, [status, messages])),
    [?eq({status, waiting}, process_info(P, status)) || P <- Sleepers],
    Ref = monitor(process, Waiter),
    Waiter ! stop,
    ?eq(normal, receive {'DOWN', Ref, _, _, R} -> R after 5000 -> timeout end),
    [exit(P, kill) || P <- Sleepers].

wait_for(Msg, T) -> receive Msg -> ok after T -> timeout end.
id(X) -> X.

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

%% ---- process aliases (OTP 24+): alias/0,1, unalias/1, monitor/3 ----

%% A process that sends Msg to To on request, then acknowledges to Ack, so
%% whatever it sent through an alias has arrived (or been dropped) by then.
relay() ->
    receive
        {send, To, Msg, Ack} -> To ! Msg, Ack ! {relayed, self()}, relay();
        stop -> ok
    end.

relay_send(R, To, Msg) ->
    R ! {send, To, Msg, self()},
    receive {relayed, R} -> ok after 5000 -> timeout end.

next_msg() -> receive M -> M after 0 -> none end.

alias_test() ->
    R = spawn(fun relay/0),
    %% explicit_unalias (the default): active until unalias/1
    A = alias(),
    ?true(is_reference(A)),
    ok = relay_send(R, A, one),
    ok = relay_send(R, A, two),
    ?eq(one, next_msg()),
    ?eq(two, next_msg()),
    A ! to_self,
    ?eq(to_self, next_msg()),
    ?eq(true, unalias(A)),
    ?eq(false, unalias(A)),
    ok = relay_send(R, A, dropped),
    A ! dropped,
    erlang:send(A, dropped),
    ?eq(none, next_msg()),
    %% reply: the first message through it deactivates it
    B = alias([reply]),
    ok = relay_send(R, B, first),
    ok = relay_send(R, B, second),
    ?eq(first, next_msg()),
    ?eq(none, next_msg()),
    ?eq(false, unalias(B)),
    ?eq(true, unalias(alias([explicit_unalias]))),
    %% a plain reference is a valid destination; the message goes nowhere
    ?eq(x, make_ref() ! x),
    ok = relay_send(R, make_ref(), nowhere),
    ?eq(none, next_msg()),
    ?raises(error, badarg, alias([bogus])),
    ?raises(error, badarg, alias(notalist)),
    ?raises(error, badarg, unalias(self())),
    %% monitor aliases, {alias, demonitor}: until demonitor
    M1 = monitor(process, R, [{alias, demonitor}]),
    ok = relay_send(R, M1, {M1, reply}),
    ?eq({M1, reply}, next_msg()),
    ?eq(true, demonitor(M1)),
    ok = relay_send(R, M1, late),
    ?eq(none, next_msg()),
    ?eq(false, unalias(M1)),
    %% {alias, explicit_unalias}: demonitor leaves the alias active
    M2 = monitor(process, R, [{alias, explicit_unalias}]),
    ?eq(true, demonitor(M2)),
    ok = relay_send(R, M2, still),
    ?eq(still, next_msg()),
    ?eq(true, unalias(M2)),
    %% {alias, reply_demonitor}: the first reply removes alias and monitor
    M3 = monitor(process, R, [{alias, reply_demonitor}]),
    ok = relay_send(R, M3, r1),
    ok = relay_send(R, M3, r2),
    ?eq(r1, next_msg()),
    ?eq(none, next_msg()),
    ?eq(false, demonitor(M3, [info])),
    %% {tag, T}: the DOWN message carries T; a demonitor alias dies with it
    M4 = monitor(process, R, [{alias, demonitor}, {tag, {my, tag}}]),
    M5 = monitor(process, R, [{tag, down2}]),
    M6 = monitor(process, R, []),
    R ! stop,
    ?eq({{my, tag}, M4, process, R, normal}, receive {{my, tag}, M4, _, _, _} = D4 -> D4 after 5000 -> timeout end),
    ?eq({down2, M5, process, R, normal}, receive {down2, M5, _, _, _} = D5 -> D5 after 5000 -> timeout end),
    ?eq({'DOWN', M6, process, R, normal}, receive {'DOWN', M6, _, _, _} = D6 -> D6 after 5000 -> timeout end),
    ?eq(false, unalias(M4)),
    M4 ! after_down,
    ?eq(none, next_msg()),
    %% noproc DOWN is tagged too
    M7 = monitor(process, R, [{tag, gone}]),
    ?eq({gone, M7, process, R, noproc}, receive {gone, M7, _, _, _} = D7 -> D7 after 5000 -> timeout end),
    %% demonitor flush removes a tagged DOWN
    M8 = monitor(process, R, [{tag, flushed}]),
    timer_sleep(10),
    ?eq(true, demonitor(M8, [flush])),
    ?eq(none, next_msg()),
    ?raises(error, badarg, monitor(process, self(), [bogus])),
    ?raises(error, badarg, monitor(process, self(), [{alias, bogus}])),
    ?raises(error, badarg, monitor(process, self(), {tag, x})).

%% ---- gen_server (gen:do_call uses monitor/3 aliases) ----

init(N) -> {ok, N}.

handle_call(get, _From, N) -> {reply, N, N};
handle_call({add, K}, _From, N) -> {reply, ok, N + K};
handle_call({sleep, Ms}, _From, N) -> timer_sleep(Ms), {reply, slept, N};
handle_call({later, Ms}, From, N) ->
    spawn(fun() -> timer_sleep(Ms), gen_server:reply(From, later) end),
    {noreply, N}.

handle_cast({set, V}, _N) -> {noreply, V}.

handle_info(_, N) -> {noreply, N}.

exit_reason(F) ->
    try F() of V -> {returned, V} catch exit:{Reason, _} -> Reason end.

gen_server_test() ->
    {ok, P} = gen_server:start_link(?MODULE, 10, []),
    ?eq(ok, gen_server:call(P, {add, 5})),
    ?eq(15, gen_server:call(P, get)),
    ok = gen_server:cast(P, {set, 42}),
    ?eq(42, gen_server:call(P, get)),
    ?eq(later, gen_server:call(P, {later, 10})),
    %% a reply that comes after the timeout is dropped (the alias is gone)
    ?eq(timeout, exit_reason(fun() -> gen_server:call(P, {sleep, 100}, 10) end)),
    timer_sleep(200),
    ?eq(none, next_msg()),
    ?eq(42, gen_server:call(P, get)),
    ?eq(ok, gen_server:stop(P)),
    ?eq(noproc, exit_reason(fun() -> gen_server:call(P, get) end)),
    ?eq(none, next_msg()).

%% A dictionary of many keys of every kind: put returns the old value,
%% erase removes, get/0, get_keys/0,1 and process_info(dictionary) agree.
big_dictionary_test() ->
    N = case bt:gc_stress() of true -> 2000; false -> 100000 end,
    Keys = lists:seq(1, N) ++ [a, "str", <<"bin">>, {t, 1}, 1.0, [1 | 2], self(), make_ref()],
    [?eq(undefined, put(K, {v, K})) || K <- Keys],
    ?eq({v, 1.0}, get(1.0)),
    ?eq({v, 1}, get(1)),                       % 1 and 1.0 are different keys
    ?eq({v, 5}, put(5, five)),
    ?eq(five, get(5)),
    ?eq(length(Keys), length(get())),
    ?eq(lists:sort(Keys), lists:sort(get_keys())),
    ?eq([5], get_keys(five)),
    ?eq({v, "str"}, erase("str")),
    ?eq(undefined, erase("str")),
    ?eq(undefined, get("str")),
    [erase(K) || K <- lists:seq(1, N, 2)],
    ?eq(length(Keys) - 1 - (N + 1) div 2, length(get())),
    {dictionary, D} = process_info(self(), dictionary),
    ?eq(lists:sort(get()), lists:sort(D)),
    All = erase(),
    ?eq(length(D), length(All)),
    ?eq([], get()),
    ?eq(undefined, get(2)).
