/*
 * gc.c — the collector's driver: the root set, minor and major
 * collections, heap sizing (OTP's grow/shrink policy), and a process's heap
 * memory from birth to death. The copying itself is in gc_copy.c.
 *
 * INVARIANTS between collections (docs/gc.md):
 *  - the young block is [h.heap, heap_end): heap grows up to h.htop, the
 *    stack grows down from heap_end to h.hend; heap_sz = heap_end - h.heap;
 *  - [h.heap, high_water) survived one collection and is promoted to the
 *    old heap by the next minor collection;
 *  - the old heap [old_heap, old_htop) never points into the young heap or
 *    into fragments (terms are immutable and only ever point at older ones);
 *  - every fragment on h.mbuf is a malloc'ed HeapFragment that the process
 *    owns; the collector merges it and frees it with free().
 */
#include "vm/gc.h"
#include "vm/heap_limits.h"
#include "vm/system_monitor.h"

#include <stdlib.h>
#include <string.h>

#include "vm/gc_impl.h"
#include "vm/mailbox.h"
#include "vm/platform.h"
#include "vm/sys_stats.h"

/* ------------------------------------------------------------- root set */

typedef void (*RootFn)(void *ctx, term_t *v, size_t n);

/* Every root vector of p; the stack is the `stack_n` words at `stack` (where
 * it is being moved to, during a collection). */
static void roots_visit(Process *p, term_t *x_reg, unsigned live, term_t *stack, size_t stack_n, RootFn fn,
                        void *ctx) {
    if (x_reg) fn(ctx, x_reg, live);
    else if (p->arg_reg) fn(ctx, p->arg_reg, p->arity);
    /* Stack: CP words (tag 00) are skipped by the visitors, catch words are
     * immediates. */
    fn(ctx, stack, stack_n);
    if (p->pd) fn(ctx, p->pd, p->pd_size);   /* the dictionary's buckets */
    fn(ctx, &p->fvalue, 1);
    fn(ctx, &p->ftrace, 1);
    fn(ctx, &p->msg_mark_ref, 1);
    fn(ctx, &p->group_leader, 1);
    fn(ctx, &p->exit_reason, 1);
    /* Queue entries are not roots: their terms live in their own fragments,
     * which join h.mbuf only when the message is removed (mailbox.c), so
     * nothing queued points into from-space and a long queue costs a
     * collection nothing. check_queue_outside_mbuf() checks that in the
     * GC_STRESS build. */
}

static void root_evacuate(void *ctx, term_t *v, size_t n) {
    GcCopy *c = ctx;
    for (size_t i = 0; i < n; i++) gc_evacuate(c, &v[i]);
}

typedef struct {
    term_t delta;
    const term_t *lo, *hi;
} OffsetCtx;

static void root_offset(void *ctx, term_t *v, size_t n) {
    OffsetCtx *o = ctx;
    gc_offset_words(v, n, o->delta, o->lo, o->hi);
}

/* ---------------------------------------------------------- small helpers */

static term_t *alloc_words(size_t words) {
    term_t *b = malloc(words * sizeof(term_t));
    if (!b) plat_fatal("gc: out of memory for a heap block");
    return b;
}

static size_t next_heap_size(const Process *p, size_t words) {
    size_t sz = gc_next_heap_size(words);
    return sz < p->min_heap_size ? p->min_heap_size : sz;
}

static size_t stack_words(const Process *p) { return (size_t)(p->heap_end - p->h.hend); }

/* OTP's gc_cost: live words moved / 10 plus words moved by a resize / 100. */
static int gc_cost(size_t moved_live_words, size_t resize_moved_words) {
    size_t reds = moved_live_words / 10 + resize_moved_words / 100;
    if (reds < 1) return 1;
    if (reds > 0x7fffffff) return 0x7fffffff;
    return (int)reds;
}

#ifdef GC_STRESS
/* INVARIANT (mailbox.c): a queued message's fragment is never on h.mbuf
 * (it joins the heap only when the message is removed), so a collection
 * that frees h.mbuf leaves every queued message intact. Checked here, in
 * the stress build only: the walk is O(queue) per collection. */
static void check_queue_outside_mbuf(Process *p) {
    for (HeapFragment *f = p->h.mbuf; f; f = f->next)
        for (Message *m = p->msg_first; m; m = m->next)
            if (m->frag == f) plat_fatal("gc: a queued message's fragment is on h.mbuf");
    for (Message *m = p->msg_first; m; m = m->next) {
        term_t t[3] = {m->msg, m->from, m->extra};
        for (int i = 0; i < 3; i++) {
            if (!is_boxed(t[i]) && !is_list(t[i])) continue;
            const term_t *ptr = is_list(t[i]) ? list_val(t[i]) : boxed_val(t[i]);
            if (ptr >= p->h.heap && ptr < p->heap_end) plat_fatal("gc: a queued message points into the heap");
        }
    }
}
#else
static void check_queue_outside_mbuf(Process *p) { (void)p; }
#endif

