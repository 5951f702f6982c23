%% init — BeamOS's first process, in place of OTP's preloaded init.
%%
%% The VM spawns init:boot(Args) with the command line words (erl's flags).
%% init starts the console I/O server (registered `user`, the group leader of
%% everything started from here), then runs the -s, -run and -eval requests
%% in command-line order in a process of their own, as erl does. The node
%% keeps running afterwards until some process calls halt/0,1 or init:stop/0,1.
%% The argument accessors are OTP's: get_arguments/0, get_argument/1,
%% get_plain_arguments/0.
-module(init).
-export([boot/1, stop/0, stop/1, get_arguments/0, get_argument/1,
         get_plain_arguments/0, script_id/0, get_status/0, restart/0, reboot/0,
         run_requests/1]).

boot(Args) ->
    register(init, self()),
    User = beamos_console:start(),
    group_leader(User, self()),
    put(boot_args, Args),
    {Flags, Plain} = parse(Args),
    put(flags, Flags),
    put(plain, Plain),
    Requests = [R || {F, _} = R <- Flags, lists:member(F, ["-s", "-run", "-eval"])],
    Runner = spawn_link(?MODULE, run_requests, [Requests]),
    group_leader(User, Runner),
    process_flag(trap_exit, true),
    loop(Runner).

loop(Runner) ->
    receive
        {'EXIT', Runner, normal} -> loop(none);
        {'EXIT', Runner, Reason} ->
            %% Report with the I/O system if it works, else directly.
            try io:format("init: boot request failed: ~p~n", [Reason])
            catch _:_ ->
                    beamos:console_write(<<"init: boot request failed: ">>),
                    erlang:display(Reason)
            end,
            erlang:halt(1);
        {stop, Status} -> erlang:halt(Status);
        {From, get_arguments} -> From ! {init, get(flags)}, loop(Runner);
        {From, get_plain_arguments} -> From ! {init, get(plain)}, loop(Runner);
        _ -> loop(Runner)
    end.

run_requests([]) -> ok;
run_requests([{"-s", [M]} | Rest]) -> apply(list_to_atom(M), start, []), run_requests(Rest);
run_requests([{"-s", [M, F]} | Rest]) -> apply(list_to_atom(M), list_to_atom(F), []), run_requests(Rest);
run_requests([{"-s", [M, F | A]} | Rest]) ->
    apply(list_to_atom(M), list_to_atom(F), [[list_to_atom(X) || X <- A]]), run_requests(Rest);
run_requests([{"-run", [M]} | Rest]) -> apply(list_to_atom(M), start, []), run_requests(Rest);
run_requests([{"-run", [M, F]} | Rest]) -> apply(list_to_atom(M), list_to_atom(F), []), run_requests(Rest);
run_requests([{"-run", [M, F | A]} | Rest]) -> apply(list_to_atom(M), list_to_atom(F), [A]), run_requests(Rest);
run_requests([{"-eval", [Expr]} | Rest]) -> eval(Expr), run_requests(Rest);
run_requests([_ | Rest]) -> run_requests(Rest).

eval(Expr) ->
    {ok, Tokens, _} = erl_scan:string(Expr),
    {ok, Exprs} = erl_parse:parse_exprs(ensure_dot(Tokens)),
    {value, _, _} = erl_eval:exprs(Exprs, erl_eval:new_bindings()),
    ok.

ensure_dot(Tokens) ->
    case lists:last(Tokens) of
        {dot, _} -> Tokens;
        T -> Tokens ++ [{dot, element(2, T)}]
    end.

%% Command line → [{Flag, [Word]}] in order, and the plain words after -extra.
parse(Args) -> parse(Args, [], []).
parse([], Flags, Plain) -> {lists:reverse(Flags), lists:reverse(Plain)};
parse(["-extra" | Rest], Flags, Plain) -> {lists:reverse(Flags), lists:reverse(Plain, Rest)};
parse(["-eval", Expr | Rest], Flags, Plain) -> parse(Rest, [{"-eval", [Expr]} | Flags], Plain);
parse([[C | _] = Flag | Rest], Flags, Plain) when C =:= $-; C =:= $+ ->
    {Words, Rest1} = lists:splitwith(fun(W) -> not is_flag(W) end, Rest),
    parse(Rest1, [{Flag, Words} | Flags], Plain);
parse([Word | Rest], Flags, Plain) -> parse(Rest, Flags, [Word | Plain]).

is_flag([C | _]) -> C =:= $- orelse C =:= $+;
is_flag(_) -> false.

%% ---- OTP's init API ----
stop() -> stop(0).
stop(Status) -> init ! {stop, Status}, ok.
restart() -> stop(0).
reboot() -> stop(0).

get_arguments() ->
    [{list_to_atom(tl(F)), W} || {[$- | _] = F, W} <- call(get_arguments)].

get_argument(Name) ->
    case [W || {F, W} <- get_arguments(), F =:= Name] of
        [] -> error;
        Values -> {ok, Values}
    end.

get_plain_arguments() -> call(get_plain_arguments).

script_id() -> {"BeamOS", "0.1.0"}.
get_status() -> {started, started}.

call(Req) ->
    init ! {self(), Req},
    receive {init, Reply} -> Reply after 5000 -> erlang:error(timeout) end.
