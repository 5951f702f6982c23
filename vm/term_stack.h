/*
 * term_stack.h — the explicit work stack of the term walkers.
 *
 * A walker over term structure (term_copy_size, term_print, …) must not
 * recurse in C once per level of nesting: a scheduler in the kernel runs on
 * a 32 KB stack (arch/x86_64/memlayout.h: KSTACK_PAGES) and a 1M-deep list
 * or tuple is an ordinary Erlang value. Walkers keep the parts still to
 * visit on a TermStack instead: it starts in a small array inside the
 * struct (on the C stack of the walker, no allocation for ordinary terms)
 * and moves to malloc'ed storage, doubling, when it outgrows it. Always
 * finish with term_stack_free().
 *
 * Entries are words: terms, or whatever the walker encodes in a word
 * (header words, which are never terms, make good markers).
 */
#ifndef BEAMOS_VM_TERM_STACK_H
#define BEAMOS_VM_TERM_STACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>

#include "vm/term.h"

#define TERM_STACK_LOCAL 64

typedef struct {
    term_t *sp;    /* next free slot */
    term_t *start; /* local[] or a malloc'ed block */
    term_t *end;
    term_t local[TERM_STACK_LOCAL];
} TermStack;

static inline void term_stack_init(TermStack *s) {
    s->start = s->sp = s->local;
    s->end = s->local + TERM_STACK_LOCAL;
}

/* Moves to a block twice the size (out of line: the rare case). Fatal when
 * memory is exhausted. */
void term_stack_grow(TermStack *s);

static inline void term_stack_push(TermStack *s, term_t w) {
    if (__builtin_expect(s->sp == s->end, 0)) term_stack_grow(s);
    *s->sp++ = w;
}
static inline bool term_stack_empty(const TermStack *s) { return s->sp == s->start; }
static inline term_t term_stack_pop(TermStack *s) { return *--s->sp; }
static inline size_t term_stack_depth(const TermStack *s) { return (size_t)(s->sp - s->start); }

static inline void term_stack_free(TermStack *s) {
    if (s->start != s->local) free(s->start);
}

#endif
