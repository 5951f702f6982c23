%% beamos_console — the console I/O server, registered as `user` and the
%% group leader of every process (unless changed). It implements the Erlang
%% I/O protocol (io_request / io_reply) over the serial console, so OTP's io
%% module works unchanged: put_chars (unicode and latin1, direct or via M:F:A),
%% get_line, get_chars, get_until, setopts/getopts, get_geometry, requests.
-module(beamos_console).
-export([start/0, init/0]).

-define(POLL_MS, 20).   % console input is polled while a reader waits

-record(st, {buf = <<>> :: binary(), encoding = unicode :: unicode | latin1, eof = false}).

start() ->
    Pid = spawn(?MODULE, init, []),
    register(user, Pid),
    Pid.

init() ->
    loop(#st{}).

loop(St) ->
    receive
        {io_request, From, ReplyAs, Request} when is_pid(From) ->
            {Reply, St1} = request(Request, St),
            From ! {io_reply, ReplyAs, Reply},
            loop(St1);
        _Other ->
            loop(St)
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
request({get_line, Enc, _Prompt} = R, St) -> get(R, Enc, fun take_line/1, St);
request({get_line, Prompt}, St) -> request({get_line, latin1, Prompt}, St);
request({get_chars, Enc, _Prompt, N} = R, St) -> get(R, Enc, fun(B) -> take_chars(B, N) end, St);
request({get_chars, Prompt, N}, St) -> request({get_chars, latin1, Prompt, N}, St);
request({get_until, Enc, Prompt, M, F, A}, St) -> get_until(Enc, Prompt, M, F, A, St);
request({get_until, Prompt, M, F, A}, St) -> get_until(latin1, Prompt, M, F, A, St);
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

%% Input: wait (polling) until Take can take something from the buffer.
get(Request, Enc, Take, St) ->
    prompt(Request),
    wait_input(Enc, Take, St).

prompt({_, _, Prompt}) -> write_prompt(Prompt);
prompt({_, _, Prompt, _}) -> write_prompt(Prompt);
prompt(_) -> ok.

write_prompt('') -> ok;
write_prompt(Prompt) ->
    try io_lib:format("~ts", [Prompt]) of
        Text -> beamos:console_write(unicode:characters_to_binary(Text))
    catch _:_ -> ok
    end.

wait_input(Enc, Take, #st{buf = Buf} = St) ->
    case Take(Buf) of
        {ok, Data, Rest} ->
            {decode(Enc, Data), St#st{buf = Rest}};
        more when St#st.eof, Buf =:= <<>> ->
            {eof, St};
        more when St#st.eof ->
            {decode(Enc, Buf), St#st{buf = <<>>}};
        more ->
            case beamos:console_read() of
                eof -> wait_input(Enc, Take, St#st{eof = true});
                <<>> -> receive after ?POLL_MS -> ok end, wait_input(Enc, Take, St);
                New -> wait_input(Enc, Take, St#st{buf = <<Buf/binary, (crlf(New))/binary>>})
            end
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

get_until(Enc, Prompt, M, F, A, St) ->
    write_prompt(Prompt),
    get_until_loop(Enc, M, F, A, [], St).

get_until_loop(Enc, M, F, A, Cont, St) ->
    {Line, St1} = wait_input(Enc, fun take_line/1, St),
    case apply(M, F, [Cont, Line | A]) of
        {done, Result, Rest} ->
            {Result, St1#st{buf = <<(unicode:characters_to_binary(rest_chars(Rest)))/binary, (St1#st.buf)/binary>>}};
        {more, _} when Line =:= eof ->
            {eof, St1};
        {more, Cont1} ->
            get_until_loop(Enc, M, F, A, Cont1, St1)
    end.

rest_chars(eof) -> [];
rest_chars(Rest) when is_list(Rest); is_binary(Rest) -> Rest.
