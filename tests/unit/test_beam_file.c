/*
 * test_beam_file.c — the .beam parser (vm/beam_file.c, vm/beam_code.c).
 *
 *  (a) every .beam of the installed OTP's stdlib, kernel and compiler parses;
 *      the whole lib tree is also parsed to list the opcodes OTP 25 emits;
 *  (b) tests/unit/data/loader_sample.erl (compiled by erlc at build time)
 *      parses into exactly the facts its source implies;
 *  (c) truncations and deterministic random mutations either parse or fail
 *      with a message (under ASan this shows no out-of-bounds access), and
 *      hand-made corruptions fail with the expected message.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/check.h"
#include "vm/beam_file.h"

#ifndef LOADER_SAMPLE_BEAM
#define LOADER_SAMPLE_BEAM "build/tests/unit/data/loader_sample.beam"
#endif
#define OTP_LIB "/usr/lib/erlang/lib"
#ifndef OTP_MD5_LIST
#define OTP_MD5_LIST "build/tests/unit/data/otp-md5.txt"
#endif

typedef struct {
    uint8_t *data;
    size_t size;
} Buf;

static Buf read_file(const char *path)
{
    Buf b = {NULL, 0};
    FILE *f = fopen(path, "rb");
    if (!f) return b;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    if (n > 0 && (b.data = malloc((size_t)n)) && fread(b.data, 1, (size_t)n, f) == (size_t)n)
        b.size = (size_t)n;
    fclose(f);
    return b;
}

static int span_eq(BeamSpan s, const char *text)
{
    return s.size_bytes == strlen(text) && memcmp(s.bytes, text, s.size_bytes) == 0;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* Read every byte reachable from a parsed file, so that ASan flags any span
 * or index that points outside its buffer. Returns a checksum. */
static unsigned touch_all(const BeamFile *bf)
{
    unsigned sum = 0;
    for (uint32_t i = 1; i <= bf->atom_count; i++)
        for (uint32_t k = 0; k < bf->atoms[i].size_bytes; k++) sum += bf->atoms[i].bytes[k];
    for (uint32_t i = 0; i < bf->literal_count; i++)
        for (uint32_t k = 0; k < bf->literals[i].size_bytes; k++) sum += bf->literals[i].bytes[k];
    for (uint32_t i = 0; i < bf->code.instr_count; i++) {
        const BeamInstr *in = &bf->code.instrs[i];
        for (unsigned k = 0; k < in->arity; k++) {
            const BeamOperand *o = beam_instr_arg(bf, in, k);
            sum += o->kind;
            if (o->kind == BEAM_OP_LIST)
                for (uint32_t e = 0; e < o->v.list.count; e++) sum += beam_list_elem(bf, o, e)->kind;
            if (o->kind == BEAM_OP_BIGINT)
                for (uint32_t e = 0; e < o->v.big.size_bytes; e++) sum += o->v.big.bytes[e];
            if (o->kind == BEAM_OP_ATOM) sum += bf->atoms[o->v.index].size_bytes;
            if (o->kind == BEAM_OP_LABEL) sum += bf->code.label_instr[o->v.index];
        }
    }
    for (uint32_t i = 0; i < bf->code.function_count; i++)
        sum += bf->code.instrs[bf->code.functions[i].entry].op;
    for (uint32_t i = 0; bf->line.present && i <= bf->line.item_count; i++) sum += bf->line.items[i].line;
    return sum;
}

/* ---- (a) the installed OTP ------------------------------------------------ */

static int opcodes_seen[GENOP_MAX + 1];

/* Parse every .beam in dir; returns how many parsed, counts failures. */
static int parse_dir(const char *dir, int *failures)
{
    DIR *d = opendir(dir);
    if (!d) return 0;
    int ok = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!ends_with(e->d_name, ".beam")) continue;
        char path[1024], err[256];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        Buf b = read_file(path);
        BeamFile *bf;
        if (beam_file_parse(b.data, b.size, &bf, err, sizeof err) != 0) {
            CHECK_FAIL_("%s: %s", path, err);
            ++*failures;
        } else {
            ok++;
            /* atom 1 is the module, named like the file */
            char mod[256];
            snprintf(mod, sizeof mod, "%.*s", (int)(strlen(e->d_name) - 5), e->d_name);
            if (!span_eq(bf->atoms[1], mod)) CHECK_FAIL_("%s: atom 1 is not %s", path, mod);
            for (uint32_t i = 0; i < bf->code.instr_count; i++) opcodes_seen[bf->code.instrs[i].op]++;
            touch_all(bf);
            beam_file_free(bf);
        }
        free(b.data);
    }
    closedir(d);
    return ok;
}

