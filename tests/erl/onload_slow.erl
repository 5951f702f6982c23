%% Helper of onload_test: a slow -on_load function, so that several
%% processes call the module while it runs.
-module(onload_slow).
-on_load(init/0).
-export([value/0]).
init() ->
    receive after 100 -> ok end,
    case whereis(onload_test_probe) of
        undefined -> ok;
        P -> P ! {on_load_ran, ?MODULE}, ok
    end.
value() -> ready.
