/*
 * genop.c — name/arity/status tables for the generic opcodes, expanded from
 * genop.def. Index 0 is unused (no opcode 0 exists).
 */
#include "vm/genop.h"

static const char *const genop_names[GENOP_MAX + 1] = {
#define GENOP(num, name, arity, status) [num] = #name,
#include "vm/genop.def"
#undef GENOP
};

static const uint8_t genop_arities[GENOP_MAX + 1] = {
#define GENOP(num, name, arity, status) [num] = (arity),
#include "vm/genop.def"
#undef GENOP
};

static const uint8_t genop_statuses[GENOP_MAX + 1] = {
#define GENOP(num, name, arity, status) [num] = (status),
#include "vm/genop.def"
#undef GENOP
};

/* genop.def must list 1..GENOP_MAX in order, ending exactly at GENOP_MAX. */
enum {
#define GENOP(num, name, arity, status) genop_check_##num = (num),
#include "vm/genop.def"
#undef GENOP
};
_Static_assert(genop_check_180 == GENOP_MAX, "genop.def ends at GENOP_MAX");
_Static_assert(sizeof genop_names / sizeof genop_names[0] == GENOP_MAX + 1,
               "genop.def numbers exceed GENOP_MAX");

const char *genop_name(unsigned op)
{
    return op >= 1 && op <= GENOP_MAX ? genop_names[op] : "?";
}

unsigned genop_arity(unsigned op)
{
    return op <= GENOP_MAX ? genop_arities[op] : 0;
}

GenopStatus genop_status(unsigned op)
{
    return op >= 1 && op <= GENOP_MAX ? (GenopStatus)genop_statuses[op]
                                      : GENOP_OBSOLETE;
}
