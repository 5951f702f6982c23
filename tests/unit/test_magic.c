/*
 * test_magic.c — magic references (vm/magic.h): layout, the reference
 * behaviour they share with plain refs (compare, hash, print, encode),
 * sharing by count (term_copy), the ETF export table, and the GC's
 * off-heap sweep dropping dead ones.
 */
#include <stdlib.h>
#include <string.h>

#include "tests/unit/check.h"
#include "vm/atom.h"
#include "vm/etf.h"
#include "vm/gc.h"
#include "vm/heap.h"
#include "vm/magic.h"
#include "vm/phash.h"
#include "vm/term.h"
#include "vm/term_compare.h"
#include "vm/term_copy.h"
#include "vm/term_print.h"

static int destroyed; /* how many test objects were destroyed */

static void test_destroy(MagicBin *mb) {
    (void)mb;
    destroyed++;
}
static void other_kind_destroy(MagicBin *mb) { (void)mb; }

static uint32_t next_number = 1000;

/* A new object with one count, wrapped in a ref on h. */
static term_t new_magic(Heap *h, MagicBin **out) {
    MagicBin *mb = magic_bin_alloc(64, test_destroy);
    memset(mb->data, 0x5A, 64);
    uint32_t num[REF_NUMBERS] = {next_number++, 7, 1};
    if (out) *out = mb;
    return magic_ref_make(h, mb, num);
}

static uint64_t refc(const MagicBin *mb) { return atomic_load(&mb->refc); }

static const char *text(term_t t) {
    static char buf[2][128];
    static int i;
    char *b = buf[i++ & 1];
    term_print(b, sizeof buf[0], t);
    return b;
}

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
    free(p);
}

TEST(layout) {
    Heap h;
    heap_init(&h, 256);
    MagicBin *mb;
    uint64_t before = magic_bytes_in_use();
    term_t t = new_magic(&h, &mb);
    CHECK(is_ref(t) && is_reference(t) && is_magic_ref(t));
    CHECK_EQ_INT(header_object_words(*boxed_val(t)), MAGIC_REF_WORDS);
    CHECK_EQ_INT(ref_number(t, 0), next_number - 1);
    CHECK_EQ_INT(ref_number(t, 1), 7);
    CHECK_EQ_INT(ref_number(t, 2), 1);
    CHECK(h.off_heap.first == (OffHeapHeader *)boxed_val(t));
    CHECK_EQ_INT(h.off_heap.overhead, 0); /* not charged as binary */
    CHECK(magic_ref_bin(t, test_destroy) == mb);
    CHECK(magic_ref_bin(t, other_kind_destroy) == NULL);
    CHECK(magic_bytes_in_use() - before == mb->bytes);
    uint32_t num[REF_NUMBERS] = {1, 2, 3};
    term_t plain = make_internal_ref(heap_alloc(&h, REF_WORDS), num);
    CHECK(!is_magic_ref(plain) && magic_ref_bin(plain, test_destroy) == NULL);
    int d = destroyed;
    heap_destroy(&h);
    CHECK_EQ_INT(destroyed, d + 1);
    CHECK_EQ_INT(magic_bytes_in_use(), before);
}

TEST(behaves_as_its_numbers) {
    Heap h;
    heap_init(&h, 256);
    term_t m = new_magic(&h, NULL);
    uint32_t num[REF_NUMBERS] = {ref_number(m, 0), ref_number(m, 1), ref_number(m, 2)};
    term_t plain = make_internal_ref(heap_alloc(&h, REF_WORDS), num);
    CHECK_EQ_INT(term_compare(m, plain), 0);
    CHECK_EQ_INT(term_compare_exact(m, plain), 0);
    CHECK_EQ_INT(phash2(m), phash2(plain));
    CHECK_EQ_STR(text(m), text(plain));
    num[2] = 2; /* a greater most significant number */
    term_t bigger = make_internal_ref(heap_alloc(&h, REF_WORDS), num);
    CHECK(term_compare(m, bigger) < 0 && term_compare(bigger, m) > 0);
    CHECK(term_compare(m, make_small(1)) > 0);
    uint8_t a[64], b[64];
    size_t la, lb;
    CHECK(etf_encode(m, NULL, a, sizeof a, &la) == ETF_OK);
    CHECK(etf_encode(plain, NULL, b, sizeof b, &lb) == ETF_OK);
    CHECK(la == lb && memcmp(a, b, la) == 0);
    heap_destroy(&h);
}

