%% process_info items that tools (observer, recon, shell's i/0) read:
%% where a process is (current_function, current_location,
%% current_stacktrace), garbage_collection_info, binary, and the flags
%% message_queue_data and sensitive. Expected values are stock erl 25's;
%% the module also runs there.
-module(pinfo_test).
-include("bt.hrl").
-export([waiting_test/0, self_test/0, hibernate_test/0, not_started_test/0,
         gc_info_test/0, binary_test/0, quiet_items_test/0, message_queue_data_test/0,
         sensitive_test/0]).
-export([caller/1, wait_here/1, sleeper/0]).

-define(WHERE, [current_function, current_location, current_stacktrace]).

%% Each function and the line it is on are kept on one line, so the
%% expected locations are ?LINE wherever the code moves.
wait_here(_) -> receive stop -> ok end. wait_line() -> ?LINE.
caller(P) -> R = wait_here(P), {done, R}. caller_line() -> ?LINE.
me() -> X = process_info(self(), ?WHERE), {X, ?LINE}.
nested() -> {X, L} = me(), {X, L, ?LINE}.
sleeper() -> timer:sleep(infinity).

waiting_test() ->
    P = spawn(?MODULE, caller, [self()]),
    bt:settle(P),
    F = ?FILE,
    ?eq([{current_function, {?MODULE, wait_here, 1}},
         {current_location, {?MODULE, wait_here, 1, [{file, F}, {line, wait_line()}]}},
         {current_stacktrace, [{?MODULE, wait_here, 1, [{file, F}, {line, wait_line()}]},
                               {?MODULE, caller, 1, [{file, F}, {line, caller_line()}]}]}],
        process_info(P, ?WHERE)),
    P ! stop.

self_test() ->
    {X, MeLine, NestedLine} = nested(),
    F = ?FILE,
    ?eq([{current_function, {?MODULE, me, 0}},
         {current_location, {?MODULE, me, 0, [{file, F}, {line, MeLine}]}}],
        lists:sublist(X, 2)),
    {current_stacktrace, [Top, Next | _]} = lists:keyfind(current_stacktrace, 1, X),
    ?eq({?MODULE, me, 0, [{file, F}, {line, MeLine}]}, Top),
    ?eq({?MODULE, nested, 0, [{file, F}, {line, NestedLine}]}, Next).

hibernate_test() ->
    P = spawn(erlang, hibernate, [?MODULE, wait_here, [x]]),
    bt:settle(P),
    ?eq([{current_function, {erlang, hibernate, 3}},
         {current_location, {erlang, hibernate, 3, []}},
         {current_stacktrace, []}], process_info(P, ?WHERE)),
    %% woken, it runs wait_here/1 with an empty stack
    P ! wake,
    bt:settle(P),
    ?eq({current_function, {?MODULE, wait_here, 1}}, process_info(P, current_function)),
    P ! stop.

not_started_test() ->
    %% timer:sleep(infinity) is a receive in timer:sleep/1 (a tail call)
    P = spawn(?MODULE, sleeper, []),
    bt:settle(P),
    ?eq({current_function, {timer, sleep, 1}}, process_info(P, current_function)),
    {current_stacktrace, [{timer, sleep, 1, _}]} = process_info(P, current_stacktrace),
    exit(P, kill).

gc_info_test() ->
    P = spawn(fun() -> L = lists:seq(1, 5000), receive stop -> length(L) end end),
    bt:settle(P),
    {garbage_collection_info, I} = process_info(P, garbage_collection_info),
    ?eq([old_heap_block_size, heap_block_size, mbuf_size, recent_size, stack_size,
         old_heap_size, heap_size, bin_vheap_size, bin_vheap_block_size,
         bin_old_vheap_size, bin_old_vheap_block_size], [K || {K, _} <- I]),
    true = lists:all(fun({_, V}) -> is_integer(V) andalso V >= 0 end, I),
    {_, Used} = lists:keyfind(heap_size, 1, I),
    {_, Old} = lists:keyfind(old_heap_size, 1, I),
    %% the 5000-element list is live: 10,000 words in one generation or the other
    ?true(Used + Old >= 10000),
    {_, Block} = lists:keyfind(heap_block_size, 1, I),
    ?true(Block >= Used),
    P ! stop.

binary_test() ->
    B = binary:copy(<<7>>, 1000),
    Small = <<1, 2, 3>>,
    P = spawn(fun() -> receive stop -> {B, Small} end end),
    bt:settle(P),
    {binary, [{Id, 1000, Refs}]} = process_info(P, binary),
    ?true(is_integer(Id) andalso Refs >= 2),
    %% ours too: the same binary, now referenced from here and there
    {binary, Mine} = process_info(self(), binary),
    ?true(lists:keymember(Id, 1, Mine)),
    P ! stop.

quiet_items_test() ->
    ?eq([{last_calls, false}, {sequential_trace_token, []}, {trace, 0},
         {min_heap_size, 233}, {min_bin_vheap_size, 46422}],
        process_info(self(), [last_calls, sequential_trace_token, trace,
                              min_heap_size, min_bin_vheap_size])),
    P = spawn_opt(fun() -> receive stop -> ok end end, [{min_heap_size, 1000}]),
    ?eq({min_heap_size, 1598}, process_info(P, min_heap_size)),
    P ! stop,
    ?raises(error, badarg, process_info(self(), [current_function, no_such_item])).

message_queue_data_test() ->
    Parent = self(),
    P = spawn(fun() ->
                      A = process_flag(message_queue_data, off_heap),
                      B = process_info(self(), message_queue_data),
                      C = process_flag(message_queue_data, on_heap),
                      D = (catch process_flag(message_queue_data, elsewhere)),
                      Parent ! {self(), [A, B, C, element(1, D)]}
              end),
    receive {P, R} -> ?eq([on_heap, {message_queue_data, off_heap}, off_heap, 'EXIT'], R) end,
    Q = spawn_opt(fun() -> receive stop -> ok end end, [{message_queue_data, off_heap}]),
    ?eq({message_queue_data, off_heap}, process_info(Q, message_queue_data)),
    Q ! stop,
    ?raises(error, badarg, spawn_opt(fun() -> ok end, [{message_queue_data, x}])).

sensitive_test() ->
    Parent = self(),
    P = spawn(fun() ->
                      put(secret, 42),
                      A = process_flag(sensitive, true),
                      Parent ! {self(), ready, A},
                      receive go -> ok end,
                      B = process_flag(sensitive, false),
                      Parent ! {self(), B},
                      receive stop -> ok end
              end),
    receive {P, ready, A} -> ?eq(false, A) end,
    P ! hidden,
    bt:settle(P),
    ?eq([{messages, []}, {dictionary, []}], process_info(P, [messages, dictionary])),
    P ! go,
    receive {P, B} -> ?eq(true, B) end,
    bt:settle(P),
    ?eq([{messages, [hidden]}, {dictionary, [{secret, 42}]}], process_info(P, [messages, dictionary])),
    P ! stop.