/* Parse OTP_LIB/<app>-<vsn>/ebin for each app named in apps (NULL: all). */
static int parse_otp(const char *const *apps, int *failures)
{
    DIR *d = opendir(OTP_LIB);
    if (!d) return 0;
    int ok = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        int want = apps == NULL;
        for (const char *const *a = apps; a && *a; a++) {
            size_t n = strlen(*a);
            if (strncmp(e->d_name, *a, n) == 0 && e->d_name[n] == '-') want = 1;
        }
        if (!want) continue;
        char ebin[512];
        snprintf(ebin, sizeof ebin, "%s/%s/ebin", OTP_LIB, e->d_name);
        ok += parse_dir(ebin, failures);
    }
    closedir(d);
    return ok;
}

TEST(otp_stdlib_kernel_compiler_parse)
{
    static const char *const apps[] = {"stdlib", "kernel", "compiler", NULL};
    int failures = 0;
    int n = parse_otp(apps, &failures);
    printf("  stdlib+kernel+compiler: %d .beam files parsed, %d failed\n", n, failures);
    CHECK(n > 200);
    CHECK_EQ_INT(failures, 0);
}

TEST(otp_all_apps_parse_and_opcodes)
{
    int failures = 0;
    memset(opcodes_seen, 0, sizeof opcodes_seen);
    int n = parse_otp(NULL, &failures);
    printf("  all of %s: %d .beam files parsed, %d failed\n  opcodes seen:", OTP_LIB, n, failures);
    int kinds = 0;
    for (unsigned op = 1; op <= GENOP_MAX; op++) {
        if (!opcodes_seen[op]) continue;
        kinds++;
        printf(" %s", genop_name(op));
        /* genop.def's status column claims OTP 25 never emits these */
        if (genop_status(op) != GENOP_EMITTED)
            CHECK_FAIL_("opcode %u (%s) is marked legacy/obsolete but OTP 25 emits it", op, genop_name(op));
    }
    printf("\n  %d distinct opcodes\n", kinds);
    CHECK_EQ_INT(failures, 0);
    CHECK(kinds > 100);
}

/* ---- (b) the sample module ---------------------------------------------- */

static const BeamInstr *find_instr(const BeamFile *bf, unsigned op, unsigned nth)
{
    for (uint32_t i = 0; i < bf->code.instr_count; i++)
        if (bf->code.instrs[i].op == op && nth-- == 0) return &bf->code.instrs[i];
    return NULL;
}

static const BeamExport *find_export(const BeamFile *bf, const char *name, uint32_t arity)
{
    for (uint32_t i = 0; i < bf->export_count; i++)
        if (span_eq(bf->atoms[bf->exports[i].function], name) && bf->exports[i].arity == arity)
            return &bf->exports[i];
    return NULL;
}

