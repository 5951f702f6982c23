/*
 * beam_code.c — the Code chunk: its header, the compact term encoding of
 * operands, and validation of the instruction stream against genop.def and
 * the tables parsed by beam_file.c.
 *
 * Compact term encoding (first byte b, tag = b & 7):
 *   b & 0x08 == 0          value = b >> 4                     (0..15)
 *   b & 0x18 == 0x08       value = (b >> 5) << 8 | next byte  (0..2047)
 *   b & 0x18 == 0x18       n = (b >> 5) + 2 bytes follow (2..8), or, when
 *                          b >> 5 == 7, n = 9 + a nested u-tagged term;
 *                          the bytes are big-endian two's complement.
 * Tag z (7) is "extended": value is a sub-tag (0 float, 1 list, 2 float
 * register, 3 allocation list, 4 literal, 5 typed register) followed by
 * its own compact terms.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm/beam_parse.h"

int beam_compact_read(BeamReader *r, BeamCompact *c, const char **why)
{
    uint32_t b, b2;
    *why = "truncated operand";
    if (rd_u8(r, &b)) return -1;
    c->tag = (int)(b & 7);
    c->big = NULL;
    c->big_len = 0;
    if (!(b & 0x08)) {
        c->val = b >> 4;
        return 0;
    }
    if (!(b & 0x10)) {
        if (rd_u8(r, &b2)) return -1;
        c->val = (int64_t)((b >> 5) << 8 | b2);
        return 0;
    }
    uint64_t n = (b >> 5) + 2;
    if (n == 9) {
        BeamCompact len;
        if (beam_compact_read(r, &len, why)) return -1;
        if (len.tag != CT_U || len.big || len.val < 0 || (uint64_t)len.val > rd_left(r)) {
            *why = "bad length of a large integer";
            return -1;
        }
        n = (uint64_t)len.val + 9;
    }
    const uint8_t *bytes;
    if (rd_bytes(r, n, &bytes)) return -1;
    /* Drop redundant sign bytes, then see whether it fits int64_t. */
    while (n > 1 && ((bytes[0] == 0x00 && !(bytes[1] & 0x80)) ||
                     (bytes[0] == 0xff && (bytes[1] & 0x80)))) {
        bytes++;
        n--;
    }
    if (n > 8) {
        c->big = bytes;
        c->big_len = (uint32_t)n;
        c->val = 0;
        return 0;
    }
    uint64_t v = (bytes[0] & 0x80) ? UINT64_MAX : 0;
    for (uint64_t i = 0; i < n; i++) v = v << 8 | bytes[i];
    c->val = (int64_t)v;
    return 0;
}

/* ---- decoding -------------------------------------------------------- */

typedef struct {
    BeamParse *ps;
    BeamFile *bf;
    BeamReader r;
    const uint8_t *base;  /* start of the instruction stream */
    uint32_t instr_cap, operand_cap;
    uint32_t offset;      /* of the current instruction */
    const char *opname;   /* of the current instruction */
    /* Where in the instruction a failure is: operand w_operand (1-based),
     * list element w_element (0: not in a list). Formatted only when a
     * failure is reported (where_str): a snprintf per operand was a
     * noticeable part of loading. */
    unsigned w_operand, w_element;
} CodeCtx;

/* "operand 2" or "operand 3, element 4" */
static const char *where_str(const CodeCtx *cx, char *buf, size_t len)
{
    if (cx->w_element) snprintf(buf, len, "operand %u, element %u", cx->w_operand, cx->w_element);
    else snprintf(buf, len, "operand %u", cx->w_operand);
    return buf;
}
#define WHERE(cx) where_str((cx), (char[48]){0}, 48)

static int cfail(CodeCtx *cx, const char *fmt, const char *a, unsigned long long x,
                 unsigned long long y)
{
    char msg[256];
    snprintf(msg, sizeof msg, fmt, a, x, y);
    return beam_fail(cx->ps, "Code", "%s of %s (offset %u): %s", WHERE(cx), cx->opname, cx->offset,
                     msg);
}