TEST(copy_shares_by_count) {
    Heap h, msg;
    heap_init(&h, 256);
    heap_init(&msg, 256);
    MagicBin *mb;
    term_t tup[3];
    term_t m = new_magic(&h, &mb);
    term_t *hp = heap_alloc(&h, 3);
    term_t t = make_tuple_header(hp, 2);
    hp[1] = m;
    hp[2] = m;
    CHECK_EQ_INT(term_copy_size(t), 3 + 2 * MAGIC_REF_WORDS);
    term_t *to = heap_alloc(&msg, term_copy_size(t));
    term_t c = term_copy(t, &to, &msg.off_heap);
    CHECK_EQ_INT(refc(mb), 3);
    tup[0] = tuple_element(c, 1);
    tup[1] = tuple_element(c, 2);
    CHECK(is_magic_ref(tup[0]) && magic_ref_bin(tup[0], test_destroy) == mb);
    CHECK_EQ_INT(term_compare_exact(tup[0], m), 0);
    int n = 0;
    for (OffHeapHeader *o = msg.off_heap.first; o; o = o->next) n++;
    CHECK_EQ_INT(n, 2);
    int d = destroyed;
    heap_destroy(&msg);
    CHECK_EQ_INT(refc(mb), 1);
    CHECK_EQ_INT(destroyed, d);
    heap_destroy(&h);
    CHECK_EQ_INT(destroyed, d + 1);
}

TEST(export_table) {
    Heap h, h2;
    heap_init(&h, 256);
    heap_init(&h2, 256);
    MagicBin *mb;
    term_t m = new_magic(&h, &mb);
    uint8_t buf[64];
    size_t len;
    /* not exported: a decode is a plain ref */
    CHECK(etf_encode(m, NULL, buf, sizeof buf, &len) == ETF_OK); /* exports it */
    term_t back;
    CHECK(etf_decode(&h2, buf, len, NULL, &back) == ETF_OK);
    CHECK(is_magic_ref(back) && magic_ref_bin(back, test_destroy) == mb);
    CHECK_EQ_INT(refc(mb), 2);
    CHECK(h2.off_heap.first == (OffHeapHeader *)boxed_val(back));
    heap_destroy(&h2);
    CHECK_EQ_INT(refc(mb), 1);
    int d = destroyed;
    heap_destroy(&h); /* last count: destroyed and out of the table */
    CHECK_EQ_INT(destroyed, d + 1);
    heap_init(&h2, 256);
    CHECK(etf_decode(&h2, buf, len, NULL, &back) == ETF_OK);
    CHECK(is_ref(back) && !is_magic_ref(back));
    CHECK(h2.off_heap.first == NULL);
    heap_destroy(&h2);
    uint32_t num[REF_NUMBERS] = {1, 2, 3};
    CHECK(magic_import(num) == NULL);
}

TEST(gc_drops_dead_refs) {
    Process *p = proc_new(233);
    MagicBin *mb;
    term_t x[2];
    x[0] = new_magic(&p->h, &mb);
    magic_bin_ref(mb); /* the test's own count, to watch it */
    x[1] = new_magic(&p->h, NULL);
    int d = destroyed;
    gc_collect(p, 0, x, 2);
    CHECK_EQ_INT(refc(mb), 2);
    CHECK(magic_ref_bin(x[0], test_destroy) == mb);
    CHECK_EQ_INT(ref_number(x[0], 1), 7);
    /* promoted to the old heap by later collections, still live */
    for (int i = 0; i < 4; i++) gc_collect(p, 0, x, 2);
    CHECK_EQ_INT(refc(mb), 2);
    CHECK_EQ_INT(destroyed, d);
    x[1] = NIL; /* drop the second: a full sweep destroys it */
    p->flags |= PF_FORCE_GC;
    gc_collect(p, 0, x, 2);
    CHECK_EQ_INT(destroyed, d + 1);
    CHECK_EQ_INT(refc(mb), 2);
    /* many dead ones in fragments */
    for (int i = 0; i < 100; i++) new_magic(&p->h, NULL);
    p->flags |= PF_FORCE_GC;
    gc_collect(p, 0, x, 1);
    CHECK_EQ_INT(destroyed, d + 101);
    CHECK(p->h.off_heap.first == (OffHeapHeader *)boxed_val(x[0]) && !p->h.off_heap.first->next);
    gc_collect(p, 0, x, 0); /* no live registers: the process drops its ref */
    CHECK_EQ_INT(refc(mb), 1);
    magic_bin_deref(mb);
    CHECK_EQ_INT(destroyed, d + 102);
    proc_free(p);
}

int main(void) {
    atom_init();
    term_set_local_node(atom_intern_cstr("nonode@nohost"), 0);
    RUN(layout);
    RUN(behaves_as_its_numbers);
    RUN(copy_shares_by_count);
    RUN(export_table);
    RUN(gc_drops_dead_refs);
    return CHECK_DONE();
}