TEST(sample_module_facts)
{
    Buf b = read_file(LOADER_SAMPLE_BEAM);
    CHECK(b.data != NULL);
    if (!b.data) return;
    BeamFile *bf;
    char err[256];
    CHECK_EQ_INT(beam_file_parse(b.data, b.size, &bf, err, sizeof err), 0);
    free(b.data); /* the BeamFile owns a copy */
    if (!bf) { printf("  %s\n", err); return; }

    CHECK(span_eq(bf->atoms[1], "loader_sample"));
    CHECK_EQ_INT(bf->atom_count, 21);
    CHECK(span_eq(bf->atoms[21], "-make_adder/1-fun-0-"));

    /* exports: the 7 declared + module_info/0,1, with their entry labels */
    CHECK_EQ_INT(bf->export_count, 9);
    static const struct { const char *name; uint32_t arity, label; } ex[] = {
        {"add", 2, 2}, {"greet", 1, 4}, {"classify", 1, 6}, {"big", 0, 11}, {"pi", 0, 13},
        {"make_adder", 1, 15}, {"sum", 1, 17}, {"module_info", 0, 22}, {"module_info", 1, 24},
    };
    for (size_t i = 0; i < sizeof ex / sizeof ex[0]; i++) {
        const BeamExport *e = find_export(bf, ex[i].name, ex[i].arity);
        CHECK(e != NULL);
        if (e) CHECK_EQ_INT(e->label, ex[i].label);
    }
    CHECK(find_export(bf, "sum", 2) == NULL);

    /* 11 functions: 9 exported + sum/2 + the fun; 27 labels */
    CHECK_EQ_INT(bf->code.function_count, 11);
    CHECK_EQ_INT(bf->code.label_count, 27);
    CHECK_EQ_INT(bf->local_count, 2);
    const BeamFunction *f9 = &bf->code.functions[10];
    CHECK(span_eq(bf->atoms[f9->function], "-make_adder/1-fun-0-"));
    CHECK_EQ_INT(f9->arity, 2);
    CHECK_EQ_INT(f9->label, 26);
    CHECK_EQ_INT(bf->code.instrs[f9->entry - 1].op, GENOP_func_info);
    CHECK_EQ_INT(bf->code.instrs[bf->code.instr_count - 1].op, GENOP_int_code_end);

    /* the fun */
    CHECK_EQ_INT(bf->lambda_count, 1);
    CHECK_EQ_INT(bf->lambdas[0].label, 26);
    CHECK_EQ_INT(bf->lambdas[0].arity, 2);
    CHECK_EQ_INT(bf->lambdas[0].num_free, 1);
    const BeamInstr *mf = find_instr(bf, GENOP_make_fun3, 0);
    CHECK(mf != NULL);
    if (mf) {
        CHECK_EQ_INT(beam_instr_arg(bf, mf, 0)->kind, BEAM_OP_U);
        CHECK_EQ_INT(beam_instr_arg(bf, mf, 0)->v.u, 0);
        /* make_fun3 FunIndex Dst EnvList */
        CHECK_EQ_INT(beam_instr_arg(bf, mf, 1)->kind, BEAM_OP_X);
        const BeamOperand *env = beam_instr_arg(bf, mf, 2);
        CHECK_EQ_INT(env->kind, BEAM_OP_LIST);
        CHECK_EQ_INT(env->v.list.count, 1);
    }

    /* literals: the string (a STRING_EXT) and the float 3.25 (NEW_FLOAT_EXT) */
    CHECK_EQ_INT(bf->literal_count, 2);
    static const uint8_t str_etf[] = {131, 107, 0, 16, 'a', ' ', 'l', 'i', 't', 'e', 'r', 'a',
                                      'l', ' ', 's', 't', 'r', 'i', 'n', 'g'};
    static const uint8_t flt_etf[] = {131, 70, 0x40, 0x0a, 0, 0, 0, 0, 0, 0};
    int have_str = 0, have_flt = 0;
    for (uint32_t i = 0; i < bf->literal_count; i++) {
        BeamSpan l = bf->literals[i];
        have_str |= l.size_bytes == sizeof str_etf && !memcmp(l.bytes, str_etf, sizeof str_etf);
        have_flt |= l.size_bytes == sizeof flt_etf && !memcmp(l.bytes, flt_etf, sizeof flt_etf);
    }
    CHECK(have_str);
    CHECK(have_flt);

    /* the big integer of big/0, kept as bytes */
    static const uint8_t big[] = {0x01, 0x8e, 0xe9, 0x0f, 0xf6, 0xc3, 0x73,
                                  0xe0, 0xee, 0x4e, 0x3f, 0x0a, 0xd2};
    const BeamFunction *fbig = &bf->code.functions[3];
    CHECK(span_eq(bf->atoms[fbig->function], "big"));
    const BeamInstr *mv = &bf->code.instrs[fbig->entry + 1];
    CHECK_EQ_INT(mv->op, GENOP_move);
    CHECK_EQ_INT(beam_instr_arg(bf, mv, 0)->kind, BEAM_OP_BIGINT);
    CHECK_EQ_INT(beam_instr_arg(bf, mv, 0)->v.big.size_bytes, sizeof big);
    CHECK(!memcmp(beam_instr_arg(bf, mv, 0)->v.big.bytes, big, sizeof big));

    /* select_val in classify/1: 4 atom/label pairs, fail label 9 */
    const BeamInstr *sv = find_instr(bf, GENOP_select_val, 0);
    CHECK(sv != NULL);
    if (sv) {
        CHECK_EQ_INT(beam_instr_arg(bf, sv, 1)->kind, BEAM_OP_LABEL);
        CHECK_EQ_INT(beam_instr_arg(bf, sv, 1)->v.index, 9);
        const BeamOperand *l = beam_instr_arg(bf, sv, 2);
        CHECK_EQ_INT(l->v.list.count, 8);
        CHECK_EQ_INT(beam_list_elem(bf, l, 0)->kind, BEAM_OP_ATOM);
        CHECK(span_eq(bf->atoms[beam_list_elem(bf, l, 0)->v.index], "blue"));
        CHECK_EQ_INT(beam_list_elem(bf, l, 1)->v.index, 8);
    }

    /* test_heap with an allocation list: 1 word, 1 fun */
    const BeamInstr *th = find_instr(bf, GENOP_test_heap, 1);
    CHECK(th != NULL);
    if (th) {
        const BeamOperand *al = beam_instr_arg(bf, th, 0);
        CHECK_EQ_INT(al->kind, BEAM_OP_ALLOC);
        CHECK_EQ_INT(al->v.alloc.words, 1);
        CHECK_EQ_INT(al->v.alloc.floats, 0);
        CHECK_EQ_INT(al->v.alloc.funs, 1);
    }

    /* typed register {tr,{x,1},number} in sum/2's gc_bif2 */
    const BeamInstr *gb = find_instr(bf, GENOP_gc_bif2, 1);
    CHECK(gb != NULL);
    if (gb) {
        const BeamOperand *r = beam_instr_arg(bf, gb, 3);
        CHECK_EQ_INT(r->kind, BEAM_OP_X);
        CHECK_EQ_INT(r->v.reg.n, 1);
        CHECK(r->v.reg.type >= 0 && (uint32_t)r->v.reg.type < bf->types.count);
        CHECK_EQ_INT(beam_instr_arg(bf, gb, 4)->v.reg.type, -1);
        if (r->v.reg.type >= 0)
            CHECK_EQ_INT(bf->types.types[r->v.reg.type].type_bits, (1 << 4) | (1 << 6)); /* float|integer */
        const BeamImport *im = &bf->imports[beam_instr_arg(bf, gb, 2)->v.u];
        CHECK(span_eq(bf->atoms[im->module], "erlang") && span_eq(bf->atoms[im->function], "+"));
    }

    /* line table: one file; items in source order; add/2 is on line 8 */
    CHECK(bf->line.present);
    CHECK_EQ_INT(bf->line.fname_count, 1);
    CHECK_EQ_INT(bf->line.item_count, 8);
    if (bf->line.fname_count == 1) {
        char name[256];
        snprintf(name, sizeof name, "%.*s", (int)bf->line.fnames[0].size_bytes,
                 (const char *)bf->line.fnames[0].bytes);
        CHECK(ends_with(name, "loader_sample.erl"));
    }
    static const uint32_t lines[] = {0, 8, 10, 12, 18, 20, 22, 24, 26};
    for (uint32_t i = 1; i <= 8 && i <= bf->line.item_count; i++) {
        CHECK_EQ_INT(bf->line.items[i].line, lines[i]);
        CHECK_EQ_INT(bf->line.items[i].file, 1);
    }
    const BeamInstr *ln = find_instr(bf, GENOP_line, 0);
    CHECK(ln && beam_instr_arg(bf, ln, 0)->v.u == 1);

    CHECK(bf->attributes.size_bytes > 0 && bf->compile_info.size_bytes > 0);
    beam_file_free(bf);
}

