%% Binary construction as OTP 23/24's compilers emitted it (bs_init2,
%% bs_init_bits, bs_append, bs_put_*, bs_add, bs_utf*_size): OTP 25 loads
%% such .beam files, and its erlc still emits them with +no_bs_create_bin,
%% which this module is compiled with (no_type_opt: OTP 25's assembler
%% rejects typed registers in bs_put_* otherwise). Expected values are
%% stock erl 25's; the module also runs there.
-module(legacy_bs_test).
-compile([no_bs_create_bin, no_type_opt]).
-include("bt.hrl").
-export([segments_test/0, append_loop_test/0, utf_test/0, float_test/0,
         bitstring_test/0, errors_test/0, guard_test/0, big_test/0]).

segments_test() ->
    ?eq(<<65,120,121,97,98,99,63,248,0,0,0,0,0,0,65>>, f(65, <<"xy">>)),
    ?eq(<<3,2,1,104,101,108,108,111>>, little(16#010203)),
    ?eq(<<1,254,255>>, app(<<1>>, -2)),
    ?eq(<<>>, empty(id(<<>>))),
    ?eq(<<255,255,255,254>>, signed32(-2)),
    ?eq(<<254,255,255,255>>, native32(-2)).

append_loop_test() ->
    ?eq(<<"z", 5, 4, 3, 2, 1>>, acc(5, <<"z">>)),
    B = acc(10000, <<>>),
    ?eq(10000, byte_size(B)),
    ?eq(lists:reverse([N band 255 || N <- lists:seq(1, 10000)]), binary_to_list(B)),
    %% earlier views never change when a later append extends in place
    B1 = acc(3, <<"a">>),
    B2 = <<B1/binary, 9>>,
    B3 = <<B1/binary, 8>>,
    ?eq({<<"a",3,2,1>>, <<"a",3,2,1,9>>, <<"a",3,2,1,8>>}, {B1, B2, B3}).

utf_test() ->
    ?eq(<<240,159,152,128,216,61,222,0,0,246,1,0>>, u(16#1F600)),
    ?eq(<<65,0,65,65,0,0,0>>, u(65)),
    ?eq(<<194,128,0,128,128,0,0,0>>, u(128)),
    ?eq(<<224,160,128,8,0,0,8,0,0>>, u(16#800)),
    ?raises(error, badarg, u(-1)),
    ?raises(error, badarg, u(16#D800)),
    ?raises(error, badarg, u(16#110000)),
    ?raises(error, badarg, u(a)).

float_test() ->
    ?eq(<<63,248,0,0,0,0,0,0,63,192,0,0>>, fl(1.5, 64)),
    ?eq(<<64,0,64,0,0,0>>, fl(2.0, 16)),
    ?eq(<<64,0,0,0,64,0,0,0>>, fl(2, 32)),
    ?raises(error, badarg, fl(a, 32)),
    ?raises(error, badarg, fl(1.0, 8)).

bitstring_test() ->
    ?eq(<<255,9:4>>, bits(<<255,1:1>>, 9)),
    ?eq(<<1:3>>, bits(<<>>, 0)),
    ?raises(error, badarg, bits(<<1>>, 9)),
    ?eq(<<7:3, 1:1>>, <<(id(7)):3, (id(1)):1>>).

errors_test() ->
    ?raises(error, badarg, app(x, 1)),
    ?raises(error, badarg, app(<<1:1>>, 1)),
    ?raises(error, badarg, sized(1, -1)),
    ?raises(error, badarg, sized(1, a)),
    ?raises(error, system_limit, sized(1, 1 bsl 62)),
    ?raises(error, system_limit, sized(1, 1 bsl 70)),
    ?raises(error, badarg, sized(a, 8)).

guard_test() ->
    ?eq(yes, g(1)),
    ?eq(no, g(2)),
    ?eq(no, g(a)),
    ?eq(no, g(-1 bsl 70)).

big_test() ->
    ?eq(<<1,0,0,0,0,0,0,0,0,0>>, sized_bits(1 bsl 72, 80)),
    ?eq(<<255,255,255,255,255,255,255,255,255,255>>, sized_bits(-1, 80)),
    ?eq(<<0:632, 1, 7>>, sized(1, 80)),
    ?eq(<<0,0,0,0,0,0,0,0,0,1>>, sized_little(1 bsl 72, 80)).

%% the constructions, kept out of line so the compiler cannot fold them
f(X, B) -> <<X:8, B/binary, "abc", 1.5/float, X/utf8>>.
little(X) -> <<X:24/little, "hello">>.
app(B, X) -> <<B/binary, X:16/little-signed>>.
empty(B) -> <<B/binary>>.
signed32(X) -> <<X:32/signed>>.
native32(X) -> <<X:32/native>>.
acc(0, B) -> B;
acc(N, B) -> acc(N - 1, <<B/binary, N:8>>).
u(X) -> <<X/utf8, X/utf16, X/utf32-little>>.
fl(F, S) -> <<F:S/float, F:32/float>>.
bits(B, N) -> <<B:N/bitstring, 1:3>>.
sized(X, N) -> <<X:N/unit:8, 7:8>>.
sized_bits(X, N) -> <<X:N>>.
sized_little(X, N) -> <<X:N/little>>.
g(X) when <<X:8>> =:= <<1>> -> yes;
g(_) -> no.
id(X) -> X.
