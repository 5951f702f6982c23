%% bench_ets: ETS benchmarks (see docs/bench.md). Tables of 100k keys;
%% "par" variants run one process per scheduler. A lookup benchmark's table
%% is built once (named, owned by the measuring process, which lives for
%% the warm-up and every iteration), so the figure is lookups only.
-module(bench_ets).
-export([insert/1, lookup/1, insert_par/2, lookup_par/1, counter/0, select/0]).

-define(N, 100000).

%% 100k inserts into a new table of Type (plus the table's creation and deletion).
insert(Type) ->
    T = ets:new(b, [Type, public]),
    fill(T, ?N),
    Size = ets:info(T, size),
    ets:delete(T),
    Size.

fill(_, 0) -> ok;
fill(T, N) -> ets:insert(T, {N, N}), fill(T, N - 1).

%% The named table for Name, built on first use.
table(Name, Opts) ->
    case ets:whereis(Name) of
        undefined ->
            T = ets:new(Name, [named_table, public | Opts]),
            fill(T, ?N),
            T;
        _ -> Name
    end.

%% 100k lookups of present keys (Name says the table's options).
lookup({Name, Opts}) ->
    T = table(Name, Opts),
    lookups(T, ?N, 0).

lookups(_, 0, Acc) -> Acc;
lookups(T, N, Acc) ->
    [{_, V}] = ets:lookup(T, N),
    lookups(T, N - 1, Acc + V).

%% One process per scheduler, each 100k lookups of the same table (the
%% check is per process, so it does not depend on the scheduler count).
lookup_par({Name, Opts}) ->
    T = table(Name, Opts),
    par(fun() -> lookups(T, ?N, 0) end) div erlang:system_info(schedulers).

%% One process per scheduler, each inserting its own 100k / schedulers keys.
insert_par(Type, Opts) ->
    T = ets:new(b, [Type, public | Opts]),
    S = erlang:system_info(schedulers),
    Per = ?N div S,
    par_n(S, fun(I) -> fill_range(T, I * Per + 1, (I + 1) * Per) end),
    Size = ets:info(T, size),
    ets:delete(T),
    Size.

fill_range(_, A, B) when A > B -> ok;
fill_range(T, A, B) -> ets:insert(T, {A, A}), fill_range(T, A + 1, B).

%% update_counter contention: one process per scheduler, 50k increments each
%% of one key of a write_concurrency table.
counter() ->
    T = ets:new(b, [set, public, {write_concurrency, true}]),
    ets:insert(T, {c, 0}),
    S = erlang:system_info(schedulers),
    par_n(S, fun(_) -> incr(T, 50000) end),
    [{c, V}] = ets:lookup(T, c),
    ets:delete(T),
    V div S.

incr(_, 0) -> ok;
incr(T, N) -> ets:update_counter(T, c, 1), incr(T, N - 1).

%% select over 100k objects of a set: the objects whose value is even.
select() ->
    T = table(bench_ets_select, []),
    length(ets:select(T, [{{'$1', '$2'}, [{'=:=', {'rem', '$2', 2}, 0}], ['$1']}])).

par(F) -> par_n(erlang:system_info(schedulers), fun(_) -> F() end).

par_n(S, F) ->
    Self = self(),
    Pids = [spawn_opt(fun() -> Self ! {self(), F(I)} end, [link]) || I <- lists:seq(0, S - 1)],
    lists:sum([receive {P, R} when is_integer(R) -> R; {P, _} -> 1 end || P <- Pids]).
