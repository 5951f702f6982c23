%% Helper of onload_test: an -on_load function that succeeds, counting
%% its runs in a persistent_term and telling onload_test's probe.
-module(onload_ok).
-on_load(init/0).
-export([value/0]).
init() ->
    persistent_term:put({?MODULE, runs}, persistent_term:get({?MODULE, runs}, 0) + 1),
    case whereis(onload_test_probe) of
        undefined -> ok;
        P -> P ! {on_load_ran, ?MODULE}, ok
    end.
value() -> persistent_term:get({?MODULE, runs}, not_initialised).