static void free_fragments(Process *p) {
    while (p->h.mbuf) {
        HeapFragment *f = p->h.mbuf;
        p->h.mbuf = f->next;
        free(f);
    }
    p->h.mbuf_sz = 0;
}

/* Puts a new young block in place: n_heap of new_sz words, used up to
 * n_htop, with the stack already copied to its end. Frees the old block. */
static void install_young(Process *p, term_t *n_heap, size_t new_sz, term_t *n_htop) {
    size_t stack = stack_words(p);
    free(p->h.heap);
    p->h.heap = n_heap;
    p->h.htop = n_htop;
    p->heap_end = n_heap + new_sz;
    p->h.hend = p->heap_end - stack;
    p->heap_sz = new_sz;
}

/* ---------------------------------------------------------------- resize */

/* After the young block moved from address old_lo to p->h.heap: every
 * pointer into its old used range [old_lo, old_hi) is moved too, in the
 * heap (already at its new place), the roots and the off-heap list (whose
 * links are raw pointers into the heap, fixed before each is followed).
 * The old range comes as integers, out of line: GCC's use-after-realloc
 * check cannot tell these address comparisons from reads of the old
 * block. */
static __attribute__((noinline)) void offset_young(Process *p, term_t *x_reg, unsigned live, uintptr_t old_lo,
                                                   uintptr_t old_hi) {
    OffsetCtx o = {(term_t)((uintptr_t)p->h.heap - old_lo), (const term_t *)old_lo, (const term_t *)old_hi};
    gc_offset_heap(p->h.heap, p->h.htop, o.delta, o.lo, o.hi);
    roots_visit(p, x_reg, live, p->h.hend, stack_words(p), root_offset, &o);
    for (OffHeapHeader **link = &p->h.off_heap.first; *link; link = &(*link)->next)
        if ((uintptr_t)*link >= old_lo && (uintptr_t)*link < old_hi)
            *link = (OffHeapHeader *)((uintptr_t)*link + o.delta);
}

/* Resizes the young block to new_sz words (grow or shrink) in place when
 * the allocator can (realloc; OTP's grow_new_heap/shrink_new_heap do the
 * same): the stack moves to the new end, and only if the block itself
 * moved are the pointers into it offset (in the heap, the roots and the
 * off-heap list links). Precondition: no fragments, the old heap does not
 * point into the young heap. Returns the words of the young block (OTP
 * charges them whether or not the block moved). */
static size_t resize_young(Process *p, size_t new_sz, term_t *x_reg, unsigned live) {
    size_t used = (size_t)(p->h.htop - p->h.heap), stack = stack_words(p), old_sz = p->heap_sz;
    if (used + stack > new_sz) return 0;
    term_t *old = p->h.heap;
    uintptr_t old_lo = (uintptr_t)old, old_hi = (uintptr_t)(old + used); /* only compared after realloc */
    size_t hw = (size_t)(p->high_water - old);
    /* shrinking: the stack moves down before the block's end goes */
    if (new_sz < old_sz) memmove(old + new_sz - stack, p->h.hend, stack * sizeof(term_t));
    term_t *n = realloc(old, new_sz * sizeof(term_t));
    if (!n) plat_fatal("gc: out of memory for a heap block");
    /* growing: the stack moves up to the new end */
    if (new_sz > old_sz) memmove(n + new_sz - stack, n + old_sz - stack, stack * sizeof(term_t));

    p->h.heap = n;
    p->h.htop = n + used;
    p->heap_end = n + new_sz;
    p->h.hend = p->heap_end - stack;
    p->heap_sz = new_sz;
    p->high_water = n + hw;
    if ((uintptr_t)n != old_lo) offset_young(p, x_reg, live, old_lo, old_hi);
    return used + stack;
}

/* ------------------------------------------------------------ collections */

/* The common copy: from-space per with_old, young to-space of new_sz words,
 * promotion of [heap, mature_hi) to the old heap (mature_hi NULL: none;
 * the old heap then has room for it). Returns the words copied. */
/* Literal ranges of a literal-area collection (gc_collect_literals), or
 * none: [run] state of the collecting scheduler, set only around one
 * major collection. */
typedef struct {
    const GcRange *r;
    size_t n;
    size_t words;        /* their total size: the most a collection copies out */
} LitRanges;

