/*
 * term_stack.c — the out-of-line half of the walkers' work stack
 * (term_stack.h).
 */
#include "vm/term_stack.h"

#include <string.h>

#include "vm/platform.h"

void term_stack_grow(TermStack *s)
{
    size_t n = (size_t)(s->end - s->start), used = (size_t)(s->sp - s->start);
    term_t *b = malloc(2 * n * sizeof *b);
    if (!b) plat_fatal("term walk: out of memory for the work stack");
    memcpy(b, s->start, used * sizeof *b);
    if (s->start != s->local) free(s->start);
    s->start = b;
    s->sp = b + used;
    s->end = b + 2 * n;
}
