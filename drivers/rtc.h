/* rtc.h — the CMOS real-time clock: wall time at boot. */
#ifndef BEAMOS_DRIVERS_RTC_H
#define BEAMOS_DRIVERS_RTC_H

#include <stdint.h>

/* Seconds since 1970-01-01 UTC read from the RTC (assumed to keep UTC), or
 * -1 if the clock does not answer consistently. */
int64_t rtc_read_unix_seconds(void);

#endif
