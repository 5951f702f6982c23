%% erlang:suspend_process/1,2 and resume_process/1. Runs on stock erl too.
-module(suspend_test).
-include("bt.hrl").
-export([stops_running_test/0, messages_wait_test/0, counts_test/0,
         unless_suspending_test/0, asynchronous_test/0, kill_suspended_test/0,
         suspender_exit_test/0, bad_arguments_test/0]).

%% A process that counts as fast as it can.
counter() ->
    C = counters:new(1, []),
    P = spawn(fun() -> count(C) end),
    {P, C}.
count(C) -> counters:add(C, 1, 1), count(C).

progress(C) ->
    A = counters:get(C, 1),
    timer:sleep(30),
    counters:get(C, 1) - A.

stops_running_test() ->
    {P, C} = counter(),
    ?true(progress(C) > 0),
    ?eq(true, erlang:suspend_process(P)),
    ?eq({status, suspended}, process_info(P, status)),
    ?eq(0, progress(C)),
    ?eq(true, erlang:resume_process(P)),
    ?true(progress(C) > 0),
    exit(P, kill).

messages_wait_test() ->
    Me = self(),
    P = spawn(fun Echo() -> receive M -> Me ! {echo, M}, Echo() end end),
    ?eq(true, erlang:suspend_process(P)),
    P ! one, P ! two,
    ?eq(none, receive {echo, _} -> got after 50 -> none end),
    ?eq([{status, suspended}, {message_queue_len, 2}], process_info(P, [status, message_queue_len])),
    ?eq(true, erlang:resume_process(P)),
    ?eq([one, two], [receive {echo, M} -> M after 5000 -> timeout end || _ <- [1, 2]]),
    bt:settle(P),
    exit(P, kill).

%% Suspensions nest; each resume ends one, and only the suspender's own.
counts_test() ->
    {P, C} = counter(),
    ?eq(true, erlang:suspend_process(P)),
    ?eq(true, erlang:suspend_process(P)),
    ?eq(true, erlang:resume_process(P)),
    ?eq(0, progress(C)),
    ?eq({status, suspended}, process_info(P, status)),
    ?eq(true, erlang:resume_process(P)),
    ?true(progress(C) > 0),
    ?raises(error, badarg, erlang:resume_process(P)),
    exit(P, kill).

unless_suspending_test() ->
    {P, C} = counter(),
    ?eq(true, erlang:suspend_process(P, [unless_suspending])),
    ?eq(false, erlang:suspend_process(P, [unless_suspending])),
    ?eq(false, erlang:suspend_process(P, [unless_suspending, asynchronous])),
    ?eq(true, erlang:resume_process(P)),      % one suspension only
    ?true(progress(C) > 0),
    exit(P, kill).

asynchronous_test() ->
    {P, C} = counter(),
    ?eq(true, erlang:suspend_process(P, [{asynchronous, tag1}])),
    ?eq({tag1, suspended}, receive {tag1, _} = M -> M after 5000 -> timeout end),
    ?eq(0, progress(C)),
    ?eq(true, erlang:suspend_process(P, [asynchronous])),
    ?eq(true, erlang:resume_process(P)),
    ?eq(true, erlang:resume_process(P)),
    ?true(progress(C) > 0),
    exit(P, kill).

kill_suspended_test() ->
    {P, _} = counter(),
    Ref = monitor(process, P),
    ?eq(true, erlang:suspend_process(P)),
    exit(P, kill),
    ?eq(killed, receive {'DOWN', Ref, process, P, R} -> R after 5000 -> timeout end),
    ?raises(error, badarg, erlang:resume_process(P)).

%% A suspender's suspensions end when it exits.
suspender_exit_test() ->
    {P, C} = counter(),
    Me = self(),
    S = spawn(fun() ->
                  true = erlang:suspend_process(P),
                  true = erlang:suspend_process(P),
                  Me ! suspended
              end),
    ?eq(suspended, receive suspended -> suspended after 5000 -> timeout end),
    Ref = monitor(process, S),
    receive {'DOWN', Ref, _, _, _} -> ok after 5000 -> error(suspender_alive) end,
    ?true(lists:any(fun(_) -> timer:sleep(10), progress(C) > 0 end, lists:seq(1, 100))),
    exit(P, kill).

bad_arguments_test() ->
    Dead = spawn(fun() -> ok end),
    Ref = monitor(process, Dead),
    receive {'DOWN', Ref, _, _, _} -> ok end,
    ?raises(error, badarg, erlang:suspend_process(self())),
    ?raises(error, badarg, erlang:suspend_process(not_a_pid)),
    ?raises(error, badarg, erlang:suspend_process(Dead)),
    ?eq(true, erlang:suspend_process(Dead, [asynchronous])),
    ?eq(true, erlang:suspend_process(Dead, [{asynchronous, dead_tag}])),
    ?eq({dead_tag, badarg}, receive {dead_tag, _} = M -> M after 5000 -> timeout end),
    P = spawn(fun() -> receive stop -> ok end end),
    ?raises(error, badarg, erlang:suspend_process(P, [bogus])),
    ?raises(error, badarg, erlang:suspend_process(P, improper)),
    ?raises(error, badarg, erlang:resume_process(P)),
    ?raises(error, badarg, erlang:resume_process(self())),
    P ! stop.
