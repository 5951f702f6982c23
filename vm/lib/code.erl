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

ensure_loaded(Mod) when is_atom(Mod) ->
    case beamos:autoload(Mod) of
        true -> {module, Mod};
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
        {error, What} -> {error, What}
    end;
load_binary(_, _, _) -> erlang:error(badarg).

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
