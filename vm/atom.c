/*
 * atom.c — atom table: segments of entries indexed by atom number, plus an
 * open-addressing hash index from text to number.
 *
 * Invariants:
 *   entries never move: segment i holds atoms [i*SEG, (i+1)*SEG) and is
 *   allocated once; names are copied into storage owned by the table.
 *   index[] slots hold atom number + 1 (0 = empty); load factor <= 1/2.
 */
#include "vm/atom.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SEG_BITS 12
#define SEG_SIZE (1u << SEG_BITS)
#define SEG_COUNT (ATOM_TABLE_MAX / SEG_SIZE)

static Atom *segments[SEG_COUNT];
static size_t n_atoms;
static uint32_t *index_slots;
static size_t index_cap; /* power of two */

static const char *const predefined[] = {
#define ATOM_DEF(c, s) s,
#include "vm/atoms.def"
#undef ATOM_DEF
};

static void *xalloc(size_t bytes) {
    void *p = calloc(1, bytes);
    if (!p) {
        fputs("atom: out of memory\n", stderr);
        abort();
    }
    return p;
}

uint32_t atom_hash_text(const uint8_t *p, size_t len) {
    /* OTP atom.c atom_hash: hashpjw, with 2-byte UTF-8 sequences of Latin-1
     * characters hashed as the character (compatibility with R16). */
    uint32_t h = 0, g;
    while (len--) {
        uint32_t v = *p++;
        if (len && (v & 0xFE) == 0xC2 && (*p & 0xC0) == 0x80) {
            v = ((v << 6) | (*p & 0x3F)) & 0xFF;
            p++;
            len--;
        }
        h = (h << 4) + v;
        if ((g = h & 0xf0000000u)) {
            h ^= (g >> 24);
            h ^= g;
        }
    }
    return h;
}

/* Number of code points, or -1 if not valid UTF-8 (no overlongs,
 * surrogates or code points past 0x10FFFF). Sets *latin1 if all < 256. */
static long utf8_chars(const uint8_t *s, size_t len, int *latin1) {
    long n = 0;
    *latin1 = 1;
    for (size_t i = 0; i < len; n++) {
        uint8_t c = s[i];
        uint32_t cp;
        size_t k;
        if (c < 0x80) { i++; continue; }
        if ((c & 0xE0) == 0xC0) { cp = c & 0x1F; k = 1; }
        else if ((c & 0xF0) == 0xE0) { cp = c & 0x0F; k = 2; }
        else if ((c & 0xF8) == 0xF0) { cp = c & 0x07; k = 3; }
        else return -1;
        if (i + k >= len) return -1;
        for (size_t j = 1; j <= k; j++) {
            if ((s[i + j] & 0xC0) != 0x80) return -1;
            cp = (cp << 6) | (s[i + j] & 0x3F);
        }
        if ((k == 1 && cp < 0x80) || (k == 2 && cp < 0x800) || (k == 3 && cp < 0x10000) ||
            cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return -1;
        if (cp > 0xFF) *latin1 = 0;
        i += k + 1;
    }
    return n;
}

static Atom *entry(size_t i) { return &segments[i >> SEG_BITS][i & (SEG_SIZE - 1)]; }

static size_t find_slot(const uint8_t *text, size_t len, uint32_t h) {
    size_t mask = index_cap - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        uint32_t s = index_slots[i];
        if (s == 0) return i;
        const Atom *a = entry(s - 1);
        if (a->hvalue == h && a->len_bytes == len && memcmp(a->name, text, len) == 0) return i;
    }
}

static void grow_index(void) {
    size_t old_cap = index_cap;
    uint32_t *old = index_slots;
    index_cap = old_cap ? old_cap * 2 : 4096;
    index_slots = xalloc(index_cap * sizeof *index_slots);
    for (size_t i = 0; i < old_cap; i++) {
        if (old[i]) {
            const Atom *a = entry(old[i] - 1);
            index_slots[find_slot(a->name, a->len_bytes, a->hvalue)] = old[i];
        }
    }
    free(old);
}

