/*
 * bif_system.c — the node seen as a whole: erlang:statistics/1,
 * erlang:system_flag/2 (scheduler_wall_time, schedulers_online),
 * erlang:system_info/1 and
 * erlang:memory/0,1, with OTP 25's result shapes.
 *
 * Other schedulers' counters (Scheduler.reductions, busy_ns, ...) are
 * plain fields their owner increments; they are read here with relaxed
 * atomic loads (a torn read is impossible, a slightly stale one is fine
 * for statistics). Units: OTP reports scheduler_wall_time in perf-counter
 * units; here they are nanoseconds (only ratios are meaningful in OTP too).
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm/atom.h"
#include "vm/binary.h"
#include "vm/bif.h"
#include "vm/bif_util.h"
#include "vm/code.h"
#include "vm/ets_table.h"
#include "vm/gc.h"
#include "vm/magic.h"
#include "vm/platform.h"
#include "vm/proc.h"
#include "vm/sched.h"
#include "vm/sys_stats.h"

#define LOAD(field) __atomic_load_n(&(field), __ATOMIC_RELAXED)

static term_t tuple2(Heap *h, term_t a, term_t b)
{
    term_t *hp = heap_alloc(h, 3);
    hp[1] = a;
    hp[2] = b;
    return make_tuple_header(hp, 2);
}

static term_t cons(Heap *h, term_t head, term_t tail)
{
    return make_cons(heap_alloc(h, CONS_WORDS), head, tail);
}

static term_t cstring(Heap *h, const char *s)
{
    return bif_bytes_to_list(h, (const uint8_t *)s, strlen(s), NIL);
}

/* "Since last call" values are node-wide, as OTP's (one per statistic). */
static _Atomic uint64_t last_reductions, last_runtime_ms, last_wall_ms;

static uint64_t since_last(_Atomic uint64_t *last, uint64_t now)
{
    uint64_t prev = atomic_exchange_explicit(last, now, memory_order_relaxed);
    return now >= prev ? now - prev : 0;
}

/* ---- scheduler_wall_time: off until system_flag turns it on; values
 * are relative to the moment it was turned on. Guarded by swt_lock-free
 * protocol: `swt_on` is written last (release) after the bases. */
static _Atomic bool swt_on;
static uint64_t swt_base_busy[MAX_SCHEDULERS], swt_base_total[MAX_SCHEDULERS];

static void sched_times(unsigned i, uint64_t *busy, uint64_t *total)
{
    Scheduler *s = schedulers[i];
    *busy = LOAD(s->busy_ns);
    *total = *busy + LOAD(s->idle_ns);
}

static term_t sched_wall_time(Heap *h)
{
    if (!atomic_load_explicit(&swt_on, memory_order_acquire)) return ATOM_undefined;
    term_t l = NIL;
    for (unsigned i = sched_count; i-- > 0;) {
        uint64_t busy, total;
        sched_times(i, &busy, &total);
        term_t *hp = heap_alloc(h, 4);
        hp[1] = make_small(i + 1);
        hp[2] = bif_make_uint64(h, busy - swt_base_busy[i]);
        hp[3] = bif_make_uint64(h, total - swt_base_total[i]);
        l = cons(h, make_tuple_header(hp, 3), l);
    }
    return l;
}

static uint64_t sum_sched(size_t offset)
{
    uint64_t n = 0;
    for (unsigned i = 0; i < sched_count; i++)
        n += __atomic_load_n((uint64_t *)((char *)schedulers[i] + offset), __ATOMIC_RELAXED);
    return n;
}

/* CPU time the VM used: time the schedulers spent running processes
 * (there is no process CPU clock below the VM on bare metal). */
static uint64_t runtime_ms(void)
{
    return sum_sched(offsetof(Scheduler, busy_ns)) / 1000000u;
}

term_t bif_erlang_statistics_1(Process *p, term_t *args)
{
    Heap *h = &p->h;
    switch (args[0]) {
    case ATOM_reductions: {
        uint64_t total = sum_sched(offsetof(Scheduler, reductions));
        uint64_t since = since_last(&last_reductions, total);
        return tuple2(h, bif_make_uint64(h, total), bif_make_uint64(h, since));
    }
    case ATOM_context_switches:
        return tuple2(h, bif_make_uint64(h, sum_sched(offsetof(Scheduler, context_switches))), make_small(0));
    case ATOM_run_queue:
    case ATOM_total_run_queue_lengths: {
        uint64_t n = 0;
        for (unsigned i = 0; i < sched_count; i++) n += sched_runq_len(schedulers[i]);
        return bif_make_uint64(h, n);
    }
    case ATOM_run_queue_lengths: {
        term_t l = NIL;
        for (unsigned i = sched_count; i-- > 0;) l = cons(h, make_small(sched_runq_len(schedulers[i])), l);
        return l;
    }
    case ATOM_runtime: {
        uint64_t now = runtime_ms();
        uint64_t since = since_last(&last_runtime_ms, now);
        return tuple2(h, bif_make_uint64(h, now), bif_make_uint64(h, since));
    }
    case ATOM_wall_clock: {
        uint64_t now = (plat_monotonic_ns() - sys_stats_start_ns()) / 1000000u;
        uint64_t since = since_last(&last_wall_ms, now);
        return tuple2(h, bif_make_uint64(h, now), bif_make_uint64(h, since));
    }
    case ATOM_garbage_collection: {
        uint64_t n, words;
        sys_stats_gc_totals(&n, &words);
        term_t *hp = heap_alloc(h, 4);
        hp[1] = bif_make_uint64(h, n);
        hp[2] = bif_make_uint64(h, words);
        hp[3] = make_small(0);
        return make_tuple_header(hp, 3);
    }
    case ATOM_scheduler_wall_time:
        return sched_wall_time(h);
    default:
        BIF_ERROR(p, ATOM_badarg);
    }
}

