%% bitsyntax_test — bit syntax matching and construction across sizes,
%% alignments, signedness and endianness, and match-context reuse. The
%% emulator has fast paths for integers that fit a word (vm/emu_bs.c) and
%% reuses a match context passed to a function that accepts one; these
%% tests cover both sides of each fast path's conditions. The expected
%% checksums were produced by stock OTP 25 erl.
-module(bitsyntax_test).
-include("bt.hrl").
-export([get_integer_test/0, put_integer_test/0, roundtrip_test/0,
         context_reuse_test/0, sub_binary_intact_test/0, backtrack_test/0,
         append_build_test/0, append_int_test/0, gc_during_match_test/0,
         native_match_test/0, unaligned_append_test/0]).

id(X) -> X.

%% Order-sensitive checksum that needs no BIF beyond arithmetic.
mix(V, Acc) -> (Acc * 1000003 + V) rem 4294967291.

src() -> id(<< <<((I * 37 + 11) band 255):8>> || I <- lists:seq(0, 31) >>).

%% Every size 0..72 at bit offsets 0..9: unsigned/signed, big/little.
get_integer_test() ->
    B = src(),
    Sum = lists:foldl(
            fun({Off, Size}, Acc) ->
                    <<_:Off, U:Size, _/bitstring>> = B,
                    <<_:Off, S:Size/signed, _/bitstring>> = B,
                    <<_:Off, L:Size/little, _/bitstring>> = B,
                    <<_:Off, LS:Size/little-signed, _/bitstring>> = B,
                    mix(LS band 16#FFFFFFFF, mix(L rem 999983,
                        mix(S rem 999983 + 999983, mix(U rem 999983, Acc))))
            end, 0, [{Off, Size} || Off <- lists:seq(0, 9), Size <- lists:seq(0, 72)]),
    ?eq(2094739383, Sum),
    %% a value at the very end of the binary (no byte read past it)
    <<_:248, Last:8>> = B,
    ?eq(((31 * 37 + 11) band 255), Last),
    <<_:249, Last7:7>> = B,
    ?eq(Last band 127, Last7),
    %% too few bits left: the match fails
    ?eq(nomatch, case B of <<_:250, _:7>> -> match; _ -> nomatch end).

