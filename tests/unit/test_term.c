/*
 * test_term.c — tagging, atoms, heap, floats, binaries, maps, term order
 * and printing.
 */
#include "tests/unit/check.h"
#include "vm/atom.h"
#include "vm/bignum.h"
#include "vm/binary.h"
#include "vm/fun.h"
#include "vm/heap.h"
#include "vm/map.h"
#include "vm/term.h"
#include "vm/term_compare.h"
#include "vm/term_print.h"

static Heap H;

static const char *p(term_t t) {
    static char buf[4][512];
    static int i;
    char *b = buf[i++ & 3];
    term_print(b, sizeof buf[0], t);
    return b;
}

static term_t list3(term_t a, term_t b, term_t c) {
    term_t *hp = heap_alloc(&H, 6);
    return make_cons(hp, a, make_cons(hp + 2, b, make_cons(hp + 4, c, NIL)));
}
static term_t tup2(term_t a, term_t b) {
    term_t *hp = heap_alloc(&H, 3);
    term_t t = make_tuple_header(hp, 2);
    hp[1] = a;
    hp[2] = b;
    return t;
}
static term_t flt(double d) { return make_float(heap_alloc(&H, FLOAT_WORDS), d); }
static term_t atm(const char *s) { return atom_intern_cstr(s); }

TEST(tagging) {
    CHECK(is_small(make_small(0)) && small_value(make_small(-5)) == -5);
    CHECK(small_value(make_small(SMALL_MAX)) == SMALL_MAX && small_value(make_small(SMALL_MIN)) == SMALL_MIN);
    CHECK(!small_fits(SMALL_MAX + 1) && !small_fits(SMALL_MIN - 1));
    CHECK(is_nil(NIL) && !is_atom(NIL) && !is_list(NIL) && is_immed(NIL));
    CHECK(is_atom(ATOM_true) && !is_small(ATOM_true));
    term_t pid = make_internal_pid(9, 3);
    CHECK(is_pid(pid) && pid_number(pid) == 9 && pid_serial(pid) == 3 && !is_port(pid));
    CHECK(is_port(make_internal_port(5)) && port_number(make_internal_port(5)) == 5);
    CHECK(is_catch(make_catch(7)) && catch_index(make_catch(7)) == 7);
    term_t t = tup2(make_small(1), ATOM_ok);
    CHECK(is_tuple(t) && tuple_arity(t) == 2 && tuple_element(t, 2) == ATOM_ok);
    term_t l = list3(make_small(1), make_small(2), make_small(3));
    CHECK(is_list(l) && cons_head(l) == make_small(1) && is_list(cons_tail(l)));
    term_t f = flt(2.5);
    CHECK(is_float(f) && float_value(f) == 2.5 && is_number(f) && !is_integer(f));
    CHECK(is_header(*boxed_val(f)) && header_object_words(*boxed_val(f)) == FLOAT_WORDS);
    CHECK(THE_NON_VALUE != NIL && !is_value(THE_NON_VALUE));
}

TEST(atoms) {
    CHECK(atm("true") == ATOM_true && atm("EXIT") == ATOM_EXIT && atm("nonode@nohost") == ATOM_nonode_at_nohost);
    term_t a = atm("a_new_atom");
    CHECK(atm("a_new_atom") == a && atom_lookup((const uint8_t *)"a_new_atom", 10) == a);
    CHECK(atom_lookup((const uint8_t *)"never_made", 10) == THE_NON_VALUE);
    const Atom *e = atom_get(a);
    CHECK(e->len_bytes == 10 && !memcmp(e->name, "a_new_atom", 10) && e->latin1_chars == 10);
    /* Latin-1 and UTF-8 spellings of 'é' are the same atom */
    static const uint8_t l1[] = {0xE9}, u8[] = {0xC3, 0xA9};
    CHECK(atom_intern_latin1(l1, 1) == atom_intern(u8, 2));
    CHECK(atom_get(atom_intern(u8, 2))->latin1_chars == 1);
    static const uint8_t lambda[] = {0xCE, 0xBB};
    CHECK(atom_get(atom_intern(lambda, 2))->latin1_chars == -1);
    /* limits: 255 characters, valid UTF-8 */
    char long_name[300];
    memset(long_name, 'x', sizeof long_name);
    CHECK(atom_intern((const uint8_t *)long_name, 255) != THE_NON_VALUE);
    CHECK(atom_intern((const uint8_t *)long_name, 256) == THE_NON_VALUE);
    static const uint8_t bad[] = {0xC3, 0x28};
    CHECK(atom_intern(bad, 2) == THE_NON_VALUE);
    static const uint8_t overlong[] = {0xC0, 0xAF};
    CHECK(atom_intern(overlong, 2) == THE_NON_VALUE);
    CHECK(atom_compare(atm("a"), atm("b")) < 0 && atom_compare(atm("ab"), atm("a")) > 0);
    /* many atoms: the index grows, entries stay put */
    const Atom *first = atom_get(a);
    for (int i = 0; i < 10000; i++) {
        char n[32];
        snprintf(n, sizeof n, "atom_%d", i);
        atm(n);
    }
    CHECK(atom_get(a) == first && atm("atom_1234") == atm("atom_1234"));
}

