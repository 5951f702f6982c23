/*
 * ets_catree.c — ordered_set storage as a contention-adapting tree
 * (Sagonas and Winblad's CA tree, the design behind OTP's ordered_set with
 * write_concurrency), simplified: route nodes change only under the table
 * lock in write mode.
 *
 * The tree: route nodes (EtsCaNode, base == false) split the key space by
 * a copied key — keys < key go left, keys >= key right, in term order —
 * and every leaf is a base node holding one AVL tree (ets_tree.c).
 *
 * Locking (ets_table.h has the order):
 *  - single-key operations hold the table lock in read mode, walk the
 *    route nodes (which nobody changes meanwhile) to the key's base, and
 *    take that base's mutex, readers and writers alike;
 *  - whole-table operations (first/next/last/prev, select, match, foldl,
 *    slot, info memory, a list insert) take the table lock in write mode,
 *    which excludes every single-key operation, and so need no base lock;
 *  - splitting a base takes the table lock in write mode.
 *
 * Adapting: a base counts contention in `stat` under its own lock: +250
 * when its mutex was taken by someone else (the try failed), -1 when it
 * was free. Past ETS_CA_SPLIT the caller, once it has released every
 * lock, takes the table's write lock and splits the base at its AVL root
 * (left: the root's left subtree; right: the root and its right subtree),
 * unless the route path is already ETS_CA_MAX_DEPTH deep or the base
 * holds fewer than two objects. When contention falls, the -1 per free
 * take brings a base down to ETS_CA_JOIN (OTP's low-contention limit);
 * then the caller, again with no lock held, takes the write lock and
 * joins the base with its neighbour (the nearest base on the other side
 * of its parent route node), removing that route node, as OTP does. A
 * table that was contended and no longer is gets back to one base.
 *
 * Reclamation: route and base nodes are read only under the table lock
 * (either mode) and nothing keeps a pointer to one after releasing it
 * (adapt finds its base again by key; select continuations keep a key),
 * so a node unlinked under the write lock is freed at once; objects move
 * from base to base and are never freed by a split or a join.
 *
 * Without write_concurrency the tree is a single base that never splits
 * and the table lock alone guards it.
 *
 * Ordered traversal (first/next/prev/last, foreach) visits the bases in
 * key order with an explicit stack of route nodes; next/prev searches the
 * key's base and continues in the following bases, so like the AVL code
 * it works from any key, present or not, and safe_fixtable needs nothing.
 */
#include <stdlib.h>

#include "vm/ets_table.h"
#include "vm/platform.h"
#include "vm/term_compare.h"
#include "vm/term_copy.h"

#define ETS_CA_SPLIT 1000          /* stat above which a base splits */
#define ETS_CA_CONTENDED 250       /* stat added when the base's lock was taken */
#define ETS_CA_JOIN (-1000)        /* stat at which a base joins a neighbour; never below */
#define ETS_CA_MAX_DEPTH 14        /* route nodes on any path (as OTP's) */

static EtsCaNode *new_node(EtsTable *t, bool base)
{
    EtsCaNode *n = calloc(1, sizeof *n);
    if (!n) plat_fatal("ets: out of memory");
    ets_mutex_init(&n->lock);
    n->base = base;
    t->tree_bytes += sizeof *n;
    return n;
}

static void free_node(EtsTable *t, EtsCaNode *n)
{
    if (n->key_frag) {
        heap_off_heap_release(&n->key_oh);
        t->tree_bytes -= n->key_frag->alloc_words * sizeof(term_t);
        free(n->key_frag);
    }
    t->tree_bytes -= sizeof *n;
    free(n);
}

void ets_tree_init(EtsTable *t)
{
    t->tree_bytes = 0;
    t->tree = new_node(t, true);
}

static inline int cmp(term_t a, term_t b)
{
    if (is_small(a) && is_small(b)) {
        int64_t x = small_value(a), y = small_value(b);
        return (x > y) - (x < y);
    }
    return term_compare(a, b);
}

/* The link to the base that holds key; *depth: route nodes passed;
 * *parent (if asked): the link to the last of them (NULL at depth 0). */
static EtsCaNode **base_link_parent(EtsTable *t, term_t key, int *depth, EtsCaNode ***parent)
{
    EtsCaNode **l = &t->tree, **pl = NULL;
    int d = 0;
    while (!(*l)->base) {
        pl = l;
        l = &(*l)->child[cmp(key, (*l)->key) >= 0];
        d++;
    }
    if (depth) *depth = d;
    if (parent) *parent = pl;
    return l;
}

