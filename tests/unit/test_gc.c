/*
 * test_gc.c — the per-process garbage collector (vm/gc.h).
 *
 * Every test builds a Process by hand, keeps roots in an X-register array
 * and on the stack, and mirrors every root in a separate arena (built the
 * same way from the mirrors of its parts). After each collection every root
 * must still be =:= to its mirror, the young heap must hold exactly the live
 * words that sit in it, continuation pointers and catch words on the stack
 * must be intact, and off-heap Binary reference counts must add up.
 */
#include <stdlib.h>
#include <string.h>

#include "tests/unit/check.h"
#include "vm/pdict.h"
#include "vm/atom.h"
#include "vm/bignum.h"
#include "vm/binary.h"
#include "vm/fun.h"
#include "vm/gc.h"
#include "vm/heap.h"
#include "vm/mailbox.h"
#include "vm/map.h"
#include "vm/term.h"
#include "vm/term_compare.h"

/* ------------------------------------------------------------- helpers */

static Heap A; /* the mirror arena */
static term_t MOD;
static FunEntry FE[4];
static ErtsMFA MFA;
static const BeamInstr FAKE_CODE[8];

static Process *proc_new(size_t words) {
    Process *p = calloc(1, sizeof *p);
    if (gc_alloc_initial_heap(p, words) != 0) abort();
    p->ftrace = NIL;
    p->fvalue = NIL;
    p->msg_mark_ref = NIL;
    p->group_leader = make_internal_pid(1, 0);
    p->msg_last = &p->msg_first;
    return p;
}

static void proc_free(Process *p) {
    gc_free_process_memory(p);
    pdict_clear(p);
    free(p);
}

static term_t tuple(Heap *h, size_t n, const term_t *el) {
    term_t *hp = heap_alloc(h, n + 1);
    term_t t = make_tuple_header(hp, n);
    for (size_t i = 0; i < n; i++) hp[1 + i] = el[i];
    return t;
}

static term_t list(Heap *h, size_t n, const term_t *el) {
    term_t l = NIL;
    for (size_t i = n; i-- > 0;) l = make_cons(heap_alloc(h, 2), el[i], l);
    return l;
}

static term_t fun(Heap *h, size_t nf, const term_t *env) {
    term_t *hp = heap_alloc(h, fun_words((uint32_t)nf));
    hp[0] = make_header(1 + nf, FUN_SUBTAG);
    hp[1] = (term_t)(uintptr_t)&FE[nf];
    for (size_t i = 0; i < nf; i++) hp[2 + i] = env[i];
    return make_boxed(hp);
}

static term_t ext_pid(Heap *h, uint32_t a, uint32_t b) {
    size_t w = external_words(2);
    term_t *hp = heap_alloc(h, w);
    hp[0] = make_header(w - 1, EXTERNAL_PID_SUBTAG);
    ExternalThing *e = (ExternalThing *)hp;
    e->node = MOD;
    e->creation = 3;
    e->n_num = 2;
    e->num[0] = a;
    e->num[1] = b;
    return make_boxed(hp);
}

static term_t refc_bin(Heap *h, Binary *b, size_t off, size_t len) {
    binary_ref(b);
    return binary_wrap(h, b, off, len);
}

static bool same(term_t a, term_t b) { return term_compare_exact(a, b) == 0; }

/* ---- live-size accounting (independent of the collector's own) ---- */

typedef struct {
    uintptr_t *v;
    size_t cap, n;
} Set;

static bool set_add(Set *s, const void *ptr) {
    if (2 * (s->n + 1) > s->cap) {
        Set t = {calloc(s->cap ? 2 * s->cap : 1024, sizeof(uintptr_t)), s->cap ? 2 * s->cap : 1024, 0};
        for (size_t i = 0; i < s->cap; i++)
            if (s->v[i]) set_add(&t, (const void *)s->v[i]);
        free(s->v);
        *s = t;
    }
    uintptr_t k = (uintptr_t)ptr;
    size_t i = (k >> 3) * 0x9E3779B97F4A7C15ull % s->cap;
    while (s->v[i]) {
        if (s->v[i] == k) return false;
        i = (i + 1) % s->cap;
    }
    s->v[i] = k;
    s->n++;
    return true;
}

static bool in_area(const term_t *ptr, const term_t *lo, const term_t *hi) {
    return lo && (uintptr_t)ptr >= (uintptr_t)lo && (uintptr_t)ptr < (uintptr_t)hi;
}

