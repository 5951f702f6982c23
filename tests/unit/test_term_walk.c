/*
 * test_term_walk.c — the term walkers without C recursion (vm/term_stack.h):
 * term_copy_size/term_copy and term_print on random terms (every kind of
 * object, flat and HAMT maps, ProcBins, sub binaries) and on terms nested
 * 1M deep through every position (list head and tail, first and last tuple
 * element, map values and keys). The copy must be exactly term_copy_size
 * words, a walkable heap area, equal (=:=) to the original, and share
 * ProcBins by count.
 *
 * Build with -DOLD_PRINT and link an older term_print.o whose symbols are
 * renamed old_term_print* to compare the printers on the random terms.
 */
#include <stdlib.h>

#include "tests/unit/check.h"
#include "vm/atom.h"
#include "vm/bignum.h"
#include "vm/binary.h"
#include "vm/heap.h"
#include "vm/map.h"
#include "vm/phash.h"
#include "vm/term.h"
#include "vm/term_compare.h"
#include "vm/term_copy.h"
#include "vm/term_print.h"

#ifdef OLD_PRINT
size_t old_term_print(char *buf, size_t cap, term_t t);
#endif

static Heap H;
static uint64_t rng = 88172645463325252ull;
static uint64_t rnd(uint64_t n) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng % n;
}

static term_t tuple_of(const term_t *e, size_t n) {
    term_t *hp = heap_alloc(&H, 1 + n);
    term_t t = make_tuple_header(hp, n);
    for (size_t i = 0; i < n; i++) hp[1 + i] = e[i];
    return t;
}
static term_t cons(term_t h, term_t t) { return make_cons(heap_alloc(&H, 2), h, t); }

static term_t leaf(void) {
    static const char *const names[] = {"a", "ok", "Quoted atom", "é", "undefined"};
    switch (rnd(9)) {
    case 0: return make_small((int64_t)rnd(2000) - 1000);
    case 1: return atom_intern_cstr(names[rnd(5)]);
    case 2: return NIL;
    case 3: return make_float(heap_alloc(&H, FLOAT_WORDS), (double)rnd(1000) / 7.0);
    case 4: return big_from_uint64(&H, (1ull << 62) + rnd(1000));
    case 5: {
        uint8_t b[100];
        size_t n = rnd(2) ? 5 : 100; /* a heap binary or a ProcBin */
        for (size_t i = 0; i < n; i++) b[i] = (uint8_t)('a' + rnd(26));
        return binary_new(&H, b, n);
    }
    case 6: {
        term_t s = NIL; /* a printable string */
        for (int i = 0; i < 4; i++) s = cons(make_small('a' + (int64_t)rnd(26)), s);
        return s;
    }
    case 7: return make_internal_pid((uint32_t)rnd(100), 0);
    default: return make_small((int64_t)rnd(10));
    }
}

static term_t random_term(int depth) {
    if (depth <= 0 || rnd(4) == 0) return leaf();
    switch (rnd(4)) {
    case 0: { /* tuple */
        term_t e[5];
        size_t n = rnd(6);
        for (size_t i = 0; i < n; i++) e[i] = random_term(depth - 1);
        return tuple_of(e, n);
    }
    case 1: { /* list, sometimes improper */
        term_t l = rnd(5) ? NIL : leaf();
        for (size_t i = rnd(5); i > 0; i--) l = cons(random_term(depth - 1), l);
        return l;
    }
    default: { /* map: flat, or a HAMT past 32 keys */
        bool hamt = rnd(4) == 0;
        size_t n = hamt ? 33 + rnd(10) : rnd(5);
        term_t ks[64], vs[64];
        for (size_t i = 0; i < n; i++) {
            ks[i] = make_small((int64_t)i * 3);
            vs[i] = hamt && rnd(8) ? leaf() : random_term(depth - 1); /* keep it small */
        }
        if (n && rnd(2)) ks[0] = random_term(depth - 1); /* a compound key */
        return map_from_pairs(&H, ks, vs, n);
    }
    }
}

/* [from, to) is a walkable heap area: objects and cons cells, nothing else. */
static int walkable(const term_t *from, const term_t *to) {
    const term_t *p = from;
    while (p < to) {
        term_t w = *p;
        if (!is_header(w)) {
            p++; /* a word of a cons cell, or an element */
            continue;
        }
        switch (header_subtag(w)) {
        case TUPLE_SUBTAG: case MAP_SUBTAG: p += 1; break;
        default: p += header_object_words(w); break;
        }
    }
    return p == to;
}

/* Copies t to a fresh fragment and checks the copy; returns it. */
static term_t check_copy(term_t t, HeapFragment **fp, OffHeap *oh) {
    size_t n = term_copy_size(t);
    HeapFragment *f = term_fragment_new(n + 1);
    term_t *hp = f->mem;
    f->mem[n] = make_small(12345); /* a guard past the end */
    term_t c = term_copy(t, &hp, oh);
    CHECK(hp == f->mem + n);
    CHECK(f->mem[n] == make_small(12345));
    CHECK(walkable(f->mem, f->mem + n));
    CHECK(term_compare_exact(t, c) == 0);
    *fp = f;
    return c;
}

