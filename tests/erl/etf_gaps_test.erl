%% The external term format where BeamOS used to differ from OTP 25:
%% bytes after the term, binary_to_term/2's used and safe, term_to_binary's
%% options (deterministic, minor_version, compressed), and funs of code
%% that is not loaded (dangling funs). Byte sequences are stock erl's.
%% Runs on stock erl too: every assertion is OTP 25's behaviour.
-module(etf_gaps_test).
-include("bt.hrl").
-include("dfun_target_beam.hrl").
-export([trailing_bytes_test/0, used_test/0, safe_test/0, t2b_options_test/0,
         deterministic_test/0, dangling_fun_test/0, dangling_fun_version_test/0,
         sliced_test/0,
         float_text_test/0, big_sign_test/0]).

-define(M, dfun_target).

%% lists:duplicate(30, 7) with {compressed, 1}: 19 bytes
-define(COMPRESSED, <<131,80,0,0,0,33,120,1,203,102,144,99,199,11,0,30,69,1,92>>).
%% zlib:compress(<<106,1,2>>): [] with two bytes after it, inside the stream
-define(Z_TRAILING, <<120,156,203,98,100,2,0,1,69,0,110>>).

trailing_bytes_test() ->
    ?eq([], binary_to_term(<<131,106,1>>)),
    ?eq([], binary_to_term(<<131,106,1,2,3>>, [])),
    ?eq({a, b}, binary_to_term(<<131,104,2,100,0,1,97,100,0,1,98,0>>)),
    Dup = lists:duplicate(30, 7),
    ?eq(Dup, binary_to_term(<<(?COMPRESSED)/binary, 1, 2, 3>>)),
    ?eq([], binary_to_term(<<131,80,3:32,(?Z_TRAILING)/binary>>)),
    %% still refused: a bitstring, a truncated term, wrong announced sizes
    ?raises(error, badarg, binary_to_term(<<131,106,0:3>>)),
    ?raises(error, badarg, binary_to_term(<<131,104,2,97,1>>)),
    ?raises(error, badarg, binary_to_term(<<131>>)),
    ?raises(error, badarg, binary_to_term(<<131,80,2:32,(?Z_TRAILING)/binary>>)),
    ?raises(error, badarg, binary_to_term(<<131,80,4:32,(?Z_TRAILING)/binary>>)),
    ?raises(error, badarg, binary_to_term(<<0,131,106>>)),
    ok.

used_test() ->
    ?eq({[], 2}, binary_to_term(<<131,106>>, [used])),
    ?eq({[], 2}, binary_to_term(<<131,106,1,2,3>>, [used, safe])),
    ?eq({[], 2}, binary_to_term(<<131,106>>, [safe, used, used])),
    <<_:8, Sub/binary>> = <<0,131,106,9>>,
    ?eq({[], 2}, binary_to_term(Sub, [used])),
    <<_:3, Unaligned:40/bitstring, _:5>> = <<0:3,131,104,1,97,5,0:5>>,
    ?eq({{5}, 5}, binary_to_term(Unaligned, [used])),
    ?raises(error, badarg, binary_to_term(<<131,106,0:3>>, [used])),
    Dup = lists:duplicate(30, 7),
    %% compressed: the bytes of the zlib stream, not what follows it
    ?eq({Dup, 19}, binary_to_term(<<(?COMPRESSED)/binary, 1, 2, 3>>, [used])),
    ?eq({[], 17}, binary_to_term(<<131,80,3:32,(?Z_TRAILING)/binary>>, [used])),
    ?eq({[], 17}, binary_to_term(<<131,80,3:32,(?Z_TRAILING)/binary, 0>>, [used])),
    ?raises(error, badarg, binary_to_term(<<131,106>>, [bad])),
    ?raises(error, badarg, binary_to_term(<<131,106>>, [used | safe])),
    ok.