/* "<what>: <why>" for a compact term that could not be read. */
static int cfail2(CodeCtx *cx, const char *what, const char *why)
{
    return beam_fail(cx->ps, "Code", "%s of %s (offset %u): %s: %s", WHERE(cx), cx->opname, cx->offset,
                     what, why);
}

/* A u-tagged small non-negative value, at most max. */
static int want_u(CodeCtx *cx, const BeamCompact *c, const char *what, uint64_t max, uint64_t *out)
{
    if (c->tag != CT_U) return cfail(cx, "%s: expected tag u, got tag %llu", what, (unsigned)c->tag, 0);
    if (c->big || c->val < 0 || (uint64_t)c->val > max)
        return cfail(cx, "%s: value out of range (max %llu)", what, max, 0);
    *out = (uint64_t)c->val;
    return 0;
}

static int read_u(CodeCtx *cx, const char *what, uint64_t max, uint64_t *out)
{
    BeamCompact c;
    const char *why;
    if (beam_compact_read(&cx->r, &c, &why)) return cfail2(cx, what, why);
    return want_u(cx, &c, what, max, out);
}

static int decode_operand(CodeCtx *cx, uint32_t slot, int allow_list);

static int decode_list(CodeCtx *cx, uint32_t slot)
{
    BeamFile *bf = cx->bf;
    uint64_t n;
    /* every element takes at least one byte */
    if (read_u(cx, "list length", rd_left(&cx->r), &n)) return -1;
    if (beam_grow((void **)&bf->code.operands, &cx->operand_cap, bf->code.operand_count, (uint32_t)n,
                  sizeof(BeamOperand)))
        return beam_fail(cx->ps, "Code", "out of memory");
    uint32_t start = bf->code.operand_count;
    bf->code.operand_count += (uint32_t)n;
    BeamOperand *o = &bf->code.operands[slot];
    o->kind = BEAM_OP_LIST;
    o->v.list.start = start;
    o->v.list.count = (uint32_t)n;
    for (uint32_t k = 0; k < n; k++) {
        cx->w_element = k + 1;
        if (decode_operand(cx, start + k, 0)) return -1;
    }
    cx->w_element = 0;
    return 0;
}

