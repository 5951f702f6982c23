/*
 * loader.c — stage 2 of loading: generic instructions -> threaded code.
 *
 * One pass over the instructions emits [instruction word, operands...]
 * into a growing buffer, recording code offsets of labels, of operands
 * that name labels (patched when the buffer is final), of catch handlers,
 * of line entries and of functions. Operands are converted by kind (see
 * docs/emulator.md): registers become register words, atoms/integers/
 * literals become term constants (literals live in the module's literal
 * area), imports become Export *, lambdas LoadedFun *.
 * INVARIANT: the buffer holds offsets until finish(); afterwards it never
 * moves, so every address handed out (labels, CPs, catches) stays valid
 * for the ModuleCode's life.
 */
#define BeamInstr BeamGenInstr /* see loader.h */
#include "vm/beam_file.h"
#undef BeamInstr
#include "vm/loader.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm/atom.h"
#include "vm/bignum.h"
#include "vm/binary.h"
#include "vm/emu_bs.h"
#include "vm/etf.h"

typedef struct { size_t off; uint32_t label; } Patch;
typedef struct { size_t off; uint32_t item; } LinePatch;

typedef struct {
    const BeamFile *bf;
    ModuleCode *mc;
    char *err;
    size_t errlen;
    int failed;
    const BeamGenInstr *cur; /* generic instruction being translated */
    BeamInstr *code;
    size_t n, cap;
    Patch *patches;
    size_t npatch, cappatch;
    Patch *catches;       /* label patches that become catch indexes */
    size_t ncatch, capcatch;
    LinePatch *lines;
    size_t nlines, caplines;
    size_t *label_off;    /* [label_count]; SIZE_MAX = not reached yet */
    term_t *atoms;        /* [atom_count + 1] */
    Export **imports;
    size_t *func_start;   /* per function: code offset of func_info */
    size_t *func_end;
    int prev_op;          /* the last instruction emitted (emit_op), -1: none */
    size_t prev_off;      /* ... and the offset of its instruction word */
    size_t last_label_off; /* code offset of the last label, SIZE_MAX: none */
    size_t skip;          /* generic instructions after cur that it consumed */
} Ld;

static void *xrealloc(void *p, size_t bytes) {
    void *q = realloc(p, bytes ? bytes : 1);
    if (!q) abort();
    return q;
}

static void fail(Ld *ld, const char *fmt, ...) {
    if (ld->failed) return;
    ld->failed = 1;
    int k = 0;
    if (ld->cur)
        k = snprintf(ld->err, ld->errlen, "translate: %s (offset %u): ",
                     genop_name(ld->cur->op), ld->cur->offset);
    else
        k = snprintf(ld->err, ld->errlen, "translate: ");
    if (k < 0 || (size_t)k >= ld->errlen) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ld->err + k, ld->errlen - (size_t)k, fmt, ap);
    va_end(ap);
}

static void emit(Ld *ld, BeamInstr w) {
    if (ld->n == ld->cap) {
        ld->cap = ld->cap ? ld->cap * 2 : 1024;
        ld->code = xrealloc(ld->code, ld->cap * sizeof *ld->code);
    }
    ld->code[ld->n++] = w;
}

/* The fused pairs of instrs.def: {a, b, a__b}. */
static const struct { unsigned short a, b, fused; } fusions[] = {
#define INSTR(name, layout)
#define FUSE(a, b, layout) {I_##a, I_##b, I_##a##__##b},
#include "vm/instrs.def"
#undef FUSE
#undef INSTR
};

/* Emits instruction op. When the instruction emitted just before it
 * (ending exactly here) is the first of a fused pair with op, that one
 * becomes the pair's instruction: same operands, and on its way out it
 * enters op's body without a dispatch. op itself is emitted as usual. */
static void emit_op(Ld *ld, unsigned op) {
    if (ld->prev_op >= 0) {
        for (size_t k = 0; k < sizeof fusions / sizeof fusions[0]; k++)
            if (fusions[k].a == (unsigned)ld->prev_op && fusions[k].b == op) {
                ld->code[ld->prev_off] = emu_instr_addr(fusions[k].fused);
                break;
            }
    }
    ld->prev_op = (int)op;
    ld->prev_off = ld->n;
    emit(ld, emu_instr_addr(op));
}

static void add_patch(Patch **v, size_t *n, size_t *cap, size_t off, uint32_t label) {
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 256;
        *v = xrealloc(*v, *cap * sizeof **v);
    }
    (*v)[(*n)++] = (Patch){off, label};
}

/* A label operand: 0 (none) or a patched address. */
static void emit_label_u(Ld *ld, uint32_t label) {
    if (label) add_patch(&ld->patches, &ld->npatch, &ld->cappatch, ld->n, label);
    emit(ld, 0);
}

static const BeamOperand *arg(Ld *ld, unsigned k) { return beam_instr_arg(ld->bf, ld->cur, k); }

static void emit_label(Ld *ld, const BeamOperand *o) {
    if (o->kind == BEAM_OP_LABEL) emit_label_u(ld, o->v.index);
    else if (o->kind == BEAM_OP_ATOM || o->kind == BEAM_OP_NIL) emit(ld, 0); /* no_fail / resume */
    else fail(ld, "expected a label operand");
}

static uint64_t u_val(Ld *ld, const BeamOperand *o) {
    if (o->kind == BEAM_OP_U) return o->v.u;
    if (o->kind == BEAM_OP_INT && o->v.i >= 0) return (uint64_t)o->v.i;
    fail(ld, "expected an unsigned operand");
    return 0;
}

static term_t *lit_alloc(Ld *ld, size_t words) { return heap_alloc(&ld->mc->lit_heap, words); }

/* A bignum operand: big-endian two's complement bytes. */
static term_t big_operand(Ld *ld, BeamSpan s) {
    size_t n = s.size_bytes;
    uint8_t *mag = malloc(n);
    if (!mag) abort();
    bool neg = s.bytes[0] & 0x80;
    /* little-endian magnitude */
    unsigned carry = 1;
    for (size_t i = 0; i < n; i++) {
        uint8_t b = s.bytes[n - 1 - i];
        if (neg) {
            unsigned v = (uint8_t)~b + carry;
            mag[i] = (uint8_t)v;
            carry = v >> 8;
        } else {
            mag[i] = b;
        }
    }
    term_t t = big_from_bytes_le(&ld->mc->lit_heap, neg, mag, n);
    free(mag);
    return t;
}

static term_t int_term(Ld *ld, int64_t v) {
    if (small_fits(v)) return make_small(v);
    return big_from_int64(&ld->mc->lit_heap, v);
}

/* A source operand as a word (term constant or register word). */
static BeamInstr src_word(Ld *ld, const BeamOperand *o) {
    switch (o->kind) {
    case BEAM_OP_X: return code_x_word(o->v.reg.n);
    case BEAM_OP_Y: return code_y_word(o->v.reg.n);
    case BEAM_OP_ATOM: return ld->atoms[o->v.index];
    case BEAM_OP_NIL: return NIL;
    case BEAM_OP_INT: return int_term(ld, o->v.i);
    case BEAM_OP_U: return int_term(ld, (int64_t)o->v.u);
    case BEAM_OP_CHAR: return make_small((int64_t)o->v.u);
    case BEAM_OP_BIGINT: return big_operand(ld, o->v.big);
    case BEAM_OP_LITERAL: return ld->mc->literals[o->v.index];
    case BEAM_OP_FLOAT: return make_float(lit_alloc(ld, FLOAT_WORDS), o->v.f);
    default: fail(ld, "operand kind %u is not a source", o->kind); return NIL;
    }
}

