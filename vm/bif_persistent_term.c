/*
 * bif_persistent_term.c — persistent_term: put/2, get/1, get/2, erase/1,
 * get/0, info/0. One node-wide table of Key -> Value.
 *
 * Storage: each entry owns one permanent heap fragment holding a deep copy
 * of {Key, Value} (term_copy; ProcBins in it hold their own reference
 * through the entry's OffHeap). get/1 returns the stored term IN PLACE, no
 * copy, as OTP does: the garbage collector leaves terms outside a process's
 * heaps where they are (like literals).
 *
 * Release (as OTP): an entry that erase/1 or a replacing put/2 removes
 * from the table may still be referenced by any process (get/1 handed out
 * pointers into it). Once out of the table, its fragment is handed to the
 * literal-area collector (literal_area.h): every process copies what it
 * references of it into its own heap, then the entry is freed. Like OTP,
 * that costs a major collection of every process per replacing put or
 * erase; memory no longer grows with them.
 *
 * Lock: pt_lock guards buckets, count and pt_bytes. Readers take it too;
 * reads should become lock-free (an RCU-published bucket array, with a
 * writer copying the table as OTP does) once schedulers contend here. The
 * lock is never held while building terms on a process heap: get/0 copies
 * the entry pointers out first. An entry is immutable, and is freed only
 * after every process (the caller of get/0 too, which cannot serve the
 * collection while inside the BIF) has collected against it.
 */
#include <stdlib.h>

#include "vm/atom.h"
#include "vm/bif.h"
#include "vm/bif_util.h"
#include "vm/literal_area.h"
#include "vm/lock.h"
#include "vm/map.h"
#include "vm/phash.h"
#include "vm/platform.h"
#include "vm/sys_stats.h"
#include "vm/term_compare.h"
#include "vm/term_copy.h"

typedef struct PtEntry {
    struct PtEntry *next;      /* bucket chain */
    uint32_t hash;             /* phash2 of the key */
    term_t key, value;         /* inside frag */
    HeapFragment *frag;        /* permanent */
    OffHeap off_heap;          /* ProcBins in frag */
} PtEntry;

#define PT_BUCKETS 1024u

static SpinLock pt_lock = SPINLOCK_INIT;
static PtEntry *buckets[PT_BUCKETS];   /* [pt_lock] */
static size_t pt_count;                /* [pt_lock] live entries */
static uint64_t pt_bytes;              /* [pt_lock] live and being released */

static uint64_t entry_bytes(const PtEntry *e)
{
    return sizeof *e + sizeof(HeapFragment) + e->frag->alloc_words * sizeof(term_t);
}

static PtEntry *entry_new(term_t key, term_t value, uint32_t hash)
{
    size_t kw = term_copy_size(key), vw = term_copy_size(value);
    PtEntry *e = calloc(1, sizeof *e);
    if (!e) plat_fatal("persistent_term: out of memory");
    e->frag = term_fragment_new(kw + vw ? kw + vw : 1);
    term_t *hp = e->frag->mem;
    e->key = term_copy(key, &hp, &e->off_heap);
    e->value = term_copy(value, &hp, &e->off_heap);
    e->hash = hash;
    return e;
}

static void entry_free(void *arg)
{
    PtEntry *e = arg;
    uint64_t b = entry_bytes(e);
    heap_off_heap_release(&e->off_heap);
    free(e->frag);
    free(e);
    spin_lock(&pt_lock);
    pt_bytes -= b;
    spin_unlock(&pt_lock);
}

/* e is out of the table: free it once no process references it. */
static void entry_release(PtEntry *e)
{
    GcLitRange r = {e->frag->mem, e->frag->mem + e->frag->used_words};
    lit_area_release(&r, 1, entry_free, e);
}

/* The live entry for key in its chain; *prev gets the link to it. */
static PtEntry *find(term_t key, uint32_t hash, PtEntry ***prev)
{
    PtEntry **pp = &buckets[hash % PT_BUCKETS];
    for (; *pp; pp = &(*pp)->next) {
        if ((*pp)->hash == hash && term_eq_exact((*pp)->key, key)) {
            if (prev) *prev = pp;
            return *pp;
        }
    }
    if (prev) *prev = pp;
    return NULL;
}

