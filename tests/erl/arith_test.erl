%% Integer, bignum and float arithmetic as OTP defines it.
-module(arith_test).
-include("bt.hrl").
-compile([nowarn_shadow_vars]).
-export([small_test/0, bignum_test/0, division_test/0, bitwise_test/0,
         float_test/0, float_mixed_test/0, conversion_test/0, badarith_test/0, compare_test/0]).

id(X) -> X.   % defeats constant folding

small_test() ->
    ?eq(7, id(3) + id(4)),
    ?eq(-1, id(3) - id(4)),
    ?eq(12, id(3) * id(4)),
    ?eq(576460752303423487, id(576460752303423486) + 1),
    ?eq(-576460752303423488, id(-576460752303423487) - 1),
    ?eq(1152921504606846976, id(576460752303423488) * 2),
    ?eq(5, abs(id(-5))),
    ?eq(3, max(id(3), 2)),
    ?eq(2, min(id(3), 2)).

fact(0) -> 1;
fact(N) -> N * fact(N - 1).

bignum_test() ->
    F50 = fact(id(50)),
    ?eq(30414093201713378043612608166064768844377641568960512000000000000, F50),
    ?eq(F50, fact(51) div 51),
    ?eq(0, fact(100) rem fact(99)),
    ?eq("93326215443944152681699238856266700490715968264381621468592963895217599993229915608941463976156518286253697920827223758251185210916864000000000000000000000000",
        integer_to_list(fact(id(100)))),
    ?eq(1 bsl 200, (1 bsl 100) * (1 bsl 100)),
    ?eq(-(1 bsl 100), id(0) - (1 bsl 100)),
    ?eq(1267650600228229401496703205376, 1 bsl id(100)),
    ?eq("FFFFFFFFFFFFFFFFFFFFFFFF", integer_to_list((1 bsl 96) - 1, 16)),
    ?eq(1 bsl 96 - 1, list_to_integer("FFFFFFFFFFFFFFFFFFFFFFFF", 16)),
    ?eq(true, fact(30) > fact(29)),
    ?eq(true, -fact(30) < -fact(29)).

division_test() ->
    ?eq(3, id(7) div 2),
    ?eq(-3, id(-7) div 2),
    ?eq(1, id(7) rem 2),
    ?eq(-1, id(-7) rem 2),
    ?eq(3.5, id(7) / 2),
    N = fact(40), D = fact(25) + 12345,
    ?eq(N, (N div D) * D + N rem D),
    ?raises(error, badarith, id(1) div 0),
    ?raises(error, badarith, id(1) rem 0),
    ?raises(error, badarith, id(1) / 0).

bitwise_test() ->
    ?eq(2, id(6) band 3),
    ?eq(7, id(6) bor 3),
    ?eq(5, id(6) bxor 3),
    ?eq(-7, bnot id(6)),
    ?eq(-2, id(-7) bsr 2),
    ?eq(-28, id(-7) bsl 2),
    ?eq(-1, (-1 bsl 100) bsr id(200)),
    ?eq((1 bsl 100) - 1, ((1 bsl 100) - 1) band -1),
    ?eq(-(1 bsl 64), id(-1) bsl 64),
    ?eq(340282366920938463444927863358058659840, ((1 bsl 128) - 1) bxor ((1 bsl 64) - 1)).

float_test() ->
    ?eq(0.30000000000000004, id(0.1) + 0.2),
    ?eq(2.0, math:sqrt(id(4.0))),
    ?eq(3, trunc(id(3.99))),
    ?eq(4, round(id(3.5))),
    ?eq(-4, round(id(-3.5))),
    ?eq(-4, floor(id(-3.5))),
    ?eq(-3, ceil(id(-3.5))),
    ?eq(9.999999999999999e299, id(1.0e150) * 1.0e150),
    ?raises(error, badarith, id(1.0e300) * 1.0e300),
    ?eq(true, 1 == 1.0),
    ?eq(false, 1 =:= 1.0),
    ?eq(1.2676506002282294e30, float(1 bsl id(100))).

%% Float-register code (fconv/fmove) fed floats, smalls, bignums and
%% non-numbers: the compiler emits it when one operand is a known float.
float_mixed_test() ->
    ?eq(4.5, fma(id(1.5), id(2), id(1.5))),
    ?eq(3.5, fma(id(1.0), id(2.0), id(1.5))),
    ?eq(1.2676506002282294e30, fma(id(1.0), id(1 bsl 100), id(0.0))),
    ?eq(-6.0, fma(id(2.0), id(-3), id(0))),
    ?raises(error, badarith, fma(id(1.0), id(foo), id(0.0))),
    ?raises(error, badarith, fma(id(1.0), id(1 bsl 1100), id(0.0))),
    ?raises(error, badarith, fma(id(1.0e300), id(1.0e300), id(0.0))).

fma(A, B, C) when is_float(A) -> A * B + C.

conversion_test() ->
    ?eq("3.14000000000000012434e+00", float_to_list(id(3.14))),
    ?eq("3.14", float_to_list(id(3.14), [{decimals, 2}])),
    ?eq("3.14", float_to_list(id(3.14), [{decimals, 4}, compact])),
    ?eq("1.000e+10", float_to_list(id(1.0e10), [{scientific, 3}])),
    ?eq(<<"0.1">>, float_to_binary(id(0.1), [short])),
    ?eq(<<"-255">>, integer_to_binary(id(-255))),
    ?eq(<<"-FF">>, integer_to_binary(id(-255), 16)),
    ?eq(-255, binary_to_integer(<<"-ff">>, 16)),
    ?eq(1.5, list_to_float("1.5")),
    ?raises(error, badarg, list_to_float(id("1"))),
    ?raises(error, badarg, list_to_integer(id("12a"))),
    ?eq(<<"abc">>, atom_to_binary(id(abc))).

badarith_test() ->
    ?raises(error, badarith, id(a) + 1),
    ?raises(error, badarith, id(1) bsl a),
    ?raises(error, badarith, id(1.0) band 1).

compare_test() ->
    L = [{a, 1}, [], "abc", <<"b">>, 1.0, atom, make_ref(), self(), #{k => v}, {}, 3],
    Sorted = lists:sort(L),
    ?eq([1.0, 3, atom], lists:sublist(Sorted, 3)),
    ?eq(true, is_reference(lists:nth(4, Sorted))),
    ?eq(true, is_pid(lists:nth(5, Sorted))),
    ?eq([{}, {a, 1}, #{k => v}, [], "abc", <<"b">>], lists:nthtail(5, Sorted)),
    ?eq(true, {1, 2} < {1, 3}),
    ?eq(true, {2} < {1, 1}),
    ?eq(true, [1, 2] < [1, 2, 3]),
    ?eq(true, #{a => 1} < #{a => 1, b => 2}).
