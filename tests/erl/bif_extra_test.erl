%% BIFs that OTP applications lean on beyond the basics: hibernation,
%% checksum combination, fun introspection. Expected values come from
%% stock erl (this module also runs there as the differential check).
-module(bif_extra_test).
-include("bt.hrl").
-export([subtract_large_test/0, ports_test/0,
         hibernate_test/0, hibernate_stack_discarded_test/0,
         hibernate_wakes_on_message_only_test/0, hibernate_badarg_test/0,
         gen_server_hibernate_test/0, checksum_combine_test/0, fun_info_mfa_test/0,
         compressed_etf_test/0, compressed_etf_bad_input_test/0,
         binary_to_term_safe_test/0, export_fun_etf_test/0, local_fun_etf_test/0,
         module_md5_test/0, half_float_test/0, os_env_test/0]).
%% gen_server callbacks (gen_server_hibernate_test/0)
-export([init/1, handle_call/3, handle_cast/2]).
-export([woken/2, sum_and_report/3]).

%% Called by a hibernated process when a message arrives.
woken(Parent, Tag) ->
    receive Msg -> Parent ! {Tag, self(), Msg} end,
    receive stop -> ok end.

sum_and_report(Parent, A, B) -> Parent ! {sum, A + B}.

hibernate_test() ->
    Self = self(),
    P = spawn(fun() ->
                      %% Garbage to drop: the heap shrinks when hibernating.
                      _ = lists:seq(1, 20000),
                      erlang:hibernate(?MODULE, woken, [Self, tag])
              end),
    wait_until(fun() -> process_info(P, current_function) =:= {current_function, {erlang, hibernate, 3}} end),
    {total_heap_size, Words} = process_info(P, total_heap_size),
    ?true(Words < 1000),
    P ! hello,
    ?eq({tag, P, hello}, receive {tag, _, _} = M -> M after 5000 -> timeout end),
    P ! stop.

%% Nothing below hibernate survives: a catch around it is gone, and when the
%% function applied on waking returns, the process exits with reason normal.
hibernate_stack_discarded_test() ->
    Self = self(),
    {P, Ref} = spawn_monitor(fun() ->
                                     catch erlang:hibernate(?MODULE, sum_and_report, [Self, 2, 3]),
                                     Self ! not_reached
                             end),
    P ! wake_up,
    ?eq({sum, 5}, receive {sum, _} = S -> S after 5000 -> timeout end),
    ?eq(normal, receive {'DOWN', Ref, process, P, R} -> R after 5000 -> timeout end),
    ?eq(none, receive not_reached -> not_reached after 0 -> none end).

%% A link signal reaches a hibernated process without waking it into its
%% function; a later message does.
hibernate_wakes_on_message_only_test() ->
    Self = self(),
    P = spawn(fun() -> erlang:hibernate(?MODULE, woken, [Self, msg]) end),
    wait_until(fun() -> process_info(P, status) =:= {status, waiting} end),
    link(P),
    unlink(P),
    ?eq(none, receive {msg, _, _} = M0 -> M0 after 100 -> none end),
    P ! ping,
    ?eq({msg, P, ping}, receive {msg, _, _} = M -> M after 5000 -> timeout end),
    P ! stop.

hibernate_badarg_test() ->
    ?raises(error, badarg, erlang:hibernate(?MODULE, 1, [])),
    ?raises(error, badarg, erlang:hibernate("m", f, [])),
    ?raises(error, badarg, erlang:hibernate(?MODULE, f, [a | b])).

%% OTP's gen_server hibernates through proc_lib:hibernate/3 between calls
%% when a callback returns `hibernate`.
init(N) -> {ok, N, hibernate}.
handle_call(get, _From, N) -> {reply, N, N + 1, hibernate}.
handle_cast(_, N) -> {noreply, N}.

gen_server_hibernate_test() ->
    {ok, S} = gen_server:start(?MODULE, 10, []),
    ?eq(10, gen_server:call(S, get)),
    wait_until(fun() -> process_info(S, current_function) =:= {current_function, {erlang, hibernate, 3}} end),
    ?eq(11, gen_server:call(S, get)),
    ?eq(ok, gen_server:stop(S)).

checksum_combine_test() ->
    A = <<"abc">>, B = <<"defgh">>,
    ?eq(erlang:crc32(<<A/binary, B/binary>>),
        erlang:crc32_combine(erlang:crc32(A), erlang:crc32(B), byte_size(B))),
    ?eq(2934909520, erlang:crc32_combine(erlang:crc32(A), erlang:crc32(B), 5)),
    ?eq(234881829, erlang:adler32_combine(erlang:adler32(A), erlang:adler32(B), 5)),
    ?eq(erlang:adler32(<<A/binary, B/binary>>),
        erlang:adler32_combine(erlang:adler32(A), erlang:adler32(B), byte_size(B))),
    Big = binary:copy(<<"0123456789">>, 100000),
    ?eq(erlang:crc32(<<A/binary, Big/binary>>),
        erlang:crc32_combine(erlang:crc32(A), erlang:crc32(Big), byte_size(Big))),
    ?eq(erlang:adler32(<<Big/binary, Big/binary>>),
        erlang:adler32_combine(erlang:adler32(Big), erlang:adler32(Big), byte_size(Big))),
    ?eq(3, erlang:crc32_combine(1, 2, 0)),
    ?raises(error, badarg, erlang:crc32_combine(1, 2, -1)),
    ?raises(error, badarg, erlang:crc32_combine(1 bsl 32, 2, 1)),
    ?raises(error, badarg, erlang:crc32_combine(1, 2, 1 bsl 40)),
    ?raises(error, badarg, erlang:adler32_combine(1, 2, a)).