term_t bif_persistent_term_put_2(Process *p, term_t *args)
{
    (void)p;
    term_t key = args[0], value = args[1];
    uint32_t hash = phash2(key);
    spin_lock(&pt_lock);
    PtEntry *old = find(key, hash, NULL);
    bool same = old && term_eq_exact(old->value, value);
    spin_unlock(&pt_lock);
    if (same) return ATOM_ok;               /* OTP: no change, no retirement */

    PtEntry *e = entry_new(key, value, hash);   /* copy outside the lock */
    PtEntry **pp;
    spin_lock(&pt_lock);
    old = find(key, hash, &pp);
    if (old) {
        e->next = old->next;
        *pp = e;
    } else {
        e->next = NULL;
        *pp = e;
        pt_count++;
    }
    pt_bytes += entry_bytes(e);
    spin_unlock(&pt_lock);
    if (old) entry_release(old);
    return ATOM_ok;
}

static term_t lookup(term_t key)
{
    uint32_t hash = phash2(key);
    spin_lock(&pt_lock);
    PtEntry *e = find(key, hash, NULL);
    term_t v = e ? e->value : THE_NON_VALUE;
    spin_unlock(&pt_lock);
    return v;
}

term_t bif_persistent_term_get_1(Process *p, term_t *args)
{
    term_t v = lookup(args[0]);
    if (v == THE_NON_VALUE) BIF_ERROR(p, ATOM_badarg);
    return v;
}

term_t bif_persistent_term_get_2(Process *p, term_t *args)
{
    (void)p;
    term_t v = lookup(args[0]);
    return v == THE_NON_VALUE ? args[1] : v;
}

term_t bif_persistent_term_erase_1(Process *p, term_t *args)
{
    (void)p;
    uint32_t hash = phash2(args[0]);
    PtEntry **pp;
    spin_lock(&pt_lock);
    PtEntry *e = find(args[0], hash, &pp);
    if (e) {
        *pp = e->next;
        pt_count--;
    }
    spin_unlock(&pt_lock);
    if (e) entry_release(e);
    return e ? ATOM_true : ATOM_false;
}

/* get/0: [{Key, Value}] of every live entry (order unspecified, as OTP).
 * The stored key and value are referenced in place. */
term_t bif_persistent_term_get_0(Process *p, term_t *args)
{
    (void)args;
    size_t cap;
    PtEntry **snap;
    for (;;) {
        spin_lock(&pt_lock);
        cap = pt_count;
        spin_unlock(&pt_lock);
        snap = malloc((cap ? cap : 1) * sizeof *snap);
        if (!snap) BIF_ERROR(p, ATOM_system_limit);
        size_t n = 0;
        bool fits = true;
        spin_lock(&pt_lock);
        for (unsigned b = 0; b < PT_BUCKETS && fits; b++)
            for (PtEntry *e = buckets[b]; e; e = e->next) {
                if (n == cap) { fits = false; break; }
                snap[n++] = e;
            }
        spin_unlock(&pt_lock);
        if (fits) { cap = n; break; }
        free(snap);
    }
    term_t l = NIL;
    for (size_t i = 0; i < cap; i++) {
        term_t *hp = heap_alloc(&p->h, 3 + CONS_WORDS);
        hp[1] = snap[i]->key;
        hp[2] = snap[i]->value;
        l = make_cons(hp + 3, make_tuple_header(hp, 2), l);
    }
    free(snap);
    return l;
}

uint64_t pterm_memory_bytes(void)
{
    spin_lock(&pt_lock);
    uint64_t b = pt_bytes + sizeof buckets;
    spin_unlock(&pt_lock);
    return b;
}

/* info/0: #{count => Live, memory => Bytes} (bytes include entries still
 * being released). */
term_t bif_persistent_term_info_0(Process *p, term_t *args)
{
    (void)args;
    spin_lock(&pt_lock);
    size_t n = pt_count;
    spin_unlock(&pt_lock);
    term_t keys[2] = {ATOM_count, ATOM_memory};
    term_t vals[2] = {bif_make_uint64(&p->h, n), bif_make_uint64(&p->h, pterm_memory_bytes())};
    return map_from_pairs(&p->h, keys, vals, 2);
}
