/*
 * literal_area.h — releasing a literal area that processes may still
 * reference: the literals of purged code, a replaced or erased
 * persistent_term value (docs/code_purge.md).
 *
 * Such an area is shared, read in place by every process (the collector
 * never copies or scans it), so it can be freed only when no process
 * points into it. As OTP's literal-area collector does: once the area is
 * unreachable for new readers (the old code is out of the module table,
 * the persistent_term entry out of its table), every process is sent a
 * MSG_LITERAL_GC signal. Its owner serves it between two slices with a
 * major collection that treats the area as from-space and copies out
 * whatever it references (gc_collect_literals), then acknowledges. When
 * every process has acknowledged, and every scheduler has passed a
 * quiescent point (so a process that was already exiting, out of the
 * table and not asked, has finished its exit), the area's free function
 * runs.
 *
 * Why nothing else can hold a pointer into the area: messages, ETS
 * objects, persistent_term values, timers' messages, exit reasons and
 * monitor tags are all built by term_copy, which copies literals too
 * (term_copy.h); a process spawned after the area became unreachable
 * cannot have read it (its arguments are copied).
 */
#ifndef BEAMOS_VM_LITERAL_AREA_H
#define BEAMOS_VM_LITERAL_AREA_H

#include <stddef.h>

#include "vm/gc.h"
#include "vm/heap.h"
#include "vm/mailbox.h"

/* Start releasing the area made of the n ranges (copied): free_fn(arg)
 * runs once no process references them, on whichever scheduler sees the
 * last acknowledgement (or here, when there is no process). The area must
 * already be unreachable for new readers. Never blocks. */
void lit_area_release(const GcLitRange *ranges, size_t n, void (*free_fn)(void *), void *arg);
/* The ranges of a Heap used as a literal area: its block and fragments.
 * Returns how many were written (at most cap). */
size_t lit_area_heap_ranges(const Heap *h, GcLitRange *out, size_t cap);

/* Process side (code_purge.c serves the request): collect p against the
 * request's area, then acknowledge. p is stopped, registers in arg_reg. */
void lit_area_serve(Process *p, const Message *req);
/* The process is exiting or gone: acknowledge without collecting. */
void lit_area_ack(const Message *req);

/* From the scheduler loop's quiescent point: free the areas whose grace
 * period is over. Cheap when there are none. */
void lit_area_poll(void);
/* Areas not freed yet (released, waiting for acknowledgements or the
 * grace period): for tests and erlang:memory. */
size_t lit_area_outstanding(void);

#endif
