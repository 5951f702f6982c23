%% Hot code loading with two versions per module: check_process_code,
%% code:purge/soft_purge and the release of old literals and replaced
%% persistent_term values (docs/code_purge.md). purge_target is loaded from
%% a binary embedded at build time (purge_target_beam.hrl), twice, so the
%% first load becomes old code. Runs on stock erl too: every assertion is
%% OTP's behaviour. A use-after-free here shows under ASan.
-module(purge_test).
-include("bt.hrl").
-include("purge_target_beam.hrl").
-export([check_and_purge_test/0, soft_purge_no_old_test/0, fun_holder_test/0,
         literal_everywhere_test/0,
         persistent_term_release_test/0, persistent_term_erase_test/0]).

-define(M, purge_target).

%% No purge_target at all: purge old code, delete current, purge again.
clean() ->
    _ = code:purge(?M),
    _ = code:delete(?M),
    _ = code:purge(?M),
    false = erlang:check_old_code(?M),
    ok.

load(1) -> ?eq({module, ?M}, erlang:load_module(?M, ?PURGE_TARGET_V1));
load(2) -> ?eq({module, ?M}, erlang:load_module(?M, ?PURGE_TARGET_V2)).

%% Keeps L (a literal of purge_target's first version) and answers with
%% what it computes from it.
holder(L) ->
    receive
        {get, From} -> From ! {term, L}, holder(L);
        {t2b, From} -> From ! {t2b, term_to_binary(L)}, holder(L);
        {hash, From} -> From ! {hash, erlang:phash2(L)}, holder(L);
        stop -> ok
    end.

ask(P, What) ->
    P ! {What, self()},
    receive {Tag, V} when Tag =:= What; Tag =:= term, What =:= get -> V
    after 10000 -> erlang:error({no_answer, What})
    end.

%% Polls Cond every 50 ms, at most N times.
settles(Cond, N) ->
    churn(),
    case Cond() of
        true -> true;
        false when N > 0 -> timer:sleep(50), settles(Cond, N - 1);
        false -> false
    end.

churn() -> lists:foreach(fun(_) -> _ = lists:seq(1, 2000), ok end, lists:seq(1, 200)).

check_and_purge_test() ->
    clean(),
    load(1),
    Expected = ?M:big(),
    Holder = spawn(fun() -> holder(?M:big()) end),
    Looper = spawn(fun() -> ?M:loop(0) end),
    Looper ! {self(), ping},
    receive {pong, 0} -> ok end,
    load(2),                                  % the first version is now old code
    ?true(erlang:check_old_code(?M)),
    ?eq(2, ?M:version()),
    ?eq(true, erlang:check_process_code(Looper, ?M)),
    ?eq(false, erlang:check_process_code(Holder, ?M)),
    ?eq(false, erlang:check_process_code(self(), ?M)),
    ?eq(true, erlang:check_process_code(Looper, ?M, [{allow_gc, true}])),
    ?eq(false, erlang:check_process_code(Holder, ?M, [])),
    ReqId = make_ref(),
    ?eq(async, erlang:check_process_code(Looper, ?M, [{async, ReqId}])),
    receive {check_process_code, ReqId, R} -> ?eq(true, R) after 10000 -> erlang:error(no_async_answer) end,
    ?raises(error, badarg, erlang:check_process_code(Looper, ?M, [bad])),
    %% a dead process runs no code
    {Dead, DRef} = spawn_monitor(fun() -> ok end),
    receive {'DOWN', DRef, process, Dead, _} -> ok end,
    ?eq(false, erlang:check_process_code(Dead, ?M)),
    %% soft_purge refuses while Looper runs old code, and changes nothing
    ?eq(false, code:soft_purge(?M)),
    ?true(erlang:check_old_code(?M)),
    ?true(is_process_alive(Looper)),
    Looper ! {self(), ping},
    receive {pong, 1} -> ok end,
    %% purge kills Looper (true: a process was killed) and keeps Holder
    LRef = erlang:monitor(process, Looper),
    ?eq(true, code:purge(?M)),
    receive {'DOWN', LRef, process, Looper, Why} -> ?eq(killed, Why) after 10000 -> erlang:error(not_killed) end,
    ?eq(false, erlang:check_old_code(?M)),
    ?true(is_process_alive(Holder)),
    ?eq(false, code:purge(?M)),               % nothing left to purge: nobody killed
    %% the old literal area is released after every process copied out
    %% what it uses; Holder's copy must stay intact through that and later
    timer:sleep(100),
    churn(),
    [begin
         ?eq(Expected, ask(Holder, get)),
         ?eq(term_to_binary(Expected), ask(Holder, t2b)),
         ?eq(erlang:phash2(Expected), ask(Holder, hash)),
         churn(),
         timer:sleep(20)
     end || _ <- lists:seq(1, 3)],
    %% a new generation over the current code works as before
    load(1),
    ?eq(false, erlang:check_process_code(Holder, ?M)),
    ?eq(true, code:soft_purge(?M)),
    ?eq(Expected, ask(Holder, get)),
    Holder ! stop,
    clean().

soft_purge_no_old_test() ->
    clean(),
    load(1),
    ?eq(true, code:soft_purge(?M)),           % no old code: true, nothing to do
    ?eq(false, code:purge(?M)),
    ?eq(false, erlang:check_process_code(self(), ?M)),
    clean().

%% Holding a fun of the old code is not running it (OTP 25): the holder
%% survives the purge, and calling the fun afterwards raises badfun.
fun_holder_test() ->
    clean(),
    load(1),
    Self = self(),
    P = spawn(fun() ->
                      F = ?M:fun0(7),
                      Self ! {ready, F(0)},
                      receive {call, From} -> From ! {called, catch F(1)} end
              end),
    receive {ready, {7, 0, 1, _}} -> ok end,
    load(2),
    ?eq(false, erlang:check_process_code(P, ?M)),
    ?eq(true, code:soft_purge(?M)),
    ?true(is_process_alive(P)),
    P ! {call, self()},
    receive
        {called, {'EXIT', {{badfun, F}, _}}} -> ?true(is_function(F, 1))
    after 10000 -> erlang:error(no_answer)
    end,
    clean().

%% An old literal copied everywhere a term can wait outside a process's
%% heap (an ETS table, persistent_term, a timer's message, an unreceived
%% message) and passed around a ring of processes while the module is
%% purged: every copy stays intact after the old literal area is freed.
literal_everywhere_test() ->
    clean(),
    load(1),
    L = ?M:big(),
    T = ets:new(?MODULE, [public]),
    true = ets:insert(T, {k, L}),
    persistent_term:put({?MODULE, lit}, L),
    erlang:send_after(200, self(), {timer, L}),
    Self = self(),
    Q = spawn(fun() -> receive go -> ok end, receive {m, X} -> Self ! {q, X} end end),
    Q ! {m, L},
    Ring = ring(8, L),
    load(2),
    ?eq(false, code:purge(?M)),               % nobody runs the old code
    Expected = ?M:big(),
    ?true(Expected =:= L),
    settles(fun() -> false end, 4),
    Q ! go,
    receive {q, QV} -> ?eq(Expected, QV) after 10000 -> erlang:error(no_q) end,
    receive {timer, TV} -> ?eq(Expected, TV) after 10000 -> erlang:error(no_timer) end,
    ?eq([{k, Expected}], ets:lookup(T, k)),
    ?eq(Expected, persistent_term:get({?MODULE, lit})),
    Ring ! {stop, self()},
    receive {ring, RV, Laps} -> ?eq(Expected, RV), ?true(Laps > 0) after 10000 -> erlang:error(no_ring) end,
    ?eq(Expected, L),
    ets:delete(T),
    persistent_term:erase({?MODULE, lit}),
    clean().

%% N processes passing a term round a ring until told to stop; the first
%% answers with the term and the laps it saw.
ring(N, Term) ->
    First = spawn(fun() -> ring_first() end),
    Last = lists:foldl(fun(_, Next) -> spawn(fun() -> ring_node(Next) end) end, First, lists:seq(2, N)),
    First ! {next, Last},
    First ! {token, Term, 0},
    First.

ring_first() -> receive {next, Next} -> ring_first(Next) end.
ring_first(Next) ->
    receive
        {token, Term, Laps} ->
            receive
                {stop, From} -> Next ! stop, From ! {ring, Term, Laps}
            after 0 -> Next ! {token, Term, Laps + 1}, ring_first(Next)
            end
    end.

ring_node(Next) ->
    receive
        {token, Term, Laps} -> Next ! {token, Term, Laps}, ring_node(Next);
        stop -> Next ! stop
    end.

value(I) -> {I, lists:seq(1, 4000), list_to_binary(lists:duplicate(1000, I rem 256)), "tail"}.

reader(V) ->
    receive
        {check, From} -> From ! {checked, V =:= value(0), term_to_binary(V) =:= term_to_binary(value(0))}, reader(V);
        stop -> ok
    end.

%% Replacing a large value 200 times: the replaced values are released,
%% so memory stays bounded (about 40 KB words each: 200 x 100 KB kept
%% would be 20 MB), while a reader keeps using the first value correctly.
persistent_term_release_test() ->
    Key = {?MODULE, big},
    persistent_term:put(Key, value(0)),
    Self = self(),
    Reader = spawn(fun() -> V = persistent_term:get(Key), Self ! got, reader(V) end),
    receive got -> ok end,
    N = case bt:gc_stress() of true -> 20; false -> 200 end,
    persistent_term:put(Key, value(1)),
    timer:sleep(50),
    Before = erlang:memory(total),
    [begin
         persistent_term:put(Key, value(I)),
         ?eq(value(I), persistent_term:get(Key)),
         if I rem 20 =:= 0 -> timer:sleep(5); true -> ok end
     end || I <- lists:seq(2, N)],
    %% releases finish as every process gets to run (slow under TCG)
    ?true(settles(fun() -> erlang:memory(total) - Before < 8 * 1024 * 1024 end, 100)),
    Reader ! {check, self()},
    receive {checked, A, B} -> ?eq({true, true}, {A, B}) after 10000 -> erlang:error(no_reader) end,
    ?eq(value(N), persistent_term:get(Key)),
    ?true(persistent_term:erase(Key)),
    Reader ! {check, self()},
    receive {checked, A2, B2} -> ?eq({true, true}, {A2, B2}) after 10000 -> erlang:error(no_reader) end,
    Reader ! stop.

persistent_term_erase_test() ->
    Key = {?MODULE, erased},
    persistent_term:put(Key, {value(5), self()}),
    V = persistent_term:get(Key),
    ?true(persistent_term:erase(Key)),
    ?eq(false, persistent_term:erase(Key)),
    ?eq(none, persistent_term:get(Key, none)),
    timer:sleep(50),
    churn(),
    ?eq({value(5), self()}, V).