static int decode_operand(CodeCtx *cx, uint32_t slot, int allow_list)
{
    BeamFile *bf = cx->bf;
    BeamCompact c;
    const char *why;
    BeamOperand tmp = {0};
    if (beam_compact_read(&cx->r, &c, &why))
        return beam_fail(cx->ps, "Code", "%s of %s (offset %u): %s", WHERE(cx), cx->opname, cx->offset, why);
    if (c.big && c.tag != CT_I) return cfail(cx, "%s: value too large", "operand", 0, 0);
    switch (c.tag) {
    case CT_U:
        if (c.val < 0) return cfail(cx, "%s: negative", "u", 0, 0);
        tmp.kind = BEAM_OP_U;
        tmp.v.u = (uint64_t)c.val;
        break;
    case CT_I:
        if (c.big) {
            tmp.kind = BEAM_OP_BIGINT;
            tmp.v.big = (BeamSpan){c.big, c.big_len};
        } else {
            tmp.kind = BEAM_OP_INT;
            tmp.v.i = c.val;
        }
        break;
    case CT_A:
        if (c.val == 0) {
            tmp.kind = BEAM_OP_NIL;
            break;
        }
        if (c.val < 0 || (uint64_t)c.val > bf->atom_count)
            return cfail(cx, "%satom index %lld out of range (%llu atoms)", "", (unsigned long long)c.val,
                         bf->atom_count);
        tmp.kind = BEAM_OP_ATOM;
        tmp.v.index = (uint32_t)c.val;
        break;
    case CT_X:
    case CT_Y: {
        uint64_t max = c.tag == CT_X ? BEAM_MAX_X_REGS : BEAM_MAX_Y_REGS;
        if (c.val < 0 || (uint64_t)c.val >= max)
            return cfail(cx, "%s register %lld out of range", c.tag == CT_X ? "x" : "y",
                         (unsigned long long)c.val, 0);
        tmp.kind = c.tag == CT_X ? BEAM_OP_X : BEAM_OP_Y;
        tmp.v.reg.n = (uint32_t)c.val;
        tmp.v.reg.type = -1;
        break;
    }
    case CT_F:
        if (c.val < 0 || (uint64_t)c.val >= bf->code.label_count)
            return cfail(cx, "%slabel %lld out of range (%llu labels)", "", (unsigned long long)c.val,
                         bf->code.label_count);
        tmp.kind = BEAM_OP_LABEL;
        tmp.v.index = (uint32_t)c.val;
        break;
    case CT_H:
        if (c.val < 0 || c.val > 0x10ffff) return cfail(cx, "%scharacter %lld out of range", "", (unsigned long long)c.val, 0);
        tmp.kind = BEAM_OP_CHAR;
        tmp.v.u = (uint64_t)c.val;
        break;
    case CT_Z: {
        uint64_t v;
        switch (c.val) {
        case 0: { /* float literal, 8 bytes IEEE big-endian */
            uint32_t hi, lo;
            if (rd_u32(&cx->r, &hi) || rd_u32(&cx->r, &lo)) return cfail(cx, "%s: truncated", "float", 0, 0);
            uint64_t bits = (uint64_t)hi << 32 | lo;
            tmp.kind = BEAM_OP_FLOAT;
            memcpy(&tmp.v.f, &bits, sizeof bits);
            break;
        }
        case 1:
            if (!allow_list) return cfail(cx, "%s", "list inside a list", 0, 0);
            return decode_list(cx, slot); /* writes operands[slot] itself */
        case 2:
            if (read_u(cx, "float register", BEAM_MAX_F_REGS - 1, &v)) return -1;
            tmp.kind = BEAM_OP_FR;
            tmp.v.index = (uint32_t)v;
            break;
        case 3: { /* allocation list: n pairs (kind, count) */
            uint64_t n, kind, cnt;
            if (read_u(cx, "allocation list length", 3, &n)) return -1;
            tmp.kind = BEAM_OP_ALLOC;
            for (uint64_t k = 0; k < n; k++) {
                if (read_u(cx, "allocation kind", 2, &kind) ||
                    read_u(cx, "allocation size", UINT32_MAX, &cnt))
                    return -1;
                uint32_t *dst = kind == 0 ? &tmp.v.alloc.words
                              : kind == 1 ? &tmp.v.alloc.floats : &tmp.v.alloc.funs;
                *dst = (uint32_t)cnt;
            }
            break;
        }
        case 4:
            if (read_u(cx, "literal", UINT32_MAX, &v)) return -1;
            if (v >= bf->literal_count)
                return cfail(cx, "%sliteral index %llu out of range (%llu literals)", "", v,
                             bf->literal_count);
            tmp.kind = BEAM_OP_LITERAL;
            tmp.v.index = (uint32_t)v;
            break;
        case 5: { /* typed register: x or y, then type index */
            BeamCompact reg;
            if (beam_compact_read(&cx->r, &reg, &why)) return cfail2(cx, "typed register", why);
            if ((reg.tag != CT_X && reg.tag != CT_Y) || reg.big || reg.val < 0 ||
                (uint64_t)reg.val >= (reg.tag == CT_X ? BEAM_MAX_X_REGS : BEAM_MAX_Y_REGS))
                return cfail(cx, "%s: not a valid x or y register", "typed register", 0, 0);
            if (read_u(cx, "type index", UINT32_MAX, &v)) return -1;
            if (v >= bf->types.count)
                return cfail(cx, "%stype index %llu out of range (%llu types)", "", v, bf->types.count);
            tmp.kind = reg.tag == CT_X ? BEAM_OP_X : BEAM_OP_Y;
            tmp.v.reg.n = (uint32_t)reg.val;
            tmp.v.reg.type = (int32_t)v;
            break;
        }
        default:
            return cfail(cx, "%sunknown extended tag z%lld", "", (unsigned long long)c.val, 0);
        }
        break;
    }
    }
    bf->code.operands[slot] = tmp;
    return 0;
}

