%% Magic references: atomics and counters handles are references that own an
%% off-heap array (vm/magic.h, vm/bif_atomics.c). Every assertion here holds
%% on stock OTP 25 too.
-module(magicref_test).
-include("bt.hrl").
-export([is_reference_test/0, print_test/0, compare_test/0, atomics_ops_test/0,
         unsigned_ops_test/0, counters_ops_test/0, info_test/0, badarg_test/0,
         decoded_copy_test/0, ref_text_round_trip_test/0, counters_stripes_test/0, processes_test/0, send_and_drop_test/0, other_holders_test/0,
         survives_gc_test/0, free_after_gc_test/0, free_on_exit_test/0]).

-define(WORDS, 10000).
-define(ARRAYS, 50).
%% Bytes the ARRAYS arrays of WORDS words need at least (OTP's and our
%% layout: 40 bytes + 8 per word each).
-define(BYTES, (?ARRAYS * (40 + 8 * ?WORDS))).

is_reference_test() ->
    A = atomics:new(2, []),
    ?true(is_reference(A)),
    ?eq(false, is_binary(A)),
    ?eq(node(), node(A)),
    {atomics, C} = counters:new(1, []),
    ?true(is_reference(C)),
    {write_concurrency, W} = counters:new(1, [write_concurrency]),
    ?true(is_reference(W)),
    ?eq(false, is_binary(W)).

ref_text(R) -> lists:flatten(io_lib:format("~p", [R])).

print_test() ->
    A = atomics:new(1, []),
    Text = ref_text(A),
    ?eq("#Ref<0.", lists:sublist(Text, 7)),
    ?eq($>, lists:last(Text)),
    ?eq(erlang:ref_to_list(A), Text),
    %% three numbers after the node number
    ?eq(4, length(string:tokens(lists:sublist(Text, 6, length(Text) - 6), "."))),
    %% the decoded plain ref prints the same
    ?eq(Text, ref_text(binary_to_term(term_to_binary(A)))),
    %% every array gets its own numbers
    ?true(Text =/= ref_text(atomics:new(1, []))).

