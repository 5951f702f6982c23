%% Long-running BIFs give the scheduler back: lists:reverse/2,
%% binary_to_list/1,3, bitstring_to_list/1, list_to_binary/1,
%% iolist_to_binary/1 and list_to_bitstring/1 on inputs far longer than one
%% time slice return the right results, raise badarg where OTP does, and
%% let another process run while they work. Runs on stock erl too.
-module(yield_test).
-include("bt.hrl").
-export([reverse_long_test/0, reverse_long_improper_test/0,
         binary_to_list_long_test/0, list_to_binary_long_test/0,
         iolist_nested_long_test/0, iolist_long_badarg_test/0,
         list_to_bitstring_long_test/0, others_run_meanwhile_test/0,
         sliced_state_is_not_forgeable_test/0]).

n() -> case bt:gc_stress() of true -> 20000; false -> 1000000 end.

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
    unlink(Bumper),
    exit(Bumper, kill),
    ?eq(true, R1),
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
            ?eq([1, 2 | t], beamos:binary_to_list_slice(<<1, 2>>, 0, 2, t))
    end.
