/*
 * proc_info.c — the answers of process_info: every item built by the
 * process it describes (proc_info.h says who calls this and why), and the
 * memory figures it publishes for erlang:memory.
 */
#include "vm/atom.h"
#include "vm/bif_util.h"
#include "vm/binary.h"
#include "vm/code.h"
#include "vm/emu.h"
#include "vm/gc.h"
#include "vm/mailbox.h"
#include "vm/map.h"
#include "vm/pdict.h"
#include "vm/proc.h"
#include "vm/proc_info.h"
#include "vm/registry.h"
#include "vm/sched.h"
#include "vm/signal.h"
#include "vm/sys_stats.h"
#include "vm/term_compare.h"
#include "vm/term_copy.h"

static term_t tuple2(Heap *h, term_t a, term_t b)
{
    term_t *hp = heap_alloc(h, 3);
    hp[1] = a;
    hp[2] = b;
    return make_tuple_header(hp, 2);
}

static term_t tuple3(Heap *h, term_t a, term_t b, term_t c)
{
    term_t *hp = heap_alloc(h, 4);
    hp[1] = a;
    hp[2] = b;
    hp[3] = c;
    return make_tuple_header(hp, 3);
}

static term_t cons(Heap *h, term_t head, term_t tail)
{
    return make_cons(heap_alloc(h, CONS_WORDS), head, tail);
}

static term_t mfa_tuple(Heap *h, const ErtsMFA *m)
{
    if (!m) return ATOM_undefined;
    return tuple3(h, m->module, m->function, make_small(m->arity));
}

static term_t copy_term(Heap *h, term_t t)
{
    size_t n = term_copy_size(t);
    if (n == 0) return t;
    term_t *hp = heap_alloc(h, n);
    return term_copy(t, &hp, &h->off_heap);
}

static term_t prio_name(unsigned prio)
{
    static const term_t names[PRIO_COUNT] = {ATOM_max, ATOM_high, ATOM_normal, ATOM_low};
    return prio < PRIO_COUNT ? names[prio] : ATOM_normal;
}

/* ---- the message queue ----
 * A message still counts while it is in transit inside q: the private
 * queue (msg_first..), then signals taken in but not handled (sig_private,
 * oldest first), then sig_in (a Treiber stack, newest first). OTP would
 * have q take in its signals first; the order and count are the same. */

typedef void (*MsgFn)(const Message *m, void *ctx);

static void each_queued_message(Process *q, MsgFn fn, void *ctx)
{
    for (const Message *m = q->msg_first; m; m = m->next)
        if (m->kind == MSG_MESSAGE) fn(m, ctx);
    for (const Message *m = q->sig_private; m; m = m->next)
        if (m->kind == MSG_MESSAGE) fn(m, ctx);
    const Message *in = atomic_load_explicit(&q->sig_in_head, memory_order_acquire);
    if (in == SIG_CLOSED) return;
    /* Newest first: visit oldest first by recursion-free reversal into a
     * small array chunk by chunk would allocate; count instead, then walk
     * the k-th oldest each time. Queues in transit are short. */
    size_t n = 0;
    for (const Message *m = in; m; m = m->next) n++;
    for (size_t k = n; k-- > 0;) {
        const Message *m = in;
        for (size_t i = 0; i < k; i++) m = m->next;
        if (m->kind == MSG_MESSAGE) fn(m, ctx);
    }
}

static void count_msg(const Message *m, void *ctx)
{
    (void)m;
    (*(uint64_t *)ctx)++;
}

typedef struct {
    Heap *h;
    term_t *tail_slot;   /* where the next cell goes */
} ListBuild;

static void copy_msg(const Message *m, void *ctx)
{
    ListBuild *lb = ctx;
    term_t *cell = heap_alloc(lb->h, CONS_WORDS);
    term_t v = copy_term(lb->h, m->msg);
    cell[0] = v;
    cell[1] = NIL;
    *lb->tail_slot = make_list(cell);
    lb->tail_slot = &cell[1];
}

typedef struct {
    uint64_t bytes;      /* Message structs and their fragments */
    uint64_t frag_words; /* words of the fragments */
} MsgMem;