static inline EtsCaNode **base_link(EtsTable *t, term_t key, int *depth)
{
    return base_link_parent(t, key, depth, NULL);
}

static inline EtsCaNode *base_of(EtsTable *t, term_t key) { return *base_link(t, key, NULL); }

/* ---- locking (table lock held in read mode) ---- */

void ets_catree_lock_base(EtsTable *t, term_t key)
{
    EtsCaNode *b = base_of(t, key);
    if (ets_mutex_trylock(&b->lock)) {
        if (b->stat > ETS_CA_JOIN) b->stat--;
    } else {
        ets_mutex_lock(&b->lock);
        b->stat += ETS_CA_CONTENDED;
    }
}

/* Objects in an AVL tree, counting up to 2. */
static int at_least_two(EtsObj *root) { return root && (root->link[0] || root->link[1]); }

/* A contended base that cannot split (the path is as deep as allowed, or
 * it holds one object: many callers on one key, or appending at one end)
 * starts counting again here, without the write lock that would only
 * find the same. An uncontended base asks for a join unless it is the
 * only one (depth 0), which stays at ETS_CA_JOIN. */
bool ets_catree_unlock_base(EtsTable *t, term_t key)
{
    int depth;
    EtsCaNode *b = *base_link(t, key, &depth);
    bool adapt = false;
    if (b->stat > ETS_CA_SPLIT) {
        if (depth < ETS_CA_MAX_DEPTH && at_least_two(b->root)) adapt = true;
        else b->stat = 0;
    } else if (b->stat <= ETS_CA_JOIN && depth > 0) {
        adapt = true;
    }
    ets_mutex_unlock(&b->lock);
    return adapt;
}

/* Split base *l at its AVL root (write lock held). */
static void split(EtsTable *t, EtsCaNode **l)
{
    EtsCaNode *b = *l;
    EtsObj *r = b->root;
    EtsCaNode *route = new_node(t, false), *left = new_node(t, true), *right = new_node(t, true);
    term_t k = ets_obj_key(t, r);
    size_t words = term_copy_size(k);
    if (words) {
        route->key_frag = term_fragment_new(words);
        t->tree_bytes += route->key_frag->alloc_words * sizeof(term_t);
        term_t *hp = route->key_frag->mem;
        route->key = term_copy(k, &hp, &route->key_oh);
    } else {
        route->key = k;
    }
    left->root = r->link[0];
    right->root = r->link[1];
    r->link[0] = r->link[1] = NULL;
    r->height = 1;
    ets_avl_insert(t, &right->root, r);    /* the smallest key there: no replacement */
    route->child[0] = left;
    route->child[1] = right;
    *l = route;
    free_node(t, b);
}

/* Join the base under route node *pl with its neighbour, the nearest
 * base in the parent's other subtree (write lock held). The parent goes:
 * its other subtree takes its place, and since every route key there is
 * on the far side of the parent's key, the joined base's keys (between
 * the neighbour and the parent's key) now reach the neighbour. */
static void join(EtsTable *t, EtsCaNode **pl, EtsCaNode *b)
{
    EtsCaNode *p = *pl;
    int side = p->child[1] == b;       /* 0: b holds the keys below p's */
    EtsCaNode *other = p->child[!side];
    EtsCaNode *n = other;
    while (!n->base) n = n->child[side];
    n->root = side ? ets_avl_join(t, n->root, b->root) : ets_avl_join(t, b->root, n->root);
    n->stat = 0;
    *pl = other;
    free_node(t, b);
    free_node(t, p);
}

void ets_catree_adapt(EtsTable *t, term_t key)
{
    ets_rw_wlock(&t->lock);
    int depth;
    EtsCaNode **pl;
    EtsCaNode **l = base_link_parent(t, key, &depth, &pl);
    EtsCaNode *b = *l;
    if (b->stat > ETS_CA_SPLIT && depth < ETS_CA_MAX_DEPTH && at_least_two(b->root)) split(t, l);
    else if (b->stat <= ETS_CA_JOIN && pl) join(t, pl, b);
    else if (b->stat > ETS_CA_SPLIT) b->stat = 0;
    ets_rw_wunlock(&t->lock);
}

/* ---- statistics (whole-table lock held) ---- */

