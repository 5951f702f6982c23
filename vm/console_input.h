/*
 * console_input.h — wake the process waiting for console input, instead of
 * having it poll. The console I/O server (vm/lib/beamos_console.erl) reads
 * what is buffered (beamos:console_read/0) until nothing is left, then
 * calls beamos:console_notify/0; when more input arrives it is sent the
 * message `console_input` (once per call) and reads again.
 */
#ifndef BEAMOS_VM_CONSOLE_INPUT_H
#define BEAMOS_VM_CONSOLE_INPUT_H

#include "vm/term.h"

/* The caller (beamos:console_read/0) is about to read: input counted up
 * to now will be seen by that read. */
void console_input_reading(void);
/* Register pid to receive `console_input` when input arrives after its last
 * read (at once if some already has). One waiter; a new call replaces it. */
void console_input_notify(term_t pid);
/* From every scheduler's loop: deliver the notification if input arrived.
 * One relaxed load when nobody waits. */
void console_input_check(void);

#endif