static void msg_mem(const Message *m, void *ctx)
{
    MsgMem *mm = ctx;
    mm->bytes += sizeof(Message);
    if (m->frag) {
        mm->bytes += sizeof(HeapFragment) + m->frag->alloc_words * sizeof(term_t);
        mm->frag_words += m->frag->used_words;
    }
}

/* ---- sizes ---- */

static size_t old_heap_words(const Process *q)
{
    return q->old_heap ? (size_t)(q->old_hend - q->old_heap) : 0;
}

/* OTP's total_heap_size: young block + old block + heap fragments, plus
 * the fragments of messages queued on the process (on_heap queue data). */
static uint64_t total_heap_words(Process *q)
{
    MsgMem mm = {0, 0};
    each_queued_message(q, msg_mem, &mm);
    return q->heap_sz + old_heap_words(q) + q->h.mbuf_sz + mm.frag_words;
}

/* Bytes this process holds: its control block, heap blocks, heap
 * fragments, messages in its private queue (struct + fragment), links,
 * monitors and an out-of-line X register array. O(1), from tallies the
 * owner keeps (process.h). Off-heap binaries are not counted (OTP reports
 * them under memory(binary)); signals still in transit count once the
 * process has taken them in. Only the owner's scheduler calls this. */
uint64_t pinfo_memory_bytes(Process *q)
{
    uint64_t b = sizeof(Process);
    b += (uint64_t)(q->heap_sz + old_heap_words(q) + q->h.mbuf_sz + q->msg_frag_words) * sizeof(term_t);
    b += q->msg_len * sizeof(Message);
    b += (uint64_t)q->n_links * sizeof(LinkEntry) + (uint64_t)q->n_mons * sizeof(MonEntry);
    if (q->arg_reg && q->arg_reg != q->def_arg_reg) b += (uint64_t)q->max_arg_reg * sizeof(term_t);
    b += pdict_bytes(q);
    return b;
}

void pinfo_memory_publish(Process *q)
{
    uint64_t used = sizeof(Process) +
        ((uint64_t)(q->h.htop - q->h.heap) + (uint64_t)(q->heap_end - q->h.hend) + q->h.mbuf_sz +
         (q->old_heap ? (uint64_t)(q->old_htop - q->old_heap) : 0) + q->msg_frag_words) * sizeof(term_t);
    atomic_store_explicit(&q->mem_bytes, pinfo_memory_bytes(q), memory_order_relaxed);
    atomic_store_explicit(&q->mem_used_bytes, used, memory_order_relaxed);
}

/* ---- items ---- */

/* Where q is: the code address whose function is q's current one, and
 * (in *callers) the stack word from which its callers' return addresses
 * follow. Another process is between instructions at q->i (a receive
 * stores it before taking signals in). q itself is inside a BIF called
 * from Erlang: its caller is the return address on top of the stack,
 * and the call's own location is the instruction before it. */
static const BeamInstr *where_now(Process *q, bool self, term_t **callers)
{
    term_t *s = q->h.hend;
    if (!self) {
        *callers = s;
        return q->i;
    }
    for (; s < q->heap_end; s++)
        if (emu_is_cp(*s)) {
            *callers = s + 1;
            return (const BeamInstr *)*s - 1;
        }
    *callers = s;
    return NULL;
}

/* [{file, F}, {line, L}] or [] */
static term_t location_list(Heap *h, term_t file, uint32_t line)
{
    if (line == 0 || file == NIL) return NIL;
    term_t l = cons(h, tuple2(h, ATOM_line, make_small(line)), NIL);
    return cons(h, tuple2(h, ATOM_file, file), l);
}

static term_t frame4(Heap *h, const ErtsMFA *m, term_t loc)
{
    term_t *hp = heap_alloc(h, 5);
    hp[1] = m->module;
    hp[2] = m->function;
    hp[3] = make_small(m->arity);
    hp[4] = loc;
    return make_tuple_header(hp, 4);
}

