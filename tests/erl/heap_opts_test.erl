%% Per-process heap options as OTP has them: min_heap_size,
%% min_bin_vheap_size and max_heap_size through spawn_opt and
%% process_flag, reported by process_info(P, garbage_collection), and
%% max_heap_size enforced by killing the process. Runs on stock erl too.
-module(heap_opts_test).
-include("bt.hrl").
-export([spawn_opt_sizes_test/0, process_flag_max_heap_test/0,
         process_flag_min_bin_vheap_test/0, bad_options_test/0,
         max_heap_kills_test/0, max_heap_no_kill_test/0,
         message_queue_data_test/0, fragments_collected_test/0,
         collect_other_process_test/0]).

gc_item(P, K) ->
    {garbage_collection, GC} = process_info(P, garbage_collection),
    proplists:get_value(K, GC).

idle() -> receive stop -> ok end.

spawn_opt_sizes_test() ->
    P = spawn_opt(fun idle/0, [{min_heap_size, 1000}, {min_bin_vheap_size, 100000},
                               {max_heap_size, #{size => 100000, error_logger => false}}]),
    %% both minimums are rounded up to sizes of the heap growth sequence
    ?eq(1598, gc_item(P, min_heap_size)),
    ?eq(121536, gc_item(P, min_bin_vheap_size)),
    ?eq(#{size => 100000, kill => true, error_logger => false}, gc_item(P, max_heap_size)),
    P ! stop,
    Q = spawn(fun idle/0),
    ?eq(#{size => 0, kill => true, error_logger => true}, gc_item(Q, max_heap_size)),
    ?eq(46422, gc_item(Q, min_bin_vheap_size)),
    Q ! stop.

process_flag_max_heap_test() ->
    ?eq(#{size => 0, kill => true, error_logger => true}, process_flag(max_heap_size, 5000)),
    ?eq(#{size => 5000, kill => true, error_logger => true},
        process_flag(max_heap_size, #{size => 0, kill => false})),
    ?eq(#{size => 0, kill => false, error_logger => true}, gc_item(self(), max_heap_size)),
    ?raises(error, badarg, process_flag(max_heap_size, 100)),          % below min_heap_size
    ?raises(error, badarg, process_flag(max_heap_size, #{kill => false})),  % size is required
    ?eq(#{size => 0, kill => false, error_logger => true},
        process_flag(max_heap_size, #{size => 0, other_key => 1})),     % ignored
    ?raises(error, badarg, process_flag(max_heap_size, #{size => 0, kill => maybe})),
    ?raises(error, badarg, process_flag(max_heap_size, -1)).

process_flag_min_bin_vheap_test() ->
    ?eq(46422, process_flag(min_bin_vheap_size, 10)),
    ?eq(46422, process_flag(min_bin_vheap_size, 100000)),
    ?eq(121536, gc_item(self(), min_bin_vheap_size)),
    ?raises(error, badarg, process_flag(min_bin_vheap_size, -1)).

bad_options_test() ->
    F = fun() -> ok end,
    ?raises(error, badarg, spawn_opt(F, [{max_heap_size, #{bad => 1}}])),
    ?raises(error, badarg, spawn_opt(F, [{max_heap_size, atom}])),
    ?raises(error, badarg, spawn_opt(F, [{min_bin_vheap_size, -5}])),
    ?raises(error, badarg, spawn_opt(F, [{message_queue_data, sometimes}])).

%% A process whose heap outgrows its limit is killed (reason killed).
max_heap_kills_test() ->
    {P, R} = spawn_opt(fun() -> grow([]) end,
                       [monitor, {max_heap_size, #{size => 10000, error_logger => false}}]),
    receive {'DOWN', R, process, P, Why} -> ?eq(killed, Why)
    after 30000 -> erlang:error(not_killed)
    end.

grow(Acc) -> grow([Acc | Acc]).

%% With kill => false it only reports (here: not even that) and goes on.
max_heap_no_kill_test() ->
    Self = self(),
    {P, R} = spawn_opt(fun() -> Self ! {len, length(lists:seq(1, 100000))} end,
                       [monitor, {max_heap_size, #{size => 10000, kill => false, error_logger => false}}]),
    receive {len, N} -> ?eq(100000, N) after 30000 -> erlang:error(no_result) end,
    receive {'DOWN', R, process, P, Why} -> ?eq(normal, Why) after 30000 -> erlang:error(no_down) end.

message_queue_data_test() ->
    Self = self(),
    [begin
         P = spawn_opt(fun() -> receive M -> Self ! {got, M} end end, [{message_queue_data, D}]),
         P ! D,
         receive {got, G} -> ?eq(D, G) after 10000 -> erlang:error(timeout) end
     end || D <- [off_heap, on_heap]],
    ok.

%% A loop whose only allocations are map updates and received messages
%% (both may land in heap fragments, which no heap check sees) still
%% collects: its heap stays near its live data instead of keeping every
%% intermediate map and message (200k updates of a 64-key map and 20k
%% messages would be millions of words).
fragments_collected_test() ->
    Self = self(),
    M0 = maps:from_list([{K, 0} || K <- lists:seq(1, 64)]),
    P = spawn(fun() ->
                      M = update_loop(200000, M0),
                      M2 = receive_loop(20000, M),
                      Self ! {done, map_size(M2), process_info(self(), total_heap_size)}
              end),
    [P ! {n, N} || N <- lists:seq(1, 20000)],
    receive
        {done, Size, {total_heap_size, Words}} ->
            ?eq(64, Size),
            ?eq({small_heap, true}, {small_heap, Words < 500000})
    after 60000 -> erlang:error(timeout)
    end.

update_loop(0, M) -> M;
update_loop(N, M) -> update_loop(N - 1, M#{(N rem 64) + 1 => N}).

receive_loop(0, M) -> M;
receive_loop(N, M) -> receive {n, V} -> receive_loop(N - 1, M#{(V rem 64) + 1 => V}) end.

%% erlang:garbage_collect/1,2 on another process: the collection runs in
%% that process between two of its slices and the answer says whether it
%% was alive; {async, Req} answers with a message.
collect_other_process_test() ->
    Me = self(),
    P = spawn(fun() ->
                  L = lists:seq(1, 50000),
                  Me ! {built, length(L)},
                  receive drop -> ok end,
                  Me ! dropped,
                  receive stop -> ok end
              end),
    ?eq({built, 50000}, receive {built, _} = B -> B after 5000 -> timeout end),
    P ! drop,
    receive dropped -> ok after 5000 -> error(not_dropped) end,
    bt:settle(P),
    {total_heap_size, Before} = process_info(P, total_heap_size),
    ?true(Before > 100000),
    ?eq(true, garbage_collect(P)),
    {total_heap_size, After} = process_info(P, total_heap_size),
    ?true(After < Before div 10),
    ?eq(true, garbage_collect(P, [{type, minor}])),
    ?eq(async, garbage_collect(P, [{async, req1}])),
    ?eq(true, receive {garbage_collect, req1, R} -> R after 5000 -> timeout end),
    ?eq(true, garbage_collect(self(), [{type, minor}])),
    ?raises(error, badarg, garbage_collect(P, [{type, full}])),
    ?raises(error, badarg, garbage_collect(not_a_pid)),
    Ref = monitor(process, P),
    P ! stop,
    receive {'DOWN', Ref, _, _, _} -> ok after 5000 -> error(no_down) end,
    ?eq(false, garbage_collect(P)),
    ?eq(async, garbage_collect(P, [{async, req2}])),
    ?eq(false, receive {garbage_collect, req2, R2} -> R2 after 5000 -> timeout end).
