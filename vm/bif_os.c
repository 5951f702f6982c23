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

/* A flat string (Latin-1 byte list, as OTP's os functions take) as a
 * malloc'ed C string, its length in *len; NULL if t is not one (or holds
 * a NUL). Heap, not stack: a scheduler's kernel stack is small. */
static char *dup_string(term_t t, size_t *len)
{
    size_t n = 0;
    term_t l = t;
    for (; is_list(l); l = cons_tail(l)) {
        term_t c = cons_head(l);
        if (!is_byte(c) || small_value(c) == 0)
            return NULL;
        n++;
    }
    if (!is_nil(l))
        return NULL;
    char *buf = malloc(n + 1);
    if (!buf)
        return NULL;
    n = 0;
    for (l = t; is_list(l); l = cons_tail(l))
        buf[n++] = (char)small_value(cons_head(l));
    buf[n] = 0;
    *len = n;
    return buf;
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
    size_t n;
    char *name = dup_string(args[0], &n);
    if (!name)
        BIF_ERROR(p, ATOM_badarg);
    spin_lock(&env_lock);
    env_init_locked();
    long i = find_locked(name, n);
    char *value = i >= 0 ? strdup(env[i] + n + 1) : NULL;
    spin_unlock(&env_lock);
    free(name);
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
    size_t n = 0, v = 0;
    char *name = dup_string(args[0], &n), *value = dup_string(args[1], &v);
    char *entry = name && value && n > 0 && !strchr(name, '=') ? malloc(n + v + 2) : NULL;
    if (!entry) {
        free(name);
        free(value);
        BIF_ERROR(p, ATOM_badarg);
    }
    memcpy(entry, name, n);
    entry[n] = '=';
    memcpy(entry + n + 1, value, v + 1);
    free(value);
    spin_lock(&env_lock);
    env_init_locked();
    long i = find_locked(name, n);
    if (i >= 0) {
        free(env[i]);
        env[i] = entry;
    } else {
        env_append_locked(entry);
    }
    spin_unlock(&env_lock);
    free(name);
    return ATOM_true;
}

term_t bif_os_unsetenv_1(Process *p, term_t *args)
{
    size_t n;
    char *name = dup_string(args[0], &n);
    if (!name)
        BIF_ERROR(p, ATOM_badarg);
    spin_lock(&env_lock);
    env_init_locked();
    long i = find_locked(name, n);
    if (i >= 0) {
        free(env[i]);
        env[i] = env[--env_len];
    }
    spin_unlock(&env_lock);
    free(name);
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
