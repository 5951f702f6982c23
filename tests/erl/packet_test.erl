%% erlang:decode_packet/3. Every expected value is what stock OTP 25
%% returns (this module also runs on stock erl as the differential check),
%% odd cases included: callers depend on OTP's lenient HTTP parsing.
-module(packet_test).
-include("bt.hrl").
%% phash2 of fuzz_test/0's 3000 results on stock OTP 25.
-define(FUZZ_DIGEST, 54028591).
-export([raw_test/0, length_prefixed_test/0, sunrm_test/0, asn1_test/0, cdr_test/0,
         fcgi_test/0, tpkt_test/0, ssl_tls_test/0, line_test/0, packet_size_test/0,
         bitstring_test/0, badarg_test/0, http_request_test/0, uri_forms_test/0,
         http_response_test/0, http_error_test/0, http_header_test/0,
         known_headers_test/0, header_name_case_test/0, header_continuation_test/0,
         http_bin_test/0, http_limits_test/0, stream_test/0, prefixes_test/0,
         fuzz_test/0]).

d(Type, Bin) -> erlang:decode_packet(Type, Bin, []).

raw_test() ->
    ?eq({ok, <<1, 2, 3>>, <<>>}, d(raw, <<1, 2, 3>>)),
    ?eq({ok, <<1, 2, 3>>, <<>>}, d(0, <<1, 2, 3>>)),
    ?eq({more, undefined}, d(raw, <<>>)).

length_prefixed_test() ->
    ?eq({ok, <<1, 2, 3>>, <<4>>}, d(1, <<3, 1, 2, 3, 4>>)),
    ?eq({ok, <<>>, <<>>}, d(1, <<0>>)),
    ?eq({more, 6}, d(1, <<5, 1, 2>>)),
    ?eq({more, undefined}, d(1, <<>>)),
    ?eq({ok, <<9, 9>>, <<9>>}, d(2, <<0, 2, 9, 9, 9>>)),
    ?eq({more, 258}, d(2, <<1, 0>>)),
    ?eq({more, undefined}, d(2, <<1>>)),
    ?eq({ok, <<7>>, <<>>}, d(4, <<0, 0, 0, 1, 7>>)),
    ?eq({more, undefined}, d(4, <<0, 0, 0>>)),
    %% OTP computes lengths as C ints: 2 GB and more is invalid.
    ?eq({more, 2147483647}, d(4, <<127, 255, 255, 251>>)),
    ?eq({error, invalid}, d(4, <<127, 255, 255, 252>>)),
    ?eq({error, invalid}, d(4, <<255, 255, 255, 255>>)),
    ?eq({error, invalid}, erlang:decode_packet(4, <<255, 255, 255, 255>>, [{packet_size, 4294967295}])).

sunrm_test() ->
    %% The top bit marks the last fragment; the header stays in Packet.
    ?eq({ok, <<128, 0, 0, 2, 1, 2>>, <<3>>}, d(sunrm, <<128, 0, 0, 2, 1, 2, 3>>)),
    ?eq({more, 7}, d(sunrm, <<0, 0, 0, 3, 1>>)),
    ?eq({more, undefined}, d(sunrm, <<0, 0, 0>>)).

