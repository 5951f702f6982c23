/*
 * match_spec_text.c — terms as erts' own printer writes them in match
 * specification diagnostics (OTP's "%T"), which is not io_lib's ~p: atoms
 * are quoted only by their characters (keywords such as andalso print
 * bare, 'a@b' is quoted), floats print as C's "%e", maps without spaces
 * (#{a=>b}). erlang:match_spec_test/3 returns these texts, so they must be
 * byte-identical to OTP's. The whole diagnostic is cut at
 * MS_ERROR_MAX_BYTES, as OTP's fixed buffer does. The printer is a loop
 * over an explicit stack, not C recursion per level of nesting, and it
 * stops where the text is cut.
 */
#include <stdio.h>
#include <string.h>

#include "vm/atom.h"
#include "vm/binary.h"
#include "vm/map.h"
#include "vm/match_spec_text.h"
#include "vm/term_print.h"
#include "vm/term_stack.h"

typedef struct {
    char *buf;
    size_t cap, len; /* len may pass cap: the text is then cut */
} Out;

static void put(Out *o, const char *s, size_t n) {
    for (size_t i = 0; i < n; i++, o->len++)
        if (o->len + 1 < o->cap) o->buf[o->len] = s[i];
}
static void puts_(Out *o, const char *s) { put(o, s, strlen(s)); }
static void putc_(Out *o, char c) { put(o, &c, 1); }

/* erts quotes an atom unless it is a lower-case letter followed by
 * letters, digits and '_' (Latin-1 letters count). */
static bool bare_atom(const Atom *a) {
    if (a->latin1_chars <= 0) return false;
    const uint8_t *s = a->name;
    size_t n = a->len_bytes;
    for (size_t i = 0, k = 0; i < n; i++, k++) {
        uint32_t c = s[i];
        if (c >= 0xC0 && i + 1 < n) { /* a Latin-1 char in two UTF-8 bytes */
            c = ((c & 0x1F) << 6) | (s[i + 1] & 0x3F);
            i++;
        }
        bool lower = (c >= 'a' && c <= 'z') || (c >= 0xDF && c <= 0xFF && c != 0xF7);
        bool upper = (c >= 'A' && c <= 'Z') || (c >= 0xC0 && c <= 0xDE && c != 0xD7);
        bool digit = c >= '0' && c <= '9';
        if (k == 0 ? !lower : !(lower || upper || digit || c == '_')) return false;
    }
    return true;
}

static void print_atom(Out *o, term_t t) {
    const Atom *a = atom_get(t);
    if (bare_atom(a)) {
        put(o, (const char *)a->name, a->len_bytes);
        return;
    }
    putc_(o, '\'');
    for (size_t i = 0; i < a->len_bytes; i++) {
        char c = (char)a->name[i];
        if (c == '\'' || c == '\\') putc_(o, '\\');
        putc_(o, c);
    }
    putc_(o, '\'');
}

static bool printable(uint64_t c) { return (c >= 32 && c <= 126) || (c >= 8 && c <= 13) || c == 27; }

static void put_escaped(Out *o, uint64_t c) {
    static const char *const esc[] = {[8] = "\\b", [9] = "\\t", [10] = "\\n", [11] = "\\v",
                                      [12] = "\\f", [13] = "\\r", [27] = "\\e"};
    if (c < 28 && esc[c]) {
        puts_(o, esc[c]);
        return;
    }
    if (c == '"' || c == '\\') putc_(o, '\\');
    putc_(o, (char)c);
}

static bool is_string(term_t t) {
    for (; is_list(t); t = cons_tail(t)) {
        term_t h = cons_head(t);
        if (!is_small(h) || small_value(h) < 0 || !printable((uint64_t)small_value(h))) return false;
    }
    return is_nil(t);
}

/* Leaves (integers, pids, refs, funs, bitstrings that are not whole
 * bytes) print as term_print writes them. */
static void print_leaf(Out *o, term_t t) {
    char b[128];
    size_t n = term_print(b, sizeof b, t);
    put(o, b, n < sizeof b ? n : sizeof b - 1);
}


static void print_binary(Out *o, term_t t) {
    const uint8_t *bytes;
    size_t bit_off, bits;
    bitstring_get(t, &bytes, &bit_off, &bits);
    if (bit_off || bits % 8) {
        print_leaf(o, t);
        return;
    }
    size_t n = bits / 8;
    bool text = n > 0;
    for (size_t i = 0; i < n && text; i++) text = printable(bytes[i]);
    puts_(o, "<<");
    if (text) {
        putc_(o, '"');
        for (size_t i = 0; i < n && o->len < o->cap; i++) put_escaped(o, bytes[i]);
        putc_(o, '"');
    } else {
        for (size_t i = 0; i < n && o->len < o->cap; i++) {
            char b[8];
            snprintf(b, sizeof b, i ? ",%u" : "%u", bytes[i]);
            puts_(o, b);
        }
    }
    puts_(o, ">>");
}