/* Words of live objects reachable from t that lie in [lo, hi). */
static size_t live_in(Set *seen, term_t t, const term_t *lo, const term_t *hi) {
    size_t words = 0;
    for (;;) {
        if (is_list(t)) {
            term_t *c = list_val(t);
            if (!set_add(seen, c)) return words;
            if (in_area(c, lo, hi)) words += 2;
            words += live_in(seen, c[0], lo, hi);
            t = c[1];
            continue;
        }
        if (!is_boxed(t)) return words;
        term_t *o = boxed_val(t);
        if (!set_add(seen, o)) return words;
        term_t hdr = o[0];
        size_t n = header_subtag(hdr) == MAP_SUBTAG ? map_header_val(hdr) : header_arity(hdr);
        if (in_area(o, lo, hi)) words += n + 1;
        switch (header_subtag(hdr)) {
        case TUPLE_SUBTAG:
        case MAP_SUBTAG:
            for (size_t i = 1; i <= n; i++) words += live_in(seen, o[i], lo, hi);
            return words;
        case FUN_SUBTAG:
            for (size_t i = 2; i <= n; i++) words += live_in(seen, o[i], lo, hi);
            return words;
        case SUB_BINARY_SUBTAG:
            t = o[3];
            continue;
        default:
            return words;
        }
    }
}

/* The young heap is a walkable sequence of objects and cons cells. */
static bool heap_walkable(const term_t *hp, const term_t *end) {
    while (hp < end) {
        term_t w = *hp;
        if (is_header(w)) {
            size_t n = header_subtag(w) == MAP_SUBTAG ? map_header_val(w) : header_arity(w);
            hp += n + 1;
        } else {
            hp += 1;
        }
    }
    return hp == end;
}

/* Checks the young heap holds exactly the live words that sit in it. */
static size_t young_live(Process *p, const term_t *roots, size_t n) {
    Set seen = {0};
    size_t w = 0;
    for (size_t i = 0; i < n; i++) w += live_in(&seen, roots[i], p->h.heap, p->h.htop);
    for (term_t *s = p->h.hend; s < p->heap_end; s++)
        if (!is_header(*s)) w += live_in(&seen, *s, p->h.heap, p->h.htop);
    free(seen.v);
    return w;
}

/* ----------------------------------------------------------- the tests */

TEST(heap_sizes) {
    static const size_t otp[] = {12, 38, 51, 90, 142, 233, 376, 610, 987, 1598, 2586, 4185, 6772,
                                 10958, 17731, 28690, 46422, 75113, 121536, 196650, 318187, 514838,
                                 833026, 999631, 1199557, 1439468, 1727361, 2072833, 2487399, 2984878};
    for (size_t i = 0; i < sizeof otp / sizeof otp[0]; i++) {
        CHECK_EQ_INT(gc_next_heap_size(otp[i]), otp[i]);
        CHECK_EQ_INT(gc_next_heap_size(otp[i] - 1 > 0 ? otp[i] - 1 : 0), otp[i]);
        if (i + 1 < sizeof otp / sizeof otp[0]) CHECK_EQ_INT(gc_next_heap_size(otp[i] + 1), otp[i + 1]);
    }
    CHECK_EQ_INT(gc_next_heap_size(0), 12);
    CHECK_EQ_INT(gc_next_heap_size(885767171276247ull), 885767171276247ull);
    CHECK_EQ_INT(gc_next_heap_size(885767171276248ull), 885767171276248ull);
}

TEST(initial_heap) {
    Process *p = proc_new(233);
    CHECK_EQ_INT(p->heap_sz, 233);
    CHECK(p->h.htop == p->h.heap && p->h.hend == p->heap_end && p->heap_end == p->h.heap + 233);
    CHECK_EQ_INT(p->max_gen_gcs, 65535);
    CHECK_EQ_INT(p->bin_vheap_sz, 46422);
    CHECK(!gc_is_desired(p) || gc_stress_enabled());
    proc_free(p);
}

