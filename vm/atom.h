/*
 * atom.h — the global atom table.
 *
 * An atom is interned once, by its UTF-8 text (at most ATOM_MAX_CHARS
 * characters), and keeps its index forever: atoms are never freed, so an
 * atom term is valid on every heap and in every literal table.
 *
 * Concurrency: lookups of an existing index (atom_get) never move memory
 * (entries live in fixed segments), so readers need no lock. Mutation
 * happens only in atom_intern's insert path, which is where the table lock
 * goes when schedulers run in parallel (see atom.c).
 */
#ifndef BEAMOS_VM_ATOM_H
#define BEAMOS_VM_ATOM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vm/term.h"

#define ATOM_MAX_CHARS 255
#define ATOM_TABLE_MAX (1u << 20) /* OTP's default atom limit */

typedef struct {
    const uint8_t *name;   /* UTF-8, not NUL terminated */
    uint16_t len_bytes;
    int16_t latin1_chars;  /* chars if all code points < 256, else -1 */
    uint32_t hvalue;       /* OTP's atom_hash (hashpjw); phash2 uses it */
} Atom;

enum {
#define ATOM_DEF(c, s) ATOM_IDX_##c,
#include "vm/atoms.def"
#undef ATOM_DEF
    ATOM_IDX_COUNT_
};

/* ATOM_true etc.: the atom terms themselves, usable in switch cases. */
enum {
#define ATOM_DEF(c, s) ATOM_##c = (ATOM_IDX_##c << TAG_IMMED2_SIZE) | TAG_IMMED2_ATOM,
#include "vm/atoms.def"
#undef ATOM_DEF
};

/* Interns the predefined atoms at their fixed indexes. Call once. */
void atom_init(void);

/* The atom for `len` bytes of UTF-8 text, created if new. THE_NON_VALUE if
 * the text is over ATOM_MAX_CHARS characters, not valid UTF-8, or the table
 * is full (system_limit). */
term_t atom_intern(const uint8_t *text, size_t len);
/* Same for NUL-terminated text. */
term_t atom_intern_cstr(const char *text);
/* The atom if it already exists, else THE_NON_VALUE (binary_to_existing_atom). */
term_t atom_lookup(const uint8_t *text, size_t len);
/* Latin-1 text (ATOM_EXT): converted to UTF-8 then interned. */
term_t atom_intern_latin1(const uint8_t *text, size_t len);

/* The entry of an atom term. Precondition: is_atom(a). */
const Atom *atom_get(term_t a);
size_t atom_count(void);

/* Compares two atoms by text as Erlang orders them (bytewise UTF-8). */
int atom_compare(term_t a, term_t b);

/* True if text is valid UTF-8 of at most ATOM_MAX_CHARS characters. */
bool atom_text_valid(const uint8_t *text, size_t len);

/* OTP's atom_hash over UTF-8 text. */
uint32_t atom_hash_text(const uint8_t *text, size_t len);

#endif
