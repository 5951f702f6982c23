%% Long-running BIFs give the scheduler back: lists:reverse/2,
%% binary_to_list/1,3, bitstring_to_list/1, list_to_binary/1,
%% iolist_to_binary/1, list_to_bitstring/1, term_to_binary/1,2 and
%% binary_to_term/1,2 on inputs far longer than one time slice return the
%% right results, raise badarg where OTP does, free what they hold when
%% their process dies, and let another process run while they work. Runs
%% on stock erl too.
-module(yield_test).
-include("bt.hrl").
-export([reverse_long_test/0, reverse_long_improper_test/0,
         binary_to_list_long_test/0, list_to_binary_long_test/0,
         iolist_nested_long_test/0, iolist_long_badarg_test/0,
         list_to_bitstring_long_test/0, others_run_meanwhile_test/0,
         sliced_state_is_not_forgeable_test/0,
         etf_large_round_trip_test/0, etf_deep_round_trip_test/0,
         etf_compressed_large_test/0, etf_large_parts_test/0,
         etf_bad_input_partway_test/0, etf_killed_midway_frees_memory_test/0]).

%% Elements of the long list/binary tests: 1M on a host; 300k in the image
%% (emulated CPUs, shared with other boots: 1M took most of a test's 60 s
%% bound), still several slices of 64k cells; 20k on GC_STRESS.
n() ->
    case {bt:gc_stress(), catch beamos:platform()} of
        {true, _} -> 20000;
        {false, beamos} -> 300000;
        _ -> 1000000
    end.