/* All object kinds, collected with a full sweep, then minor ones. */
TEST(all_kinds) {
    Process *p = proc_new(233);
    Heap *h = &p->h;
    Binary *b = binary_alloc(100);
    for (int i = 0; i < 100; i++) b->orig_bytes[i] = (uint8_t)i;
    term_t x[12], e[12];
    uint64_t dig[3] = {1, 2, 0x8000000000000001ull};
    uint32_t refn[3] = {1, 2, 3};
    for (int round = 0; round < 2; round++) {
        Heap *t = round ? &A : h;
        term_t *v = round ? e : x;
        term_t el[40];
        for (int i = 0; i < 40; i++) el[i] = make_small(i * 7);
        v[0] = list(t, 40, el);                          /* long list */
        el[0] = v[0];
        el[1] = make_float(heap_alloc(t, FLOAT_WORDS), 2.5);
        el[2] = big_from_digits(t, true, dig, 3);
        v[1] = tuple(t, 3, el);                          /* nested tuple */
        term_t keys[3] = {make_small(1), make_small(2), MOD}, vals[3] = {v[1], el[2], NIL};
        v[2] = map_from_pairs(t, keys, vals, 3);         /* map */
        term_t env[3] = {v[2], el[1], make_small(9)};
        v[3] = fun(t, 3, env);                           /* fun with env */
        v[4] = make_export_fun(heap_alloc(t, EXPORT_FUN_WORDS), &MFA);
        v[5] = make_internal_ref(heap_alloc(t, REF_WORDS), refn);
        v[6] = ext_pid(t, 5, 6);
        v[7] = binary_new(t, (const uint8_t *)"hello, world", 12);   /* heap binary */
        v[8] = sub_binary_new(t, v[7], 3, 29);                        /* sub of heap bin */
        v[9] = refc_bin(t, b, 10, 80);                                /* ProcBin */
        v[10] = sub_binary_new(t, v[9], 7, 100);                      /* sub of ProcBin */
        el[0] = v[8];
        el[1] = v[10];
        el[2] = v[3];
        v[11] = tuple(t, 3, el);                         /* sharing */
        if (!round) { /* garbage between */
            for (int i = 0; i < 50; i++) tuple(h, 5, el);
            refc_bin(h, b, 0, 64); /* a dead ProcBin */
        }
    }
    CHECK(h->mbuf != NULL); /* 233 words overflowed into fragments */
    CHECK_EQ_INT(atomic_load(&b->refc), 4);
    for (int round = 0; round < 6; round++) {
        if (round == 0 || round == 4) p->flags |= PF_FORCE_GC;
        gc_collect(p, 0, x, 12);
        CHECK(h->mbuf == NULL && h->mbuf_sz == 0);
        for (int i = 0; i < 12; i++)
            if (!same(x[i], e[i])) CHECK_FAIL_("round %d root %d differs", round, i);
        CHECK(heap_walkable(h->heap, h->htop));
        CHECK_EQ_INT(h->htop - h->heap, young_live(p, x, 12));
        CHECK_EQ_INT(atomic_load(&b->refc), 3); /* ours, the process's, the arena's */
        CHECK_EQ_INT(h->off_heap.overhead, 80);
        CHECK(!(p->flags & PF_FORCE_GC));
    }
    CHECK(p->old_heap != NULL); /* minor collections promoted */
    CHECK(in_area(boxed_val(x[1]), p->old_heap, p->old_htop));
    /* A sub binary of a heap binary still reads the right bits. */
    const uint8_t *bytes;
    size_t off, bits;
    bitstring_get(x[8], &bytes, &off, &bits);
    CHECK_EQ_INT(bits, 29);
    proc_free(p);
    CHECK_EQ_INT(atomic_load(&b->refc), 2);
    binary_deref(b);
}

/* Stack words: CPs (tag 00) and catches are left alone, terms updated. */
TEST(stack_roots) {
    Process *p = proc_new(233);
    term_t cp = (term_t)(uintptr_t)&FAKE_CODE[2];
    CHECK_EQ_INT(cp & 3, 0);
    *--p->h.hend = cp;
    *--p->h.hend = make_catch(17);
    term_t el[2] = {make_small(1), make_small(2)};
    *--p->h.hend = tuple(&p->h, 2, el);
    *--p->h.hend = list(&p->h, 2, el);
    *--p->h.hend = cp + 8;
    term_t et = tuple(&A, 2, el), elst = list(&A, 2, el);
    for (int i = 0; i < 100; i++) tuple(&p->h, 2, el); /* garbage */
    for (int round = 0; round < 4; round++) {
        if (round & 1) p->flags |= PF_FORCE_GC;
        gc_collect(p, 1000, NULL, 0);
        term_t *s = p->heap_end;
        CHECK_EQ_INT(p->heap_end - p->h.hend, 5);
        CHECK(s[-1] == cp);
        CHECK(s[-2] == make_catch(17));
        CHECK(same(s[-3], et));
        CHECK(same(s[-4], elst));
        CHECK(s[-5] == cp + 8);
        CHECK((size_t)(p->h.hend - p->h.htop) >= 1000);
        CHECK_EQ_INT(p->h.htop - p->h.heap, young_live(p, NULL, 0));
    }
    proc_free(p);
}

/* Other roots: dictionary, fvalue, ftrace, arg_reg (x_reg == NULL). */
TEST(process_roots) {
    Process *p = proc_new(233);
    term_t el[3] = {make_small(1), make_small(2), make_small(3)};
    pdict_put(p, make_small(7), list(&p->h, 3, el));   /* {7, [1,2,3]} in a bucket cell */
    p->fvalue = tuple(&p->h, 3, el);
    p->ftrace = tuple(&p->h, 2, el);
    p->arg_reg = p->def_arg_reg;
    p->arity = 2;
    p->arg_reg[0] = tuple(&p->h, 1, el);
    p->arg_reg[1] = list(&p->h, 1, el);
    p->arg_reg[2] = tuple(&p->h, 1, el); /* beyond arity: dead */
    p->flags |= PF_FORCE_GC;
    gc_collect(p, 0, NULL, 0);
    CHECK(same(pdict_get(p, make_small(7)), list(&A, 3, el)));
    CHECK(same(p->fvalue, tuple(&A, 3, el)));
    CHECK(same(p->ftrace, tuple(&A, 2, el)));
    CHECK(same(p->arg_reg[0], tuple(&A, 1, el)));
    CHECK(same(p->arg_reg[1], list(&A, 1, el)));
    CHECK_EQ_INT(p->h.htop - p->h.heap, (6 + 3 + 2) + 4 + 3 + 2 + 2);
    proc_free(p);
}