TEST(heap_fragments) {
    Heap h;
    heap_init(&h, 4);
    term_t *a = heap_alloc(&h, 3);
    term_t *b = heap_alloc(&h, 3); /* does not fit: fragment */
    CHECK(a == h.heap && h.mbuf != NULL && b == h.mbuf->mem && h.mbuf_sz == 3);
    heap_release(&h, b, 3, 1);
    CHECK(h.mbuf_sz == 2);
    heap_destroy(&h);
}

TEST(binaries) {
    static const uint8_t bytes[] = "hello world";
    term_t b = binary_new(&H, bytes, 11);
    CHECK(is_binary(b) && boxed_subtag(b) == HEAP_BINARY_SUBTAG && bitstring_bit_size(b) == 88);
    uint8_t big[200];
    for (int i = 0; i < 200; i++) big[i] = (uint8_t)i;
    OffHeapHeader *before = H.off_heap.first;
    term_t r = binary_new(&H, big, 200);
    CHECK(boxed_subtag(r) == REFC_BINARY_SUBTAG && H.off_heap.first != before);
    ProcBin *pb = (ProcBin *)boxed_val(r);
    CHECK(pb->size == 200 && atomic_load(&pb->val->refc) == 1);
    const uint8_t *ptr;
    size_t off, bits;
    bitstring_get(r, &ptr, &off, &bits);
    CHECK(ptr[199] == 199 && off == 0 && bits == 1600);
    /* sub binary of a sub binary points at the original */
    term_t s1 = sub_binary_new(&H, r, 12, 800);
    term_t s2 = sub_binary_new(&H, s1, 4, 16);
    CHECK(((SubBin *)boxed_val(s2))->orig == r && ((SubBin *)boxed_val(s2))->offset_bits == 16);
    bitstring_get(s2, &ptr, &off, &bits);
    CHECK(ptr == pb->bytes + 2 && off == 0 && bits == 16);
    /* bitstring <<1,2,3:5>> */
    static const uint8_t bs[] = {1, 2, 3 << 3};
    term_t t = bitstring_new(&H, bs, 21);
    CHECK(is_bitstring(t) && !is_binary(t) && bitstring_bit_size(t) == 21);
    CHECK_EQ_STR(p(t), "<<1,2,3:5>>");
    /* bit copies across offsets */
    uint8_t dst[4] = {0xFF, 0xFF, 0xFF, 0xFF};
    static const uint8_t src[] = {0xA5, 0x3C};
    bits_copy(dst, 3, src, 2, 10); /* bits 1001010011 */
    CHECK(dst[0] == 0xF2 && dst[1] == 0x9F);
    CHECK(bits_compare(src, 0, src, 0, 16) == 0 && bits_compare(dst, 3, src, 2, 10) == 0);
}