safe_test() ->
    %% an atom that never exists: its text is only ever in a binary
    Text = <<"etf_gaps_never_an_atom_q7">>,
    N = byte_size(Text),
    ?raises(error, badarg, binary_to_term(<<131,100,N:16,Text/binary>>, [safe])),
    ?raises(error, badarg, binary_to_term(<<131,119,N,Text/binary>>, [safe])),
    ?raises(error, badarg, binary_to_term(<<131,88,100,N:16,Text/binary,0:32,0:32,0:32>>, [safe])),
    ?raises(error, badarg, binary_to_term(<<131,113,100,0,5,"lists",100,N:16,Text/binary,97,1>>, [safe])),
    ?raises(error, badarg, binary_to_existing(Text)),
    %% existing atoms: fine
    ?eq(ok, binary_to_term(<<131,100,0,2,"ok">>, [safe])),
    ?eq(<<"x">>, binary_to_term(term_to_binary(<<"x">>), [safe])),
    R = make_ref(),
    ?eq(R, binary_to_term(term_to_binary(R), [safe])),
    P = self(),
    ?eq(P, binary_to_term(term_to_binary(P), [safe])),
    F = fun(X) -> {X, P} end,
    ?eq(F, binary_to_term(term_to_binary(F), [safe])),
    %% exports: with safe only those that exist (a stub is enough)
    ?eq(fun lists:map/2, binary_to_term(term_to_binary(fun lists:map/2), [safe])),
    %% lists:etf_gaps_no_function/7: the atoms exist (this line names
    %% one), no code refers to the function
    Fn = atom_to_binary(etf_gaps_no_function),
    Export = <<131,113,100,0,5,"lists",100,(byte_size(Fn)):16,Fn/binary,97,7>>,
    ?raises(error, badarg, binary_to_term(Export, [safe])),
    E = binary_to_term(Export),
    ?eq({lists, etf_gaps_no_function, 7}, erlang:fun_info_mfa(E)),
    ok.

binary_to_existing(Text) -> binary_to_existing_atom(Text, utf8).

t2b_options_test() ->
    %% minor_version 0: floats as FLOAT_EXT text ("%.20e")
    ?eq(<<131,104,3,99,49,46,53,48,48,48,48,48,48,48,48,48,48,48,48,48,48,48,48,48,48,48,101,43,48,48,
          0,0,0,0,0,99,45,49,46,48,48,48,48,48,48,48,48,48,48,48,48,48,48,48,48,53,53,53,49,101,45,48,
          49,0,0,0,0,99,49,46,48,48,48,48,48,48,48,48,48,48,48,48,48,48,48,48,53,50,53,48,101,43,51,48,
          48,0,0,0,0>>,
        term_to_binary({1.5, -0.1, 1.0e300}, [{minor_version, 0}])),
    ?eq({1.5, -0.1, 1.0e300}, binary_to_term(term_to_binary({1.5, -0.1, 1.0e300}, [{minor_version, 0}]))),
    ?eq(<<131,70,63,248,0,0,0,0,0,0>>, term_to_binary(1.5, [{minor_version, 1}])),
    ?eq(<<131,119,2,195,165>>, term_to_binary('å', [{minor_version, 2}])),
    ?eq(<<131,100,0,1,229>>, term_to_binary('å', [{minor_version, 1}])),
    ?eq(<<131,100,0,1,229>>, term_to_binary('å', [{minor_version, 0}])),
    %% compressed with a level; the last of each option wins
    Dup = lists:duplicate(30, 7),
    ?eq(?COMPRESSED, term_to_binary(Dup, [{compressed, 1}])),
    ?eq(<<131,107,0,30,(list_to_binary(Dup))/binary>>,
        term_to_binary(Dup, [{compressed, 9}, {minor_version, 0}, {compressed, 0}])),
    ?eq(<<131,99,49,46,53,48,48,48,48,48,48,48,48,48,48,48,48,48,48,48,48,48,48,48,101,43,48,48,
          0,0,0,0,0>>, term_to_binary(1.5, [{minor_version, 2}, {minor_version, 0}])),
    %% OTP 25 has no `local` (OTP 26 adds it)
    ?raises(error, badarg, term_to_binary(a, [local])),
    ?raises(error, badarg, term_to_binary(a, [{minor_version, 3}])),
    ?raises(error, badarg, term_to_binary(a, [{compressed, 10}])),
    ?raises(error, badarg, term_to_binary(a, [deterministic | x])),
    ok.