fun_info_mfa_test() ->
    X = self(),
    ?eq({?MODULE, '-fun_info_mfa_test/0-fun-0-', 0}, erlang:fun_info_mfa(fun() -> X end)),
    Local = fun(A, B) -> {A, B} end,
    {name, Name} = erlang:fun_info(Local, name),
    ?eq({?MODULE, Name, 2}, erlang:fun_info_mfa(Local)),
    ?eq({lists, map, 2}, erlang:fun_info_mfa(fun lists:map/2)),
    ?eq({?MODULE, woken, 2}, erlang:fun_info_mfa(fun ?MODULE:woken/2)),
    ?raises(error, badarg, erlang:fun_info_mfa(self())).

%% term_to_binary(T, [compressed]) gives OTP's bytes exactly (same zlib,
%% same level), and only when compression pays; binary_to_term inflates.
compressed_etf_test() ->
    T1 = lists:seq(1, 1000),
    T2 = [{I, integer_to_list(I)} || I <- lists:seq(1, 300)],
    T3 = binary:copy(<<"ab">>, 100),
    ?eq(<<97,104,235,73,183,216,230,172,30,150,101,27,95,141,52,109>>,
        erlang:md5(term_to_binary(T1, [compressed]))),
    ?eq(<<22,159,49,88,92,18,28,153,215,82,128,222,14,154,10,196>>,
        erlang:md5(term_to_binary(T2, [{compressed, 9}]))),
    ?eq(<<210,230,231,168,197,14,32,110,112,225,132,81,180,62,51,92>>,
        erlang:md5(term_to_binary(T3, [{compressed, 1}]))),
    ?eq([11, 23, 25, 26, 26, 26],
        [byte_size(term_to_binary(lists:duplicate(N, x), [compressed])) || N <- [1, 4, 8, 12, 16, 20]]),
    ?eq(term_to_binary(T1), term_to_binary(T1, [{compressed, 0}])),
    [?eq(T, binary_to_term(term_to_binary(T, [compressed]))) || T <- [T1, T2, T3, atom, <<>>]],
    ?raises(error, badarg, term_to_binary(T1, [{compressed, 10}])).