/* ---- per-instruction checks -------------------------------------------- */

/* Which operand of op (0-based) is an import index whose arity is known:
 * returns the operand number, sets *arity_op to the operand giving the call
 * arity (-1: fixed *fixed_arity), or returns -1 if op has none. */
static int import_operand(unsigned op, int *arity_op, int *fixed_arity)
{
    *arity_op = -1;
    *fixed_arity = -1;
    switch (op) {
    case GENOP_call_ext: case GENOP_call_ext_last: case GENOP_call_ext_only:
        *arity_op = 0; return 1;
    case GENOP_bif0: *fixed_arity = 0; return 0;
    case GENOP_bif1: *fixed_arity = 1; return 1;
    case GENOP_bif2: *fixed_arity = 2; return 1;
    case GENOP_gc_bif1: *fixed_arity = 1; return 2;
    case GENOP_gc_bif2: *fixed_arity = 2; return 2;
    case GENOP_gc_bif3: *fixed_arity = 3; return 2;
    default: return -1;
    }
}

static const char *atom_str(const BeamFile *bf, uint32_t a, char *buf, size_t len)
{
    const BeamSpan *s = &bf->atoms[a];
    snprintf(buf, len, "%.*s", (int)(s->size_bytes > len - 1 ? len - 1 : s->size_bytes),
             (const char *)s->bytes);
    return buf;
}

/* Semantic checks on one decoded instruction (operands in place). */
static int check_instr(CodeCtx *cx, const BeamInstr *in)
{
    BeamFile *bf = cx->bf;
    const BeamOperand *a = &bf->code.operands[in->args];
    int arity_op, fixed;
    int imp = import_operand(in->op, &arity_op, &fixed);
    if (imp >= 0) {
        cx->w_operand = (unsigned)imp + 1, cx->w_element = 0;
        if (a[imp].kind != BEAM_OP_U) return cfail(cx, "%simport operand is not tag u", "", 0, 0);
        if (a[imp].v.u >= bf->import_count)
            return cfail(cx, "%simport index %llu out of range (%llu imports)", "", a[imp].v.u, bf->import_count);
        const BeamImport *im = &bf->imports[a[imp].v.u];
        uint64_t want = fixed >= 0 ? (uint64_t)fixed : a[arity_op].v.u;
        if (arity_op >= 0 && a[arity_op].kind != BEAM_OP_U) return cfail(cx, "%sarity is not tag u", "", 0, 0);
        if (im->arity != want) {
            char m[48], f[48], msg[112];
            snprintf(msg, sizeof msg, "%s:%s/%u", atom_str(bf, im->module, m, sizeof m),
                     atom_str(bf, im->function, f, sizeof f), im->arity);
            return cfail(cx, "arity mismatch: import %s called with arity %llu", msg, want, 0);
        }
    }
    switch (in->op) {
    case GENOP_make_fun2: case GENOP_make_fun3:
        cx->w_operand = 1, cx->w_element = 0;
        if (a[0].kind != BEAM_OP_U || a[0].v.u >= bf->lambda_count)
            return cfail(cx, "%slambda index %llu out of range (%llu lambdas)", "",
                         a[0].kind == BEAM_OP_U ? a[0].v.u : 0, bf->lambda_count);
        break;
    case GENOP_line:
        cx->w_operand = 1, cx->w_element = 0;
        if (a[0].kind != BEAM_OP_U) return cfail(cx, "%sline index is not tag u", "", 0, 0);
        if (bf->line.present && a[0].v.u > bf->line.item_count)
            return cfail(cx, "%sline index %llu out of range (%llu line items)", "", a[0].v.u,
                         bf->line.item_count);
        break;
    case GENOP_select_val: case GENOP_select_tuple_arity: {
        cx->w_operand = 3, cx->w_element = 0;
        if (a[2].kind != BEAM_OP_LIST || a[2].v.list.count % 2)
            return cfail(cx, "%sexpected a list of value/label pairs", "", 0, 0);
        for (uint32_t k = 1; k < a[2].v.list.count; k += 2)
            if (beam_list_elem(bf, &a[2], k)->kind != BEAM_OP_LABEL)
                return cfail(cx, "%selement %llu is not a label", "", k + 1, 0);
        break;
    }
    default:
        break;
    }
    return 0;
}

