%% erlang:spawn_request/1..5 and spawn_request_abandon/1 on this node, and
%% spawn_opt's {monitor, MonitorOpts}. Runs on stock erl too.
-module(spawn_request_test).
-include("bt.hrl").
-export([reply_test/0, reply_first_test/0, monitor_test/0, monitor_tag_test/0,
         link_test/0, reply_options_test/0, mfa_test/0, bad_arguments_test/0,
         abandon_test/0, spawn_opt_monitor_opts_test/0, cmp_term_test/0]).

reply_test() ->
    Me = self(),
    R = spawn_request(fun() -> Me ! {child, self()} end),
    ?true(is_reference(R)),
    Pid = receive {spawn_reply, R, ok, P} -> P after 5000 -> timeout end,
    ?true(is_pid(Pid)),
    ?eq(Pid, receive {child, C} -> C after 5000 -> timeout end).

%% The reply comes before anything the child sends.
reply_first_test() ->
    Me = self(),
    [begin
         R = spawn_request(fun() -> Me ! hello end, [{priority, high}]),
         ?eq({spawn_reply, R}, receive M -> {element(1, M), element(2, M)} after 5000 -> timeout end),
         ?eq(hello, receive hello -> hello after 5000 -> timeout end)
     end || _ <- lists:seq(1, 20)],
    ok.

monitor_test() ->
    R = spawn_request(fun() -> exit(boom) end, [monitor]),
    Pid = receive {spawn_reply, R, ok, P} -> P after 5000 -> timeout end,
    ?eq({'DOWN', R, process, Pid, boom}, receive {'DOWN', R, _, _, _} = D -> D after 5000 -> timeout end).

monitor_tag_test() ->
    R = spawn_request(fun() -> ok end, [{monitor, [{tag, done}]}, {reply_tag, started}]),
    Pid = receive {started, R, ok, P} -> P after 5000 -> timeout end,
    ?eq({done, R, process, Pid, normal}, receive {done, R, _, _, _} = D -> D after 5000 -> timeout end).

link_test() ->
    process_flag(trap_exit, true),
    R = spawn_request(fun() -> exit(linked) end, [link]),
    Pid = receive {spawn_reply, R, ok, P} -> P after 5000 -> timeout end,
    ?eq({'EXIT', Pid, linked}, receive {'EXIT', Pid, _} = E -> E after 5000 -> timeout end).

%% {reply, no | error_only}: no reply for a spawn that worked;
%% success_only: the reply as usual.
reply_options_test() ->
    Me = self(),
    R1 = spawn_request(fun() -> Me ! one end, [{reply, no}]),
    ?eq(one, receive one -> one after 5000 -> timeout end),
    R2 = spawn_request(fun() -> Me ! two end, [{reply, error_only}]),
    ?eq(two, receive two -> two after 5000 -> timeout end),
    R3 = spawn_request(fun() -> ok end, [{reply, success_only}]),
    ?eq(ok, receive {spawn_reply, R3, ok, _} -> ok after 5000 -> timeout end),
    ?eq(none, receive {spawn_reply, R, _, _} when R =:= R1; R =:= R2 -> got after 100 -> none end).

mfa_test() ->
    R = spawn_request(erlang, send, [self(), from_mfa]),
    ?eq(ok, receive {spawn_reply, R, ok, _} -> ok after 5000 -> timeout end),
    ?eq(from_mfa, receive from_mfa -> from_mfa after 5000 -> timeout end),
    R2 = spawn_request(node(), erlang, send, [self(), from_node], []),
    ?eq(ok, receive {spawn_reply, R2, ok, _} -> ok after 5000 -> timeout end),
    ?eq(from_node, receive from_node -> from_node after 5000 -> timeout end).

%% A bad option in a proper list is an error reply (badopt), in which
%% the reply options still count; anything else in the list is badarg.
bad_arguments_test() ->
    F = fun() -> ok end,
    [begin
         R = spawn_request(F, Opts),
         ?eq({spawn_reply, R, error, badopt},
             receive {spawn_reply, R, _, _} = M -> M after 5000 -> timeout end)
     end || Opts <- [[bad_option], [{reply, maybe}], [{monitor, [{alias, sometimes}]}],
                     [{priority, bogus}]]],
    R1 = spawn_request(F, [{reply_tag, oops}, bad_option]),
    ?eq({oops, R1, error, badopt}, receive {oops, R1, _, _} = M1 -> M1 after 5000 -> timeout end),
    _ = spawn_request(F, [{reply, no}, bad_option]),
    ?raises(error, badarg, spawn_request(F, not_a_list)),
    ?raises(error, badarg, spawn_request(F, [link | improper])),
    ?raises(error, badarg, spawn_request(erlang, send, [a | b], [])),
    ?raises(error, badarg, spawn_request(erlang, "send", [])),
    %% a spawn_opt list without spawn_request's own options
    ?raises(error, badarg, spawn_opt(F, [{reply, no}])),
    ?eq(none, receive Any -> Any after 100 -> none end).

%% A local request has completed once spawn_request returns.
abandon_test() ->
    R = spawn_request(fun() -> ok end),
    receive {spawn_reply, R, ok, _} -> ok after 5000 -> error(no_reply) end,
    ?eq(false, spawn_request_abandon(R)),
    ?eq(false, spawn_request_abandon(make_ref())),
    ?raises(error, badarg, spawn_request_abandon(not_a_ref)).

spawn_opt_monitor_opts_test() ->
    {Pid, Ref} = spawn_opt(fun() -> exit(tagged) end, [{monitor, [{tag, my_down}]}]),
    ?eq({my_down, Ref, process, Pid, tagged}, receive {my_down, Ref, _, _, _} = D -> D after 5000 -> timeout end),
    %% an alias monitor: messages to the reference reach us until it is down
    Me = self(),
    {Pid2, Ref2} = spawn_opt(fun() -> receive {go, A} -> A ! {via_alias, self()} end end,
                             [{monitor, [{alias, demonitor}]}]),
    Pid2 ! {go, Ref2},
    ?eq({via_alias, Pid2}, receive {via_alias, _} = M -> M after 5000 -> timeout end),
    ?eq(normal, receive {'DOWN', Ref2, process, Pid2, Why} -> Why after 5000 -> timeout end),
    Me ! done, receive done -> ok end.

cmp_term_test() ->
    ?eq(-1, erts_internal:cmp_term(1, 1.0)),
    ?eq(1, erts_internal:cmp_term(1.0, 1)),
    ?eq(0, erts_internal:cmp_term({a, [1]}, {a, [1]})),
    ?eq(-1, erts_internal:cmp_term(a, "a")),
    ?eq(1, erts_internal:cmp_term(<<2>>, <<1, 0>>)).
