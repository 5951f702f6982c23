%% dfun_target — a module etf_gaps_test loads from binaries (two versions;
%% the second compiled with -DV2), so that funs of it can be decoded while
%% it is not loaded, or loaded in another version (dangling funs). Not on
%% the code path, so a call cannot load it.
-module(dfun_target).
-export([mk/1, version/0]).

-ifdef(V2).
version() -> 2.
mk(X) -> fun(Y) -> {v2, X, Y} end.
-else.
version() -> 1.
mk(X) -> fun(Y) -> {v1, X, Y} end.
-endif.
