%% loader_sample — a small module with known facts, compiled by erlc at
%% build time and parsed by tests/unit/test_beam_file.c, which checks its
%% exports, atoms, literals, line table and function count. Changing a line
%% here changes the line numbers the test expects.
-module(loader_sample).
-export([add/2, greet/1, classify/1, big/0, pi/0, make_adder/1, sum/1]).

add(A, B) -> A + B.

greet(Name) -> {hello, Name, "a literal string"}.

classify(red) -> warm;
classify(orange) -> warm;
classify(blue) -> cold;
classify(green) -> cold;
classify(_) -> unknown.

big() -> 123456789012345678901234567890.

pi() -> 3.25.

make_adder(N) -> fun(X) -> X + N end.

sum(L) -> sum(L, 0).

sum([H | T], Acc) -> sum(T, Acc + H);
sum([], Acc) -> Acc.
