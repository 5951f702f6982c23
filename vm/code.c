/*
 * code.c — the module table, load/delete/purge, the catch table and
 * code-address lookups (see code.h).
 */
#include "vm/code.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm/atom.h"
#define BeamInstr BeamGenInstr /* see loader.h */
#include "vm/beam_file.h"
#undef BeamInstr
#include "vm/code_purge.h"
#include "vm/literal_area.h"
#include "vm/process.h"
#include "vm/loader.h"
#include "vm/platform.h"

#define MODULE_BUCKETS 256

static Module *modules[MODULE_BUCKETS];
static atomic_flag code_lock_flag = ATOMIC_FLAG_INIT;

static void code_lock(void) {
    while (atomic_flag_test_and_set_explicit(&code_lock_flag, memory_order_acquire)) {
    }
}
static void code_unlock(void) { atomic_flag_clear_explicit(&code_lock_flag, memory_order_release); }

static bool runs_old_code(Process *p, term_t module);

void code_init(void) {
    static bool done;
    if (done) return;
    done = true;
    emu_init();
    export_init();
    code_purge_set_checker(runs_old_code);
}

/* OTP 25's check_process_code: does p execute old code of `module` — its
 * current instruction, a return address or a catch handler on its stack
 * inside the old version? A fun of the old code that p merely holds does
 * not count (OTP 25 answers false too): calling it after the purge raises
 * {badfun, Fun} (LoadedFun.purged_stub), as on OTP. */
static bool runs_old_code(Process *p, term_t module)
{
    const ModuleCode *old = code_module_old(module);
    if (!old) return false;
    if (code_in_version(old, p->i)) return true;
    for (const term_t *w = p->h.hend; w < p->heap_end; w++) {
        term_t t = *w;
        if (primary_tag(t) == TAG_PRIMARY_HEADER && t && code_in_version(old, (const void *)(uintptr_t)t))
            return true;
        if (is_catch(t) && code_in_version(old, code_catch_addr(catch_index(t)))) return true;
    }
    return false;
}

static Module *module_get(term_t name, bool create) {
    size_t b = atom_index(name) % MODULE_BUCKETS;
    for (Module *m = modules[b]; m; m = m->next)
        if (m->name == name) return m;
    if (!create) return NULL;
    Module *m = calloc(1, sizeof *m);
    if (!m) plat_fatal("code: out of memory");
    m->name = name;
    m->next = modules[b];
    modules[b] = m;
    return m;
}

ModuleCode *code_module_current(term_t module) {
    code_lock();
    Module *m = module_get(module, false);
    ModuleCode *mc = m ? m->curr : NULL;
    code_unlock();
    return mc;
}

ModuleCode *code_module_old(term_t module) {
    code_lock();
    Module *m = module_get(module, false);
    ModuleCode *mc = m ? m->old : NULL;
    code_unlock();
    return mc;
}

bool code_is_loaded(term_t module) { return code_module_current(module) != NULL; }

const LoadedFun *code_fun_find(term_t module, uint32_t index, const uint8_t uniq[16], uint32_t arity,
                               uint32_t num_free) {
    const LoadedFun *found = NULL;
    code_lock();
    Module *m = module_get(module, false);
    const ModuleCode *versions[2] = {m ? m->curr : NULL, m ? m->old : NULL};
    for (int v = 0; v < 2 && !found; v++) {
        const ModuleCode *mc = versions[v];
        if (!mc || memcmp(mc->md5, uniq, 16) != 0) continue;
        for (uint32_t i = 0; i < mc->fun_count; i++) {
            const FunEntry *fe = &mc->funs[i].fe;
            if (fe->index == index && fe->arity == arity && fe->num_free == num_free) {
                found = &mc->funs[i];
                break;
            }
        }
    }
    code_unlock();
    return found;
}

void code_foreach_module(void (*fn)(Module *m, void *arg), void *arg) {
    /* Modules are never freed, so walking without the lock after taking
     * the heads is safe; new modules may be missed, as in OTP. */
    for (size_t b = 0; b < MODULE_BUCKETS; b++) {
        code_lock();
        Module *m = modules[b];
        code_unlock();
        for (; m; m = m->next)
            if (m->curr) fn(m, arg);
    }
}

static void set_exports(ModuleCode *mc, bool on) {
    for (uint32_t i = 0; i < mc->export_count; i++)
        export_set_code(mc->exports[i], on ? mc->export_addrs[i] : NULL);
}

/* mc becomes m's current version; the current one, if any, becomes old
 * (the caller has checked there is no old one). Under the code lock. */