%% Elements of the large external-term tests: 1M tuples (a 46 MB
%% encoding) on a host, 30k in the image (emulated CPUs, 512 MB, boots
%% sharing the host: 100k took over a test's 60 s bound there), where that
%% is still several slices.
etf_n() ->
    case {bt:gc_stress(), catch beamos:platform()} of
        {true, _} -> 20000;
        {false, beamos} -> 30000;
        _ -> 1000000
    end.

reverse_long_test() ->
    N = n(),
    L = lists:seq(1, N),
    R = lists:reverse(L),
    ?eq(N, length(R)),
    ?eq(N, hd(R)),
    ?eq(1, lists:last(R)),
    ?eq(L, lists:reverse(R)),
    ?eq([3, 2, 1 | tail], lists:reverse([1, 2, 3], tail)),
    ?eq(lists:seq(N, 1, -1) ++ [x], lists:reverse(L, [x])).

reverse_long_improper_test() ->
    L = lists:seq(1, n()) ++ improper,
    ?raises(error, badarg, lists:reverse(L, [])),
    ?raises(error, badarg, lists:reverse(L)).

binary_to_list_long_test() ->
    N = n(),
    Bin = << <<(I band 255)>> || I <- lists:seq(1, N) >>,
    L = binary_to_list(Bin),
    ?eq(N, length(L)),
    ?eq([I band 255 || I <- lists:seq(1, N)], L),
    ?eq([I band 255 || I <- lists:seq(11, N - 10)], binary_to_list(Bin, 11, N - 10)),
    <<_:3, Odd/bitstring>> = Bin,
    BL = bitstring_to_list(Odd),
    ?eq(N, length(BL)),
    Last = lists:last(L),
    ?eq(<<Last:5>>, lists:last(BL)).

list_to_binary_long_test() ->
    N = n(),
    L = [I band 255 || I <- lists:seq(1, N)],
    B = list_to_binary(L),
    ?eq(N, byte_size(B)),
    ?eq(L, binary_to_list(B)),
    ?eq(B, iolist_to_binary(L)),
    ?eq(<<B/binary, "tail">>, iolist_to_binary([L | <<"tail">>])),
    V = erlang:iolist_to_iovec(L),
    ?eq(true, is_list(V) andalso lists:all(fun is_binary/1, V)),
    ?eq(B, iolist_to_binary(V)).

iolist_nested_long_test() ->
    N = n() div 10,
    IO = [[<<"ab">>, [$c, [[]], <<>>], $d] || _ <- lists:seq(1, N)],
    B = iolist_to_binary(IO),
    ?eq(4 * N, byte_size(B)),
    ?eq(4 * N, iolist_size(IO)),
    ?eq(<<"abcdabcd">>, binary:part(B, 0, 8)),
    Deep = lists:foldl(fun(_, Acc) -> [Acc, $x] end, [], lists:seq(1, N)),
    ?eq(binary:copy(<<"x">>, N), list_to_binary(Deep)).

iolist_long_badarg_test() ->
    L = lists:duplicate(n(), $a),
    ?raises(error, badarg, list_to_binary(L ++ [256])),
    ?raises(error, badarg, list_to_binary(L ++ [atom])),
    ?raises(error, badarg, iolist_to_binary([L | improper])),
    ?raises(error, badarg, list_to_binary([L, <<1:3>>])),
    %% nothing is left behind by a failed sliced call
    ?eq(<<"ok">>, list_to_binary([$o, $k])).

list_to_bitstring_long_test() ->
    N = n() div 10,
    L = [<<1:3>> || _ <- lists:seq(1, N)],
    B = list_to_bitstring(L),
    ?eq(3 * N, bit_size(B)),
    ?eq(<< <<1:3>> || _ <- lists:seq(1, N) >>, B),
    B2 = list_to_bitstring([$a, <<1:1>>, lists:duplicate(N, $b)]),
    ?eq(8 + 1 + 8 * N, bit_size(B2)).

%% While one process is inside one long BIF call, another process gets to
%% run: an atomics counter it bumps moves during the call. Both are bound
%% to scheduler 1 (spawn_opt {scheduler, 1}), where only a BIF that yields
%% lets that happen. Not on the GC_STRESS build, whose shrunken inputs fit
%% in one slice.
others_run_meanwhile_test() ->
    case bt:gc_stress() of
        true -> ok;
        false ->
            Self = self(),
            {W, R} = spawn_opt(fun() -> Self ! {self(), catch others_run_meanwhile()} end,
                               [monitor, {scheduler, 1}]),
            receive {W, Result} -> ?eq(ok, Result) after 50000 -> erlang:error(timeout) end,
            receive {'DOWN', R, process, W, _} -> ok end
    end.

others_run_meanwhile() ->
    C = atomics:new(1, []),
    Self = self(),
    Bumper = spawn_opt(fun() -> Self ! bumper_running, bump(C) end, [link, {scheduler, 1}]),
    receive bumper_running -> ok after 10000 -> erlang:error(no_bumper) end,
    L = lists:seq(1, n()),
    B = list_to_binary([I band 255 || I <- L]),
    Moved = fun(F) ->
                    Before = atomics:get(C, 1),
                    _ = F(),
                    atomics:get(C, 1) > Before
            end,
    R1 = Moved(fun() -> lists:reverse(L) end),
    R2 = Moved(fun() -> binary_to_list(B) end),
    R3 = Moved(fun() -> list_to_binary([binary_to_list(B), B]) end),
    T = tuples(etf_n()),
    TB = term_to_binary(T),
    R4 = Moved(fun() -> term_to_binary(T) end),
    R5 = Moved(fun() -> binary_to_term(TB) end),
    unlink(Bumper),
    exit(Bumper, kill),
    ?eq(true, R1),
    %% OTP traps out of both for a term this size, as BeamOS does.
    ?eq({true, true}, {R4, R5}),
    %% OTP slices binary_to_list and list_to_binary too, but does a 1 MB
    %% one in a single call when the slice has reductions enough; BeamOS's
    %% slice is smaller (bif_yield.h), so there both must have yielded.
    case (catch beamos:platform()) of
        {'EXIT', _} -> ok;
        _ -> ?eq({true, true}, {R2, R3})
    end,
    ?eq(badarg, try list_to_binary([B, L]) catch error:E -> E end).

bump(C) ->
    atomics:add(C, 1, 1),
    erlang:yield(),
    bump(C).

%% The iolist continuation's state is a magic reference: nothing else is
%% accepted in its place.
sliced_state_is_not_forgeable_test() ->
    case erlang:function_exported(beamos, iolist_to_binary_slice, 3) of
        false -> ok;        % stock erl
        true ->
            ?raises(error, badarg, beamos:iolist_to_binary_slice([1], [], make_ref())),
            ?raises(error, badarg, beamos:iolist_to_binary_slice([1], [], atomics:new(1, []))),
            ?raises(error, badarg, beamos:binary_to_list_slice(<<1, 2>>, 0, 3, [])),
            ?raises(error, badarg, beamos:term_to_binary_slice(x, [], make_ref())),
            ?raises(error, badarg, beamos:term_to_binary_slice(x, [{0, x, 0, 0}], make_ref())),
            ?raises(error, badarg, beamos:binary_to_term_slice(<<131, 106>>, make_ref())),
            ?raises(error, badarg, beamos:binary_to_term_slice(<<131, 106>>, atomics:new(1, []))),
            ?eq([1, 2 | t], beamos:binary_to_list_slice(<<1, 2>>, 0, 2, t))
    end.

%% ---- term_to_binary / binary_to_term ----

tuples(N) -> [{I, <<"abc">>, [I, -I], {x, 3.5}} || I <- lists:seq(1, N)].

etf_large_round_trip_test() ->
    T = tuples(etf_n()),
    B = term_to_binary(T),
    ?eq(erlang:external_size(T), byte_size(B)),
    ?eq(T, binary_to_term(B)),
    ?eq(T, binary_to_term(B, [safe])),
    ?eq(B, term_to_binary(T, [{minor_version, 1}])),
    ?eq(B, term_to_binary(T, [deterministic])),
    ?eq(B, iolist_to_binary(erlang:term_to_iovec(T))),
    B2 = term_to_binary(T, [{minor_version, 2}]),
    ?eq(T, binary_to_term(B2)),
    %% the encoding of a list of n elements starts with LIST_EXT and n
    ?eq(<<131, 108, (etf_n()):32>>, binary:part(B, 0, 6)),
    ?eq({T, byte_size(B)}, binary_to_term(<<B/binary, 1, 2, 3>>, [used])).

%% Nested in head position (the encoder's stack grows with the depth) and
%% in tail position, about 10 MB each.
etf_deep_round_trip_test() ->
    N = etf_n(),
    Deep = lists:foldl(fun(I, A) -> [A, {I}] end, [], lists:seq(1, N)),
    DB = term_to_binary(Deep),
    ?eq(true, byte_size(DB) > 8 * N),
    ?eq(Deep, binary_to_term(DB)),
    Tail = lists:foldl(fun(I, A) -> {I, A} end, [], lists:seq(1, N)),
    ?eq(Tail, binary_to_term(term_to_binary(Tail))),
    ?eq(Deep, binary_to_term(term_to_binary(Deep, [compressed]))).

etf_compressed_large_test() ->
    T = tuples(etf_n()),
    B = term_to_binary(T),
    C = term_to_binary(T, [compressed]),
    ?eq(true, byte_size(C) < byte_size(B) div 3),
    ?eq(<<131, 80, (byte_size(B) - 1):32>>, binary:part(C, 0, 6)),
    ?eq(T, binary_to_term(C)),
    ?eq({T, byte_size(C)}, binary_to_term(C, [used])),
    C9 = term_to_binary(T, [{compressed, 9}]),
    ?eq(T, binary_to_term(C9)),
    %% not worth compressing: the plain encoding, as OTP
    R = incompressible(etf_n()),
    ?eq(term_to_binary(R), term_to_binary(R, [compressed])).

%% About N bytes no compressor shrinks.
incompressible(N) ->
    << <<(erlang:md5(<<I:32>>))/binary>> || I <- lists:seq(1, N div 16) >>.

etf_large_parts_test() ->
    N = etf_n(),
    Big = binary:copy(<<"0123456789">>, N),
    BB = term_to_binary(Big),
    ?eq(10 * N + 6, byte_size(BB)),
    ?eq(Big, binary_to_term(BB)),
    <<_:3, Odd/bitstring>> = Big,
    ?eq(Odd, binary_to_term(term_to_binary(Odd))),
    M = maps:from_list([{I, integer_to_list(I)} || I <- lists:seq(1, N div 10)]),
    ?eq(M, binary_to_term(term_to_binary(M))),
    L = lists:seq(1, N),
    ?eq(L, binary_to_term(term_to_binary(L))),
    Str = lists:duplicate(N, $a),
    ?eq(Str, binary_to_term(term_to_binary(Str))),
    Imp = lists:seq(1, N) ++ tail,
    ?eq(Imp, binary_to_term(term_to_binary(Imp))),
    %% a sub binary at an odd bit offset, decoded
    <<_:5, Shifted/bitstring>> = <<0:5, BB/binary>>,
    ?eq(Big, binary_to_term(Shifted)).

%% Bad input anywhere in a large binary is badarg, and nothing is left
%% behind: the same call on good input works after it.
etf_bad_input_partway_test() ->
    N = etf_n(),
    E = term_to_binary({a, 1}),
    Elem = binary:part(E, 1, byte_size(E) - 1),
    Good = iolist_to_binary([<<131, 108, N:32>>, lists:duplicate(N, Elem), 106]),
    ?eq(lists:duplicate(N, {a, 1}), binary_to_term(Good)),
    Half = N div 2,
    BadTag = iolist_to_binary([<<131, 108, N:32>>, lists:duplicate(Half, Elem), 255,
                               lists:duplicate(N - Half, Elem), 106]),
    ?raises(error, badarg, binary_to_term(BadTag)),
    ?raises(error, badarg, binary_to_term(binary:part(Good, 0, byte_size(Good) - 1))),
    %% duplicate keys in a large map: found only when the map is built
    Dup = iolist_to_binary([<<131, 116, 40:32>>, [[97, 1, 97, I] || I <- lists:seq(1, 40)]]),
    ?raises(error, badarg, binary_to_term(Dup)),
    C = term_to_binary(tuples(N), [compressed]),
    ?raises(error, badarg, binary_to_term(binary:part(C, 0, byte_size(C) - 10))),
    <<131, 80, Size:32, Z/binary>> = C,
    ?raises(error, badarg, binary_to_term(<<131, 80, (Size + 1):32, Z/binary>>)),
    ?raises(error, badarg, binary_to_term(<<131, 80, (Size - 1):32, Z/binary>>)),
    ZH = byte_size(Z) div 2,
    <<Z1:ZH/binary, ZB, Z2/binary>> = Z,
    ?raises(error, badarg, binary_to_term(<<131, 80, Size:32, Z1/binary, (ZB bxor 16#55), Z2/binary>>)),
    ?eq(tuples(3), binary_to_term(term_to_binary(tuples(3)))).

%% A process killed in the middle of a long term_to_binary or binary_to_term
%% leaves no memory behind.
etf_killed_midway_frees_memory_test() ->
    N = etf_n(),
    B = term_to_binary([{I, binary:copy(<<I:32>>, 40)} || I <- lists:seq(1, N)]),
    Before = erlang:memory(binary),
    kill_midway(fun() -> term_to_binary(tuples(N)) end),
    kill_midway(fun() -> term_to_binary(tuples(N), [compressed]) end),
    kill_midway(fun() -> binary_to_term(B) end),
    ok = memory_back(Before, 50),
    ?eq(N, length(binary_to_term(B))).

kill_midway(F) ->
    Self = self(),
    {Pid, Ref} = spawn_monitor(fun() -> Self ! {started, self()}, F(), Self ! {finished, self()} end),
    receive {started, Pid} -> ok end,
    timer:sleep(2),
    exit(Pid, kill),
    receive {'DOWN', Ref, process, Pid, _} -> ok end,
    receive {finished, Pid} -> ok after 0 -> ok end.

%% erlang:memory(binary) within 1 MB of Before (a dead process's memory is
%% reclaimed asynchronously on OTP: try for a while).
memory_back(Before, 0) -> {binary_memory, Before, erlang:memory(binary)};
memory_back(Before, Tries) ->
    case erlang:memory(binary) < Before + 1000000 of
        true -> ok;
        false -> timer:sleep(20), memory_back(Before, Tries - 1)
    end.