static void emit_src(Ld *ld, const BeamOperand *o) { emit(ld, src_word(ld, o)); }

static void emit_dst(Ld *ld, const BeamOperand *o) {
    if (o->kind == BEAM_OP_X) emit(ld, code_x_word(o->v.reg.n));
    else if (o->kind == BEAM_OP_Y) emit(ld, code_y_word(o->v.reg.n));
    else fail(ld, "destination is not a register");
}

static void emit_u(Ld *ld, const BeamOperand *o) { emit(ld, (BeamInstr)u_val(ld, o)); }

static size_t alloc_words(Ld *ld, const BeamOperand *o) {
    if (o->kind == BEAM_OP_ALLOC)
        return o->v.alloc.words + (size_t)o->v.alloc.floats * FLOAT_WORDS +
               (size_t)o->v.alloc.funs * fun_words(0);
    return (size_t)u_val(ld, o);
}

static Export *import(Ld *ld, const BeamOperand *o) {
    uint64_t i = u_val(ld, o);
    if (i >= ld->bf->import_count) { fail(ld, "import index out of range"); return NULL; }
    return ld->imports[i];
}

static const BeamOperand *list_arg(Ld *ld, unsigned k) {
    const BeamOperand *l = arg(ld, k);
    if (l->kind != BEAM_OP_LIST) { fail(ld, "operand %u is not a list", k + 1); return NULL; }
    return l;
}

/* [n, src...] */
static void emit_src_list(Ld *ld, const BeamOperand *l) {
    if (!l) return;
    emit(ld, l->v.list.count);
    for (unsigned i = 0; i < l->v.list.count; i++) emit_src(ld, beam_list_elem(ld->bf, l, i));
}

static int cmp_pair(const void *a, const void *b) {
    const BeamInstr *x = a, *y = b;
    return x[0] < y[0] ? -1 : x[0] > y[0];
}

/* select_val / select_tuple_arity: [src, fail, n, values sorted..., labels...] */
static void emit_select(Ld *ld, unsigned op, bool arities) {
    const BeamOperand *l = list_arg(ld, 2);
    if (!l) return;
    uint32_t n = l->v.list.count / 2;
    BeamInstr (*pairs)[2] = malloc((n ? n : 1) * sizeof *pairs);
    if (!pairs) abort();
    for (uint32_t i = 0; i < n; i++) {
        const BeamOperand *v = beam_list_elem(ld->bf, l, 2 * i);
        const BeamOperand *lab = beam_list_elem(ld->bf, l, 2 * i + 1);
        pairs[i][0] = arities ? (BeamInstr)u_val(ld, v) : src_word(ld, v);
        pairs[i][1] = lab->v.index;
        if (!arities && !(pairs[i][0] & 3)) fail(ld, "select value is a register");
    }
    qsort(pairs, n, sizeof *pairs, cmp_pair);
    emit_op(ld, op);
    emit_src(ld, arg(ld, 0));
    emit_label(ld, arg(ld, 1));
    emit(ld, n);
    for (uint32_t i = 0; i < n; i++) emit(ld, pairs[i][0]);
    for (uint32_t i = 0; i < n; i++) emit_label_u(ld, (uint32_t)pairs[i][1]);
    free(pairs);
}

static bool is_fr(const BeamOperand *o) { return o->kind == BEAM_OP_FR; }

static void emit_fr(Ld *ld, const BeamOperand *o) {
    if (!is_fr(o)) fail(ld, "expected a float register");
    emit(ld, o->v.index);
}

/* Simple 1:1 forms: each letter of `shape` converts one operand:
 * s source, d destination, f label, u unsigned, e import, a alloc words. */
static void emit_shape(Ld *ld, unsigned op, const char *shape) {
    emit_op(ld, op);
    for (unsigned k = 0; shape[k]; k++) {
        const BeamOperand *o = arg(ld, k);
        switch (shape[k]) {
        case 's': emit_src(ld, o); break;
        case 'd': emit_dst(ld, o); break;
        case 'f': emit_label(ld, o); break;
        case 'u': emit_u(ld, o); break;
        case 'e': emit(ld, (BeamInstr)import(ld, o)); break;
        case 'a': emit(ld, alloc_words(ld, o)); break;
        }
    }
}

static void translate_bs_create_bin_generic(Ld *ld) {
    /* bs_create_bin Fail Alloc Live Unit Dst {list, [Type, Seg, Unit,
     * Flags, Src, Size] ...}: [op, fail, alloc, live, unit, dst, n, segs] */
    emit_op(ld, I_bs_create_bin);
    emit_label(ld, arg(ld, 0));
    emit(ld, alloc_words(ld, arg(ld, 1)));
    emit_u(ld, arg(ld, 2));
    emit_u(ld, arg(ld, 3));
    emit_dst(ld, arg(ld, 4));
    const BeamOperand *l = list_arg(ld, 5);
    if (!l) return;
    if (l->v.list.count % 6) { fail(ld, "segment list length is not a multiple of 6"); return; }
    emit(ld, l->v.list.count / 6);
    for (unsigned i = 0; i < l->v.list.count; i += 6) {
        const BeamOperand *type = beam_list_elem(ld->bf, l, i);
        emit_src(ld, type);
        emit(ld, u_val(ld, beam_list_elem(ld->bf, l, i + 1)));
        emit(ld, u_val(ld, beam_list_elem(ld->bf, l, i + 2)));
        emit_src(ld, beam_list_elem(ld->bf, l, i + 3));
        const BeamOperand *src = beam_list_elem(ld->bf, l, i + 4);
        if (type->kind == BEAM_OP_ATOM && ld->atoms[type->v.index] == ATOM_string) {
            uint64_t off = u_val(ld, src);
            if (off > ld->bf->strings.size_bytes) fail(ld, "string offset out of range");
            emit(ld, (BeamInstr)(ld->mc->strings + off));
        } else {
            emit_src(ld, src);
        }
        emit_src(ld, beam_list_elem(ld->bf, l, i + 5));
    }
}

/* `<<Acc/binary, V:Size>>` (append, then one big-endian unsigned integer
 * of constant size): the loop that builds a binary a field at a time.
 * Same operand layout as bs_create_bin, which it falls back to. */
static bool bs_create_is_append_int(const BeamInstr *c) {
    const BeamInstr *s0 = c + 7, *s1 = c + 13;
    return c[6] == 2 && (s0[0] == ATOM_append || s0[0] == ATOM_private_append) &&
           s0[5] == ATOM_all && s1[0] == ATOM_integer && s1[3] == NIL &&
           is_small((term_t)s1[5]) && small_value((term_t)s1[5]) >= 0 &&
           (uint64_t)small_value((term_t)s1[5]) * s1[2] <= 64;
}

