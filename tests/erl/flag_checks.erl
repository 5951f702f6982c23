%% flag_checks — command-line flags that scripts/run-tests checks on
%% beamos-host (each function prints one line and halts).
%%
%%   slices/0  a process makes 1,000,000 calls; prints "slices N", the
%%             context switches meanwhile: about 1M / the reductions per
%%             time slice (+reds N, default 2000).
-module(flag_checks).
-export([slices/0]).

slices() ->
    Self = self(),
    {CS0, _} = statistics(context_switches),
    spawn(fun() -> spin(1000000), Self ! done end),
    receive done -> ok end,
    {CS1, _} = statistics(context_switches),
    io:format("slices ~p~n", [CS1 - CS0]),
    halt(0).

spin(0) -> ok;
spin(N) -> spin(N - 1).
