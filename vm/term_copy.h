/*
 * term_copy.h — deep copy of a term into another heap (sending messages,
 * exit reasons, timer messages, process_info of another process).
 *
 * The copy shares nothing with the original except off-heap binaries: a
 * ProcBin is copied as a new ProcBin that holds one more reference to the
 * same Binary and is linked into the destination's off-heap list. Literals
 * are copied like any other term (a message must outlive the module that
 * held the literal). Sharing inside the original (the same subterm reached
 * twice) is not preserved: the copy has it twice, exactly as OTP's
 * copy_struct does, so term_copy_size() is the size of the flattened term.
 *
 * Heap need: term_copy writes exactly term_copy_size(t) words at *hpp.
 */
#ifndef BEAMOS_VM_TERM_COPY_H
#define BEAMOS_VM_TERM_COPY_H

#include <stddef.h>

#include "vm/heap.h"
#include "vm/term.h"

/* Words a copy of t occupies. */
size_t term_copy_size(term_t t);
/* Copies t to *hpp (advanced past the copy); ProcBins join `oh`. */
term_t term_copy(term_t t, term_t **hpp, OffHeap *oh);

/* A fresh heap fragment of exactly `words` words (used_words = words). It is
 * malloc'ed with the layout heap.c uses, so it may join a Heap's mbuf list. */
HeapFragment *term_fragment_new(size_t words);

#endif