static void translate_bs_create_bin(Ld *ld) {
    size_t start = ld->n;
    translate_bs_create_bin_generic(ld);
    if (!ld->failed && ld->n == start + 19 && bs_create_is_append_int(ld->code + start))
        ld->code[start] = emu_instr_addr(I_i_bs_create_append_int);
}

/* ---- binary construction as OTP 23/24 compiled it ----
 * Before bs_create_bin, `<<...>>` was a bs_init2 / bs_init_bits /
 * bs_append / bs_private_append followed by one bs_put_* per segment
 * (sizes computed beforehand by bs_add and bs_utf*_size); OTP 25 still
 * loads such files, and its erlc emits them with +no_bs_create_bin. The
 * run of instructions becomes one bs_create_bin: the initial instruction
 * gives the fail label, heap need, live registers and destination, each
 * put one segment. Nothing between them reads the half-built binary, so
 * building it at the end is equivalent. */

static bool is_legacy_put(unsigned op) {
    return op == GENOP_bs_put_integer || op == GENOP_bs_put_binary || op == GENOP_bs_put_float ||
           op == GENOP_bs_put_string || op == GENOP_bs_put_utf8 || op == GENOP_bs_put_utf16 ||
           op == GENOP_bs_put_utf32;
}

/* A legacy field-flags word (OTP's BSF_LITTLE 2, BSF_SIGNED 4,
 * BSF_NATIVE 16) as the flag list bs_create_bin segments carry. */
static term_t legacy_flag_list(Ld *ld, const BeamOperand *o) {
    uint64_t bits = u_val(ld, o);
    term_t l = NIL;
    static const struct { unsigned bit; term_t atom; } names[] = {
        {BSF_LITTLE, ATOM_little}, {BSF_SIGNED, ATOM_signed}, {BSF_NATIVE, ATOM_native}};
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
        if (bits & names[k].bit) l = make_cons(lit_alloc(ld, 2), names[k].atom, l);
    return l;
}

static bool same_label(const BeamOperand *a, const BeamOperand *b) {
    uint32_t la = a->kind == BEAM_OP_LABEL ? a->v.index : 0, lb = b->kind == BEAM_OP_LABEL ? b->v.index : 0;
    return la == lb;
}

/* One bs_put_* (ld->cur) as a 6-word segment. */
static void emit_legacy_segment(Ld *ld, unsigned seg) {
    switch (ld->cur->op) {
    case GENOP_bs_put_string: { /* Len {string, Offset} */
        uint64_t len = u_val(ld, arg(ld, 0)), off = u_val(ld, arg(ld, 1));
        if (off + len > ld->bf->strings.size_bytes) fail(ld, "string out of range");
        emit(ld, ATOM_string); emit(ld, seg); emit(ld, 8); emit(ld, NIL);
        emit(ld, (BeamInstr)(ld->mc->strings + off));
        emit(ld, make_small((int64_t)len));
        return;
    }
    case GENOP_bs_put_utf8: case GENOP_bs_put_utf16: case GENOP_bs_put_utf32: /* Fail Flags Src */
        emit(ld, ld->cur->op == GENOP_bs_put_utf8 ? ATOM_utf8 : ld->cur->op == GENOP_bs_put_utf16 ? ATOM_utf16 : ATOM_utf32);
        emit(ld, seg); emit(ld, 0);
        emit(ld, legacy_flag_list(ld, arg(ld, 1)));
        emit_src(ld, arg(ld, 2));
        emit(ld, ATOM_undefined);
        return;
    default: /* integer, binary, float: Fail Size Unit Flags Src */
        emit(ld, ld->cur->op == GENOP_bs_put_integer ? ATOM_integer : ld->cur->op == GENOP_bs_put_binary ? ATOM_binary : ATOM_float);
        emit(ld, seg);
        emit_u(ld, arg(ld, 2));
        emit(ld, legacy_flag_list(ld, arg(ld, 3)));
        emit_src(ld, arg(ld, 4));
        emit_src(ld, arg(ld, 1));
        return;
    }
}

static void translate_legacy_bs_construct(Ld *ld) {
    const BeamGenInstr *init = ld->cur;
    unsigned op = init->op;
    bool append = op == GENOP_bs_append, private_append = op == GENOP_bs_private_append;
    /* Operand positions: bs_init2/bs_init_bits Fail Size Extra Live Flags Dst;
     * bs_append Fail Size Extra Live Unit Bin Flags Dst;
     * bs_private_append Fail Size Unit Bin Flags Dst. */
    const BeamOperand *failop = arg(ld, 0);
    const BeamOperand *dst = arg(ld, append ? 7 : 5);
    size_t nputs = 0;
    const BeamGenInstr *end = ld->bf->code.instrs + ld->bf->code.instr_count;
    for (const BeamGenInstr *q = init + 1; q < end && is_legacy_put(q->op); q++) nputs++;
    /* A private append has no live count, so it must not collect: its
     * result may go to a heap fragment instead. */
    emit_op(ld, private_append ? I_i_bs_create_bin_nogc : I_bs_create_bin);
    emit_label(ld, failop);
    emit(ld, private_append ? 0 : alloc_words(ld, arg(ld, 2)));
    emit(ld, private_append ? 0 : u_val(ld, arg(ld, 3)));
    emit(ld, append ? u_val(ld, arg(ld, 4)) : private_append ? u_val(ld, arg(ld, 2)) : 1);
    emit_dst(ld, dst);
    emit(ld, nputs + (append || private_append));
    if (append || private_append) {
        emit(ld, append ? ATOM_append : ATOM_private_append);
        emit(ld, 0);
        emit_u(ld, arg(ld, append ? 4 : 2));
        emit(ld, NIL);
        emit_src(ld, arg(ld, append ? 5 : 3));
        emit(ld, ATOM_all);
    }
    for (size_t i = 0; i < nputs && !ld->failed; i++) {
        ld->cur = init + 1 + i;
        if (ld->cur->op != GENOP_bs_put_string && !same_label(arg(ld, 0), failop)) {
            fail(ld, "fail label differs from its bs_init's");
            break;
        }
        emit_legacy_segment(ld, (unsigned)i + 1);
    }
    ld->cur = init;
    ld->skip = nputs;
}


/* Operand kinds for choosing specialised instruction variants. */
static bool op_is_x(const BeamOperand *o) { return o->kind == BEAM_OP_X; }
static bool op_is_y(const BeamOperand *o) { return o->kind == BEAM_OP_Y; }
static bool op_is_small_const(Ld *ld, const BeamOperand *o) {
    (void)ld;
    switch (o->kind) {
    case BEAM_OP_INT: return small_fits(o->v.i);
    case BEAM_OP_U: return o->v.u <= (uint64_t)SMALL_MAX;
    case BEAM_OP_CHAR: return small_fits((int64_t)o->v.u);
    default: return false;
    }
}
static bool op_is_immed_const(Ld *ld, const BeamOperand *o) {
    return o->kind == BEAM_OP_ATOM || o->kind == BEAM_OP_NIL || op_is_small_const(ld, o);
}