/* current_function ({M, F, A}), current_location ({M, F, A, Location})
 * or current_stacktrace (at most EMU_BACKTRACE_DEPTH frames, as OTP's
 * default backtrace_depth). Outside module code (a hibernating process,
 * a native stub) the function is q->current and the trace is empty, as
 * OTP shows {erlang, hibernate, 3}. */
static term_t current_item(Process *q, term_t item, bool self, Heap *dst)
{
    term_t *s;
    const BeamInstr *pc = where_now(q, self, &s);
    const ErtsMFA *mfa = NULL;
    term_t file = NIL;
    uint32_t line = 0;
    bool in_code = pc && code_lookup_address(pc, &mfa, &file, &line);
    if (item != ATOM_current_stacktrace) {
        if (!in_code) {
            mfa = q->current;
            file = NIL;
            line = 0;
        }
        if (item == ATOM_current_function) return mfa_tuple(dst, mfa);
        return mfa ? frame4(dst, mfa, location_list(dst, file, line)) : ATOM_undefined;
    }
    if (!in_code) return NIL;
    term_t frames[EMU_BACKTRACE_DEPTH];
    unsigned n = 0;
    frames[n++] = frame4(dst, mfa, location_list(dst, file, line));
    for (; s < q->heap_end && n < EMU_BACKTRACE_DEPTH; s++) {
        /* a return address's location is that of the call before it */
        if (emu_is_cp(*s) && code_lookup_address((const BeamInstr *)*s - 1, &mfa, &file, &line))
            frames[n++] = frame4(dst, mfa, location_list(dst, file, line));
    }
    term_t l = NIL;
    while (n > 0) l = cons(dst, frames[--n], l);
    return l;
}

/* OTP's garbage_collection_info. Binaries of both generations are on one
 * off-heap list here, so the young virtual heap counts all of them and
 * the old one is 0. */
static term_t gc_info_sizes(Heap *h, Process *q)
{
    uint64_t old_block = q->old_heap ? (uint64_t)(q->old_hend - q->old_heap) : 0;
    uint64_t old_used = q->old_heap ? (uint64_t)(q->old_htop - q->old_heap) : 0;
    uint64_t recent = q->high_water && q->high_water >= q->h.heap ? (uint64_t)(q->high_water - q->h.heap) : 0;
    const struct { term_t k; uint64_t v; } kv[] = {
        {ATOM_old_heap_block_size, old_block},
        {ATOM_heap_block_size, q->heap_sz},
        {ATOM_mbuf_size, q->h.mbuf_sz},
        {ATOM_recent_size, recent},
        {ATOM_stack_size, (uint64_t)(q->heap_end - q->h.hend)},
        {ATOM_old_heap_size, old_used},
        {ATOM_heap_size, (uint64_t)(q->h.htop - q->h.heap)},
        {ATOM_bin_vheap_size, q->h.off_heap.overhead / sizeof(term_t)},
        {ATOM_bin_vheap_block_size, q->bin_vheap_sz},
        {ATOM_bin_old_vheap_size, 0},
        {ATOM_bin_old_vheap_block_size, q->bin_vheap_sz},
    };
    term_t l = NIL;
    for (size_t i = sizeof kv / sizeof kv[0]; i-- > 0;)
        l = cons(h, tuple2(h, kv[i].k, bif_make_uint64(h, kv[i].v)), l);
    return l;
}

/* binary: [{Id, Size, RefCount}] for each off-heap binary q's heap
 * refers to (Id: the binary's address, as OTP). */
static term_t binaries_list(Heap *h, Process *q)
{
    term_t l = NIL;
    for (OffHeapHeader *o = q->h.off_heap.first; o; o = o->next) {
        if (header_subtag(o->thing_word) != REFC_BINARY_SUBTAG) continue;
        const ProcBin *pb = (const ProcBin *)o;
        term_t id = bif_make_uint64(h, (uint64_t)(uintptr_t)pb->val);
        term_t size = bif_make_uint64(h, pb->size);
        term_t refc = bif_make_uint64(h, atomic_load_explicit(&pb->val->refc, memory_order_relaxed));
        l = cons(h, tuple3(h, id, size, refc), l);
    }
    return l;
}


