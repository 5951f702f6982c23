/*
 * code_purge.h — the process side of code purging (docs/code_purge.md):
 * check_process_code and literal-area collection requests, which only a
 * process's owner may serve since they read its stack and heap.
 *
 * Both arrive as signals (MSG_CPC, MSG_LITERAL_GC) and are ordered with
 * everything else the sender sent. sig_take_in only queues them on
 * Process.code_tasks: it also runs inside the emulator (receive), where
 * the registers are not saved and a collection is not allowed. The
 * scheduler serves the queue before a slice and after one that yields or
 * waits (code_purge_serve); a waiting process is woken by the signal,
 * serves it and waits again. An exiting process answers without looking
 * (check: false; literal collection: acknowledged). The same queue
 * serves collections that other processes ask for (MSG_GC_TASK, from
 * erlang:garbage_collect/1,2): they too need the process stopped.
 */
#ifndef BEAMOS_VM_CODE_PURGE_H
#define BEAMOS_VM_CODE_PURGE_H

#include <stdbool.h>

#include "vm/mailbox.h"

/* Serve p->code_tasks. p is stopped, its registers in arg_reg[0..arity). */
void code_purge_serve(Process *p);
/* p is exiting: answer every queued task without serving it. */
void code_purge_drain(Process *p);
/* A task whose target died before taking it in (sig_undeliverable). Does
 * not free m. */
void code_purge_task_dead(const Message *m);

/* Installed by code_init: does p run old code of module (p stopped)? */
void code_purge_set_checker(bool (*fn)(Process *p, term_t module));

#endif
