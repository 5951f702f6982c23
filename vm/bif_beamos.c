/*
 * bif_beamos.c — BIFs of module `beamos`, the runtime's own interface to the
 * platform, used by the Erlang side of the runtime (vm/lib): the console
 * server writes and polls the console through them, and init reads the
 * command line. Applications should use io and init, not these.
 */
#include <stdlib.h>
#include <string.h>

#include "vm/atom.h"
#include "vm/bif.h"
#include "vm/console_input.h"
#include "vm/bif_util.h"
#include "vm/binary.h"
#include "vm/gc.h"
#include "vm/platform.h"

/* Write an iolist (bytes and binaries, nested) to the console, in order.
 * Chunks are gathered in a buffer so a line goes out in one write. Returns
 * -1 if the term is not an iolist (nothing is written then). */
static int write_iolist(term_t io)
{
    size_t cap = 64, depth = 0;
    term_t *stack = malloc(cap * sizeof *stack);
    char buf[512];
    size_t used = 0;
    /* First pass validates, second writes: a bad iolist writes nothing. */
    for (int pass = 0; pass < 2; pass++) {
        depth = 0;
        stack[depth++] = io;
        while (depth > 0) {
            term_t t = stack[--depth];
            while (is_list(t)) {
                term_t h = cons_head(t);
                if (is_byte(h)) {
                    if (pass) {
                        if (used == sizeof buf) { plat_console_write(buf, used); used = 0; }
                        buf[used++] = (char)small_value(h);
                    }
                } else if (is_list(h) || is_nil(h) || is_binary(h)) {
                    if (depth + 2 > cap) {
                        cap *= 2;
                        stack = realloc(stack, cap * sizeof *stack);
                    }
                    stack[depth++] = cons_tail(t);   /* resume after the sublist */
                    t = h;
                    continue;
                } else {
                    free(stack);
                    return -1;
                }
                t = cons_tail(t);
            }
            if (is_binary(t)) {
                if (pass) {
                    const uint8_t *bytes;
                    size_t off, bits;
                    bitstring_get(t, &bytes, &off, &bits);
                    if (used) { plat_console_write(buf, used); used = 0; }
                    if (off % 8 == 0) {
                        plat_console_write((const char *)bytes + off / 8, bits / 8);
                    } else {                     /* unaligned sub-binary: copy out */
                        uint8_t tmp[256];
                        for (size_t done = 0; done < bits / 8;) {
                            size_t n = bits / 8 - done < sizeof tmp ? bits / 8 - done : sizeof tmp;
                            bits_copy(tmp, 0, bytes, off + done * 8, n * 8);
                            plat_console_write((const char *)tmp, n);
                            done += n;
                        }
                    }
                }
            } else if (!is_nil(t)) {
                free(stack);
                return -1;
            }
        }
    }
    if (used)
        plat_console_write(buf, used);
    free(stack);
    return 0;
}

term_t bif_beamos_console_write_1(Process *p, term_t *args)
{
    if (write_iolist(args[0]) < 0)
        BIF_ERROR(p, ATOM_badarg);
    return ATOM_ok;
}

/* Buffered console input as a binary, <<>> if none, or eof. */
term_t bif_beamos_console_read_0(Process *p, term_t *args)
{
    (void)args;
    char buf[256];
    console_input_reading();
    long n = plat_console_read(buf, sizeof buf);
    if (n < 0)
        return atom_intern_cstr("eof");
    return binary_new(&p->h, (const uint8_t *)buf, (size_t)n);
}

/* The caller gets the message `console_input` once input arrives after
 * its last console_read/0 (vm/console_input.h). */
term_t bif_beamos_console_notify_0(Process *p, term_t *args)
{
    (void)args;
    console_input_notify(p->id);
    return ATOM_ok;
}

/* The command line as a list of strings (erl-style words). */
term_t bif_beamos_boot_args_0(Process *p, term_t *args)
{
    (void)args;
    int argc;
    char **argv;
    plat_args(&argc, &argv);
    size_t words = 0;
    for (int i = 0; i < argc; i++)
        words += 2 + 2 * strlen(argv[i]);
    term_t *hp = heap_alloc(&p->h, words);
    term_t list = NIL;
    for (int i = argc - 1; i >= 0; i--) {
        term_t s = NIL;
        for (size_t k = strlen(argv[i]); k > 0; k--) {
            s = make_cons(hp, make_small((uint8_t)argv[i][k - 1]), s);
            hp += 2;
        }
        list = make_cons(hp, s, list);
        hp += 2;
    }
    return list;
}

