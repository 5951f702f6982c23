/*
 * bif_code.c — BIFs that belong to the emulator and the code layer:
 * apply, error/exit/throw/raise, and module loading and inspection.
 * apply traps: it writes the callee's arguments into args[] (the X
 * registers when reached through an export stub, as every non-guard BIF
 * is) and sets p->i, returning THE_NON_VALUE with EXC_TRAP.
 */
#include <stdio.h>

#include "vm/atom.h"
#include "vm/bif.h"
#include "vm/binary.h"
#include "vm/code.h"
#include "vm/code_purge.h"
#include "vm/proc.h"
#include "vm/signal.h"
#include "vm/term_copy.h"
#include "vm/emu.h"
#include "vm/registry.h"

static term_t do_apply(Process *p, term_t *args, term_t m, term_t f, term_t list) {
    term_t a[256];
    uint32_t n = 0;
    for (term_t l = list; !is_nil(l); l = cons_tail(l)) {
        if (!is_list(l) || n == 255) BIF_ERROR(p, ATOM_badarg);
        a[n++] = cons_head(l);
    }
    if (!is_atom(m) || !is_atom(f)) BIF_ERROR(p, ATOM_badarg);
    for (uint32_t i = 0; i < n; i++) args[i] = a[i];
    p->i = export_addr(export_get(m, f, n));
    p->freason = EXC_TRAP;
    return THE_NON_VALUE;
}

term_t bif_erlang_apply_3(Process *p, term_t *args) {
    return do_apply(p, args, args[0], args[1], args[2]);
}

/* erlang:hibernate/3: the arguments are checked here; the emulator
 * (i_hibernate) discards the stack, collects, and waits for a message. */
term_t bif_erlang_hibernate_3(Process *p, term_t *args) {
    unsigned n = 0;
    term_t l = args[2];
    for (; is_list(l) && n < 255; l = cons_tail(l)) n++;
    if (!is_atom(args[0]) || !is_atom(args[1]) || !is_nil(l)) BIF_ERROR(p, ATOM_badarg);
    /* process_info(P, current_function) shows {erlang, hibernate, 3}. */
    p->current = &export_get(ATOM_erlang, atom_intern_cstr("hibernate"), 3)->mfa;
    p->i = emu_hibernate_addr();
    p->freason = EXC_TRAP;
    return THE_NON_VALUE;
}

term_t bif_erlang_apply_2(Process *p, term_t *args) {
    term_t fun = args[0], list = args[1];
    term_t a[256];
    uint32_t n = 0;
    for (term_t l = list; !is_nil(l); l = cons_tail(l)) {
        if (!is_list(l) || n == 255) BIF_ERROR(p, ATOM_badarg);
        a[n++] = cons_head(l);
    }
    if (is_export(fun)) {
        const ErtsMFA *mfa = export_mfa(fun);
        if (mfa->arity == n) return do_apply(p, args, mfa->module, mfa->function, list);
    } else if (is_fun(fun)) {
        const LoadedFun *lf = (const LoadedFun *)fun_val(fun)->entry;
        if (lf->fe.arity == n) {
            for (uint32_t i = 0; i < n; i++) args[i] = a[i];
            for (uint32_t i = 0; i < lf->fe.num_free; i++) args[n + i] = fun_val(fun)->env[i];
            p->i = lf->addr;
            p->freason = EXC_TRAP;
            return THE_NON_VALUE;
        }
    } else {
        term_t *hp = heap_alloc(&p->h, 3);
        term_t t = make_tuple_header(hp, 2);
        hp[1] = ATOM_badfun;
        hp[2] = fun;
        BIF_ERROR(p, t);
    }
    term_t *hp = heap_alloc(&p->h, 6);
    term_t inner = make_tuple_header(hp, 2);
    hp[1] = fun;
    hp[2] = list;
    term_t t = make_tuple_header(hp + 3, 2);
    hp[4] = ATOM_badarity;
    hp[5] = inner;
    BIF_ERROR(p, t);
}

