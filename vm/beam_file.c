/*
 * beam_file.c — the .beam container (IFF: "FOR1" size "BEAM", then chunks
 * padded to 4 bytes) and every chunk except Code's instruction stream,
 * which beam_code.c decodes once the tables it refers to are known.
 *
 * Chunk order inside the file is free, so we first index the chunks, then
 * parse them in dependency order: atoms, then the tables naming atoms,
 * literals, lines, types, and finally Code.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm/beam_parse.h"
#include "vm/inflate_glue.h"
#include "vm/md5.h"

/* zlib cannot expand more than ~1032:1; anything claiming more is corrupt
 * and is refused before we allocate for it. */
#define LITT_MAX_RATIO 1100u

int beam_fail(BeamParse *ps, const char *chunk, const char *fmt, ...)
{
    if (ps->errlen == 0) return -1;
    int n = snprintf(ps->err, ps->errlen, "%s: ", chunk);
    if (n >= 0 && (size_t)n < ps->errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(ps->err + n, ps->errlen - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return -1;
}

int beam_grow(void **arr, uint32_t *cap, uint32_t len, uint32_t n, size_t sz)
{
    if (n > UINT32_MAX - len) return -1;
    if (len + n <= *cap) return 0;
    uint64_t want = *cap ? *cap : 64;
    while (want < (uint64_t)len + n) want *= 2;
    if (want > UINT32_MAX) want = UINT32_MAX;
    if (want * sz / sz != want || want * sz > SIZE_MAX / 2) return -1;
    void *p = realloc(*arr, (size_t)(want * sz));
    if (!p) return -1;
    *arr = p;
    *cap = (uint32_t)want;
    return 0;
}

/* calloc for n items of sz where n was read from the file; at least one
 * item so that a zero count still yields a non-NULL pointer. */
static void *alloc_items(size_t n, size_t sz)
{
    return calloc(n ? n : 1, sz);
}

/* ---- the chunk index --------------------------------------------------- */

enum { CH_ATU8, CH_ATOM, CH_CODE, CH_STRT, CH_IMPT, CH_EXPT, CH_LOCT, CH_FUNT, CH_LITT,
       CH_LINE, CH_ATTR, CH_CINF, CH_TYPE, CH_META, CH_COUNT };

static const char chunk_ids[CH_COUNT][5] = {
    "AtU8", "Atom", "Code", "StrT", "ImpT", "ExpT", "LocT", "FunT", "LitT",
    "Line", "Attr", "CInf", "Type", "Meta",
};

typedef struct {
    const uint8_t *data[CH_COUNT];
    uint32_t size[CH_COUNT];
    int present[CH_COUNT];
} ChunkIndex;

static int index_chunks(BeamParse *ps, ChunkIndex *ix)
{
    BeamReader r = {ps->bf->image, ps->bf->image + ps->bf->image_size_bytes};
    const uint8_t *magic, *form;
    uint32_t form_size;
    if (rd_bytes(&r, 4, &magic) || memcmp(magic, "FOR1", 4) != 0)
        return beam_fail(ps, "header", "bad magic (not an IFF file: no FOR1)");
    if (rd_u32(&r, &form_size))
        return beam_fail(ps, "header", "truncated (no form size)");
    if (form_size > rd_left(&r))
        return beam_fail(ps, "header", "form size %u runs past the end of the file (%zu bytes left)",
                         form_size, rd_left(&r));
    r.end = r.p + form_size; /* anything after the form is ignored */
    if (rd_bytes(&r, 4, &form) || memcmp(form, "BEAM", 4) != 0)
        return beam_fail(ps, "header", "bad magic (form type is not BEAM)");

    while (rd_left(&r) > 0) {
        const uint8_t *id, *body;
        uint32_t size;
        if (rd_left(&r) < 8)
            return beam_fail(ps, "header", "truncated chunk header (%zu bytes left)", rd_left(&r));
        rd_bytes(&r, 4, &id);
        rd_u32(&r, &size);
        char name[5];
        for (int i = 0; i < 4; i++) name[i] = (id[i] >= 32 && id[i] < 127) ? (char)id[i] : '?';
        name[4] = 0;
        if (rd_bytes(&r, size, &body))
            return beam_fail(ps, "header", "chunk %s size %u runs past the end of the file (%zu bytes left)",
                             name, size, rd_left(&r));
        size_t pad = (4 - size % 4) % 4;
        r.p += pad < rd_left(&r) ? pad : rd_left(&r); /* last chunk may lack padding */
        for (int c = 0; c < CH_COUNT; c++) {
            if (memcmp(id, chunk_ids[c], 4) != 0) continue;
            if (ix->present[c]) return beam_fail(ps, name, "duplicate chunk");
            ix->present[c] = 1;
            ix->data[c] = body;
            ix->size[c] = size;
        }
        /* unknown chunks (Dbgi, Docs, ExCk, ...) are ignored */
    }
    if (ix->present[CH_ATOM] && !ix->present[CH_ATU8])
        return beam_fail(ps, "Atom", "latin-1 atom table (pre-OTP 20 file) is not supported; recompile");
    static const int required[] = {CH_ATU8, CH_CODE, CH_STRT, CH_IMPT, CH_EXPT};
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
        if (!ix->present[required[i]])
            return beam_fail(ps, chunk_ids[required[i]], "missing (required chunk)");
    return 0;
}

/* ---- the module's MD5 ----------------------------------------------------- */

/* OTP's module_info(md5) (beam_lib:md5/1): MD5 over the chunks that
 * define the code, in this order, with each FunT entry's OldUniq (its last
 * word) taken as zero. It is also the Uniq of every fun of the module in
 * the external term format, so it must be exactly OTP's. */
static void module_md5(const ChunkIndex *ix, uint8_t out[16])
{
    static const int order[] = {CH_ATOM, CH_ATU8, CH_CODE, CH_STRT, CH_IMPT, CH_EXPT,
                                CH_FUNT, CH_LITT, CH_META};
    Md5Ctx x;
    md5_start(&x);
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        int c = order[i];
        if (!ix->present[c]) continue;
        if (c != CH_FUNT) {
            md5_feed(&x, ix->data[c], ix->size[c]);
            continue;
        }
        /* count, then 6-word entries whose sixth word is OldUniq */
        static const uint8_t zero[4];
        uint32_t n = ix->size[c];
        uint32_t k = n < 4 ? n : 4;
        md5_feed(&x, ix->data[c], k);
        for (; k + 24 <= n; k += 24) {
            md5_feed(&x, ix->data[c] + k, 20);
            md5_feed(&x, zero, 4);
        }
        md5_feed(&x, ix->data[c] + k, n - k);
    }
    md5_finish(&x, out);
}

/* ---- atoms -------------------------------------------------------------- */

/* Well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF). */
static int utf8_valid(const uint8_t *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint8_t c = s[i];
        size_t k;
        uint32_t cp;
        if (c < 0x80) { i++; continue; }
        else if ((c & 0xe0) == 0xc0) { k = 1; cp = c & 0x1f; }
        else if ((c & 0xf0) == 0xe0) { k = 2; cp = c & 0x0f; }
        else if ((c & 0xf8) == 0xf0) { k = 3; cp = c & 0x07; }
        else return 0;
        if (n - i <= k) return 0;
        for (size_t j = 1; j <= k; j++) {
            if ((s[i + j] & 0xc0) != 0x80) return 0;
            cp = cp << 6 | (s[i + j] & 0x3f);
        }
        static const uint32_t min_cp[4] = {0, 0x80, 0x800, 0x10000};
        if (cp < min_cp[k] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
        i += k + 1;
    }
    return 1;
}

static int parse_atoms(BeamParse *ps, const uint8_t *data, uint32_t size)
{
    BeamFile *bf = ps->bf;
    BeamReader r = {data, data + size};
    uint32_t raw;
    if (rd_u32(&r, &raw)) return beam_fail(ps, "AtU8", "truncated count");
    /* A negative count (newer compilers) means lengths are compact terms. */
    int compact_len = (int32_t)raw < 0;
    uint32_t count = compact_len ? (uint32_t)(-(int64_t)(int32_t)raw) : raw;
    if (count == 0) return beam_fail(ps, "AtU8", "no atoms (the module name must be atom 1)");
    if (count > rd_left(&r))
        return beam_fail(ps, "AtU8", "count %u larger than the chunk allows", count);
    bf->atoms = alloc_items((size_t)count + 1, sizeof *bf->atoms);
    if (!bf->atoms) return beam_fail(ps, "AtU8", "out of memory");
    bf->atom_count = count;
    for (uint32_t i = 1; i <= count; i++) {
        uint32_t len;
        if (compact_len) {
            BeamCompact c;
            const char *why;
            if (beam_compact_read(&r, &c, &why))
                return beam_fail(ps, "AtU8", "atom %u: length: %s", i, why);
            if (c.tag != CT_U || c.big || c.val < 0 || c.val > 1020)
                return beam_fail(ps, "AtU8", "atom %u: bad length", i);
            len = (uint32_t)c.val;
        } else if (rd_u8(&r, &len)) {
            return beam_fail(ps, "AtU8", "atom %u of %u: truncated", i, count);
        }
        const uint8_t *text;
        if (rd_bytes(&r, len, &text))
            return beam_fail(ps, "AtU8", "atom %u of %u: %u bytes run past the chunk", i, count, len);
        if (!utf8_valid(text, len))
            return beam_fail(ps, "AtU8", "atom %u is not valid UTF-8", i);
        bf->atoms[i] = (BeamSpan){text, len};
    }
    return 0;
}

static int check_atom(BeamParse *ps, const char *chunk, uint32_t entry, const char *what,
                      uint32_t atom)
{
    if (atom == 0 || atom > ps->bf->atom_count)
        return beam_fail(ps, chunk, "entry %u: %s atom index %u out of range (%u atoms)", entry, what,
                         atom, ps->bf->atom_count);
    return 0;
}

/* ---- ImpT, ExpT, LocT, FunT --------------------------------------------- */

/* Read the u32 count of a table of `words`-word entries and check it fits. */
static int table_count(BeamParse *ps, const char *chunk, BeamReader *r, uint32_t words,
                       uint32_t *count)
{
    if (rd_u32(r, count)) return beam_fail(ps, chunk, "truncated count");
    if ((uint64_t)*count * words * 4 > rd_left(r))
        return beam_fail(ps, chunk, "count %u needs %llu bytes, chunk has %zu", *count,
                         (unsigned long long)*count * words * 4, rd_left(r));
    return 0;
}

static int parse_imports(BeamParse *ps, const uint8_t *data, uint32_t size)
{
    BeamFile *bf = ps->bf;
    BeamReader r = {data, data + size};
    uint32_t n;
    if (table_count(ps, "ImpT", &r, 3, &n)) return -1;
    if (!(bf->imports = alloc_items(n, sizeof *bf->imports))) return beam_fail(ps, "ImpT", "out of memory");
    bf->import_count = n;
    for (uint32_t i = 0; i < n; i++) {
        BeamImport *im = &bf->imports[i];
        rd_u32(&r, &im->module);
        rd_u32(&r, &im->function);
        rd_u32(&r, &im->arity);
        if (check_atom(ps, "ImpT", i, "module", im->module) ||
            check_atom(ps, "ImpT", i, "function", im->function))
            return -1;
        if (im->arity > 255) return beam_fail(ps, "ImpT", "entry %u: arity %u > 255", i, im->arity);
    }
    return 0;
}

static int parse_exports(BeamParse *ps, const char *chunk, const uint8_t *data, uint32_t size,
                         BeamExport **out, uint32_t *count)
{
    BeamReader r = {data, data + size};
    uint32_t n;
    if (table_count(ps, chunk, &r, 3, &n)) return -1;
    if (!(*out = alloc_items(n, sizeof **out))) return beam_fail(ps, chunk, "out of memory");
    *count = n;
    for (uint32_t i = 0; i < n; i++) {
        BeamExport *e = &(*out)[i];
        rd_u32(&r, &e->function);
        rd_u32(&r, &e->arity);
        rd_u32(&r, &e->label);
        if (check_atom(ps, chunk, i, "function", e->function)) return -1;
        if (e->arity > 255) return beam_fail(ps, chunk, "entry %u: arity %u > 255", i, e->arity);
    }
    return 0;
}

static int parse_lambdas(BeamParse *ps, const uint8_t *data, uint32_t size)
{
    BeamFile *bf = ps->bf;
    BeamReader r = {data, data + size};
    uint32_t n;
    if (table_count(ps, "FunT", &r, 6, &n)) return -1;
    if (!(bf->lambdas = alloc_items(n, sizeof *bf->lambdas))) return beam_fail(ps, "FunT", "out of memory");
    bf->lambda_count = n;
    for (uint32_t i = 0; i < n; i++) {
        BeamLambda *l = &bf->lambdas[i];
        rd_u32(&r, &l->function);
        rd_u32(&r, &l->arity);
        rd_u32(&r, &l->label);
        rd_u32(&r, &l->index);
        rd_u32(&r, &l->num_free);
        rd_u32(&r, &l->old_uniq);
        if (check_atom(ps, "FunT", i, "function", l->function)) return -1;
        if (l->arity > 255 || l->num_free > l->arity)
            return beam_fail(ps, "FunT", "entry %u: arity %u with %u free variables", i, l->arity,
                             l->num_free);
    }
    return 0;
}

/* ---- LitT ---------------------------------------------------------------- */

static int parse_literals(BeamParse *ps, const uint8_t *data, uint32_t size)
{
    BeamFile *bf = ps->bf;
    BeamReader r = {data, data + size};
    uint32_t raw_size;
    if (rd_u32(&r, &raw_size)) return beam_fail(ps, "LitT", "truncated (no uncompressed size)");
    size_t zlen = rd_left(&r);
    /* Size 0 means the table is stored uncompressed (newer compilers). */
    size_t len = raw_size ? raw_size : zlen;
    if (raw_size && (uint64_t)raw_size > (uint64_t)zlen * LITT_MAX_RATIO + 64)
        return beam_fail(ps, "LitT", "uncompressed size %u impossible for %zu compressed bytes",
                         raw_size, zlen);
    if (!(bf->literal_data = malloc(len ? len : 1))) return beam_fail(ps, "LitT", "out of memory");
    if (raw_size) {
        const char *why;
        if (inflate_buffer(r.p, zlen, bf->literal_data, len, &why))
            return beam_fail(ps, "LitT", "bad zlib data: %s", why);
    } else {
        memcpy(bf->literal_data, r.p, len);
    }
    BeamReader lr = {bf->literal_data, bf->literal_data + len};
    uint32_t n;
    if (rd_u32(&lr, &n)) return beam_fail(ps, "LitT", "truncated (no literal count)");
    if ((uint64_t)n * 5 > rd_left(&lr))
        return beam_fail(ps, "LitT", "literal count %u larger than the table allows", n);
    if (!(bf->literals = alloc_items(n, sizeof *bf->literals))) return beam_fail(ps, "LitT", "out of memory");
    bf->literal_count = n;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t sz;
        const uint8_t *etf;
        if (rd_u32(&lr, &sz) || rd_bytes(&lr, sz, &etf))
            return beam_fail(ps, "LitT", "literal %u of %u: truncated", i, n);
        if (sz < 2 || etf[0] != 131)
            return beam_fail(ps, "LitT", "literal %u: not an external term (no version byte 131)", i);
        bf->literals[i] = (BeamSpan){etf, sz};
    }
    if (rd_left(&lr)) return beam_fail(ps, "LitT", "%zu stray bytes after %u literals", rd_left(&lr), n);
    return 0;
}

