/* time.h — monotonic time from the TSC, wall time anchored by the RTC. */
#ifndef BEAMOS_KERNEL_TIME_H
#define BEAMOS_KERNEL_TIME_H

#include <stdint.h>

void time_init(void);                 /* after tsc_calibrate: anchor both clocks */
uint64_t time_monotonic_ns(void);     /* since kernel entry; never goes back */
uint64_t time_wall_ns(void);          /* since 1970-01-01 UTC */
uint64_t time_boot_tsc(void);         /* TSC value at kernel entry */
void time_mark_entry(void);           /* first thing kmain does */

#endif
