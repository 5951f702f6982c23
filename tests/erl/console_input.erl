%% console_input — reads two lines from the console with io:get_line and
%% echoes them, then halts. The image test feeds it through the serial
%% port, so it exercises the UART's receive interrupt (I/O APIC routing),
%% the console server's input side and the Erlang I/O protocol end to end.
%%
%% ticks/0 (run on beamos-host with input that comes a second late): while
%% io:get_line waits, another process's io:format output still goes out
%% (the console server serves output while input is pending), so the three
%% ticks come before the line.
-module(console_input).
-export([start/0, ticks/0]).

start() ->
    L1 = io:get_line("first> "),
    L2 = io:get_line("second> "),
    io:format("~ngot: ~p ~p~n", [L1, L2]),
    halt(0).

ticks() ->
    Self = self(),
    spawn(fun() ->
                  [begin timer:sleep(100), io:format("tick ~p~n", [I]) end || I <- [1, 2, 3]],
                  Self ! ticked
          end),
    L = io:get_line("> "),
    Ticked = receive ticked -> yes after 0 -> no end,
    io:format("got ~p ticked-before-line ~p~n", [L, Ticked]),
    halt(0).