asn1_test() ->
    ?eq({ok, <<16#30, 3, 1, 2, 3>>, <<4>>}, d(asn1, <<16#30, 3, 1, 2, 3, 4>>)),
    ?eq({ok, <<16#30, 16#81, 3, 1, 2, 3>>, <<>>}, d(asn1, <<16#30, 16#81, 3, 1, 2, 3>>)),
    ?eq({ok, <<16#30, 16#82, 0, 3, 1, 2, 3>>, <<>>}, d(asn1, <<16#30, 16#82, 0, 3, 1, 2, 3>>)),
    ?eq({ok, <<16#30, 16#83, 0, 0, 1, 1>>, <<>>}, d(asn1, <<16#30, 16#83, 0, 0, 1, 1>>)),
    ?eq({more, 6}, d(asn1, <<16#30, 16#83, 0, 0, 1>>)),
    ?eq({ok, <<16#30, 16#84, 0, 0, 0, 1, 1>>, <<>>}, d(asn1, <<16#30, 16#84, 0, 0, 0, 1, 1>>)),
    %% indefinite length: the header alone
    ?eq({ok, <<16#30, 16#80>>, <<1>>}, d(asn1, <<16#30, 16#80, 1>>)),
    %% more than 4 length bytes
    ?eq({error, invalid}, d(asn1, <<16#30, 16#85, 0, 0, 0, 0, 0>>)),
    ?eq({more, undefined}, d(asn1, <<16#30, 16#85, 0, 0, 0, 0>>)),
    %% multi-byte tags
    ?eq({ok, <<16#1f, 16#81, 16#01, 2, 7, 7>>, <<>>}, d(asn1, <<16#1f, 16#81, 16#01, 2, 7, 7>>)),
    ?eq({more, undefined}, d(asn1, <<16#1f, 16#81, 16#81>>)),
    ?eq({more, undefined}, d(asn1, <<16#30>>)),
    ?eq({error, invalid}, d(asn1, <<16#30, 16#84, 255, 255, 255, 255>>)).

cdr_test() ->
    Big = <<"GIOP", 1, 2, 0, 0, 0, 0, 0, 2, 7, 7, 7>>,
    ?eq({ok, binary:part(Big, 0, 14), <<7>>}, d(cdr, Big)),
    Little = <<"GIOP", 1, 2, 1, 0, 2, 0, 0, 0, 7, 7, 7>>,
    ?eq({ok, binary:part(Little, 0, 14), <<7>>}, d(cdr, Little)),
    ?eq({error, invalid}, d(cdr, <<"GIOQ", 1, 2, 1, 0, 2, 0, 0, 0, 7, 7, 7>>)),
    ?eq({more, undefined}, d(cdr, <<"GIOP", 1, 2, 1>>)),
    ?eq({more, 15}, d(cdr, <<"GIOP", 1, 2, 0, 0, 0, 0, 0, 3>>)).

fcgi_test() ->
    %% Packet is header + content; the padding is consumed but dropped.
    ?eq({ok, <<1, 1, 0, 1, 0, 3, 2, 0, "abc">>, <<"rest">>},
        d(fcgi, <<1, 1, 0, 1, 0, 3, 2, 0, "abcxy", "rest">>)),
    ?eq({error, invalid}, d(fcgi, <<2, 1, 0, 1, 0, 3, 2, 0, "abcxy">>)),
    ?eq({more, 13}, d(fcgi, <<1, 1, 0, 1, 0, 3, 2, 0, "abc">>)),
    ?eq({ok, <<1, 1, 0, 1, 0, 0, 0, 0>>, <<>>}, d(fcgi, <<1, 1, 0, 1, 0, 0, 0, 0>>)).

tpkt_test() ->
    ?eq({ok, <<3, 0, 0, 6, 1, 2>>, <<3>>}, d(tpkt, <<3, 0, 0, 6, 1, 2, 3>>)),
    ?eq({ok, <<3, 0, 0, 4>>, <<>>}, d(tpkt, <<3, 0, 0, 4>>)),
    ?eq({error, invalid}, d(tpkt, <<3, 0, 0, 3>>)),
    ?eq({error, invalid}, d(tpkt, <<4, 0, 0, 6, 1, 2>>)),
    ?eq({more, 9}, d(tpkt, <<3, 0, 0, 9, 1>>)).

ssl_tls_test() ->
    ?eq({ok, {ssl_tls, [], 22, {3, 3}, <<1, 2>>}, <<3>>}, d(ssl_tls, <<22, 3, 3, 0, 2, 1, 2, 3>>)),
    ?eq({more, 7}, d(ssl_tls, <<22, 3, 3, 0, 2, 1>>)),
    %% an SSLv2 client hello
    ?eq({ok, {ssl_tls, [], 22, {3, 1}, <<1, 0, 0, 5, 3, 1, 9, 9, 9>>}, <<>>},
        d(ssl_tls, <<128, 6, 1, 3, 1, 9, 9, 9>>)),
    ?eq({error, invalid}, d(ssl_tls, <<128, 2, 1, 3, 1, 9, 9, 9>>)).

line_test() ->
    ?eq({ok, <<"abc\n">>, <<"def">>}, d(line, <<"abc\ndef">>)),
    ?eq({ok, <<"\n">>, <<>>}, d(line, <<"\n">>)),
    ?eq({more, undefined}, d(line, <<"abc">>)),
    ?eq({more, undefined}, d(line, <<>>)),
    ?eq({ok, <<"a,">>, <<"b,c">>}, erlang:decode_packet(line, <<"a,b,c">>, [{line_delimiter, $,}])),
    ?eq({ok, <<"a", 0>>, <<"b">>}, erlang:decode_packet(line, <<"a", 0, "b">>, [{line_delimiter, 0}])),
    %% line_length truncates a long line, with or without its delimiter
    ?eq({ok, <<"abc">>, <<"def">>}, erlang:decode_packet(line, <<"abcdef">>, [{line_length, 3}])),
    ?eq({ok, <<"abc">>, <<"def\n">>}, erlang:decode_packet(line, <<"abcdef\n">>, [{line_length, 3}])),
    ?eq({ok, <<"abcdef">>, <<>>}, erlang:decode_packet(line, <<"abcdef">>, [{line_length, 6}])),
    ?eq({more, undefined}, erlang:decode_packet(line, <<"abcdef">>, [{line_length, 7}])),
    ?eq({ok, <<"abc\n">>, <<>>}, erlang:decode_packet(line, <<"abc\n">>, [{line_length, 4}])),
    ?eq({ok, <<"abcde">>, <<"f\n">>},
        erlang:decode_packet(line, <<"abcdef\n">>, [{line_length, 5}, {line_delimiter, $e}])).

packet_size_test() ->
    ?eq({error, invalid}, erlang:decode_packet(1, <<5, 1, 2>>, [{packet_size, 3}])),
    ?eq({more, 6}, erlang:decode_packet(1, <<5, 1, 2>>, [{packet_size, 5}])),
    ?eq({more, 6}, erlang:decode_packet(1, <<5, 1, 2>>, [{packet_size, 0}])),
    ?eq({error, invalid}, erlang:decode_packet(4, <<0, 0, 0, 10>>, [{packet_size, 5}])),
    ?eq({error, invalid}, erlang:decode_packet(line, <<"abcdef">>, [{packet_size, 5}])),
    ?eq({more, undefined}, erlang:decode_packet(line, <<"abcdef">>, [{packet_size, 6}])),
    ?eq({ok, <<"abc\n">>, <<>>}, erlang:decode_packet(line, <<"abc\n">>, [{packet_size, 4}])),
    ?eq({error, invalid}, erlang:decode_packet(line, <<"abc\n">>, [{packet_size, 3}])),
    %% the last of repeated options counts
    ?eq({more, 6}, erlang:decode_packet(1, <<5, 1>>, [{packet_size, 1}, {packet_size, 10}])).

bitstring_test() ->
    %% Bits after the last whole byte stay at the end of Rest.
    ?eq({ok, <<1, 2>>, <<3:3>>}, d(raw, <<1, 2, 3:3>>)),
    ?eq({ok, <<1, 2>>, <<3, 5:4>>}, d(1, <<2, 1, 2, 3, 5:4>>)),
    ?eq({more, undefined}, d(1, <<5:3>>)),
    %% an unaligned sub-binary
    <<_:3, Unaligned/bitstring>> = <<0:3, 2, 7, 8, 9, 1:5>>,
    ?eq({ok, <<7, 8>>, <<9, 1:5>>}, d(1, Unaligned)).

badarg_test() ->
    Bad = [{3, <<1, 2>>, []}, {foo, <<1, 2>>, []}, {"raw", <<>>, []}, {-1, <<>>, []}, {1.0, <<1>>, []},
           {1, "abc", []}, {1, <<1>>, foo}, {1, <<1>>, [foo]}, {1, <<1>>, [{foo, 1}]},
           {1, <<1>>, [{packet_size, -1}]}, {1, <<1>>, [{packet_size, 1.0}]},
           {1, <<1>>, [{packet_size, 4294967296}]}, {1, <<1>>, [{packet_size, 1, 2}]},
           {line, <<"a\n">>, [{line_delimiter, 256}]},
           %% line_delimiter belongs to the line type only
           {http, <<"GET / HTTP/1.1\r\n">>, [{line_delimiter, $,}]}, {1, <<1>>, [{line_delimiter, $,}]}],
    [?raises(error, badarg, erlang:decode_packet(T, B, O)) || {T, B, O} <- Bad],
    ok.

http_request_test() ->
    ?eq({ok, {http_request, 'GET', {abs_path, "/"}, {1, 1}}, <<>>}, d(http, <<"GET / HTTP/1.1\r\n">>)),
    ?eq({ok, {http_request, 'GET', {abs_path, "/a?b=c"}, {1, 0}}, <<"x">>}, d(http, <<"GET /a?b=c HTTP/1.0\nx">>)),
    [?eq({ok, {http_request, list_to_atom(M), '*', {1, 1}}, <<>>},
         d(http, list_to_binary(M ++ " * HTTP/1.1\r\n")))
     || M <- ["OPTIONS", "GET", "HEAD", "POST", "PUT", "DELETE", "TRACE"]],
    %% other methods (and other case) stay strings
    ?eq({ok, {http_request, "PATCH", {abs_path, "/"}, {1, 1}}, <<>>}, d(http, <<"PATCH / HTTP/1.1\r\n">>)),
    ?eq({ok, {http_request, "get", {abs_path, "/"}, {1, 1}}, <<>>}, d(http, <<"get / HTTP/1.1\r\n">>)),
    %% no version: HTTP/0.9
    ?eq({ok, {http_request, 'GET', {abs_path, "/"}, {0, 9}}, <<>>}, d(http, <<"GET /\r\n">>)),
    %% runs of spaces and tabs; anything after the version digits is ignored
    ?eq({ok, {http_request, 'GET', {abs_path, "/"}, {1, 1}}, <<>>}, d(http, <<"GET  /   HTTP/1.1\r\n">>)),
    ?eq({ok, {http_request, 'GET', {abs_path, "/"}, {1, 1}}, <<>>}, d(http, <<"GET\t/\tHTTP/1.1\r\n">>)),
    ?eq({ok, {http_request, 'GET', {abs_path, "/"}, {1, 1}}, <<>>}, d(http, <<"GET / HTTP/1.1xyz\r\n">>)),
    ?eq({ok, {http_request, 'GET', {abs_path, "/"}, {1, 1}}, <<>>}, d(http, <<"GET / HTTP/1.1 \r\n">>)),
    ?eq({ok, {http_request, 'GET', {abs_path, "/"}, {11, 22}}, <<>>}, d(http, <<"GET / HTTP/11.22\r\n">>)),
    ?eq({more, undefined}, d(http, <<"GET / HTTP/1.1">>)),
    ?eq({more, undefined}, d(http, <<"GET / HTTP/1.1\r">>)).

uri_forms_test() ->
    U = fun(Uri) ->
                {ok, {http_request, 'GET', Form, {1, 1}}, <<>>} =
                    d(http, <<"GET ", Uri/binary, " HTTP/1.1\r\n">>),
                Form
        end,
    ?eq('*', U(<<"*">>)),
    ?eq({abs_path, "/x/y?q#f"}, U(<<"/x/y?q#f">>)),
    ?eq({abs_path, "a"}, U(<<"a">>)),
    ?eq({abs_path, [$/, 128, 0]}, U(<<"/", 128, 0>>)),
    ?eq({absoluteURI, http, "host", undefined, "/x"}, U(<<"http://host/x">>)),
    ?eq({absoluteURI, http, "host", 80, "/x?y"}, U(<<"HTTP://host:80/x?y">>)),
    ?eq({absoluteURI, https, "host", 443, "/"}, U(<<"https://host:443">>)),
    ?eq({absoluteURI, http, "host", undefined, "/"}, U(<<"http://host:">>)),
    ?eq({absoluteURI, http, "host", undefined, "/"}, U(<<"http://host:0/">>)),
    ?eq({absoluteURI, http, "host", undefined, "/"}, U(<<"http://host:8x/">>)),
    %% OTP 25 knows no IPv6 literals: the host ends at the first ':'
    ?eq({absoluteURI, http, "[", undefined, "/x"}, U(<<"http://[::1]:80/x">>)),
    ?eq({scheme, "ftp", "//h/x"}, U(<<"ftp://h/x">>)),
    ?eq({scheme, "mailto", "a@b"}, U(<<"mailto:a@b">>)),
    ?eq("foo", U(<<"foo">>)).

http_response_test() ->
    ?eq({ok, {http_response, {1, 1}, 200, "OK"}, <<>>}, d(http, <<"HTTP/1.1 200 OK\r\n">>)),
    ?eq({ok, {http_response, {1, 0}, 404, "Not Found"}, <<>>}, d(http, <<"HTTP/1.0 404 Not Found\n">>)),
    ?eq({ok, {http_response, {1, 1}, 200, ""}, <<>>}, d(http, <<"HTTP/1.1 200\r\n">>)),
    ?eq({ok, {http_response, {1, 1}, 200, "OK  "}, <<>>}, d(http, <<"HTTP/1.1  200   OK  \r\n">>)),
    ?eq({ok, {http_response, {12, 34}, 999, "Whatever it is"}, <<>>},
        d(http, <<"HTTP/12.34 999 Whatever it is\r\n">>)),
    %% no code at all is code 0, if no reason follows either
    ?eq({ok, {http_response, {1, 1}, 0, ""}, <<>>}, d(http, <<"HTTP/1.1 \r\n">>)),
    ?eq({ok, {http_error, "HTTP/1.1 OK\r\n"}, <<>>}, d(http, <<"HTTP/1.1 OK\r\n">>)).

http_error_test() ->
    %% The whole line, terminator included.
    Errors = [<<"HTTP/1.1 2x0 OK\r\n">>, <<"HTTP/1.1\r\n">>, <<"HTTP/ 1.1 200 OK\r\n">>,
              <<"GET / HTTP/1.\r\n">>, <<"GET / HTTP/.1\r\n">>, <<"GET / FOO/1.1\r\n">>,
              <<"GET / HTTP/1\r\n">>, <<"GET\r\n">>, <<"\r\n">>, <<"\n">>, <<" GET / HTTP/1.1\r\n">>,
              <<"G(T / HTTP/1.1\r\n">>, <<"G\x80T / HTTP/1.1\r\n">>],
    [?eq({ok, {http_error, binary_to_list(L)}, <<>>}, d(http, L)) || L <- Errors],
    [?eq({ok, {http_error, L}, <<>>}, d(http_bin, L)) || L <- Errors],
    ?eq({ok, {http_error, "Foo\r\n"}, <<"\r\n">>}, d(httph, <<"Foo\r\n\r\n">>)),
    ?eq({ok, {http_error, "Foo : bar\r\n"}, <<"\r\n">>}, d(httph, <<"Foo : bar\r\n\r\n">>)),
    ?eq({ok, {http_error, "Foo;x: bar\r\n"}, <<"\r\n">>}, d(httph, <<"Foo;x: bar\r\n\r\n">>)).

http_header_test() ->
    ?eq({ok, {http_header, 14, 'Host', "Host", "example.com"}, <<"\r\n">>}, d(httph, <<"Host: example.com\r\n\r\n">>)),
    ?eq({ok, {http_header, 38, 'Content-Length', "content-length", "5"}, <<"\r\n">>},
        d(httph, <<"content-length: 5\r\n\r\n">>)),
    ?eq({ok, {http_header, 42, 'Content-Type', "CONTENT-TYPE", "text/html"}, <<"\r\n">>},
        d(httph, <<"CONTENT-TYPE:text/html\r\n\r\n">>)),
    ?eq({ok, {http_header, 0, "Foo", "Foo", "bar  "}, <<"\r\n">>}, d(httph, <<"Foo:   \t bar  \r\n\r\n">>)),
    ?eq({ok, {http_header, 0, "Foo", "Foo", ""}, <<"\r\n">>}, d(httph, <<"Foo:\r\n\r\n">>)),
    ?eq({ok, {http_header, 0, "", "", "bar"}, <<"\r\n">>}, d(httph, <<": bar\r\n\r\n">>)),
    ?eq({ok, {http_header, 0, "Foo", "Foo", "b\0ar"}, <<"\r\n">>}, d(httph, <<"Foo: b\0ar\r\n\r\n">>)),
    ?eq({ok, {http_header, 0, "Foo\x7f", "Foo\x7f", "bar"}, <<"\r\n">>}, d(httph, <<"Foo\x7f: bar\r\n\r\n">>)),
    ?eq({ok, http_eoh, <<>>}, d(httph, <<"\r\n">>)),
    ?eq({ok, http_eoh, <<>>}, d(httph, <<"\n">>)),
    ?eq({ok, http_eoh, <<"rest">>}, d(httph, <<"\r\nrest">>)),
    %% a header line needs the next line's first byte (a continuation?)
    ?eq({more, undefined}, d(httph, <<"Foo: bar\r\n">>)),
    ?eq({more, undefined}, d(httph, <<"Foo: bar">>)).

known_headers_test() ->
    Known = [{1, 'Cache-Control'}, {2, 'Connection'}, {3, 'Date'}, {4, 'Pragma'},
             {5, 'Transfer-Encoding'}, {6, 'Upgrade'}, {7, 'Via'}, {8, 'Accept'},
             {9, 'Accept-Charset'}, {10, 'Accept-Encoding'}, {11, 'Accept-Language'},
             {12, 'Authorization'}, {13, 'From'}, {14, 'Host'}, {15, 'If-Modified-Since'},
             {16, 'If-Match'}, {17, 'If-None-Match'}, {18, 'If-Range'}, {19, 'If-Unmodified-Since'},
             {20, 'Max-Forwards'}, {21, 'Proxy-Authorization'}, {22, 'Range'}, {23, 'Referer'},
             {24, 'User-Agent'}, {25, 'Age'}, {26, 'Location'}, {27, 'Proxy-Authenticate'},
             {28, 'Public'}, {29, 'Retry-After'}, {30, 'Server'}, {31, 'Vary'}, {32, 'Warning'},
             {33, 'Www-Authenticate'}, {34, 'Allow'}, {35, 'Content-Base'}, {36, 'Content-Encoding'},
             {37, 'Content-Language'}, {38, 'Content-Length'}, {39, 'Content-Location'},
             {40, 'Content-Md5'}, {41, 'Content-Range'}, {42, 'Content-Type'}, {43, 'Etag'},
             {44, 'Expires'}, {45, 'Last-Modified'}, {46, 'Accept-Ranges'}, {47, 'Set-Cookie'},
             {48, 'Set-Cookie2'}, {49, 'X-Forwarded-For'}, {50, 'Cookie'}, {51, 'Keep-Alive'},
             {52, 'Proxy-Connection'}],
    Check = fun(Type, Text, Bit, Atom) ->
                    Line = <<Text/binary, ": v\r\n\r\n">>,
                    {ok, {http_header, B, A, Orig, V}, <<"\r\n">>} = d(Type, Line),
                    ?eq({Bit, Atom}, {B, A}),
                    ?eq(Text, iolist_to_binary(Orig)),
                    ?eq(<<"v">>, iolist_to_binary(V))
            end,
    [begin
         Name = atom_to_binary(Atom),
         [Check(T, Text, Bit, Atom) || T <- [httph, httph_bin],
                                        Text <- [Name, string:lowercase(Name), string:uppercase(Name)]]
     end || {Bit, Atom} <- Known],
    ok.

header_name_case_test() ->
    H = fun(Name) -> {ok, {http_header, _, N, O, _}, _} = d(httph, <<Name/binary, ": z\r\n\r\n">>), {N, O} end,
    ?eq({"X-Foo-Bar", "x-foo-BAR"}, H(<<"x-foo-BAR">>)),
    ?eq({"X--y", "X--Y"}, H(<<"X--Y">>)),
    %% a leading '-' uses up the capital
    ?eq({"-abc", "-abc"}, H(<<"-abc">>)),
    ?eq({"A-B-C-D", "a-b-c-d"}, H(<<"a-b-c-d">>)),
    ?eq({'Etag', "ETag"}, H(<<"ETag">>)),
    %% near misses are not known names
    ?eq({"Proxy-Connectio", "proxy-connectio"}, H(<<"proxy-connectio">>)),
    %% names up to 50 bytes are canonicalised, longer ones kept as they came
    Fifty = <<"abcdefghijabcdefghijabcdefghijabcdefghijabcdefghij">>,
    ?eq({"A" ++ tl(binary_to_list(Fifty)), binary_to_list(Fifty)}, H(Fifty)),
    ?eq({binary_to_list(Fifty) ++ "k", binary_to_list(Fifty) ++ "k"}, H(<<Fifty/binary, "k">>)).

header_continuation_test() ->
    ?eq({ok, {http_header, 0, "Foo", "Foo", "a\r\n b"}, <<"\r\n">>}, d(httph, <<"Foo: a\r\n b\r\n\r\n">>)),
    ?eq({ok, {http_header, 0, "Foo", "Foo", "a\r\n b\r\n\tc"}, <<"X: y\r\n">>},
        d(httph, <<"Foo: a\r\n b\r\n\tc\r\nX: y\r\n">>)),
    ?eq({more, undefined}, d(httph, <<"Foo: a\r\n b\r\n">>)),
    %% only the request line is a single line
    ?eq({ok, {http_request, 'GET', {abs_path, "/"}, {1, 1}}, <<" x\r\n">>}, d(http, <<"GET / HTTP/1.1\r\n x\r\n">>)).

http_bin_test() ->
    ?eq({ok, {http_request, 'GET', {absoluteURI, https, <<"h">>, 443, <<"/">>}, {1, 0}}, <<>>},
        d(http_bin, <<"GET https://h:443 HTTP/1.0\r\n">>)),
    ?eq({ok, {http_request, <<"PATCH">>, {scheme, <<"urn">>, <<"x">>}, {1, 1}}, <<>>},
        d(http_bin, <<"PATCH urn:x HTTP/1.1\r\n">>)),
    ?eq({ok, {http_request, 'GET', <<"foo">>, {1, 1}}, <<>>}, d(http_bin, <<"GET foo HTTP/1.1\r\n">>)),
    ?eq({ok, {http_response, {1, 1}, 204, <<"No Content">>}, <<>>}, d(http_bin, <<"HTTP/1.1 204 No Content\r\n">>)),
    ?eq({ok, {http_header, 0, <<"X-Foo-Bar">>, <<"x-foo-BAR">>, <<"5">>}, <<"\r\n">>},
        d(httph_bin, <<"x-foo-BAR: 5\r\n\r\n">>)),
    ?eq({ok, {http_header, 50, 'Cookie', <<"cookie">>, <<"a=b; c=d">>}, <<"\r\n">>},
        d(httph_bin, <<"cookie: a=b; c=d\r\n\r\n">>)),
    ?eq({ok, http_eoh, <<>>}, d(httph_bin, <<"\r\n">>)).

http_limits_test() ->
    Req = <<"GET / HTTP/1.1\r\n">>,
    ?eq({error, invalid}, erlang:decode_packet(http, Req, [{packet_size, 10}])),
    ?eq({ok, {http_request, 'GET', {abs_path, "/"}, {1, 1}}, <<>>},
        erlang:decode_packet(http, Req, [{packet_size, 16}])),
    %% without packet_size, line_length limits HTTP lines (old callers)
    ?eq({error, invalid}, erlang:decode_packet(http, Req, [{line_length, 5}])),
    ?eq({error, invalid}, erlang:decode_packet(http, <<"GET / HTTP/1.1">>, [{line_length, 5}])),
    ?eq({more, undefined}, erlang:decode_packet(http, <<"GET">>, [{line_length, 5}])),
    ?eq({error, invalid}, erlang:decode_packet(httph, <<"Foo: a\r\n b\r\n\r\n">>, [{packet_size, 10}])).

%% A stream of several packets decodes back into them, one at a time.
stream_test() ->
    Msgs = [<<"GET /index.html HTTP/1.1\r\n">>, <<"Host: x\r\n">>, <<"Content-Length: 3\r\n">>,
            <<"X-Multi: a\r\n b\r\n">>, <<"\r\n">>],
    Stream = iolist_to_binary(Msgs),
    {ok, Req, R1} = d(http_bin, Stream),
    ?eq({http_request, 'GET', {abs_path, <<"/index.html">>}, {1, 1}}, Req),
    ?eq([{http_header, 14, 'Host', <<"Host">>, <<"x">>},
         {http_header, 38, 'Content-Length', <<"Content-Length">>, <<"3">>},
         {http_header, 0, <<"X-Multi">>, <<"X-Multi">>, <<"a\r\n b">>},
         http_eoh], headers(R1)),
    Frames = [<<>>, <<"a">>, list_to_binary(lists:seq(1, 255))],
    ?eq(Frames, unframe(1, << <<(byte_size(F)), F/binary>> || F <- Frames >>)),
    ?eq(Frames, unframe(2, << <<(byte_size(F)):16, F/binary>> || F <- Frames >>)),
    ?eq(Frames, unframe(4, << <<(byte_size(F)):32, F/binary>> || F <- Frames >>)).

headers(Bin) ->
    case d(httph_bin, Bin) of
        {ok, http_eoh, <<>>} -> [http_eoh];
        {ok, H, Rest} -> [H | headers(Rest)]
    end.

unframe(_, <<>>) -> [];
unframe(Type, Bin) ->
    {ok, P, Rest} = d(Type, Bin),
    [P | unframe(Type, Rest)].

%% Every proper prefix of a valid packet asks for more: the total length
%% once the header is there (length-prefixed types), else undefined.
prefixes_test() ->
    Valid = [{1, <<4, "abcd">>, 1}, {2, <<0, 4, "abcd">>, 2}, {4, <<0, 0, 0, 4, "abcd">>, 4},
             {sunrm, <<128, 0, 0, 4, "abcd">>, 4}, {tpkt, <<3, 0, 0, 8, "abcd">>, 4},
             {fcgi, <<1, 5, 0, 1, 0, 2, 2, 0, "abcd">>, 8},
             {cdr, <<"GIOP", 1, 2, 1, 0, 4, 0, 0, 0, "abcd">>, 12},
             {ssl_tls, <<23, 3, 3, 0, 4, "abcd">>, 5},
             {asn1, <<16#30, 4, "abcd">>, 2}, {asn1, <<16#30, 16#82, 0, 4, "abcd">>, 4},
             {asn1, <<16#3f, 16#81, 16#01, 4, "abcd">>, 4},
             {line, <<"abcd\n">>, none}, {http, <<"GET /a HTTP/1.1\r\n">>, none},
             {http_bin, <<"HTTP/1.1 200 OK\r\n">>, none}, {httph, <<"Host: h\r\n\r\n">>, none},
             {httph_bin, <<"X: a\r\n b\r\n\r\n">>, none}, {httph, <<"\r\n">>, none}],
    [begin
         Total = byte_size(P),
         [?eq({T, N, case Hdr of
                         none -> {more, undefined};
                         _ when N < Hdr -> {more, undefined};
                         _ -> {more, Total}
                     end},
              {T, N, d(T, binary:part(P, 0, N))})
          || N <- lists:seq(0, Total - 1),
             %% a header line is complete once the next line has begun
             not (lists:member(T, [httph, httph_bin]) andalso is_header_done(P, N))],
         {ok, _, _} = d(T, <<P/binary, "more">>)
     end || {T, P, Hdr} <- Valid],
    ok.

is_header_done(P, N) ->
    case binary:match(P, <<"\r\n">>) of
        {At, 2} -> N > At + 2;
        nomatch -> false
    end.

%% Pseudo-random inputs (a fixed LCG, so stock erl sees the same ones)
%% built from bytes that matter to the parsers: every type must return a
%% well-formed result, and all 3000 results together must equal stock
%% erl's (compared through their phash2).
fuzz_test() ->
    Types = [raw, 1, 2, 4, asn1, cdr, sunrm, fcgi, tpkt, line, http, httph, http_bin, httph_bin, ssl_tls],
    Inputs = fuzz_inputs(3000, 42, Types, []),
    Results = [erlang:decode_packet(T, B, []) || {T, B} <- Inputs],
    [?true(well_formed(R, B)) || {R, {_, B}} <- lists:zip(Results, Inputs)],
    ?eq(3000, length(Results)),
    ?eq(?FUZZ_DIGEST, erlang:phash2(Results)).

well_formed({ok, _, Rest}, Bin) -> is_binary(Rest) andalso byte_size(Rest) < byte_size(Bin);
well_formed({more, undefined}, _) -> true;
well_formed({more, N}, Bin) -> is_integer(N) andalso N > byte_size(Bin);
well_formed({error, invalid}, _) -> true;
well_formed(_, _) -> false.

fuzz_inputs(0, _, _, Acc) -> lists:reverse(Acc);
fuzz_inputs(N, S0, Types, Acc) ->
    S1 = lcg(S0),
    {Bytes, S2} = fuzz_bytes(S1 rem 24, S1, []),
    T = lists:nth(1 + (S2 rem length(Types)), Types),
    fuzz_inputs(N - 1, S2, Types, [{T, list_to_binary(Bytes)} | Acc]).

fuzz_bytes(0, S, Acc) -> {Acc, S};
fuzz_bytes(N, S0, Acc) ->
    S1 = lcg(S0),
    Alphabet = <<"GET /HTP1.:\r\n \t-aZ", 0, 1, 3, 128, 255, 16#1f, 16#30, 16#81>>,
    fuzz_bytes(N - 1, S1, [binary:at(Alphabet, (S1 bsr 8) rem byte_size(Alphabet)) | Acc]).

lcg(S) -> (S * 1103515245 + 12345) band 16#7fffffff.