deterministic_test() ->
    %% a large map: pairs in map-key order (integers before floats)
    L = maps:from_list([{I, I} || I <- lists:seq(1, 40)] ++ [{a, 1}, {1.0, 2}, {b, 3}]),
    Pairs = list_to_binary([[97, I, 97, I] || I <- lists:seq(1, 40)]),
    ?eq(<<131,116,0,0,0,43,Pairs/binary,70,63,240,0,0,0,0,0,0,97,2,100,0,1,97,97,1,100,0,1,98,97,3>>,
        term_to_binary(L, [deterministic])),
    ?eq(L, binary_to_term(term_to_binary(L, [deterministic]))),
    %% nested in a small map, values that are strings
    N = #{k => maps:from_list([{I, [I]} || I <- lists:seq(1, 35)])},
    Inner = list_to_binary([[97, I, 107, 0, 1, I] || I <- lists:seq(1, 35)]),
    ?eq(<<131,116,0,0,0,1,100,0,1,107,116,0,0,0,35,Inner/binary>>, term_to_binary(N, [deterministic])),
    %% the same map built in another order encodes the same
    L2 = maps:from_list(lists:reverse(maps:to_list(L))),
    ?eq(term_to_binary(L, [deterministic]), term_to_binary(L2, [deterministic])),
    %% small maps are in key order anyway
    S = #{1 => a, 1.0 => b, x => c, "s" => d, <<"b">> => e, {t} => f, [] => g},
    ?eq(term_to_binary(S), term_to_binary(S, [deterministic])),
    ok.

clean() ->
    _ = code:purge(?M),
    _ = code:delete(?M),
    _ = code:purge(?M),
    false = erlang:module_loaded(?M),
    ok.

load(1) -> ?eq({module, ?M}, erlang:load_module(?M, ?DFUN_TARGET_V1));
load(2) -> ?eq({module, ?M}, erlang:load_module(?M, ?DFUN_TARGET_V2)).

call(F, Args) -> try apply(F, Args) catch C:R:S -> {C, R, hd(S)} end.

%% A fun of a module that is not loaded: decoded all the same, equal to
%% the original, callable once its code is loaded again.
dangling_fun_test() ->
    clean(),
    load(1),
    F = ?M:mk(7),
    Bin = term_to_binary(F),
    {name, Name} = erlang:fun_info(F, name),
    ?true(is_atom(Name)),
    clean(),
    G = binary_to_term(Bin),
    ?eq(F, G),
    ?eq(erlang:phash2(F), erlang:phash2(G)),
    ?eq(Bin, term_to_binary(G)),
    ?eq(G, binary_to_term(Bin, [safe])),
    ?eq({name, []}, erlang:fun_info(G, name)),
    ?eq({?M, [], 1}, erlang:fun_info_mfa(G)),
    ?eq({env, [7]}, erlang:fun_info(G, env)),
    ?eq({arity, 1}, erlang:fun_info(G, arity)),
    ?eq({module, ?M}, erlang:fun_info(G, module)),
    ?true(is_function(G, 1)),
    %% not loadable (not on the code path): undef, the fun on top
    ?eq({error, undef, {G, [1], []}}, call(G, [1])),
    ?eq({error, undef, {G, [1], []}}, try G(1) catch C:R:S -> {C, R, hd(S)} end),
    ?raises(error, {badarity, {G, [1, 2]}}, G(1, 2)),
    false = erlang:module_loaded(?M),
    %% loaded again: the same fun runs
    load(1),
    ?eq({v1, 7, 1}, G(1)),
    ?eq({v1, 7, 2}, call(G, [2])),
    %% so does the original, whose code was purged and loaded again
    ?eq({v1, 7, 3}, F(3)),
    clean(),
    ?eq({error, undef, {F, [4], []}}, call(F, [4])),
    ?eq({error, undef, {G, [3], []}}, call(G, [3])),
    ok.

