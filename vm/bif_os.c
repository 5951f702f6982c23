/*
 * bif_os.c — the os module's BIFs over the VM's own environment table:
 * getenv/0,1, env/0, putenv/2, unsetenv/1. The table starts as a copy of
 * plat_environ() (the host's environment; empty on bare metal) and is
 * shared by all processes under one lock, as OTP's is.
 */
#include <stdlib.h>
#include <string.h>

#include "vm/atom.h"
#include "vm/bif.h"
#include "vm/lock.h"
#include "vm/platform.h"

static char **env;            /* "NAME=VALUE" strings, malloc'ed */
static size_t env_len, env_cap;
static bool env_ready;
static SpinLock env_lock;

static void env_append_locked(char *entry)
{
    if (env_len == env_cap) {
        env_cap = env_cap ? 2 * env_cap : 64;
        env = realloc(env, env_cap * sizeof *env);
    }
    env[env_len++] = entry;
}

static void env_init_locked(void)
{
    if (env_ready)
        return;
    env_ready = true;
    for (char **e = plat_environ(); e && *e; e++)
        env_append_locked(strdup(*e));
}

/* A flat string (Latin-1 byte list, as OTP's os functions take) into buf;
 * -1 if t is not one or is too long. */
static int get_string(term_t t, char *buf, size_t cap)
{
    size_t n = 0;
    for (; is_list(t); t = cons_tail(t)) {
        term_t c = cons_head(t);
        if (!is_byte(c) || small_value(c) == 0 || n + 1 >= cap)
            return -1;
        buf[n++] = (char)small_value(c);
    }
    if (!is_nil(t))
        return -1;
    buf[n] = 0;
    return (int)n;
}

static term_t make_string(Process *p, const char *s)
{
    size_t n = strlen(s);
    term_t *hp = heap_alloc(&p->h, 2 * n);
    term_t list = NIL;
    for (size_t i = n; i > 0; i--, hp += 2)
        list = make_cons(hp, make_small((uint8_t)s[i - 1]), list);
    return list;
}

static long find_locked(const char *name, size_t len)
{
    for (size_t i = 0; i < env_len; i++)
        if (strncmp(env[i], name, len) == 0 && env[i][len] == '=')
            return (long)i;
    return -1;
}

term_t bif_os_getenv_1(Process *p, term_t *args)
{
    char name[4096];
    int n = get_string(args[0], name, sizeof name);
    if (n < 0)
        BIF_ERROR(p, ATOM_badarg);
    spin_lock(&env_lock);
    env_init_locked();
    long i = find_locked(name, (size_t)n);
    char *value = i >= 0 ? strdup(env[i] + n + 1) : NULL;
    spin_unlock(&env_lock);
    if (!value)
        return ATOM_false;
    term_t r = make_string(p, value);
    free(value);
    return r;
}

term_t bif_os_getenv_0(Process *p, term_t *args)
{
    (void)args;
    spin_lock(&env_lock);
    env_init_locked();
    term_t list = NIL;
    for (size_t i = env_len; i > 0; i--) {
        term_t s = make_string(p, env[i - 1]);
        list = make_cons(heap_alloc(&p->h, 2), s, list);
    }
    spin_unlock(&env_lock);
    return list;
}

/* os:env/0: [{Name, Value}] for every variable, as strings. */
term_t bif_os_env_0(Process *p, term_t *args)
{
    (void)args;
    spin_lock(&env_lock);
    env_init_locked();
    term_t list = NIL;
    for (size_t i = env_len; i > 0; i--) {
        const char *e = env[i - 1], *eq = strchr(e, '=');
        size_t n = eq ? (size_t)(eq - e) : strlen(e);
        char *name = strndup(e, n);
        term_t k = make_string(p, name ? name : "");
        free(name);
        term_t v = make_string(p, eq ? eq + 1 : "");
        term_t *hp = heap_alloc(&p->h, 3);
        hp[0] = make_header(2, TUPLE_SUBTAG);
        hp[1] = k;
        hp[2] = v;
        list = make_cons(heap_alloc(&p->h, 2), make_boxed(hp), list);
    }
    spin_unlock(&env_lock);
    return list;
}

term_t bif_os_putenv_2(Process *p, term_t *args)
{
    char name[4096], value[32768];
    int n = get_string(args[0], name, sizeof name);
    int v = get_string(args[1], value, sizeof value);
    if (n <= 0 || v < 0 || strchr(name, '='))
        BIF_ERROR(p, ATOM_badarg);
    char *entry = malloc((size_t)n + (size_t)v + 2);
    memcpy(entry, name, (size_t)n);
    entry[n] = '=';
    memcpy(entry + n + 1, value, (size_t)v + 1);
    spin_lock(&env_lock);
    env_init_locked();
    long i = find_locked(name, (size_t)n);
    if (i >= 0) {
        free(env[i]);
        env[i] = entry;
    } else {
        env_append_locked(entry);
    }
    spin_unlock(&env_lock);
    return ATOM_true;
}

term_t bif_os_unsetenv_1(Process *p, term_t *args)
{
    char name[4096];
    int n = get_string(args[0], name, sizeof name);
    if (n < 0)
        BIF_ERROR(p, ATOM_badarg);
    spin_lock(&env_lock);
    env_init_locked();
    long i = find_locked(name, (size_t)n);
    if (i >= 0) {
        free(env[i]);
        env[i] = env[--env_len];
    }
    spin_unlock(&env_lock);
    return ATOM_true;
}

/* os:type/0 (OTP's os.beam is not in the image; filename and others ask
 * it): a Unix-like family, named after this system. */
term_t bif_os_type_0(Process *p, term_t *args)
{
    term_t *hp = heap_alloc(&p->h, 3);
    hp[0] = make_header(2, TUPLE_SUBTAG);
    hp[1] = atom_intern_cstr("unix");
    hp[2] = atom_intern_cstr("beamos");
    return make_boxed(hp);
}