static void count_nodes(EtsCaNode *n, int depth, EtsCaStats *st)
{
    if (depth > st->max_depth) st->max_depth = depth;
    if (n->base) {
        st->bases++;
    } else {
        st->routes++;
        count_nodes(n->child[0], depth + 1, st);
        count_nodes(n->child[1], depth + 1, st);
    }
}

void ets_catree_stats(EtsTable *t, EtsCaStats *st)
{
    st->routes = st->bases = 0;
    st->max_depth = 0;
    if (t->tree) count_nodes(t->tree, 0, st);
}

/* ---- single-key operations (the caller holds the key's lock) ---- */

EtsObj *ets_tree_lookup(EtsTable *t, term_t key) { return ets_avl_lookup(t, base_of(t, key)->root, key); }

bool ets_tree_insert(EtsTable *t, EtsObj *o)
{
    if (ets_avl_insert(t, &base_of(t, ets_obj_key(t, o))->root, o)) ets_count_add(t, 1);
    return true;
}

size_t ets_tree_remove(EtsTable *t, term_t key, term_t match, EtsObjVec *taken)
{
    EtsObj *gone = ets_avl_remove(t, &base_of(t, key)->root, key, match);
    if (!gone) return 0;
    ets_count_add(t, -1);
    if (taken) ets_vec_push(taken, gone);
    else ets_obj_free(t, gone);
    return 1;
}

/* ---- traversal in key order (whole-table lock held) ----
 * An iterator over the bases: the stack holds the route nodes whose
 * later side (right, or left in reverse) is still to visit. */
typedef struct {
    EtsCaNode *stack[ETS_CA_MAX_DEPTH + 1];
    int sp;
    bool rev;
} BaseIter;

static EtsCaNode *descend(BaseIter *it, EtsCaNode *n)
{
    while (!n->base) {
        it->stack[it->sp++] = n;
        n = n->child[it->rev];
    }
    return n;
}

static EtsCaNode *iter_start(BaseIter *it, EtsTable *t, bool rev)
{
    it->sp = 0;
    it->rev = rev;
    return descend(it, t->tree);
}

/* Start at the base that holds key. */
static EtsCaNode *iter_seek(BaseIter *it, EtsTable *t, term_t key, bool rev)
{
    it->sp = 0;
    it->rev = rev;
    EtsCaNode *n = t->tree;
    while (!n->base) {
        int dir = cmp(key, n->key) >= 0;
        if (dir == (int)rev) it->stack[it->sp++] = n;   /* its other side comes later */
        n = n->child[dir];
    }
    return n;
}

static EtsCaNode *iter_next(BaseIter *it)
{
    if (!it->sp) return NULL;
    EtsCaNode *n = it->stack[--it->sp];
    return descend(it, n->child[!it->rev]);
}

term_t ets_tree_first(EtsTable *t, bool last)
{
    BaseIter it;
    for (EtsCaNode *b = iter_start(&it, t, last); b; b = iter_next(&it))
        if (b->root) return ets_obj_key(t, ets_avl_first(b->root, last));
    return THE_NON_VALUE;
}

term_t ets_tree_next(EtsTable *t, term_t key, bool prev)
{
    BaseIter it;
    EtsCaNode *b = iter_seek(&it, t, key, prev);
    EtsObj *o = ets_avl_next(t, b->root, key, prev);
    if (o) return ets_obj_key(t, o);
    while ((b = iter_next(&it)))
        if (b->root) return ets_obj_key(t, ets_avl_first(b->root, prev));
    return THE_NON_VALUE;
}

void ets_tree_foreach(EtsTable *t, bool reverse, EtsVisit fn, void *arg)
{
    BaseIter it;
    for (EtsCaNode *b = iter_start(&it, t, reverse); b; b = iter_next(&it))
        if (b->root && !ets_avl_foreach(t, b->root, reverse, fn, arg)) return;
}

/* ---- taking the tree apart ---- */

static void take(EtsTable *t, EtsCaNode *n, void (*fn)(EtsObj *root))
{
    if (n->base) {
        if (n->root && fn) fn(n->root);
    } else {
        take(t, n->child[0], fn);
        take(t, n->child[1], fn);
    }
    free_node(t, n);
}

void ets_catree_take_roots(EtsTable *t, void (*fn)(EtsObj *root))
{
    if (t->tree) take(t, t->tree, fn);
    t->tree = NULL;
}