/* ---- (c) rejection ------------------------------------------------------- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rng(void) /* xorshift64, fixed seed */
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static void put_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8), p[3] = (uint8_t)v;
}

static uint32_t get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Offset of chunk id's header (id, size) in a well-formed image, or 0. */
static size_t find_chunk(const Buf *b, const char *id)
{
    size_t off = 12;
    while (off + 8 <= b->size) {
        uint32_t sz = get_u32(b->data + off + 4);
        if (!memcmp(b->data + off, id, 4)) return off;
        off += 8 + ((sz + 3) & ~3u);
    }
    return 0;
}

/* Parse; on failure require a "Chunk: reason" message. Returns parse rc. */
static int parse_checked(const uint8_t *data, size_t size, char *err, size_t errlen)
{
    BeamFile *bf;
    int rc = beam_file_parse(data, size, &bf, err, errlen);
    if (rc == 0) {
        touch_all(bf);
        beam_file_free(bf);
    } else {
        if (bf != NULL || !strstr(err, ": ")) CHECK_FAIL_("bad failure report: \"%s\"", err);
    }
    return rc;
}

static Buf sample_or_fail(void)
{
    Buf b = read_file(LOADER_SAMPLE_BEAM);
    if (!b.data) CHECK_FAIL_("cannot read %s", LOADER_SAMPLE_BEAM);
    return b;
}

