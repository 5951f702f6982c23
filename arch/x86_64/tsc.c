/*
 * tsc.c — TSC calibration and conversion.
 *
 * Conversions use a 64.32 fixed-point multiplier so the hot path (every
 * monotonic-time read) is one multiply and shift, no division.
 */
#include <stddef.h>
#include "arch/x86_64/tsc.h"
#include "arch/x86_64/cpu.h"
#include "kernel/mm.h"

static uint64_t hz;
static uint64_t ns_per_tick_fp;     /* ns per tick  << 32 */
static uint64_t ticks_per_ns_fp;    /* ticks per ns << 32 */

enum { HPET_CAP = 0x000, HPET_CONFIG = 0x010, HPET_COUNTER = 0x0f0 };

static uint64_t calibrate_hpet(uint64_t phys)
{
    volatile uint64_t *hpet = mmio_map(phys, 1024);
    uint64_t period_fs = hpet[HPET_CAP / 8] >> 32;   /* femtoseconds per tick */
    if (period_fs == 0 || period_fs > 100000000ULL)
        return 0;
    hpet[HPET_CONFIG / 8] |= 1;                       /* counter running */
    uint64_t want = 20000000000000ULL / period_fs;    /* 20 ms of HPET ticks */
    uint64_t h0 = hpet[HPET_COUNTER / 8], t0 = rdtsc(), h1, t1;
    do {
        h1 = hpet[HPET_COUNTER / 8];
        t1 = rdtsc();
    } while (h1 - h0 < want);
    uint64_t elapsed_fs = (h1 - h0) * period_fs;
    return (uint64_t)((unsigned __int128)(t1 - t0) * 1000000000000000ULL / elapsed_fs);
}

#define PIT_HZ 1193182ULL
static uint64_t calibrate_pit(void)
{
    /* Channel 2, mode 0, gate via port 0x61: count down 20 ms, poll OUT2. */
    uint16_t count = (uint16_t)(PIT_HZ / 50);
    outb(0x61, (uint8_t)((inb(0x61) & ~0x02) | 0x01));
    outb(0x43, 0xb0);
    outb(0x42, (uint8_t)count);
    outb(0x42, (uint8_t)(count >> 8));
    uint64_t t0 = rdtsc();
    for (uint64_t spins = 0; !(inb(0x61) & 0x20); spins++)
        if (spins > 100000000ULL)
            return 0;
    uint64_t t1 = rdtsc();
    return (t1 - t0) * PIT_HZ / count;
}

const char *tsc_calibrate(uint64_t hpet_phys)
{
    const char *src = "HPET";
    hz = hpet_phys ? calibrate_hpet(hpet_phys) : 0;
    if (!hz) {
        src = "PIT";
        hz = calibrate_pit();
    }
    if (!hz) {
        src = "assumed (no timer answered)";
        hz = 1000000000ULL;
    }
    ns_per_tick_fp = (uint64_t)(((unsigned __int128)1000000000ULL << 32) / hz);
    ticks_per_ns_fp = (uint64_t)(((unsigned __int128)hz << 32) / 1000000000ULL);
    return src;
}

uint64_t tsc_hz(void) { return hz; }
uint64_t tsc_ns_to_ticks(uint64_t ns) { return (uint64_t)(((unsigned __int128)ns * ticks_per_ns_fp) >> 32); }
uint64_t tsc_ticks_to_ns(uint64_t t) { return (uint64_t)(((unsigned __int128)t * ns_per_tick_fp) >> 32); }

int tsc_invariant(void)
{
    uint32_t a, b, c, d;
    cpuid(0x80000000, 0, &a, &b, &c, &d);
    if (a < 0x80000007)
        return 0;
    cpuid(0x80000007, 0, &a, &b, &c, &d);
    return (d >> 8) & 1;
}
