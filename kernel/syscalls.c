/*
 * syscalls.c — the system calls newlib expects when built with
 * --disable-newlib-supplied-syscalls. There are no user programs and no
 * file system: stdout/stderr go to the console, the heap is kheap_grow(),
 * and anything without a meaning here fails with the errno POSIX gives
 * (ENOSYS, EBADF, ENOENT) rather than pretending to work.
 */
#include <errno.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/times.h>
#include <sys/time.h>
#include <sys/types.h>
#include "kernel/console.h"
#include "kernel/mm.h"
#include "kernel/power.h"
#include "kernel/spinlock.h"
#include "kernel/percpu.h"
#include "kernel/time.h"

#undef errno
extern int errno;

/* newlib (x86_64-elf, no supplied system calls) links against the plain
 * POSIX names; their prototypes come from its headers. */
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>
#include <sys/wait.h>
struct _reent;
void __malloc_lock(struct _reent *r);
void __malloc_unlock(struct _reent *r);

void *sbrk(ptrdiff_t incr);
_READ_WRITE_RETURN_TYPE write(int fd, const void *buf, size_t len);
_READ_WRITE_RETURN_TYPE read(int fd, void *buf, size_t len);
int close(int fd);
int fstat(int fd, struct stat *st);
int isatty(int fd);
off_t lseek(int fd, off_t off, int whence);
void _exit(int status);
int kill(pid_t pid, int sig);
pid_t getpid(void);
int open(const char *path, int flags, ...);
int gettimeofday(struct timeval *restrict tv, void *restrict tz);
clock_t times(struct tms *t);
int unlink(const char *path);
int link(const char *a, const char *b);
pid_t fork(void);
int execve(const char *p, char *const argv[], char *const envp[]);
pid_t wait(int *status);
struct _reent;
void __malloc_lock(struct _reent *r);
void __malloc_unlock(struct _reent *r);

void *sbrk(ptrdiff_t incr)
{
    void *p = kheap_grow(incr);
    if (p == (void *)-1)
        errno = ENOMEM;
    return p;
}

_READ_WRITE_RETURN_TYPE write(int fd, const void *buf, size_t len)
{
    if (fd != 1 && fd != 2) {
        errno = EBADF;
        return -1;
    }
    console_write(buf, len);
    return (int)len;
}

_READ_WRITE_RETURN_TYPE read(int fd, void *buf, size_t len)
{
    (void)buf; (void)len;
    errno = fd == 0 ? ENOSYS : EBADF;   /* console input goes through the VM's I/O server */
    return -1;
}

int close(int fd) { (void)fd; errno = EBADF; return -1; }

int fstat(int fd, struct stat *st)
{
    if (fd < 0 || fd > 2) {
        errno = EBADF;
        return -1;
    }
    st->st_mode = S_IFCHR;
    return 0;
}

int isatty(int fd) { return fd >= 0 && fd <= 2; }
off_t lseek(int fd, off_t off, int whence) { (void)fd; (void)off; (void)whence; errno = ESPIPE; return -1; }
void _exit(int status) { power_off((uint32_t)status); }
int kill(pid_t pid, int sig) { (void)pid; (void)sig; errno = ENOSYS; return -1; }
pid_t getpid(void) { return 1; }
int open(const char *path, int flags, ...) { (void)path; (void)flags; errno = ENOENT; return -1; }
int unlink(const char *path) { (void)path; errno = ENOENT; return -1; }
int link(const char *a, const char *b) { (void)a; (void)b; errno = ENOSYS; return -1; }
pid_t fork(void) { errno = ENOSYS; return -1; }
int execve(const char *p, char *const argv[], char *const envp[]) { (void)p; (void)argv; (void)envp; errno = ENOSYS; return -1; }
pid_t wait(int *status) { (void)status; errno = ECHILD; return -1; }

int gettimeofday(struct timeval *restrict tv, void *restrict tz)
{
    (void)tz;
    uint64_t ns = time_wall_ns();
    tv->tv_sec = (time_t)(ns / 1000000000ULL);
    tv->tv_usec = (suseconds_t)(ns % 1000000000ULL / 1000);
    return 0;
}

clock_t times(struct tms *t)
{
    clock_t ticks = (clock_t)(time_monotonic_ns() / (1000000000ULL / CLOCKS_PER_SEC));
    t->tms_utime = ticks;
    t->tms_stime = t->tms_cutime = t->tms_cstime = 0;
    return ticks;
}

/* newlib's malloc is one arena: serialize it with a recursive lock, since
 * malloc may be re-entered through its own hooks on the same CPU. Since
 * kernel/kmalloc.c it serves only blocks over 8 KiB and newlib's internal
 * allocations; small blocks come from the per-CPU slabs, without this lock.
 *
 * A test-and-test-and-set lock, not the kernel's FIFO ticket lock: under
 * a hypervisor that runs more vCPUs than it has host cores (QEMU TCG with
 * -smp 4 on two cores, an overcommitted cloud host), a ticket lock hands
 * the lock to the next waiter in line even when that vCPU is descheduled,
 * and every other CPU then waits out a host time slice per handoff (a
 * message storm between 64 processes took minutes instead of 0.1 s).
 * Whoever is running takes a TAS lock (kernel/spinlock.h). */
static volatile int malloc_owner = -1;
static int malloc_depth;
static TasLock malloc_lock = TASLOCK_INIT;

void __malloc_lock(struct _reent *r)
{
    (void)r;
    int me = cpus_online ? (int)cpu_id() : 0;
    if (malloc_owner == me) {
        malloc_depth++;
        return;
    }
    tas_lock(&malloc_lock);
    malloc_owner = me;
    malloc_depth = 1;
}

void __malloc_unlock(struct _reent *r)
{
    (void)r;
    if (--malloc_depth == 0) {
        malloc_owner = -1;
        tas_unlock(&malloc_lock);
    }
}
