/*
 * heap_limits.c — max_heap_size (heap_limits.h).
 */
#include "vm/heap_limits.h"

#include <stdio.h>

#include "vm/atom.h"
#include "vm/emu.h"
#include "vm/map.h"
#include "vm/platform.h"
#include "vm/process.h"

static bool parse_bool(term_t v, bool *out)
{
    if (v == ATOM_true) { *out = true; return true; }
    if (v == ATOM_false) { *out = false; return true; }
    return false;
}

bool max_heap_parse(term_t v, uint64_t min_heap_words, MaxHeap *out)
{
    MaxHeap m = *out;
    if (is_small(v)) {
        if (small_value(v) < 0) return false;
        m.size = (uint64_t)small_value(v);
    } else if (is_map(v)) {
        if (map_get(v, ATOM_size) == THE_NON_VALUE) return false;    /* OTP: size is required */
        MapIter it;
        term_t k, val;
        map_iter_init(&it, v);
        while (map_iter_next(&it, &k, &val)) {
            if (k == ATOM_size) {
                if (!is_small(val) || small_value(val) < 0) return false;
                m.size = (uint64_t)small_value(val);
            } else if (k == ATOM_kill) {
                if (!parse_bool(val, &m.kill)) return false;
            } else if (k == ATOM_error_logger) {
                if (!parse_bool(val, &m.error_logger)) return false;
            }                           /* other keys are ignored, as on OTP */
        }
    } else {
        return false;
    }
    if (m.size != 0 && m.size < min_heap_words) return false;
    *out = m;
    return true;
}

term_t max_heap_term(Heap *h, const MaxHeap *m)
{
    term_t keys[3] = {ATOM_error_logger, ATOM_kill, ATOM_size};
    term_t vals[3] = {m->error_logger ? ATOM_true : ATOM_false, m->kill ? ATOM_true : ATOM_false,
                      make_small((int64_t)m->size)};
    return map_from_pairs(h, keys, vals, 3);
}

int max_heap_check(Process *p)
{
    if (p->max_heap.size == 0 || p->exit_reason != THE_NON_VALUE) return 0;
    uint64_t total = p->heap_sz + (p->old_heap ? (uint64_t)(p->old_hend - p->old_heap) : 0);
    if (total <= p->max_heap.size) return 0;
    if (p->max_heap.error_logger) {
        char buf[320];
        int n = snprintf(buf, sizeof buf,
                         "=ERROR REPORT==== Process: <0.%u.%u>\n"
                         "     Context:          maximum heap size reached\n"
                         "     Max Heap Size:    %llu\n"
                         "     Total Heap Size:  %llu\n"
                         "     Kill:             %s\n"
                         "     Error Logger:     true\n\n",
                         pid_number(p->id), pid_serial(p->id), (unsigned long long)p->max_heap.size,
                         (unsigned long long)total, p->max_heap.kill ? "true" : "false");
        if (n > 0) plat_console_write(buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
    }
    if (!p->max_heap.kill) return 0;
    p->exit_reason = ATOM_killed;    /* the scheduler ends p when the emulator returns */
    /* A whole slice: the emulator's budget is spent, so it gives up the
     * CPU at the next call, without booking fake reductions. */
    return emu_slice_reductions;
}