/* ---- the instruction stream --------------------------------------------- */

/* An ExpT/LocT/FunT entry must name a function's entry label, with the
 * same name and arity as that function's func_info. */
static int check_entry(BeamParse *ps, const char *chunk, uint32_t i, const uint32_t *func_of_label,
                       uint32_t function, uint32_t arity, uint32_t label)
{
    BeamFile *bf = ps->bf;
    char n1[64], n2[64];
    if (label >= bf->code.label_count || func_of_label[label] == UINT32_MAX)
        return beam_fail(ps, chunk, "entry %u (%s/%u): label %u is not a function entry", i,
                         atom_str(bf, function, n1, sizeof n1), arity, label);
    const BeamFunction *f = &bf->code.functions[func_of_label[label]];
    if (f->function != function || f->arity != arity)
        return beam_fail(ps, chunk, "entry %u names %s/%u but label %u is the entry of %s/%u", i,
                         atom_str(bf, function, n1, sizeof n1), arity, label,
                         atom_str(bf, f->function, n2, sizeof n2), f->arity);
    return 0;
}

static int check_tables(BeamParse *ps)
{
    BeamFile *bf = ps->bf;
    uint32_t *fol = malloc(((size_t)bf->code.label_count + 1) * sizeof *fol);
    if (!fol) return beam_fail(ps, "Code", "out of memory");
    for (uint32_t i = 0; i <= bf->code.label_count; i++) fol[i] = UINT32_MAX;
    for (uint32_t i = 0; i < bf->code.function_count; i++) fol[bf->code.functions[i].label] = i;
    int rc = 0;
    for (uint32_t i = 0; !rc && i < bf->export_count; i++)
        rc = check_entry(ps, "ExpT", i, fol, bf->exports[i].function, bf->exports[i].arity,
                         bf->exports[i].label);
    for (uint32_t i = 0; !rc && i < bf->local_count; i++)
        rc = check_entry(ps, "LocT", i, fol, bf->locals[i].function, bf->locals[i].arity,
                         bf->locals[i].label);
    for (uint32_t i = 0; !rc && i < bf->lambda_count; i++)
        rc = check_entry(ps, "FunT", i, fol, bf->lambdas[i].function, bf->lambdas[i].arity,
                         bf->lambdas[i].label);
    free(fol);
    return rc;
}

/* Check func_info's operands and that a label starts the function; sets
 * *first to the index of that label. */
