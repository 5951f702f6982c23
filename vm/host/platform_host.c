/*
 * platform_host.c — vm/platform.h on Linux, for beamos-host: schedulers are
 * pthreads, time is clock_gettime, the console is stdin/stdout, modules are
 * read from the file system (-pa directories, then OTP's lib directories).
 * This is the test and benchmark vehicle for vm/; the product is the image.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "vm/platform.h"
#include "vm/host/host.h"

#define HOST_MAX_SCHEDULERS 64

typedef struct {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int woken;              /* a wake-up arrived since the last wait */
} Sleeper;

static Sleeper sleepers[HOST_MAX_SCHEDULERS];
static __thread unsigned my_index;
static int host_argc;
static char **host_argv;

const char *plat_name(void) { return "host"; }

unsigned plat_cpu_count(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (unsigned)n : 1;
}

uint64_t plat_monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

uint64_t plat_system_time_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

void plat_console_write(const char *bytes, size_t len)
{
    while (len > 0) {
        ssize_t n = write(STDOUT_FILENO, bytes, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        bytes += n;
        len -= (size_t)n;
    }
}

/* Console input on the host: a watcher thread (started by the first
 * plat_console_input_seq, i.e. when a process first waits for input) blocks
 * in poll on stdin; when stdin becomes readable it counts an arrival, wakes
 * scheduler 0 and then waits until somebody has read since, so a pending
 * byte is counted once rather than spun on. */
static _Atomic uint64_t input_seq, consumed_seq;
static pthread_mutex_t input_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t input_read = PTHREAD_COND_INITIALIZER;
static pthread_once_t watcher_once = PTHREAD_ONCE_INIT;

static void *stdin_watcher(void *arg)
{
    (void)arg;
    for (;;) {
        struct pollfd pfd = {STDIN_FILENO, POLLIN, 0};
        int r = poll(&pfd, 1, -1);
        if (r < 0 && errno == EINTR)
            continue;
        uint64_t seq = atomic_fetch_add(&input_seq, 1) + 1;
        plat_wake(0);
        if (r < 0 || (pfd.revents & POLLNVAL))
            return NULL;          /* no usable stdin: nothing more will come */
        pthread_mutex_lock(&input_lock);
        while (atomic_load(&consumed_seq) < seq)
            pthread_cond_wait(&input_read, &input_lock);
        pthread_mutex_unlock(&input_lock);
    }
}

static void start_watcher(void)
{
    pthread_t t;
    if (pthread_create(&t, NULL, stdin_watcher, NULL) == 0)
        pthread_detach(t);
}

uint64_t plat_console_input_seq(void)
{
    pthread_once(&watcher_once, start_watcher);
    return atomic_load(&input_seq);
}

long plat_console_read(char *buf, size_t len)
{
    uint64_t seq = atomic_load(&input_seq);
    struct pollfd pfd = {STDIN_FILENO, POLLIN, 0};
    long got = 0;
    if (poll(&pfd, 1, 0) > 0) {
        ssize_t n = read(STDIN_FILENO, buf, len);
        got = n == 0 ? -1 : n < 0 ? 0 : (long)n;
    }
    /* Everything counted up to seq has now been looked at. */
    pthread_mutex_lock(&input_lock);
    if (atomic_load(&consumed_seq) < seq) atomic_store(&consumed_seq, seq);
    pthread_cond_broadcast(&input_read);
    pthread_mutex_unlock(&input_lock);
    return got;
}

typedef struct {
    void (*entry)(unsigned);
    unsigned index;
} ThreadStart;

static void *thread_main(void *arg)
{
    ThreadStart ts = *(ThreadStart *)arg;
    free(arg);
    my_index = ts.index;
    ts.entry(ts.index);
    return NULL;
}

void plat_start_schedulers(unsigned n, void (*entry)(unsigned index))
{
    if (n > HOST_MAX_SCHEDULERS)
        n = HOST_MAX_SCHEDULERS;
    for (unsigned i = 0; i < n; i++) {
        pthread_mutex_init(&sleepers[i].lock, NULL);
        pthread_cond_init(&sleepers[i].cond, NULL);
    }
    for (unsigned i = 1; i < n; i++) {
        ThreadStart *ts = malloc(sizeof *ts);
        ts->entry = entry;
        ts->index = i;
        pthread_t t;
        if (pthread_create(&t, NULL, thread_main, ts) != 0)
            plat_fatal("cannot create a scheduler thread");
        pthread_detach(t);
    }
    my_index = 0;
}

unsigned plat_sched_index(void) { return my_index; }

void plat_idle_wait(uint64_t deadline_ns)
{
    Sleeper *s = &sleepers[my_index];
    pthread_mutex_lock(&s->lock);
    if (!s->woken) {
        if (deadline_ns) {
            /* CLOCK_MONOTONIC deadline → condvar wait on CLOCK_REALTIME. */
            uint64_t now = plat_monotonic_ns();
            uint64_t wait = deadline_ns > now ? deadline_ns - now : 0;
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            uint64_t t = (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec + wait;
            ts.tv_sec = (time_t)(t / 1000000000ULL);
            ts.tv_nsec = (long)(t % 1000000000ULL);
            pthread_cond_timedwait(&s->cond, &s->lock, &ts);
        } else {
            pthread_cond_wait(&s->cond, &s->lock);
        }
    }
    s->woken = 0;
    pthread_mutex_unlock(&s->lock);
}

void plat_wake(unsigned index)
{
    if (index >= HOST_MAX_SCHEDULERS)
        return;
    Sleeper *s = &sleepers[index];
    pthread_mutex_lock(&s->lock);
    s->woken = 1;
    pthread_cond_signal(&s->cond);
    pthread_mutex_unlock(&s->lock);
}

/* Private futexes: the words are in this process only. EINTR and EAGAIN
 * (the word changed) both just return; the caller looks again. */
void plat_park(atomic_int *word, int expected)
{
    syscall(SYS_futex, (int *)word, FUTEX_WAIT_PRIVATE, expected, NULL, NULL, 0);
}

void plat_unpark(atomic_int *word, int n)
{
    syscall(SYS_futex, (int *)word, FUTEX_WAKE_PRIVATE, n, NULL, NULL, 0);
}

void host_set_args(int argc, char **argv)
{
    host_argc = argc;
    host_argv = argv;
}

void plat_args(int *argc, char ***argv)
{
    *argc = host_argc;
    *argv = host_argv;
}

void plat_boot_archive(const uint8_t **data, size_t *size)
{
    *data = NULL;
    *size = 0;
}

int plat_read_file(const char *path, uint8_t **data, size_t *size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    off_t len = lseek(fd, 0, SEEK_END);
    if (len < 0 || lseek(fd, 0, SEEK_SET) < 0) {
        close(fd);
        return -1;
    }
    uint8_t *buf = malloc(len ? (size_t)len : 1);
    size_t got = 0;
    while (buf && got < (size_t)len) {
        ssize_t n = read(fd, buf + got, (size_t)len - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            free(buf);
            buf = NULL;
            break;
        }
        got += (size_t)n;
    }
    close(fd);
    if (!buf)
        return -1;
    *data = buf;
    *size = got;
    return 0;
}

void plat_halt(int status)
{
    fflush(stdout);
    _exit(status);
}

void plat_fatal(const char *msg)
{
    fprintf(stderr, "beamos-host: fatal: %s\n", msg);
    abort();
}

extern char **environ;
char **plat_environ(void) { return environ; }