/* ---- Line ------------------------------------------------------------- */

static int parse_lines(BeamParse *ps, const uint8_t *data, uint32_t size)
{
    BeamFile *bf = ps->bf;
    BeamReader r = {data, data + size};
    if (rd_u32(&r, &bf->line.version) || rd_u32(&r, &bf->line.flags) ||
        rd_u32(&r, &bf->line.instr_count) || rd_u32(&r, &bf->line.item_count) ||
        rd_u32(&r, &bf->line.fname_count))
        return beam_fail(ps, "Line", "truncated header");
    if (bf->line.version != 0)
        return beam_fail(ps, "Line", "unsupported version %u", bf->line.version);
    uint32_t items = bf->line.item_count, names = bf->line.fname_count;
    if (items > rd_left(&r) || names > rd_left(&r) / 2)
        return beam_fail(ps, "Line", "%u items / %u file names larger than the chunk allows", items,
                         names);
    bf->line.items = alloc_items((size_t)items + 1, sizeof *bf->line.items);
    bf->line.fnames = alloc_items(names, sizeof *bf->line.fnames);
    if (!bf->line.items || !bf->line.fnames) return beam_fail(ps, "Line", "out of memory");
    bf->line.present = 1;
    uint32_t file = 0;
    for (uint32_t i = 1; i <= items;) {
        BeamCompact c;
        const char *why;
        if (beam_compact_read(&r, &c, &why)) return beam_fail(ps, "Line", "item %u: %s", i, why);
        if (c.tag == CT_A) { /* switch to file c.val */
            if (c.big || c.val < 0 || (uint64_t)c.val > names) /* 1-based; 0 = none */
                return beam_fail(ps, "Line", "item %u: file index out of range (%u files)", i, names);
            file = (uint32_t)c.val;
        } else if (c.tag == CT_I) {
            if (c.big || c.val < 0 || c.val > UINT32_MAX)
                return beam_fail(ps, "Line", "item %u: bad line number", i);
            bf->line.items[i++] = (BeamLineItem){file, (uint32_t)c.val};
        } else {
            return beam_fail(ps, "Line", "item %u: unexpected compact tag %d", i, c.tag);
        }
    }
    for (uint32_t i = 0; i < names; i++) {
        uint32_t len;
        const uint8_t *s;
        if (rd_u16(&r, &len) || rd_bytes(&r, len, &s))
            return beam_fail(ps, "Line", "file name %u of %u: truncated", i, names);
        bf->line.fnames[i] = (BeamSpan){s, len};
    }
    return 0;
}

