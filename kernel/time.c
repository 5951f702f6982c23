/*
 * time.c — the kernel's clocks. Monotonic time is the TSC since kernel entry,
 * converted with the calibrated multiplier; wall time adds the RTC reading
 * taken at time_init(). Both are read without locks from any CPU (the TSC is
 * synchronized across CPUs on the machines we run on; the self-test checks).
 */
#include "kernel/time.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/tsc.h"
#include "drivers/rtc.h"

static uint64_t entry_tsc;
static uint64_t wall_at_init_ns, mono_at_init_ns;

void time_mark_entry(void) { entry_tsc = rdtsc(); }
uint64_t time_boot_tsc(void) { return entry_tsc; }

uint64_t time_monotonic_ns(void)
{
    if (!tsc_hz())
        return 0;
    return tsc_ticks_to_ns(rdtsc() - entry_tsc);
}

void time_init(void)
{
    int64_t s = rtc_read_unix_seconds();
    mono_at_init_ns = time_monotonic_ns();
    wall_at_init_ns = s > 0 ? (uint64_t)s * 1000000000ULL : 0;
}

uint64_t time_wall_ns(void) { return wall_at_init_ns + (time_monotonic_ns() - mono_at_init_ns); }
