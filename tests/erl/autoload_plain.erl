%% Helper of onload_test: a plain module (no -on_load) that many processes
%% call at the same moment while it is not loaded, so that schedulers race
%% to autoload it. The clauses only make translation take a while.
-module(autoload_plain).
-export([value/0, classify/1]).
value() -> lists:sum([classify(X) || X <- [a, 1, 2.0, "s", <<"b">>, {t}, #{}, [], self()]]).
classify(X) when is_atom(X) -> 1;
classify(X) when is_integer(X) -> 2;
classify(X) when is_float(X) -> 3;
classify([_ | _]) -> 4;
classify(X) when is_binary(X) -> 5;
classify(X) when is_tuple(X) -> 6;
classify(X) when is_map(X) -> 7;
classify([]) -> 8;
classify(X) when is_pid(X) -> 9;
classify(_) -> 0.
