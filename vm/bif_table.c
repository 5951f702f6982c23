/* bif_table.c — the BIF table, expanded from vm/bifs_all.def. */
#include "vm/bif.h"

const BifEntry bif_table[] = {
#define BIF(m, n, a, f, fl) {m, n, a, fl, f},
#include "vm/bifs_all.def"
#undef BIF
    {0, 0, 0, 0, 0},
};

const unsigned bif_table_count = sizeof bif_table / sizeof bif_table[0] - 1;