term_t bif_erlang_system_flag_2(Process *p, term_t *args)
{
    if (args[0] == ATOM_scheduler_wall_time && (args[1] == ATOM_true || args[1] == ATOM_false)) {
        bool on = args[1] == ATOM_true;
        bool was = atomic_load_explicit(&swt_on, memory_order_acquire);
        if (on && !was) {
            for (unsigned i = 0; i < sched_count; i++)
                sched_times(i, &swt_base_busy[i], &swt_base_total[i]);
        }
        atomic_store_explicit(&swt_on, on, memory_order_release);
        return was ? ATOM_true : ATOM_false;
    }
    if (args[0] == ATOM_schedulers_online) {
        term_t n = args[1];
        if (!is_small(n) || small_value(n) < 1 || small_value(n) > (int64_t)sched_count)
            BIF_ERROR(p, ATOM_badarg);
        return make_small(sched_set_online((unsigned)small_value(n)));
    }
    BIF_ERROR(p, ATOM_badarg);
}

/* The ERTS release whose behaviour this VM implements (the OTP 25 `erlc`
 * output it runs). */
#define SYS_OTP_RELEASE "25"
#define SYS_ERTS_VERSION "13.1.5"

term_t bif_erlang_system_info_1(Process *p, term_t *args)
{
    Heap *h = &p->h;
    /* os_type: the family filename and friends branch on, and our name.
     * Not a switch case: the atoms are not predefined. */
    if (args[0] == atom_intern_cstr("os_type"))
        return tuple2(h, atom_intern_cstr("unix"), atom_intern_cstr(plat_name()));
    switch (args[0]) {
    case ATOM_otp_release: return cstring(h, SYS_OTP_RELEASE);
    case ATOM_version: return cstring(h, SYS_ERTS_VERSION);
    case ATOM_system_version: {
        char buf[160];
        snprintf(buf, sizeof buf, "Erlang/OTP %s [erts-%s] [beamos-%s] [64-bit] [smp:%u:%u]\n",
                 SYS_OTP_RELEASE, SYS_ERTS_VERSION, plat_name(), sched_count, sched_count);
        return cstring(h, buf);
    }
    case ATOM_schedulers:
    case ATOM_schedulers_online: return make_small(sched_online());
    case ATOM_scheduler_id: {          /* 1-based, as OTP numbers them */
        Scheduler *s = sched_self();
        return make_small(s ? s->index + 1 : 1);
    }
    case ATOM_logical_processors: return make_small(plat_cpu_count());
    case ATOM_process_count: return make_small(proc_count());
    case ATOM_process_limit: return make_small(proc_limit());
    case ATOM_atom_count: return bif_make_uint64(h, atom_count());
    case ATOM_atom_limit: return make_small(ATOM_TABLE_MAX);
    case ATOM_wordsize: return make_small(sizeof(term_t));
    case ATOM_machine: return cstring(h, "BEAM");
    case ATOM_smp_support:
    case ATOM_threads: return ATOM_true;
    case ATOM_thread_pool_size: return make_small(0);
    case ATOM_build_type: return ATOM_opt;
    case ATOM_fullsweep_after: return tuple2(h, ATOM_fullsweep_after, make_small(GC_DEFAULT_FULLSWEEP_AFTER));
    case ATOM_min_heap_size: return tuple2(h, ATOM_min_heap_size, make_small(GC_DEFAULT_MIN_HEAP_WORDS));
    case ATOM_min_bin_vheap_size:
        return tuple2(h, ATOM_min_bin_vheap_size, make_small(GC_MIN_BIN_VHEAP_WORDS));
    default:
        BIF_ERROR(p, ATOM_badarg);
    }
}

