/*
 * pdict.h — the process dictionary: a hash table of buckets.
 *
 * Process.pd is a malloc'ed array of pd_size slots (a power of two), each
 * NIL or a list of {Key, Value} tuples on the process heap; the slots are
 * GC roots (gc.c). A key's slot comes from a hash that agrees with =:=.
 * put/erase rebuild only the key's bucket (a few cells), so get and put
 * are O(1) on average, as OTP's (erl_process_dict.c) are; the table
 * doubles when it holds more than two entries per slot. Only the owning
 * process's scheduler touches it ([run] state); process_info(dictionary)
 * of another process is built by that process (proc_info.c).
 */
#ifndef BEAMOS_VM_PDICT_H
#define BEAMOS_VM_PDICT_H

#include "vm/heap.h"
#include "vm/process.h"

/* The value of key, or THE_NON_VALUE. */
term_t pdict_get(const Process *p, term_t key);
/* Sets key to value; returns the old value or `undefined`. */
term_t pdict_put(Process *p, term_t key, term_t value);
/* Removes key; returns its value or `undefined`. */
term_t pdict_erase(Process *p, term_t key);
/* Every {Key, Value} as a list built on h (the tuples are shared). */
term_t pdict_list(const Process *p, Heap *h);
/* The keys whose value =:= value (all keys if all), built on h. */
term_t pdict_keys(const Process *p, Heap *h, bool all, term_t value);
/* Empties the dictionary (erase/0 after taking pdict_list). */
void pdict_clear(Process *p);
/* Bytes of the slot array (process_info memory). */
size_t pdict_bytes(const Process *p);

#endif