static term_t raise_noframe(Process *p, uint32_t cls, term_t reason) {
    p->freason = cls | EXC_F_NOFRAME;
    p->fvalue = reason;
    return THE_NON_VALUE;
}

term_t bif_erlang_error_1(Process *p, term_t *args) { return raise_noframe(p, EXC_ERROR, args[0]); }
term_t bif_erlang_exit_1(Process *p, term_t *args) { return raise_noframe(p, EXC_EXIT, args[0]); }
term_t bif_erlang_throw_1(Process *p, term_t *args) { return raise_noframe(p, EXC_THROW, args[0]); }

term_t bif_erlang_error_2(Process *p, term_t *args) {
    p->freason = EXC_ERROR | EXC_F_NOFRAME | (is_list(args[1]) || is_nil(args[1]) ? EXC_F_ARGS : 0);
    p->fvalue = args[0];
    p->ftrace = args[1];
    return THE_NON_VALUE;
}
term_t bif_erlang_error_3(Process *p, term_t *args) { return bif_erlang_error_2(p, args); }

/* As OTP: a bad class or stack trace makes raise/3 return the atom
 * badarg instead of raising. */
term_t bif_erlang_raise_3(Process *p, term_t *args) {
    uint32_t cls;
    if (args[0] == ATOM_error) cls = EXC_ERROR;
    else if (args[0] == ATOM_exit) cls = EXC_EXIT;
    else if (args[0] == ATOM_throw) cls = EXC_THROW;
    else return ATOM_badarg;
    term_t st = args[2];
    for (term_t l = st; !is_nil(l); l = cons_tail(l))
        if (!is_list(l) || !is_tuple(cons_head(l))) return ATOM_badarg;
    p->ftrace = emu_raw_trace_built(p, cls, st);
    p->freason = cls | EXC_F_TRACE;
    p->fvalue = args[1];
    return THE_NON_VALUE;
}

term_t bif_erlang_module_loaded_1(Process *p, term_t *args) {
    if (!is_atom(args[0])) BIF_ERROR(p, ATOM_badarg);
    return code_is_loaded(args[0]) ? ATOM_true : ATOM_false;
}

term_t bif_erlang_function_exported_3(Process *p, term_t *args) {
    if (!is_atom(args[0]) || !is_atom(args[1]) || !is_small(args[2]) || small_value(args[2]) < 0)
        BIF_ERROR(p, ATOM_badarg);
    Export *ep = export_find(args[0], args[1], (uint32_t)small_value(args[2]));
    return ep && export_is_defined(ep) ? ATOM_true : ATOM_false;
}

term_t bif_erlang_delete_module_1(Process *p, term_t *args) {
    if (!is_atom(args[0])) BIF_ERROR(p, ATOM_badarg);
    if (code_module_old(args[0])) BIF_ERROR(p, ATOM_badarg);
    return code_delete_module(args[0]) ? ATOM_true : ATOM_undefined;
}

term_t bif_erlang_check_old_code_1(Process *p, term_t *args) {
    if (!is_atom(args[0])) BIF_ERROR(p, ATOM_badarg);
    return code_module_old(args[0]) ? ATOM_true : ATOM_false;
}

/* {module, M} | {error, Reason} */
term_t bif_erlang_load_module_2(Process *p, term_t *args) {
    if (!is_atom(args[0]) || !is_binary(args[1])) BIF_ERROR(p, ATOM_badarg);
    const uint8_t *bytes;
    size_t off, bits;
    bitstring_get(args[1], &bytes, &off, &bits);
    if (off) BIF_ERROR(p, ATOM_badarg);
    char err[256];
    term_t mod, reason;
    int r = code_load_module_ex(bytes, bits / 8, args[0], &mod, &reason, err, sizeof err);
    term_t *hp = heap_alloc(&p->h, 3);
    term_t t = make_tuple_header(hp, 2);
    hp[1] = r == 0 ? ATOM_module : ATOM_error;
    hp[2] = r == 0 ? mod : reason;     /* r == 1: {error, on_load}, as OTP */
    return t;
}

