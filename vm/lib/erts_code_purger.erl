%% erts_code_purger — purging old code, with OTP's API (purge/1 ->
%% {WasOld, DidKill}, soft_purge/1 -> boolean()), which OTP's own
%% erlang:purge_module/1 and our code module call.
%%
%% OTP runs it as a registered server started at boot; here each purge
%% runs in a fresh process registered under this name for its duration,
%% so purges are serialized as in OTP, and the caller itself may run old
%% code (it is then killed like any other process in old code, while the
%% purge goes on). Steps (erts_internal:purge_module/2, docs/code_purge.md):
%% prepare (old funs stop entering old code), ask every process whether it
%% runs old code (check_process_code requests, all in flight at once),
%% kill those that do and wait until they are gone, then complete (the old
%% version leaves the module table; its literals are released by the
%% literal-area collector once every process has copied what it uses).
-module(erts_code_purger).
-export([purge/1, soft_purge/1]).

-spec purge(module()) -> {boolean(), boolean()}.
purge(Mod) when is_atom(Mod) -> run(fun() -> do_purge(Mod) end).

-spec soft_purge(module()) -> boolean().
soft_purge(Mod) when is_atom(Mod) -> run(fun() -> do_soft_purge(Mod) end).

run(F) ->
    {Pid, Ref} = spawn_monitor(fun() -> lock(), exit({?MODULE, F()}) end),
    receive
        {'DOWN', Ref, process, Pid, {?MODULE, Result}} -> Result;
        {'DOWN', Ref, process, Pid, Reason} -> erlang:error(Reason)
    end.

lock() ->
    try register(?MODULE, self()) of
        true -> ok
    catch
        error:badarg ->
            case whereis(?MODULE) of
                undefined -> lock();
                P ->
                    Ref = erlang:monitor(process, P),
                    receive {'DOWN', Ref, process, _, _} -> lock() end
            end
    end.

do_purge(Mod) ->
    case erts_internal:purge_module(Mod, prepare) of
        false -> {false, false};
        true ->
            Old = in_old_code(Mod),
            lists:foreach(fun kill/1, Old),
            _ = erts_internal:purge_module(Mod, complete),
            {true, Old =/= []}
    end.

do_soft_purge(Mod) ->
    case erts_internal:purge_module(Mod, prepare) of
        false -> true;
        true ->
            case in_old_code(Mod) of
                [] ->
                    _ = erts_internal:purge_module(Mod, complete),
                    true;
                _ ->
                    true = erts_internal:purge_module(Mod, abort),
                    false
            end
    end.

%% The processes running old code of Mod: every request is sent before
%% the first answer is awaited.
in_old_code(Mod) ->
    Ref = make_ref(),
    Ps = erlang:processes() -- [self()],
    lists:foreach(fun(P) ->
                          erts_internal:request_system_task(P, normal, {check_process_code, {Ref, P}, Mod})
                  end, Ps),
    [P || P <- Ps, receive {check_process_code, {Ref, P}, R} -> R end].

kill(P) ->
    MRef = erlang:monitor(process, P),
    exit(P, kill),
    receive {'DOWN', MRef, process, P, _} -> ok end.
