/*
 * cmdline.h — the kernel command line, read with erl's flag syntax.
 *
 * Words are split on blanks; "double quotes" group a word (for -eval). Flags
 * the kernel acts on are decoded into KernelArgs; all words are kept in
 * order in argv for the VM, whose init reads the erl flags (-s, -run, -eval,
 * -name, -setcookie, +S, +P, ...) as erl's init does.
 */
#ifndef BEAMOS_KERNEL_CMDLINE_H
#define BEAMOS_KERNEL_CMDLINE_H

#define CMDLINE_MAX_ARGS 128

typedef struct {
    int argc;
    char *argv[CMDLINE_MAX_ARGS];
    int warnings;              /* unknown or malformed flags seen */
    /* Decoded flags */
    int selftest;              /* -selftest: run kernel self-tests, power off */
    const char *crash;         /* -crash pagefault|divide|stackoverflow|nullcall */
    int schedulers;            /* +S N (0 = one per CPU) */
    long process_limit;        /* +P N (0 = default) */
    const char *node_name;     /* -name / -sname */
    const char *cookie;        /* -setcookie */
} KernelArgs;

extern KernelArgs kernel_args;

/* Parse `cmdline` (copied; the original is left as it is). Unknown flags are
 * reported with a warning on the console; parsing never fails. */
void cmdline_parse(const char *cmdline);

#endif
