/*
 * bif_code_info.c — erlang:get_module_info/1,2, behind every module's
 * module_info/0,1: module, exports, functions, attributes, compile, nifs,
 * native, md5 (OTP's module MD5, computed by the .beam parser).
 */
#include "vm/atom.h"
#include "vm/bif.h"
#include "vm/binary.h"
#include "vm/code.h"

static term_t mk_tuple2(Process *p, term_t a, term_t b)
{
    term_t *hp = heap_alloc(&p->h, 3);
    hp[0] = make_header(2, TUPLE_SUBTAG);
    hp[1] = a;
    hp[2] = b;
    return make_boxed(hp);
}

static term_t cons(Process *p, term_t h, term_t t) { return make_cons(heap_alloc(&p->h, 2), h, t); }

static term_t fa(Process *p, const ErtsMFA *m) { return mk_tuple2(p, m->function, make_small(m->arity)); }

static term_t exports_list(Process *p, const ModuleCode *mc)
{
    /* The loader keeps exports in reverse ExpT order; OTP lists them in
     * ExpT order, which prepending from the front gives back. */
    term_t list = NIL;
    for (uint32_t i = 0; i < mc->export_count; i++)
        list = cons(p, fa(p, &mc->exports[i]->mfa), list);
    return list;
}

static term_t functions_list(Process *p, const ModuleCode *mc)
{
    term_t list = NIL;
    for (uint32_t i = mc->function_count; i > 0; i--)
        list = cons(p, fa(p, &mc->functions[i - 1].mfa), list);
    return list;
}

static term_t item(Process *p, const ModuleCode *mc, term_t what)
{
    if (what == atom_intern_cstr("module")) return mc->module;
    if (what == atom_intern_cstr("exports")) return exports_list(p, mc);
    if (what == atom_intern_cstr("functions")) return functions_list(p, mc);
    if (what == atom_intern_cstr("attributes")) return mc->attributes;
    if (what == atom_intern_cstr("compile")) return mc->compile_info;
    if (what == atom_intern_cstr("nifs")) return NIL;
    if (what == atom_intern_cstr("native")) return ATOM_false;
    if (what == ATOM_md5) return binary_new(&p->h, mc->md5, sizeof mc->md5);
    return THE_NON_VALUE;
}

term_t bif_erlang_get_module_info_2(Process *p, term_t *args)
{
    if (!is_atom(args[0]) || !is_atom(args[1]))
        BIF_ERROR(p, ATOM_badarg);
    const ModuleCode *mc = code_module_current(args[0]);
    if (!mc)
        BIF_ERROR(p, ATOM_badarg);
    term_t r = item(p, mc, args[1]);
    if (r == THE_NON_VALUE)
        BIF_ERROR(p, ATOM_badarg);
    return r;
}

term_t bif_erlang_get_module_info_1(Process *p, term_t *args)
{
    if (!is_atom(args[0]))
        BIF_ERROR(p, ATOM_badarg);
    const ModuleCode *mc = code_module_current(args[0]);
    if (!mc)
        BIF_ERROR(p, ATOM_badarg);
    static const char *const items[] = {"module", "exports", "attributes", "compile", "md5"};
    term_t list = NIL;
    for (int i = 4; i >= 0; i--) {
        term_t key = atom_intern_cstr(items[i]);
        list = cons(p, mk_tuple2(p, key, item(p, mc, key)), list);
    }
    return list;
}

/* beamos:autoload(Module): load Module from the boot archive or code path
 * if it is not loaded (the code module's ensure_loaded). */
term_t bif_beamos_autoload_1(Process *p, term_t *args)
{
    if (!is_atom(args[0]))
        BIF_ERROR(p, ATOM_badarg);
    if (code_is_loaded(args[0]))
        return ATOM_true;
    /* on_load: loaded, waiting for its on_load function (code.erl runs it) */
    if (code_on_load_pending(args[0]))
        return ATOM_on_load;
    if (!code_autoload(args[0]))
        return ATOM_false;
    return code_is_loaded(args[0]) ? ATOM_true : code_on_load_pending(args[0]) ? ATOM_on_load : ATOM_false;
}

/* beamos:on_load_pending(M): whether M waits for its on_load function
 * (code.erl waits for another process running it). */
term_t bif_beamos_on_load_pending_1(Process *p, term_t *args)
{
    if (!is_atom(args[0]))
        BIF_ERROR(p, ATOM_badarg);
    return code_on_load_pending(args[0]) ? ATOM_true : ATOM_false;
}

/* erlang:loaded/0: every module with current code. */
static void collect_module(Module *m, void *arg)
{
    void **a = arg;
    Process *p = a[0];
    term_t *list = a[1];
    if (m->curr)
        *list = cons(p, m->name, *list);
}

term_t bif_erlang_loaded_0(Process *p, term_t *args)
{
    (void)args;
    term_t list = NIL;
    void *a[2] = {p, &list};
    code_foreach_module(collect_module, a);
    return list;
}

/* erlang:pre_loaded/0: OTP's preloaded modules are, on BeamOS, loaded from
 * the boot archive on first use like any other; none is built in. */
term_t bif_erlang_pre_loaded_0(Process *p, term_t *args)
{
    (void)p; (void)args;
    return NIL;
}
