/*
 * export.c — the export table (see export.h): a chained hash table of
 * entries that are never freed. Growth doubles the bucket array under the
 * lock; lookups also take the lock (a spinlock: inserts are rare, and the
 * critical section is a few compares).
 */
#include "vm/export.h"

#include <stdatomic.h>
#include <stdlib.h>

#include "vm/atom.h"
#include "vm/code.h"
#include "vm/platform.h"

static Export **buckets;
static size_t bucket_count;
static size_t entry_count;
static atomic_flag table_lock = ATOMIC_FLAG_INIT;

static void lock(void) {
    while (atomic_flag_test_and_set_explicit(&table_lock, memory_order_acquire)) {
    }
}
static void unlock(void) { atomic_flag_clear_explicit(&table_lock, memory_order_release); }

static size_t hash_mfa(term_t m, term_t f, uint32_t a) {
    uint64_t h = m * 0x9E3779B97F4A7C15ull;
    h ^= f + 0x7F4A7C159E3779B9ull + (h << 6) + (h >> 2);
    h ^= a * 0xBF58476D1CE4E5B9ull;
    return (size_t)(h ^ (h >> 31));
}

static void grow(void) {
    size_t n = bucket_count ? bucket_count * 2 : 1024;
    Export **nb = calloc(n, sizeof *nb);
    if (!nb) plat_fatal("export: out of memory");
    for (size_t i = 0; i < bucket_count; i++) {
        Export *e = buckets[i];
        while (e) {
            Export *next = e->hnext;
            size_t b = hash_mfa(e->mfa.module, e->mfa.function, e->mfa.arity) & (n - 1);
            e->hnext = nb[b];
            nb[b] = e;
            e = next;
        }
    }
    free(buckets);
    buckets = nb;
    bucket_count = n;
}

static Export *lookup_locked(term_t m, term_t f, uint32_t a) {
    if (!bucket_count) return NULL;
    for (Export *e = buckets[hash_mfa(m, f, a) & (bucket_count - 1)]; e; e = e->hnext)
        if (e->mfa.module == m && e->mfa.function == f && e->mfa.arity == a) return e;
    return NULL;
}

Export *export_find(term_t module, term_t function, uint32_t arity) {
    lock();
    Export *e = lookup_locked(module, function, arity);
    unlock();
    return e;
}

/* Point the stub at what the entry is when no code is loaded for it. */
static void set_stub(Export *e) {
    e->stub[0] = emu_instr_addr(e->bif ? I_i_call_bif : I_i_call_undefined);
    e->stub[1] = (BeamInstr)e;
}

Export *export_get(term_t module, term_t function, uint32_t arity) {
    lock();
    Export *e = lookup_locked(module, function, arity);
    if (!e) {
        if (entry_count * 2 >= bucket_count) grow();
        e = calloc(1, sizeof *e);
        if (!e) plat_fatal("export: out of memory");
        e->mfa.module = module;
        e->mfa.function = function;
        e->mfa.arity = arity;
        set_stub(e);
        atomic_store_explicit(&e->addr, e->stub, memory_order_release);
        size_t b = hash_mfa(module, function, arity) & (bucket_count - 1);
        e->hnext = buckets[b];
        buckets[b] = e;
        entry_count++;
    }
    unlock();
    return e;
}

bool export_is_defined(const Export *ep) {
    return ep->bif || export_addr(ep) != ep->stub;
}

void export_set_code(Export *ep, const BeamInstr *code) {
    /* A BIF keeps precedence over Erlang code of the same name (erlang.beam
     * defines stubs for its BIFs, as in OTP). */
    if (ep->bif) code = NULL;
    atomic_store_explicit(&ep->addr, code ? code : ep->stub, memory_order_release);
}

void export_init(void) {
    for (unsigned i = 0; i < bif_table_count; i++) {
        const BifEntry *b = &bif_table[i];
        term_t m = atom_intern_cstr(b->module), f = atom_intern_cstr(b->name);
        Export *e = export_get(m, f, b->arity);
        e->bif = b->fn;
        e->bif_flags = b->flags;
        set_stub(e);
        atomic_store_explicit(&e->addr, e->stub, memory_order_release);
    }
}

void export_foreach(void (*fn)(Export *ep, void *arg), void *arg) {
    lock();
    size_t n = bucket_count;
    Export **snapshot = malloc((entry_count + 1) * sizeof *snapshot);
    size_t k = 0;
    for (size_t i = 0; i < n && snapshot; i++)
        for (Export *e = buckets[i]; e; e = e->hnext) snapshot[k++] = e;
    unlock();
    for (size_t i = 0; i < k; i++) fn(snapshot[i], arg);
    free(snapshot);
}
