/*
 * test_emu.c — the loader's translation and the emulator, on real .beam
 * files: every stdlib module must translate; emu_basic.erl (compiled by
 * erlc at build time) runs in one process driven by emu_execute, and its
 * results are compared with what stock `erl` prints.
 */
#include <dirent.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/check.h"
#include "vm/atom.h"
#include "vm/code.h"
#include "vm/emu.h"
#include "vm/binary.h"
#include "vm/map.h"
#include "vm/sched.h"
#include "vm/term_print.h"

static uint8_t *read_all(const char *path, size_t *n) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long sz = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *b = malloc((size_t)sz + 1);
    *n = fread(b, 1, (size_t)sz, f);
    fclose(f);
    return b;
}

static int load_file(const char *path, char *err, size_t errlen) {
    size_t n;
    uint8_t *b = read_all(path, &n);
    if (!b) { snprintf(err, errlen, "cannot read"); return -1; }
    term_t m;
    int r = code_load_module(b, n, &m, err, errlen);
    free(b);
    return r;
}

TEST(load_all_stdlib) {
    glob_t g;
    CHECK(glob("/usr/lib/erlang/lib/stdlib-*/ebin/*.beam", 0, NULL, &g) == 0);
    size_t ok = 0;
    for (size_t i = 0; i < g.gl_pathc; i++) {
        char err[512];
        if (load_file(g.gl_pathv[i], err, sizeof err) == 0) ok++;
        else CHECK_FAIL_("%s: %s", g.gl_pathv[i], err);
    }
    printf("  loaded %zu of %zu stdlib modules\n", ok, g.gl_pathc);
    CHECK(ok == g.gl_pathc && ok > 50);
    globfree(&g);
}

static Scheduler sched;

/* Runs M:F(Args) to completion; returns the printed result or exit reason. */
static const char *run(const char *fn, term_t args, EmuResult *res, char *out, size_t cap) {
    Process *p = calloc(1, sizeof *p);
    size_t words = 1 << 20;
    p->h.heap = malloc(words * sizeof(term_t));
    p->h.htop = p->h.heap;
    p->heap_end = p->h.heap + words;
    p->h.hend = p->heap_end;
    p->heap_sz = words;
    p->arg_reg = p->def_arg_reg;
    p->max_arg_reg = PROC_DEF_ARG_REGS;
    p->ftrace = NIL;
    CHECK(emu_setup_call(p, atom_intern_cstr("emu_basic"), atom_intern_cstr(fn), args) == 0);
    EmuResult r;
    int slices = 0;
    while ((r = emu_execute(&sched, p)) == EMU_YIELD) slices++;
    *res = r;
    /* normal exit: the result is what the function returned, in x0 */
    term_print(out, cap, r == EMU_EXIT && p->fvalue == ATOM_normal ? sched.x_reg[0] : p->fvalue);
    (void)slices;
    for (HeapFragment *f = p->h.mbuf, *nx; f; f = nx) { nx = f->next; free(f); }
    heap_off_heap_release(&p->h.off_heap);
    if (p->arg_reg != p->def_arg_reg) free(p->arg_reg);
    free(p->h.heap);
    free(p);
    return out;
}

static term_t sm(long v) { return make_small(v); }

static Heap th;
static term_t list_of(int n, const term_t *v) {
    term_t l = NIL;
    term_t *hp = heap_alloc(&th, 2 * (size_t)n);
    for (int i = n; i-- > 0;) l = make_cons(hp + 2 * i, v[i], l);
    return l;
}

#define EXPECT(fn, args, want)                                          \
    do {                                                                \
        char buf[2048];                                                 \
        EmuResult r_;                                                   \
        run(fn, args, &r_, buf, sizeof buf);                            \
        CHECK_EQ_INT(r_, EMU_EXIT);                                     \
        CHECK_EQ_STR(buf, want);                                        \
    } while (0)

TEST(load_emu_basic) {
    char err[512];
    int r = load_file(EMU_BASIC_BEAM, err, sizeof err);
    if (r) CHECK_FAIL_("%s", err);
}