/* One off-heap Binary shared by two processes: each collection drops only
 * its own reference; the last one frees it. */
TEST(shared_refc_binary) {
    Process *p1 = proc_new(233), *p2 = proc_new(233);
    Binary *b = binary_alloc(4096);
    memset(b->orig_bytes, 0xAB, 4096);
    term_t x1[1] = {binary_wrap(&p1->h, b, 0, 4096)};
    binary_ref(b);
    term_t x2[1] = {binary_wrap(&p2->h, b, 0, 4096)};
    binary_ref(b); /* the test's own, to watch the count */
    CHECK_EQ_INT(atomic_load(&b->refc), 3);
    x1[0] = NIL; /* p1 drops it */
    gc_collect(p1, 0, x1, 1);
    CHECK_EQ_INT(atomic_load(&b->refc), 2);
    CHECK(p1->h.off_heap.first == NULL && p1->h.off_heap.overhead == 0);
    p2->flags |= PF_FORCE_GC;
    gc_collect(p2, 0, x2, 1);
    CHECK_EQ_INT(atomic_load(&b->refc), 2);
    CHECK_EQ_INT(p2->h.off_heap.overhead, 4096);
    CHECK(same(x2[0], binary_new(&A, b->orig_bytes, 4096)));
    gc_collect(p2, 0, x2, 0); /* no live registers */
    CHECK_EQ_INT(atomic_load(&b->refc), 1);
    binary_deref(b);
    /* Dead binaries nobody else holds are freed (LeakSanitizer checks it). */
    term_t nils[10] = {NIL, NIL, NIL, NIL, NIL, NIL, NIL, NIL, NIL, NIL};
    for (int i = 0; i < 50; i++) {
        tuple(&p1->h, 10, nils); /* filler: pushes the ProcBins into fragments */
        binary_wrap(&p1->h, binary_alloc(200), 0, 200);
    }
    CHECK_EQ_INT(p1->h.off_heap.overhead, 50 * 200);
    CHECK(gc_is_desired(p1)); /* fragments */
    gc_collect(p1, 0, x1, 1);
    CHECK(p1->h.off_heap.first == NULL && p1->h.off_heap.overhead == 0);
    proc_free(p1);
    proc_free(p2);
}

/* The virtual binary heap: large dead binaries trigger a collection. */
TEST(vheap) {
    Process *p = proc_new(233);
    term_t x[1] = {NIL};
    gc_collect(p, 0, x, 1);
    CHECK(!gc_is_desired(p) || gc_stress_enabled());
    for (int i = 0; i < 8; i++) binary_wrap(&p->h, binary_alloc(50000), 0, 50000);
    CHECK(p->h.mbuf == NULL);
    CHECK(gc_is_desired(p)); /* 400000 bytes > 46422 words */
    gc_collect(p, 0, x, 1);
    CHECK_EQ_INT(p->h.off_heap.overhead, 0);
    CHECK_EQ_INT(p->bin_vheap_sz, 46422);
    /* Live binaries grow the limit (golden ratio steps). */
    x[0] = NIL;
    for (int i = 0; i < 10; i++) {
        term_t el[1] = {binary_wrap(&p->h, binary_alloc(50000), 0, 50000)};
        x[0] = make_cons(heap_alloc(&p->h, 2), el[0], x[0]);
    }
    gc_collect(p, 0, x, 1);
    CHECK_EQ_INT(p->h.off_heap.overhead, 500000);
    CHECK(p->bin_vheap_sz * 3 / 4 >= 500000 / 8 / 1);
    CHECK(!gc_is_desired(p) || gc_stress_enabled());
    proc_free(p);
}

/* Fragments: BIF spill-over and a received message's fragment are merged;
 * a queued message (whose fragment is never on h.mbuf, mailbox.c) stays
 * where it is and is not a root. */