static term_t links_list(Heap *h, Process *q)
{
    term_t l = NIL;
    for (const LinkEntry *e = q->links; e; e = e->next)
        if (!e->unlinking) l = cons(h, e->pid, l);
    return l;
}

/* monitors: [{process, Pid} | {process, {Name, Node}}] for the monitors q
 * set; monitored_by: [Pid] for the monitors on q. */
static term_t monitors_list(Heap *h, Process *q, bool origin)
{
    term_t l = NIL;
    for (const MonEntry *m = q->monitors; m; m = m->next) {
        if (m->origin != origin) continue;
        if (!origin) {
            l = cons(h, m->pid, l);
        } else {
            term_t item = is_atom(m->name) ? tuple2(h, m->name, term_local_node()) : m->pid;
            l = cons(h, tuple2(h, ATOM_process, item), l);
        }
    }
    return l;
}

static term_t gc_info(Heap *h, Process *q)
{
    term_t mhs = max_heap_term(h, &q->max_heap);
    term_t l = cons(h, tuple2(h, ATOM_minor_gcs, make_small(q->gen_gcs)), NIL);
    l = cons(h, tuple2(h, ATOM_fullsweep_after, make_small(q->max_gen_gcs)), l);
    l = cons(h, tuple2(h, ATOM_min_heap_size, bif_make_uint64(h, q->min_heap_size)), l);
    l = cons(h, tuple2(h, ATOM_min_bin_vheap_size, bif_make_uint64(h, q->min_bin_vheap_size)), l);
    return cons(h, tuple2(h, ATOM_max_heap_size, mhs), l);
}

/* The value of `item` for process q, built on dst; THE_NON_VALUE if item
 * is not a process_info item this VM knows (badarg). Only q's own
 * scheduler calls this (see the top of the file); `status` is what the
 * requester saw. Terms may point into q's heap (the dictionary): the
 * caller copies the result before q runs on. */
static term_t pinfo_item(Process *q, term_t item, term_t status, Heap *dst, bool self)
{
    switch (item) {
    case ATOM_status: return status;
    case ATOM_message_queue_len: {
        uint64_t n = 0;
        each_queued_message(q, count_msg, &n);
        return bif_make_uint64(dst, n);
    }
    case ATOM_messages: {
        if (q->flags & PF_SENSITIVE) return NIL;        /* OTP hides them */
        term_t list = NIL;
        ListBuild lb = {dst, &list};
        each_queued_message(q, copy_msg, &lb);
        return list;
    }
    case ATOM_heap_size: return bif_make_uint64(dst, q->heap_sz);
    case ATOM_total_heap_size: return bif_make_uint64(dst, total_heap_words(q));
    case ATOM_stack_size: return bif_make_uint64(dst, (uint64_t)(q->heap_end - q->h.hend));
    case ATOM_reductions: return bif_make_uint64(dst, q->reductions);
    case ATOM_memory: return bif_make_uint64(dst, pinfo_memory_bytes(q));
    case ATOM_links: return links_list(dst, q);
    case ATOM_monitors: return monitors_list(dst, q, true);
    case ATOM_monitored_by: return monitors_list(dst, q, false);
    case ATOM_trap_exit: return (q->flags & PF_TRAP_EXIT) ? ATOM_true : ATOM_false;
    case ATOM_priority: return prio_name(q->prio);
    case ATOM_current_function: case ATOM_current_location: case ATOM_current_stacktrace:
        return current_item(q, item, self, dst);
    case ATOM_initial_call: return mfa_tuple(dst, &q->initial_call);
    case ATOM_registered_name: {
        term_t name = reg_name_of(q);
        return is_atom(name) ? name : NIL;
    }
    case ATOM_dictionary: return (q->flags & PF_SENSITIVE) ? NIL : pdict_list(q, dst);
    case ATOM_group_leader: return q->group_leader;
    case ATOM_garbage_collection: return gc_info(dst, q);
    case ATOM_error_handler: return ATOM_error_handler;   /* process_flag(error_handler) is not supported */
    case ATOM_parent: return is_internal_pid(q->parent) ? q->parent : ATOM_undefined;
    case ATOM_catchlevel: return make_small(q->catches);
    case ATOM_suspending: return NIL;                     /* erlang:suspend_process/2 is not supported */
    case ATOM_garbage_collection_info: return gc_info_sizes(dst, q);
    case ATOM_binary: return binaries_list(dst, q);
    case ATOM_min_heap_size: return bif_make_uint64(dst, q->min_heap_size);
    case ATOM_min_bin_vheap_size: return bif_make_uint64(dst, q->min_bin_vheap_size);
    case ATOM_message_queue_data: return (q->flags & PF_MQD_OFF_HEAP) ? ATOM_off_heap : ATOM_on_heap;
    case ATOM_last_calls: return ATOM_false;              /* process_flag(save_calls, N) is not supported */
    case ATOM_sequential_trace_token: return NIL;         /* no seq_trace: never a token */
    case ATOM_trace: return make_small(0);                /* no tracing: no trace flags */
    default: return THE_NON_VALUE;
    }
}