term_t bif_beamos_platform_0(Process *p, term_t *args)
{
    (void)p; (void)args;
    return atom_intern_cstr(plat_name());
}

/* true in the GC_STRESS build (vm/gc.h), which collects at every heap
 * check: tests shrink their largest inputs there, since each collection
 * copies everything live and big inputs turn quadratic. */
term_t bif_beamos_gc_stress_0(Process *p, term_t *args)
{
    (void)p; (void)args;
    return gc_stress_enabled() ? ATOM_true : ATOM_false;
}

#include "vm/term_print.h"

/* erlang:display/1: print the term on the console, bypassing the I/O
 * system (as OTP does: a debugging aid that works when nothing else does). */
term_t bif_erlang_display_1(Process *p, term_t *args)
{
    (void)p;
    size_t cap = 4096;
    char *buf = malloc(cap);
    size_t n = term_print(buf, cap, args[0]);
    if (n >= cap) {                      /* snprintf-style: n is the full length */
        free(buf);
        cap = n + 1;
        buf = malloc(cap);
        n = term_print(buf, cap, args[0]);
    }
    plat_console_write(buf, n);
    plat_console_write("\n", 1);
    free(buf);
    return ATOM_true;
}

/* erlang:nif_error/1,2. OTP's preloaded modules (erlang, persistent_term,
 * atomics, ...) give every BIF an Erlang body that calls nif_error; the
 * loader binds the real BIF when we have it. When we do not, the call lands
 * here and must fail loudly: a function that is not implemented raises
 * `undef` (the stub's own MFA is on top of the stack trace). */
term_t bif_erlang_nif_error_1(Process *p, term_t *args)
{
    (void)args;
    BIF_ERROR(p, ATOM_undef);
}

term_t bif_erlang_nif_error_2(Process *p, term_t *args)
{
    (void)args;
    BIF_ERROR(p, ATOM_undef);
}

#include "vm/etf.h"
#include "vm/etf_slices.h"

/* erlang:display_string/1 and display_nl/0, the other two debugging aids. */
term_t bif_erlang_display_string_1(Process *p, term_t *args)
{
    char buf[512];
    size_t n = 0;
    term_t t = args[0];
    for (; is_list(t); t = cons_tail(t)) {
        term_t c = cons_head(t);
        if (!is_small(c) || small_value(c) < 0 || small_value(c) > 255)
            BIF_ERROR(p, ATOM_badarg);
        if (n == sizeof buf) { plat_console_write(buf, n); n = 0; }
        buf[n++] = (char)small_value(c);
    }
    if (!is_nil(t))
        BIF_ERROR(p, ATOM_badarg);
    plat_console_write(buf, n);
    return ATOM_true;
}

term_t bif_erlang_display_nl_0(Process *p, term_t *args)
{
    (void)p; (void)args;
    plat_console_write("\n", 1);
    return ATOM_true;
}

/* erlang:external_size/1,2: the bytes term_to_binary would produce
 * (uncompressed; the options of /2 other than compression do not change it
 * for the formats we write). */
term_t bif_erlang_external_size_1(Process *p, term_t *args)
{
    EtfOptions o = {0};
    EtfError e;
    size_t n = etf_encoded_size(args[0], &o, &e);
    if (e != ETF_OK)
        BIF_ERROR(p, ATOM_badarg);
    return make_small((int64_t)n);
}

term_t bif_erlang_external_size_2(Process *p, term_t *args)
{
    if (!is_list(args[1]) && !is_nil(args[1]))
        BIF_ERROR(p, ATOM_badarg);
    return bif_erlang_external_size_1(p, args);
}

/* erlang:term_to_iovec/1,2 and iolist_to_iovec/1: OTP returns a list of
 * binaries whose concatenation is the result; one binary is such a list. */
term_t bif_erlang_term_to_iovec_1(Process *p, term_t *args)
{
    return bif_term_to_binary_common(p, args, NIL, true);
}

term_t bif_erlang_term_to_iovec_2(Process *p, term_t *args)
{
    return bif_term_to_binary_common(p, args, args[1], true);
}

term_t bif_erlang_iolist_to_iovec_1(Process *p, term_t *args)
{
    term_t b = bif_iolist_to_binary_common(p, args, true);
    if (b == THE_NON_VALUE)
        return b;               /* an error, or a trap whose end wraps the list */
    return make_cons(heap_alloc(&p->h, 2), b, NIL);
}