TEST(fragments_and_messages) {
    Process *p = proc_new(233);
    term_t el[2] = {make_small(5), MOD};
    /* A received message's fragment, on h.mbuf; x[1] holds the message. */
    HeapFragment *f1 = malloc(sizeof *f1 + 16 * sizeof(term_t));
    f1->alloc_words = 16;
    f1->used_words = 3;
    term_t m1t = make_tuple_header(f1->mem, 2);
    f1->mem[1] = el[0];
    f1->mem[2] = el[1];
    f1->next = p->h.mbuf;
    p->h.mbuf = f1;
    p->h.mbuf_sz += 3;
    /* A message whose fragment is still its own. */
    HeapFragment *f2 = malloc(sizeof *f2 + 16 * sizeof(term_t));
    f2->alloc_words = 16;
    f2->used_words = 3;
    f2->next = NULL;
    term_t m2t = make_tuple_header(f2->mem, 2);
    f2->mem[1] = el[1];
    f2->mem[2] = el[0];
    Message m2 = {.next = NULL, .msg = m2t, .frag = f2, .kind = MSG_MESSAGE, .from = NIL, .extra = NIL};
    p->msg_first = &m2;
    p->msg_last = &m2.next;
    /* BIF spill-over: a big allocation that cannot fit the heap. */
    term_t big[300];
    for (int i = 0; i < 300; i++) big[i] = make_small(i);
    term_t x[2] = {tuple(&p->h, 300, big), m1t};
    term_t e0 = tuple(&A, 300, big), e1 = tuple(&A, 2, el);
    CHECK(p->h.mbuf != f1);
    gc_collect(p, 0, x, 2);
    CHECK(p->h.mbuf == NULL);
    CHECK(same(x[0], e0) && same(x[1], e1));
    CHECK(in_area(boxed_val(x[1]), p->h.heap, p->h.htop));   /* merged */
    CHECK(m2.frag == f2 && m2.msg == m2t); /* untouched */
    CHECK_EQ_INT(p->h.htop - p->h.heap, 301 + 3);
    p->msg_first = NULL;
    free(f2);
    proc_free(p);
}

/* Terms outside the process (literals) stay put; objects they reach are not
 * copied; objects copied are still scanned. */
TEST(literals_left_alone) {
    Process *p = proc_new(233);
    term_t el[2] = {make_small(1), make_small(2)};
    term_t lit = tuple(&A, 2, el);
    term_t inner[2] = {lit, tuple(&p->h, 2, el)};
    term_t x[2] = {lit, tuple(&p->h, 2, inner)};
    gc_collect(p, 0, x, 2);
    CHECK(x[0] == lit);
    CHECK(tuple_element(x[1], 1) == lit);
    CHECK(same(tuple_element(x[1], 2), tuple(&A, 2, el)));
    CHECK_EQ_INT(p->h.htop - p->h.heap, 6);
    proc_free(p);
}

/* A literal-area collection (gc_collect_literals): everything the process
 * reaches inside the area is copied into its heap, sharing kept, nothing
 * written into the area (other processes read it); a ProcBin copied out
 * takes its own reference. Afterwards the area can be freed. */
TEST(literal_area_collected) {
    Process *p = proc_new(233);
    Heap L;
    heap_init(&L, 64);  /* small: the area spills into fragments too */
    Binary *b = binary_alloc(100);
    for (int i = 0; i < 100; i++) b->orig_bytes[i] = (uint8_t)(i * 3);
    term_t x[3], e[3];
    term_t lit_outside;
    for (int round = 0; round < 2; round++) {
        Heap *t = round ? &A : &L;
        term_t *v = round ? e : x;
        term_t el[40];
        for (int i = 0; i < 40; i++) el[i] = make_small(i);
        term_t lst = list(t, 40, el);
        term_t pair[2] = {make_float(heap_alloc(t, FLOAT_WORDS), 1.5), refc_bin(t, b, 0, 80)};
        term_t shared = tuple(t, 2, pair);
        term_t three[3] = {shared, shared, lst};
        v[0] = tuple(t, 3, three);
        term_t onheap[2] = {shared, make_small(5)};
        v[1] = tuple(round ? &A : &p->h, 2, onheap);     /* a heap object pointing into the area */
        v[2] = sub_binary_new(t, pair[1], 8, 200);
    }
    /* a term outside both the heap and the area stays where it is */
    term_t el2[2] = {make_small(1), make_small(2)};
    lit_outside = tuple(&A, 2, el2);
    term_t regs[4] = {x[0], x[1], x[2], lit_outside};
    p->arg_reg = regs;
    p->arity = 4;
    CHECK(L.mbuf != NULL);
    GcLitRange r[16];
    size_t n = 0;
    r[n++] = (GcLitRange){L.heap, L.htop};
    for (HeapFragment *f = L.mbuf; f; f = f->next) r[n++] = (GcLitRange){f->mem, f->mem + f->used_words};
    uint64_t refc_before = atomic_load(&b->refc);
    gc_collect_literals(p, r, n);
    for (int i = 0; i < 3; i++) {
        if (!same(regs[i], e[i])) CHECK_FAIL_("root %d differs", i);
        const term_t *ptr = is_list(regs[i]) ? list_val(regs[i]) : boxed_val(regs[i]);
        CHECK(in_area(ptr, p->h.heap, p->h.htop));
    }
    CHECK(regs[3] == lit_outside);
    /* sharing inside the area is kept: one copy of `shared` */
    CHECK(tuple_element(regs[0], 1) == tuple_element(regs[0], 2));
    CHECK(tuple_element(regs[1], 1) == tuple_element(regs[0], 1));
    CHECK(heap_walkable(p->h.heap, p->h.htop));
    CHECK_EQ_INT(atomic_load(&b->refc), refc_before + 1);   /* the copied ProcBin's own */
    CHECK_EQ_INT(p->h.off_heap.overhead, 80);
    /* the area was only read */
    CHECK(same(x[0], e[0]) && same(x[2], e[2]));
    heap_destroy(&L);
    CHECK_EQ_INT(atomic_load(&b->refc), refc_before);
    p->flags |= PF_FORCE_GC;
    gc_collect(p, 0, NULL, 0);
    for (int i = 0; i < 3; i++)
        if (!same(regs[i], e[i])) CHECK_FAIL_("root %d differs after freeing the area", i);
    p->arg_reg = NULL;
    p->arity = 0;
    proc_free(p);
    binary_deref(b);     /* the mirror's ProcBin keeps one (A is never freed) */
}