/* The printer's work items, three words (op, a, b) on a TermStack, so a
 * term of any depth prints without C recursion (a scheduler's stack is
 * 32 KB in the kernel): */
enum {
    P_TERM,     /* a = a term to print */
    P_TEXT,     /* a = a const char * to write */
    P_LIST,     /* a = the rest of a list whose head is written */
    P_TUPLE,    /* a = a tuple, b = the next element (1-based) */
};

static void item(TermStack *s, unsigned op, term_t a, term_t b) {
    term_stack_push(s, op);
    term_stack_push(s, a);
    term_stack_push(s, b);
}

/* Writes what t starts with; pushes items for the rest. */
static void print_one(Out *o, TermStack *s, term_t t) {
    if (is_atom(t)) {
        print_atom(o, t);
    } else if (is_nil(t)) {
        puts_(o, "[]");
    } else if (is_list(t)) {
        if (is_string(t)) {
            putc_(o, '"');
            for (; is_list(t) && o->len < o->cap; t = cons_tail(t))
                put_escaped(o, (uint64_t)small_value(cons_head(t)));
            putc_(o, '"');
            return;
        }
        putc_(o, '[');
        item(s, P_LIST, cons_tail(t), 0);
        item(s, P_TERM, cons_head(t), 0);
    } else if (is_float(t)) {
        char b[48];
        snprintf(b, sizeof b, "%e", float_value(t));
        puts_(o, b);
    } else if (is_tuple(t)) {
        putc_(o, '{');
        item(s, P_TUPLE, t, 1);
    } else if (is_map(t)) {
        /* #{K1=>V1,K2=>V2}: the items of every pair, pushed in order
         * then reversed (the text is cut at cap anyway) */
        MapIter it;
        term_t k, v;
        puts_(o, "#{");
        item(s, P_TEXT, (term_t)(uintptr_t)"}", 0);
        size_t from = term_stack_depth(s);
        map_iter_init(&it, t);
        for (bool first = true; map_iter_next(&it, &k, &v); first = false) {
            if (!first) item(s, P_TEXT, (term_t)(uintptr_t)",", 0);
            item(s, P_TERM, k, 0);
            item(s, P_TEXT, (term_t)(uintptr_t)"=>", 0);
            item(s, P_TERM, v, 0);
        }
        term_t *lo = s->start + from, *hi = s->sp - 3;
        for (; lo < hi; lo += 3, hi -= 3) {
            term_t tmp[3];
            memcpy(tmp, lo, sizeof tmp);
            memcpy(lo, hi, sizeof tmp);
            memcpy(hi, tmp, sizeof tmp);
        }
    } else if (is_bitstring(t)) {
        print_binary(o, t);
    } else {
        print_leaf(o, t);
    }
}

static void print(Out *o, term_t t0) {
    TermStack s;
    term_stack_init(&s);
    item(&s, P_TERM, t0, 0);
    while (!term_stack_empty(&s) && o->len < o->cap) {   /* past cap: cut */
        term_t b = term_stack_pop(&s), a = term_stack_pop(&s), op = term_stack_pop(&s);
        switch (op) {
        case P_TERM:
            print_one(o, &s, a);
            break;
        case P_TEXT:
            puts_(o, (const char *)(uintptr_t)a);
            break;
        case P_LIST:
            if (is_list(a)) {
                putc_(o, ',');
                item(&s, P_LIST, cons_tail(a), 0);
                item(&s, P_TERM, cons_head(a), 0);
            } else if (!is_nil(a)) {
                putc_(o, '|');
                item(&s, P_TEXT, (term_t)(uintptr_t)"]", 0);
                item(&s, P_TERM, a, 0);
            } else {
                putc_(o, ']');
            }
            break;
        case P_TUPLE:
            if (b > tuple_arity(a)) {
                putc_(o, '}');
                break;
            }
            if (b > 1) putc_(o, ',');
            item(&s, P_TUPLE, a, b + 1);
            item(&s, P_TERM, tuple_element(a, b), 0);
            break;
        }
    }
    term_stack_free(&s);
}

size_t ms_text_term(char *buf, size_t cap, term_t t) {
    Out o = {buf, cap, 0};
    print(&o, t);
    if (cap) buf[o.len < cap ? o.len : cap - 1] = '\0';
    return o.len;
}
