/*
 * ets_tree.c — the AVL trees of an ordered_set: objects ordered by their
 * keys in Erlang term order (term_compare, so 1 and 1.0 are the same key,
 * as OTP's ordered_set has it). Each function works on one tree, a base
 * node of the table's contention-adapting tree (ets_catree.c), which
 * holds the lock that guards it.
 *
 * next/prev search from the root for the nearest key above/below the given
 * one, so they work for any key, present or not, and traversal stays valid
 * while other processes insert and delete: ordered_set needs no dead marks
 * for safe_fixtable. Insertion and removal walk down with an explicit
 * path and rebalance back up only while heights change.
 */
#include <stdlib.h>

#include "vm/ets_table.h"
#include "vm/term_compare.h"

static inline int height(EtsObj *o) { return o ? o->height : 0; }
static inline void fix_height(EtsObj *o)
{
    int l = height(o->link[0]), r = height(o->link[1]);
    o->height = (int16_t)((l > r ? l : r) + 1);
}

static EtsObj *rotate(EtsObj *o, int dir)     /* dir 0: left rotation */
{
    EtsObj *c = o->link[!dir];
    o->link[!dir] = c->link[dir];
    c->link[dir] = o;
    fix_height(o);
    fix_height(c);
    return c;
}

static EtsObj *balance(EtsObj *o)
{
    fix_height(o);
    int bf = height(o->link[0]) - height(o->link[1]);
    if (bf > 1) {
        if (height(o->link[0]->link[0]) < height(o->link[0]->link[1])) o->link[0] = rotate(o->link[0], 0);
        return rotate(o, 1);
    }
    if (bf < -1) {
        if (height(o->link[1]->link[1]) < height(o->link[1]->link[0])) o->link[1] = rotate(o->link[1], 1);
        return rotate(o, 0);
    }
    return o;
}

/* Small integers, the commonest keys, compare without the general walk. */
static inline int cmp_key(EtsTable *t, term_t key, EtsObj *o)
{
    term_t k = ets_obj_key(t, o);
    if (is_small(key) && is_small(k)) {
        int64_t a = small_value(key), b = small_value(k);
        return (a > b) - (a < b);
    }
    return term_compare(key, k);
}

EtsObj *ets_avl_lookup(EtsTable *t, EtsObj *root, term_t key)
{
    EtsObj *o = root;
    while (o) {
        int c = cmp_key(t, key, o);
        if (c == 0) return o;
        o = o->link[c > 0];
    }
    return NULL;
}

/* Rebalance the nodes on an insertion or removal path, deepest first
 * (path[i] is the link that points to the i-th node), and stop at the
 * first node whose height did not change: nothing above it changed. */
static void rebalance_path(EtsObj ***path, int n)
{
    while (n > 0) {
        EtsObj **np = path[--n];
        int16_t old = (*np)->height;
        *np = balance(*np);
        if ((*np)->height == old) return;
    }
}

#define PATH_MAX_DEPTH 96      /* AVL height <= 1.44 log2 n: 63 for 2^44 objects */

/* The descent is a chain of dependent loads (the next node's address is
 * in the node just read), so it does as little as possible per level: a
 * small-integer key (the commonest) compares inline against small keys,
 * hoisted out of the loop, and the key stays in a register. */
bool ets_avl_insert(EtsTable *t, EtsObj **rootp, EtsObj *o)
{
    o->link[0] = o->link[1] = NULL;
    o->height = 1;
    EtsObj **path[PATH_MAX_DEPTH];
    int n = 0;
    EtsObj **pp = rootp;
    const term_t key = ets_obj_key(t, o);
    const bool small = is_small(key);
    const int64_t kv = small ? small_value(key) : 0;
    while (*pp) {
        EtsObj *node = *pp;
        term_t k = ets_obj_key(t, node);
        int c;
        if (small && is_small(k)) {
            int64_t b = small_value(k);
            c = (kv > b) - (kv < b);
        } else {
            c = term_compare(key, k);
        }
        if (c == 0) {               /* replace in place */
            o->link[0] = node->link[0];
            o->link[1] = node->link[1];
            o->height = node->height;
            *pp = o;
            ets_obj_free(t, node);
            return false;
        }
        path[n++] = pp;
        pp = &node->link[c > 0];
    }
    *pp = o;
    rebalance_path(path, n);
    return true;
}

