/*
 * term.h — the Erlang term word and every heap object's layout.
 *
 * A term is one 64-bit word. Its two low bits (the primary tag) say what
 * the other 62 bits are:
 *
 *   ..............................00  header word (only ever found on a heap,
 *                                     as the first word of a boxed object)
 *   ..............................01  list: pointer to a cons cell [head, tail]
 *   ..............................10  boxed: pointer to a header word
 *   ..............................11  immediate (immed1, 4-bit tag below)
 *
 * Immediate 1 (bits 0..3):  0011 pid   0111 port   1011 immed2   1111 small
 *   small: 60-bit two's complement integer in bits 4..63.
 *   pid/port: 60 bits of identity (see pid_* / port_* below).
 * Immediate 2 (bits 0..5):  001011 atom   011011 catch   111011 nil
 *   atom: index into the atom table in bits 6..63 (atom.h).
 *   catch: index of a catch label (owned by the emulator).
 *   nil: the empty list [], exactly the word NIL.
 *
 * Header word: bits 2..5 are the subtag, bits 6..63 the arity, which is
 * the number of words that follow the header in the object (maps only: bits
 * 6..7 are the map kind and bits 8..63 that count, see map.h). So every
 * object's size is known from its header and a heap can be walked:
 *
 *   INVARIANT: every heap object either starts with a header word, or is a
 *   cons cell of exactly two words (head, tail) that are both terms.
 *
 * Subtags (OTP's numbering) and what follows the header:
 *   0x0 tuple        arity terms
 *   0x1 match state  binary match context (bit syntax work; raw)
 *   0x2 pos bignum   arity 64-bit digits, least significant first (raw)
 *   0x3 neg bignum   same, value negative (bit 0 of the subtag = sign)
 *   0x4 reference    internal ref: uint32 numbers[3] packed in 2 words (raw);
 *                    a magic ref (magic.h) also has an off-heap link and
 *                    a MagicBin pointer before them (raw)
 *   0x5 fun          FunThing (fun.h): raw prefix, then free-variable terms
 *   0x6 float        one IEEE double (raw)
 *   0x7 export       pointer to an MFA (fun M:F/A) (raw)
 *   0x8 refc binary  ProcBin (binary.h): off-heap Binary reference (raw)
 *   0x9 heap binary  byte size word + bytes, < 64 bytes (raw)
 *   0xA sub binary   size/offset in bits + the original binary term
 *   0xC ext pid      ExternalThing (node name atom, creation, numbers; raw)
 *   0xD ext port     ditto
 *   0xE ext ref      ditto
 *   0xF map          flatmap (map.h); HAMT nodes later; kind in bits 6..7
 *
 * "Raw" payloads hold no heap pointers the GC must follow (atoms are
 * immediates); tuple, map, fun env and the sub binary's `orig` hold terms.
 *
 * THE_NON_VALUE (the word 0, a tuple header of arity 0) is never a term: it
 * is used as "no value / error" by functions that return terms.
 */
#ifndef BEAMOS_VM_TERM_H
#define BEAMOS_VM_TERM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef uint64_t term_t;
typedef int64_t sterm_t;

#define THE_NON_VALUE ((term_t)0)

/* ---- primary tag ---- */
#define TAG_PRIMARY_SIZE 2
#define TAG_PRIMARY_MASK 0x3u
#define TAG_PRIMARY_HEADER 0x0u
#define TAG_PRIMARY_LIST 0x1u
#define TAG_PRIMARY_BOXED 0x2u
#define TAG_PRIMARY_IMMED1 0x3u

static inline unsigned primary_tag(term_t t) { return (unsigned)(t & TAG_PRIMARY_MASK); }

/* ---- immediate 1 ---- */
#define TAG_IMMED1_SIZE 4
#define TAG_IMMED1_MASK 0xFu
#define TAG_IMMED1_PID 0x3u
#define TAG_IMMED1_PORT 0x7u
#define TAG_IMMED1_IMMED2 0xBu
#define TAG_IMMED1_SMALL 0xFu

/* ---- immediate 2 ---- */
#define TAG_IMMED2_SIZE 6
#define TAG_IMMED2_MASK 0x3Fu
#define TAG_IMMED2_ATOM 0x0Bu
#define TAG_IMMED2_CATCH 0x1Bu
#define TAG_IMMED2_NIL 0x3Bu

