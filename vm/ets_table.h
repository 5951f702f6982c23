/*
 * ets_table.h — an ETS table: its stored objects, its two storage kinds
 * (hash for set/bag/duplicate_bag, a contention-adapting tree of AVL trees
 * for ordered_set), its locks,
 * and the registry that maps table identifiers to tables. See docs/ets.md.
 *
 * Objects live outside every process heap: each is one malloc'ed EtsObj
 * holding a flat copy of the tuple (term_copy), with its own OffHeap list,
 * so a large binary stored in a table is shared by reference count.
 * Reading copies the object into the caller's heap (heap_alloc, which never
 * collects); writing copies the caller's term into a new EtsObj.
 *
 * Locks (order: registry, table, stripe or tree base; see ets_lock.h):
 *  - ets_registry_lock (per-scheduler reader indicators): guards the
 *    registry and every table's existence. Every ETS BIF holds it in read
 *    mode from the moment it looks the table up until it returns, so a
 *    table is freed only under the write lock, when no call uses it.
 *  - EtsTable.lock: the table's contents. Readers take it in read mode,
 *    writers in write mode, except in a write_concurrency hash table, where
 *    single-key operations take it in read mode plus the key's stripe lock
 *    (stripes[hash % ETS_STRIPES], guarding the buckets that hash there),
 *    and only a resize or a whole-table operation takes it in write mode.
 *    With read_ or write_concurrency its reader indicators are per
 *    scheduler (the read mode is the common one there).
 *  - EtsCaNode.lock (ordered_set with write_concurrency): one base node's
 *    AVL tree, taken by single-key operations under the table lock in
 *    read mode (ets_catree.c).
 *  - EtsTable.fix_lock (spinlock): the fixation list.
 */
#ifndef BEAMOS_VM_ETS_TABLE_H
#define BEAMOS_VM_ETS_TABLE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vm/ets_lock.h"
#include "vm/heap.h"
#include "vm/lock.h"
#include "vm/process.h"
#include "vm/term.h"

enum { ETS_SET, ETS_ORDERED_SET, ETS_BAG, ETS_DUPLICATE_BAG };
enum { ETS_PRIVATE, ETS_PROTECTED, ETS_PUBLIC };

/* One stored object: the header and the tuple's flat copy in one block
 * (the node of its chain or AVL tree is the object itself). In a hash
 * table link[0] is the bucket chain; in the tree link[0]/link[1] are the
 * left/right children and height the AVL height. `dead`: deleted while
 * the table was fixed (safe_fixtable); still chained so traversal can
 * continue past it, skipped by every reader, and freed when the last
 * fixation ends. The tuple is data[0] (term_copy puts the root first), so
 * it needs no field: the header is 56 bytes, and {K, V} of immediates
 * takes an 80-byte block. */
typedef struct EtsObj {
    struct EtsObj *link[2];
    term_t key;                /* element keypos of obj (cached in the first cache line: searches read it) */
    uint32_t hash;             /* hash tables: phash2_make_hash2 of the key */
    int16_t height;            /* tree */
    uint8_t dead;
    uint8_t flat;              /* data[] is the tuple alone, every element immediate */
    size_t words;              /* words of data[] */
    OffHeap off_heap;          /* ProcBins inside data[] */
    term_t data[];             /* the tuple's copy, its root first */
} EtsObj;

/* The stored tuple. */
static inline term_t ets_obj_tuple(const EtsObj *o) { return make_boxed(o->data); }

static inline size_t ets_obj_bytes(const EtsObj *o) { return sizeof *o + o->words * sizeof(term_t); }

/* A process's fixations of one table (safe_fixtable/2). */
typedef struct EtsFix {
    struct EtsFix *next;
    term_t pid;
    uint64_t count;
} EtsFix;

/* ordered_set: a contention-adapting tree (ets_catree.c). Route nodes
 * split the key space (left: keys < key; right: keys >= key, in term
 * order); each leaf is a base node holding an AVL tree (ets_tree.c) and,
 * with write_concurrency, its own lock. Without write_concurrency the tree
 * is one base node and never splits. Route nodes change only under the
 * table lock in write mode, so a caller holding it in read mode may walk
 * them freely. */