/* ---- Type (OTP 25, version 1: fixed 18-byte entries) --------------------- */

static int parse_types(BeamParse *ps, const uint8_t *data, uint32_t size)
{
    BeamFile *bf = ps->bf;
    BeamReader r = {data, data + size};
    uint32_t n;
    if (rd_u32(&r, &bf->types.version) || rd_u32(&r, &n))
        return beam_fail(ps, "Type", "truncated header");
    if (bf->types.version != 1)
        return beam_fail(ps, "Type", "unsupported version %u (OTP 25 writes 1)", bf->types.version);
    if ((uint64_t)n * 18 != rd_left(&r))
        return beam_fail(ps, "Type", "%u entries need %llu bytes, chunk has %zu", n,
                         (unsigned long long)n * 18, rd_left(&r));
    if (!(bf->types.types = alloc_items(n, sizeof *bf->types.types)))
        return beam_fail(ps, "Type", "out of memory");
    bf->types.count = n;
    bf->types.present = 1;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t bits, hi, lo;
        BeamType *t = &bf->types.types[i];
        rd_u16(&r, &bits);
        if (bits & ~BEAM_TYPE_ALL_BITS)
            return beam_fail(ps, "Type", "entry %u: unknown type bits %#x", i, bits);
        t->type_bits = (uint16_t)bits;
        rd_u32(&r, &hi), rd_u32(&r, &lo);
        t->min = (int64_t)((uint64_t)hi << 32 | lo);
        rd_u32(&r, &hi), rd_u32(&r, &lo);
        t->max = (int64_t)((uint64_t)hi << 32 | lo);
    }
    return 0;
}

