%% beamos_console — the console I/O server, registered as `user` and the
%% group leader of every process (unless changed). It implements the Erlang
%% I/O protocol (io_request / io_reply) over the serial console, so OTP's io
%% module works unchanged: put_chars (unicode and latin1, direct or via M:F:A),
%% get_line, get_chars, get_until, setopts/getopts, get_geometry, requests.
-module(beamos_console).
-export([start/0, init/0]).

%% Input requests wait in `pending`, oldest first, while output and other
%% requests are served: a process blocked in io:get_line does not hold up
%% io:format from others. When the buffer cannot satisfy the oldest one,
%% the server reads what the console has buffered and, if that is not
%% enough, asks the VM (beamos:console_notify/0) for the message
%% `console_input` when more arrives: no polling, no timer while idle.
-record(st, {buf = <<>> :: binary(), encoding = unicode :: unicode | latin1, eof = false,
             pending = [] :: [{pid(), term(), term()}]}).

start() ->
    Pid = spawn(?MODULE, init, []),
    register(user, Pid),
    Pid.

init() ->
    loop(#st{}).

loop(St) ->
    receive
        {io_request, From, ReplyAs, Request} when is_pid(From) ->
            loop(io_request(From, ReplyAs, Request, St));
        console_input ->
            loop(serve(St));
        _Other ->
            loop(St)
    end.

%% Input requests join the queue (their prompt is written now); the rest
%% are answered at once.
io_request(From, ReplyAs, Request, St) ->
    case input(Request) of
        {Kind, Prompt} ->
            write_prompt(Prompt),
            serve(St#st{pending = St#st.pending ++ [{From, ReplyAs, Kind}]});
        none ->
            {Reply, St1} = request(Request, St),
            From ! {io_reply, ReplyAs, Reply},
            St1
    end.

input({get_line, Enc, Prompt}) -> {{take, Enc, fun take_line/1}, Prompt};
input({get_line, Prompt}) -> input({get_line, latin1, Prompt});
input({get_chars, Enc, Prompt, N}) when is_integer(N), N >= 0 ->
    {{take, Enc, fun(B) -> take_chars(B, N) end}, Prompt};
input({get_chars, Prompt, N}) -> input({get_chars, latin1, Prompt, N});
input({get_until, Enc, Prompt, M, F, A}) -> {{until, Enc, M, F, A, []}, Prompt};
input({get_until, Prompt, M, F, A}) -> input({get_until, latin1, Prompt, M, F, A});
input({requests, Reqs}) when is_list(Reqs) ->
    case lists:any(fun(R) -> input(R) =/= none end, Reqs) of
        true -> {{requests, Reqs, ok}, ''};
        false -> none
    end;
input(_) -> none.

%% Answer pending input requests while the buffer (refilled from the
%% console) can; then wait for a console_input message.
serve(#st{pending = []} = St) -> St;
serve(#st{pending = [{From, ReplyAs, Kind} | Rest]} = St) ->
    case step(Kind, St) of
        {reply, Reply, St1} ->
            From ! {io_reply, ReplyAs, Reply},
            serve(St1#st{pending = Rest});
        {continue, Kind1, St1} ->
            serve(St1#st{pending = [{From, ReplyAs, Kind1} | Rest]});
        more ->
            case fill(St) of
                {got, St1} -> serve(St1);
                none -> beamos:console_notify(), St
            end
    end.

fill(#st{buf = Buf} = St) ->
    case beamos:console_read() of
        eof -> {got, St#st{eof = true}};
        <<>> -> none;
        New -> {got, St#st{buf = <<Buf/binary, (crlf(New))/binary>>}}
    end.

%% One step of a pending request: a reply, a new state of the request
%% (get_until wants another line; a requests list moves on), or more
%% input needed.
step({take, Enc, Take}, #st{buf = Buf, eof = Eof} = St) ->
    case Take(Buf) of
        {ok, Data, Rest} -> {reply, decode(Enc, Data), St#st{buf = Rest}};
        more when Eof, Buf =:= <<>> -> {reply, eof, St};
        more when Eof -> {reply, decode(Enc, Buf), St#st{buf = <<>>}};
        more -> more
    end;
step({until, Enc, M, F, A, Cont}, St) ->
    case step({take, Enc, fun take_line/1}, St) of
        more -> more;
        {reply, Line, St1} ->
            try apply(M, F, [Cont, Line | A]) of
                {done, Result, Rest} ->
                    Back = unicode:characters_to_binary(rest_chars(Rest)),
                    {reply, Result, St1#st{buf = <<Back/binary, (St1#st.buf)/binary>>}};
                {more, _} when Line =:= eof -> {reply, eof, St1};
                {more, Cont1} -> {continue, {until, Enc, M, F, A, Cont1}, St1}
            catch _:_ -> {reply, {error, F}, St1}
            end
    end;
step({requests, [], Last}, St) -> {reply, Last, St};
step({requests, [R | Rs], _}, St) ->
    case input(R) of
        none ->
            case request(R, St) of
                {{error, _} = Error, St1} -> {reply, Error, St1};
                {Reply, St1} -> {continue, {requests, Rs, Reply}, St1}
            end;
        {Kind, Prompt} ->
            write_prompt(Prompt),
            {continue, {input_of_requests, Kind, Rs}, St}
    end;
step({input_of_requests, Kind, Rs}, St) ->
    case step(Kind, St) of
        more -> more;
        {continue, Kind1, St1} -> {continue, {input_of_requests, Kind1, Rs}, St1};
        {reply, Reply, St1} when Rs =:= [] -> {reply, Reply, St1};
        {reply, {error, _} = E, St1} -> {reply, E, St1};
        {reply, Reply, St1} -> {continue, {requests, Rs, Reply}, St1}
    end.

request({put_chars, Enc, Chars}, St) ->
    put_chars(Enc, Chars, St);
request({put_chars, Enc, M, F, A}, St) ->
    try apply(M, F, A) of
        Chars -> put_chars(Enc, Chars, St)
    catch _:_ -> {{error, F}, St}
    end;
request({put_chars, Chars}, St) -> put_chars(latin1, Chars, St);
request({put_chars, M, F, A}, St) -> request({put_chars, latin1, M, F, A}, St);
request({setopts, Opts}, St) -> setopts(Opts, St);
request(getopts, St) -> {[{binary, false}, {encoding, St#st.encoding}], St};
request({get_geometry, _}, St) -> {{error, enotsup}, St};
request({requests, Reqs}, St) -> requests(Reqs, {ok, St});
request(_Other, St) -> {{error, request}, St}.

requests([], {Reply, St}) -> {Reply, St};
requests([R | Rs], {ok, St}) -> requests(Rs, request(R, St));
requests(_, {Error, St}) -> {Error, St}.

put_chars(Enc, Chars, St) ->
    case to_bytes(Enc, Chars) of
        {ok, Bin} -> beamos:console_write(Bin), {ok, St};
        error -> {{error, put_chars}, St}
    end.

%% What goes to the console is UTF-8; latin1 data is converted.
to_bytes(unicode, Chars) ->
    case unicode:characters_to_binary(Chars) of
        B when is_binary(B) -> {ok, B};
        _ -> error
    end;
to_bytes(latin1, Chars) ->
    try iolist_to_binary(Chars) of
        B -> case unicode:characters_to_binary(B, latin1, unicode) of
                 U when is_binary(U) -> {ok, U};
                 _ -> error
             end
    catch _:_ -> error
    end.

setopts(Opts, St) ->
    Enc = proplists:get_value(encoding, Opts, St#st.encoding),
    case lists:member(Enc, [unicode, utf8, latin1]) of
        true -> {ok, St#st{encoding = case Enc of utf8 -> unicode; E -> E end}};
        false -> {{error, enotsup}, St}
    end.

write_prompt('') -> ok;
write_prompt(Prompt) ->
    try io_lib:format("~ts", [Prompt]) of
        Text -> beamos:console_write(unicode:characters_to_binary(Text))
    catch _:_ -> ok
    end.

%% A serial terminal sends CR for Enter.
crlf(Bin) -> binary:replace(Bin, <<"\r">>, <<"\n">>, [global]).

take_line(Buf) ->
    case binary:match(Buf, <<"\n">>) of
        {Pos, 1} -> {ok, binary:part(Buf, 0, Pos + 1), binary:part(Buf, Pos + 1, byte_size(Buf) - Pos - 1)};
        nomatch -> more
    end.

take_chars(Buf, N) when byte_size(Buf) >= N ->
    {ok, binary:part(Buf, 0, N), binary:part(Buf, N, byte_size(Buf) - N)};
take_chars(_, _) -> more.

decode(unicode, Bin) -> unicode:characters_to_list(Bin);
decode(latin1, Bin) -> binary_to_list(Bin).

rest_chars(eof) -> [];
rest_chars(Rest) when is_list(Rest); is_binary(Rest) -> Rest.