/* erlang:call_on_load_function(Module): runs the pending version's
 * on_load function (a call of it with no arguments; its result is this
 * BIF's). badarg if none is pending or another process runs it. */
term_t bif_erlang_call_on_load_function_1(Process *p, term_t *args) {
    if (!is_atom(args[0])) BIF_ERROR(p, ATOM_badarg);
    const BeamInstr *entry = code_on_load_claim(args[0]);
    if (!entry) BIF_ERROR(p, ATOM_badarg);
    p->i = entry;
    p->freason = EXC_TRAP;
    return THE_NON_VALUE;
}

/* erlang:finish_after_on_load(Module, Keep): true makes the pending
 * version current, false drops it. */
term_t bif_erlang_finish_after_on_load_2(Process *p, term_t *args) {
    if (!is_atom(args[0]) || (args[1] != ATOM_true && args[1] != ATOM_false)) BIF_ERROR(p, ATOM_badarg);
    if (!code_on_load_finish(args[0], args[1] == ATOM_true)) BIF_ERROR(p, ATOM_badarg);
    return ATOM_true;
}

term_t bif_erlang_make_fun_3(Process *p, term_t *args) {
    if (!is_atom(args[0]) || !is_atom(args[1]) || !is_small(args[2]) || small_value(args[2]) < 0 ||
        small_value(args[2]) > 255)
        BIF_ERROR(p, ATOM_badarg);
    Export *ep = export_get(args[0], args[1], (uint32_t)small_value(args[2]));
    return make_export_fun(heap_alloc(&p->h, EXPORT_FUN_WORDS), &ep->mfa);
}

/* erlang:fun_info_mfa/1 -> {Module, Name, Arity}: the fun's arity, not
 * counting its environment (OTP's answer). */
term_t bif_erlang_fun_info_mfa_1(Process *p, term_t *args) {
    term_t fun = args[0], m, f;
    uint32_t a;
    if (is_fun(fun)) {
        const LoadedFun *lf = (const LoadedFun *)fun_val(fun)->entry;
        m = lf->fe.module; f = lf->name; a = lf->fe.arity;
    } else if (is_export(fun)) {
        const ErtsMFA *mfa = export_mfa(fun);
        m = mfa->module; f = mfa->function; a = mfa->arity;
    } else {
        BIF_ERROR(p, ATOM_badarg);
    }
    term_t *hp = heap_alloc(&p->h, 4);
    term_t t = make_tuple_header(hp, 3);
    hp[1] = m; hp[2] = f; hp[3] = make_small(a);
    return t;
}

/* erlang:fun_info/2 -> {Item, Value}, as OTP. Local funs: the loader's
 * LoadedFun (index = new_index = the FunT index, uniq = OldUniq,
 * new_uniq = the module's MD5); funs keep no
 * creator pid, so pid is init's pid (OTP 26's answer). Exports (fun M:F/A):
 * type external, env [], and undefined for the local-only items. */
term_t bif_erlang_fun_info_2(Process *p, term_t *args) {
    term_t fun = args[0], item = args[1], v;
    if (is_fun(fun)) {
        const LoadedFun *lf = (const LoadedFun *)fun_val(fun)->entry;
        if (item == ATOM_arity) v = make_small(lf->fe.arity);
        else if (item == ATOM_env) v = emu_make_list(p, fun_val(fun)->env, fun_num_free(fun));
        else if (item == ATOM_index || item == ATOM_new_index) v = make_small(lf->fe.index);
        else if (item == ATOM_name) v = lf->name;
        else if (item == ATOM_module) v = lf->fe.module;
        else if (item == ATOM_new_uniq) v = binary_new(&p->h, lf->fe.uniq, 16); else if (item == ATOM_pid) v = reg_whereis(ATOM_init);
        else if (item == ATOM_type) v = ATOM_local;
        else if (item == ATOM_uniq) v = make_small(lf->fe.old_uniq);
        else BIF_ERROR(p, ATOM_badarg);
    } else if (is_export(fun)) {
        const ErtsMFA *mfa = export_mfa(fun);
        if (item == ATOM_arity) v = make_small(mfa->arity);
        else if (item == ATOM_env) v = NIL;
        else if (item == ATOM_name) v = mfa->function;
        else if (item == ATOM_module) v = mfa->module;
        else if (item == ATOM_type) v = ATOM_external;
        else if (item == ATOM_index || item == ATOM_new_index || item == ATOM_new_uniq ||
                 item == ATOM_pid || item == ATOM_uniq)
            v = ATOM_undefined;
        else BIF_ERROR(p, ATOM_badarg);
    } else {
        BIF_ERROR(p, ATOM_badarg);
    }
    term_t *hp = heap_alloc(&p->h, 3);
    term_t t = make_tuple_header(hp, 2);
    hp[1] = item;
    hp[2] = v;
    return t;
}

