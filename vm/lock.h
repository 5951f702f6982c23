/*
 * lock.h — the VM's only lock: a test-and-test-and-set spinlock on C11
 * atomics (vm/ sees no kernel locks; see platform.h).
 *
 * Use it only for short critical sections that never allocate heap terms,
 * never call into the emulator and never take a second lock (so there is no
 * lock order to get wrong). Every lock is documented beside the data it
 * guards.
 *
 * Memory order: acquire on taking, release on giving back, so everything
 * written inside one critical section is visible to the next holder.
 */
#ifndef BEAMOS_VM_LOCK_H
#define BEAMOS_VM_LOCK_H

#include <stdatomic.h>
#include <stdbool.h>

typedef struct {
    atomic_bool held;
} SpinLock;

#define SPINLOCK_INIT {false}

static inline void spin_init(SpinLock *l) { atomic_init(&l->held, false); }

static inline void spin_lock(SpinLock *l)
{
    for (;;) {
        if (!atomic_exchange_explicit(&l->held, true, memory_order_acquire))
            return;
        while (atomic_load_explicit(&l->held, memory_order_relaxed))
            __builtin_ia32_pause();
    }
}

static inline void spin_unlock(SpinLock *l)
{
    atomic_store_explicit(&l->held, false, memory_order_release);
}

#endif
