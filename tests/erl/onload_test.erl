%% -on_load: the function runs once, before any call of the module gets
%% through; a module whose function does not return ok is not loaded.
%% The helper modules onload_ok, onload_fail and onload_slow are loaded on
%% demand by these tests (each test is the first to touch its module).
%% Runs on stock erl too.
-module(onload_test).
-include("bt.hrl").
-export([call_runs_on_load_test/0, failure_test/0, concurrent_callers_test/0,
         concurrent_autoload_test/0]).

call_runs_on_load_test() ->
    ?eq(false, erlang:module_loaded(onload_ok)),
    %% the first call loads the module and runs init/0 before value/0
    ?eq(1, onload_ok:value()),
    ?eq(true, erlang:module_loaded(onload_ok)),
    ?eq({module, onload_ok}, code:ensure_loaded(onload_ok)),
    ?eq(1, onload_ok:value()).

failure_test() ->
    ?eq({error, on_load_failure}, code:ensure_loaded(onload_fail)),
    ?eq(false, erlang:module_loaded(onload_fail)),
    ?raises(error, undef, onload_fail:value()),
    ?eq(false, erlang:module_loaded(onload_fail)).

concurrent_callers_test() ->
    register(onload_test_probe, self()),
    Me = self(),
    Pids = [spawn(fun() -> Me ! {self(), onload_slow:value()} end) || _ <- lists:seq(1, 8)],
    Answers = [receive {P, V} -> V after 10000 -> timeout end || P <- Pids],
    unregister(onload_test_probe),
    ?eq(lists:duplicate(8, ready), Answers),
    ?eq([onload_slow], ran()).

ran() -> receive {on_load_ran, M} -> [M | ran()] after 0 -> [] end.

%% Processes on several schedulers call a module that is not loaded at the
%% same moment: every call gets through, and the module is loaded once
%% (a second load would make the first old code, a third fail).
concurrent_autoload_test() ->
    Me = self(),
    [begin
         _ = code:purge(autoload_plain),
         _ = code:delete(autoload_plain),
         _ = code:purge(autoload_plain),
         ?eq(false, erlang:module_loaded(autoload_plain)),
         Pids = [spawn(fun() -> receive go -> Me ! {self(), autoload_plain:value()} end end)
                 || _ <- lists:seq(1, 16)],
         [P ! go || P <- Pids],
         Answers = [receive {P, V} -> V after 10000 -> timeout end || P <- Pids],
         ?eq(lists:duplicate(16, 45), Answers),
         ?eq(false, erlang:check_old_code(autoload_plain))
     end || _ <- lists:seq(1, 5)],
    ok.