compare_test() ->
    A = atomics:new(1, []),
    B = binary_to_term(term_to_binary(A)),
    R = make_ref(),
    ?true(A == B),
    ?true(A =:= B),
    ?eq(false, A =:= R),
    ?eq(false, A =:= atomics:new(1, [])),
    ?eq(erlang:phash2(A), erlang:phash2(B)),
    ?eq(erlang:phash2(A, 1 bsl 32), erlang:phash2(B, 1 bsl 32)),
    ?eq(lists:sort([R, A]), lists:sort([R, B])),
    ?eq(A < R, B < R),
    %% references sort after numbers, atoms; before funs, ports, pids
    ?true(A > 1 andalso A > foo andalso A < fun erlang:self/0 andalso A < self()),
    ?eq(1, maps:get(B, #{A => 1})),
    ?eq(term_to_binary(A), term_to_binary(B)),
    %% the handle is encoded as an ordinary NEWER_REFERENCE_EXT
    ?eq(<<131, 90, 0, 3>>, binary:part(term_to_binary(A), 0, 4)).

atomics_ops_test() ->
    A = atomics:new(3, []),
    ?eq(0, atomics:get(A, 1)),
    ?eq(ok, atomics:put(A, 1, 5)),
    ?eq(ok, atomics:add(A, 1, -7)),
    ?eq(-2, atomics:get(A, 1)),
    ?eq(8, atomics:add_get(A, 1, 10)),
    ?eq(ok, atomics:sub(A, 1, 3)),
    ?eq(1, atomics:sub_get(A, 1, 4)),
    ?eq(1, atomics:exchange(A, 1, 42)),
    ?eq(ok, atomics:compare_exchange(A, 1, 42, 7)),
    ?eq(7, atomics:compare_exchange(A, 1, 42, 9)),
    ?eq(7, atomics:get(A, 1)),
    ?eq(0, atomics:get(A, 3)),
    Max = (1 bsl 63) - 1, Min = -(1 bsl 63),
    ?eq(ok, atomics:put(A, 2, Max)),
    ?eq(Min, atomics:add_get(A, 2, 1)),
    ?eq(Max, atomics:sub_get(A, 2, 1)).

unsigned_ops_test() ->
    A = atomics:new(2, [{signed, false}]),
    Max = (1 bsl 64) - 1,
    ?eq(ok, atomics:put(A, 1, Max)),
    ?eq(Max, atomics:get(A, 1)),
    ?eq(0, atomics:add_get(A, 1, 1)),
    ?eq(Max, atomics:sub_get(A, 1, 1)),
    ?eq(Max, atomics:exchange(A, 1, 3)),
    ?raises(error, badarg, atomics:put(A, 1, -1)),
    ?raises(error, badarg, atomics:put(A, 1, Max + 1)),
    ?raises(error, badarg, atomics:compare_exchange(A, 1, -1, 0)).

counters_ops_test() ->
    [begin
         C = counters:new(2, Opts),
         ?eq(0, counters:get(C, 1)),
         ?eq(ok, counters:add(C, 1, 10)),
         ?eq(ok, counters:sub(C, 1, 3)),
         ?eq(7, counters:get(C, 1)),
         ?eq(ok, counters:put(C, 2, -5)),
         ?eq(-5, counters:get(C, 2)),
         ?eq(ok, counters:put(C, 2, (1 bsl 63) - 1)),
         ?eq(ok, counters:add(C, 2, 1)),
         ?eq(-(1 bsl 63), counters:get(C, 2)),
         ?raises(error, badarg, counters:get(C, 3)),
         ?raises(error, badarg, counters:add(C, 0, 1)),
         ?raises(error, badarg, counters:add(C, 1, 1 bsl 64)),
         ?raises(error, badarg, counters:put(C, 1, 1.0))
     end || Opts <- [[], [atomics], [write_concurrency]]],
    ok.

info_test() ->
    Max = (1 bsl 63) - 1, Min = -(1 bsl 63),
    ?eq(#{size => 2, max => Max, min => Min, memory => 56}, atomics:info(atomics:new(2, []))),
    ?eq(#{size => 10, max => (1 bsl 64) - 1, min => 0, memory => 120},
        atomics:info(atomics:new(10, [{signed, false}]))),
    ?eq(#{size => 3, max => Max, min => Min, memory => 64}, counters:info(counters:new(3, []))),
    %% write_concurrency: a 64-byte line per 8 counters for the base and for
    %% each scheduler, after 32 bytes of headers
    Stripes = erlang:system_info(schedulers) + 1,
    [?eq(#{size => N, memory => 32 + 64 * ((N + 7) div 8) * Stripes},
         counters:info(counters:new(N, [write_concurrency])))
     || N <- [1, 7, 8, 9, 100]],
    ok.

badarg_test() ->
    A = atomics:new(2, []),
    ?raises(error, badarg, atomics:new(0, [])),
    ?raises(error, badarg, atomics:new(-1, [])),
    ?raises(error, badarg, atomics:new(foo, [])),
    ?raises(error, badarg, atomics:new(1, [bad])),
    ?raises(error, badarg, counters:new(0, [])),
    ?raises(error, badarg, counters:new(1, [bad])),
    ?raises(error, badarg, atomics:get(A, 0)),
    ?raises(error, badarg, atomics:get(A, 3)),
    ?raises(error, badarg, atomics:get(A, a)),
    ?raises(error, badarg, atomics:put(A, 1, 1 bsl 63)),
    ?raises(error, badarg, atomics:add(A, 1, 1.5)),
    ?raises(error, badarg, atomics:get(make_ref(), 1)),
    ?raises(error, badarg, atomics:get(<<0:800>>, 1)),
    ?raises(error, badarg, atomics:info(make_ref())),
    %% an array of the other kind
    {write_concurrency, W} = counters:new(1, [write_concurrency]),
    ?raises(error, badarg, atomics:get(W, 1)),
    ?raises(error, badarg, atomics:info(W)),
    ?raises(error, badarg, counters:get({write_concurrency, A}, 1)),
    ?raises(error, badarg, counters:info({write_concurrency, A})),
    ?raises(error, badarg, counters:get(A, 1)),
    ?raises(error, badarg, erts_internal:counters_get(make_ref(), 1)).

%% OTP keeps encoded magic refs in a table: decoding on this node gives a
%% handle to the same array while it lives, a plain ref after it was freed.
decoded_copy_test() ->
    A = atomics:new(1, []),
    ok = atomics:put(A, 1, 9),
    {x, B} = binary_to_term(term_to_binary({x, A})),
    ?true(is_reference(B)),
    ?eq(9, atomics:get(B, 1)),
    ok = atomics:put(B, 1, 3),
    ?eq(3, atomics:get(A, 1)),
    {write_concurrency, W} = counters:new(1, [write_concurrency]),
    WB = binary_to_term(term_to_binary(W)),
    ok = counters:add({write_concurrency, WB}, 1, 2),
    ?eq(2, counters:get({write_concurrency, W}, 1)),
    Dead = encoded_dead_array(),
    erlang:garbage_collect(),
    D = binary_to_term(Dead),
    ?true(is_reference(D)),
    ?raises(error, badarg, atomics:get(D, 1)),
    ?raises(error, badarg, atomics:put(D, 1, 1)),
    ?raises(error, badarg, atomics:info(D)),
    DeadW = encoded_dead_counters(),
    erlang:garbage_collect(),
    DW = binary_to_term(DeadW),
    ?raises(error, badarg, counters:get({write_concurrency, DW}, 1)),
    ?raises(error, badarg, counters:add({write_concurrency, DW}, 1, 1)),
    %% the originals still work
    ?eq(3, atomics:get(A, 1)),
    ?eq(2, counters:get({write_concurrency, W}, 1)).

%% ref_to_list/1 enters the array in the same table: list_to_ref/1 of its
%% text is a working handle while the array lives, a plain ref after.
ref_text_round_trip_test() ->
    A = atomics:new(1, []),
    ok = atomics:put(A, 1, 11),
    B = list_to_ref(erlang:ref_to_list(A)),
    ?true(B =:= A),
    ?eq(11, atomics:get(B, 1)),
    Text = dead_array_text(),
    erlang:garbage_collect(),
    D = list_to_ref(Text),
    ?true(is_reference(D)),
    ?raises(error, badarg, atomics:get(D, 1)).

dead_array_text() ->
    erlang:ref_to_list(atomics:new(1, [])).

encoded_dead_array() ->
    A = atomics:new(1, []),
    ok = atomics:put(A, 1, 5),
    term_to_binary(A).

encoded_dead_counters() ->
    {write_concurrency, W} = counters:new(1, [write_concurrency]),
    term_to_binary(W).

adder(Parent, A, C, N) ->
    spawn_link(fun() ->
                       [begin atomics:add(A, 1, 1), counters:add(C, 1, 1) end
                        || _ <- lists:seq(1, N)],
                       Parent ! {done, self()}
               end).

%% A write_concurrency counter is one word per scheduler plus a base: every
%% index is its own counter, and put/3 overrides what the stripes hold.
counters_stripes_test() ->
    C = counters:new(20, [write_concurrency]),
    [counters:add(C, I, I) || I <- lists:seq(1, 20)],
    ?eq(lists:seq(1, 20), [counters:get(C, I) || I <- lists:seq(1, 20)]),
    Self = self(),
    Ps = [spawn_link(fun() -> counters:add(C, 9, 100), Self ! {done, self()} end)
          || _ <- lists:seq(1, 4)],
    [receive {done, P} -> ok after 60000 -> error(timeout) end || P <- Ps],
    ?eq(409, counters:get(C, 9)),
    ?eq(ok, counters:put(C, 9, -3)),
    ?eq(-3, counters:get(C, 9)),
    ?eq(ok, counters:sub(C, 9, 1)),
    ?eq(-4, counters:get(C, 9)),
    ?eq(8, counters:get(C, 8)),
    ?eq(10, counters:get(C, 10)),
    ?raises(error, badarg, counters:put(C, 1, 1 bsl 63)),
    ?raises(error, badarg, counters:get(C, 21)).

processes_test() ->
    A = atomics:new(1, []),
    C = counters:new(1, [write_concurrency]),
    Ps = [adder(self(), A, C, 1000) || _ <- lists:seq(1, 4)],
    [receive {done, P} -> ok after 60000 -> error(timeout) end || P <- Ps],
    ?eq(4000, atomics:get(A, 1)),
    ?eq(4000, counters:get(C, 1)).

send_and_drop_test() ->
    Self = self(),
    P = spawn_link(fun() ->
                           A = receive {array, X} -> X end,
                           Self ! {got, A},
                           receive go -> ok end,
                           erlang:garbage_collect(),
                           Self ! {value, atomics:add_get(A, 1, 1)}
                   end),
    send_fresh_array(P),
    %% the copy that comes back is the same reference
    A = receive {got, X} -> X after 60000 -> error(timeout) end,
    ?eq(41, atomics:get(A, 1)),
    %% drop ours: the child's copy keeps the array alive
    erlang:garbage_collect(),
    P ! go,
    ?eq(42, receive {value, V} -> V after 60000 -> timeout end).

send_fresh_array(P) ->
    A = atomics:new(1, []),
    atomics:put(A, 1, 40),
    P ! {array, A},
    erlang:garbage_collect(),
    atomics:add(A, 1, 1).

%% Handles travel in every way terms do: persistent terms, exit reasons,
%% timer messages.
other_holders_test() ->
    A = atomics:new(1, []),
    Key = {?MODULE, other_holders},
    persistent_term:put(Key, {held, A}),
    {held, P} = persistent_term:get(Key),
    ?eq(ok, atomics:add(P, 1, 1)),
    ?true(persistent_term:erase(Key)),
    {Pid, Ref} = spawn_monitor(fun() -> exit({array, A}) end),
    B = receive {'DOWN', Ref, process, Pid, {array, X}} -> X after 60000 -> error(timeout) end,
    ?eq(ok, atomics:add(B, 1, 1)),
    erlang:send_after(1, self(), {later, A}),
    C = receive {later, Y} -> Y after 60000 -> error(timeout) end,
    ?eq(3, atomics:add_get(C, 1, 1)),
    ?eq(3, atomics:get(A, 1)).

survives_gc_test() ->
    A = atomics:new(4, []),
    atomics:put(A, 4, 17),
    %% enough garbage and collections to move the handle to the old heap
    [begin _ = lists:seq(1, 1000), erlang:garbage_collect() end || _ <- lists:seq(1, 5)],
    ?eq(17, atomics:get(A, 4)),
    ?true(is_reference(A)).

make_arrays(N) ->
    L = [atomics:new(?WORDS, []) || _ <- lists:seq(1, N)],
    {length(L), erlang:memory(system)}.

%% erlang:memory(system) is node-wide: on stock erl other processes' and
%% allocators' work moves it meanwhile, so a few tries are allowed; one
%% must see the arrays counted and then released.
free_after_gc_test() -> free_after_gc(5).

free_after_gc(Tries) ->
    erlang:garbage_collect(),
    S0 = erlang:memory(system),
    {?ARRAYS, S1} = make_arrays(?ARRAYS),
    erlang:garbage_collect(),
    S2 = erlang:memory(system),
    case {S1 - S0 >= ?BYTES, S1 - S2 >= ?BYTES} of
        {true, true} -> ok;
        Seen when Tries =< 1 -> ?eq({true, true}, Seen);
        _ -> timer:sleep(20), free_after_gc(Tries - 1)
    end.

free_on_exit_test() ->
    Self = self(),
    S0 = erlang:memory(system),
    {P, Ref} = spawn_monitor(fun() ->
                                     {?ARRAYS, S1} = make_arrays(?ARRAYS),
                                     Self ! {s1, S1},
                                     receive stop -> ok end
                             end),
    S1 = receive {s1, X} -> X after 60000 -> error(timeout) end,
    ?true(S1 - S0 >= ?BYTES),
    P ! stop,
    receive {'DOWN', Ref, process, P, normal} -> ok after 60000 -> error(timeout) end,
    ?true(S1 - erlang:memory(system) >= ?BYTES).
