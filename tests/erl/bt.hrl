%% bt.hrl — assertions for BeamOS's Erlang tests. Each failure raises
%% error({assert_failed, Where, Expected, Got}) so the runner prints what was
%% expected and what came instead.
-define(eq(Expected, Expr),
        (fun() ->
                 __E = (Expected),
                 case (Expr) of
                     __G when __G =:= __E -> ok;
                     __G -> erlang:error({assert_failed, {?MODULE, ?LINE}, ??Expr,
                                          {expected, __E}, {got, __G}})
                 end
         end)()).
-define(raises(Class, Reason, Expr),
        (fun() ->
                 try (Expr) of
                     __V -> erlang:error({assert_failed, {?MODULE, ?LINE}, ??Expr,
                                          {expected_exception, Class, Reason}, {returned, __V}})
                 catch
                     Class:Reason -> ok;
                     __C:__R -> erlang:error({assert_failed, {?MODULE, ?LINE}, ??Expr,
                                              {expected_exception, Class, Reason}, {got, __C, __R}})
                 end
         end)()).
-define(true(Expr), ?eq(true, Expr)).
