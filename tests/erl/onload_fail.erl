%% Helper of onload_test: an -on_load function that refuses.
-module(onload_fail).
-on_load(init/0).
-export([value/0]).
init() -> {error, refused}.
value() -> loaded.