%% A fun of another version of a loaded module: made, but calling it
%% raises badfun (OTP does not load anything: the module is loaded).
dangling_fun_version_test() ->
    clean(),
    load(1),
    F = ?M:mk(7),
    Bin = term_to_binary(F),
    clean(),
    G = binary_to_term(Bin),
    load(2),
    ?raises(error, {badfun, G}, G(1)),
    H = binary_to_term(Bin),
    ?eq(G, H),
    ?raises(error, {badfun, H}, H(1)),
    ?raises(error, {badfun, H}, apply(H, [1])),
    ?eq({v2, 1, 2}, (?M:mk(1))(2)),
    %% v1 back as old code (v2 current): OTP still finds the fun
    clean(),
    load(1),
    ?eq({v1, 7, 1}, G(1)),
    clean(),
    ok.

%% Inputs past a slice's budget take the sliced paths (docs/long_bifs.md):
%% the same rules there.
sliced_test() ->
    L = lists:seq(1, 20000),
    B = term_to_binary(L),
    ?eq(L, binary_to_term(<<B/binary, 1, 2, 3>>)),
    ?eq({L, byte_size(B)}, binary_to_term(<<B/binary, 1, 2, 3>>, [used])),
    Bits = 8 * (byte_size(B) + 1),
    <<_:5, Unaligned:Bits/bitstring, _:3>> = <<0:5, B/binary, 7, 0:3>>,
    ?eq({L, byte_size(B)}, binary_to_term(Unaligned, [used])),
    C = term_to_binary(L, [compressed]),
    ?true(byte_size(C) < byte_size(B)),
    ?eq(L, binary_to_term(<<C/binary, 9, 9>>)),
    ?eq({L, byte_size(C)}, binary_to_term(<<C/binary, 9, 9>>, [used])),
    ?raises(error, badarg, binary_to_term(binary:part(B, 0, byte_size(B) - 1))),
    %% a large map, deterministic: its pairs in key order
    M = maps:from_list([{I, -I} || I <- lists:seq(1, 20000)]),
    D = term_to_binary(M, [deterministic]),
    Keys = [K || {K, _} <- pairs(D)],
    ?eq(lists:seq(1, 20000), Keys),
    ?eq(M, binary_to_term(D)),
    ok.

%% The pairs of a MAP_EXT of small integers, in the order written.
pairs(<<131, 116, N:32, Rest/binary>>) -> pairs(N, Rest).
pairs(0, <<>>) -> [];
pairs(N, Rest) ->
    {K, R1} = int(Rest),
    {V, R2} = int(R1),
    [{K, V} | pairs(N - 1, R2)].
int(<<97, I, R/binary>>) -> {I, R};
int(<<98, I:32/signed, R/binary>>) -> {I, R}.

%% FLOAT_EXT: 31 bytes of text, NUL-padded; OTP takes only a whole
%% [+-]digits(.|,)digits[e[+-]digits] up to the first NUL.
float_text_test() ->
    F = fun(Text) -> Pad = 31 - byte_size(Text),
                     catch binary_to_term(<<131, 99, Text/binary, 0:Pad/unit:8>>) end,
    ?eq(3.14, F(<<"3.14">>)),
    ?eq(-250.0, F(<<"-2.50000000000000000000e+02">>)),
    ?eq(0.5, F(<<"+0,5">>)),
    ?eq(1.0e-5, F(<<"1.0E-5">>)),
    [?eq(true, element(1, F(T)) =:= 'EXIT')
     || T <- [<<"3.14x">>, <<"3.14 ">>, <<"1e5">>, <<"3.">>, <<".5">>, <<"1.0e">>,
              <<"1.0e+">>, <<" 1.0">>, <<"inf">>, <<"1.0e999">>, <<>>]],
    ?eq(3.14, F(<<"3.14", 0, "1">>)),                         % the text ends at its NUL
    ok.

%% SMALL_BIG_EXT / LARGE_BIG_EXT: any sign byte but 0 means negative.
big_sign_test() ->
    Mag = <<0, 0, 0, 0, 0, 0, 0, 0, 1>>,                       % 2^64
    ?eq(1 bsl 64, binary_to_term(<<131, 110, 9, 0, Mag/binary>>)),
    ?eq(-(1 bsl 64), binary_to_term(<<131, 110, 9, 1, Mag/binary>>)),
    ?eq(-(1 bsl 64), binary_to_term(<<131, 110, 9, 17, Mag/binary>>)),
    ?eq(-(1 bsl 64), binary_to_term(<<131, 111, 9:32, 255, Mag/binary>>)).
