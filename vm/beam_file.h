/*
 * beam_file.h — a parsed, validated OTP 25 .beam image: the first half of
 * the loader. beam_file_parse() reads every chunk and decodes the Code
 * chunk's compact term encoding into generic instructions with typed
 * operands; the translator (next stage) turns that into threaded code.
 * See docs/loader.md.
 *
 * Invariants of a BeamFile returned by beam_file_parse():
 *  - It owns everything it points to: the image is copied (image[]), and
 *    every name/span below points into image[] or into literal_data[].
 *    The caller's buffer may be freed at once.
 *  - Every index has been range-checked: atom indexes are 1..atom_count
 *    (atoms[0] is unused, atoms[1] is the module name), literal indexes
 *    < literal_count, import indexes < import_count, lambda indexes
 *    < lambda_count, type indexes < type_count, line indexes
 *    <= line.item_count, labels < code.label_count and defined exactly once
 *    (label 0 in a fail position means "no fail label": raise instead).
 *  - Every function is `label L1, [line...], func_info M F A, label L2`
 *    with M the module atom, and the instruction list ends with
 *    int_code_end. Exports, locals and lambdas name such an entry label L2
 *    with a matching name and arity.
 * On error nothing is returned (*out = NULL) and all memory is freed.
 */
#ifndef BEAMOS_VM_BEAM_FILE_H
#define BEAMOS_VM_BEAM_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "vm/genop.h"

/* Limits (OTP's own): X registers and float registers per scheduler. */
#define BEAM_MAX_X_REGS 1024
#define BEAM_MAX_F_REGS 1024
/* Largest Y slot accepted; OTP's compiler never comes near it. */
#define BEAM_MAX_Y_REGS 65536

/* A byte span inside the BeamFile's image (not NUL-terminated). */
typedef struct {
    const uint8_t *bytes;
    uint32_t size_bytes;
} BeamSpan;

typedef struct { uint32_t module, function, arity; } BeamImport;   /* atoms */
typedef struct { uint32_t function, arity, label; } BeamExport;    /* ExpT/LocT */
typedef struct {
    uint32_t function, arity, label; /* arity includes the free variables */
    uint32_t index, num_free, old_uniq;
} BeamLambda;                                                       /* FunT */

/* OTP 25 Type chunk entry (version 1): a set of BEAM_TYPE_* bits and an
 * integer range; min > max means "no range known". */
typedef struct {
    uint16_t type_bits;
    int64_t min, max;
} BeamType;
#define BEAM_TYPE_ALL_BITS 0x1fffu /* atom .. tuple, bits 0..12 */

/* One line-table entry; index 0 is "no location" (file 0, line 0). */
typedef struct {
    uint32_t file; /* 1..fname_count: line.fnames[file - 1]; 0 = the
                      module's own source file (no name recorded) */
    uint32_t line;
} BeamLineItem;

/* ---- generic instructions ---------------------------------------------- */

typedef enum {
    BEAM_OP_U,       /* tag u: untagged non-negative integer: counts, arities,
                        sizes, flags, label numbers of `label`, import index
                        (call_ext, bif*, gc_bif*), lambda index (make_fun*),
                        line index (line). v.u */
    BEAM_OP_INT,     /* tag i that fits int64_t. v.i */
    BEAM_OP_BIGINT,  /* tag i that does not fit int64_t: v.big = big-endian
                        two's complement bytes (>= 9, minimal), in image[] */
    BEAM_OP_NIL,     /* tag a, value 0: [] */
    BEAM_OP_ATOM,    /* tag a: v.index = atom index 1..atom_count */
    BEAM_OP_X,       /* tag x or typed register: v.reg */
    BEAM_OP_Y,       /* tag y or typed register: v.reg */
    BEAM_OP_LABEL,   /* tag f: v.index = label, 0 = none */
    BEAM_OP_CHAR,    /* tag h: v.u = character code */
    BEAM_OP_FLOAT,   /* z0 (pre-R14 float literal): v.f */
    BEAM_OP_LIST,    /* z1: v.list = elements at operands[start..start+count) */
    BEAM_OP_FR,      /* z2: float register v.index < BEAM_MAX_F_REGS */
    BEAM_OP_ALLOC,   /* z3: allocation list v.alloc */
    BEAM_OP_LITERAL, /* z4: v.index = literal index */
} BeamOpKind;

