-module(bigs).
-export([main/0]).
fact(0) -> 1; fact(N) -> N * fact(N-1).
p(Op, A, B, R) -> io:format("    {\"~s\", \"~w\", \"~w\", \"~w\"},~n", [Op, A, B, R]).
main() ->
  F30 = fact(30), F25 = fact(25), F40 = fact(40), F20 = fact(20),
  Big = (1 bsl 200) + 12345678901234567890,
  L = [{"band", F30, -F25}, {"band", -F30, -F25}, {"bor", F30, -F25}, {"bor", -F30, F25},
       {"bxor", -F30, -F25}, {"bxor", F30, F25}, {"band", -1, F30}, {"bor", -(1 bsl 64), 1 bsl 64},
       {"band", -Big, 16#FFFFFFFFFFFFFFFFFFFF}, {"bxor", -Big, -1},
       {"bsl", F25, 100}, {"bsl", -F25, 3}, {"bsr", -F30, 7}, {"bsr", F30, 7}, {"bsr", -F25, 200},
       {"bsr", -(1 bsl 64), 64}, {"bsr", -(1 bsl 64) - 1, 64}, {"bsr", -Big, 130}, {"bsl", -1, 64},
       {"bsl", 1, 59}, {"bsl", -1, 59},
       {"add", F30, -F25}, {"add", 576460752303423487, 1}, {"add", -576460752303423488, -1},
       {"sub", 1 bsl 64, 1}, {"sub", -F25, F30}, {"sub", 1 bsl 128, 1 bsl 128},
       {"mul", F30, -F25}, {"mul", 1 bsl 64, 1 bsl 64}, {"mul", -576460752303423488, -1},
       {"div", F40, F20}, {"div", F40 + 12345, -F20}, {"rem", F40 + 12345, -F20}, {"rem", -F40 - 7, F20},
       {"div", -Big, 1000000007}, {"rem", -Big, 1000000007}, {"div", Big, Big - 1}, {"rem", Big, Big - 1}],
  lists:foreach(fun({Op, A, B}) ->
      R = case Op of "band" -> A band B; "bor" -> A bor B; "bxor" -> A bxor B;
                     "bsl" -> A bsl B; "bsr" -> A bsr B; "add" -> A + B; "sub" -> A - B;
                     "mul" -> A * B; "div" -> A div B; "rem" -> A rem B end,
      p(Op, A, B, R) end, L),
  io:format("~n/* bnot */~n"),
  [io:format("    {\"~w\", \"~w\"},~n", [X, bnot X]) || X <- [F30, -F30, 576460752303423487, -576460752303423488, -(1 bsl 64)]],
  io:format("~n/* bases */~n"),
  [io:format("    {\"~w\", ~w, \"~s\"},~n", [X, B, integer_to_list(X, B)]) || {X, B} <- [{F30, 16}, {-F25, 36}, {F30, 2}, {F40, 7}, {-1, 36}, {0, 2}, {Big, 36}]],
  io:format("~n/* fact100 */~n\"~w\"~n", [fact(100)]),
  io:format("~n/* float */~n"),
  [io:format("    {\"~w\", ~.17g},~n", [X, float(X)]) || X <- [F30, -F25, 1 bsl 64, Big, fact(170)]],
  io:format("~n/* trunc */~n"),
  [io:format("    {~.17g, \"~w\"},~n", [X, trunc(X)]) || X <- [1.0e20, -1.0e20, 1.0e300, 123456789.75, -9.3e18, 5.0e-324]],
  ok.