TEST(maps) {
    term_t m = map_from_pairs(&H, NULL, NULL, 0);
    CHECK(is_map(m) && map_size(m) == 0 && map_kind(m) == MAP_KIND_FLAT);
    m = map_put(&H, m, atm("b"), make_small(2));
    m = map_put(&H, m, atm("a"), make_small(1));
    m = map_put(&H, m, flt(1.0), atm("y"));
    m = map_put(&H, m, make_small(1), atm("x"));
    CHECK(map_size(m) == 4);
    /* erl: #{b=>2, a=>1, 1=>x, 1.0=>y} prints keys as 1, 1.0, a, b */
    CHECK_EQ_STR(p(m), "#{1 => x,1.0 => y,a => 1,b => 2}");
    CHECK(map_get(m, make_small(1)) == atm("x") && map_get(m, atm("a")) == make_small(1));
    CHECK(map_get(m, atm("zz")) == THE_NON_VALUE);
    CHECK(map_get(m, flt(1.0)) == atm("y"));
    term_t m2 = map_put(&H, m, atm("a"), make_small(10));
    CHECK(flatmap_keys(m2) == flatmap_keys(m) && map_get(m2, atm("a")) == make_small(10));
    term_t m3 = map_remove(&H, m2, atm("b"));
    CHECK(map_size(m3) == 3 && map_get(m3, atm("b")) == THE_NON_VALUE);
    CHECK(map_remove(&H, m3, atm("nope")) == m3);
    term_t ks[3] = {atm("k"), atm("j"), atm("k")}, vs[3] = {make_small(1), make_small(2), make_small(3)};
    term_t m4 = map_from_pairs(&H, ks, vs, 3);
    CHECK_EQ_STR(p(m4), "#{j => 2,k => 3}");
    MapIter it;
    term_t k, v;
    int n = 0;
    map_iter_init(&it, m4);
    while (map_iter_next(&it, &k, &v)) n++;
    CHECK(n == 2);
    /* the 33rd entry turns the flatmap into a HAMT */
    term_t big = map_from_pairs(&H, NULL, NULL, 0);
    for (int i = 0; i < 32; i++) big = map_put(&H, big, make_small(i), NIL);
    CHECK(map_size(big) == 32);
    big = map_put(&H, big, make_small(99), NIL);
    CHECK(map_size(big) == 33);
    CHECK(map_get(big, make_small(99)) == NIL);
    CHECK(map_get(big, make_small(5)) == NIL && map_get(big, make_small(100)) == THE_NON_VALUE);
}