/* ---- memory ----
 * processes: the sum of what every live process last published
 * (pinfo_memory_publish: its process_info(memory), recomputed by its own
 * scheduler after each time slice, so no other process's heap is read).
 * processes_used: likewise, the words in use instead of the blocks.
 * binary: bytes of live off-heap Binary objects (binary.c's tally), each
 * counted once however many processes share it.
 * Atomics and counters arrays (MagicBins) count in system, as OTP's
 * erl_bif_atomics/counters allocations do, once each however many
 * processes hold them. atom: atom entries and their text. code: loaded code,
 * literal areas and function/line tables. ets: every ETS table's real size
 * (vm/ets_registry.c). system: everything
 * that is not processes, plus the process table itself. */
typedef struct {
    uint64_t total, processes, processes_used, system, atom, atom_used, binary, code, ets;
} MemInfo;

static void code_bytes(Module *m, void *arg)
{
    uint64_t *b = arg;
    ModuleCode *v[2] = {m->curr, m->old};
    for (int i = 0; i < 2; i++) {
        ModuleCode *mc = v[i];
        if (!mc) continue;
        *b += mc->code_words * sizeof(BeamInstr);
        if (mc->lit_heap.heap) *b += (uint64_t)(mc->lit_heap.hend - mc->lit_heap.heap) * sizeof(term_t);
        *b += (uint64_t)mc->function_count * sizeof(CodeFunction) + (uint64_t)mc->line_count * sizeof(CodeLine);
        *b += (uint64_t)mc->fun_count * sizeof(LoadedFun) + (uint64_t)mc->export_count * 2 * sizeof(void *);
    }
    *b += sizeof(Module);
}

static void memory_info(MemInfo *mi)
{
    memset(mi, 0, sizeof *mi);
    size_t n = proc_count() + 64;
    term_t *pids = malloc(n * sizeof *pids);
    size_t got = pids ? proc_list_pids(pids, n) : 0;
    if (got > n) got = n;
    for (size_t i = 0; i < got; i++) {
        Process *q = proc_lookup(pids[i]);
        if (!q) continue;
        mi->processes += atomic_load_explicit(&q->mem_bytes, memory_order_relaxed);
        mi->processes_used += atomic_load_explicit(&q->mem_used_bytes, memory_order_relaxed);
    }
    free(pids);
    mi->binary = binary_allocated_bytes();
    for (size_t i = 0, na = atom_count(); i < na; i++)
        mi->atom_used += sizeof(Atom) + atom_get(make_atom(i))->len_bytes;
    mi->atom = mi->atom_used;
    code_foreach_module(code_bytes, &mi->code);
    mi->ets = ets_memory_bytes();
    mi->system = mi->atom + mi->binary + mi->code + mi->ets + pterm_memory_bytes() + magic_bytes_in_use() +
                 (uint64_t)proc_limit() * sizeof(void *) + (uint64_t)sched_count * sizeof(Scheduler);
    mi->total = mi->processes + mi->system;
}

static const term_t memory_types[] = {ATOM_total, ATOM_processes, ATOM_processes_used, ATOM_system,
                                      ATOM_atom, ATOM_atom_used, ATOM_binary, ATOM_code, ATOM_ets};

static bool memory_value(const MemInfo *mi, term_t type, uint64_t *v)
{
    const uint64_t vals[] = {mi->total, mi->processes, mi->processes_used, mi->system, mi->atom,
                             mi->atom_used, mi->binary, mi->code, mi->ets};
    for (size_t i = 0; i < sizeof memory_types / sizeof memory_types[0]; i++)
        if (memory_types[i] == type) {
            *v = vals[i];
            return true;
        }
    return false;
}

term_t bif_erlang_memory_0(Process *p, term_t *args)
{
    (void)args;
    MemInfo mi;
    memory_info(&mi);
    term_t l = NIL;
    for (size_t i = sizeof memory_types / sizeof memory_types[0]; i-- > 0;) {
        uint64_t v = 0;
        memory_value(&mi, memory_types[i], &v);
        l = cons(&p->h, tuple2(&p->h, memory_types[i], bif_make_uint64(&p->h, v)), l);
    }
    return l;
}

term_t bif_erlang_memory_1(Process *p, term_t *args)
{
    term_t t = args[0];
    uint64_t v;
    MemInfo mi;
    if (is_atom(t)) {
        memory_info(&mi);
        if (!memory_value(&mi, t, &v)) BIF_ERROR(p, ATOM_badarg);
        return bif_make_uint64(&p->h, v);
    }
    if (bif_list_length(t) < 0) BIF_ERROR(p, ATOM_badarg);
    memory_info(&mi);
    term_t result = NIL, *tail = &result;
    for (term_t l = t; is_list(l); l = cons_tail(l)) {
        if (!memory_value(&mi, cons_head(l), &v)) BIF_ERROR(p, ATOM_badarg);
        term_t *cell = heap_alloc(&p->h, CONS_WORDS);
        cell[0] = tuple2(&p->h, cons_head(l), bif_make_uint64(&p->h, v));
        cell[1] = NIL;
        *tail = make_list(cell);
        tail = &cell[1];
    }
    return result;
}