#define NIL ((term_t)TAG_IMMED2_NIL)

static inline bool is_immed(term_t t) { return primary_tag(t) == TAG_PRIMARY_IMMED1; }
static inline bool is_list(term_t t) { return primary_tag(t) == TAG_PRIMARY_LIST; }
static inline bool is_boxed(term_t t) { return primary_tag(t) == TAG_PRIMARY_BOXED; }
static inline bool is_header(term_t t) { return primary_tag(t) == TAG_PRIMARY_HEADER; }
static inline bool is_nil(term_t t) { return t == NIL; }
static inline bool is_value(term_t t) { return t != THE_NON_VALUE; }

/* ---- small integers: 60 bits, signed ---- */
#define SMALL_BITS 60
#define SMALL_MAX ((sterm_t)((((uint64_t)1) << (SMALL_BITS - 1)) - 1))
#define SMALL_MIN (-SMALL_MAX - 1)

static inline bool is_small(term_t t) { return (t & TAG_IMMED1_MASK) == TAG_IMMED1_SMALL; }
static inline bool small_fits(int64_t v) { return v >= SMALL_MIN && v <= SMALL_MAX; }
/* Precondition: small_fits(v). */
static inline term_t make_small(int64_t v) {
    return ((uint64_t)v << TAG_IMMED1_SIZE) | TAG_IMMED1_SMALL;
}
static inline int64_t small_value(term_t t) { return (int64_t)t >> TAG_IMMED1_SIZE; }
static inline bool is_byte(term_t t) { return is_small(t) && (t >> TAG_IMMED1_SIZE) < 256; }

/* ---- atoms, catch ---- */
static inline bool is_atom(term_t t) { return (t & TAG_IMMED2_MASK) == TAG_IMMED2_ATOM; }
static inline term_t make_atom(uint64_t index) {
    return (index << TAG_IMMED2_SIZE) | TAG_IMMED2_ATOM;
}
static inline uint64_t atom_index(term_t t) { return t >> TAG_IMMED2_SIZE; }
static inline bool is_catch(term_t t) { return (t & TAG_IMMED2_MASK) == TAG_IMMED2_CATCH; }
static inline term_t make_catch(uint64_t index) {
    return (index << TAG_IMMED2_SIZE) | TAG_IMMED2_CATCH;
}
static inline uint64_t catch_index(term_t t) { return t >> TAG_IMMED2_SIZE; }

/* ---- local pids and ports ----
 * Pid data (60 bits) = number (low 28 bits) | serial << 28 (32 bits). They
 * are the ID and Serial fields of NEW_PID_EXT for this node. Port data is
 * the port number (NEW_PORT_EXT ID). */
#define PID_NUMBER_BITS 28
static inline bool is_internal_pid(term_t t) { return (t & TAG_IMMED1_MASK) == TAG_IMMED1_PID; }
static inline bool is_internal_port(term_t t) { return (t & TAG_IMMED1_MASK) == TAG_IMMED1_PORT; }
static inline term_t make_internal_pid(uint32_t number, uint32_t serial) {
    uint64_t data = ((uint64_t)number & ((1u << PID_NUMBER_BITS) - 1)) |
                    ((uint64_t)serial << PID_NUMBER_BITS);
    return (data << TAG_IMMED1_SIZE) | TAG_IMMED1_PID;
}
static inline uint32_t pid_number(term_t t) {
    return (uint32_t)((t >> TAG_IMMED1_SIZE) & ((1u << PID_NUMBER_BITS) - 1));
}
static inline uint32_t pid_serial(term_t t) { return (uint32_t)(t >> (TAG_IMMED1_SIZE + PID_NUMBER_BITS)); }
static inline term_t make_internal_port(uint64_t number) {
    return (number << TAG_IMMED1_SIZE) | TAG_IMMED1_PORT;
}
static inline uint64_t port_number(term_t t) { return t >> TAG_IMMED1_SIZE; }

/* ---- header words ---- */
#define HEADER_SUBTAG_MASK 0x3Cu /* bits 2..5 */
#define HEADER_ARITY_OFFS 6
#define SUBTAG(n) ((unsigned)(n) << 2)

