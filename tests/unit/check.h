/*
 * check.h — the smallest test harness that says what it expected.
 *
 * A unit test file defines test functions with TEST(name) and lists them in
 * main() with RUN(name). CHECK(cond) records a failure with file:line and the
 * condition text and carries on; CHECK_EQ_INT/CHECK_EQ_STR print both values.
 * CHECK_DONE() prints the summary line `N passed, N failed` that
 * scripts/run-tests sums, and returns the exit status.
 */
#ifndef BEAMOS_TESTS_CHECK_H
#define BEAMOS_TESTS_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_passed, check_failed, check_current_failed;
static const char *check_current;

#define TEST(name) static void name(void)

#define RUN(name)                                                        \
    do {                                                                 \
        check_current = #name;                                           \
        check_current_failed = 0;                                        \
        name();                                                          \
        if (check_current_failed) check_failed++; else check_passed++;   \
    } while (0)

#define CHECK_FAIL_(fmt, ...)                                            \
    do {                                                                 \
        check_current_failed = 1;                                        \
        printf("FAIL %s (%s:%d): " fmt "\n", check_current, __FILE__,    \
               __LINE__, __VA_ARGS__);                                   \
    } while (0)

#define CHECK(cond)                                                      \
    do { if (!(cond)) CHECK_FAIL_("expected %s", #cond); } while (0)

#define CHECK_EQ_INT(got, want)                                          \
    do {                                                                 \
        long long g_ = (long long)(got), w_ = (long long)(want);         \
        if (g_ != w_)                                                    \
            CHECK_FAIL_("%s == %lld, expected %lld", #got, g_, w_);      \
    } while (0)

#define CHECK_EQ_STR(got, want)                                          \
    do {                                                                 \
        const char *g_ = (got), *w_ = (want);                            \
        if (!g_ || strcmp(g_, w_) != 0)                                  \
            CHECK_FAIL_("%s == \"%s\", expected \"%s\"", #got,           \
                        g_ ? g_ : "(null)", w_);                         \
    } while (0)

#define CHECK_DONE()                                                     \
    (printf("%d passed, %d failed\n", check_passed, check_failed),       \
     check_failed ? 1 : 0)

#endif
