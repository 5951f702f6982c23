/*
 * fun.h — layouts of fun terms.
 *
 *   local fun (closure)  [header(FUN, 1 + num_free), const FunEntry *,
 *                         env[0] ... env[num_free-1]]
 *       The entry pointer is raw (the GC skips it); the env words are terms.
 *   export (fun M:F/A)   [header(EXPORT, 1), const ErtsMFA *]
 *       The pointer is raw; it points at the MFA that starts the export
 *       table entry, which lives as long as the node.
 *
 * The loader/code work owns FunEntry and the export table; it may add fields
 * AFTER the ones below, which the term layer (compare, phash2, printing)
 * reads.
 */
#ifndef BEAMOS_VM_FUN_H
#define BEAMOS_VM_FUN_H

#include <stdint.h>

#include "vm/term.h"

typedef struct {
    term_t module;     /* atom */
    term_t function;   /* atom */
    uint32_t arity;
} ErtsMFA;

typedef struct FunEntry {
    term_t module;     /* atom */
    uint32_t index;    /* OldIndex in the FunT chunk */
    uint32_t old_uniq; /* OldUniq */
    uint32_t arity;    /* arity of the fun (excluding free variables) */
    uint32_t num_free;
    const uint8_t *uniq; /* the module's MD5 (16 bytes): NEW_FUN_EXT's Uniq */
} FunEntry;

typedef struct {
    term_t thing_word;
    const FunEntry *entry;
    term_t env[];
} FunThing;

#define EXPORT_FUN_WORDS 2
static inline size_t fun_words(uint32_t num_free) { return 2 + num_free; }

static inline FunThing *fun_val(term_t t) { return (FunThing *)boxed_val(t); }
static inline uint32_t fun_num_free(term_t t) { return (uint32_t)(header_arity(*boxed_val(t)) - 1); }
static inline const ErtsMFA *export_mfa(term_t t) { return (const ErtsMFA *)boxed_val(t)[1]; }

static inline term_t make_export_fun(term_t *hp, const ErtsMFA *mfa) {
    hp[0] = make_header(1, EXPORT_SUBTAG);
    hp[1] = (term_t)(uintptr_t)mfa;
    return make_boxed(hp);
}

#endif
