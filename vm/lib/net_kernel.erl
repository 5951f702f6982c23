%% net_kernel — the part of OTP's net_kernel API that local code needs
%% before distribution exists: io asks it whether an I/O server's node
%% understands unicode I/O requests. Every node BeamOS talks to today is
%% itself, and its I/O servers do. Distribution replaces this module.
-module(net_kernel).
-export([dflag_unicode_io/1]).

dflag_unicode_io(Pid) when is_pid(Pid) -> true.