#define TUPLE_SUBTAG SUBTAG(0x0)
#define MATCHSTATE_SUBTAG SUBTAG(0x1)
#define POS_BIG_SUBTAG SUBTAG(0x2)
#define NEG_BIG_SUBTAG SUBTAG(0x3)
#define REF_SUBTAG SUBTAG(0x4)
#define FUN_SUBTAG SUBTAG(0x5)
#define FLOAT_SUBTAG SUBTAG(0x6)
#define EXPORT_SUBTAG SUBTAG(0x7)
#define REFC_BINARY_SUBTAG SUBTAG(0x8)
#define HEAP_BINARY_SUBTAG SUBTAG(0x9)
#define SUB_BINARY_SUBTAG SUBTAG(0xA)
#define EXTERNAL_PID_SUBTAG SUBTAG(0xC)
#define EXTERNAL_PORT_SUBTAG SUBTAG(0xD)
#define EXTERNAL_REF_SUBTAG SUBTAG(0xE)
#define MAP_SUBTAG SUBTAG(0xF)
#define BIG_SIGN_BIT SUBTAG(0x1)

static inline term_t make_header(uint64_t arity, unsigned subtag) {
    return (arity << HEADER_ARITY_OFFS) | subtag;
}
static inline uint64_t header_arity(term_t h) { return h >> HEADER_ARITY_OFFS; }
static inline unsigned header_subtag(term_t h) { return (unsigned)(h & HEADER_SUBTAG_MASK); }
/* Total size in words of the object that starts with header h. */
static inline uint64_t header_object_words(term_t h) { return header_arity(h) + 1; }

/* ---- pointers ---- */
static inline term_t *list_val(term_t t) { return (term_t *)(uintptr_t)(t - TAG_PRIMARY_LIST); }
static inline term_t *boxed_val(term_t t) { return (term_t *)(uintptr_t)(t - TAG_PRIMARY_BOXED); }
static inline term_t make_list(const term_t *cell) { return (term_t)(uintptr_t)cell + TAG_PRIMARY_LIST; }
static inline term_t make_boxed(const term_t *obj) { return (term_t)(uintptr_t)obj + TAG_PRIMARY_BOXED; }

static inline term_t cons_head(term_t t) { return list_val(t)[0]; }
static inline term_t cons_tail(term_t t) { return list_val(t)[1]; }
#define CONS_WORDS 2
/* Writes a cons cell at hp (2 words) and returns the list term. */
static inline term_t make_cons(term_t *hp, term_t head, term_t tail) {
    hp[0] = head;
    hp[1] = tail;
    return make_list(hp);
}

static inline unsigned boxed_subtag(term_t t) { return header_subtag(*boxed_val(t)); }
static inline bool is_boxed_subtag(term_t t, unsigned subtag) {
    return is_boxed(t) && boxed_subtag(t) == subtag;
}

/* ---- tuples ---- */
static inline bool is_tuple(term_t t) { return is_boxed_subtag(t, TUPLE_SUBTAG); }
static inline term_t *tuple_val(term_t t) { return boxed_val(t); }
static inline uint64_t tuple_arity(term_t t) { return header_arity(*tuple_val(t)); }
/* 1-based, as element/2. */
static inline term_t tuple_element(term_t t, uint64_t i) { return tuple_val(t)[i]; }
static inline size_t tuple_words(size_t arity) { return arity + 1; }
/* Writes the header at hp; the caller fills hp[1..arity]. */
static inline term_t make_tuple_header(term_t *hp, size_t arity) {
    hp[0] = make_header(arity, TUPLE_SUBTAG);
    return make_boxed(hp);
}

/* ---- numbers ---- */
static inline bool is_big(term_t t) {
    return is_boxed(t) && (boxed_subtag(t) & ~BIG_SIGN_BIT) == POS_BIG_SUBTAG;
}
static inline bool is_integer(term_t t) { return is_small(t) || is_big(t); }

#define FLOAT_WORDS 2
static inline bool is_float(term_t t) { return is_boxed_subtag(t, FLOAT_SUBTAG); }
static inline double float_value(term_t t) {
    double d;
    memcpy(&d, boxed_val(t) + 1, sizeof d);
    return d;
}
/* Writes a boxed float (FLOAT_WORDS) at hp. */
static inline term_t make_float(term_t *hp, double d) {
    hp[0] = make_header(1, FLOAT_SUBTAG);
    memcpy(hp + 1, &d, sizeof d);
    return make_boxed(hp);
}
static inline bool is_number(term_t t) { return is_integer(t) || is_float(t); }