compressed_etf_bad_input_test() ->
    <<131, 80, Size:32, Z/binary>> = term_to_binary(lists:seq(1, 1000), [compressed]),
    ?raises(error, badarg, binary_to_term(<<131, 80, (Size + 1):32, Z/binary>>)),
    ?raises(error, badarg, binary_to_term(<<131, 80, (Size - 1):32, Z/binary>>)),
    ?raises(error, badarg, binary_to_term(<<131, 80, Size:32, (binary:part(Z, 0, 20))/binary>>)),
    ?raises(error, badarg, binary_to_term(<<131, 80, 16#7fffffff:32, Z/binary>>)),
    ?raises(error, badarg, binary_to_term(<<131, 80, Size:32, 0, Z/binary>>)).

%% `safe` refuses atoms that do not exist yet, wherever they appear, and
%% creates none while refusing.
binary_to_term_safe_test() ->
    %% Made at run time: erlc would fold a constant binary_to_atom/1 below
    %% into a literal, creating the atom when the module loads.
    New = iolist_to_binary(["bt_safe_", integer_to_list(erlang:unique_integer([positive]))]),
    AtomExt = <<131, 119, (byte_size(New)), New/binary>>,
    ?raises(error, badarg, binary_to_term(AtomExt, [safe])),
    ?raises(error, badarg, binary_to_existing_atom(New)),
    %% the same atom inside a tuple, and as a pid's node
    ?raises(error, badarg, binary_to_term(<<131, 104, 2, 97, 1, (binary:part(AtomExt, 1, byte_size(AtomExt) - 1))/binary>>, [safe])),
    <<131, 88, 119, NodeLen, _:NodeLen/binary, PidRest/binary>> = term_to_binary(self(), [{minor_version, 2}]),
    NewAtom = binary:part(AtomExt, 1, byte_size(AtomExt) - 1),
    ?raises(error, badarg, binary_to_term(<<131, 88, NewAtom/binary, PidRest/binary>>, [safe])),
    ?raises(error, badarg, binary_to_existing_atom(New)),
    ?eq({ok, "abc", 1.5, self()}, binary_to_term(term_to_binary({ok, "abc", 1.5, self()}), [safe])),
    %% without `safe` the atom is made
    ?eq(binary_to_atom(New), binary_to_term(AtomExt)).

export_fun_etf_test() ->
    F = fun lists:map/2,
    ?eq(F, binary_to_term(term_to_binary(F))),
    ?eq([2, 4], (binary_to_term(term_to_binary(F)))(fun(X) -> 2 * X end, [1, 2])),
    ?eq(F, binary_to_term(term_to_binary(F), [safe])).

%% Local funs cross term_to_binary/binary_to_term with their environment;
%% the encoding is NEW_FUN_EXT with the module's MD5 as Uniq, as OTP.
local_fun_etf_test() ->
    X = {self(), "env", 1.5},
    F = fun(Y) -> {X, Y} end,
    B = term_to_binary(F),
    <<131, 112, Size:32, Arity, Uniq:16/binary, _Index:32, NumFree:32, Rest/binary>> = B,
    ?eq(byte_size(B) - 2, Size),
    ?eq(1, Arity),
    ?eq(1, NumFree),
    ?eq(?MODULE:module_info(md5), Uniq),
    ?eq({new_uniq, Uniq}, erlang:fun_info(F, new_uniq)),
    ?eq(<<100, (byte_size(atom_to_binary(?MODULE))):16, (atom_to_binary(?MODULE))/binary>>,
        binary:part(Rest, 0, 3 + byte_size(atom_to_binary(?MODULE)))),
    G = binary_to_term(B),
    ?eq(F, G),
    ?eq({X, 7}, G(7)),
    ?eq(F, binary_to_term(term_to_binary(F, [compressed]))),
    %% funs nested in other terms, and several free variables
    A = 1, C = [a, b],
    H = fun(P, Q) -> {A, C, P, Q} end,
    ?eq([{1, [a, b], p, q}], [Fun(p, q) || Fun <- binary_to_term(term_to_binary([H]))]).

module_md5_test() ->
    M = lists:module_info(md5),
    ?eq(16, byte_size(M)),
    ?eq({md5, M}, lists:keyfind(md5, 1, lists:module_info())),
    ?eq(M, lists:module_info(md5)),
    ?true(M =/= ?MODULE:module_info(md5)).

%% 16-bit floats are written rounded to nearest even, overflowing to
%% infinity, as OTP writes them; every finite half reads back unchanged.
half_float_test() ->
    ?eq([<<60,0>>, <<46,102>>, <<123,255>>, <<124,0>>, <<124,0>>, <<0,0>>, <<0,1>>, <<193,0>>,
         <<4,0>>, <<128,0>>, <<0,2>>, <<123,255>>, <<60,1>>, <<60,0>>, <<60,2>>],
        [<<X:16/float>> || X <- [1.0, 0.1, 65504.0, 65520.0, 100000.0, 1.0e-8, 6.0e-8, -2.5,
                                  0.00006103515625, -0.0, 8.940696716308594e-8, 65519.99,
                                  1.0009765625, 1.00048828125, 1.00146484375]]),
    ?eq(<<0, 62>>, <<1.5:16/float-little>>),
    ?eq(<<60, 0>>, <<1:16/float>>),
    Finite = [H || H <- lists:seq(0, 16#FFFF), H band 16#7C00 =/= 16#7C00],
    ?eq([], [H || H <- Finite, begin <<F:16/float>> = <<H:16>>, <<F:16/float>> =/= <<H:16>> end]).

os_env_test() ->
    true = os:putenv("BT_ENV_TEST", "a=b"),
    ?true(lists:member({"BT_ENV_TEST", "a=b"}, os:env())),
    ?eq(length(os:getenv()), length(os:env())),
    true = os:unsetenv("BT_ENV_TEST"),
    ?eq(false, lists:keymember("BT_ENV_TEST", 1, os:env())).

wait_until(F) -> wait_until(F, 500).
wait_until(F, 0) -> ?true(F());
wait_until(F, N) ->
    case F() of
        true -> ok;
        false -> receive after 10 -> wait_until(F, N - 1) end
    end.

%% A -- B on long lists with repeats and number types that are == but not
%% =:=: the same result as deleting B's elements from A one by one (the
%% definition), and fast enough for thousands of elements.
subtract_large_test() ->
    A = [X rem 97 || X <- lists:seq(1, 5000)] ++ [1.0, a, {t}, 0.0, -0.0],
    B = [X rem 89 || X <- lists:seq(1, 3000)] ++ [1, 1.0, {t}, 2.0, 0.0],
    ?eq(delete_each(A, B), A -- B),
    ?eq([b, a], [a, b, a] -- [a]),
    ?eq([1.0], [1, 1.0] -- [1]),
    ?raises(error, badarg, [1, 2 | x] -- lists:seq(1, 20)),
    ?raises(error, badarg, lists:seq(1, 20) -- [1 | x]).

delete_each(A, []) -> A;
delete_each(A, [X | Xs]) -> delete_each(lists:delete(X, A), Xs).

%% erlang:ports/0: a list of ports (stock erl has its stdio ports; this
%% VM has none), and port_info of each answers.
ports_test() ->
    Ports = erlang:ports(),
    ?true(is_list(Ports)),
    [?true(is_port(P)) || P <- Ports],
    [?true(is_list(erlang:port_info(P)) orelse erlang:port_info(P) =:= undefined) || P <- Ports].