TEST(truncation_every_prefix)
{
    Buf b = sample_or_fail();
    if (!b.data) return;
    char err[256];
    uint8_t *copy = malloc(b.size);
    int failed = 0;
    for (size_t n = 0; n < b.size; n++) {
        /* exact-size heap copy so ASan sees any read past n */
        uint8_t *p = malloc(n ? n : 1);
        memcpy(p, b.data, n);
        failed += parse_checked(p, n, err, sizeof err) != 0;
        /* same prefix with the form size fixed up: the chunks themselves end early */
        if (n >= 12) {
            put_u32(p + 4, (uint32_t)(n - 8));
            failed += parse_checked(p, n, err, sizeof err) != 0;
        }
        free(p);
    }
    /* every truncation fails, except a fixed-up cut in the last chunk's padding */
    CHECK(failed >= (int)(2 * b.size - 12 - 3));
    memcpy(copy, b.data, b.size);
    CHECK_EQ_INT(parse_checked(copy, b.size, err, sizeof err), 0);
    free(copy);
    free(b.data);
}

TEST(truncation_large_file_sampled)
{
    Buf b = read_file(OTP_LIB "/stdlib-4.2/ebin/lists.beam");
    if (!b.data) {
        DIR *d = opendir(OTP_LIB);
        struct dirent *e;
        while (d && (e = readdir(d)) && !b.data) {
            char p[512];
            snprintf(p, sizeof p, "%s/%s/ebin/lists.beam", OTP_LIB, e->d_name);
            if (!strncmp(e->d_name, "stdlib-", 7)) b = read_file(p);
        }
        if (d) closedir(d);
    }
    CHECK(b.data != NULL);
    if (!b.data) return;
    char err[256];
    int n_parsed = 0;
    for (size_t n = 0; n < b.size; n += 1 + n / 64) {
        uint8_t *p = malloc(n ? n : 1);
        memcpy(p, b.data, n);
        if (n >= 12) put_u32(p + 4, (uint32_t)(n - 8));
        n_parsed += parse_checked(p, n, err, sizeof err) == 0;
        free(p);
    }
    CHECK_EQ_INT(n_parsed, 0);
    free(b.data);
}

TEST(random_mutations)
{
    Buf b = sample_or_fail();
    if (!b.data) return;
    char err[256];
    size_t code = find_chunk(&b, "Code"), litt = find_chunk(&b, "LitT");
    uint32_t code_len = get_u32(b.data + code + 4), litt_len = get_u32(b.data + litt + 4);
    int parsed = 0, rejected = 0;
    enum { ROUNDS = 20000 };
    for (int round = 0; round < ROUNDS; round++) {
        uint8_t *p = malloc(b.size);
        memcpy(p, b.data, b.size);
        int nmut = 1 + (int)(rng() % 4);
        for (int m = 0; m < nmut; m++) {
            size_t at;
            switch (rng() % 4) { /* aim half the mutations at Code and LitT */
            case 0: at = code + 8 + rng() % code_len; break;
            case 1: at = litt + 8 + rng() % litt_len; break;
            default: at = rng() % b.size; break;
            }
            if (rng() % 2) p[at] ^= (uint8_t)(1u << (rng() % 8));
            else p[at] = (uint8_t)rng();
        }
        if (parse_checked(p, b.size, err, sizeof err) == 0) parsed++;
        else rejected++;
        free(p);
    }
    printf("  %d mutations: %d still parse, %d rejected cleanly\n", ROUNDS, parsed, rejected);
    CHECK_EQ_INT(parsed + rejected, ROUNDS);
    CHECK(rejected > ROUNDS / 4);
    free(b.data);
}