TEST(calls_and_arith) {
    term_t a[1] = {sm(20)};
    EXPECT("fib", list_of(1, a), "6765");
    term_t l[4] = {sm(1), sm(2), sm(3), sm(4)};
    term_t a2[1] = {list_of(4, l)};
    EXPECT("sum", list_of(1, a2), "10");
    EXPECT("rev", list_of(1, a2), "[4,3,2,1]");
}

TEST(tuples) {
    term_t *hp = heap_alloc(&th, 4);
    term_t t = make_tuple_header(hp, 3);
    hp[1] = sm(1); hp[2] = ATOM_ok; hp[3] = NIL;
    term_t a[1] = {t};
    EXPECT("tup", list_of(1, a), "{[],ok,1}");
}

TEST(exceptions) {
    term_t a[1];
    a[0] = sm(1); EXPECT("t_catch", list_of(1, a), "x");
    a[0] = sm(2); EXPECT("t_catch", list_of(1, a), "{'EXIT',y}");
    a[0] = sm(3); EXPECT("t_catch", list_of(1, a), "function_clause");
    a[0] = sm(4); EXPECT("t_catch", list_of(1, a), "{badmatch,1}");
    a[0] = sm(1); EXPECT("t_try", list_of(1, a), "{t,a}");
    a[0] = sm(2); EXPECT("t_try", list_of(1, a), "{e,b}");
    a[0] = sm(3); EXPECT("t_try", list_of(1, a), "{x,c}");
    a[0] = sm(4); EXPECT("t_try", list_of(1, a), "{e,{case_clause,4}}");
    /* uncaught: {Reason, Stack} */
    a[0] = atom_intern_cstr("b");
    EXPECT("fc", list_of(1, a),
           "{function_clause,[{emu_basic,fc,[b],[{file,\"tests/unit/data/emu_basic.erl\"},{line,11}]}]}");
}

TEST(stacktrace_lines) {
    EXPECT("trace", NIL,
           "[{emu_basic,fc,[zz],[{file,\"tests/unit/data/emu_basic.erl\"},{line,11}]},"
           "{emu_basic,trace,0,[{file,\"tests/unit/data/emu_basic.erl\"},{line,26}]}]");
}

TEST(funs) {
    term_t l[3] = {sm(1), sm(2), sm(3)};
    term_t a[2] = {sm(1000), list_of(3, l)};
    EXPECT("closure", list_of(2, a), "[1001,1002,1003]");
}

TEST(maps) {
    term_t k = atom_intern_cstr("a"), v = sm(1);
    term_t a[1] = {map_from_pairs(&th, &k, &v, 1)};
    EXPECT("maps", list_of(1, a), "{1,maps_size_ok}");
}

TEST(binaries) {
    uint8_t bytes[] = {7, 0x34, 0x12, 'x', 'y'};
    term_t a[1] = {binary_new(&th, bytes, 5)};
    EXPECT("bin", list_of(1, a), "{7,4660,<<\"xy\">>,<<18,52,117,120,121,122>>}");
}

TEST(floats) {
    term_t a[2] = {sm(2), make_float(heap_alloc(&th, FLOAT_WORDS), 3.0)};
    EXPECT("flt", list_of(2, a), "6.5");
}

TEST(undef) {
    char buf[512];
    EmuResult r;
    run("nonexistent", NIL, &r, buf, sizeof buf);
    CHECK_EQ_INT(r, EMU_EXIT);
    CHECK_EQ_STR(buf, "{undef,[{emu_basic,nonexistent,[],[]}]}");
}

int main(void) {
    atom_init();
    code_init();
    heap_init(&th, 1 << 16);
    RUN(load_all_stdlib);
    RUN(load_emu_basic);
    RUN(calls_and_arith);
    RUN(tuples);
    RUN(exceptions);
    RUN(stacktrace_lines);
    RUN(funs);
    RUN(maps);
    RUN(binaries);
    RUN(floats);
    RUN(undef);
    return CHECK_DONE();
}