typedef struct EtsCaNode {
    EtsMutex lock;             /* base: guards root and stat (with the table lock in read mode) */
    int stat;                  /* base: contention statistics [lock] */
    bool base;
    EtsObj *root;              /* base: the AVL tree */
    struct EtsCaNode *child[2];/* route */
    term_t key;                /* route: immediate, or a copy in key_frag */
    HeapFragment *key_frag;
    OffHeap key_oh;
    char pad_[48];             /* >= 128 bytes: two nodes' locks never share a cache line */
} EtsCaNode;

#define ETS_STRIPES 64u          /* power of two; buckets >= stripes */
#define ETS_MIN_BUCKETS 256u     /* power of two */

typedef struct EtsTable {
    /* ---- registry [ets_registry_lock] ---- */
    struct EtsTable *id_next, *name_next, *all_next;
    uint32_t ref[3];           /* the table identifier's reference numbers */
    term_t name;               /* atom (changed by rename under the registry write lock) */
    bool named;

    /* ---- fixed at creation ---- */
    uint8_t type;              /* ETS_SET ... */
    uint8_t access;            /* ETS_PRIVATE ... */
    uint32_t keypos;           /* 1-based */
    bool read_conc, write_conc, decentralized, compressed;

    /* ---- ownership [lock, write mode], read without it as atomics ---- */
    _Atomic term_t owner;      /* pid */
    term_t heir;               /* pid, or ATOM_iter_none */
    term_t heir_data;          /* in heir_frag (or immediate) */
    HeapFragment *heir_frag;
    OffHeap heir_oh;

    /* ---- contents ---- */
    EtsRwLock lock;            /* per-scheduler indicators with read_ or write_concurrency */
    EtsMutexLine *stripes;     /* write_concurrency hash tables: ETS_STRIPES locks, else NULL */
    void *stripes_mem;
    EtsObj **buckets;          /* hash: nbuckets chains [lock; chain i also stripe i%S] */
    size_t nbuckets;           /* power of two [lock, write mode] */
    EtsCaNode *tree;           /* ordered_set [lock; see EtsCaNode] */
    bool catree;               /* ordered_set with write_concurrency: bases lock themselves */
    size_t tree_bytes;         /* route and base nodes and route keys [lock, write mode] */
    /* Live objects and bytes of EtsObj blocks (dead ones included) are
     * counted in lock.slots (ets_count_add): decentralised, so writers on
     * different schedulers never share the counters' cache line. */
    atomic_long bytes_adj;     /* added to the slots' bytes: -(bytes detached) [lock, write mode] */

    /* ---- safe_fixtable [fix_lock] ---- */
    SpinLock fix_lock;
    EtsFix *fixes;
    atomic_long fix_count;     /* sum of fixes' counts; >0: deletes only mark */
    atomic_long dead_count;    /* dead objects waiting for the unfix */
    uint64_t fix_mono_ns;      /* monotonic time of the first current fixation */
    uint64_t fix_sys_ns;       /* the same as system time (info safe_fixed) */
} EtsTable;

static inline bool ets_is_hash(const EtsTable *t) { return t->type != ETS_ORDERED_SET; }

/* ---- the table's counters (in its lock's per-scheduler slots) ----
 * When every scheduler has a slot of its own, only that scheduler (one
 * BIF at a time) writes it, so an add is a relaxed load and store: no
 * locked instruction on every insert and delete. Shared slots (more
 * schedulers than reader groups) need the atomic add, since objects are
 * created and freed outside the table lock. */
static inline void ets_slot_add(const EtsRwLock *l, atomic_long *c, long d)
{
    if (l->own_slots)
        atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + d, memory_order_relaxed);
    else
        atomic_fetch_add_explicit(c, d, memory_order_relaxed);
}
static inline void ets_count_add(EtsTable *t, long d) { ets_slot_add(&t->lock, &ets_rw_slot(&t->lock)->count, d); }
static inline void ets_bytes_add(EtsTable *t, long d) { ets_slot_add(&t->lock, &ets_rw_slot(&t->lock)->bytes, d); }
/* Live objects: exact under the table's write lock (or a whole-table
 * lock); otherwise a sum of slots read one after another, never below 0.
 * Objects are counted only under the table lock. */