/* Generations: promotion after one survival, fullsweep_after, growth and
 * shrinking. */
TEST(generations_and_sizing) {
    Process *p = proc_new(233);
    p->max_gen_gcs = 3;
    term_t el[2] = {make_small(1), NIL};
    term_t x[1] = {NIL};
    for (int i = 0; i < 20000; i++) { /* a 40000-word live list */
        el[0] = make_small(i);
        x[0] = make_cons(heap_alloc(&p->h, 2), el[0], x[0]);
    }
    gc_collect(p, 0, x, 1); /* minor 1: nothing mature yet */
    CHECK_EQ_INT(p->gen_gcs, 1);
    CHECK(p->old_heap == NULL);
    CHECK(p->heap_sz >= 40000 && p->heap_sz == gc_next_heap_size(p->heap_sz));
    CHECK_EQ_INT(p->h.htop - p->h.heap, 40000);
    gc_collect(p, 0, x, 1); /* minor 2: all of it promoted */
    CHECK_EQ_INT(p->gen_gcs, 2);
    CHECK(p->old_heap && p->old_htop - p->old_heap == 40000);
    CHECK_EQ_INT(p->h.htop - p->h.heap, 0);
    CHECK(p->heap_sz < 40000); /* shrunk: the young heap is empty */
    term_t e = NIL;
    for (int i = 0; i < 20000; i++) e = make_cons(heap_alloc(&A, 2), make_small(i), e);
    CHECK(same(x[0], e));
    gc_collect(p, 0, x, 1); /* minor 3 */
    CHECK_EQ_INT(p->gen_gcs, 3);
    CHECK(p->old_heap != NULL);
    gc_collect(p, 0, x, 1); /* fullsweep_after reached: major */
    CHECK_EQ_INT(p->gen_gcs, 0);
    CHECK(p->old_heap == NULL);
    CHECK_EQ_INT(p->h.htop - p->h.heap, 40000);
    CHECK(same(x[0], e));
    x[0] = NIL; /* drop everything: a full sweep shrinks to the minimum */
    p->flags |= PF_FORCE_GC;
    gc_collect(p, 0, x, 1);
    CHECK(p->heap_sz < 40000);
    p->flags |= PF_FORCE_GC;
    gc_collect(p, 0, x, 1);
    CHECK_EQ_INT(p->h.htop - p->h.heap, 0);
    CHECK_EQ_INT(p->heap_sz, 233);
    /* need: room for a large allocation. */
    gc_collect(p, 100000, x, 1);
    CHECK((size_t)(p->h.hend - p->h.htop) >= 100000);
    proc_free(p);
}

/* ------------------------------------------------ randomized stress test */

static uint64_t rng = 0x2545F4914F6CDD1Dull;
static uint64_t rnd(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}
static unsigned rndn(unsigned n) { return (unsigned)(rnd() % n); }

#define NX 24
#define NS 8
#define POOL 4
#define MAX_TREE 200

typedef struct {
    term_t t, e;
    size_t sz; /* tree size: bounds the cost of comparing */
} Pair;

static Process *SP;
static term_t SX[NX], SE[NX + NS];
static size_t SZ[NX + NS];
static Binary *SPOOL[POOL];

static term_t *stack_slot(int i) { return &SP->heap_end[-3 - i]; }
static Pair root(int i) {
    return (Pair){i < NX ? SX[i] : *stack_slot(i - NX), SE[i], SZ[i]};
}