/* The generic instruction after the current one, or NULL. */
static const BeamGenInstr *next_instr(Ld *ld) {
    size_t k = (size_t)(ld->cur - ld->bf->code.instrs) + 1;
    return k < ld->bf->code.instr_count ? &ld->bf->code.instrs[k] : NULL;
}

static void translate_one(Ld *ld) {
    const BeamGenInstr *in = ld->cur;
    switch (in->op) {
    case GENOP_label: {
        uint32_t l = (uint32_t)arg(ld, 0)->v.u;
        ld->label_off[l] = ld->n;
        ld->last_label_off = ld->n;
        return;
    }
    case GENOP_line: {
        if (ld->nlines == ld->caplines) {
            ld->caplines = ld->caplines ? ld->caplines * 2 : 256;
            ld->lines = xrealloc(ld->lines, ld->caplines * sizeof *ld->lines);
        }
        ld->lines[ld->nlines++] = (LinePatch){ld->n, (uint32_t)u_val(ld, arg(ld, 0))};
        return;
    }
    case GENOP_int_code_end: emit_op(ld, I_if_end); return; /* never reached */
    case GENOP_on_load: case GENOP_nif_start: case GENOP_fclearerror: case GENOP_fcheckerror:
    case GENOP_recv_mark: case GENOP_recv_set:
        return; /* no run-time effect here (floats are checked per operation) */
    case GENOP_func_info: emit_shape(ld, I_func_info, "ssu"); return;
    case GENOP_call: emit_shape(ld, I_call, "uf"); return;
    case GENOP_call_last: emit_shape(ld, I_call_last, "ufu"); return;
    case GENOP_call_only: emit_shape(ld, I_call_only, "uf"); return;
    case GENOP_call_ext: emit_shape(ld, I_call_ext, "ue"); return;
    case GENOP_call_ext_last: emit_shape(ld, I_call_ext_last, "ueu"); return;
    case GENOP_call_ext_only: emit_shape(ld, I_call_ext_only, "ue"); return;
    case GENOP_bif0: emit_shape(ld, I_bif0, "ed"); return;
    case GENOP_bif1: emit_shape(ld, I_bif1, "fesd"); return;
    case GENOP_bif2: emit_shape(ld, I_bif2, "fessd"); return;
    case GENOP_gc_bif1: emit_shape(ld, I_gc_bif1, "fuesd"); return;
    case GENOP_gc_bif2: {
        Export *ep = import(ld, arg(ld, 2));
        unsigned op = I_gc_bif2;
        if (ep && ep->mfa.module == ATOM_erlang && ep->mfa.arity == 2) {
            const Atom *a = atom_get(ep->mfa.function);
            const BeamOperand *s1 = arg(ld, 3), *s2 = arg(ld, 4);
            bool dx = op_is_x(arg(ld, 5));
            bool sc = op_is_small_const(ld, s2);
            /* [generic, 2nd small constant, X+c->X, Y+c->X, X+X->X, Y+X->X] */
            static const unsigned plus[] = {I_i_plus, I_i_plus_sc, I_i_plus_xcx, I_i_plus_ycx,
                                            I_i_plus_xxx, I_i_plus_yxx};
            static const unsigned minus[] = {I_i_minus, I_i_minus_sc, I_i_minus_xcx, I_i_minus_ycx,
                                             I_i_minus_xxx, I_i_minus_yxx};
            unsigned v = 0;
            if (sc) v = !dx ? 1 : op_is_x(s1) ? 2 : op_is_y(s1) ? 3 : 1;
            else if (dx && op_is_x(s2)) v = op_is_x(s1) ? 4 : op_is_y(s1) ? 5 : 0;
            if (a->len_bytes == 1 && a->name[0] == '+') op = plus[v];
            if (a->len_bytes == 1 && a->name[0] == '-') op = minus[v];
            /* integer operators with a small fast path (instrs_arith.def) */
            /* [generic, X op small constant -> X] (0: none) */
            static const struct { const char *name; unsigned op, op_xcx; } arith[] = {
                {"*", I_i_times, I_i_times_xcx}, {"div", I_i_div, I_i_div_xcx},
                {"rem", I_i_rem, I_i_rem_xcx}, {"band", I_i_band, I_i_band_xcx},
                {"bor", I_i_bor, 0}, {"bxor", I_i_bxor, 0},
                {"bsr", I_i_bsr, I_i_bsr_xcx}, {"bsl", I_i_bsl, I_i_bsl_xcx},
            };
            for (size_t k = 0; op == I_gc_bif2 && k < sizeof arith / sizeof arith[0]; k++)
                if (a->len_bytes == strlen(arith[k].name) && !memcmp(a->name, arith[k].name, a->len_bytes))
                    op = arith[k].op_xcx && sc && dx && op_is_x(s1) ? arith[k].op_xcx : arith[k].op;
        }
        emit_shape(ld, op, "fuessd");
        return;
    }
    case GENOP_gc_bif3: emit_shape(ld, I_gc_bif3, "fuesssd"); return;
    case GENOP_allocate: case GENOP_allocate_zero:
        emit_shape(ld, arg(ld, 0)->kind == BEAM_OP_U && arg(ld, 0)->v.u == 1 ? I_i_allocate1 : I_allocate, "uu");
        return;
    case GENOP_allocate_heap: case GENOP_allocate_heap_zero:
        emit_shape(ld, I_allocate_heap, "uau"); return;
    case GENOP_test_heap: emit_shape(ld, I_test_heap, "au"); return;
    case GENOP_init:
        emit_op(ld, I_init_yregs);
        emit(ld, 1);
        if (arg(ld, 0)->kind != BEAM_OP_Y) fail(ld, "init of a non-Y register");
        emit(ld, arg(ld, 0)->v.reg.n);
        return;
    case GENOP_init_yregs: {
        const BeamOperand *l = list_arg(ld, 0);
        if (!l) return;
        /* Our allocate already sets every new Y slot to NIL: right after
         * one (no label in between), init_yregs has nothing to do. */
        if ((ld->prev_op == I_allocate || ld->prev_op == I_i_allocate1 ||
             ld->prev_op == I_allocate_heap) && ld->last_label_off != ld->n)
            return;
        emit_op(ld, I_init_yregs);
        emit(ld, l->v.list.count);
        for (unsigned i = 0; i < l->v.list.count; i++) {
            const BeamOperand *y = beam_list_elem(ld->bf, l, i);
            if (y->kind != BEAM_OP_Y) fail(ld, "init_yregs of a non-Y register");
            emit(ld, y->v.reg.n);
        }
        return;
    }
    case GENOP_deallocate: {
        /* deallocate + return: one dispatch (the return stays, unreached). */
        const BeamGenInstr *nx = next_instr(ld);
        emit_shape(ld, nx && nx->op == GENOP_return ? I_i_deallocate_return : I_deallocate, "u");
        return;
    }
    case GENOP_trim: emit_shape(ld, I_trim, "uu"); return;
    case GENOP_return: emit_op(ld, I_return); return;
    case GENOP_send: emit_op(ld, I_send); return;
    case GENOP_remove_message: emit_op(ld, I_remove_message); return;
    case GENOP_timeout: emit_op(ld, I_timeout); return;
    case GENOP_loop_rec: emit_shape(ld, I_loop_rec, "fd"); return;
    case GENOP_loop_rec_end: emit_shape(ld, I_loop_rec_end, "f"); return;
    case GENOP_wait: emit_shape(ld, I_wait, "f"); return;
    case GENOP_wait_timeout: emit_shape(ld, I_wait_timeout, "fs"); return;
    case GENOP_is_lt: case GENOP_is_ge: {
        bool lt = in->op == GENOP_is_lt;
        unsigned op = lt ? I_is_lt : I_is_ge;
        if (op_is_x(arg(ld, 1)) && op_is_small_const(ld, arg(ld, 2)))
            op = lt ? I_i_is_lt_xc : I_i_is_ge_xc;
        else if (op_is_small_const(ld, arg(ld, 1)) && op_is_x(arg(ld, 2)))
            op = lt ? I_i_is_lt_cx : I_i_is_ge_cx;
        else if (op_is_x(arg(ld, 1)) && op_is_x(arg(ld, 2)))
            op = lt ? I_i_is_lt_xx : I_i_is_ge_xx;
        emit_shape(ld, op, "fss");
        return;
    }
    case GENOP_is_eq: emit_shape(ld, I_is_eq, "fss"); return;
    case GENOP_is_ne: emit_shape(ld, I_is_ne, "fss"); return;
    case GENOP_is_eq_exact: case GENOP_is_ne_exact: {
        bool eq = in->op == GENOP_is_eq_exact;
        unsigned op = eq ? I_is_eq_exact : I_is_ne_exact;
        if (op_is_immed_const(ld, arg(ld, 2))) {
            if (op_is_x(arg(ld, 1))) op = eq ? I_i_is_eq_exact_imm_x : I_i_is_ne_exact_imm_x;
            else op = eq ? I_i_is_eq_exact_imm : I_i_is_ne_exact_imm;
        }
        emit_shape(ld, op, "fss");
        return;
    }
    case GENOP_is_integer: emit_shape(ld, I_is_integer, "fs"); return;
    case GENOP_is_float: emit_shape(ld, I_is_float, "fs"); return;
    case GENOP_is_number: emit_shape(ld, I_is_number, "fs"); return;
    case GENOP_is_atom: emit_shape(ld, I_is_atom, "fs"); return;
    case GENOP_is_pid: emit_shape(ld, I_is_pid, "fs"); return;
    case GENOP_is_reference: emit_shape(ld, I_is_reference, "fs"); return;
    case GENOP_is_port: emit_shape(ld, I_is_port, "fs"); return;
    case GENOP_is_nil: emit_shape(ld, op_is_x(arg(ld, 1)) ? I_i_is_nil_x : I_is_nil, "fs"); return;
    case GENOP_is_binary: emit_shape(ld, I_is_binary, "fs"); return;
    case GENOP_is_bitstr: emit_shape(ld, I_is_bitstr, "fs"); return;
    case GENOP_is_list: emit_shape(ld, I_is_list, "fs"); return;
    case GENOP_is_nonempty_list:
        emit_shape(ld, op_is_x(arg(ld, 1)) ? I_i_is_nonempty_list_x : I_is_nonempty_list, "fs");
        return;
    case GENOP_is_tuple: emit_shape(ld, op_is_x(arg(ld, 1)) ? I_i_is_tuple_x : I_is_tuple, "fs"); return;
    case GENOP_is_boolean: emit_shape(ld, I_is_boolean, "fs"); return;
    case GENOP_is_function: emit_shape(ld, I_is_function, "fs"); return;
    case GENOP_is_function2: {
        const BeamOperand *ar = arg(ld, 2);
        bool xc = op_is_x(arg(ld, 1)) && op_is_small_const(ld, ar) &&
                  (ar->kind == BEAM_OP_U || (ar->kind == BEAM_OP_INT && ar->v.i >= 0));
        emit_shape(ld, xc ? I_i_is_function2_xc : I_is_function2, "fss");
        return;
    }
    case GENOP_is_map: emit_shape(ld, I_is_map, "fs"); return;
    case GENOP_test_arity: emit_shape(ld, op_is_x(arg(ld, 1)) ? I_i_test_arity_x : I_test_arity, "fsu"); return;
    case GENOP_is_tagged_tuple: emit_shape(ld, I_is_tagged_tuple, "fsus"); return;
    case GENOP_select_val: emit_select(ld, I_select_val, false); return;
    case GENOP_select_tuple_arity: emit_select(ld, I_select_tuple_arity, true); return;
    case GENOP_jump: emit_shape(ld, I_jump, "f"); return;
    case GENOP_catch: case GENOP_try: {
        emit_op(ld, in->op == GENOP_catch ? I_catch : I_try);
        emit_dst(ld, arg(ld, 0));
        const BeamOperand *l = arg(ld, 1);
        if (l->kind != BEAM_OP_LABEL || !l->v.index) { fail(ld, "handler is not a label"); return; }
        add_patch(&ld->catches, &ld->ncatch, &ld->capcatch, ld->n, l->v.index);
        emit(ld, 0);
        return;
    }
    case GENOP_catch_end: emit_shape(ld, I_catch_end, "d"); return;
    case GENOP_try_end: emit_shape(ld, I_try_end, "d"); return;
    case GENOP_try_case: emit_shape(ld, I_try_case, "d"); return;
    case GENOP_try_case_end: emit_shape(ld, I_try_case_end, "s"); return;
    case GENOP_raise: emit_shape(ld, I_raise, "ss"); return;
    case GENOP_raw_raise: emit_op(ld, I_raw_raise); return;
    case GENOP_build_stacktrace: emit_op(ld, I_build_stacktrace); return;
    case GENOP_move: {
        const BeamOperand *a = arg(ld, 0), *b = arg(ld, 1);
        unsigned op = I_move;
        if (op_is_x(a) && op_is_x(b)) op = I_i_move_xx;
        else if (op_is_x(a) && op_is_y(b)) {
            /* move x->y then move x->x (the usual shuffle before a call):
             * one dispatch; the second move, emitted as i_move_xx next,
             * is skipped by it. */
            const BeamGenInstr *nx = next_instr(ld);
            op = I_i_move_xy;
            if (nx && nx->op == GENOP_move && beam_instr_arg(ld->bf, nx, 0)->kind == BEAM_OP_X &&
                beam_instr_arg(ld->bf, nx, 1)->kind == BEAM_OP_X) {
                op = I_i_move_xy_xx;
                /* ... and the local call after them (fib's `Y = N, call`):
                 * i_move_xy_xx_call does all three, skipping the two
                 * instructions that follow it. */
                const BeamGenInstr *nx2 = nx + 1;
                if (nx2 < ld->bf->code.instrs + ld->bf->code.instr_count && nx2->op == GENOP_call)
                    op = I_i_move_xy_xx_call;
            }
        }
        else if (op_is_y(a) && op_is_x(b)) op = I_i_move_yx;
        else if (op_is_y(a) && op_is_y(b)) op = I_i_move_yy;
        /* any constant (immediate or literal) is already its term word */
        else if (!op_is_x(a) && !op_is_y(a) && op_is_x(b)) op = I_i_move_cx;
        emit_shape(ld, op, "sd");
        return;
    }
    case GENOP_swap: emit_shape(ld, I_swap, "dd"); return;
    case GENOP_get_list: {
        unsigned op = I_get_list;
        if (op_is_x(arg(ld, 0))) {
            op = I_i_get_list_x;
            if (op_is_x(arg(ld, 1)) && op_is_x(arg(ld, 2))) op = I_i_get_list_xxx;
            else if (op_is_x(arg(ld, 1)) && op_is_y(arg(ld, 2))) op = I_i_get_list_xxy;
        }
        emit_shape(ld, op, "sdd");
        return;
    }
    case GENOP_get_hd: emit_shape(ld, I_get_hd, "sd"); return;
    case GENOP_get_tl: emit_shape(ld, I_get_tl, "sd"); return;
    case GENOP_get_tuple_element:
        emit_shape(ld, !op_is_x(arg(ld, 0)) ? I_get_tuple_element
                       : op_is_x(arg(ld, 2))  ? I_i_get_tuple_element_xx
                                              : I_i_get_tuple_element_x, "sud");
        return;
    case GENOP_set_tuple_element: emit_shape(ld, I_set_tuple_element, "ssu"); return;
    case GENOP_put_list: {
        unsigned op = I_put_list;
        if (op_is_x(arg(ld, 2))) {
            op = I_i_put_list_x;
            if (op_is_x(arg(ld, 1)) && op_is_x(arg(ld, 0))) op = I_i_put_list_xxx;
            else if (op_is_x(arg(ld, 1)) && op_is_y(arg(ld, 0))) op = I_i_put_list_yxx;
        }
        emit_shape(ld, op, "ssd");
        return;
    }
    case GENOP_put_tuple2:
        emit_op(ld, I_put_tuple2);
        emit_dst(ld, arg(ld, 0));
        emit_src_list(ld, list_arg(ld, 1));
        return;
    case GENOP_badmatch: emit_shape(ld, I_badmatch, "s"); return;
    case GENOP_badrecord: emit_shape(ld, I_badrecord, "s"); return;
    case GENOP_case_end: emit_shape(ld, I_case_end, "s"); return;
    case GENOP_if_end: emit_op(ld, I_if_end); return;
    case GENOP_call_fun: emit_shape(ld, I_call_fun, "u"); return;
    case GENOP_call_fun2: emit_shape(ld, op_is_x(arg(ld, 2)) ? I_i_call_fun2_x : I_call_fun2, "sus"); return;
    case GENOP_apply: emit_shape(ld, I_apply, "u"); return;
    case GENOP_apply_last: emit_shape(ld, I_apply_last, "uu"); return;
    case GENOP_make_fun3: {
        uint64_t i = u_val(ld, arg(ld, 0));
        if (i >= ld->mc->fun_count) { fail(ld, "lambda index out of range"); return; }
        emit_op(ld, I_make_fun3);
        emit(ld, (BeamInstr)&ld->mc->funs[i]);
        emit_dst(ld, arg(ld, 1));
        const BeamOperand *l = list_arg(ld, 2);
        emit_src_list(ld, l);
        if (l && l->v.list.count != ld->mc->funs[i].fe.num_free)
            fail(ld, "environment size does not match FunT");
        return;
    }
    case GENOP_fmove: {
        const BeamOperand *a = arg(ld, 0), *b = arg(ld, 1);
        if (is_fr(a) && is_fr(b)) { emit_op(ld, I_fmove_ff); emit_fr(ld, a); emit_fr(ld, b); }
        else if (is_fr(a)) { emit_op(ld, I_fmove_out); emit_fr(ld, a); emit_dst(ld, b); }
        else { emit_op(ld, I_fmove_in); emit_src(ld, a); emit_fr(ld, b); }
        return;
    }
    case GENOP_fconv: emit_op(ld, I_fconv); emit_src(ld, arg(ld, 0)); emit_fr(ld, arg(ld, 1)); return;
    case GENOP_fadd: case GENOP_fsub: case GENOP_fmul: case GENOP_fdiv: {
        static const unsigned ops[] = {I_fadd, I_fsub, I_fmul, I_fdiv};
        emit_op(ld, ops[in->op - GENOP_fadd]);
        emit_label(ld, arg(ld, 0));
        emit_fr(ld, arg(ld, 1)); emit_fr(ld, arg(ld, 2)); emit_fr(ld, arg(ld, 3));
        return;
    }
    case GENOP_fnegate:
        emit_op(ld, I_fnegate); emit_label(ld, arg(ld, 0));
        emit_fr(ld, arg(ld, 1)); emit_fr(ld, arg(ld, 2));
        return;
    case GENOP_put_map_assoc: case GENOP_put_map_exact:
        emit_op(ld, in->op == GENOP_put_map_assoc ? I_put_map_assoc : I_put_map_exact);
        emit_label(ld, arg(ld, 0)); emit_src(ld, arg(ld, 1)); emit_dst(ld, arg(ld, 2));
        emit_u(ld, arg(ld, 3)); emit_src_list(ld, list_arg(ld, 4));
        return;
    case GENOP_has_map_fields:
        emit_op(ld, I_has_map_fields); emit_label(ld, arg(ld, 0)); emit_src(ld, arg(ld, 1));
        emit_src_list(ld, list_arg(ld, 2));
        return;
    case GENOP_get_map_elements: {
        emit_op(ld, I_get_map_elements); emit_label(ld, arg(ld, 0)); emit_src(ld, arg(ld, 1));
        const BeamOperand *l = list_arg(ld, 2);
        if (!l) return;
        if (l->v.list.count % 2) { fail(ld, "odd key/destination list"); return; }
        emit(ld, l->v.list.count);
        for (unsigned i = 0; i < l->v.list.count; i += 2) {
            emit_src(ld, beam_list_elem(ld->bf, l, i));
            emit_dst(ld, beam_list_elem(ld->bf, l, i + 1));
        }
        return;
    }
    case GENOP_recv_marker_reserve: emit_shape(ld, I_recv_marker_reserve, "d"); return;
    case GENOP_recv_marker_bind: emit_shape(ld, I_recv_marker_bind, "ss"); return;
    case GENOP_recv_marker_clear: emit_shape(ld, I_recv_marker_clear, "s"); return;
    case GENOP_recv_marker_use: emit_shape(ld, I_recv_marker_use, "s"); return;
    /* ---- bit syntax ---- */
    case GENOP_bs_start_match3: /* Fail Bin Live Dst -> bs_start_match4's order */
        emit_op(ld, I_bs_start_match4);
        emit_label(ld, arg(ld, 0)); emit_u(ld, arg(ld, 2)); emit_src(ld, arg(ld, 1));
        emit_dst(ld, arg(ld, 3));
        return;
    case GENOP_bs_start_match4: emit_shape(ld, I_bs_start_match4, "fusd"); return;
    case GENOP_bs_get_integer2: emit_shape(ld, I_bs_get_integer2, "fsusuud"); return;
    case GENOP_bs_get_float2: emit_shape(ld, I_bs_get_float2, "fsusuud"); return;
    case GENOP_bs_get_binary2: emit_shape(ld, I_bs_get_binary2, "fsusuud"); return;
    case GENOP_bs_skip_bits2: emit_shape(ld, I_bs_skip_bits2, "fssuu"); return;
    case GENOP_bs_test_tail2: emit_shape(ld, I_bs_test_tail2, "fsu"); return;
    case GENOP_bs_test_unit: emit_shape(ld, I_bs_test_unit, "fsu"); return;
    case GENOP_bs_match_string: {
        emit_shape(ld, I_bs_match_string, "fsu");
        uint64_t bits = u_val(ld, arg(ld, 2)), off = u_val(ld, arg(ld, 3));
        if (off + (bits + 7) / 8 > ld->bf->strings.size_bytes) fail(ld, "string out of range");
        emit(ld, (BeamInstr)(ld->mc->strings + off));
        return;
    }
    case GENOP_bs_get_tail: emit_shape(ld, I_bs_get_tail, "sdu"); return;
    case GENOP_bs_get_position: emit_shape(ld, I_bs_get_position, "sdu"); return;
    case GENOP_bs_set_position: emit_shape(ld, I_bs_set_position, "ss"); return;
    case GENOP_bs_get_utf8: emit_shape(ld, I_bs_get_utf8, "fsuud"); return;
    case GENOP_bs_get_utf16: emit_shape(ld, I_bs_get_utf16, "fsuud"); return;
    case GENOP_bs_get_utf32: emit_shape(ld, I_bs_get_utf32, "fsuud"); return;
    case GENOP_bs_skip_utf8: emit_shape(ld, I_bs_skip_utf8, "fsuu"); return;
    case GENOP_bs_skip_utf16: emit_shape(ld, I_bs_skip_utf16, "fsuu"); return;
    case GENOP_bs_skip_utf32: emit_shape(ld, I_bs_skip_utf32, "fsuu"); return;
    case GENOP_bs_create_bin: translate_bs_create_bin(ld); return;
    case GENOP_bs_init2: case GENOP_bs_init_bits: case GENOP_bs_append: case GENOP_bs_private_append:
        translate_legacy_bs_construct(ld);
        return;
    case GENOP_bs_put_integer: case GENOP_bs_put_binary: case GENOP_bs_put_float: case GENOP_bs_put_string:
    case GENOP_bs_put_utf8: case GENOP_bs_put_utf16: case GENOP_bs_put_utf32:
        fail(ld, "not after bs_init2, bs_init_bits, bs_append or bs_private_append");
        return;
    case GENOP_bs_add: emit_shape(ld, I_bs_add, "fssud"); return;
    case GENOP_bs_utf8_size: emit_op(ld, I_bs_utf8_size); emit_src(ld, arg(ld, 1)); emit_dst(ld, arg(ld, 2)); return;
    case GENOP_bs_utf16_size: emit_op(ld, I_bs_utf16_size); emit_src(ld, arg(ld, 1)); emit_dst(ld, arg(ld, 2)); return;
    case GENOP_bs_init_writable:
        /* x0 = <<>>: we do not keep writable buffers (append copies). */
        emit_op(ld, I_move); emit(ld, THE_NON_VALUE); emit(ld, code_x_word(0));
        ld->code[ld->n - 2] = 0; /* patched to an empty-binary literal below */
        {
            term_t *hp = lit_alloc(ld, heap_bin_words(0));
            hp[0] = make_header(1, HEAP_BINARY_SUBTAG);
            hp[1] = 0;
            ld->code[ld->n - 2] = make_boxed(hp);
        }
        return;
    default:
        if (genop_status(in->op) == GENOP_LEGACY)
            fail(ld, "binary matching of compilers before OTP 22, not supported: recompile the module");
        else
            fail(ld, "instruction not supported by this VM");
        return;
    }
}