static void make_current(Module *m, ModuleCode *mc) {
    if (m->curr) {
        set_exports(m->curr, false);
        m->old = m->curr;
    }
    m->curr = mc;
    set_exports(mc, true);
}

/* if_absent: autoloading, where concurrent callers race to load the same
 * file; the first one's version stands and the others drop theirs. */
static int load_module(const uint8_t *beam, size_t size, term_t expect_module, bool if_absent,
                       term_t *module_out, term_t *reason_out, char *err, size_t errlen) {
    BeamFile *bf;
    *reason_out = ATOM_badfile;
    if (beam_file_parse(beam, size, &bf, err, errlen) != 0) return -1;
    term_t name = atom_intern(bf->atoms[1].bytes, bf->atoms[1].size_bytes);
    if (module_out) *module_out = name;
    if (expect_module != THE_NON_VALUE && expect_module != name) {
        snprintf(err, errlen, "module name in file does not match the expected one");
        beam_file_free(bf);
        return -1;
    }
    ModuleCode *mc = loader_translate(bf, err, errlen);
    beam_file_free(bf);
    if (!mc) return -1;
    code_lock();
    Module *m = module_get(name, true);
    if (if_absent && (m->curr || m->pending)) {
        int r = m->curr ? 0 : 1;            /* 1: pending, as a load that waits for on_load */
        code_unlock();
        loader_free(mc);
        if (r) *reason_out = ATOM_on_load;
        return r;
    }
    if (m->curr && m->old) {
        code_unlock();
        loader_free(mc);
        *reason_out = ATOM_not_purged;
        snprintf(err, errlen, "module has old code that must be purged first");
        return -1;
    }
    if (mc->on_load) {
        /* the old current version stays until the on_load function says ok */
        if (m->pending) {
            /* callers racing to load it: the first version waits, the
             * others wait for its on_load function too */
            code_unlock();
            loader_free(mc);
            *reason_out = ATOM_on_load;
            return 1;
        }
        m->pending = mc;
        code_unlock();
        *reason_out = ATOM_on_load;
        return 1;
    }
    make_current(m, mc);
    code_unlock();
    return 0;
}

const BeamInstr *code_on_load_claim(term_t module) {
    code_lock();
    Module *m = module_get(module, false);
    const BeamInstr *entry = NULL;
    if (m && m->pending && !m->on_load_claimed) {
        m->on_load_claimed = true;
        entry = m->pending->on_load;
    }
    code_unlock();
    return entry;
}

bool code_on_load_finish(term_t module, bool keep) {
    code_lock();
    Module *m = module_get(module, false);
    ModuleCode *mc = m ? m->pending : NULL;
    if (!mc) {
        code_unlock();
        return false;
    }
    m->pending = NULL;
    m->on_load_claimed = false;
    if (keep && m->curr && m->old) keep = false;    /* old code was not purged meanwhile */
    if (keep) make_current(m, mc);
    code_unlock();
    /* Nothing runs the dropped version: the on_load function has returned
     * (or crashed) before anyone calls this. */
    if (!keep) loader_free(mc);
    return true;
}

bool code_on_load_pending(term_t module) {
    code_lock();
    Module *m = module_get(module, false);
    bool pending = m && m->pending;
    code_unlock();
    return pending;
}

int code_load_module_ex(const uint8_t *beam, size_t size, term_t expect_module,
                        term_t *module_out, term_t *reason_out, char *err, size_t errlen) {
    return load_module(beam, size, expect_module, false, module_out, reason_out, err, errlen);
}

int code_load_module(const uint8_t *beam, size_t size, term_t *module_out, char *err,
                     size_t errlen) {
    term_t reason;
    return code_load_module_ex(beam, size, THE_NON_VALUE, module_out, &reason, err, errlen);
}

int code_autoload_image(const uint8_t *beam, size_t size, term_t module, char *err,
                        size_t errlen) {
    term_t reason, name;
    return load_module(beam, size, module, true, &name, &reason, err, errlen);
}

bool code_delete_module(term_t module) {
    code_lock();
    Module *m = module_get(module, false);
    bool ok = m && m->curr && !m->old;
    if (ok) {
        set_exports(m->curr, false);
        m->old = m->curr;
        m->curr = NULL;
    }
    code_unlock();
    return ok;
}

bool code_purge_prepare(term_t module) {
    code_lock();
    Module *m = module_get(module, false);
    ModuleCode *old = m ? m->old : NULL;
    if (old)
        for (uint32_t i = 0; i < old->fun_count; i++) {
            LoadedFun *lf = &old->funs[i];
            lf->purged_stub[0] = emu_instr_addr(I_i_purged_fun);
            lf->purged_stub[1] = (BeamInstr)(uintptr_t)lf;
            lf->addr = lf->purged_stub;
        }
    code_unlock();
    return old != NULL;
}

