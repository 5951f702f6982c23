-module(emu_basic).
-export([fib/1, sum/1, rev/1, tup/1, fc/1, t_catch/1, t_try/1, closure/2, maps/1, bin/1, flt/2, trace/0]).
fib(N) when N < 2 -> N;
fib(N) -> fib(N - 1) + fib(N - 2).
sum([]) -> 0;
sum([H | T]) -> H + sum(T).
rev(L) -> rev(L, []).
rev([], A) -> A;
rev([H | T], A) -> rev(T, [H | A]).
tup({A, B, C}) -> {C, B, A}.
fc(a) -> 1.
t_catch(1) -> catch throw(x);
t_catch(2) -> catch exit(y);
t_catch(3) -> {'EXIT', {R, _}} = (catch fc(b)), R;
t_catch(4) -> case catch badm(1) of {'EXIT', {R, _}} -> R end.
badm(X) -> 2 = X.
t_try(C) -> try raise(C) of _ -> none catch throw:R -> {t, R}; error:R -> {e, R}; exit:R -> {x, R} end.
raise(1) -> throw(a);
raise(2) -> error(b);
raise(3) -> exit(c);
raise(4) -> case 4 of 5 -> ok end.
closure(X, L) -> F = fun(Y) -> Y + X end, [F(E) || E <- L].
maps(M) -> M2 = M#{k => 1}, #{k := V} = M2, {V, maps_size_ok}.
bin(B) -> <<A:8, C:16/little, R/binary>> = B, {A, C, R, <<C:16, A:4, 5:4, R/binary, "z">>}.
flt(X, Y) -> X * 2.5 + Y / 2.0.
trace() -> try fc(zz) catch error:function_clause:S -> S end.
