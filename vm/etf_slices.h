/*
 * etf_slices.h — term_to_binary and binary_to_term as BIFs that work in
 * slices (bif_yield.h): small terms in one call as before, large ones
 * trapping to beamos:term_to_binary_slice/3 and
 * beamos:binary_to_term_slice/2 (etf_encode_slices.c, etf_decode_slices.c;
 * docs/long_bifs.md).
 */
#ifndef BEAMOS_VM_ETF_SLICES_H
#define BEAMOS_VM_ETF_SLICES_H

#include <stdbool.h>

#include "vm/etf.h"
#include "vm/process.h"

/* term_to_binary of t with the parsed options (level 0 = uncompressed);
 * iovec: the result in a list (term_to_iovec). args: the calling BIF's
 * argument registers; 3 may be written. */
term_t etf_term_to_binary_bif(Process *p, term_t *args, term_t t, const EtfOptions *o, int level, bool iovec);
/* term_to_binary/2 (term_to_iovec/2 if iovec) of args[0] with options
 * list opts (bif_erlang_etf.c). */
term_t bif_term_to_binary_common(Process *p, term_t *args, term_t opts, bool iovec);
/* binary_to_term of bin (used: {Term, Used}; safe: no new atoms).
 * args: the calling BIF's argument registers; 2 may be written. */
term_t etf_binary_to_term_bif(Process *p, term_t *args, term_t bin, bool used, bool safe);

#endif
