/*
 * magic.c — MagicBin allocation and reference counting, magic ref
 * construction (layouts and invariants in magic.h).
 */
#include "vm/magic.h"

#include <stdlib.h>

#include "vm/lock.h"

/* ---- export table: chained hash on the ref numbers ----
 * table_lock guards buckets[] and every entry and MagicBin.exported. An
 * entry does not keep its object alive: magic_import only takes a count
 * from an object whose count is not yet 0, and the last deref removes the
 * entry (under the lock) before it frees the object. */
typedef struct ExportEntry {
    struct ExportEntry *next;
    MagicBin *mb;
} ExportEntry;

#define EXPORT_BUCKETS 256
static ExportEntry *buckets[EXPORT_BUCKETS];
static SpinLock table_lock = SPINLOCK_INIT;

static ExportEntry **bucket_of(const uint32_t num[REF_NUMBERS])
{
    uint32_t h = num[0] * 2654435761u ^ num[1] * 40503u ^ num[2];
    return &buckets[h % EXPORT_BUCKETS];
}

static bool same_numbers(const MagicBin *mb, const uint32_t num[REF_NUMBERS])
{
    return mb->num[0] == num[0] && mb->num[1] == num[1] && mb->num[2] == num[2];
}

void magic_export(term_t t)
{
    MagicBin *mb = magic_ref_val(t)->mb;
    ExportEntry *e = malloc(sizeof *e);   /* outside the lock (lock.h) */
    spin_lock(&table_lock);
    if (!mb->exported && e) {
        ExportEntry **b = bucket_of(mb->num);
        e->mb = mb;
        e->next = *b;
        *b = e;
        mb->exported = 1;
        e = NULL;
    }
    spin_unlock(&table_lock);
    free(e);
}

MagicBin *magic_import(const uint32_t num[REF_NUMBERS])
{
    MagicBin *found = NULL;
    spin_lock(&table_lock);
    for (ExportEntry *e = *bucket_of(num); e; e = e->next) {
        if (!same_numbers(e->mb, num)) continue;
        uint64_t c = atomic_load_explicit(&e->mb->refc, memory_order_relaxed);
        /* A count of 0: the object is on its way out (the deref waits for
         * this lock to remove the entry); it is gone for Erlang code. */
        while (c && !atomic_compare_exchange_weak_explicit(&e->mb->refc, &c, c + 1,
                                                           memory_order_relaxed, memory_order_relaxed)) {
        }
        if (c) found = e->mb;
        break;
    }
    spin_unlock(&table_lock);
    return found;
}

static void unexport(MagicBin *mb)
{
    ExportEntry *gone = NULL;
    spin_lock(&table_lock);
    for (ExportEntry **l = bucket_of(mb->num); *l; l = &(*l)->next) {
        if ((*l)->mb == mb) {
            gone = *l;
            *l = gone->next;
            break;
        }
    }
    mb->exported = 0;
    spin_unlock(&table_lock);
    free(gone);
}

/* Live MagicBin bytes, for erlang:memory/0,1. Relaxed: a statistic. */
static _Atomic uint64_t bytes_in_use;

MagicBin *magic_bin_alloc(size_t data_bytes, MagicDestructor destroy)
{
    size_t bytes = sizeof(MagicBin) + data_bytes;
    if (bytes < data_bytes) return NULL;
    MagicBin *mb = malloc(bytes);
    if (!mb) return NULL;
    atomic_init(&mb->refc, 1);
    mb->destroy = destroy;
    mb->bytes = bytes;
    mb->exported = 0;
    atomic_fetch_add_explicit(&bytes_in_use, bytes, memory_order_relaxed);
    return mb;
}

void magic_bin_deref(MagicBin *mb)
{
    if (atomic_fetch_sub_explicit(&mb->refc, 1, memory_order_acq_rel) != 1) return;
    if (mb->exported) unexport(mb);
    if (mb->destroy) mb->destroy(mb);
    atomic_fetch_sub_explicit(&bytes_in_use, mb->bytes, memory_order_relaxed);
    free(mb);
}

uint64_t magic_bytes_in_use(void) { return atomic_load_explicit(&bytes_in_use, memory_order_relaxed); }

term_t magic_ref_make(Heap *h, MagicBin *mb, const uint32_t num[REF_NUMBERS])
{
    MagicRef *m = (MagicRef *)heap_alloc(h, MAGIC_REF_WORDS);
    m->thing_word = make_header(MAGIC_REF_WORDS - 1, REF_SUBTAG);
    m->size = 0;
    m->mb = mb;
    m->num01 = (uint64_t)num[0] | ((uint64_t)num[1] << 32);
    m->num2 = num[2];
    for (int i = 0; i < REF_NUMBERS; i++) mb->num[i] = num[i];
    /* INVARIANT (heap.h): every off-heap-referencing object on a heap is on
     * its off-heap list. */
    m->next = h->off_heap.first;
    h->off_heap.first = (OffHeapHeader *)m;
    return make_boxed((term_t *)m);
}