static size_t copy_live(Process *p, bool with_old, term_t *mature_hi, size_t new_sz, term_t *x_reg,
                        unsigned live, const LitRanges *lit) {
    size_t stack = stack_words(p);
    term_t *n_heap = alloc_words(new_sz);
    GcCopy c;
    if (gc_space_init_ex(&c.from, p, with_old, lit ? lit->r : NULL, lit ? lit->n : 0) != 0)
        plat_fatal("gc: out of memory");
    c.lit_fwd = NULL;
    c.lit_cap = c.lit_n = 0;
    c.lit_oh = lit && lit->n ? &p->h.off_heap : NULL;
    bool promote = mature_hi != NULL && mature_hi != p->h.heap;
    c.mature_lo = p->h.heap;
    c.mature_hi = promote ? mature_hi : p->h.heap;
    c.n_htop = n_heap;
    c.old_htop = p->old_htop;
    c.copied_words = 0;

    /* The stack moves first, so the stack roots are updated in place. */
    term_t *n_stop = n_heap + new_sz - stack;
    memcpy(n_stop, p->h.hend, stack * sizeof(term_t));
    roots_visit(p, x_reg, live, n_stop, stack, root_evacuate, &c);

    term_t *scan = n_heap, *old_scan = p->old_htop;
    gc_scan(&c, &scan, promote ? &old_scan : NULL);

    gc_sweep_off_heap(p, &c.from);
    check_queue_outside_mbuf(p);
    gc_space_free(&c.from);
    free(c.lit_fwd);

    free_fragments(p);
    install_young(p, n_heap, new_sz, c.n_htop);
    if (promote) p->old_htop = c.old_htop;
    p->high_water = p->h.htop;
    return c.copied_words;
}

static size_t young_usage(const Process *p) { return (size_t)(p->h.htop - p->h.heap) + p->h.mbuf_sz; }

/* Minor collection: -1 when the old heap cannot take the mature data. */
static int minor_collection(Process *p, size_t need, term_t *x_reg, unsigned live) {
    size_t size_before = young_usage(p);
    term_t *hw = p->high_water;
    uintptr_t hwa = (uintptr_t)hw;
    if (!hw || hwa < (uintptr_t)p->h.heap) hw = p->h.heap;
    else if (hwa > (uintptr_t)p->h.htop) hw = p->h.htop;
    size_t mature = (size_t)(hw - p->h.heap);

    if (!p->old_heap && mature) {
        /* OTP picks one size above what the young data needs: fewer full
         * sweeps. */
        size_t sz = gc_next_heap_size(gc_next_heap_size(size_before) + 1);
        p->old_heap = p->old_htop = alloc_words(sz);
        p->old_hend = p->old_heap + sz;
    }
    if (mature && (size_t)(p->old_hend - p->old_htop) < mature) return -1;

    size_t stack = stack_words(p);
    size_t new_sz = next_heap_size(p, stack + size_before + need);
    size_t moved = copy_live(p, false, hw, new_sz, x_reg, live, NULL);
    p->gen_gcs++;

    /* OTP's policy after a minor collection: shrink an excessively large
     * heap (never bother below 3000 words). Growth is not needed: need was
     * part of the size. */
    size_t resized = 0;
    size_t need_after = (size_t)(p->h.htop - p->h.heap) + need + stack;
    size_t old_sz = p->old_heap ? (size_t)(p->old_hend - p->old_heap) : 0;
    if (p->heap_sz > 3000 && 4 * need_after < p->heap_sz && (p->heap_sz > 8000 || p->heap_sz > old_sz)) {
        size_t wanted = 3 * need_after;
        if (wanted * 9 < old_sz && old_sz / 8 > wanted) wanted = old_sz / 8;
        wanted = wanted < p->min_heap_size ? p->min_heap_size : next_heap_size(p, wanted);
        if (wanted < p->heap_sz) resized = resize_young(p, wanted, x_reg, live);
    }
    return gc_cost(moved, resized);
}

/* Major collection (full sweep): everything live moves into one new young
 * heap; the old heap is discarded. */
static int major_collection(Process *p, size_t need, term_t *x_reg, unsigned live, const LitRanges *lit) {
    size_t old_used = p->old_heap ? (size_t)(p->old_htop - p->old_heap) : 0;
    size_t size_before = young_usage(p) + old_used;
    size_t stack = stack_words(p);
    /* A literal-area collection may copy the whole area in (each object
     * once), so the new block must be able to take it. */
    size_t new_sz = next_heap_size(p, stack + size_before + need + (lit ? lit->words : 0));

    size_t moved = copy_live(p, true, NULL, new_sz, x_reg, live, lit);
    free(p->old_heap);
    p->old_heap = p->old_htop = p->old_hend = NULL;
    p->gen_gcs = 0;

    /* OTP's adjust_after_fullsweep. Where OTP postpones growing a heap
     * that is over 75% full to the next collection (F_HEAP_GROW), we grow
     * now: there is no flag for it in Process. */
    size_t resized = 0;
    size_t need_after = (size_t)(p->h.htop - p->h.heap) + need + stack;
    if (p->heap_sz < need_after || 3 * p->heap_sz < 4 * need_after) {
        resized = resize_young(p, next_heap_size(p, p->heap_sz + 1 > need_after ? p->heap_sz + 1 : need_after),
                               x_reg, live);
    } else if (4 * need_after < p->heap_sz && p->heap_sz > p->min_heap_size) {
        size_t wanted = 2 * need_after;
        size_t sz = wanted < p->min_heap_size ? p->min_heap_size : next_heap_size(p, wanted);
        if (sz < p->heap_sz) resized = resize_young(p, sz, x_reg, live);
    }
    return gc_cost(moved, resized);
}

