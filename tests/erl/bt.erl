%% bt — BeamOS's Erlang test runner. The same module runs on stock erl (the
%% differential check: the tests assert OTP's behaviour), on beamos-host and
%% inside the booted image.
%%
%%   bt:main([Mod, ...])   run every exported Mod:Name/0 whose name ends in
%%                         "_test", print "ok - Mod:Name" or
%%                         "FAIL - Mod:Name: Class:Reason", then
%%                         "N passed, N failed", and halt with status 0 (all
%%                         passed) or 1.
%%
%% Each test runs in its own process (so a crash, a leaked message or a
%% trap_exit flag cannot affect the next) and is bounded by a timeout.
-module(bt).
-export([main/1, run/1, gc_stress/0, settle/1]).

%% True on the GC_STRESS build of beamos-host (a collection at every heap
%% check copies everything live, so big inputs turn quadratic there):
%% tests shrink their largest inputs when it is true. False on stock erl.
gc_stress() -> (catch beamos:gc_stress()) =:= true.

%% Returns once process P waits in a receive with every message it was
%% sent looked at; polls for up to 20 s (a loaded -smp 4 image under TCG is
%% slow), then fails saying what P was doing instead (undefined: it died).
settle(P) ->
    settle(P, erlang:monotonic_time(millisecond) + 20000).
settle(P, Deadline) ->
    case process_info(P, status) of
        {status, waiting} -> ok;
        Other ->
            case erlang:monotonic_time(millisecond) > Deadline of
                true -> error({not_waiting, P, Other});
                false -> timer:sleep(5), settle(P, Deadline)
            end
    end.

%% Each test's bound, in ms: 60000, or $BT_TIMEOUT_MS (the GC_STRESS build,
%% which collects at every heap check, needs longer; it is a bound on a
%% hung test, never a measurement).
timeout_ms() ->
    case os:getenv("BT_TIMEOUT_MS") of
        false -> 60000;
        V -> list_to_integer(V)
    end.

main(Args) ->
    Mods = [to_atom(A) || A <- Args],
    {Passed, Failed} = run(Mods),
    io:format("~b passed, ~b failed~n", [Passed, Failed]),
    halt(case Failed of 0 -> 0; _ -> 1 end).

to_atom(A) when is_atom(A) -> A;
to_atom(A) when is_list(A) -> list_to_atom(A).

run(Mods) ->
    lists:foldl(fun(M, Acc) -> run_module(M, Acc) end, {0, 0}, Mods).

run_module(Mod, {P, F}) ->
    case catch Mod:module_info(exports) of
        Exports when is_list(Exports) ->
            Tests = [Name || {Name, 0} <- Exports, is_test(Name)],
            lists:foldl(fun(T, {P1, F1}) ->
                                case run_one(Mod, T) of
                                    ok -> {P1 + 1, F1};
                                    _ -> {P1, F1 + 1}
                                end
                        end, {P, F}, Tests);
        Other ->
            io:format("FAIL - ~p: cannot load: ~p~n", [Mod, Other]),
            {P, F + 1}
    end.

is_test(Name) ->
    lists:suffix("_test", atom_to_list(Name)).

run_one(Mod, Test) ->
    Parent = self(),
    {Pid, Ref} = spawn_monitor(fun() ->
                                       Result = try Mod:Test() of
                                                    _ -> ok
                                                catch Class:Reason:Stack ->
                                                        {failed, Class, Reason, Stack}
                                                end,
                                       Parent ! {self(), Result}
                               end),
    receive
        {Pid, ok} ->
            receive {'DOWN', Ref, _, _, _} -> ok end,
            io:format("ok - ~p:~p~n", [Mod, Test]),
            ok;
        {Pid, {failed, Class, Reason, Stack}} ->
            receive {'DOWN', Ref, _, _, _} -> ok end,
            io:format("FAIL - ~p:~p: ~p:~P~n    at ~P~n",
                      [Mod, Test, Class, Reason, 30, Stack, 20]),
            failed;
        {'DOWN', Ref, process, Pid, Why} ->
            io:format("FAIL - ~p:~p: process died: ~P~n", [Mod, Test, Why, 30]),
            failed
    after timeout_ms() ->
            exit(Pid, kill),
            io:format("FAIL - ~p:~p: timed out after ~b ms~n", [Mod, Test, timeout_ms()]),
            failed
    end.
