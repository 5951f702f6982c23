/*
 * registry.h — registered process names (register/2, whereis/1, ...).
 *
 * A hash table from name atom to pid, guarded by one spinlock (registry.c:
 * reg_lock) that also guards every Process.registered_name. Lookups take
 * the lock too: they are short, and names change rarely.
 */
#ifndef BEAMOS_VM_REGISTRY_H
#define BEAMOS_VM_REGISTRY_H

#include <stddef.h>

#include "vm/process.h"

/* register(Name, p): 0, or -1 (name taken, p already named, name is
 * 'undefined', or p is exiting). */
int reg_register(term_t name, Process *p);
/* 0, or -1 if the name is not registered. */
int reg_unregister(term_t name);
/* The pid registered as name, or the atom undefined. */
term_t reg_whereis(term_t name);
/* Removes p's name, if any (process exit). */
void reg_unregister_proc(Process *p);
/* The registered names: a list on h (needs reg_count() * 2 words). */
/* p's registered name (atom) or NIL. Read under the registry lock, since
 * register/2 and unregister/1 from another process write the field. */
term_t reg_name_of(Process *p);
size_t reg_count(void);
term_t reg_names(Heap *h);

#endif