static int collect(Process *p, size_t need_words, term_t *x_reg, unsigned live, const LitRanges *lit) {
    if (!p->h.heap) plat_fatal("gc: process has no heap");
    uint64_t vheap_words = p->h.off_heap.overhead / sizeof(term_t);
    bool major = lit || (p->flags & PF_FORCE_GC) || p->gen_gcs >= p->max_gen_gcs ||
                 vheap_words >= p->bin_vheap_sz;
    /* statistics(garbage_collection): words in use before and after. */
    size_t used_before = young_usage(p) + (p->old_heap ? (size_t)(p->old_htop - p->old_heap) : 0);
    uint64_t t0 = sysmon_on(SYSMON_LONG_GC) ? plat_monotonic_ns() : 0;
    int reds = -1;
    if (!major) reds = minor_collection(p, need_words, x_reg, live);
    if (reds < 0) reds = major_collection(p, need_words, x_reg, live, lit);
    p->flags &= ~PF_FORCE_GC;
    size_t used_after = young_usage(p) + (p->old_heap ? (size_t)(p->old_htop - p->old_heap) : 0);
    sys_stats_gc_done(used_before > used_after ? used_before - used_after : 0);

    uint64_t vsz = gc_next_vheap_size(p->h.off_heap.overhead / sizeof(term_t), p->bin_vheap_sz);
    uint64_t floor = p->min_bin_vheap_size > GC_MIN_BIN_VHEAP_WORDS ? p->min_bin_vheap_size : GC_MIN_BIN_VHEAP_WORDS;
    p->bin_vheap_sz = vsz < floor ? floor : vsz;
    if (sysmon_on(SYSMON_LONG_GC | SYSMON_LARGE_HEAP))
        sysmon_after_gc(p, t0 ? plat_monotonic_ns() - t0 : 0);
    return reds + max_heap_check(p);
}

int gc_collect(Process *p, size_t need_words, term_t *x_reg, unsigned live) {
    return collect(p, need_words, x_reg, live, NULL);
}

int gc_collect_literals(Process *p, const GcLitRange *ranges, size_t n) {
    GcRange small[8], *r = n <= 8 ? small : malloc(n * sizeof *r);
    if (!r) plat_fatal("gc: out of memory");
    LitRanges lit = {r, n, 0};
    for (size_t i = 0; i < n; i++) {
        r[i] = (GcRange){ranges[i].lo, ranges[i].hi, NULL, true};
        lit.words += (size_t)(ranges[i].hi - ranges[i].lo);
    }
    int reds = collect(p, 0, NULL, 0, &lit);
    if (r != small) free(r);
    return reds;
}

/* ------------------------------------------------------ process lifetime */

int gc_alloc_initial_heap(Process *p, size_t words) {
    if (words == 0) words = GC_DEFAULT_MIN_HEAP_WORDS;
    term_t *b = malloc(words * sizeof(term_t));
    if (!b) return -1;
    p->h.heap = p->h.htop = b;
    p->heap_end = p->h.hend = b + words;
    p->h.reserve = 1;           /* the CP slot: see Heap.reserve */
    p->h.mbuf = NULL;
    p->h.mbuf_sz = 0;
    p->h.off_heap.first = NULL;
    p->h.off_heap.overhead = 0;
    p->heap_sz = words;
    p->min_heap_size = words;
    p->old_heap = p->old_htop = p->old_hend = NULL;
    p->high_water = b;
    p->gen_gcs = 0;
    p->max_gen_gcs = GC_DEFAULT_FULLSWEEP_AFTER;
    p->bin_vheap_sz = GC_MIN_BIN_VHEAP_WORDS;
    p->min_bin_vheap_size = GC_MIN_BIN_VHEAP_WORDS;
    p->max_heap = MAX_HEAP_DEFAULT;
    return 0;
}

void gc_free_process_memory(Process *p) {
    heap_off_heap_release(&p->h.off_heap);
    free_fragments(p);
    free(p->h.heap);
    free(p->old_heap);
    p->h.heap = p->h.htop = p->h.hend = p->heap_end = NULL;
    p->old_heap = p->old_htop = p->old_hend = NULL;
    p->high_water = NULL;
    p->heap_sz = 0;
}
