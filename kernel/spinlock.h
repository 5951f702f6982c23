/*
 * spinlock.h — ticket spinlocks, FIFO fair, so no CPU starves under
 * contention; and test-and-set locks (TasLock, below) for locks every CPU
 * hits at once under a hypervisor.
 *
 * spin_lock_irqsave() also disables interrupts on this CPU: use it for any lock
 * that an interrupt handler may take, or the handler would deadlock against the
 * code it interrupted.
 */
#ifndef BEAMOS_KERNEL_SPINLOCK_H
#define BEAMOS_KERNEL_SPINLOCK_H

#include <stdint.h>
#include "arch/x86_64/cpu.h"

typedef struct {
    volatile uint32_t next;   /* ticket handed to the next arriving CPU */
    volatile uint32_t owner;  /* ticket now allowed in */
} Spinlock;

#define SPINLOCK_INIT {0, 0}

static inline void spin_lock(Spinlock *l)
{
    uint32_t me = __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED);
    /* acquire: the critical section's loads may not move above this. */
    while (__atomic_load_n(&l->owner, __ATOMIC_ACQUIRE) != me)
        cpu_relax();
}

static inline int spin_trylock(Spinlock *l)
{
    uint32_t owner = __atomic_load_n(&l->owner, __ATOMIC_RELAXED);
    uint32_t expect = owner;
    return __atomic_compare_exchange_n(&l->next, &expect, owner + 1, 0,
                                       __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

static inline void spin_unlock(Spinlock *l)
{
    /* release: the critical section's stores are visible before the handoff. */
    __atomic_store_n(&l->owner, l->owner + 1, __ATOMIC_RELEASE);
}

static inline uint64_t spin_lock_irqsave(Spinlock *l)
{
    uint64_t flags = irq_save();
    spin_lock(l);
    return flags;
}

static inline void spin_unlock_irqrestore(Spinlock *l, uint64_t flags)
{
    spin_unlock(l);
    irq_restore(flags);
}

/* Test-and-test-and-set lock: no FIFO order, whichever CPU is running
 * takes a free lock. Under a hypervisor that runs more vCPUs than it has
 * host cores (QEMU TCG -smp 4 on two cores, an overcommitted cloud host) a
 * ticket lock hands the lock to the next waiter even when that vCPU is
 * descheduled, and every CPU behind it waits out a host time slice per
 * handoff. Use it for locks every CPU hits at once (kernel/syscalls.c,
 * kernel/pmm.c), where progress matters more than fairness. */
typedef struct {
    volatile uint32_t held;
} TasLock;

#define TASLOCK_INIT {0}

static inline void tas_lock(TasLock *l)
{
    /* acquire: the critical section's loads may not move above this. */
    while (__atomic_exchange_n(&l->held, 1, __ATOMIC_ACQUIRE))
        while (__atomic_load_n(&l->held, __ATOMIC_RELAXED))
            cpu_relax();
}

static inline void tas_unlock(TasLock *l)
{
    /* release: the critical section's stores are visible before the lock is free. */
    __atomic_store_n(&l->held, 0, __ATOMIC_RELEASE);
}

static inline uint64_t tas_lock_irqsave(TasLock *l)
{
    uint64_t flags = irq_save();
    tas_lock(l);
    return flags;
}

static inline void tas_unlock_irqrestore(TasLock *l, uint64_t flags)
{
    tas_unlock(l);
    irq_restore(flags);
}

#endif