static inline long ets_table_size(EtsTable *t)
{
    long n = 0;
    for (unsigned i = 0; i < t->lock.nslots; i++)
        n += atomic_load_explicit(&t->lock.slots[i].count, memory_order_relaxed);
    return n < 0 ? 0 : n;
}
/* Bytes of objects: objects are created and freed outside the table lock
 * too, so a slot is never written by anyone but its own writer (else an
 * owner's plain add could undo the write); bytes_adj takes off what was
 * detached. */
static inline long ets_table_obj_bytes(EtsTable *t)
{
    long n = atomic_load_explicit(&t->bytes_adj, memory_order_relaxed);
    for (unsigned i = 0; i < t->lock.nslots; i++)
        n += atomic_load_explicit(&t->lock.slots[i].bytes, memory_order_relaxed);
    return n < 0 ? 0 : n;
}
/* The storage was detached (write lock held): zero the object count and
 * return the bytes the objects held, taking them off the table's. */
static inline long ets_counters_reset(EtsTable *t)
{
    for (unsigned i = 0; i < t->lock.nslots; i++)
        atomic_store_explicit(&t->lock.slots[i].count, 0, memory_order_relaxed);
    long b = ets_table_obj_bytes(t);
    atomic_store_explicit(&t->bytes_adj, atomic_load_explicit(&t->bytes_adj, memory_order_relaxed) - b,
                          memory_order_relaxed);
    return b;
}
static inline term_t ets_obj_key(const EtsTable *t, const EtsObj *o) { (void)t; return o->key; }

/* ---- objects (ets_obj.c) ---- */
/* A new object holding a copy of tuple `tup` (the caller checked it). */
EtsObj *ets_obj_new(EtsTable *t, term_t tup);
/* Free an object that is no longer reachable from the table. */
void ets_obj_free(EtsTable *t, EtsObj *o);
/* Words on a heap a copy of o takes. */
static inline size_t ets_obj_copy_words(const EtsObj *o) { return o->words; }
/* Copy o's tuple to *hpp (advanced), its ProcBins joining oh. */
term_t ets_obj_copy_out(const EtsObj *o, term_t **hpp, OffHeap *oh);
/* Key equality as the table type defines it: =:= for hash tables, == for
 * ordered_set. */
bool ets_key_eq(const EtsTable *t, term_t a, term_t b);
uint32_t ets_key_hash(term_t key);

/* ---- locking helpers (ets_obj.c) ---- */
/* The table lock and (write_concurrency hash tables) the stripes, from
 * t's type and options; their bytes (info memory). */
void ets_locks_init(EtsTable *t);
void ets_locks_destroy(EtsTable *t);
size_t ets_locks_bytes(const EtsTable *t);
/* Lock for an operation on the objects with one key (hash `h` for hash
 * tables). write: the operation changes the table. */
void ets_lock_key(EtsTable *t, term_t key, uint32_t h, bool write);
void ets_unlock_key(EtsTable *t, term_t key, uint32_t h, bool write);
/* Lock the whole table: read mode still lets write_concurrency writers
 * change chains, so whole-table readers take every stripe too. */
void ets_lock_all(EtsTable *t, bool write);
void ets_unlock_all(EtsTable *t, bool write);

/* ---- storage operations: the caller holds the right lock ----
 * Each kind (ets_hash.c, ets_tree.c) provides the same operations; the
 * ets_* dispatchers below choose. `out`/`n`: collected objects. */
typedef struct {
    EtsObj **v;
    size_t n, cap;
} EtsObjVec;
void ets_vec_push(EtsObjVec *v, EtsObj *o);
static inline void ets_vec_free(EtsObjVec *v) { free(v->v); v->v = NULL; v->n = v->cap = 0; }

/* Lookup: every live object with key (set: 0 or 1), in stored order. */
void ets_hash_lookup(EtsTable *t, term_t key, uint32_t h, EtsObjVec *out);
/* The first live object with key, or NULL (set lookups: no vector). */
EtsObj *ets_hash_find(EtsTable *t, term_t key, uint32_t h);
/* Either kind: the (first) live object with key, or NULL. */
static inline EtsObj *ets_find(EtsTable *t, term_t key, uint32_t h);
EtsObj *ets_tree_lookup(EtsTable *t, term_t key);
/* One AVL tree (ets_tree.c), for ets_catree.c. insert: false if o
 * replaced an object with its key (freed); remove: the removed object
 * (or NULL), unlinked, not freed; first/next: NULL at the end; foreach:
 * false if fn stopped it. */
