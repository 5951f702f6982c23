/*
 * genop.h — the generic instruction set of OTP 25 .beam files, expanded
 * from genop.def. GENOP_<name> is the opcode number used in the Code chunk.
 */
#ifndef BEAMOS_VM_GENOP_H
#define BEAMOS_VM_GENOP_H

#include <stdint.h>

enum {
#define GENOP(num, name, arity, status) GENOP_##name = (num),
#include "vm/genop.def"
#undef GENOP
};

/* Highest opcode this VM knows (OTP 25: badrecord/1). */
#define GENOP_MAX 180

/* Most operands any generic instruction takes (bs_append/8). */
#define GENOP_MAX_ARITY 8

typedef enum {
    GENOP_EMITTED,  /* OTP 25's compiler emits it */
    GENOP_LEGACY,   /* valid, emitted only by older compilers */
    GENOP_OBSOLETE  /* '-' in genop.tab: refused by the loader */
} GenopStatus;

/* Name (genop.tab spelling), operand count and status of opcode op;
 * op must be 1..GENOP_MAX. */
const char *genop_name(unsigned op);
unsigned genop_arity(unsigned op);
GenopStatus genop_status(unsigned op);

#endif
