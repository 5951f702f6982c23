/*
 * literal_area.c — the literal-area collector (see literal_area.h).
 *
 * A release is a LitArea with a count of outstanding acknowledgements.
 * The releaser holds one share while it sends the requests, so the count
 * cannot reach zero before every request is out and `epoch` is set. The
 * share that brings it to zero moves the area to `grace`; lit_area_poll
 * frees it once proc_epoch_passed(epoch).
 */
#include "vm/literal_area.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "vm/lock.h"
#include "vm/platform.h"
#include "vm/proc.h"
#include "vm/signal.h"

typedef struct LitArea {
    struct LitArea *next;          /* on `grace` [grace_lock] */
    GcLitRange *r;
    size_t n;
    void (*free_fn)(void *);
    void *arg;
    _Atomic int64_t pending;       /* acknowledgements still due, + the releaser's share */
    uint64_t epoch;                /* written before the releaser drops its share */
} LitArea;

static SpinLock grace_lock = SPINLOCK_INIT;
static LitArea *grace;                      /* [grace_lock] acknowledged, in their grace period */
static _Atomic size_t n_grace;              /* relaxed hint for lit_area_poll */
static _Atomic size_t n_outstanding;

size_t lit_area_outstanding(void) { return atomic_load_explicit(&n_outstanding, memory_order_relaxed); }

void lit_area_poll(void)
{
    if (!atomic_load_explicit(&n_grace, memory_order_relaxed)) return;
    LitArea *done = NULL;
    spin_lock(&grace_lock);
    for (LitArea **pp = &grace; *pp;) {
        LitArea *a = *pp;
        if (proc_epoch_passed(a->epoch)) {
            *pp = a->next;
            a->next = done;
            done = a;
            atomic_fetch_sub_explicit(&n_grace, 1, memory_order_relaxed);
        } else {
            pp = &a->next;
        }
    }
    spin_unlock(&grace_lock);
    while (done) {
        LitArea *a = done;
        done = a->next;
        a->free_fn(a->arg);
        free(a->r);
        free(a);
        atomic_fetch_sub_explicit(&n_outstanding, 1, memory_order_relaxed);
    }
}

/* acq_rel: every acknowledging process's collection (its reads of the
 * area) happens before the free that follows the last decrement. */
static void drop_share(LitArea *a)
{
    if (atomic_fetch_sub_explicit(&a->pending, 1, memory_order_acq_rel) != 1) return;
    spin_lock(&grace_lock);
    a->next = grace;
    grace = a;
    atomic_fetch_add_explicit(&n_grace, 1, memory_order_relaxed);
    spin_unlock(&grace_lock);
    lit_area_poll();
}

static void send_request(Process *q, void *arg)
{
    LitArea *a = arg;
    atomic_fetch_add_explicit(&a->pending, 1, memory_order_relaxed);
    Message *m = sig_new(MSG_LITERAL_GC, NIL, 0, NULL);
    m->extra = make_small((int64_t)(uintptr_t)a);
    sig_send_proc(q, m);      /* a closed queue acknowledges at once (sig_undeliverable) */
}

void lit_area_release(const GcLitRange *ranges, size_t n, void (*free_fn)(void *), void *arg)
{
    LitArea *a = calloc(1, sizeof *a);
    GcLitRange *r = malloc((n ? n : 1) * sizeof *r);
    if (!a || !r) plat_fatal("literal area: out of memory");
    memcpy(r, ranges, n * sizeof *r);
    a->r = r;
    a->n = n;
    a->free_fn = free_fn;
    a->arg = arg;
    atomic_store_explicit(&a->pending, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&n_outstanding, 1, memory_order_relaxed);
    proc_foreach(send_request, a);
    a->epoch = proc_epoch_advance();
    drop_share(a);
}

size_t lit_area_heap_ranges(const Heap *h, GcLitRange *out, size_t cap)
{
    size_t n = 0;
    if (h->heap && h->htop > h->heap && n < cap) out[n++] = (GcLitRange){h->heap, h->htop};
    for (HeapFragment *f = h->mbuf; f && n < cap; f = f->next)
        if (f->used_words) out[n++] = (GcLitRange){f->mem, f->mem + f->used_words};
    return n;
}

static LitArea *area_of(const Message *req) { return (LitArea *)(uintptr_t)small_value(req->extra); }

void lit_area_serve(Process *p, const Message *req)
{
    LitArea *a = area_of(req);
    p->reductions += (uint64_t)gc_collect_literals(p, a->r, a->n);
    drop_share(a);
}

void lit_area_ack(const Message *req) { drop_share(area_of(req)); }