/* Corrupt a copy of the sample with fn, parse, and expect a message containing want. */
static void expect_error(const Buf *b, void (*fn)(Buf *), const char *want)
{
    Buf c = {malloc(b->size), b->size};
    memcpy(c.data, b->data, b->size);
    fn(&c);
    char err[256] = "";
    BeamFile *bf = (BeamFile *)1;
    int rc = beam_file_parse(c.data, c.size, &bf, err, sizeof err);
    if (rc == 0 || bf != NULL || !strstr(err, want))
        CHECK_FAIL_("rc %d, error \"%s\", expected it to contain \"%s\"", rc, err, want);
    else
        printf("  ok: %s\n", err);
    if (rc == 0) beam_file_free(bf);
    free(c.data);
}

static size_t code_stream(Buf *b) /* offset of the first instruction */
{
    size_t c = find_chunk(b, "Code");
    return c + 8 + 4 + get_u32(b->data + c + 8);
}

/* Offset of the first occurrence of bytes in the Code stream, or 0. */
static size_t find_code_bytes(Buf *b, const uint8_t *bytes, size_t n)
{
    size_t c = find_chunk(b, "Code"), end = c + 8 + get_u32(b->data + c + 4);
    for (size_t i = code_stream(b); i + n <= end; i++)
        if (!memcmp(b->data + i, bytes, n)) return i;
    return 0;
}

static void bad_magic(Buf *b) { b->data[0] = 'X'; }
static void bad_form(Buf *b) { memcpy(b->data + 8, "BEEF", 4); }
static void litt_too_long(Buf *b) { put_u32(b->data + find_chunk(b, "LitT") + 4, 0x7fffffff); }
static void opcode0(Buf *b) { b->data[code_stream(b)] = 0; }
static void opcode181(Buf *b) { b->data[code_stream(b)] = 181; }
static void opcode_over_max(Buf *b)
{
    size_t c = find_chunk(b, "Code");
    put_u32(b->data + c + 8 + 8, 100); /* header max opcode; label is 1 but put_tuple2 is 164 */
}
static void obsolete_op(Buf *b) { b->data[code_stream(b)] = 27; /* m_plus */ }
static void import_arity(Buf *b) /* ImpT entry 0 is erlang:'+'/2 */
{
    size_t c = find_chunk(b, "ImpT");
    put_u32(b->data + c + 8 + 4 + 8, 3);
}
static void atom_count_short(Buf *b) { put_u32(b->data + find_chunk(b, "AtU8") + 8, 20); }
static void literal_index(Buf *b) /* {literal,0} is z4 (0x47) + u0 (0x00) */
{
    static const uint8_t lit0[] = {0x47, 0x00};
    size_t at = find_code_bytes(b, lit0, 2);
    if (at) b->data[at + 1] = 0x50; /* u5 */
}
static void litt_zlib(Buf *b) { b->data[find_chunk(b, "LitT") + 8 + 4] ^= 0xff; }
static void litt_size(Buf *b) /* announce one byte more than the stream holds */
{
    size_t c = find_chunk(b, "LitT") + 8;
    put_u32(b->data + c, get_u32(b->data + c) + 1);
}
static void export_label(Buf *b) /* ExpT entry 0's label -> 4 (greet/1's entry) */
{
    size_t c = find_chunk(b, "ExpT");
    uint32_t arity = get_u32(b->data + c + 8 + 4 + 4);
    put_u32(b->data + c + 8 + 4 + 8, arity == 1 ? 2 : 4);
}
static void no_code(Buf *b) { memcpy(b->data + find_chunk(b, "Code"), "Cxde", 4); }
static void label_undefined(Buf *b) /* select_val's fail label f9 -> f25 is defined; f26? use jump target */
{
    /* select_val (59) x0 (0x03) f9 (0x95): make the fail label 0 -> still valid; instead
       redefine label 7 as label 9 so 9 is defined twice */
    static const uint8_t lab7[] = {0x01, 0x70}; /* label u7 */
    size_t at = find_code_bytes(b, lab7, 2);
    if (at) b->data[at + 1] = 0x90; /* label u9: 9 defined twice, 7 referenced but never defined */
}

