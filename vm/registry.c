/*
 * registry.c — name -> pid table (registry.h): open addressing with
 * linear probing and tombstones, grown at 50% load. reg_lock guards the
 * table and every Process.registered_name.
 */
#include "vm/registry.h"

#include <stdlib.h>

#include "vm/atom.h"
#include "vm/lock.h"
#include "vm/platform.h"

#define EMPTY ((term_t)0)
#define TOMB ((term_t)1)

typedef struct {
    term_t name;               /* atom, EMPTY or TOMB */
    term_t pid;
} RegSlot;

static SpinLock reg_lock = SPINLOCK_INIT;
static RegSlot *slots;         /* guarded by reg_lock */
static size_t cap, used, live; /* used counts live + tombstones */

static size_t slot_of(term_t name) { return (size_t)(atom_index(name) * 0x9E3779B97F4A7C15ull >> 20); }

static RegSlot *find(term_t name)
{
    if (!cap) return NULL;
    for (size_t i = slot_of(name) & (cap - 1);; i = (i + 1) & (cap - 1)) {
        if (slots[i].name == name) return &slots[i];
        if (slots[i].name == EMPTY) return NULL;
    }
}

static void insert(term_t name, term_t pid)
{
    for (size_t i = slot_of(name) & (cap - 1);; i = (i + 1) & (cap - 1)) {
        if (slots[i].name == EMPTY || slots[i].name == TOMB) {
            if (slots[i].name == EMPTY) used++;
            slots[i].name = name;
            slots[i].pid = pid;
            live++;
            return;
        }
    }
}

static void grow(void)
{
    RegSlot *old = slots;
    size_t old_cap = cap;
    cap = cap ? cap * 2 : 64;
    while (live * 2 >= cap) cap *= 2;
    slots = calloc(cap, sizeof *slots);
    if (!slots) plat_fatal("registry: out of memory");
    used = live = 0;
    for (size_t i = 0; i < old_cap; i++)
        if (old[i].name != EMPTY && old[i].name != TOMB) insert(old[i].name, old[i].pid);
    free(old);
}

int reg_register(term_t name, Process *p)
{
    if (!is_atom(name) || name == ATOM_undefined) return -1;
    int rc = -1;
    spin_lock(&reg_lock);
    if (!find(name) && p->registered_name == NIL &&
        atomic_load(&p->status) != PROC_EXITING && atomic_load(&p->status) != PROC_FREE) {
        if ((used + 1) * 2 > cap) grow();
        insert(name, p->id);
        p->registered_name = name;
        rc = 0;
    }
    spin_unlock(&reg_lock);
    return rc;
}

static void drop(RegSlot *s)
{
    s->name = TOMB;
    s->pid = NIL;
    live--;
}

#include "vm/proc.h"

int reg_unregister(term_t name)
{
    int rc = -1;
    spin_lock(&reg_lock);
    RegSlot *s = find(name);
    if (s) {
        Process *p = proc_lookup(s->pid);
        if (p && p->registered_name == name) p->registered_name = NIL;
        drop(s);
        rc = 0;
    }
    spin_unlock(&reg_lock);
    return rc;
}

void reg_unregister_proc(Process *p)
{
    spin_lock(&reg_lock);
    if (p->registered_name != NIL) {
        RegSlot *s = find(p->registered_name);
        if (s && s->pid == p->id) drop(s);
        p->registered_name = NIL;
    }
    spin_unlock(&reg_lock);
}

term_t reg_whereis(term_t name)
{
    term_t pid = ATOM_undefined;
    spin_lock(&reg_lock);
    RegSlot *s = is_atom(name) ? find(name) : NULL;
    if (s) pid = s->pid;
    spin_unlock(&reg_lock);
    return pid;
}

term_t reg_name_of(Process *p)
{
    spin_lock(&reg_lock);
    term_t name = p->registered_name;
    spin_unlock(&reg_lock);
    return name;
}

size_t reg_count(void)
{
    spin_lock(&reg_lock);
    size_t n = live;
    spin_unlock(&reg_lock);
    return n;
}

term_t reg_names(Heap *h)
{
    spin_lock(&reg_lock);
    term_t list = NIL;
    term_t *hp = heap_alloc(h, live * CONS_WORDS);
    for (size_t i = 0; i < cap; i++) {
        if (slots[i].name == EMPTY || slots[i].name == TOMB) continue;
        list = make_cons(hp, slots[i].name, list);
        hp += CONS_WORDS;
    }
    spin_unlock(&reg_lock);
    return list;
}