/* ---- Attr, CInf: raw external terms -------------------------------------- */

static int parse_etf_blob(BeamParse *ps, const char *chunk, const uint8_t *data, uint32_t size,
                          BeamSpan *out)
{
    if (size < 2 || data[0] != 131)
        return beam_fail(ps, chunk, "not an external term (no version byte 131)");
    *out = (BeamSpan){data, size};
    return 0;
}

/* ---- the whole file ------------------------------------------------------ */

static int parse_all(BeamParse *ps)
{
    ChunkIndex ix = {0};
    BeamFile *bf = ps->bf;
    if (index_chunks(ps, &ix)) return -1;
    module_md5(&ix, bf->md5);
    if (parse_atoms(ps, ix.data[CH_ATU8], ix.size[CH_ATU8])) return -1;
    bf->strings = (BeamSpan){ix.data[CH_STRT], ix.size[CH_STRT]};
    if (parse_imports(ps, ix.data[CH_IMPT], ix.size[CH_IMPT])) return -1;
    if (parse_exports(ps, "ExpT", ix.data[CH_EXPT], ix.size[CH_EXPT], &bf->exports, &bf->export_count))
        return -1;
    if (ix.present[CH_LOCT] &&
        parse_exports(ps, "LocT", ix.data[CH_LOCT], ix.size[CH_LOCT], &bf->locals, &bf->local_count))
        return -1;
    if (ix.present[CH_FUNT] && parse_lambdas(ps, ix.data[CH_FUNT], ix.size[CH_FUNT])) return -1;
    if (ix.present[CH_LITT] && parse_literals(ps, ix.data[CH_LITT], ix.size[CH_LITT])) return -1;
    if (ix.present[CH_LINE] && parse_lines(ps, ix.data[CH_LINE], ix.size[CH_LINE])) return -1;
    if (ix.present[CH_TYPE] && parse_types(ps, ix.data[CH_TYPE], ix.size[CH_TYPE])) return -1;
    if (ix.present[CH_ATTR] &&
        parse_etf_blob(ps, "Attr", ix.data[CH_ATTR], ix.size[CH_ATTR], &bf->attributes))
        return -1;
    if (ix.present[CH_CINF] &&
        parse_etf_blob(ps, "CInf", ix.data[CH_CINF], ix.size[CH_CINF], &bf->compile_info))
        return -1;
    return beam_code_parse(ps, ix.data[CH_CODE], ix.size[CH_CODE]);
}