/* The only function that mutates the table. With parallel schedulers, take
 * the atom table's write lock around its body (readers of existing entries
 * stay lock-free because entries never move and n_atoms is published after
 * the entry is complete). */
static term_t insert(const uint8_t *text, size_t len, uint32_t h, int latin1_chars) {
    if (n_atoms >= ATOM_TABLE_MAX) return THE_NON_VALUE;
    if ((n_atoms + 1) * 2 > index_cap) grow_index();
    size_t slot = find_slot(text, len, h);
    if (index_slots[slot]) return make_atom(index_slots[slot] - 1);
    size_t i = n_atoms;
    if (!segments[i >> SEG_BITS]) segments[i >> SEG_BITS] = xalloc(SEG_SIZE * sizeof(Atom));
    uint8_t *copy = xalloc(len + 1);
    memcpy(copy, text, len);
    Atom *a = entry(i);
    a->name = copy;
    a->len_bytes = (uint16_t)len;
    a->latin1_chars = (int16_t)latin1_chars;
    a->hvalue = h;
    index_slots[slot] = (uint32_t)(i + 1);
    n_atoms = i + 1;
    return make_atom(i);
}

bool atom_text_valid(const uint8_t *text, size_t len) {
    int latin1;
    if (len > ATOM_MAX_CHARS * 4) return false;
    long chars = utf8_chars(text, len, &latin1);
    return chars >= 0 && chars <= ATOM_MAX_CHARS;
}

term_t atom_lookup(const uint8_t *text, size_t len) {
    if (!index_cap || len > ATOM_MAX_CHARS * 4) return THE_NON_VALUE;
    size_t slot = find_slot(text, len, atom_hash_text(text, len));
    return index_slots[slot] ? make_atom(index_slots[slot] - 1) : THE_NON_VALUE;
}

term_t atom_intern(const uint8_t *text, size_t len) {
    int latin1;
    if (len > ATOM_MAX_CHARS * 4) return THE_NON_VALUE;
    long chars = utf8_chars(text, len, &latin1);
    if (chars < 0 || chars > ATOM_MAX_CHARS) return THE_NON_VALUE;
    term_t a = atom_lookup(text, len);
    if (a != THE_NON_VALUE) return a;
    return insert(text, len, atom_hash_text(text, len), latin1 ? (int)chars : -1);
}

term_t atom_intern_cstr(const char *text) {
    return atom_intern((const uint8_t *)text, strlen(text));
}

term_t atom_intern_latin1(const uint8_t *text, size_t len) {
    uint8_t buf[ATOM_MAX_CHARS * 2];
    size_t n = 0;
    if (len > ATOM_MAX_CHARS) return THE_NON_VALUE;
    for (size_t i = 0; i < len; i++) {
        if (text[i] < 0x80) {
            buf[n++] = text[i];
        } else {
            buf[n++] = (uint8_t)(0xC0 | (text[i] >> 6));
            buf[n++] = (uint8_t)(0x80 | (text[i] & 0x3F));
        }
    }
    return atom_intern(buf, n);
}

void atom_init(void) {
    if (n_atoms) return;
    for (size_t i = 0; i < sizeof predefined / sizeof predefined[0]; i++) {
        term_t a = atom_intern_cstr(predefined[i]);
        if (a != make_atom(i)) {
            fprintf(stderr, "atom_init: duplicate predefined atom '%s'\n", predefined[i]);
            abort();
        }
    }
}

const Atom *atom_get(term_t a) { return entry(atom_index(a)); }

size_t atom_count(void) { return n_atoms; }

int atom_compare(term_t a, term_t b) {
    if (a == b) return 0;
    const Atom *x = atom_get(a), *y = atom_get(b);
    size_t n = x->len_bytes < y->len_bytes ? x->len_bytes : y->len_bytes;
    int c = memcmp(x->name, y->name, n);
    if (c) return c < 0 ? -1 : 1;
    return x->len_bytes < y->len_bytes ? -1 : x->len_bytes > y->len_bytes ? 1 : 0;
}
