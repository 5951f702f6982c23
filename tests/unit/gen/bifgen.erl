-module(bifgen).
%% Generates tests/unit/bif_cases.inc: each BIF call below, run on stock
%% erl (OTP 25), with its arguments and its result (or error reason) as
%% term_to_binary bytes. Run:
%%   cd tests/unit/gen && erlc bifgen.erl && erl -noshell -eval 'bifgen:main(), halt().' > ../bif_cases.inc
-export([main/0]).

big() -> 1 bsl 64.
fact(0) -> 1; fact(N) -> N * fact(N-1).

cases() ->
  B = big(), F30 = fact(30), S = 576460752303423487, SN = -576460752303423488,
  <<_:3, Sub/bitstring>> = <<1,2,3>>,
  [%% arithmetic
   {erlang,'+',[1,2]}, {erlang,'+',[S,1]}, {erlang,'+',[SN,-1]}, {erlang,'+',[B,-B]},
   {erlang,'+',[B,1.5]}, {erlang,'+',[1,2.5]}, {erlang,'+',[a,1]}, {erlang,'+',[1.0e308,1.0e308]},
   {erlang,'+',[fact(200),1.0]}, {erlang,'-',[SN,1]}, {erlang,'-',[0,B]}, {erlang,'-',[2.5,1]},
   {erlang,'*',[S,S]}, {erlang,'*',[F30,-F30]}, {erlang,'*',[3,0.5]}, {erlang,'*',[1 bsl 40, 1 bsl 40]},
   {erlang,'/',[1,2]}, {erlang,'/',[1,0]}, {erlang,'/',[1.0,0.0]}, {erlang,'/',[B,2]}, {erlang,'/',[a,2]},
   {erlang,'div',[7,2]}, {erlang,'div',[-7,2]}, {erlang,'div',[7,-2]}, {erlang,'div',[SN,-1]},
   {erlang,'div',[F30,fact(20)]}, {erlang,'div',[1,0]}, {erlang,'div',[1.0,1]},
   {erlang,'rem',[7,2]}, {erlang,'rem',[-7,2]}, {erlang,'rem',[7,-2]}, {erlang,'rem',[F30,7919]}, {erlang,'rem',[-F30,B+1]},
   {erlang,'rem',[1,0]},
   {erlang,'band',[12,10]}, {erlang,'band',[-1,B]}, {erlang,'band',[-B,B-1]}, {erlang,'bor',[12,10]}, {erlang,'bor',[-B,1]},
   {erlang,'bxor',[12,10]}, {erlang,'bxor',[-1,B]}, {erlang,'band',[1.0,1]},
   {erlang,'bsl',[1,10]}, {erlang,'bsl',[1,59]}, {erlang,'bsl',[1,64]}, {erlang,'bsl',[-1,100]}, {erlang,'bsl',[5,-1]},
   {erlang,'bsr',[-1,3]}, {erlang,'bsr',[B,64]}, {erlang,'bsr',[-B,100]}, {erlang,'bsr',[7,-2]}, {erlang,'bsr',[B,B]},
   {erlang,'bsr',[-5,B]}, {erlang,'bsl',[0,B]}, {erlang,'bsl',[1,1.0]},
   {erlang,'bnot',[0]}, {erlang,'bnot',[B]}, {erlang,'bnot',[S]}, {erlang,'bnot',[1.0]},
   {erlang,'-',[SN]}, {erlang,'-',[B]}, {erlang,'-',[1.5]}, {erlang,'-',[a]}, {erlang,'+',[a]}, {erlang,'+',[1.5]},
   {erlang,abs,[-5]}, {erlang,abs,[SN]}, {erlang,abs,[-B]}, {erlang,abs,[-2.5]}, {erlang,abs,[a]},
   {erlang,float,[3]}, {erlang,float,[B]}, {erlang,float,[1 bsl 1100]}, {erlang,float,[a]},
   {erlang,trunc,[2.7]}, {erlang,trunc,[-2.7]}, {erlang,round,[2.5]}, {erlang,round,[-2.5]}, {erlang,round,[1.0e20]},
   {erlang,floor,[-2.5]}, {erlang,ceil,[-2.5]}, {erlang,ceil,[2.1]}, {erlang,floor,[5]}, {erlang,trunc,[1.0e300]},
   {erlang,round,[a]},
   %% comparison
   {erlang,'==',[1,1.0]}, {erlang,'=:=',[1,1.0]}, {erlang,'/=',[1,1.0]}, {erlang,'=/=',[1,1.0]},
   {erlang,'<',[1,a]}, {erlang,'>',[B,1.0e19]}, {erlang,'=<',[{1},{1}]}, {erlang,'>=',[[],{}]},
   {erlang,'<',[B,-B]}, {erlang,min,[1,1.0]}, {erlang,max,[1,1.0]}, {erlang,min,[a,1]}, {erlang,max,["a",<<"a">>]},
   {erlang,'and',[true,false]}, {erlang,'or',[true,false]}, {erlang,'xor',[true,true]}, {erlang,'not',[false]},
   {erlang,'and',[true,1]}, {erlang,'not',[1]},
   %% types
   {erlang,is_atom,[a]}, {erlang,is_binary,[Sub]}, {erlang,is_bitstring,[Sub]}, {erlang,is_boolean,[false]},
   {erlang,is_float,[1]}, {erlang,is_integer,[B]}, {erlang,is_list,[[]]}, {erlang,is_map,[#{}]},
   {erlang,is_number,[1.0]}, {erlang,is_tuple,[{}]}, {erlang,is_function,[fun lists:map/2]},
   {erlang,is_function,[fun lists:map/2, 2]}, {erlang,is_function,[fun lists:map/2, 1]}, {erlang,is_function,[a, -1]},
   {erlang,is_function,[a, B]},
   %% tuples
   {erlang,element,[2,{a,b,c}]}, {erlang,element,[4,{a,b,c}]}, {erlang,element,[0,{a}]}, {erlang,element,[1,[a]]},
   {erlang,setelement,[1,{a,b},c]}, {erlang,setelement,[3,{a,b},c]}, {erlang,tuple_size,[{1,2}]}, {erlang,tuple_size,[[]]},
   {erlang,size,[{1,2,3}]}, {erlang,size,[<<1,2,3>>]}, {erlang,size,[Sub]}, {erlang,size,[[]]},
   {erlang,make_tuple,[3,x]}, {erlang,make_tuple,[0,x]}, {erlang,make_tuple,[-1,x]},
   {erlang,make_tuple,[4,x,[{2,a},{4,b},{2,c}]]}, {erlang,make_tuple,[2,x,[{3,a}]]},
   {erlang,append_element,[{a},b]}, {erlang,tuple_to_list,[{1,2,3}]}, {erlang,list_to_tuple,[[1,2]]},
   {erlang,list_to_tuple,[[1|2]]},
   %% lists
   {erlang,length,[[1,2,3]]}, {erlang,length,[[1|2]]}, {erlang,hd,[[1,2]]}, {erlang,hd,[[]]}, {erlang,tl,[[1,2]]},
   {erlang,'++',[[1,2],[3]]}, {erlang,'++',[[],x]}, {erlang,'++',[[1],x]}, {erlang,'++',[[1|2],[3]]},
   {erlang,'--',[[1,2,3,2,1],[2,1,5]]}, {erlang,'--',[[1,2],[1.0]]}, {erlang,'--',[[1|2],[1]]}, {erlang,'--',[[a,b],[]]},
   %% conversions
   {erlang,atom_to_list,[hello]}, {erlang,atom_to_list,[list_to_atom([955,97])]}, {erlang,atom_to_list,["a"]},
   {erlang,list_to_atom,["abc"]}, {erlang,list_to_atom,[[955]]}, {erlang,list_to_atom,[[a]]},
   {erlang,list_to_atom,[lists:duplicate(256,$a)]}, {erlang,list_to_existing_atom,["ok"]},
   {erlang,list_to_existing_atom,["no_such_atom_xyzzy_42"]},
   {erlang,atom_to_binary,[hello]}, {erlang,atom_to_binary,[list_to_atom([955]), utf8]},
   {erlang,atom_to_binary,[list_to_atom([955]), latin1]}, {erlang,atom_to_binary,[list_to_atom([233]), latin1]},
   {erlang,atom_to_binary,[a, foo]},
   {erlang,binary_to_atom,[<<"abc">>]}, {erlang,binary_to_atom,[<<233>>, latin1]}, {erlang,binary_to_atom,[<<233>>, utf8]},
   {erlang,binary_to_atom,[<<206,187>>, utf8]}, {erlang,binary_to_atom,[binary:copy(<<"a">>, 256), latin1]},
   {erlang,binary_to_existing_atom,[<<"ok">>, utf8]}, {erlang,binary_to_existing_atom,[<<"no_such_atom_xyzzy_43">>]},
   {erlang,integer_to_list,[123]}, {erlang,integer_to_list,[-B]}, {erlang,integer_to_list,[255,16]},
   {erlang,integer_to_list,[F30,36]}, {erlang,integer_to_list,[1,37]}, {erlang,integer_to_list,[1.0]},
   {erlang,integer_to_binary,[-42]}, {erlang,integer_to_binary,[-255,2]},
   {erlang,list_to_integer,["123"]}, {erlang,list_to_integer,["-0123"]}, {erlang,list_to_integer,["+5"]},
   {erlang,list_to_integer,["12a"]}, {erlang,list_to_integer,[""]}, {erlang,list_to_integer,["-"]},
   {erlang,list_to_integer,["ff",16]}, {erlang,list_to_integer,["FFFFFFFFFFFFFFFFFFFFFFFF",16]},
   {erlang,list_to_integer,["z",36]}, {erlang,list_to_integer,["2",2]}, {erlang,list_to_integer,[integer_to_list(F30)]},
   {erlang,binary_to_integer,[<<"-99">>]}, {erlang,binary_to_integer,[<<"7f">>,16]}, {erlang,binary_to_integer,[<<" 1">>]},
   {erlang,list_to_float,["1.5"]}, {erlang,list_to_float,["-1.5e3"]}, {erlang,list_to_float,["1"]},
   {erlang,list_to_float,["1.e3"]}, {erlang,list_to_float,["1.0e999"]}, {erlang,list_to_float,["+2.0E-2"]},
   {erlang,list_to_float,[".5"]}, {erlang,binary_to_float,[<<"3.25">>]}, {erlang,binary_to_float,[<<"3">>]},
   {erlang,float_to_list,[1.0]}, {erlang,float_to_list,[0.1]}, {erlang,float_to_list,[-1.0e-300]},
   {erlang,float_to_list,[1.5,[]]}, {erlang,float_to_list,[1.0,[{decimals,4},compact]]},
   {erlang,float_to_list,[1.25,[{decimals,1}]]}, {erlang,float_to_list,[2.5,[{decimals,0}]]},
   {erlang,float_to_list,[1.0e20,[{decimals,2}]]}, {erlang,float_to_list,[0.1,[{scientific,3}]]},
   {erlang,float_to_list,[0.1,[{decimals,30}]]}, {erlang,float_to_list,[1.0e300,[{decimals,1}]]},
   {erlang,float_to_list,[-0.0,[{decimals,2}]]}, {erlang,float_to_list,[12.5,[{decimals,0},compact]]},
   {erlang,float_to_list,[123.456,[{decimals,10},compact]]}, {erlang,float_to_list,[1.0,[{decimals,254}]]},
   {erlang,float_to_list,[1.0,[{scientific,249}]]}, {erlang,float_to_list,[-1.0,[{scientific,249}]]},
   {erlang,float_to_list,[1.0,[foo]]}, {erlang,float_to_list,[1,[]]},
   {erlang,float_to_list,[1.0,[{scientific,3},{decimals,2}]]}, {erlang,float_to_list,[1.0,[short,{decimals,2}]]},
   {erlang,float_to_list,[1.0,[{decimals,2},short]]}, {erlang,float_to_list,[1.0,[compact]]},
   {erlang,float_to_binary,[1.0e-5,[short]]}] ++
  [{erlang,float_to_list,[X,[short]]} || X <- [0.0, -0.0, 1.0, 0.1, 1.5, 100.0, 1.0e15, 1.0e16, 123456789.0,
      1.0e20, 1.0e21, 9007199254740992.0, 9007199254740991.0, 1.0e-4, 1.0e-5, 0.001, 1.23e-7, 5.0e-324,
      1.7976931348623157e308, 12345.678, 1.0e10, -3.14, 2.2250738585072014e-308, 0.3, 2/3]] ++
  [%% binaries
   {erlang,iolist_to_binary,[[1,[2,<<3,4>>],[],<<>>|<<5>>]]}, {erlang,iolist_to_binary,[<<1,2>>]},
   {erlang,iolist_to_binary,[[256]]}, {erlang,iolist_to_binary,[[Sub]]}, {erlang,iolist_to_binary,[a]},
   {erlang,iolist_to_binary,[[1|2]]}, {erlang,iolist_size,[[1,[2,<<3,4>>]|<<5>>]]}, {erlang,iolist_size,[<<1,2,3>>]},
   {erlang,list_to_binary,[<<1>>]}, {erlang,list_to_binary,[[<<1,2,3>>, "abc"]]}, {erlang,list_to_bitstring,[[1,Sub]]},
   {erlang,list_to_bitstring,[[Sub,1]]},
   {erlang,binary_to_list,[<<1,2,3>>]}, {erlang,binary_to_list,[Sub]}, {erlang,binary_to_list,[<<1,2,3,4>>,2,3]},
   {erlang,binary_to_list,[<<1,2,3,4>>,3,2]}, {erlang,bitstring_to_list,[Sub]}, {erlang,bitstring_to_list,[<<1,2>>]},
   {erlang,byte_size,[Sub]}, {erlang,bit_size,[Sub]}, {erlang,byte_size,[a]},
   {erlang,split_binary,[<<1,2,3>>,1]}, {erlang,split_binary,[<<1,2,3>>,4]},
   {erlang,binary_part,[<<1,2,3,4>>,{1,2}]}, {erlang,binary_part,[<<1,2,3,4>>,{4,-2}]}, {erlang,binary_part,[<<1,2,3,4>>,{3,2}]},
   {erlang,binary_part,[<<1,2,3,4>>,0,4]},
   %% etf, hash
   {erlang,term_to_binary,[{a,[1,2],<<"x">>,1.5,-B}]}, {erlang,term_to_binary,[list_to_atom([955]), [{minor_version,2}]]},
   {erlang,term_to_binary,[a,[foo]]}, {erlang,binary_to_term,[term_to_binary({ok,"str",#{a=>1}})]},
   {erlang,binary_to_term,[<<131,100,0>>]}, {erlang,binary_to_term,[<<(term_to_binary(x))/binary,1,2>>,[used]]},
   {erlang,binary_to_term,[term_to_binary(ok),[safe]]},
   {erlang,binary_to_term,[<<131,100,0,21,"no_such_atom_xyzzy_44">>,[safe]]},
   {erlang,phash2,[{a,"b",3}]}, {erlang,phash2,[{a,"b",3}, 1000]}, {erlang,phash2,[x, 0]}, {erlang,phash2,[x, 1 bsl 32]},
   %% time unit conversion
   {erlang,convert_time_unit,[1,second,millisecond]}, {erlang,convert_time_unit,[-1,millisecond,second]},
   {erlang,convert_time_unit,[1999,millisecond,second]}, {erlang,convert_time_unit,[5,native,nanosecond]},
   {erlang,convert_time_unit,[B,second,nanosecond]}, {erlang,convert_time_unit,[7,3,2]}, {erlang,convert_time_unit,[-7,3,2]},
   {erlang,convert_time_unit,[1,foo,second]},
   %% lists, maps (flat), math
   {lists,reverse,[[1,2,3],[4]]}, {lists,reverse,[[1|2],[]]}, {lists,member,[1.0,[1,2]]}, {lists,member,[2,[1,2]]},
   {lists,member,[3,[1|2]]}, {lists,keyfind,[1,1,[{1.0,a}]]}, {lists,keyfind,[b,2,[{a},{x,b}]]}, {lists,keyfind,[a,0,[]]},
   {lists,keymember,[x,1,[{x}]]}, {lists,keysearch,[x,1,[{x,1}]]}, {lists,keysearch,[y,1,[{x,1}]]}, {lists,keyfind,[a,1,[{b}|c]]},
   {maps,get,[a,#{a=>1}]}, {maps,get,[b,#{a=>1}]}, {maps,get,[a,x]}, {maps,find,[a,#{a=>1}]}, {maps,find,[b,#{}]},
   {maps,put,[b,2,#{a=>1}]}, {maps,update,[a,2,#{a=>1}]}, {maps,update,[b,2,#{a=>1}]}, {maps,remove,[a,#{a=>1,b=>2}]},
   {maps,take,[a,#{a=>1,b=>2}]}, {maps,take,[c,#{a=>1}]}, {maps,is_key,[a,#{a=>1}]}, {maps,keys,[#{b=>1,a=>2}]},
   {maps,values,[#{b=>1,a=>2}]}, {maps,merge,[#{a=>1,b=>2},#{b=>3,c=>4}]}, {maps,merge,[#{},x]},
   {maps,from_list,[[{a,1},{b,2},{a,3}]]}, {maps,from_list,[[{a,1}|b]]}, {maps,from_list,[[a]]}, {maps,from_keys,[[a,b],0]},
   {erlang,map_size,[#{a=>1}]}, {erlang,map_size,[x]}, {erlang,map_get,[a,#{a=>1}]}, {erlang,is_map_key,[a,#{}]},
   {erlang,phash2,[maps:from_list([{X, X*X} || X <- lists:seq(1,20)])]},
   {math,sin,[0]}, {math,cos,[0.0]}, {math,sqrt,[2]}, {math,sqrt,[-1]}, {math,log,[0]}, {math,pow,[2,10]}, {math,pow,[10,400]},
   {math,atan2,[1,1]}, {math,fmod,[7.5,2]}, {math,erf,[0.5]}, {math,ceil,[1.2]}, {math,floor,[-1.2]}, {math,exp,[a]},
   {math,log2,[1024]}, {math,log10,[1000]}, {math,acosh,[1]}, {math,fmod,[1,0]}
  ].

hex(B) -> string:join([integer_to_list(X) || X <- binary_to_list(B)], ",").
text(T) -> [if C > 126; C < 32 -> $~; C =:= $\\ -> $/; C =:= $" -> $'; true -> C end
            || C <- lists:flatten(io_lib:format("~0p", [T]))].
main() ->
  io:format("/* Generated by tests/unit/gen/bifgen.erl from stock erl (OTP 25); do not edit.\n"
            " * Row: {module, name, arity, call text, args ETF, expected ETF, is_error}. */\n"),
  lists:foreach(fun({M, F, A}) ->
      {Res, Err} = try {apply(M, F, A), 0} catch error:R -> {R, 1} end,
      AB = term_to_binary(A), RB = term_to_binary(Res),
      Txt = text({M, F, A}),
      io:format("    {~p, ~p, ~p, \"~s\", (const uint8_t[]){~s}, ~p, (const uint8_t[]){~s}, ~p, ~p},~n",
        [atom_to_list(M), atom_to_list(F), length(A), lists:sublist(Txt, 120), hex(AB), byte_size(AB), hex(RB), byte_size(RB), Err])
    end, cases()).