static Pair rnd_pair(int depth);

static Pair rnd_leafish(int depth) {
    if (rndn(2)) {
        Pair r = root((int)rndn(NX + NS));
        if (r.sz < MAX_TREE / 4) return r;
    }
    return rnd_pair(depth - 1);
}

static Pair rnd_pair(int depth) {
    Heap *h = &SP->h;
    unsigned kind = depth <= 0 ? rndn(7) : rndn(12);
    switch (kind) {
    case 0: {
        term_t s = make_small((int64_t)(rnd() >> 20) - (1ll << 43));
        return (Pair){s, s, 1};
    }
    case 1: return (Pair){MOD, MOD, 1};
    case 2: {
        double d = (double)(int64_t)rnd() / 1e6;
        return (Pair){make_float(heap_alloc(h, 2), d), make_float(heap_alloc(&A, 2), d), 1};
    }
    case 3: {
        uint64_t dg[4] = {rnd(), rnd(), rnd(), rnd() | 1};
        size_t n = 1 + rndn(4);
        bool neg = rndn(2);
        return (Pair){big_from_digits(h, neg, dg, n), big_from_digits(&A, neg, dg, n), 1};
    }
    case 4: {
        uint8_t bytes[63];
        size_t n = rndn(64);
        for (size_t i = 0; i < n; i++) bytes[i] = (uint8_t)rnd();
        return (Pair){binary_new(h, bytes, n), binary_new(&A, bytes, n), 1};
    }
    case 5: {
        Binary *b = SPOOL[rndn(POOL)];
        size_t off = rndn(100), len = 64 + rndn(800);
        return (Pair){refc_bin(h, b, off, len), refc_bin(&A, b, off, len), 1};
    }
    case 6: {
        Pair base = rndn(2) ? rnd_pair(0) : root((int)rndn(NX + NS));
        if (!is_bitstring(base.t)) return base;
        size_t bits = bitstring_bit_size(base.t);
        size_t off = bits ? rndn((unsigned)bits + 1) : 0;
        size_t n = rndn((unsigned)(bits - off) + 1);
        return (Pair){sub_binary_new(h, base.t, off, n), sub_binary_new(&A, base.e, off, n), base.sz + 1};
    }
    case 7:
    case 8: {
        term_t t[6], e[6];
        size_t n = rndn(6), sz = 1;
        for (size_t i = 0; i < n; i++) {
            Pair c = rnd_leafish(depth);
            t[i] = c.t, e[i] = c.e, sz += c.sz;
        }
        if (kind == 7) return (Pair){tuple(h, n, t), tuple(&A, n, e), sz};
        return (Pair){list(h, n, t), list(&A, n, e), sz};
    }
    case 9: { /* flatmaps only: term_compare does not order HAMTs yet */
        term_t k[5], t[5], e[5];
        size_t n = rndn(6), sz = 1;
        for (size_t i = 0; i < n; i++) {
            Pair c = rnd_leafish(depth);
            k[i] = make_small((int64_t)(i * 3 + rndn(3)));
            t[i] = c.t, e[i] = c.e, sz += c.sz;
        }
        return (Pair){map_from_pairs(h, k, t, n), map_from_pairs(&A, k, e, n), sz};
    }
    case 10: {
        term_t t[3], e[3];
        size_t n = rndn(4), sz = 1;
        for (size_t i = 0; i < n; i++) {
            Pair c = rnd_leafish(depth);
            t[i] = c.t, e[i] = c.e, sz += c.sz;
        }
        return (Pair){fun(h, n, t), fun(&A, n, e), sz};
    }
    default: {
        unsigned w = rndn(3);
        if (w == 0) {
            uint32_t n[3] = {(uint32_t)rnd(), (uint32_t)rnd(), 7};
            return (Pair){make_internal_ref(heap_alloc(h, REF_WORDS), n), make_internal_ref(heap_alloc(&A, REF_WORDS), n), 1};
        }
        if (w == 1) return (Pair){ext_pid(h, 1, 2), ext_pid(&A, 1, 2), 1};
        return (Pair){make_export_fun(heap_alloc(h, 2), &MFA), make_export_fun(heap_alloc(&A, 2), &MFA), 1};
    }
    }
}

static int verify_roots(int iter) {
    int bad = 0;
    for (int i = 0; i < NX + NS; i++)
        if (!same(root(i).t, SE[i])) {
            if (bad++ < 3) CHECK_FAIL_("iteration %d root %d differs", iter, i);
        }
    return bad;
}