%% Construction of small, negative and big integers at every bit offset.
put_integer_test() ->
    Vals = [0, 1, -1, 255, -256, 16#7FFF, -16#8000, 16#123456789ABCDEF,
            -16#123456789ABCDEF, (1 bsl 59) - 1, -(1 bsl 59), 1 bsl 64 + 5, -(1 bsl 70) - 3],
    Sum = lists:foldl(
            fun({V, Off, Size}, Acc) ->
                    Pad = Off band 3,
                    Bs = [<<Pad:Off, V:Size>>, <<Pad:Off, V:Size/little>>,
                          <<Pad:Off, V:Size/signed-little>>, <<V:Size, Pad:Off>>],
                    lists:foldl(fun(Bin, A) -> bits_sum(Bin, A) end, Acc, Bs)
            end, 0, [{V, Off, Size} || V <- id(Vals), Off <- [0, 1, 3, 7, 8, 13],
                                       Size <- [1, 7, 8, 9, 16, 24, 31, 32, 56, 60, 64, 65, 72]]),
    ?eq(1816957156, Sum).

%% Folds every bit of a bitstring and its size into a checksum.
bits_sum(Bin, Acc) ->
    A = lists:foldl(fun(X, A) -> mix(X, A) end, Acc, [X || <<X:5>> <= Bin]),
    mix(bit_size(Bin), A).

roundtrip_test() ->
    [begin
         <<V1:Size/signed>> = <<V:Size/signed>>,
         ?eq(V, V1),
         <<V2:Size/little-signed>> = <<V:Size/little-signed>>,
         ?eq(V, V2)
     end || Size <- [8, 16, 24, 32, 40, 48, 56, 64, 72],
            V <- [0, 1, -1, 100, -100, 1 bsl (Size - 2), -(1 bsl (Size - 1))]],
    ?eq(<<1, 0>>, <<(id(1)):16/little>>),
    ?eq(<<255, 255, 255>>, <<(id(-1)):24>>),
    ?eq(<<16#34, 16#12>>, <<(id(16#1234)):16/native>>),
    ?raises(error, badarg, <<(id(foo)):8>>).

%% bin_sum/2's clause takes the match context it is passed again (reuse);
%% the results must be those of fresh matches.
context_reuse_test() ->
    B = src(),
    ?eq(lists:sum(binary_to_list(B)), byte_sum(B, 0)),
    ?eq(lists:sum(binary_to_list(B)), byte_sum(B, 0)),
    Big = binary:copy(B, id(100)),
    ?eq(100 * lists:sum(binary_to_list(B)), byte_sum(Big, 0)),
    ?eq(length([X || <<X:3>> <= B, X > 3]), high3(B, 0)).

byte_sum(<<X:8, Rest/binary>>, S) -> byte_sum(Rest, S + X);
byte_sum(<<>>, S) -> S.

high3(<<X:3, Rest/bitstring>>, N) when X > 3 -> high3(Rest, N + 1);
high3(<<_:3, Rest/bitstring>>, N) -> high3(Rest, N);
high3(<<_/bitstring>>, N) -> N.

%% A sub binary the program holds is never changed by matching it.
sub_binary_intact_test() ->
    <<_:8, Sub/binary>> = id(<<1, 2, 3, 4, 5>>),
    ?eq(14, byte_sum(Sub, 0)),
    ?eq(<<2, 3, 4, 5>>, Sub),
    ?eq(14, byte_sum(Sub, 0)),
    <<_:3, Odd/bitstring>> = id(<<255, 0, 255>>),
    ?eq(0, high3(<<0:21>>, 0)),
    ?eq(4, high3(Odd, 0)),
    ?eq(<<255:5, 0:8, 255:8>>, Odd).

%% Clauses that fail part-way restore the position for the next one.
backtrack_test() ->
    ?eq([{a, 1}, {b, 2}, {c, <<3, 4>>}, rest],
        tokens(id(<<0, 1, 1, 0, 2, 2, 0, 2, 2, 3, 4, 7>>))).

tokens(<<0, 1, X:8, Rest/binary>>) -> [{a, X} | tokens(Rest)];
tokens(<<0, 2, N:8, Rest/binary>>) when N > 1, N < 3, byte_size(Rest) > 3 ->
    [{b, N} | tokens(Rest)];
tokens(<<0, 2, N:8, Bin:N/binary, Rest/binary>>) -> [{c, Bin} | tokens(Rest)];
tokens(<<_/binary>>) -> [rest].

%% Appending mixed segments to a growing binary at byte and bit offsets.
append_build_test() ->
    B1 = lists:foldl(fun(I, Acc) -> <<Acc/bitstring, I:5, (I * 3):11/little>> end,
                     <<>>, lists:seq(1, 200)),
    ?eq(3200, bit_size(B1)),
    ?eq(bits_sum(B1, 0), bits_sum(list_to_bitstring([<<I:5, (I * 3):11/little>> || I <- lists:seq(1, 200)]), 0)),
    B2 = lists:foldl(fun(I, Acc) -> <<Acc/binary, I:32/signed, (-I):16>> end,
                     <<>>, lists:seq(-50, 50)),
    ?eq(606, byte_size(B2)),
    ?eq(lists:seq(-50, 50), [I || <<I:32/signed, _:16>> <= B2]),
    ?eq([-I band 16#FFFF || I <- lists:seq(-50, 50)], [J || <<_:32, J:16>> <= B2]).

%% `<<Acc/binary, V:Size>>` (a loader-specialised form of bs_create_bin)
%% and the cases it hands back to the general instruction.
append_int_test() ->
    B = lists:foldl(fun(I, Acc) -> <<Acc/binary, I:8>> end, <<>>, lists:seq(1, 300)),
    ?eq([I band 255 || I <- lists:seq(1, 300)], binary_to_list(B)),
    Bits = lists:foldl(fun(I, Acc) -> <<Acc/bitstring, I:3>> end, <<>>, lists:seq(1, 300)),
    ?eq(900, bit_size(Bits)),
    ?eq([I band 7 || I <- lists:seq(1, 300)], [X || <<X:3>> <= Bits]),
    Big = lists:foldl(fun(I, Acc) -> <<Acc/binary, (I bsl 60 + I):64>> end, <<>>, lists:seq(1, 20)),
    ?eq([(I bsl 60 + I) band 16#FFFFFFFFFFFFFFFF || I <- lists:seq(1, 20)], [X || <<X:64>> <= Big]),
    ?eq(<<B/binary, 255, 255>>, append16(B, -1)),
    %% two appends to one value: the older view is copied, not overwritten
    A1 = append8(B, 1),
    A2 = append8(B, 2),
    ?eq({301, 1, 2}, {byte_size(A1), binary:last(A1), binary:last(A2)}),
    ?eq(B, binary:part(A2, 0, 300)),
    ?raises(error, badarg, append8(id(<<1:3>>), 5)),
    ?raises(error, badarg, append8(id(<<"abc">>), foo)),
    ?raises(error, badarg, append8(id(foo), 1)),
    ?eq(<<"abc", 0>>, append8(id(<<"abc">>), 256)).

append8(A, V) -> <<A/binary, V:8>>.
append16(A, V) -> <<A/binary, V:16>>.

%% A match context survives collections in the middle of its loop (it is
%% saved in a Y register across the call, and moved by the GC).
gc_during_match_test() ->
    B = binary:copy(src(), id(50)),
    L = collect(B, 0, []),
    ?eq(binary_to_list(B), lists:reverse([X || {X, [X]} <- L])),
    <<_:3, Odd/bitstring>> = B,
    ?eq(bit_size(Odd) div 5, length(collect5(Odd, []))).

collect(<<X:8, R/binary>>, N, Acc) ->
    N rem 97 =:= 0 andalso erlang:garbage_collect(),
    collect(R, N + 1, [{X, [X]} | Acc]);
collect(<<>>, _, Acc) -> Acc.

collect5(<<X:5, R/bitstring>>, Acc) ->
    length(Acc) rem 50 =:= 0 andalso erlang:garbage_collect(),
    collect5(R, [X | Acc]);
collect5(<<_/bitstring>>, Acc) -> Acc.

%% `native` in a match is the machine's byte order (little on x86-64, as in
%% construction): integers, floats, UTF-16/32.
native_match_test() ->
    Little = <<1:16/native>> =:= <<1:16/little>>,
    Bin = id(<<1, 0, 255, 255, 255, 255, 1, 2, 3>>),
    <<A:16/native, B:32/native-signed, C:24/native>> = Bin,
    case Little of
        true -> ?eq({1, -1, 16#030201}, {A, B, C});
        false -> ?eq({256, -1, 16#010203}, {A, B, C})
    end,
    <<F:64/float-native>> = <<(id(2.5)):64/float-native>>,
    ?eq(2.5, F),
    <<U/utf16-native, V/utf32-native>> = <<(id(16#10437))/utf16-native, (id($x))/utf32-native>>,
    ?eq({16#10437, $x}, {U, V}),
    ?eq([1, 2], [X || <<X:16/native>> <= <<(id(1)):16/native, (id(2)):16/native>>]).

%% Appending to a bitstring accumulator of any bit size: in place for the
%% newest view, a copy for an older one, so no value ever changes.
unaligned_append_test() ->
    A0 = << <<1:3>> || _ <- lists:seq(1, 200) >>,
    ?eq(600, bit_size(A0)),
    A1 = <<A0/bitstring, 1:1>>,
    A2 = <<A0/bitstring, 0:1>>,                 % A0 is no longer the newest view
    A3 = <<A1/bitstring, 5:3>>,
    A4 = <<A1/bitstring, 2:3>>,
    ?eq(<<A0/bitstring, 1:1>>, A1),
    ?eq(601, bit_size(A2)),
    <<_:600, Last2:1>> = A2,
    ?eq(0, Last2),
    <<_:600, Last1:1>> = A1,
    ?eq(1, Last1),
    <<_:601, T3:3>> = A3,
    <<_:601, T4:3>> = A4,
    ?eq({5, 2}, {T3, T4}),
    ?eq(<< <<1:3>> || _ <- lists:seq(1, 200) >>, A0),
    Big = lists:foldl(fun(I, Acc) -> <<Acc/bitstring, (I band 7):3>> end, <<>>, lists:seq(1, 50000)),
    ?eq(150000, bit_size(Big)),
    <<_:3, Second:3, _/bitstring>> = Big,
    ?eq(2, Second).
