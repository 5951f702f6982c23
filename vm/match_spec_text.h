/*
 * match_spec_text.h — terms printed the way erts prints them in match
 * specification diagnostics (see match_spec_text.c).
 */
#ifndef BEAMOS_VM_MATCH_SPEC_TEXT_H
#define BEAMOS_VM_MATCH_SPEC_TEXT_H

#include <stddef.h>

#include "vm/term.h"

/* OTP formats each diagnostic into a fixed buffer: longer ones are cut to
 * this many bytes. */
#define MS_ERROR_MAX_BYTES 99

/* Writes at most cap - 1 bytes and a NUL (if cap > 0); returns the length
 * the whole text has (>= cap: cut), like snprintf. */
size_t ms_text_term(char *buf, size_t cap, term_t t);

#endif
