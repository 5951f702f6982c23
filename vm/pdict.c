/*
 * pdict.c — the process dictionary (pdict.h).
 */
#include "vm/pdict.h"

#include <stdlib.h>

#include "vm/atom.h"
#include "vm/phash.h"
#include "vm/platform.h"
#include "vm/term_compare.h"

#define PD_INITIAL_SLOTS 8          /* OTP's default (+hpds) */

/* Equal under =:= gives equal hashes: immediates hash their word, other
 * terms their phash2 (which looks at the value, not the address). */
static uint32_t key_hash(term_t k)
{
    if (is_immed(k)) {
        uint64_t h = k * 0x9E3779B97F4A7C15ull;
        return (uint32_t)(h >> 32);
    }
    return phash2_make_hash2(k);
}

static term_t *slot_of(const Process *p, term_t key)
{
    return &p->pd[key_hash(key) & (p->pd_size - 1)];
}

static term_t bucket_find(term_t b, term_t key)
{
    for (; is_list(b); b = cons_tail(b))
        if (term_eq_exact(tuple_element(cons_head(b), 1), key)) return cons_head(b);
    return THE_NON_VALUE;
}

/* Bucket b without key's entry (rebuilds the cells before it). */
static term_t bucket_without(Process *p, term_t b, term_t key)
{
    size_t before = 0;
    term_t t = b;
    for (; is_list(t); t = cons_tail(t), before++)
        if (term_eq_exact(tuple_element(cons_head(t), 1), key)) break;
    if (!is_list(t)) return b;
    term_t rest = cons_tail(t), *hp = heap_alloc(&p->h, before * CONS_WORDS);
    term_t head = rest, *link = &head;
    for (t = b; before--; t = cons_tail(t)) {
        *link = make_cons(hp, cons_head(t), rest);
        link = &hp[1];
        hp += CONS_WORDS;
    }
    return head;
}

static void table_alloc(Process *p, uint32_t size)
{
    term_t *slots = malloc(size * sizeof *slots);
    if (!slots) plat_fatal("pdict: out of memory");
    for (uint32_t i = 0; i < size; i++) slots[i] = NIL;
    p->pd = slots;
    p->pd_size = size;
}

/* Doubles the table: every entry is pushed onto its new bucket. */
static void grow(Process *p)
{
    term_t *old = p->pd;
    uint32_t old_size = p->pd_size;
    table_alloc(p, old_size * 2);
    term_t *hp = heap_alloc(&p->h, (size_t)p->pd_count * CONS_WORDS);
    for (uint32_t i = 0; i < old_size; i++)
        for (term_t b = old[i]; is_list(b); b = cons_tail(b)) {
            term_t e = cons_head(b), *s = slot_of(p, tuple_element(e, 1));
            *s = make_cons(hp, e, *s);
            hp += CONS_WORDS;
        }
    free(old);
}

term_t pdict_get(const Process *p, term_t key)
{
    if (!p->pd) return THE_NON_VALUE;
    term_t e = bucket_find(*slot_of(p, key), key);
    return is_value(e) ? tuple_element(e, 2) : THE_NON_VALUE;
}

term_t pdict_put(Process *p, term_t key, term_t value)
{
    if (!p->pd) table_alloc(p, PD_INITIAL_SLOTS);
    term_t *s = slot_of(p, key);
    term_t old = bucket_find(*s, key);
    term_t rest = is_value(old) ? bucket_without(p, *s, key) : *s;
    term_t *hp = heap_alloc(&p->h, 3 + CONS_WORDS);
    hp[1] = key;
    hp[2] = value;
    *s = make_cons(hp + 3, make_tuple_header(hp, 2), rest);
    if (is_value(old)) return tuple_element(old, 2);
    if (++p->pd_count > 2 * p->pd_size) grow(p);
    return ATOM_undefined;
}

term_t pdict_erase(Process *p, term_t key)
{
    if (!p->pd) return ATOM_undefined;
    term_t *s = slot_of(p, key);
    term_t old = bucket_find(*s, key);
    if (!is_value(old)) return ATOM_undefined;
    *s = bucket_without(p, *s, key);
    p->pd_count--;
    return tuple_element(old, 2);
}

term_t pdict_list(const Process *p, Heap *h)
{
    if (!p->pd || p->pd_count == 0) return NIL;
    term_t *hp = heap_alloc(h, (size_t)p->pd_count * CONS_WORDS), list = NIL;
    for (uint32_t i = p->pd_size; i-- > 0;)
        for (term_t b = p->pd[i]; is_list(b); b = cons_tail(b)) {
            list = make_cons(hp, cons_head(b), list);
            hp += CONS_WORDS;
        }
    return list;
}

term_t pdict_keys(const Process *p, Heap *h, bool all, term_t value)
{
    term_t list = NIL;
    if (!p->pd) return NIL;
    for (uint32_t i = p->pd_size; i-- > 0;)
        for (term_t b = p->pd[i]; is_list(b); b = cons_tail(b)) {
            term_t e = cons_head(b);
            if (!all && !term_eq_exact(tuple_element(e, 2), value)) continue;
            list = make_cons(heap_alloc(h, CONS_WORDS), tuple_element(e, 1), list);
        }
    return list;
}

void pdict_clear(Process *p)
{
    free(p->pd);
    p->pd = NULL;
    p->pd_size = p->pd_count = 0;
}

size_t pdict_bytes(const Process *p)
{
    return p->pd ? p->pd_size * sizeof(term_t) : 0;
}