void code_purge_abort(term_t module) {
    code_lock();
    Module *m = module_get(module, false);
    ModuleCode *old = m ? m->old : NULL;
    if (old)
        for (uint32_t i = 0; i < old->fun_count; i++) old->funs[i].addr = old->funs[i].code_addr;
    code_unlock();
}

/* The literal area of a purged version is no longer referenced: free the
 * version, except the ModuleCode itself and its LoadedFuns (fun terms
 * still name them: compare, phash2 and fun_info read the entry and the
 * MD5 in mc; calls go to the purged stub). */
static void free_purged(void *arg) {
    ModuleCode *mc = arg;
    loader_free_keep_funs(mc);
}

bool code_purge_complete(term_t module) {
    code_lock();
    Module *m = module_get(module, false);
    ModuleCode *old = m ? m->old : NULL;
    if (old) m->old = NULL;
    code_unlock();
    if (!old) return false;
    GcLitRange r[64];
    size_t n = lit_area_heap_ranges(&old->lit_heap, r, 64);
    if (n == 64) plat_fatal("code: literal area in too many pieces");
    lit_area_release(r, n, free_purged, old);
    return true;
}


const BeamInstr *code_find_function(const ErtsMFA *mfa) {
    ModuleCode *mc = code_module_current(mfa->module);
    if (!mc) return NULL;
    for (uint32_t i = 0; i < mc->function_count; i++) {
        const CodeFunction *f = &mc->functions[i];
        if (f->mfa.function == mfa->function && f->mfa.arity == mfa->arity) return f->start;
    }
    return NULL;
}

static bool in_module(const ModuleCode *mc, const BeamInstr *pc) { return code_in_version(mc, pc); }

static void lookup_in(const ModuleCode *mc, const BeamInstr *pc, const ErtsMFA **mfa,
                      term_t *file, uint32_t *line) {
    uint32_t lo = 0, hi = mc->function_count;
    while (hi - lo > 1) { /* last function with start <= pc */
        uint32_t mid = (lo + hi) / 2;
        if (mc->functions[mid].start <= pc) lo = mid; else hi = mid;
    }
    *mfa = mc->function_count ? &mc->functions[lo].mfa : NULL;
    *file = NIL;
    *line = 0;
    if (!mc->line_count || pc < mc->lines[0].addr) return;
    lo = 0;
    hi = mc->line_count;
    while (hi - lo > 1) {
        uint32_t mid = (lo + hi) / 2;
        if (mc->lines[mid].addr <= pc) lo = mid; else hi = mid;
    }
    if (mc->lines[lo].line == 0) return;
    *file = mc->fnames[mc->lines[lo].file];
    *line = mc->lines[lo].line;
}

bool code_lookup_address(const BeamInstr *pc, const ErtsMFA **mfa, term_t *file,
                         uint32_t *line) {
    bool found = false;
    code_lock();
    for (size_t b = 0; b < MODULE_BUCKETS && !found; b++)
        for (Module *m = modules[b]; m && !found; m = m->next) {
            ModuleCode *mc = in_module(m->curr, pc) ? m->curr : in_module(m->old, pc) ? m->old
                           : in_module(m->pending, pc) ? m->pending : NULL;
            if (mc) {
                lookup_in(mc, pc, mfa, file, line);
                found = *mfa != NULL;
            }
        }
    code_unlock();
    return found;
}

/* ---- catch table: fixed segments so readers never see memory move ---- */
#define CATCH_SEG_BITS 12
#define CATCH_SEGS 4096
static const BeamInstr **catch_segs[CATCH_SEGS];
static _Atomic uint64_t catch_next;

uint64_t code_catch_new(const BeamInstr *handler) {
    uint64_t i = atomic_fetch_add_explicit(&catch_next, 1, memory_order_relaxed);
    size_t seg = (size_t)(i >> CATCH_SEG_BITS);
    if (seg >= CATCH_SEGS) plat_fatal("code: catch table full");
    code_lock();
    if (!catch_segs[seg]) {
        catch_segs[seg] = calloc((size_t)1 << CATCH_SEG_BITS, sizeof(BeamInstr *));
        if (!catch_segs[seg]) plat_fatal("code: out of memory");
    }
    catch_segs[seg][i & ((1u << CATCH_SEG_BITS) - 1)] = handler;
    code_unlock();
    return i;
}

const BeamInstr *code_catch_addr(uint64_t index) {
    return catch_segs[index >> CATCH_SEG_BITS][index & ((1u << CATCH_SEG_BITS) - 1)];
}