/* l, k, r joined into one tree (every key in l < k's < every key in r):
 * k goes where the taller tree's spine reaches the other's height, and
 * the path above it is rebalanced, O(|height(l) - height(r)|). */
static EtsObj *join3(EtsObj *l, EtsObj *k, EtsObj *r)
{
    int hl = height(l), hr = height(r);
    if (hl <= hr + 1 && hr <= hl + 1) {
        k->link[0] = l;
        k->link[1] = r;
        fix_height(k);
        return k;
    }
    int dir = hl > hr;                 /* 1: walk down l's right spine */
    EtsObj *root = dir ? l : r;
    int target = (dir ? hr : hl) + 1;
    EtsObj **path[PATH_MAX_DEPTH];
    int n = 0;
    EtsObj **pp = &root;
    while (height(*pp) > target) {
        path[n++] = pp;
        pp = &(*pp)->link[dir];
    }
    k->link[0] = dir ? *pp : l;        /* the spine's subtree stays on l's side of k */
    k->link[1] = dir ? r : *pp;
    fix_height(k);
    *pp = k;
    rebalance_path(path, n);
    return root;
}

static EtsObj *remove_min(EtsObj *node, EtsObj **min)
{
    if (!node->link[0]) { *min = node; return node->link[1]; }
    node->link[0] = remove_min(node->link[0], min);
    return balance(node);
}

static EtsObj *remove_key(EtsTable *t, EtsObj *node, term_t key, term_t match, EtsObj **gone)
{
    if (!node) return NULL;
    int c = cmp_key(t, key, node);
    if (c != 0) {
        node->link[c > 0] = remove_key(t, node->link[c > 0], key, match, gone);
        return *gone ? balance(node) : node;
    }
    if (match != THE_NON_VALUE && !term_eq_exact(ets_obj_tuple(node), match)) return node;
    *gone = node;
    if (!node->link[0]) return node->link[1];
    if (!node->link[1]) return node->link[0];
    EtsObj *min;
    EtsObj *right = remove_min(node->link[1], &min);
    min->link[0] = node->link[0];
    min->link[1] = right;
    return balance(min);
}

EtsObj *ets_avl_remove(EtsTable *t, EtsObj **rootp, term_t key, term_t match)
{
    EtsObj *gone = NULL;
    *rootp = remove_key(t, *rootp, key, match, &gone);
    return gone;
}

EtsObj *ets_avl_first(EtsObj *root, bool last)
{
    EtsObj *o = root;
    if (!o) return NULL;
    while (o->link[last]) o = o->link[last];
    return o;
}

EtsObj *ets_avl_next(EtsTable *t, EtsObj *root, term_t key, bool prev)
{
    EtsObj *o = root, *best = NULL;
    while (o) {
        int c = cmp_key(t, key, o);
        if (prev ? c > 0 : c < 0) {   /* o is beyond key: a candidate; look nearer */
            best = o;
            o = o->link[prev];
        } else {
            o = o->link[!prev];
        }
    }
    return best;
}

/* In-order walk with an explicit stack (AVL height <= 64 for any table
 * that fits in memory... 1.44 log2 of 2^44 objects is 63). */
bool ets_avl_foreach(EtsTable *t, EtsObj *root, bool reverse, EtsVisit fn, void *arg)
{
    EtsObj *stack[96];
    int sp = 0;
    EtsObj *o = root;
    int first = reverse ? 1 : 0;
    while (o || sp) {
        while (o) { stack[sp++] = o; o = o->link[first]; }
        o = stack[--sp];
        EtsObj *next = o->link[!first];   /* fn may not free o: read first anyway */
        if (!fn(t, o, arg)) return false;
        o = next;
    }
    return true;
}

/* One tree of a's and b's objects, every key in a below every key in b
 * (joining two neighbouring bases of the contention-adapting tree). */
EtsObj *ets_avl_join(EtsTable *t, EtsObj *a, EtsObj *b)
{
    if (!a) return b;
    if (!b) return a;
    EtsObj *k = ets_avl_remove(t, &b, ets_obj_key(t, ets_avl_first(b, false)), THE_NON_VALUE);
    return join3(a, k, b);
}