TEST(random_stress) {
    SP = proc_new(233);
    for (int i = 0; i < POOL; i++) {
        SPOOL[i] = binary_alloc(1000);
        for (int j = 0; j < 1000; j++) SPOOL[i]->orig_bytes[j] = (uint8_t)(i * 31 + j);
    }
    term_t cp = (term_t)(uintptr_t)&FAKE_CODE[4];
    *--SP->h.hend = cp;
    *--SP->h.hend = make_catch(3);
    for (int i = 0; i < NS; i++) *--SP->h.hend = NIL;
    for (int i = 0; i < NX; i++) SX[i] = NIL;
    for (int i = 0; i < NX + NS; i++) SE[i] = NIL, SZ[i] = 1;

    int iters = 20000, majors = 0, minors_promoting = 0, failures = 0;
    size_t arena_mark = 0;
    for (int it = 0; it < iters && failures == 0; it++) {
        int changes = 1 + (int)rndn(4);
        for (int c = 0; c < changes; c++) {
            int i = (int)rndn(NX + NS);
            Pair pr = rnd_pair(3);
            if (pr.sz > MAX_TREE) continue;
            if (i < NX) SX[i] = pr.t;
            else *stack_slot(i - NX) = pr.t;
            SE[i] = pr.e;
            SZ[i] = pr.sz;
        }
        for (unsigned g = rndn(5); g > 0; g--) (void)rnd_pair(2); /* garbage */
        size_t need = rndn(10) == 0 ? rndn(20000) : rndn(50);
        if (rndn(15) == 0) SP->flags |= PF_FORCE_GC;
        if (rndn(200) == 0) SP->max_gen_gcs = (uint16_t)rndn(4);
        bool was_major_forced = SP->flags & PF_FORCE_GC;
        term_t *old_before = SP->old_htop;
        if (rndn(8) == 0) { /* scheduled out: registers saved in arg_reg */
            term_t saved[NX];
            memcpy(saved, SX, sizeof SX);
            SP->arg_reg = saved;
            SP->arity = NX;
            gc_collect(SP, need, NULL, 0);
            memcpy(SX, saved, sizeof SX);
            SP->arg_reg = SP->def_arg_reg;
            SP->arity = 0;
        } else {
            gc_collect(SP, need, SX, NX);
        }
        if (SP->old_heap == NULL) majors++;
        else if (SP->old_htop != old_before) minors_promoting++;
        (void)was_major_forced;

        failures += verify_roots(it);
        if (SP->heap_end[-1] != cp || SP->heap_end[-2] != make_catch(3)) {
            CHECK_FAIL_("iteration %d: CP or catch word changed", it);
            failures++;
        }
        if ((size_t)(SP->h.hend - SP->h.htop) < need) {
            CHECK_FAIL_("iteration %d: need %zu not met", it, need);
            failures++;
        }
        if (SP->h.mbuf || !heap_walkable(SP->h.heap, SP->h.htop)) {
            CHECK_FAIL_("iteration %d: heap not clean", it);
            failures++;
        }
        size_t live = young_live(SP, SX, NX);
        if ((size_t)(SP->h.htop - SP->h.heap) != live) {
            CHECK_FAIL_("iteration %d: young heap %zu words, live %zu", it,
                        (size_t)(SP->h.htop - SP->h.heap), live);
            failures++;
        }
        if (SP->heap_sz < SP->min_heap_size || SP->heap_sz != gc_next_heap_size(SP->heap_sz)) {
            CHECK_FAIL_("iteration %d: heap size %zu", it, SP->heap_sz);
            failures++;
        }
        (void)arena_mark;
    }
    CHECK(majors > 10);
    CHECK(minors_promoting > 10);
    /* Reference counts add up: the pool's own reference is all that is
     * left once the process and the arena are gone. */
    proc_free(SP);
    heap_destroy(&A);
    heap_init(&A, 1 << 16);
    for (int i = 0; i < POOL; i++) {
        if (atomic_load(&SPOOL[i]->refc) != 1) CHECK_FAIL_("pool binary %d refc %llu", i, (unsigned long long)atomic_load(&SPOOL[i]->refc));
        binary_deref(SPOOL[i]);
    }
    printf("random_stress: %d collections (%d ended in a full sweep state, %d promoted)\n", iters, majors,
           minors_promoting);
}

int main(void) {
    atom_init();
    MOD = atom_intern_cstr("gc_test");
    for (uint32_t i = 0; i < 4; i++) FE[i] = (FunEntry){MOD, i, 77, 1, i, NULL};
    MFA = (ErtsMFA){MOD, atom_intern_cstr("f"), 2};
    heap_init(&A, 1 << 16);
    RUN(heap_sizes);
    RUN(initial_heap);
    RUN(all_kinds);
    RUN(stack_roots);
    RUN(process_roots);
    RUN(shared_refc_binary);
    RUN(vheap);
    RUN(fragments_and_messages);
    RUN(literals_left_alone);
    RUN(literal_area_collected);
    RUN(generations_and_sizing);
    RUN(random_stress);
    heap_destroy(&A);
    return CHECK_DONE();
}
