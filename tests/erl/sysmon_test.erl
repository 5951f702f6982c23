%% erlang:system_monitor/0,1,2: the settings as OTP keeps and reports
%% them, and the long_gc / large_heap messages. Expected values are stock
%% erl 25's; the module also runs there. Every test turns monitoring off
%% when it ends.
-module(sysmon_test).
-include("bt.hrl").
-export([settings_test/0, badarg_test/0, large_heap_test/0, long_gc_test/0,
         monitor_exit_test/0]).

-define(SIZES, [old_heap_block_size, heap_block_size, mbuf_size, stack_size,
                old_heap_size, heap_size]).

settings_test() ->
    Me = self(),
    erlang:system_monitor(undefined),
    ?eq(undefined, erlang:system_monitor()),
    ?eq(undefined, erlang:system_monitor(Me, [{long_gc, 0}])),
    ?eq({Me, [{long_gc, 1}]}, erlang:system_monitor()),
    ?eq({Me, [{long_gc, 1}]},
        erlang:system_monitor(Me, [{large_heap, 0}, busy_port, {long_schedule, 5}, {long_gc, 1},
                                   busy_dist_port, {large_heap, 100}])),
    ?eq({Me, [busy_dist_port, busy_port, {large_heap, 16384}, {long_schedule, 5}, {long_gc, 1}]},
        erlang:system_monitor()),
    ?eq({Me, [{large_heap, 20000}]}, set_get([{large_heap, 20000}])),
    ?eq({Me, [{long_gc, 7}]}, set_get([{long_gc, 5}, {long_gc, 7}])),
    ?eq({Me, [{long_schedule, 1 bsl 60}]}, set_get([{long_schedule, 1 bsl 60}])),
    ?eq({Me, [busy_port]}, set_get([busy_port, busy_port])),
    %% [] turns monitoring off whatever the pid
    ?eq({Me, [busy_port]}, erlang:system_monitor(not_a_pid, [])),
    ?eq(undefined, erlang:system_monitor()),
    ?eq(undefined, erlang:system_monitor({Me, [{large_heap, 1000}]})),
    ?eq({Me, [{large_heap, 16384}]}, erlang:system_monitor(undefined)),
    ?eq(undefined, erlang:system_monitor()).

set_get(Opts) ->
    erlang:system_monitor(self(), Opts),
    erlang:system_monitor().

badarg_test() ->
    Me = self(),
    erlang:system_monitor(Me, [{long_gc, 9}]),
    Dead = spawn(fun() -> ok end),
    Ref = monitor(process, Dead),
    receive {'DOWN', Ref, _, _, _} -> ok end,
    [?raises(error, badarg, erlang:system_monitor(Me, Bad))
     || Bad <- [foo, [foo], [{long_gc, -1}], [{long_gc, 1.0}], [{large_heap, a}],
                [busy_port | foo], [{long_gc, 1 bsl 70}], [{long_message_queue, {10, 20}}],
                [{long_gc, 1, 2}]]],
    ?raises(error, badarg, erlang:system_monitor(Dead, [{long_gc, 1}])),
    ?raises(error, badarg, erlang:system_monitor(foo, [{long_gc, 1}])),
    ?raises(error, badarg, erlang:system_monitor(foo)),
    ?raises(error, badarg, erlang:system_monitor({Me, [x]})),
    %% nothing changed
    ?eq({Me, [{long_gc, 9}]}, erlang:system_monitor(undefined)).

large_heap_test() ->
    flush(),
    erlang:system_monitor(self(), [{large_heap, 100000}]),
    %% one allocation, so the GC_STRESS build (a collection at every
    %% allocation) runs this as fast as the others
    P = spawn(fun() -> T = erlang:make_tuple(200000, x), erlang:garbage_collect(), tuple_size(T) end),
    Msgs = collect(P, large_heap),
    erlang:system_monitor(undefined),
    ?true(Msgs =/= []),
    [begin
         ?eq(?SIZES, [K || {K, _} <- Info]),
         {_, Young} = lists:keyfind(heap_block_size, 1, Info),
         {_, Old} = lists:keyfind(old_heap_block_size, 1, Info),
         ?true(Young + Old >= 100000)
     end || Info <- Msgs].

long_gc_test() ->
    flush(),
    erlang:system_monitor(self(), [{long_gc, 1}]),
    %% a 4M-word tuple (32 MB) takes well over a millisecond to copy
    P = spawn(fun() -> T = erlang:make_tuple(4000000, x), erlang:garbage_collect(), tuple_size(T) end),
    Msgs = collect(P, long_gc),
    erlang:system_monitor(undefined),
    ?true(Msgs =/= []),
    [begin
         ?eq([timeout | ?SIZES], [K || {K, _} <- Info]),
         {timeout, T} = hd(Info),
         ?true(is_integer(T) andalso T >= 1)
     end || Info <- Msgs].

monitor_exit_test() ->
    M = spawn(fun() -> receive stop -> ok end end),
    erlang:system_monitor(M, [{long_gc, 100}]),
    ?eq({M, [{long_gc, 100}]}, erlang:system_monitor()),
    Ref = monitor(process, M),
    M ! stop,
    receive {'DOWN', Ref, _, _, _} -> ok end,
    ?eq(undefined, erlang:system_monitor()).

%% The Info lists of Event messages about P, once P has ended. (On stock
%% erl the messages need not come before P's 'DOWN': wait a while for the
%% first.)
collect(P, Event) ->
    Ref = monitor(process, P),
    receive {'DOWN', Ref, _, _, _} -> ok after 60000 -> error(timeout) end,
    collect_msgs(P, Event, 5000).
collect_msgs(P, Event, Wait) ->
    receive {monitor, P, Event, Info} -> [Info | collect_msgs(P, Event, 0)]
    after Wait -> []
    end.

flush() -> receive _ -> flush() after 0 -> ok end.
