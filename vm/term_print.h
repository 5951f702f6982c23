/*
 * term_print.h — a term as text, ~p-like, into a caller's buffer (no FILE):
 * for tests, panic messages and debugging. The walk keeps its work on a
 * TermStack (vm/term_stack.h), not the C stack; it allocates only when that
 * outgrows its local array (maps with many pairs) or for a huge bignum.
 *
 * Output differs from io:format("~p") in that nothing is ever wrapped onto
 * several lines, and a term nested deeper than TERM_PRINT_MAX_DEPTH prints
 * as '...'.
 */
#ifndef BEAMOS_VM_TERM_PRINT_H
#define BEAMOS_VM_TERM_PRINT_H

#include <stddef.h>

#include "vm/term.h"

#define TERM_PRINT_MAX_DEPTH 64

/* Writes at most cap - 1 characters and a NUL (if cap > 0). Returns the
 * length the whole text has, like snprintf: >= cap means truncated. */
size_t term_print(char *buf, size_t cap, term_t t);

/* Formats a double as Erlang prints it (shortest text that reads back the
 * same value, always with a '.', exponent as "e20"). */
size_t term_print_float(char *buf, size_t cap, double d);

#endif
