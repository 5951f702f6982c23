/*
 * packet.h — the seam between erlang:decode_packet/3 (vm/bif_decode_packet.c:
 * packet framing, options, results) and its HTTP line parser
 * (vm/packet_http.c). Semantics are OTP 25's (erts packet_parser.c and
 * erl_bif_port.c), checked case by case against stock erl by
 * tests/erl/packet_test.erl.
 */
#ifndef BEAMOS_VM_PACKET_H
#define BEAMOS_VM_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vm/process.h"

/* Length of the HTTP packet (one line, or for headers one line plus its
 * continuation lines) at the start of buf[0..n): > 0 its length in bytes,
 * 0 if more data is needed, -1 if it is over max_bytes (0 = no limit).
 * `header` is httph/httph_bin's state: a header line may continue on
 * lines that start with a space or tab. */
long packet_http_length(const uint8_t *buf, size_t n, uint32_t max_bytes, bool header);

/* The decoded HTTP packet buf[0..len) (ending in LF or CRLF):
 * {http_request, ...} or {http_response, ...} (header = false),
 * {http_header, ...} or http_eoh (header = true), and {http_error, Line}
 * for a line that does not parse. Strings are lists of bytes, or
 * binaries if as_bin (http_bin, httph_bin). Never fails. */
term_t packet_http_decode(Process *p, const uint8_t *buf, size_t len, bool header, bool as_bin);

/* A tuple of n elements on p's heap. */
term_t packet_tuple(Process *p, size_t n, const term_t *elems);

#endif