static int check_func_info(CodeCtx *cx, uint32_t fi_index, uint32_t *first_out)
{
    BeamFile *bf = cx->bf;
    BeamInstr *ins = bf->code.instrs;
    const BeamOperand *a = &bf->code.operands[ins[fi_index].args];
    cx->w_operand = 1, cx->w_element = 0;
    if (a[0].kind != BEAM_OP_ATOM || a[0].v.index != 1)
        return cfail(cx, "%smodule is not the module name (atom 1)", "", 0, 0);
    cx->w_operand = 2, cx->w_element = 0;
    if (a[1].kind != BEAM_OP_ATOM) return cfail(cx, "%sfunction name is not an atom", "", 0, 0);
    cx->w_operand = 3, cx->w_element = 0;
    if (a[2].kind != BEAM_OP_U || a[2].v.u > 255) return cfail(cx, "%sbad arity", "", 0, 0);
    /* The function begins at the label before func_info (lines may sit between). */
    uint32_t first = fi_index;
    while (first > 0 && ins[first - 1].op == GENOP_line) first--;
    if (first == 0 || ins[first - 1].op != GENOP_label)
        return beam_fail(cx->ps, "Code", "func_info at offset %u is not preceded by a label", cx->offset);
    *first_out = first - 1;
    return 0;
}

