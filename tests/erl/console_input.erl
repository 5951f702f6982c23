%% console_input — reads two lines from the console with io:get_line and
%% echoes them, then halts. The image test feeds it through the serial
%% port, so it exercises the UART's receive interrupt (I/O APIC routing),
%% the console server's input side and the Erlang I/O protocol end to end.
-module(console_input).
-export([start/0]).

start() ->
    L1 = io:get_line("first> "),
    L2 = io:get_line("second> "),
    io:format("~ngot: ~p ~p~n", [L1, L2]),
    halt(0).