/* The items of process_info/1, in OTP's order (registered_name first, and
 * only when the process has a name). */
static const term_t default_items[] = {
    ATOM_current_function, ATOM_initial_call, ATOM_status, ATOM_message_queue_len,
    ATOM_links, ATOM_dictionary, ATOM_trap_exit, ATOM_error_handler,
    ATOM_priority, ATOM_group_leader, ATOM_total_heap_size, ATOM_heap_size,
    ATOM_stack_size, ATOM_reductions, ATOM_garbage_collection, ATOM_suspending,
};

/* The whole answer for `items` (PINFO_DEFAULT, one atom, or a list of
 * atoms already checked by item_known), built on dst by q's scheduler. */
term_t pinfo_result(Process *q, term_t items, term_t status, Heap *dst, bool self)
{
    if (items == PINFO_DEFAULT) {
        term_t list = NIL;
        for (size_t i = sizeof default_items / sizeof default_items[0]; i-- > 0;)
            list = cons(dst, tuple2(dst, default_items[i], pinfo_item(q, default_items[i], status, dst, self)), list);
        term_t name = reg_name_of(q);
        if (is_atom(name)) list = cons(dst, tuple2(dst, ATOM_registered_name, name), list);
        return list;
    }
    if (is_atom(items)) {
        term_t v = pinfo_item(q, items, status, dst, self);
        if (items == ATOM_registered_name && v == NIL) return NIL;   /* OTP: [] */
        return tuple2(dst, items, v);
    }
    /* A list: one {Item, Value} per element, in order, duplicates kept. */
    term_t result = NIL, *tail = &result;
    for (term_t l = items; is_list(l); l = cons_tail(l)) {
        term_t it = cons_head(l);
        term_t v = pinfo_item(q, it, status, dst, self);
        term_t *cell = heap_alloc(dst, CONS_WORDS);
        cell[0] = tuple2(dst, it, v);
        cell[1] = NIL;
        *tail = make_list(cell);
        tail = &cell[1];
    }
    return result;
}

/* Send {Ref, Result} to the requester `to` (Result may point into q's
 * heap: it is copied into the message here). */
static void reply(term_t from, term_t to, term_t ref, term_t result)
{
    term_t buf[3];
    buf[1] = ref;
    buf[2] = result;
    term_t t = make_tuple_header(buf, 2), *hp;
    Message *m = sig_new(MSG_MESSAGE, from, term_copy_size(t), &hp);
    m->msg = term_copy(t, &hp, &m->off_heap);
    sig_send(to, m);
}

void pinfo_handle_request(Process *q, const Message *req)
{
    /* A scratch arena, not q's heap: q may be inside the emulator (a
     * receive taking in signals) with its stack pointer not written back. */
    Heap tmp;
    heap_init(&tmp, 128);
    term_t items = tuple_element(req->msg, 1), status = tuple_element(req->msg, 2);
    reply(q->id, req->from, req->extra, pinfo_result(q, items, status, &tmp, false));
    heap_destroy(&tmp);
}

void pinfo_answer_dead(const Message *req)
{
    reply(NIL, req->from, req->extra, ATOM_undefined);
}