TEST(specific_errors)
{
    Buf b = sample_or_fail();
    if (!b.data) return;
    expect_error(&b, bad_magic, "header: bad magic");
    expect_error(&b, bad_form, "header: bad magic (form type is not BEAM)");
    expect_error(&b, litt_too_long, "chunk LitT size 2147483647 runs past the end");
    expect_error(&b, opcode0, "Code: bad opcode 0 at offset 0");
    expect_error(&b, opcode181, "Code: bad opcode 181 at offset 0");
    expect_error(&b, opcode_over_max, "exceeds the header's max opcode 100");
    expect_error(&b, obsolete_op, "obsolete instruction m_plus");
    expect_error(&b, import_arity, "arity mismatch: import erlang:+/3 called with arity 2");
    expect_error(&b, atom_count_short, "LocT: entry 0: function atom index 21 out of range (20 atoms)");
    expect_error(&b, literal_index, "literal index 5 out of range (2 literals)");
    expect_error(&b, litt_zlib, "LitT: bad zlib data");
    expect_error(&b, litt_size, "LitT: bad zlib data: smaller than announced");
    expect_error(&b, export_label, "ExpT: entry 0 names");
    expect_error(&b, no_code, "Code: missing");
    expect_error(&b, label_undefined, "label 9 defined twice");
    char err[64];
    BeamFile *bf;
    CHECK_EQ_INT(beam_file_parse(b.data, 0, &bf, err, sizeof err), -1);
    CHECK(bf == NULL);
    /* a tiny error buffer truncates but stays NUL-terminated */
    char tiny[8];
    CHECK_EQ_INT(beam_file_parse(b.data, 10, &bf, tiny, sizeof tiny), -1);
    CHECK_EQ_INT(strlen(tiny), 7);
    free(b.data);
}

/* The module MD5 (module_info(md5), every fun's Uniq in the external
 * term format) equals what stock erl's beam_lib:md5/1 says, for every
 * installed OTP module: the list is written by stock erl at build time. */
TEST(module_md5_matches_stock_erl)
{
    FILE *f = fopen(OTP_MD5_LIST, "r");
    CHECK(f != NULL);
    if (!f) return;
    char path[1024], hex[64];
    int n = 0, bad = 0;
    while (fscanf(f, "%1023s %63s", path, hex) == 2) {
        Buf b = read_file(path);
        BeamFile *bf;
        char err[256];
        if (!b.data || beam_file_parse(b.data, b.size, &bf, err, sizeof err) != 0) {
            CHECK_FAIL_("%s: does not parse", path);
            free(b.data);
            continue;
        }
        char mine[33];
        for (int i = 0; i < 16; i++) snprintf(mine + 2 * i, 3, "%02X", bf->md5[i]);
        if (strcmp(mine, hex) != 0) {
            if (bad++ < 5) CHECK_FAIL_("%s: md5 %s, stock erl says %s", path, mine, hex);
        }
        n++;
        beam_file_free(bf);
        free(b.data);
    }
    fclose(f);
    printf("  %d modules' MD5 compared with stock erl, %d differ\n", n, bad);
    CHECK(n > 200);
    CHECK_EQ_INT(bad, 0);
}

int main(void)
{
    RUN(otp_stdlib_kernel_compiler_parse);
    RUN(otp_all_apps_parse_and_opcodes);
    RUN(sample_module_facts);
    RUN(module_md5_matches_stock_erl);
    RUN(truncation_every_prefix);
    RUN(truncation_large_file_sampled);
    RUN(random_mutations);
    RUN(specific_errors);
    return CHECK_DONE();
}
