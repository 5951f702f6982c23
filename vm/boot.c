/*
 * boot.c — the VM's start: command-line flags the VM itself acts on, the
 * code path and the autoload hook, then the init process and the schedulers.
 *
 * Modules are found, in order, in the boot archive (the image's ustar of
 * .beam files) and in the code-path directories (-pa first, then the
 * platform's defaults, then -pz). Loading is on demand: the code layer calls
 * code_autoload() when a call reaches a module that is not loaded, as OTP's
 * interactive mode does through its code server.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm/atom.h"
#include "vm/bif.h"
#include "vm/boot.h"
#include "vm/bootfs.h"
#include "vm/code.h"
#include "vm/emu.h"
#include "vm/ets_table.h"
#include "vm/platform.h"
#include "vm/proc.h"
#include "vm/sched.h"
#include "vm/sys_stats.h"

#define MAX_CODE_PATH 64

static const char *code_path[MAX_CODE_PATH];
static int code_path_len;
static const uint8_t *archive;
static size_t archive_size;

void vm_add_code_path(const char *dir, int at_front)
{
    if (code_path_len == MAX_CODE_PATH)
        return;
    if (at_front) {
        memmove(code_path + 1, code_path, (size_t)code_path_len * sizeof code_path[0]);
        code_path[0] = dir;
    } else {
        code_path[code_path_len] = dir;
    }
    code_path_len++;
}

static void report(const char *fmt, const char *a, const char *b)
{
    char buf[512];
    int n = snprintf(buf, sizeof buf, fmt, a, b);
    if (n > 0)
        plat_console_write(buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

static bool load_image(term_t module, const uint8_t *data, size_t size, const char *where)
{
    char err[256];
    if (code_autoload_image(data, size, module, err, sizeof err) < 0) {
        report("vm: cannot load %s: %s\n", where, err);
        return false;
    }
    return true;
}

bool code_autoload(term_t module)
{
    const Atom *a = atom_get(module);
    char name[ATOM_MAX_CHARS * 4 + 8];
    if ((size_t)a->len_bytes + 6 > sizeof name || memchr(a->name, '/', a->len_bytes))
        return false;
    memcpy(name, a->name, a->len_bytes);
    memcpy(name + a->len_bytes, ".beam", 6);

    BootfsEntry e;
    if (archive_size && bootfs_find(archive, archive_size, name, &e) == 0)
        return load_image(module, e.data, e.size, name);
    for (int i = 0; i < code_path_len; i++) {
        char path[1024];
        if ((size_t)snprintf(path, sizeof path, "%s/%s", code_path[i], name) >= sizeof path)
            continue;
        uint8_t *data;
        size_t size;
        if (plat_read_file(path, &data, &size) == 0) {
            bool ok = load_image(module, data, size, path);
            free(data);
            return ok;
        }
    }
    return false;
}

static long flag_number(const char *flag, const char *s, long min, long max, long dflt)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (*s == 0 || (*end && *end != ':')) {
        report("vm: %s wants a number, got '%s'; using the default\n", flag, s);
        return dflt;
    }
    if (v < min || v > max) {
        char range[64];
        snprintf(range, sizeof range, "%ld..%ld", min, max);
        char msg[128];
        snprintf(msg, sizeof msg, "vm: %%s %%s is outside %s; using the default\n", range);
        report(msg, flag, s);
        return dflt;
    }
    return v;
}

/* Build init's argument: the command-line words as a list of strings. */
static term_t args_term(Heap *h, int argc, char **argv)
{
    term_t list = NIL;
    for (int i = argc - 1; i >= 0; i--) {
        size_t n = strlen(argv[i]);
        term_t *hp = heap_alloc(h, 2 * n + 2);
        term_t s = NIL;
        for (size_t k = n; k > 0; k--, hp += 2)
            s = make_cons(hp, make_small((uint8_t)argv[i][k - 1]), s);
        list = make_cons(hp, s, list);
    }
    return list;
}

void vm_main(void)
{
    int argc;
    char **argv;
    plat_args(&argc, &argv);
    unsigned n_sched = plat_cpu_count();
    uint32_t process_limit = 0;
    for (int i = 0; i < argc; i++) {
        const char *next = i + 1 < argc ? argv[i + 1] : "";
        if (strcmp(argv[i], "+S") == 0)
            n_sched = (unsigned)flag_number("+S", next, 1, MAX_SCHEDULERS, (long)n_sched);
        else if (strcmp(argv[i], "+P") == 0)
            process_limit = (uint32_t)flag_number("+P", next, 1024, PROC_MAX_LIMIT, 0);
        else if (strcmp(argv[i], "+reds") == 0)
            emu_slice_reductions = (int32_t)flag_number("+reds", next, EMU_MIN_REDUCTIONS, EMU_MAX_REDUCTIONS,
                                                        EMU_DEFAULT_REDUCTIONS);
        else if (strcmp(argv[i], "-pa") == 0 || strcmp(argv[i], "-pz") == 0)
            for (int k = i + 1; k < argc && argv[k][0] != '-' && argv[k][0] != '+'; k++)
                vm_add_code_path(argv[k], argv[i][2] == 'a');
    }
    if (n_sched > plat_cpu_count())
        n_sched = plat_cpu_count();

    plat_boot_archive(&archive, &archive_size);
    if (archive_size) {
        char err[128];
        if (bootfs_validate(archive, archive_size, err, sizeof err) < 0) {
            report("vm: boot archive unusable (%s)%s\n", err, "");
            archive_size = 0;
        }
    }

    sys_stats_start();           /* VM start time (statistics(wall_clock)) */
    atom_init();                 /* predefined atoms */
    code_init();                 /* emulator dispatch, exports, BIFs */
    proc_init(process_limit);    /* process table */
    sched_init(n_sched);      /* run queues, timers */
    ets_init();                  /* the ETS table registry (one reader line per scheduler) */

    if (!code_autoload(atom_intern_cstr("init")))
        plat_fatal("the init module is not in the boot archive or code path");
    Heap h;
    heap_init(&h, 256);
    term_t args = args_term(&h, argc, argv);
    term_t boot_args = make_cons(heap_alloc(&h, 2), args, NIL);
    SpawnOpts opts;
    proc_spawn_opts_default(&opts);
    term_t error;
    if (!proc_spawn(NULL, atom_intern_cstr("init"), atom_intern_cstr("boot"), boot_args, &opts,
                    NULL, &error))
        plat_fatal("cannot spawn the init process");
    heap_destroy(&h);          /* proc_spawn copied the arguments */

    plat_start_schedulers(n_sched, sched_run);
    sched_run(0);
    plat_fatal("scheduler 0 returned");
}

/* beamos:code_path/0: the directories searched after the boot archive, as
 * strings (code:get_path/0). */
term_t bif_beamos_code_path_0(Process *p, term_t *args)
{
    (void)args;
    term_t list = NIL;
    for (int i = code_path_len; i > 0; i--) {
        const char *d = code_path[i - 1];
        size_t n = strlen(d);
        term_t *hp = heap_alloc(&p->h, 2 * n + 2);
        term_t s = NIL;
        for (size_t k = n; k > 0; k--, hp += 2)
            s = make_cons(hp, make_small((uint8_t)d[k - 1]), s);
        list = make_cons(hp, s, list);
    }
    return list;
}