TEST(term_order) {
    term_t bin = binary_new(&H, (const uint8_t *)"a", 1);
    uint32_t rn[3] = {1, 2, 3};
    term_t ref = make_internal_ref(heap_alloc(&H, REF_WORDS), rn);
    static const FunEntry fe = {ATOM_erlang, 0, 0, 0, 0, NULL};
    term_t *fp = heap_alloc(&H, fun_words(0));
    fp[0] = make_header(1, FUN_SUBTAG);
    fp[1] = (term_t)(uintptr_t)&fe;
    term_t fun = make_boxed(fp);
    static const ErtsMFA mfa = {ATOM_erlang, ATOM_apply, 2};
    term_t exp = make_export_fun(heap_alloc(&H, EXPORT_FUN_WORDS), &mfa);
    /* number < atom < reference < fun < port < pid < tuple < map < nil < list < bitstring */
    term_t order[] = {make_small(1), atm("a"), ref, fun, exp, make_internal_port(1), make_internal_pid(1, 0),
                      tup2(NIL, NIL), map_from_pairs(&H, NULL, NULL, 0), NIL, list3(NIL, NIL, NIL), bin};
    size_t n = sizeof order / sizeof order[0];
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < n; j++) {
            int want = i < j ? -1 : i > j ? 1 : 0;
            if (term_compare(order[i], order[j]) != want) CHECK_FAIL_("compare(%s, %s) != %d", p(order[i]), p(order[j]), want);
        }
    }
    /* numbers: == vs =:= */
    CHECK(term_eq(make_small(1), flt(1.0)) && !term_eq_exact(make_small(1), flt(1.0)));
    CHECK(term_compare_exact(flt(0.5), make_small(1)) > 0);  /* map-key order: integers first */
    CHECK(term_compare(flt(0.5), make_small(1)) < 0);
    term_t two64 = big_bsl(&H, make_small(1), 64);
    CHECK(term_eq(two64, flt(18446744073709551616.0)) && term_compare(two64, flt(1e19)) > 0);
    CHECK(term_compare(big_neg(&H, two64), make_small(SMALL_MIN)) < 0);
    CHECK(term_eq(flt(0.0), flt(-0.0)));
    /* tuples by size first, then elements; lists element-wise then length */
    CHECK(term_compare(tup2(make_small(9), NIL), list3(NIL, NIL, NIL)) < 0);
    CHECK(term_compare(list3(make_small(1), make_small(2), make_small(3)), list3(make_small(1), make_small(2), make_small(4))) < 0);
    term_t *hp = heap_alloc(&H, 2);
    term_t short_l = make_cons(hp, make_small(1), NIL);
    CHECK(term_compare(short_l, list3(make_small(1), make_small(2), make_small(3))) < 0);
    /* maps: size, then keys, then values (erl: #{a=>1,b=>2} < #{a=>2,b=>1} < #{a=>1,c=>0}) */
    term_t ka[2] = {atm("a"), atm("b")}, kc[2] = {atm("a"), atm("c")};
    term_t v12[2] = {make_small(1), make_small(2)}, v21[2] = {make_small(2), make_small(1)}, v10[2] = {make_small(1), make_small(0)};
    term_t m1 = map_from_pairs(&H, ka, v12, 2), m2 = map_from_pairs(&H, ka, v21, 2), m3 = map_from_pairs(&H, kc, v10, 2);
    CHECK(term_compare(m1, m2) < 0 && term_compare(m2, m3) < 0 && term_compare(m1, m3) < 0);
    /* erl: #{1 => a} < #{1.0 => a}, and they are not == */
    term_t k1[1] = {make_small(1)}, kf[1] = {flt(1.0)}, va[1] = {atm("a")};
    term_t mi = map_from_pairs(&H, k1, va, 1), mf = map_from_pairs(&H, kf, va, 1);
    CHECK(term_compare(mi, mf) < 0 && !term_eq(mi, mf));
    /* bitstrings: bytes, then size */
    static const uint8_t x[] = {1, 2, 3};
    CHECK(term_compare(binary_new(&H, x, 2), binary_new(&H, x, 3)) < 0);
    CHECK(term_compare(bitstring_new(&H, x, 17), binary_new(&H, x, 3)) < 0);
    /* deep nesting does not recurse on the C stack */
    term_t deep_a = NIL, deep_b = NIL;
    for (int i = 0; i < 100000; i++) {
        term_t *c = heap_alloc(&H, 4);
        deep_a = make_cons(c, deep_a, NIL);
        deep_b = make_cons(c + 2, deep_b, NIL);
    }
    CHECK(term_compare(deep_a, deep_b) == 0);
}

TEST(printing) {
    CHECK_EQ_STR(p(list3(make_small(104), make_small(105), make_small(10))), "\"hi\\n\"");
    CHECK_EQ_STR(p(tup2(atm("ok"), atm("Hello"))), "{ok,'Hello'}");
    CHECK_EQ_STR(p(atm("end")), "'end'");
    CHECK_EQ_STR(p(flt(0.1)), "0.1");
    CHECK_EQ_STR(p(flt(1.0e20)), "1.0e20");
    CHECK_EQ_STR(p(flt(-2.5e-7)), "-2.5e-7");
    CHECK_EQ_STR(p(make_internal_pid(9, 0)), "<0.9.0>");
    term_t *hp = heap_alloc(&H, 2);
    CHECK_EQ_STR(p(make_cons(hp, atm("a"), atm("b"))), "[a|b]");
    char small[8];
    size_t n = term_print(small, sizeof small, atm("a_rather_long_atom"));
    CHECK(n == 18 && strlen(small) == 7);
}

int main(void) {
    atom_init();
    heap_init(&H, 1 << 20);
    RUN(tagging);
    RUN(atoms);
    RUN(heap_fragments);
    RUN(binaries);
    RUN(maps);
    RUN(term_order);
    RUN(printing);
    heap_destroy(&H);
    return CHECK_DONE();
}