/* ---- other boxed kinds (layouts in binary.h, map.h, fun.h) ---- */
static inline bool is_ref(term_t t) { return is_boxed_subtag(t, REF_SUBTAG); }
static inline bool is_fun(term_t t) { return is_boxed_subtag(t, FUN_SUBTAG); }
static inline bool is_export(term_t t) { return is_boxed_subtag(t, EXPORT_SUBTAG); }
static inline bool is_any_fun(term_t t) { return is_fun(t) || is_export(t); }
static inline bool is_map(term_t t) { return is_boxed_subtag(t, MAP_SUBTAG); }
static inline bool is_external_pid(term_t t) { return is_boxed_subtag(t, EXTERNAL_PID_SUBTAG); }
static inline bool is_external_port(term_t t) { return is_boxed_subtag(t, EXTERNAL_PORT_SUBTAG); }
static inline bool is_external_ref(term_t t) { return is_boxed_subtag(t, EXTERNAL_REF_SUBTAG); }
static inline bool is_pid(term_t t) { return is_internal_pid(t) || is_external_pid(t); }
static inline bool is_port(term_t t) { return is_internal_port(t) || is_external_port(t); }
static inline bool is_reference(term_t t) { return is_ref(t) || is_external_ref(t); }
static inline bool is_bitstring(term_t t) {
    if (!is_boxed(t)) return false;
    unsigned s = boxed_subtag(t);
    return s == REFC_BINARY_SUBTAG || s == HEAP_BINARY_SUBTAG || s == SUB_BINARY_SUBTAG;
}

/* ---- internal references: 3 x 32-bit numbers (NEWER_REFERENCE_EXT ID) ----
 * A plain ref is [header(2, REF), num0 | num1 << 32, num2]. A magic ref
 * (magic.h) is a longer REF object, [header(5, REF), OffHeapHeader rest,
 * MagicBin *, num0 | num1 << 32, num2]: the numbers are the last two words
 * of both, so ref_number() and everything built on it (compare, hash,
 * print, encode) treat the two alike. */
#define REF_NUMBERS 3
#define REF_WORDS 3
#define MAGIC_REF_WORDS 6
static inline term_t make_internal_ref(term_t *hp, const uint32_t num[REF_NUMBERS]) {
    hp[0] = make_header(REF_WORDS - 1, REF_SUBTAG);
    hp[1] = (uint64_t)num[0] | ((uint64_t)num[1] << 32);
    hp[2] = num[2];
    return make_boxed(hp);
}
static inline uint32_t ref_number(term_t t, int i) {
    term_t *p = boxed_val(t);
    p += header_arity(p[0]) - 1;   /* the two number words end the object */
    return i == 0 ? (uint32_t)p[0] : i == 1 ? (uint32_t)(p[0] >> 32) : (uint32_t)p[1];
}
static inline bool is_magic_ref(term_t t) {
    return is_boxed(t) && *boxed_val(t) == make_header(MAGIC_REF_WORDS - 1, REF_SUBTAG);
}

/* ---- external pid/port/ref: a node elsewhere ----
 * ExternalThing: header, node name atom, creation and count, then the
 * identity numbers, 2 x uint32 per word (pid: number, serial; port: low,
 * high; ref: up to 5 numbers). The distribution work
 * may later replace `node` with a node-table entry; until then the atom
 * keeps the object self-contained (and GC-neutral: atoms are immediates). */
typedef struct {
    term_t header;
    term_t node;        /* atom */
    uint32_t creation;
    uint32_t n_num;     /* how many of num[] are used */
    uint32_t num[];
} ExternalThing;

static inline ExternalThing *external_val(term_t t) { return (ExternalThing *)boxed_val(t); }
/* Words of an ExternalThing with n numbers. */
static inline size_t external_words(size_t n) { return 3 + (n + 1) / 2; }

/* ---- two's-complement-safe helpers ---- */
static inline uint64_t uabs64(int64_t v) { return v < 0 ? 0 - (uint64_t)v : (uint64_t)v; }

#endif