static term_t string_term(Ld *ld, const uint8_t *s, size_t n) {
    term_t *hp = lit_alloc(ld, 2 * n);
    term_t l = NIL;
    for (size_t i = n; i-- > 0;) l = make_cons(hp + 2 * i, make_small(s[i]), l);
    return l;
}

static const ErtsMFA *resolve_export(void *arg_, term_t m, term_t f, uint32_t a) {
    (void)arg_;
    return &export_get(m, f, a)->mfa;
}

static void decode_literals(Ld *ld) {
    const BeamFile *bf = ld->bf;
    ModuleCode *mc = ld->mc;
    EtfOptions opts = {0};
    opts.resolve_export = resolve_export;
    size_t total = 64;
    for (uint32_t i = 0; i < bf->literal_count && !ld->failed; i++) {
        size_t words, used;
        EtfError e = etf_decode_size(bf->literals[i].bytes, bf->literals[i].size_bytes, &opts,
                                     &words, &used);
        if (e != ETF_OK) fail(ld, "literal %u: %s", i, etf_error_name(e));
        total += words;
    }
    heap_init(&mc->lit_heap, total + 2 * bf->strings.size_bytes + 256);
    mc->literals = calloc(bf->literal_count + 1, sizeof(term_t));
    mc->literal_count = bf->literal_count;
    for (uint32_t i = 0; i < bf->literal_count && !ld->failed; i++) {
        EtfError e = etf_decode(&mc->lit_heap, bf->literals[i].bytes, bf->literals[i].size_bytes,
                                &opts, &mc->literals[i]);
        if (e != ETF_OK) fail(ld, "literal %u: %s", i, etf_error_name(e));
    }
}

