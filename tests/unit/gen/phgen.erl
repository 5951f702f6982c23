-module(phgen).
-export([main/0]).
fact(0) -> 1; fact(N) -> N * fact(N-1).
terms() ->
  <<_:3, Sub/bitstring>> = <<1,2,3>>,
  [0, 1, 255, 256, -1, -256, 2147483647, 2147483648, -2147483648, -2147483649,
   134217727, 134217728, -134217728, -134217729, 576460752303423487,
   576460752303423488, -576460752303423488, -576460752303423489,
   1 bsl 64, -(1 bsl 64), (1 bsl 100) - 1, fact(30), -fact(25), 1 bsl 2100,
   0.0, -0.0, 1.5, -2.25, 3.141592653589793, 1.0e300, 5.0e-324,
   a, abc, true, '', 'hello world', list_to_atom([955,97]), list_to_atom([233]),
   [], [1,2,3], "hello", [a|b], [1|2], [[]], ["ab"], [1000, 2000], lists:seq(1,300), [-1],
   {}, {a}, {1,2,3}, {[],[]}, list_to_tuple(lists:seq(1,300)),
   <<>>, <<1,2,3>>, <<"hello world">>, list_to_binary(lists:seq(1,100)), <<1:1>>, <<1,2,3:5>>, Sub,
   #{}, #{a=>1}, #{b=>2, a=>1, 1=>x, 1.0=>y}, #{[1]=>{2}}, #{k => #{}},
   {ok, #{list => [1,2.5,<<"x">>]}, -7},
   fun lists:map/2].
hex(B) -> string:join([integer_to_list(X) || X <- binary_to_list(B)], ",").
main() ->
  lists:foreach(fun(T) ->
      B = term_to_binary(T),
      io:format("    {~p, (const uint8_t[]){~s}, ~p, ~p, ~p, ~p},~n",
        [lists:flatten([if C > 126 -> $?; true -> C end || C <- lists:flatten(io_lib:format("~0p",[T]))]) , hex(B), byte_size(B), erlang:phash2(T), erlang:phash2(T, 7), erlang:phash2(T, 1 bsl 32)])
    end, terms()).
