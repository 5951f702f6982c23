%% term_to_binary / binary_to_term of a large term (docs/long_bifs.md):
%% best of 5 runs, in ms. Not part of `make bench`'s tables; run by hand:
%%   erlc -o /tmp bench/etfbench.erl
%%   build/beamos-host -pa /tmp -s etfbench main
%%   erl -noshell -pa /tmp -s etfbench main
-module(etfbench).
-export([main/0]).

best(F) -> lists:min([element(1, timer:tc(F)) || _ <- lists:seq(1, 5)]) / 1000.

main() ->
    T = [{I, <<"abc">>, [I, -I], {x, 3.5}} || I <- lists:seq(1, 1000000)],
    B = term_to_binary(T),
    C = term_to_binary(T, [compressed]),
    R = [{ttb, best(fun() -> term_to_binary(T) end)},
         {b2t, best(fun() -> binary_to_term(B) end)},
         {ttb_z, best(fun() -> term_to_binary(T, [compressed]) end)},
         {b2t_z, best(fun() -> binary_to_term(C) end)},
         {bytes, byte_size(B), byte_size(C)}],
    io:format("~p~n", [R]),
    halt().
