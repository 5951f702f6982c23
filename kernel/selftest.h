/* selftest.h — kernel tests run on the booted machine (-selftest). */
#ifndef BEAMOS_KERNEL_SELFTEST_H
#define BEAMOS_KERNEL_SELFTEST_H

/* Run every kernel test, print `N passed, N failed`; returns the failures. */
int selftest_run(void);
/* -crash KIND: fault on purpose (pagefault, divide, stackoverflow, nullcall,
 * invalidop) to show the panic report. Never returns. */
void selftest_crash(const char *kind) __attribute__((noreturn));

#endif