EtsObj *ets_avl_lookup(EtsTable *t, EtsObj *root, term_t key);
bool ets_avl_insert(EtsTable *t, EtsObj **rootp, EtsObj *o);
EtsObj *ets_avl_remove(EtsTable *t, EtsObj **rootp, term_t key, term_t match);
EtsObj *ets_avl_first(EtsObj *root, bool last);
EtsObj *ets_avl_next(EtsTable *t, EtsObj *root, term_t key, bool prev);
/* Insert o (key hash o->hash). set/ordered_set: replaces an object with the
 * same key; bag: dropped if an identical object exists (returns false and
 * the caller frees o); duplicate_bag: always added. */
bool ets_hash_insert(EtsTable *t, EtsObj *o);
bool ets_tree_insert(EtsTable *t, EtsObj *o);
/* Remove every object with key (and, if `match` is a value, only those
 * exactly equal to it). Removed objects are freed, or marked dead if the
 * table is fixed; if `taken` is non-NULL they are moved there instead
 * (the caller frees them after copying). Returns how many. */
size_t ets_hash_remove(EtsTable *t, term_t key, uint32_t h, term_t match, EtsObjVec *taken);
size_t ets_tree_remove(EtsTable *t, term_t key, term_t match, EtsObjVec *taken);
/* Remove this live object of a hash table (freed, or marked dead if the
 * table is fixed). */
void ets_hash_unlink(EtsTable *t, EtsObj *o);
/* Put `repl` (an object with o's key) where live object o is in its
 * chain, and free o (select_replace: keeps a duplicate_bag's order). */
void ets_hash_replace(EtsTable *t, EtsObj *o, EtsObj *repl);
/* Traversal: the first live key / the live key after `key` in table
 * order; THE_NON_VALUE at the end. *found = false if a hash table has no
 * object (live or dead) with `key` (OTP raises badarg then). */
term_t ets_hash_first(EtsTable *t);
term_t ets_hash_next(EtsTable *t, term_t key, bool *found);
term_t ets_tree_first(EtsTable *t, bool last);
term_t ets_tree_next(EtsTable *t, term_t key, bool prev);
/* Visit every live object in table order (reverse for the tree if asked);
 * stop when fn returns false. */
typedef bool (*EtsVisit)(EtsTable *t, EtsObj *o, void *arg);
bool ets_avl_foreach(EtsTable *t, EtsObj *root, bool reverse, EtsVisit fn, void *arg);
/* One tree of a's and b's objects; every key in a is below every key in b. */
EtsObj *ets_avl_join(EtsTable *t, EtsObj *a, EtsObj *b);
void ets_hash_foreach(EtsTable *t, EtsVisit fn, void *arg);
void ets_tree_foreach(EtsTable *t, bool reverse, EtsVisit fn, void *arg);
/* ---- freeing whole tables a little at a time (ets_reclaim.c) ---- */
/* Detach all of t's storage (objects and bucket array; write lock held,
 * or t unreachable) and queue it for freeing; t is left with no storage
 * (a hash table needs ets_hash_init again to be used). */
void ets_reclaim_later(EtsTable *t);
/* Free up to `budget` queued objects (every ETS call, as it starts). */
#define ETS_RECLAIM_BUDGET 1000
void ets_reclaim(long budget);
uint64_t ets_garbage_bytes(void);
/* Grow the bucket array if the table is crowded and not fixed (takes the
 * table write lock itself: call with no table lock held). */
void ets_hash_maybe_grow(EtsTable *t);
/* Free the dead objects (last fixation gone; table write lock held). */
void ets_hash_purge_dead(EtsTable *t);
void ets_hash_init(EtsTable *t);
void ets_tree_init(EtsTable *t);
/* ---- the contention-adapting tree's locking and storage (ets_catree.c) ----
 * With the table lock in read mode: lock/unlock the base node that holds
 * key; unlock returns true if that base asked to be split (contended) or
 * joined with a neighbour (uncontended). */
void ets_catree_lock_base(EtsTable *t, term_t key);
bool ets_catree_unlock_base(EtsTable *t, term_t key);
/* Split the base that holds key if it is still contended, or join it with
 * its neighbour if it is still uncontended (takes the table lock in write
 * mode: call with no table lock held). */