/* Attr and CInf: one external term each (module_info(attributes|compile)),
 * kept in the literal area; an absent chunk is []. */
static term_t decode_chunk_term(Ld *ld, BeamSpan span, const char *chunk) {
    if (ld->failed || span.size_bytes == 0) return NIL;
    EtfOptions opts = {0};
    opts.resolve_export = resolve_export;
    term_t t = NIL;
    EtfError e = etf_decode(&ld->mc->lit_heap, span.bytes, span.size_bytes, &opts, &t);
    if (e != ETF_OK) fail(ld, "%s: %s", chunk, etf_error_name(e));
    return e == ETF_OK ? t : NIL;
}

static int cmp_func(const void *a, const void *b) {
    const CodeFunction *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start;
}

static void finish(Ld *ld) {
    ModuleCode *mc = ld->mc;
    const BeamFile *bf = ld->bf;
    mc->code = ld->code;
    mc->code_words = ld->n;
    ld->code = NULL;
    BeamInstr *code = mc->code;
    for (size_t i = 0; i < ld->npatch; i++) {
        size_t lo = ld->label_off[ld->patches[i].label];
        if (lo == SIZE_MAX) { fail(ld, "label %u not defined", ld->patches[i].label); return; }
        code[ld->patches[i].off] = (BeamInstr)(code + lo);
    }
    for (size_t i = 0; i < ld->ncatch; i++) {
        size_t lo = ld->label_off[ld->catches[i].label];
        code[ld->catches[i].off] = make_catch(code_catch_new(code + lo));
    }
    mc->function_count = bf->code.function_count;
    mc->functions = calloc(mc->function_count + 1, sizeof *mc->functions);
    for (uint32_t i = 0; i < mc->function_count; i++) {
        const BeamFunction *f = &bf->code.functions[i];
        mc->functions[i].start = code + ld->func_start[i];
        mc->functions[i].end = code + ld->func_end[i];
        mc->functions[i].mfa = (ErtsMFA){mc->module, ld->atoms[f->function], f->arity};
    }
    qsort(mc->functions, mc->function_count, sizeof *mc->functions, cmp_func);
    mc->line_count = (uint32_t)ld->nlines;
    mc->lines = calloc(ld->nlines + 1, sizeof *mc->lines);
    for (size_t i = 0; i < ld->nlines; i++) {
        const BeamLineItem *it = &bf->line.items[ld->lines[i].item];
        mc->lines[i] = (CodeLine){code + ld->lines[i].off, it->file, it->line};
    }
    for (uint32_t i = 0; i < mc->fun_count; i++) {
        size_t lo = ld->label_off[bf->lambdas[i].label];
        mc->funs[i].addr = mc->funs[i].code_addr = code + lo;
    }
    mc->export_count = bf->export_count;
    mc->exports = calloc(bf->export_count + 1, sizeof *mc->exports);
    mc->export_addrs = calloc(bf->export_count + 1, sizeof *mc->export_addrs);
    for (uint32_t i = 0; i < bf->export_count; i++) {
        const BeamExport *e = &bf->exports[i];
        mc->exports[i] = export_get(mc->module, ld->atoms[e->function], e->arity);
        mc->export_addrs[i] = code + ld->label_off[e->label];
    }
    if (bf->code.on_load_label) mc->on_load = code + ld->label_off[bf->code.on_load_label];
}

