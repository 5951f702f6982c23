/*
 * spinlock.h — ticket spinlocks. FIFO fair, so no CPU starves under contention.
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

#endif
