%% hello — the application `make run` boots by default: it shows the VM at
%% work, then powers the machine off.
-module(hello).
-export([start/0]).

start() ->
    io:format("~nHello from BeamOS: Erlang/OTP ~s modules on ~p scheduler(s)~n",
              [erlang:system_info(otp_release), erlang:system_info(schedulers)]),
    N = 1000,
    Parent = self(),
    T0 = erlang:monotonic_time(microsecond),
    Pids = [spawn(fun() -> Parent ! {self(), I * I} end) || I <- lists:seq(1, N)],
    Sum = lists:sum([receive {P, Sq} -> Sq end || P <- Pids]),
    T1 = erlang:monotonic_time(microsecond),
    io:format("~b processes spawned, each squared a number: sum = ~b (~b us)~n", [N, Sum, T1 - T0]),
    io:format("fib(25) = ~b, 2^100 = ~b~n", [fib(25), 1 bsl 100]),
    io:format("lists:sort of 10000 random numbers: first ~p~n",
              [hd(lists:sort([rand:uniform(1000000) || _ <- lists:seq(1, 10000)]))]),
    halt(0).

fib(N) when N < 2 -> N;
fib(N) -> fib(N - 1) + fib(N - 2).