typedef struct {
    uint8_t kind; /* BeamOpKind */
    union {
        uint64_t u;
        int64_t i;
        double f;
        uint32_t index;
        BeamSpan big;
        struct {
            uint32_t n;   /* X < BEAM_MAX_X_REGS, Y < BEAM_MAX_Y_REGS */
            int32_t type; /* z5 typed register: type index; -1 = untyped */
        } reg;
        struct { uint32_t start, count; } list; /* list elements are never lists */
        struct { uint32_t words, floats, funs; } alloc;
    } v;
} BeamOperand;

/* One generic instruction: operands[args .. args+arity) in code.operands,
 * arity == genop_arity(op). offset is its byte offset in the Code chunk's
 * instruction stream (for messages). */
typedef struct {
    uint16_t op;
    uint8_t arity;
    uint32_t args;
    uint32_t offset;
} BeamInstr;

/* A function: instrs[first .. end) are its instructions, starting with
 * its first label; instrs[entry] is `label label` (the call target), and
 * instrs[entry - 1] is its func_info. */
typedef struct {
    uint32_t function, arity, label; /* atom index, arity, entry label */
    uint32_t first, entry, end;      /* instruction indexes */
} BeamFunction;

#define BEAM_NO_INSTR UINT32_MAX

typedef struct {
    /* Code chunk header */
    uint32_t format;        /* instruction set version; 0 */
    uint32_t max_opcode;    /* <= GENOP_MAX */
    uint32_t label_count;   /* labels are 1..label_count-1 */
    uint32_t function_count;
    BeamInstr *instrs;      /* ends with int_code_end */
    uint32_t instr_count;
    BeamOperand *operands;  /* instruction operands, then list elements */
    uint32_t operand_count;
    uint32_t *label_instr;  /* [label_count]: index of `label N`, or
                               BEAM_NO_INSTR for 0 */
    BeamFunction *functions; /* [function_count], in code order */
    uint32_t on_load_label; /* entry label of the on_load function, 0 = none */
} BeamCode;

typedef struct BeamFile {
    uint8_t *image; /* owned copy of the file */
    size_t image_size_bytes;

    BeamSpan *atoms; /* [atom_count + 1]; atoms[1] = module name; UTF-8 */
    uint32_t atom_count;
    BeamImport *imports;
    uint32_t import_count;
    BeamExport *exports;
    uint32_t export_count;
    BeamExport *locals; /* LocT; optional */
    uint32_t local_count;
    BeamLambda *lambdas; /* FunT; optional */
    uint32_t lambda_count;
    BeamSpan strings;    /* StrT, for bs_match_string / bs_put_string */

    /* LitT: each literal is one external-term blob (starts with 131),
     * pointing into the owned, decompressed literal_data. */
    uint8_t *literal_data;
    BeamSpan *literals;
    uint32_t literal_count;

    struct {
        int present;
        uint32_t version, flags, instr_count, item_count, fname_count;
        BeamLineItem *items; /* [item_count + 1], items[0] = no location */
        BeamSpan *fnames;    /* [fname_count] */
    } line;

    struct {
        int present;
        uint32_t version; /* 1 (OTP 25) */
        BeamType *types;
        uint32_t count;
    } types;

    uint8_t md5[16];       /* module_info(md5), as OTP computes it */
    BeamSpan attributes;   /* Attr: raw ETF ({} if absent) */
    BeamSpan compile_info; /* CInf: raw ETF ({} if absent) */

    BeamCode code;
} BeamFile;

/*
 * Parse and validate the .beam image data[0..size). On success returns 0 and
 * sets *out; on failure returns -1, sets *out = NULL, and writes into err
 * (NUL-terminated, truncated to errlen) a message naming the chunk and the
 * reason, e.g. "Code: operand 2 of move: literal index 17 out of range
 * (9 literals)". Never reads outside data[0..size).
 */
int beam_file_parse(const uint8_t *data, size_t size, BeamFile **out, char *err,
                    size_t errlen);

/* Free a BeamFile and everything it owns; NULL is ignored. */
void beam_file_free(BeamFile *bf);

/* Operand k (0-based) of instruction in. */
static inline const BeamOperand *beam_instr_arg(const BeamFile *bf, const BeamInstr *in,
                                                unsigned k)
{
    return &bf->code.operands[in->args + k];
}

/* Element k of a BEAM_OP_LIST operand. */
static inline const BeamOperand *beam_list_elem(const BeamFile *bf, const BeamOperand *list,
                                                unsigned k)
{
    return &bf->code.operands[list->v.list.start + k];
}

#endif
