%% code — BeamOS's code module, in place of OTP's code server. Modules are
%% loaded on demand from the boot archive (and, on beamos-host, the code
%% path) by the VM itself; this module offers OTP's code API over that:
%% ensure_loaded, is_loaded, load_binary, purge, soft_purge, delete,
%% which, all_loaded, ensure_modules_loaded, get_object_code is not
%% available (there is no file system) and raises undef like everything
%% this module does not export.
-module(code).
-export([ensure_loaded/1, ensure_modules_loaded/1, is_loaded/1, load_binary/3,
         purge/1, soft_purge/1, delete/1, which/1, all_loaded/0,
         is_sticky/1, get_path/0, root_dir/0, lib_dir/0, module_status/1]).
%% called by the emulator (a call to a module whose on_load has not run)
-export([on_load_apply/3]).

ensure_loaded(Mod) when is_atom(Mod) ->
    case beamos:autoload(Mod) of
        true -> {module, Mod};
        on_load -> run_on_load(Mod);
        false -> {error, nofile}
    end;
ensure_loaded(_) -> erlang:error(badarg).

ensure_modules_loaded(Mods) when is_list(Mods) ->
    case [{M, nofile} || M <- Mods, ensure_loaded(M) =/= {module, M}] of
        [] -> ok;
        Errors -> {error, Errors}
    end.

is_loaded(Mod) when is_atom(Mod) ->
    case erlang:module_loaded(Mod) of
        true -> {file, preloaded};
        false -> false
    end.

load_binary(Mod, _File, Bin) when is_atom(Mod), is_binary(Bin) ->
    case erlang:check_old_code(Mod) of
        true -> erlang:purge_module(Mod);
        false -> ok
    end,
    case erlang:load_module(Mod, Bin) of
        {module, Mod} -> {module, Mod};
        {error, on_load} -> run_on_load(Mod);
        {error, What} -> {error, What}
    end;
load_binary(_, _, _) -> erlang:error(badarg).

%% -on_load, as OTP's code server does it: the function runs in a process
%% of its own; the new version becomes current only if it returns ok,
%% else it is dropped and the answer is {error, on_load_failure}. A
%% caller that finds another process running it waits for the outcome.
run_on_load(Mod) ->
    {Pid, Ref} = spawn_monitor(fun() -> exit({on_load_result, call_on_load(Mod)}) end),
    receive
        {'DOWN', Ref, process, Pid, {on_load_result, busy}} ->
            wait_on_load(Mod);
        {'DOWN', Ref, process, Pid, {on_load_result, ok}} ->
            erlang:finish_after_on_load(Mod, true),
            {module, Mod};
        {'DOWN', Ref, process, Pid, Why} ->
            erlang:finish_after_on_load(Mod, false),
            Result = case Why of {on_load_result, R} -> R; _ -> Why end,
            io:format("=ERROR REPORT==== The on_load function for module ~ts returned:~n~tP~n~n",
                      [Mod, Result, 20]),
            {error, on_load_failure}
    end.

call_on_load(Mod) ->
    try erlang:call_on_load_function(Mod)
    catch
        Class:Reason:Stack ->
            case {Reason, Stack} of
                {badarg, [{erlang, call_on_load_function, _, _} | _]} -> busy;
                _ -> {Class, Reason, Stack}
            end
    end.

wait_on_load(Mod) ->
    case erlang:module_loaded(Mod) of
        true -> {module, Mod};
        false ->
            case beamos:on_load_pending(Mod) of
                true -> receive after 1 -> wait_on_load(Mod) end;
                false -> {error, on_load_failure}
            end
    end.

on_load_apply(M, F, Args) ->
    case ensure_loaded(M) =:= {module, M} andalso erlang:function_exported(M, F, length(Args)) of
        true -> apply(M, F, Args);
        false -> erlang:raise(error, undef, [{M, F, Args, []}])
    end.

%% As OTP's code server: processes running old code are killed first;
%% true if any was.
purge(Mod) when is_atom(Mod) ->
    {_WasOld, DidKill} = erts_code_purger:purge(Mod),
    DidKill.

%% Purges only if no process runs old code of Mod (true; also when there
%% is no old code), else false.
soft_purge(Mod) when is_atom(Mod) -> erts_code_purger:soft_purge(Mod).

delete(Mod) when is_atom(Mod) -> erlang:delete_module(Mod) =:= true.

which(Mod) when is_atom(Mod) ->
    case erlang:module_loaded(Mod) of
        true -> preloaded;
        false -> non_existing
    end.

all_loaded() -> [{M, preloaded} || M <- erlang:loaded()].

is_sticky(_Mod) -> false.
%% The directories searched after the boot archive (none in the image).
get_path() -> beamos:code_path().
root_dir() -> "/".
lib_dir() -> "/lib".
module_status(Mod) ->
    case erlang:module_loaded(Mod) of
        true -> loaded;
        false -> not_loaded
    end.