int beam_code_parse(BeamParse *ps, const uint8_t *chunk, size_t size)
{
    BeamFile *bf = ps->bf;
    BeamCode *code = &bf->code;
    BeamReader r = {chunk, chunk + size};
    uint32_t info_size;
    if (rd_u32(&r, &info_size)) return beam_fail(ps, "Code", "truncated header");
    if (info_size < 16 || info_size > rd_left(&r))
        return beam_fail(ps, "Code", "header size %u out of range (16..%zu)", info_size, rd_left(&r));
    BeamReader hdr = {r.p, r.p + info_size};
    rd_u32(&hdr, &code->format);
    rd_u32(&hdr, &code->max_opcode);
    rd_u32(&hdr, &code->label_count);
    rd_u32(&hdr, &code->function_count);
    r.p += info_size;
    if (code->format != 0)
        return beam_fail(ps, "Code", "instruction set version %u is not supported (expected 0)", code->format);
    if (code->max_opcode > GENOP_MAX)
        return beam_fail(ps, "Code", "max opcode %u is newer than OTP 25 (max %d)", code->max_opcode, GENOP_MAX);
    /* every label and function needs at least one instruction byte */
    if (code->label_count > rd_left(&r) + 1 || code->function_count > rd_left(&r))
        return beam_fail(ps, "Code", "%u labels / %u functions larger than the code allows",
                         code->label_count, code->function_count);

    CodeCtx cx = {.ps = ps, .bf = bf, .r = r, .base = r.p};
    code->label_instr = malloc(((size_t)code->label_count + 1) * sizeof *code->label_instr);
    code->functions = calloc(code->function_count ? code->function_count : 1, sizeof *code->functions);
    if (!code->label_instr || !code->functions) return beam_fail(ps, "Code", "out of memory");
    for (uint32_t i = 0; i <= code->label_count; i++) code->label_instr[i] = BEAM_NO_INSTR;

    uint32_t nfuncs = 0;
    int want_entry_label = 0, done = 0;
    while (!done) {
        uint32_t op;
        cx.offset = (uint32_t)(cx.r.p - cx.base);
        if (rd_u8(&cx.r, &op)) return beam_fail(ps, "Code", "no int_code_end (truncated at offset %u)", cx.offset);
        if (op == 0 || op > GENOP_MAX)
            return beam_fail(ps, "Code", "bad opcode %u at offset %u (valid: 1..%d)", op, cx.offset, GENOP_MAX);
        if (op > code->max_opcode)
            return beam_fail(ps, "Code", "opcode %u (%s) at offset %u exceeds the header's max opcode %u", op,
                             genop_name(op), cx.offset, code->max_opcode);
        if (genop_status(op) == GENOP_OBSOLETE)
            return beam_fail(ps, "Code", "obsolete instruction %s at offset %u; recompile the module",
                             genop_name(op), cx.offset);
        unsigned arity = genop_arity(op);
        cx.opname = genop_name(op);
        if (beam_grow((void **)&code->instrs, &cx.instr_cap, code->instr_count, 1, sizeof(BeamInstr)) ||
            beam_grow((void **)&code->operands, &cx.operand_cap, code->operand_count, arity,
                      sizeof(BeamOperand)))
            return beam_fail(ps, "Code", "out of memory");
        uint32_t idx = code->instr_count++;
        BeamInstr *in = &code->instrs[idx];
        in->op = (uint16_t)op;
        in->arity = (uint8_t)arity;
        in->args = code->operand_count;
        in->offset = cx.offset;
        code->operand_count += arity;
        for (unsigned k = 0; k < arity; k++) {
            cx.w_operand = k + 1, cx.w_element = 0;
            if (decode_operand(&cx, in->args + k, 1)) return -1;
        }
        in = &code->instrs[idx]; /* (operands may have moved; instrs did not) */
        if (check_instr(&cx, in)) return -1;

        if (want_entry_label && op != GENOP_label)
            return beam_fail(ps, "Code", "func_info not followed by a label (offset %u: %s)", cx.offset, cx.opname);
        switch (op) {
        case GENOP_label: {
            const BeamOperand *a = &code->operands[in->args];
            uint64_t l = a->v.u;
            cx.w_operand = 1, cx.w_element = 0;
            if (a->kind != BEAM_OP_U || l == 0 || l >= code->label_count)
                return cfail(&cx, "%slabel number %llu out of range (1..%llu)", "", a->kind == BEAM_OP_U ? l : 0,
                             code->label_count ? code->label_count - 1 : 0);
            if (code->label_instr[l] != BEAM_NO_INSTR)
                return cfail(&cx, "%slabel %llu defined twice", "", l, 0);
            code->label_instr[l] = idx;
            if (want_entry_label) {
                BeamFunction *f = &code->functions[nfuncs - 1];
                f->label = (uint32_t)l;
                f->entry = idx;
                want_entry_label = 0;
            }
            break;
        }
        case GENOP_func_info: {
            if (nfuncs == code->function_count)
                return beam_fail(ps, "Code", "more functions than the header's %u (func_info at offset %u)",
                                 code->function_count, cx.offset);
            uint32_t first = 0;
            if (check_func_info(&cx, idx, &first)) return -1;
            const BeamOperand *a = &code->operands[in->args];
            BeamFunction *f = &code->functions[nfuncs];
            if (nfuncs > 0) code->functions[nfuncs - 1].end = first;
            *f = (BeamFunction){.function = a[1].v.index, .arity = (uint32_t)a[2].v.u, .first = first};
            nfuncs++;
            want_entry_label = 1;
            break;
        }
        case GENOP_on_load:
            if (nfuncs == 0 || code->on_load_label)
                return beam_fail(ps, "Code", "misplaced on_load at offset %u", cx.offset);
            code->on_load_label = code->functions[nfuncs - 1].label;
            break;
        case GENOP_int_code_end:
            done = 1;
            break;
        default: /* before the first func_info only labels and lines may appear */
            if (nfuncs == 0 && op != GENOP_line)
                return beam_fail(ps, "Code", "%s at offset %u is outside any function", cx.opname, cx.offset);
            break;
        }
    }
    if (want_entry_label) return beam_fail(ps, "Code", "last func_info has no entry label");
    if (nfuncs != code->function_count)
        return beam_fail(ps, "Code", "header promises %u functions, code has %u", code->function_count, nfuncs);
    if (nfuncs > 0) code->functions[nfuncs - 1].end = code->instr_count - 1;
    /* anything after int_code_end (padding) is ignored, as OTP does */

    /* Every label referenced anywhere (list elements included) is defined. */
    for (uint32_t i = 0; i < code->operand_count; i++) {
        const BeamOperand *o = &code->operands[i];
        if (o->kind == BEAM_OP_LABEL && o->v.index && code->label_instr[o->v.index] == BEAM_NO_INSTR)
            return beam_fail(ps, "Code", "label %u is referenced but never defined", o->v.index);
    }
    return check_tables(ps);
}
