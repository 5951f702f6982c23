%% intops_test — integer operators on values around the small-integer
%% boundary (2^59 on beamos) and word boundaries. The emulator computes
%% them inline when both operands and the result are smalls and calls the
%% BIF otherwise (vm/instrs_arith.def); each compiled operator is checked
%% against the same operator applied through erlang:apply/3 (the BIF), and
%% the whole table against a checksum produced by stock OTP 25 erl.
-module(intops_test).
-include("bt.hrl").
-export([ops_match_bifs_test/0, ops_checksum_test/0, shifts_test/0, errors_test/0]).

id(X) -> X.

values() ->
    B = [0, 1, 2, 3, 7, 63, 64, 100, 1 bsl 27, 1 bsl 31, 1 bsl 32, 1 bsl 58,
         (1 bsl 59) - 1, 1 bsl 59, (1 bsl 60) + 1, 1 bsl 63, 1 bsl 64, 1 bsl 100],
    B ++ [-X || X <- B, X =/= 0].

%% Each clause is compiled to a gc_bif2 with both operands in registers.
compiled('*', A, B) -> A * B;
compiled('div', A, B) -> A div B;
compiled('rem', A, B) -> A rem B;
compiled('band', A, B) -> A band B;
compiled('bor', A, B) -> A bor B;
compiled('bxor', A, B) -> A bxor B;
compiled('bsr', A, B) -> A bsr B;
compiled('bsl', A, B) -> A bsl B.

ops() -> ['*', 'div', 'rem', 'band', 'bor', 'bxor'].

result(Op, A, B) ->
    try compiled(Op, A, B) catch error:R -> {error, R} end.

bif(Op, A, B) ->
    try apply(erlang, id(Op), [A, B]) catch error:R -> {error, R} end.

ops_match_bifs_test() ->
    Vs = values(),
    Bad = [{Op, A, B} || Op <- ops(), A <- Vs, B <- Vs,
                         result(Op, A, B) =/= bif(Op, A, B)],
    ?eq([], Bad).

mix(V, Acc) -> (Acc * 1000003 + V) rem 4294967291.

ops_checksum_test() ->
    Vs = values(),
    Sum = lists:foldl(fun({Op, A, B}, Acc) ->
                              case result(Op, A, B) of
                                  {error, _} -> mix(7, Acc);
                                  R -> mix(R rem 4294967291, Acc)
                              end
                      end, 0, [{Op, A, B} || Op <- ops(), A <- Vs, B <- Vs]),
    ?eq(3520603232, Sum).

shifts_test() ->
    Vs = values(),
    Ns = [0, 1, 3, 31, 32, 58, 59, 60, 63, 64, 65, 100, -1, -3, -64, -65, -100],
    Bad = [{Op, A, N} || Op <- ['bsl', 'bsr'], A <- Vs, N <- Ns,
                         result(Op, A, N) =/= bif(Op, A, N)],
    ?eq([], Bad),
    ?eq(1 bsl 59, compiled('bsl', id(1), id(59))),
    ?eq(-(1 bsl 59), compiled('bsl', id(-1), id(59))),
    ?eq(-1, compiled('bsr', id(-5), id(200))),
    ?eq(0, compiled('bsr', id(5), id(200))),
    ?eq(20, compiled('bsl', id(5), id(2))),
    ?eq(1, compiled('bsl', id(5), id(-2))).

errors_test() ->
    ?raises(error, badarith, compiled('div', id(1), id(0))),
    ?raises(error, badarith, compiled('rem', id(1), id(0))),
    ?raises(error, badarith, compiled('*', id(a), id(2))),
    ?raises(error, badarith, compiled('band', id(1.0), id(2))),
    ?raises(error, badarith, compiled('bsl', id(1), id(1.0))),
    ?eq(6.0, compiled('*', id(2), id(3.0))),
    ?eq(-2, compiled('div', id(-7), id(3))),
    ?eq(-1, compiled('rem', id(-7), id(3))),
    ?eq(1, compiled('rem', id(7), id(-3))),
    %% the fast path's overflow check: the product needs a bignum
    ?eq(1 bsl 60, compiled('*', id(1 bsl 30), id(1 bsl 30))),
    ?eq(1 bsl 59, compiled('div', id(-(1 bsl 59)), id(-1))).
