%% bench_work: the benchmark bodies run by bench.erl. Each returns a small
%% term (an integer or a tuple of integers) that checks the work was done
%% right, compared between erl and beamos-host by scripts/bench.
-module(bench_work).
-export([fib/1, sort/0, map/0, nbody/0, bignum/0, binary/0, maps/0,
         spawn_exit/0, ring/0, pingpong/0]).

%% calls: doubly recursive fib, ~300k non-tail calls for fib(27).
fib(N) when N < 2 -> N;
fib(N) -> fib(N - 1) + fib(N - 2).

%% lists: sort 200k random integers (fixed seed).
sort() ->
    rand:seed(exsss, {1, 2, 3}),
    L = [rand:uniform(1000000000) || _ <- lists:seq(1, 200000)],
    S = lists:sort(L),
    {length(S), hd(S), lists:last(S), lists:nth(100000, S)}.

%% lists: lists:map over 1M elements, then a fold to consume the result.
map() ->
    L = lists:seq(1, 1000000),
    M = lists:map(fun(X) -> X * 2 + 1 end, L),
    lists:foldl(fun(X, A) -> X + A end, 0, M).

%% floats: 1M steps of a 3-body gravitational system (boxed float
%% arithmetic in tuples), like the shootout nbody but smaller.
nbody() ->
    B0 = [{0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 10.0},
          {1.0, 0.0, 0.0, 0.0, 3.0, 0.0, 0.01},
          {0.0, 2.0, 0.5, -2.2, 0.0, 0.1, 0.02}],
    B = nbody_steps(1000000 div 3, B0),
    {E, _} = lists:foldl(fun({X, Y, Z, _, _, _, _}, {S, I}) ->
                                 {S + round(1000 * (X + Y + Z)) * I, I + 1}
                         end, {0, 1}, B),
    E.

nbody_steps(0, B) -> B;
nbody_steps(N, B) -> nbody_steps(N - 1, nbody_move(nbody_advance(B, 0.001), 0.001)).

%% update velocities pairwise
nbody_advance([], _Dt) -> [];
nbody_advance([A | Rest], Dt) ->
    {A1, Rest1} = nbody_pairs(A, Rest, Dt, []),
    [A1 | nbody_advance(Rest1, Dt)].

nbody_pairs(A, [], _Dt, Acc) -> {A, lists:reverse(Acc)};
nbody_pairs({X1, Y1, Z1, VX1, VY1, VZ1, M1}, [{X2, Y2, Z2, VX2, VY2, VZ2, M2} | T], Dt, Acc) ->
    DX = X1 - X2, DY = Y1 - Y2, DZ = Z1 - Z2,
    D2 = DX * DX + DY * DY + DZ * DZ + 0.01,
    Mag = Dt / (D2 * math:sqrt(D2)),
    A1 = {X1, Y1, Z1, VX1 - DX * M2 * Mag, VY1 - DY * M2 * Mag, VZ1 - DZ * M2 * Mag, M1},
    B1 = {X2, Y2, Z2, VX2 + DX * M1 * Mag, VY2 + DY * M1 * Mag, VZ2 + DZ * M1 * Mag, M2},
    nbody_pairs(A1, T, Dt, [B1 | Acc]).

nbody_move(B, Dt) ->
    [{X + Dt * VX, Y + Dt * VY, Z + Dt * VZ, VX, VY, VZ, M}
     || {X, Y, Z, VX, VY, VZ, M} <- B].

%% bignum: 3000! (about 9131 decimal digits).
bignum() ->
    F = fact(3000, 1),
    {F rem 1000000007, F rem 998244353}.

fact(0, A) -> A;
fact(N, A) -> fact(N - 1, A * N).

%% binaries: build 1 MB by appending a byte at a time, parse it back.
binary() ->
    Bin = bin_build(1 bsl 20, <<>>),
    {byte_size(Bin), bin_sum(Bin, 0)}.

bin_build(0, Acc) -> Acc;
bin_build(N, Acc) -> bin_build(N - 1, <<Acc/binary, (N band 255):8>>).

bin_sum(<<X:8, Rest/binary>>, S) -> bin_sum(Rest, S + X);
bin_sum(<<>>, S) -> S.

%% maps: 100k puts into one map, then 100k gets.
maps() ->
    M = maps_put(100000, #{}),
    {map_size(M), maps_get(100000, M, 0)}.

maps_put(0, M) -> M;
maps_put(N, M) -> maps_put(N - 1, M#{N => N * 3}).

maps_get(0, _M, S) -> S;
maps_get(N, M, S) -> #{N := V} = M, maps_get(N - 1, M, S + V).

%% processes: spawn 20k processes that exit at once; wait for every exit.
spawn_exit() ->
    Refs = [element(2, spawn_monitor(fun() -> ok end)) || _ <- lists:seq(1, 20000)],
    spawn_wait(Refs, 0).

spawn_wait([], N) -> N;
spawn_wait([R | Rs], N) ->
    receive {'DOWN', R, process, _, normal} -> spawn_wait(Rs, N + 1) end.

%% message passing: a ring of 1000 processes, a token goes round 100 times.
ring() ->
    Size = 1000, Rounds = 100,
    Self = self(),
    First = lists:foldl(fun(_, Next) -> spawn(fun() -> ring_node(Next) end) end,
                        Self, lists:seq(1, Size - 1)),
    Hops = ring_drive(First, Rounds, 0),
    First ! stop,
    receive stop -> ok end,
    Hops.

ring_drive(_First, 0, Hops) -> Hops;
ring_drive(First, R, Hops) ->
    First ! {token, 0},
    receive {token, H} -> ring_drive(First, R - 1, Hops + H + 1) end.

ring_node(Next) ->
    receive
        {token, H} -> Next ! {token, H + 1}, ring_node(Next);
        stop -> Next ! stop
    end.

%% message passing: 100k round trips between two processes.
pingpong() ->
    Self = self(),
    Pong = spawn(fun() -> pong() end),
    N = ping(Pong, Self, 100000, 0),
    Pong ! stop,
    N.

ping(_Pong, _Self, 0, N) -> N;
ping(Pong, Self, K, N) ->
    Pong ! {ping, Self, K},
    receive {pong, K} -> ping(Pong, Self, K - 1, N + 1) end.

pong() ->
    receive
        {ping, From, K} -> From ! {pong, K}, pong();
        stop -> ok
    end.
