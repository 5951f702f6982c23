/*
 * proc_links.c — a process's links and monitors: a singly linked list of
 * links (Process.links) and a doubly linked list of monitors
 * (Process.monitors, signal.h). Only the owning process (its scheduler)
 * reads or changes them, so no lock. Link lists are short in practice (OTP
 * uses trees; a list is enough until a process has thousands of links).
 * Monitors are not: a process that spawn_monitors thousands of workers
 * looks one up per 'DOWN', so once it holds MON_INDEX_MIN of them a hash
 * index by reference (Process.mon_index) makes find and remove O(1); the
 * list stays the order everything else walks.
 */
#include <stdlib.h>

#include "vm/platform.h"
#include "vm/signal.h"
#include "vm/term_copy.h"

static void *xcalloc(size_t bytes)
{
    void *p = calloc(1, bytes);
    if (!p) plat_fatal("proc_links: out of memory");
    return p;
}

LinkEntry *link_find(Process *p, term_t pid)
{
    for (LinkEntry *l = p->links; l; l = l->next)
        if (l->pid == pid) return l;
    return NULL;
}

LinkEntry *link_add(Process *p, term_t pid)
{
    LinkEntry *l = xcalloc(sizeof *l);
    l->pid = pid;
    l->next = p->links;
    p->links = l;
    p->n_links++;
    return l;
}

void link_remove(Process *p, term_t pid)
{
    for (LinkEntry **pp = (LinkEntry **)&p->links; *pp; pp = &(*pp)->next) {
        if ((*pp)->pid == pid) {
            LinkEntry *l = *pp;
            *pp = l->next;
            free(l);
            p->n_links--;
            return;
        }
    }
}

static bool ref_eq(const uint32_t a[3], const uint32_t b[3])
{
    return a[0] == b[0] && a[1] == b[1] && a[2] == b[2];
}

/* ---- the monitor index: open hashing, a power-of-two bucket count no
 * smaller than the number of monitors (grown by doubling, dropped when the
 * last monitor goes) ---- */
#define MON_INDEX_MIN 32

typedef struct MonIndex {
    uint32_t shift;            /* 64 - log2(buckets) */
    uint32_t buckets;
    MonEntry *bucket[];
} MonIndex;

static MonEntry **mon_bucket(MonIndex *ix, const uint32_t ref[3], bool origin)
{
    uint64_t k = ((uint64_t)ref[1] << 32 | ref[0]) ^ ((uint64_t)ref[2] << 17) ^ origin;
    return &ix->bucket[(k * 0x9E3779B97F4A7C15ull) >> ix->shift];
}

static void mon_index_build(Process *p, uint32_t buckets)
{
    MonIndex *ix = xcalloc(sizeof *ix + buckets * sizeof(MonEntry *));
    ix->buckets = buckets;
    ix->shift = 64 - (uint32_t)__builtin_ctz(buckets);
    for (MonEntry *m = p->monitors; m; m = m->next) {
        MonEntry **b = mon_bucket(ix, m->ref, m->origin);
        m->hnext = *b;
        *b = m;
    }
    free(p->mon_index);
    p->mon_index = ix;
}

MonEntry *mon_find(Process *p, const uint32_t ref[3], bool origin)
{
    MonIndex *ix = p->mon_index;
    MonEntry *m = ix ? *mon_bucket(ix, ref, origin) : p->monitors;
    for (; m; m = ix ? m->hnext : m->next)
        if (m->origin == origin && ref_eq(m->ref, ref)) return m;
    return NULL;
}

MonEntry *mon_add(Process *p, const uint32_t ref[3], term_t pid, term_t name, bool origin)
{
    MonEntry *m = xcalloc(sizeof *m);
    memcpy(m->ref, ref, sizeof m->ref);
    m->pid = pid;
    m->name = name;
    m->origin = origin;
    m->tag = THE_NON_VALUE;
    MonEntry *head = p->monitors;
    m->next = head;
    if (head) head->prev = m;
    p->monitors = m;
    p->n_mons++;
    MonIndex *ix = p->mon_index;
    if (ix && p->n_mons <= ix->buckets) {
        MonEntry **b = mon_bucket(ix, ref, origin);
        m->hnext = *b;
        *b = m;
    } else if (p->n_mons >= MON_INDEX_MIN) {
        mon_index_build(p, ix ? ix->buckets * 2 : 2 * MON_INDEX_MIN);
    }
    return m;
}

bool mon_remove(Process *p, const uint32_t ref[3], bool origin)
{
    MonEntry *m = mon_find(p, ref, origin);
    if (!m) return false;
    if (m->prev) m->prev->next = m->next;
    else p->monitors = m->next;
    if (m->next) m->next->prev = m->prev;
    MonIndex *ix = p->mon_index;
    if (ix) {
        MonEntry **b = mon_bucket(ix, ref, origin);
        while (*b != m) b = &(*b)->hnext;
        *b = m->hnext;
    }
    mon_set_tag(m, THE_NON_VALUE);
    free(m);
    if (--p->n_mons == 0 && ix) {
        free(ix);
        p->mon_index = NULL;
    }
    return true;
}

void links_free_all(Process *p)
{
    for (LinkEntry *l = p->links, *n; l; l = n) {
        n = l->next;
        free(l);
    }
    for (MonEntry *m = p->monitors, *n; m; m = n) {
        n = m->next;
        mon_set_tag(m, THE_NON_VALUE);
        free(m);
    }
    for (AliasEntry *a = p->aliases, *n; a; a = n) {
        n = a->next;
        free(a);
    }
    free(p->mon_index);
    p->links = NULL;
    p->monitors = NULL;
    p->mon_index = NULL;
    p->aliases = NULL;
    p->n_links = p->n_mons = 0;
}

void mon_set_tag(MonEntry *m, term_t tag)
{
    if (m->tag_frag) {
        heap_off_heap_release(&m->tag_oh);
        free(m->tag_frag);
        m->tag_frag = NULL;
    }
    m->tag = tag;
    if (tag == THE_NON_VALUE || is_immed(tag)) return;
    size_t words = term_copy_size(tag);
    m->tag_frag = term_fragment_new(words);
    m->tag_oh.first = NULL;
    m->tag_oh.overhead = 0;
    term_t *hp = m->tag_frag->mem;
    m->tag = term_copy(tag, &hp, &m->tag_oh);
}

/* ---- aliases ---- */

AliasEntry *alias_find(Process *p, const uint32_t ref[3])
{
    for (AliasEntry *a = p->aliases; a; a = a->next)
        if (ref_eq(a->ref, ref)) return a;
    return NULL;
}

void alias_add(Process *p, const uint32_t ref[3], uint8_t mode)
{
    AliasEntry *a = xcalloc(sizeof *a);
    memcpy(a->ref, ref, sizeof a->ref);
    a->mode = mode;
    a->next = p->aliases;
    p->aliases = a;
}

bool alias_remove(Process *p, const uint32_t ref[3])
{
    for (AliasEntry **pp = (AliasEntry **)&p->aliases; *pp; pp = &(*pp)->next) {
        if (ref_eq((*pp)->ref, ref)) {
            AliasEntry *a = *pp;
            *pp = a->next;
            free(a);
            return true;
        }
    }
    return false;
}