int beam_file_parse(const uint8_t *data, size_t size, BeamFile **out, char *err, size_t errlen)
{
    BeamParse ps = {NULL, err, errlen};
    *out = NULL;
    if (errlen) err[0] = 0;
    if (size > UINT32_MAX) {
        ps.errlen = errlen;
        return beam_fail(&ps, "header", "file of %zu bytes is too large", size);
    }
    BeamFile *bf = calloc(1, sizeof *bf);
    if (!bf || !(bf->image = malloc(size ? size : 1))) {
        free(bf);
        return beam_fail(&ps, "header", "out of memory");
    }
    if (size) memcpy(bf->image, data, size);
    bf->image_size_bytes = size;
    ps.bf = bf;
    if (parse_all(&ps)) {
        beam_file_free(bf);
        return -1;
    }
    *out = bf;
    return 0;
}

void beam_file_free(BeamFile *bf)
{
    if (!bf) return;
    free(bf->code.instrs);
    free(bf->code.operands);
    free(bf->code.label_instr);
    free(bf->code.functions);
    free(bf->types.types);
    free(bf->line.items);
    free(bf->line.fnames);
    free(bf->literals);
    free(bf->literal_data);
    free(bf->lambdas);
    free(bf->locals);
    free(bf->exports);
    free(bf->imports);
    free(bf->atoms);
    free(bf->image);
    free(bf);
}