TEST(random_terms) {
    for (int i = 0; i < 3000; i++) {
        term_t t = random_term(6);
        HeapFragment *f;
        OffHeap oh = {0};
        term_t c = check_copy(t, &f, &oh);
        CHECK_EQ_INT(phash2_make_hash2(c), phash2_make_hash2(t));
        static char a[1 << 16], b[1 << 16];
        size_t na = term_print(a, sizeof a, t), nb = term_print(b, sizeof b, c);
        CHECK(na == nb && strcmp(a, b) == 0);
        /* the length is the whole text's even when the buffer is short */
        char small[16];
        CHECK_EQ_INT(term_print(small, sizeof small, t), na);
        CHECK(strncmp(small, a, sizeof small - 1) == 0);
#ifdef OLD_PRINT
        static char o[1 << 16];
        size_t no = old_term_print(o, sizeof o, t);
        if (no != na || strcmp(o, a) != 0) CHECK_FAIL_("printers differ:\n old %s\n new %s", o, a);
#endif
        heap_off_heap_release(&oh);
        free(f);
        if (i % 100 == 99) {
            heap_destroy(&H);
            heap_init(&H, 1 << 16);
        }
    }
}

TEST(procbin_shared_by_count) {
    uint8_t b[200];
    memset(b, 'x', sizeof b);
    term_t bin = binary_new(&H, b, sizeof b);
    term_t e[3] = {bin, bin, make_small(1)};
    term_t t = tuple_of(e, 3);
    ProcBin *pb = (ProcBin *)boxed_val(bin);
    uint64_t before = atomic_load(&pb->val->refc);
    HeapFragment *f;
    OffHeap oh = {0};
    check_copy(t, &f, &oh);
    CHECK_EQ_INT(atomic_load(&pb->val->refc), before + 2);
    CHECK_EQ_INT(oh.overhead, 400);
    int listed = 0;
    for (OffHeapHeader *h = oh.first; h; h = h->next) listed++;
    CHECK_EQ_INT(listed, 2);
    heap_off_heap_release(&oh);
    CHECK_EQ_INT(atomic_load(&pb->val->refc), before);
    free(f);
}

enum { DEEP = 1000000 };

/* DEEP levels of wrap(kind, inner) around `leaf` */
static term_t deep(int kind, term_t inner) {
    for (int i = 0; i < DEEP; i++) {
        switch (kind) {
        case 0: inner = cons(inner, NIL); break;                       /* [A] */
        case 1: inner = cons(make_small(1), cons(inner, NIL)); break;  /* [1, A] */
        case 2: inner = cons(inner, ATOM_ok); break;                   /* [A | ok] */
        case 3: inner = tuple_of(&inner, 1); break;                    /* {A} */
        case 4: { term_t e[2] = {inner, ATOM_ok}; inner = tuple_of(e, 2); break; }
        case 5: { term_t k = ATOM_ok; inner = map_from_pairs(&H, &k, &inner, 1); break; }
        default: { term_t v = ATOM_ok; inner = map_from_pairs(&H, &inner, &v, 1); break; } /* as a key */
        }
    }
    return inner;
}

TEST(deep_terms) {
    for (int kind = 0; kind < 7; kind++) {
        heap_destroy(&H);
        heap_init(&H, 1 << 16);
        term_t t = deep(kind, make_small(7));
        HeapFragment *f;
        OffHeap oh = {0};
        term_t c = check_copy(t, &f, &oh);
        CHECK(term_compare(t, c) == 0);
        term_t u = deep(kind, make_small(8));
        CHECK(term_compare(t, u) < 0 && term_compare(u, c) > 0);
        CHECK(phash2_make_hash2(t) == phash2_make_hash2(c));
        char buf[64];
        size_t n = term_print(buf, sizeof buf, c);
        CHECK(n > 64 && strstr(buf, "...") == NULL); /* cut by the buffer */
        free(f);
    }
}

TEST(print_depth_limit) {
    /* 100 levels of {A}: TERM_PRINT_MAX_DEPTH levels open, then "..." */
    term_t t = make_small(1);
    for (int i = 0; i < 100; i++) t = tuple_of(&t, 1);
    char buf[1024], want[1024];
    size_t k = 0;
    for (int i = 0; i <= TERM_PRINT_MAX_DEPTH; i++) want[k++] = '{';
    memcpy(want + k, "...", 3);
    k += 3;
    for (int i = 0; i <= TERM_PRINT_MAX_DEPTH; i++) want[k++] = '}';
    want[k] = 0;
    CHECK_EQ_INT(term_print(buf, sizeof buf, t), k);
    CHECK_EQ_STR(buf, want);
    term_t e[3] = {make_small(1), NIL, ATOM_ok};
    term_t l = cons(tuple_of(e, 3), cons(make_small(2), atom_intern_cstr("tail")));
    term_t ks[2] = {make_small(1), l}, vs[2] = {l, tuple_of(e, 0)};
    term_print(buf, sizeof buf, map_from_pairs(&H, ks, vs, 2));
    CHECK_EQ_STR(buf, "#{1 => [{1,[],ok},2|tail],[{1,[],ok},2|tail] => {}}");
}

int main(void) {
    atom_init();
    heap_init(&H, 1 << 16);
    RUN(random_terms);
    RUN(procbin_shared_by_count);
    RUN(deep_terms);
    RUN(print_depth_limit);
    heap_destroy(&H);
    return CHECK_DONE();
}
