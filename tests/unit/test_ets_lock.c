/*
 * test_ets_lock.c — ETS's locks (vm/ets_lock.h) under real contention:
 * more threads than this machine has CPUs, so holders lose their CPU and
 * waiters get past the spin into plat_park (a futex on the host). The
 * mutex must give exact counts, the reader-writer lock must never let a
 * reader see a writer's half-done update, and nobody may hang (a lost
 * wake-up would leave the test waiting for ever: run-tests bounds it).
 */
#include <stdatomic.h>
#include <stdlib.h>

#include "tests/unit/check.h"
#include "vm/ets_lock.h"
#include "vm/platform.h"

#define THREADS 6
#define ROUNDS 400000

static EtsMutexLine mutex;
static EtsRwLock rw;
static long counter;                 /* [mutex] */
static long pair_a, pair_b;          /* [rw, write mode]: always equal outside it */
static atomic_long torn, reads;
static atomic_int started, finished;
static int phase;                    /* 0: mutex, 1: rwlock shared, 2: rwlock per scheduler */

static void work(unsigned index)
{
    atomic_fetch_add(&started, 1);          /* all start together: they overlap */
    while (atomic_load(&started) < THREADS) ets_cpu_relax();
    for (long i = 0; i < ROUNDS; i++) {
        if (phase == 0) {
            ets_mutex_lock(&mutex.m);
            counter++;
            ets_mutex_unlock(&mutex.m);
        } else if ((i + index) % 4 == 0) {   /* a quarter writes */
            ets_rw_wlock(&rw);
            pair_a++;
            for (volatile int k = 0; k < 10; k++) {}
            pair_b++;
            ets_rw_wunlock(&rw);
        } else {
            ets_rw_rlock(&rw);
            if (pair_a != pair_b) atomic_fetch_add(&torn, 1);
            atomic_fetch_add_explicit(&reads, 1, memory_order_relaxed);
            ets_rw_runlock(&rw);
        }
    }
    atomic_fetch_add(&finished, 1);
}

/* plat_start_schedulers runs work(1..THREADS-1) on threads that know
 * their scheduler index; this thread is index 0. */
static void run_phase(int which)
{
    phase = which;
    atomic_store(&finished, 0);
    atomic_store(&started, 0);
    plat_start_schedulers(THREADS, work);
    work(0);
    while (atomic_load(&finished) < THREADS) ets_cpu_relax();
}

TEST(mutex_counts_exactly)
{
    ets_mutex_init(&mutex.m);
    run_phase(0);
    CHECK_EQ_INT(counter, (long)THREADS * ROUNDS);
    CHECK_EQ_INT(atomic_load(&mutex.m.state), 0);
}

TEST(rwlock_shared_indicator)
{
    ets_rw_init(&rw, false);
    pair_a = pair_b = 0;
    atomic_store(&torn, 0);
    atomic_store(&reads, 0);
    run_phase(1);
    CHECK_EQ_INT(atomic_load(&torn), 0);
    CHECK_EQ_INT(pair_a, (long)THREADS * ROUNDS / 4);
    CHECK_EQ_INT(pair_a, pair_b);
    CHECK_EQ_INT(atomic_load(&reads), (long)THREADS * ROUNDS * 3 / 4);
    CHECK_EQ_INT(atomic_load(&rw.word), 0);
    ets_rw_destroy(&rw);
}

TEST(rwlock_per_scheduler)
{
    ets_rw_init(&rw, true);
    pair_a = pair_b = 0;
    atomic_store(&torn, 0);
    atomic_store(&reads, 0);
    run_phase(2);
    CHECK_EQ_INT(atomic_load(&torn), 0);
    CHECK_EQ_INT(pair_a, (long)THREADS * ROUNDS / 4);
    CHECK_EQ_INT(pair_a, pair_b);
    for (unsigned i = 0; i < rw.nslots; i++) CHECK_EQ_INT(atomic_load(&rw.slots[i].readers), 0);
    CHECK_EQ_INT(atomic_load(&rw.word), 0);
    ets_rw_destroy(&rw);
}

int main(void)
{
    RUN(mutex_counts_exactly);
    RUN(rwlock_shared_indicator);
    RUN(rwlock_per_scheduler);
    return CHECK_DONE();
}
