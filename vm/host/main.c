/*
 * main.c — beamos-host: the VM as a Linux program, used like erl:
 *
 *   beamos-host [-pa DIR...] [+S N] [+P N] [+reds N] [-s Mod [Fun [Args...]]]
 *               [-run ...] [-eval Expr] [-extra ...]
 *
 * Modules come from -pa directories, then the runtime's own ebin and the
 * installed OTP's erts/stdlib/kernel ebin directories (so stock OTP modules
 * run unchanged, as in the image). The exit status is the one given to
 * halt/1. Unknown flags are passed on to init, which ignores them as erl does.
 */
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm/boot.h"
#include "vm/host/host.h"

#ifndef BEAMOS_RUNTIME_EBIN
#define BEAMOS_RUNTIME_EBIN "build/lib/ebin"
#endif

static void add_otp_dirs(void)
{
    const char *root = getenv("BEAMOS_OTP_LIB");
    char pattern[512];
    static const char *const apps[] = {"erts", "stdlib"};   /* as in the image */
    for (size_t a = 0; a < sizeof apps / sizeof apps[0]; a++) {
        snprintf(pattern, sizeof pattern, "%s/%s-*/ebin", root ? root : "/usr/lib/erlang/lib", apps[a]);
        glob_t g;
        if (glob(pattern, 0, NULL, &g) == 0) {
            for (size_t i = 0; i < g.gl_pathc; i++)
                vm_add_code_path(strdup(g.gl_pathv[i]), 0);
            globfree(&g);
        }
    }
}

int main(int argc, char **argv)
{
    if (argc > 1 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
        printf("usage: beamos-host [-pa DIR...] [+S N] [+P N] [+reds N] [-s M [F [Args]]] [-run M [F [Args]]] [-eval Expr]\n");
        return 0;
    }
    host_set_args(argc - 1, argv + 1);
    const char *runtime = getenv("BEAMOS_RUNTIME_EBIN");
    vm_add_code_path(runtime ? runtime : BEAMOS_RUNTIME_EBIN, 0);
    add_otp_dirs();
    vm_main();
}
