/*
 * etf.h — the external term format (term_to_binary / binary_to_term).
 *
 * Encoding is byte-for-byte what OTP 25's term_to_binary/1 produces with
 * default options (minor_version 1): SMALL_INTEGER/INTEGER/SMALL_BIG/
 * LARGE_BIG, NEW_FLOAT, ATOM_EXT for atoms whose text is Latin-1 (else
 * SMALL_ATOM_UTF8/ATOM_UTF8), SMALL/LARGE_TUPLE, NIL, STRING_EXT for proper
 * lists of bytes up to 65535 long, LIST, BINARY, BIT_BINARY, MAP (pairs in
 * the map's key order), NEW_PID, NEW_PORT/V4_PORT, NEWER_REFERENCE, EXPORT.
 * Setting EtfOptions.utf8_atoms gives minor_version 2 (OTP 26's default),
 * float_text minor_version 0; sort_maps_on is the `deterministic` option.
 *
 * Decoding validates the whole input before it allocates: a first pass
 * checks every tag, length and atom text without reading past the end and
 * computes the heap words needed; the second pass builds the term in ONE
 * allocation of that size. Neither pass recurses on the C stack.
 * Accepted beyond what the encoder writes: ATOM_EXT, SMALL_ATOM_EXT,
 * FLOAT_EXT, PID_EXT, PORT_EXT, REFERENCE_EXT, NEW_REFERENCE_EXT,
 * EXPORT_EXT (only with a resolver in the options). Rejected with
 * ETF_ERR_NOTSUP: FUN_EXT (pre-R8), ATOM_CACHE_REF, LOCAL_EXT. NEW_FUN_EXT
 * and EXPORT_EXT need resolvers in the options (the code layer's).
 * Compressed input (tag 80) is inflated by
 * etf_inflate() (zlib); a corrupt stream, or one whose announced size is
 * wrong or implausible, gives ETF_ERR_COMPRESSED.
 *
 * These functions run to completion. The engines behind them can also stop
 * after a work budget and resume (etf_impl.h), which is how the BIFs
 * handle large terms in slices (etf_slices.h, docs/long_bifs.md).
 */
#ifndef BEAMOS_VM_ETF_H
#define BEAMOS_VM_ETF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vm/fun.h"
#include "vm/heap.h"
#include "vm/term.h"

#define ETF_VERSION 131

enum {
    ETF_NEW_FLOAT = 70, ETF_BIT_BINARY = 77, ETF_COMPRESSED = 80, ETF_ATOM_CACHE_REF = 82,
    ETF_NEW_PID = 88, ETF_NEW_PORT = 89, ETF_NEWER_REFERENCE = 90,
    ETF_SMALL_INTEGER = 97, ETF_INTEGER = 98, ETF_FLOAT = 99, ETF_ATOM = 100,
    ETF_REFERENCE = 101, ETF_PORT = 102, ETF_PID = 103, ETF_SMALL_TUPLE = 104,
    ETF_LARGE_TUPLE = 105, ETF_NIL = 106, ETF_STRING = 107, ETF_LIST = 108,
    ETF_BINARY = 109, ETF_SMALL_BIG = 110, ETF_LARGE_BIG = 111, ETF_NEW_FUN = 112,
    ETF_EXPORT = 113, ETF_NEW_REFERENCE = 114, ETF_SMALL_ATOM = 115, ETF_MAP = 116,
    ETF_FUN = 117, ETF_ATOM_UTF8 = 118, ETF_SMALL_ATOM_UTF8 = 119, ETF_V4_PORT = 120,
    ETF_LOCAL = 121,
};

typedef enum {
    ETF_OK = 0,
    ETF_ERR_TRUNCATED,    /* input ends inside a term */
    ETF_ERR_BAD_VERSION,  /* first byte is not 131 */
    ETF_ERR_BAD_TAG,      /* unknown tag */
    ETF_ERR_BAD_SIZE,     /* a length or count that cannot be right */
    ETF_ERR_BAD_ATOM,     /* atom text invalid or too long, or table full */
    ETF_ERR_BAD_VALUE,    /* e.g. duplicate map key, bad export arity */
    ETF_ERR_TRAILING,     /* bytes left after the term (etf_decode only) */
    ETF_ERR_NOTSUP,       /* valid, but not supported yet */
    ETF_ERR_COMPRESSED,   /* compressed input and no inflater */
    ETF_ERR_TOO_BIG,      /* result over an implementation limit */
    ETF_ERR_BUFFER,       /* encode: output buffer too small */
} EtfError;

