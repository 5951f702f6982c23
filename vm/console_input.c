/*
 * console_input.c — see console_input.h.
 *
 * State: the waiting pid (NIL if none) and the input count
 * (plat_console_input_seq) at the last read. Input that arrives after that
 * read makes the count differ. The waiter is taken with a CAS, so exactly
 * one scheduler sends the message; a notification that finds the buffer
 * empty after all (a count that grew for bytes an earlier read already
 * took) only makes the server read <<>> and register again.
 */
#include "vm/console_input.h"

#include <stdatomic.h>

#include "vm/atom.h"
#include "vm/mailbox.h"
#include "vm/platform.h"

static _Atomic term_t waiter = NIL;
static _Atomic uint64_t read_seq;

void console_input_reading(void)
{
    atomic_store(&read_seq, plat_console_input_seq());
}

static void deliver_if_arrived(void)
{
    term_t w = atomic_load(&waiter);
    if (w == NIL || plat_console_input_seq() == atomic_load(&read_seq))
        return;
    if (atomic_compare_exchange_strong(&waiter, &w, NIL))
        (void)mbox_send(NULL, w, ATOM_console_input);
}

void console_input_notify(term_t pid)
{
    atomic_store(&waiter, pid);
    deliver_if_arrived();       /* input that came between the read and now */
}

void console_input_check(void)
{
    if (atomic_load_explicit(&waiter, memory_order_relaxed) != NIL)
        deliver_if_arrived();
}