void ets_catree_adapt(EtsTable *t, term_t key);
/* Route nodes, base nodes and the most route nodes on a path (info(T,
 * stats), OTP's {RouteNodes, BaseNodes, MaxDepth}); whole-table lock held. */
typedef struct {
    size_t routes, bases;
    int max_depth;
} EtsCaStats;
void ets_catree_stats(EtsTable *t, EtsCaStats *st);
/* Detach every base's AVL tree (write lock held, or t unreachable): fn
 * gets each non-empty one; the nodes are freed and t has no tree until
 * ets_tree_init. */
void ets_catree_take_roots(EtsTable *t, void (*fn)(EtsObj *root));

static inline EtsObj *ets_find(EtsTable *t, term_t key, uint32_t h)
{
    return ets_is_hash(t) ? ets_hash_find(t, key, h) : ets_tree_lookup(t, key);
}

/* ---- the registry and table lifecycle (ets_registry.c) ---- */
extern EtsRwLock ets_registry_lock;
void ets_init(void);
/* Look up a table by identifier (atom of a named table, or reference) and
 * check the caller's access (write: insert/delete rights). Holds the
 * registry read lock on success, released by ets_release. NULL: no such
 * table or no access (badarg). */
EtsTable *ets_acquire(Process *p, term_t tid, bool write);
/* The same without an access check (info/1,2, whereis). */
EtsTable *ets_acquire_any(term_t tid);
void ets_release(EtsTable *t);
/* Why ets_acquire(p, tid, _) failed, as OTP's error_info cause: `type`
 * (tid is not an atom or a reference), `id` (no such table), `access`. */
term_t ets_error_cause(term_t tid);
#define ETS_TABLE_ERROR(p, tid) return bif_raise_cause((p), ATOM_badarg, ets_error_cause(tid))
/* A table identifier's reference carries ETS_TID_TAG in its third number
 * (proc_make_ref_numbers puts a scheduler index there, never this bit), so
 * a reference that never named a table (make_ref(), a compiled match
 * specification) is told from a deleted table's: OTP's identifiers are
 * magic references and it raises badarg with cause `type` for the first,
 * while info/1,2 of the second is `undefined`. */
#define ETS_TID_TAG 0x80000000u
static inline bool ets_tid_shaped(term_t tid)
{
    return is_atom(tid) || (is_ref(tid) && (ref_number(tid, 2) & ETS_TID_TAG));
}
/* The term that names t to Erlang: its name if named, else its reference
 * (built on h: REF_WORDS). */
term_t ets_tid_term(EtsTable *t, Heap *h, bool prefer_name);
/* Register a new table (named: fails if the name is taken). */
bool ets_register(EtsTable *t);
/* Delete t: unregister and free. The caller holds no ETS lock. Returns
 * false if it was gone already. */
bool ets_delete_table(term_t tid, Process *p);
/* ets:rename (takes the registry write lock: call with no ETS lock
 * held): 0, or -1 if the table is gone, the caller may not write it or the
 * new name is taken. *named: whether the table is a named one. */
int ets_rename_table(Process *p, term_t tid, term_t name, bool *named);
/* ets:give_away: make `to` the owner of p's table tid and send it
 * {'ETS-TRANSFER', ...}. THE_NON_VALUE when done; else badarg, with its
 * error_info cause: `type`/`id` (no such table), `access`/`not_owner`
 * (p is not the owner of a protected/public table), `owner` (to
 * is p), or the atom badarg for none (`to` is not alive). Takes the
 * registry write lock. */
term_t ets_give_away(Process *p, term_t tid, term_t to, term_t data);
/* Every table's identifier, on p's heap. */
term_t ets_all_tids(Process *p);
/* Bytes of every table (erlang:memory(ets)). */
uint64_t ets_memory_bytes(void);
size_t ets_table_bytes(EtsTable *t);
/* A process is exiting: its tables go to their heirs or die, its
 * fixations end. */
void ets_proc_exit(Process *p);
/* Fixation bookkeeping (safe_fixtable). */
void ets_fix(EtsTable *t, term_t pid);
void ets_unfix(EtsTable *t, term_t pid);

#endif