const char *etf_error_name(EtfError e);

typedef struct {
    term_t node;          /* this node's name (atom); 0 = term_local_node() */
    uint32_t creation;    /* used when node != 0 */
    bool utf8_atoms;      /* encode atoms as UTF-8 always (minor_version 2) */
    bool float_text;      /* floats as FLOAT_EXT, "%.20e" (minor_version 0) */
    /* Encoding with `deterministic`: a large map's pairs are written in
     * map-key order (as OTP 25), staged sorted in a tuple allocated here
     * (heap_alloc: never collects). NULL: trie order, as by default. */
    Heap *sort_maps_on;
    /* Decoding: fail with ETF_ERR_BAD_ATOM on an atom that does not exist
     * yet, before anything is built (binary_to_term/2's `safe`). */
    bool existing_atoms_only;
    /* Decoding EXPORT_EXT: the export entry's MFA for M:F/A (creating a
     * stub entry if needed); NULL or no resolver = ETF_ERR_NOTSUP. */
    const ErtsMFA *(*resolve_export)(void *arg, term_t module, term_t function, uint32_t arity);
    /* Decoding NEW_FUN_EXT: the entry of `module`'s fun number `index`
     * (OldUniq old_uniq) whose module MD5 is `uniq` and which has `arity`
     * and `num_free` — the loaded one, or one for code not loaded — or
     * NULL (ETF_ERR_NOTSUP); no resolver = ETF_ERR_NOTSUP. Shares
     * resolve_arg with resolve_export. */
    const FunEntry *(*resolve_fun)(void *arg, term_t module, uint32_t index, uint32_t old_uniq,
                                   const uint8_t uniq[16], uint32_t arity, uint32_t num_free);
    void *resolve_arg;
} EtfOptions;

/* ---- encoding ---- */
/* Bytes etf_encode writes for t (version byte included); 0 with *err set if
 * t holds something that cannot be encoded. opts may be NULL. */
size_t etf_encoded_size(term_t t, const EtfOptions *opts, EtfError *err);
/* Writes t (with the version byte) into buf. *len receives the size. */
EtfError etf_encode(term_t t, const EtfOptions *opts, uint8_t *buf, size_t cap, size_t *len);
/* term_to_binary: the encoding as a binary on h. Needs
 * binary_need_words(etf_encoded_size(...)) words. */
EtfError etf_term_to_binary(Heap *h, term_t t, const EtfOptions *opts, term_t *out);

/* ---- decoding ---- */
/* First pass: validates one term (with version byte) at buf and reports the
 * heap words needed and the bytes it occupies. */
EtfError etf_decode_size(const uint8_t *buf, size_t len, const EtfOptions *opts,
                         size_t *heap_words, size_t *used_bytes);
/* Decodes exactly one term filling all of buf (ETF_ERR_TRAILING if not;
 * for a compressed term, the zlib stream and what it inflates to too):
 * literals, where a byte too many means a broken file. */
EtfError etf_decode(Heap *h, const uint8_t *buf, size_t len, const EtfOptions *opts, term_t *out);
/* Decodes one term at the start of buf and ignores what follows it (after
 * the zlib stream, when compressed, and after the term inside it);
 * *used_bytes says where it ended: binary_to_term/1,2 (OTP 25 ignores
 * trailing bytes; `used` reports them). */
EtfError etf_decode_prefix(Heap *h, const uint8_t *buf, size_t len, const EtfOptions *opts,
                           term_t *out, size_t *used_bytes);

/* Inflate for COMPRESSED terms: inflates src into dst of exactly dst_len
 * bytes; ETF_ERR_COMPRESSED if the stream is corrupt or the size differs. */
EtfError etf_inflate(const uint8_t *src, size_t src_len, uint8_t *dst, size_t dst_len);

#endif
