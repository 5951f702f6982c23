/*
 * cmdline.c — split and check the kernel command line (see cmdline.h).
 */
#include <stdlib.h>
#include <string.h>
#include "kernel/cmdline.h"
#include "kernel/console.h"

KernelArgs kernel_args;

static char cmdline_copy[2048];

/* Flag table: how many words each flag takes (-1: one or more, up to the
 * next flag), as erl documents them. Kernel-only flags are marked. */
typedef struct { const char *flag; int nargs; } FlagSpec;
static const FlagSpec known_flags[] = {
    {"-s", -1}, {"-run", -1}, {"-eval", 1}, {"-name", 1}, {"-sname", 1},
    {"-setcookie", 1}, {"-pa", -1}, {"-pz", -1}, {"-noshell", 0}, {"-noinput", 0},
    {"-detached", 0}, {"-hidden", 0}, {"-connect_all", 1}, {"-kernel", -1},
    {"-stdlib", -1}, {"-env", 2}, {"-extra", -1}, {"-boot", 1}, {"-config", 1},
    {"+S", 1}, {"+P", 1}, {"+A", 1}, {"+K", 1}, {"+sbwt", 1}, {"+Q", 1},
    {"+hms", 1}, {"+hmbs", 1}, {"+e", 1}, {"+t", 1},
    /* BeamOS's own */
    {"+reds", 1}, {"-selftest", 0}, {"-crash", 1},
};

static int is_flag(const char *w) { return (w[0] == '-' || w[0] == '+') && w[1] != 0; }

static const FlagSpec *find_flag(const char *w)
{
    for (size_t i = 0; i < sizeof known_flags / sizeof known_flags[0]; i++)
        if (strcmp(known_flags[i].flag, w) == 0)
            return &known_flags[i];
    return NULL;
}

static void split_words(void)
{
    char *p = cmdline_copy;
    while (*p && kernel_args.argc < CMDLINE_MAX_ARGS) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p)
            break;
        char *out = p, *word = p;
        int quoted = 0;
        for (; *p && (quoted || (*p != ' ' && *p != '\t')); p++) {
            if (*p == '"') { quoted = !quoted; continue; }
            *out++ = *p;
        }
        if (*p)
            p++;
        *out = 0;
        kernel_args.argv[kernel_args.argc++] = word;
    }
    if (*p)
        kprintf("cmdline: warning: more than %d words; the rest is ignored\n", CMDLINE_MAX_ARGS);
}

static long parse_number(const char *flag, const char *s, long min, long max)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (*s == 0 || (*end && *end != ':') || v < min || v > max) {
        kprintf("cmdline: warning: %s expects a number in %ld..%ld, got '%s'; ignored\n",
                flag, min, max, s);
        kernel_args.warnings++;
        return 0;
    }
    return v;
}

void cmdline_parse(const char *cmdline)
{
    memset(&kernel_args, 0, sizeof kernel_args);
    strncpy(cmdline_copy, cmdline ? cmdline : "", sizeof cmdline_copy - 1);
    split_words();
    /* GRUB may pass the kernel's own path first. */
    if (kernel_args.argc > 0 && kernel_args.argv[0][0] == '/') {
        memmove(&kernel_args.argv[0], &kernel_args.argv[1], (size_t)(kernel_args.argc - 1) * sizeof(char *));
        kernel_args.argc--;
    }
    for (int i = 0; i < kernel_args.argc; i++) {
        const char *w = kernel_args.argv[i];
        if (!is_flag(w)) {
            kprintf("cmdline: warning: '%s' is not a flag and follows none; ignored\n", w);
            kernel_args.warnings++;
            continue;
        }
        if (strcmp(w, "-extra") == 0)
            break;                   /* everything after -extra is the application's */
        const FlagSpec *f = find_flag(w);
        if (!f) {
            kprintf("cmdline: warning: unknown flag '%s'; ignored\n", w);
            kernel_args.warnings++;
            while (i + 1 < kernel_args.argc && !is_flag(kernel_args.argv[i + 1]))
                i++;
            continue;
        }
        int avail = 0;
        while (i + 1 + avail < kernel_args.argc && !is_flag(kernel_args.argv[i + 1 + avail]))
            avail++;
        /* -eval's argument may legitimately start with '-' (e.g. "-1"). */
        if (f->nargs == 1 && avail == 0 && i + 1 < kernel_args.argc && strcmp(w, "-eval") == 0)
            avail = 1;
        int want = f->nargs < 0 ? (avail > 0 ? avail : 1) : f->nargs;
        if (avail < want) {
            kprintf("cmdline: warning: %s needs %d argument%s; ignored\n", w, want, want == 1 ? "" : "s");
            kernel_args.warnings++;
            i += avail;
            continue;
        }
        const char *a = want > 0 ? kernel_args.argv[i + 1] : NULL;
        if (strcmp(w, "-selftest") == 0) kernel_args.selftest = 1;
        else if (strcmp(w, "-crash") == 0) kernel_args.crash = a;
        else if (strcmp(w, "+S") == 0) kernel_args.schedulers = (int)parse_number(w, a, 1, 1024);
        else if (strcmp(w, "+P") == 0) kernel_args.process_limit = parse_number(w, a, 1024, 134217727);
        else if (strcmp(w, "-name") == 0 || strcmp(w, "-sname") == 0) kernel_args.node_name = a;
        else if (strcmp(w, "-setcookie") == 0) kernel_args.cookie = a;
        if (f->nargs < 0) want = avail;   /* variadic flags take every word up to the next flag */
        i += want;
    }
}
