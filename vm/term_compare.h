/*
 * term_compare.h — Erlang's term order and equality (OTP 25 semantics).
 *
 *   number < atom < reference < fun < port < pid < tuple < map < nil
 *          < list < bitstring
 *
 * term_compare: the order of <, >, =<, >=, ==: integers and floats compare
 * by value (1 == 1.0). term_compare_exact: the order of =:= and of map keys:
 * an integer and a float are never equal, all integers sort before all
 * floats, otherwise as term_compare. Local funs sort before external funs.
 * Maps: by size, then keys in map-key order (compared exactly), then values
 * in key order.
 */
#ifndef BEAMOS_VM_TERM_COMPARE_H
#define BEAMOS_VM_TERM_COMPARE_H

#include <stdbool.h>

#include "vm/term.h"

int term_compare(term_t a, term_t b);       /* -1, 0, 1 */
int term_compare_exact(term_t a, term_t b); /* -1, 0, 1 */
/* == (exact false) or =:= (exact true): as a comparison giving 0, but
 * large maps are compared by lookup instead of in key order. */
bool term_equal(term_t a, term_t b, bool exact);
static inline bool term_eq(term_t a, term_t b) { return a == b || term_equal(a, b, false); }
static inline bool term_eq_exact(term_t a, term_t b) { return a == b || term_equal(a, b, true); }

/* The name of this node, used when a local pid/port/ref meets a remote
 * one. Defaults to 'nonode@nohost'; set by the distribution work. */
void term_set_local_node(term_t node_atom, uint32_t creation);
term_t term_local_node(void);
uint32_t term_local_creation(void);

#endif