ModuleCode *loader_translate(const BeamFile *bf, char *err, size_t errlen) {
    Ld ld_, *ld = &ld_;
    memset(ld, 0, sizeof *ld);
    ld->prev_op = -1;
    ld->last_label_off = SIZE_MAX;
    ld->bf = bf;
    ld->err = err;
    ld->errlen = errlen;
    ModuleCode *mc = calloc(1, sizeof *mc);
    ld->mc = mc;
    ld->atoms = calloc(bf->atom_count + 1, sizeof(term_t));
    for (uint32_t i = 1; i <= bf->atom_count; i++) {
        ld->atoms[i] = atom_intern(bf->atoms[i].bytes, bf->atoms[i].size_bytes);
        if (ld->atoms[i] == THE_NON_VALUE) fail(ld, "atom %u cannot be created", i);
    }
    mc->module = ld->atoms[1];
    memcpy(mc->md5, bf->md5, sizeof mc->md5);
    mc->strings = malloc(bf->strings.size_bytes + 1);
    memcpy(mc->strings, bf->strings.bytes, bf->strings.size_bytes);
    decode_literals(ld);
    mc->attributes = decode_chunk_term(ld, bf->attributes, "Attr");
    mc->compile_info = decode_chunk_term(ld, bf->compile_info, "CInf");
    ld->imports = calloc(bf->import_count + 1, sizeof *ld->imports);
    for (uint32_t i = 0; i < bf->import_count && !ld->failed; i++) {
        const BeamImport *im = &bf->imports[i];
        ld->imports[i] = export_get(ld->atoms[im->module], ld->atoms[im->function], im->arity);
    }
    mc->fun_count = bf->lambda_count;
    mc->funs = calloc(bf->lambda_count + 1, sizeof *mc->funs);
    for (uint32_t i = 0; i < bf->lambda_count; i++) {
        const BeamLambda *l = &bf->lambdas[i];
        LoadedFun *f = &mc->funs[i];
        f->fe.module = mc->module;
        f->fe.index = l->index;
        f->fe.old_uniq = l->old_uniq;
        f->fe.num_free = l->num_free;
        f->fe.arity = l->arity - l->num_free;
        f->fe.uniq = mc->md5;
        f->mc = mc;
        f->name = ld->atoms[l->function];
    }
    /* file names: [0] is the module's own source, "<module>.erl" */
    mc->fname_count = bf->line.present ? bf->line.fname_count : 0;
    mc->fnames = calloc(mc->fname_count + 1, sizeof(term_t));
    if (!ld->failed) {
        const Atom *ma = atom_get(mc->module);
        uint8_t buf[ATOM_MAX_CHARS * 4 + 8];
        memcpy(buf, ma->name, ma->len_bytes);
        memcpy(buf + ma->len_bytes, ".erl", 4);
        mc->fnames[0] = string_term(ld, buf, ma->len_bytes + 4u);
        for (uint32_t i = 0; i < mc->fname_count; i++)
            mc->fnames[i + 1] = string_term(ld, bf->line.fnames[i].bytes, bf->line.fnames[i].size_bytes);
    }
    ld->label_off = malloc(bf->code.label_count * sizeof(size_t));
    for (uint32_t i = 0; i < bf->code.label_count; i++) ld->label_off[i] = SIZE_MAX;
    ld->func_start = calloc(bf->code.function_count + 1, sizeof(size_t));
    ld->func_end = calloc(bf->code.function_count + 1, sizeof(size_t));
    uint32_t fi = 0;
    for (uint32_t k = 0; k < bf->code.instr_count && !ld->failed; k++) {
        while (fi < bf->code.function_count && k == bf->code.functions[fi].end) {
            ld->func_end[fi++] = ld->n;
        }
        if (fi < bf->code.function_count && k == bf->code.functions[fi].entry - 1)
            ld->func_start[fi] = ld->n;
        ld->cur = &bf->code.instrs[k];
        translate_one(ld);
        k += ld->skip;
        ld->skip = 0;
    }
    while (fi < bf->code.function_count) ld->func_end[fi++] = ld->n;
    ld->cur = NULL;
    if (!ld->failed) finish(ld);
    free(ld->code);
    free(ld->patches);
    free(ld->catches);
    free(ld->lines);
    free(ld->label_off);
    free(ld->atoms);
    free(ld->imports);
    free(ld->func_start);
    free(ld->func_end);
    if (ld->failed) {
        loader_free(mc);
        return NULL;
    }
    return mc;
}

void loader_free_keep_funs(ModuleCode *mc) {
    if (mc->lit_heap.heap) heap_destroy(&mc->lit_heap);
    memset(&mc->lit_heap, 0, sizeof mc->lit_heap);
    free(mc->code);
    free(mc->literals);
    free(mc->functions);
    free(mc->lines);
    free(mc->fnames);
    free(mc->strings);
    free(mc->exports);
    free(mc->export_addrs);
    mc->code = NULL;
    mc->code_words = 0;
    mc->literals = NULL;
    mc->literal_count = 0;
    mc->functions = NULL;
    mc->function_count = 0;
    mc->lines = NULL;
    mc->line_count = 0;
    mc->fnames = NULL;
    mc->fname_count = 0;
    mc->strings = NULL;
    mc->exports = NULL;
    mc->export_addrs = NULL;
    mc->export_count = 0;
    mc->on_load = NULL;
    mc->attributes = mc->compile_info = NIL;
}

void loader_free(ModuleCode *mc) {
    if (!mc) return;
    loader_free_keep_funs(mc);
    free(mc->funs);
    free(mc);
}