/* ---- purging (docs/code_purge.md) ---- */

static void send_task(Process *p, Process *q, int kind, term_t tag, term_t id, term_t module)
{
    term_t buf[3];
    buf[1] = tag;
    buf[2] = id;
    term_t t = make_tuple_header(buf, 2), *hp;
    Message *m = sig_new(kind, p->id, term_copy_size(t), &hp);
    m->extra = term_copy(t, &hp, &m->off_heap);
    m->msg = module;
    if (q) {
        sig_send_proc(q, m);     /* a closed queue answers false (sig_undeliverable) */
    } else {
        code_purge_task_dead(m);
        sig_free(m);
    }
}

/* erts_internal:request_system_task(Pid, Prio, Request), Request one of
 * {check_process_code, ReqId, Module} and {garbage_collect, ReqId, major |
 * minor}: the answer {Tag, ReqId, Bool} comes as a message once Pid has
 * served it between two of its slices; false at once for a dead process
 * (OTP). Other tasks (copy_literals, ...) are badarg. */
term_t bif_erts_internal_request_system_task_3(Process *p, term_t *args)
{
    term_t pid = args[0], req = args[2];
    if (!is_internal_pid(pid) || !is_atom(args[1]) || !is_tuple(req) || tuple_arity(req) != 3)
        BIF_ERROR(p, ATOM_badarg);
    term_t tag = tuple_element(req, 1), arg = tuple_element(req, 3);
    int kind;
    if (tag == ATOM_check_process_code && is_atom(arg)) kind = MSG_CPC;
    else if (tag == ATOM_garbage_collect && (arg == ATOM_major || arg == ATOM_minor)) kind = MSG_GC_TASK;
    else BIF_ERROR(p, ATOM_badarg);
    send_task(p, proc_lookup(pid), kind, tag, tuple_element(req, 2), arg);
    return ATOM_ok;
}

/* erts_internal:check_process_code(Module) for the calling process: it
 * cannot look at its own stack while running, so it sends itself the
 * request and waits for the answer in erts_internal:await_result/1; it is
 * served between slices like any other. */
term_t bif_erts_internal_check_process_code_1(Process *p, term_t *args)
{
    if (!is_atom(args[0])) BIF_ERROR(p, ATOM_badarg);
    term_t ref = proc_make_ref(p);
    send_task(p, p, MSG_CPC, NIL, ref, args[0]);
    args[0] = ref;
    p->i = export_addr(export_get(ATOM_erts_internal, ATOM_await_result, 1));
    p->freason = EXC_TRAP;
    return THE_NON_VALUE;
}

/* erts_internal:purge_module(Module, prepare | abort | complete): code.h. */
term_t bif_erts_internal_purge_module_2(Process *p, term_t *args)
{
    term_t mod = args[0], op = args[1];
    if (!is_atom(mod)) BIF_ERROR(p, ATOM_badarg);
    if (op == ATOM_prepare) return code_purge_prepare(mod) ? ATOM_true : ATOM_false;
    if (op == ATOM_abort) {
        code_purge_abort(mod);
        return ATOM_true;
    }
    if (op == ATOM_complete) return code_purge_complete(mod) ? ATOM_true : ATOM_false;
    BIF_ERROR(p, ATOM_badarg);
}
