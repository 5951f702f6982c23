/*
 * term_print.c — ~p-like printing into a bounded buffer, with an explicit
 * work stack instead of C recursion.
 */
#include "vm/term_print.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm/atom.h"
#include "vm/bignum.h"
#include "vm/binary.h"
#include "vm/fun.h"
#include "vm/map.h"
#include "vm/term_compare.h"
#include "vm/term_stack.h"

typedef struct {
    char *buf;
    size_t cap, len;
} Out;

static void put(Out *o, const char *s, size_t n) {
    for (size_t i = 0; i < n; i++, o->len++) {
        if (o->len + 1 < o->cap) o->buf[o->len] = s[i];
    }
}
static void puts_(Out *o, const char *s) { put(o, s, strlen(s)); }
static void putc_(Out *o, char c) { put(o, &c, 1); }
static void putu(Out *o, uint64_t v) {
    char b[24];
    int n = snprintf(b, sizeof b, "%llu", (unsigned long long)v);
    put(o, b, (size_t)n);
}

size_t term_print_float(char *buf, size_t cap, double d) {
    char t[40];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(t, sizeof t, "%.*g", prec, d);
        if (strtod(t, NULL) == d) break;
    }
    /* Erlang style: mantissa always has ".0"-style fraction; "e+20" -> "e20". */
    char mant[40], out[48];
    const char *e = strchr(t, 'e');
    size_t ml = e ? (size_t)(e - t) : strlen(t);
    memcpy(mant, t, ml);
    mant[ml] = '\0';
    if (!strchr(mant, '.')) strcat(mant, ".0");
    if (e) {
        int ex = atoi(e + 1);
        snprintf(out, sizeof out, "%se%d", mant, ex);
    } else {
        snprintf(out, sizeof out, "%s", mant);
    }
    size_t n = strlen(out);
    if (cap) {
        size_t c = n < cap - 1 ? n : cap - 1;
        memcpy(buf, out, c);
        buf[c] = '\0';
    }
    return n;
}

static const char *const reserved[] = {
    "after", "and", "andalso", "band", "begin", "bnot", "bor", "bsl", "bsr", "bxor",
    "case", "catch", "cond", "div", "end", "fun", "if", "let", "maybe", "not", "of",
    "or", "orelse", "receive", "rem", "try", "when", "xor",
};

static void print_atom(Out *o, term_t a) {
    const Atom *at = atom_get(a);
    bool plain = at->len_bytes > 0 && at->name[0] >= 'a' && at->name[0] <= 'z'; /* ASCII only */
    for (size_t i = 0; plain && i < at->len_bytes; i++) {
        uint8_t c = at->name[i];
        plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '_' || c == '@';
    }
    for (size_t i = 0; plain && i < sizeof reserved / sizeof reserved[0]; i++) {
        if (strlen(reserved[i]) == at->len_bytes && !memcmp(reserved[i], at->name, at->len_bytes))
            plain = false;
    }
    if (plain) {
        put(o, (const char *)at->name, at->len_bytes);
        return;
    }
    /* quoted; as ~p, code points above 255 print as \x{HEX} */
    putc_(o, '\'');
    for (size_t i = 0; i < at->len_bytes; i++) {
        uint8_t c = at->name[i];
        if (c >= 0x80) {
            size_t k = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : 1;
            uint32_t cp = c & (0x3Fu >> k);
            for (size_t j = 1; j <= k && i + j < at->len_bytes; j++) cp = (cp << 6) | (at->name[i + j] & 0x3F);
            if (cp > 0xFF) {
                char b[16];
                snprintf(b, sizeof b, "\\x{%X}", (unsigned)cp);
                puts_(o, b);
            } else {
                put(o, (const char *)at->name + i, k + 1);
            }
            i += k;
            continue;
        }
        if (c == '\'' || c == '\\') putc_(o, '\\');
        putc_(o, (char)c);
    }
    putc_(o, '\'');
}

static bool printable(uint64_t c) { return (c >= 32 && c <= 126) || (c >= 8 && c <= 13) || c == 27; }

static void put_char_escaped(Out *o, uint64_t c, char quote) {
    switch (c) {
    case '\n': puts_(o, "\\n"); return;
    case '\t': puts_(o, "\\t"); return;
    case '\r': puts_(o, "\\r"); return;
    case '\b': puts_(o, "\\b"); return;
    case '\f': puts_(o, "\\f"); return;
    case '\v': puts_(o, "\\v"); return;
    case 27: puts_(o, "\\e"); return;
    default:
        if (c == (uint64_t)quote || c == '\\') putc_(o, '\\');
        putc_(o, (char)c);
    }
}

static bool is_printable_string(term_t t) {
    if (!is_list(t)) return false;
    for (; is_list(t); t = cons_tail(t)) {
        term_t h = cons_head(t);
        if (!is_small(h) || small_value(h) < 0 || !printable((uint64_t)small_value(h))) return false;
    }
    return is_nil(t);
}

static void print_integer(Out *o, term_t t) {
    if (is_small(t)) {
        char b[24];
        int n = snprintf(b, sizeof b, "%lld", (long long)small_value(t));
        put(o, b, (size_t)n);
        return;
    }
    size_t max = big_text_len_max(t, 10) + 1;
    char local[128];
    char *b = max <= sizeof local ? local : malloc(max);
    if (!b) {
        puts_(o, "<bignum>");
        return;
    }
    size_t n = big_to_text(t, 10, b, max);
    put(o, b, n);
    if (b != local) free(b);
}

static void print_bitstring(Out *o, term_t t) {
    const uint8_t *p;
    size_t off, bits;
    bitstring_get(t, &p, &off, &bits);
    size_t bytes = bits / 8;
    bool text = bytes > 0 && bits % 8 == 0;
    for (size_t i = 0; text && i < bytes; i++) {
        uint8_t b;
        bits_copy(&b, 0, p, off + i * 8, 8);
        text = printable(b);
    }
    puts_(o, "<<");
    if (text) putc_(o, '"');
    for (size_t i = 0; i < bytes; i++) {
        uint8_t b;
        bits_copy(&b, 0, p, off + i * 8, 8);
        if (text) {
            put_char_escaped(o, b, '"');
        } else {
            if (i) putc_(o, ',');
            putu(o, b);
        }
    }
    if (text) putc_(o, '"');
    if (bits % 8) {
        uint8_t b = 0;
        bits_copy(&b, 0, p, off + bytes * 8, bits % 8);
        if (bytes) putc_(o, ',');
        putu(o, (uint64_t)(b >> (8 - bits % 8)));
        putc_(o, ':');
        putu(o, bits % 8);
    }
    puts_(o, ">>");
}

static void print_ident(Out *o, term_t t) {
    char b[96];
    if (is_internal_pid(t)) {
        snprintf(b, sizeof b, "<0.%u.%u>", pid_number(t), pid_serial(t));
    } else if (is_internal_port(t)) {
        snprintf(b, sizeof b, "#Port<0.%llu>", (unsigned long long)port_number(t));
    } else if (is_ref(t)) {
        snprintf(b, sizeof b, "#Ref<0.%u.%u.%u>", ref_number(t, 2), ref_number(t, 1), ref_number(t, 0));
    } else {
        ExternalThing *e = external_val(t);
        const Atom *node = atom_get(e->node);
        int nl = node->len_bytes > 40 ? 40 : node->len_bytes;
        if (is_external_pid(t))
            snprintf(b, sizeof b, "<%.*s.%u.%u>", nl, node->name, e->num[0], e->num[1]);
        else if (is_external_port(t))
            snprintf(b, sizeof b, "#Port<%.*s.%u>", nl, node->name, e->num[0]);
        else
            snprintf(b, sizeof b, "#Ref<%.*s.%u.%u.%u>", nl, node->name, e->n_num > 2 ? e->num[2] : 0,
                     e->n_num > 1 ? e->num[1] : 0, e->num[0]);
    }
    puts_(o, b);
}

/* ---- the walk ----
 * No C recursion (docs/terms.md, "Walking terms"): what is still to print
 * is a stack of items of two words, [payload, op], popped in order. */
enum { OP_TERM, OP_TEXT, OP_LIST_REST, OP_TUPLE_REST };
_Static_assert(TERM_PRINT_MAX_DEPTH + 1 < 256, "a depth fits the op word's 8 bits");
#define OP(kind, depth, index) ((term_t)(kind) | (term_t)(depth) << 8 | (term_t)(index) << 16)
#define OP_KIND(w) ((int)((w) & 0xFF))
#define OP_DEPTH(w) ((int)(((w) >> 8) & 0xFF))
#define OP_INDEX(w) ((uint64_t)((w) >> 16))

static void push_item(TermStack *s, term_t payload, term_t op) {
    term_stack_push(s, payload);
    term_stack_push(s, op);
}
static void push_text(TermStack *s, const char *text) {
    push_item(s, (term_t)(uintptr_t)text, OP(OP_TEXT, 0, 0));
}

/* Prints the non-container terms; a list, tuple or map prints its opening
 * and pushes what follows. */
static void print_one(Out *o, TermStack *s, term_t t, int depth) {
    if (depth > TERM_PRINT_MAX_DEPTH) {
        puts_(o, "...");
        return;
    }
    if (is_integer(t)) {
        print_integer(o, t);
    } else if (is_atom(t)) {
        print_atom(o, t);
    } else if (is_nil(t)) {
        puts_(o, "[]");
    } else if (is_list(t)) {
        if (is_printable_string(t)) {
            putc_(o, '"');
            for (; is_list(t); t = cons_tail(t)) put_char_escaped(o, (uint64_t)small_value(cons_head(t)), '"');
            putc_(o, '"');
            return;
        }
        putc_(o, '[');
        push_item(s, cons_tail(t), OP(OP_LIST_REST, depth + 1, 0));
        push_item(s, cons_head(t), OP(OP_TERM, depth + 1, 0));
    } else if (is_float(t)) {
        char b[48];
        size_t n = term_print_float(b, sizeof b, float_value(t));
        put(o, b, n);
    } else if (is_tuple(t)) {
        putc_(o, '{');
        push_item(s, t, OP(OP_TUPLE_REST, depth + 1, 1));
    } else if (is_map(t)) {
        /* "}" last, then the pairs in iteration order: pushed forward,
         * then the items reversed in place */
        puts_(o, "#{");
        push_text(s, "}");
        size_t from = term_stack_depth(s);
        MapIter it;
        term_t k, v;
        bool first = true;
        map_iter_init(&it, t);
        while (map_iter_next(&it, &k, &v)) {
            if (!first) push_text(s, ",");
            first = false;
            push_item(s, k, OP(OP_TERM, depth + 1, 0));
            push_text(s, " => ");
            push_item(s, v, OP(OP_TERM, depth + 1, 0));
        }
        for (term_t *lo = s->start + from, *hi = s->sp - 2; lo < hi; lo += 2, hi -= 2) {
            term_t p = lo[0], q = lo[1];
            lo[0] = hi[0];
            lo[1] = hi[1];
            hi[0] = p;
            hi[1] = q;
        }
    } else if (is_bitstring(t)) {
        print_bitstring(o, t);
    } else if (is_export(t)) {
        const ErtsMFA *m = export_mfa(t);
        puts_(o, "fun ");
        print_atom(o, m->module);
        putc_(o, ':');
        print_atom(o, m->function);
        putc_(o, '/');
        putu(o, m->arity);
    } else if (is_fun(t)) {
        const FunEntry *fe = fun_val(t)->entry;
        puts_(o, "#Fun<");
        print_atom(o, fe->module);
        putc_(o, '.');
        putu(o, fe->index);
        putc_(o, '.');
        putu(o, fe->old_uniq);
        putc_(o, '>');
    } else if (is_pid(t) || is_port(t) || is_reference(t)) {
        print_ident(o, t);
    } else if (t == THE_NON_VALUE) {
        puts_(o, "THE_NON_VALUE");
    } else {
        char b[40];
        snprintf(b, sizeof b, "<bad term %#llx>", (unsigned long long)t);
        puts_(o, b);
    }
}

static void print(Out *o, term_t t) {
    TermStack s;
    term_stack_init(&s);
    print_one(o, &s, t, 0);
    while (!term_stack_empty(&s)) {
        term_t op = term_stack_pop(&s), x = term_stack_pop(&s);
        int depth = OP_DEPTH(op);
        switch (OP_KIND(op)) {
        case OP_TERM:
            print_one(o, &s, x, depth);
            break;
        case OP_TEXT:
            puts_(o, (const char *)(uintptr_t)x);
            break;
        case OP_LIST_REST: /* x: the tail after an element */
            if (is_list(x)) {
                putc_(o, ',');
                push_item(&s, cons_tail(x), op);
                push_item(&s, cons_head(x), OP(OP_TERM, depth, 0));
            } else if (is_nil(x)) {
                putc_(o, ']');
            } else {
                putc_(o, '|');
                push_text(&s, "]");
                push_item(&s, x, OP(OP_TERM, depth, 0));
            }
            break;
        case OP_TUPLE_REST: { /* x: the tuple; element OP_INDEX(op) next */
            uint64_t i = OP_INDEX(op);
            if (i > tuple_arity(x)) {
                putc_(o, '}');
                break;
            }
            if (i > 1) putc_(o, ',');
            push_item(&s, x, OP(OP_TUPLE_REST, depth, i + 1));
            push_item(&s, tuple_element(x, i), OP(OP_TERM, depth, 0));
            break;
        }
        }
    }
    term_stack_free(&s);
}

size_t term_print(char *buf, size_t cap, term_t t) {
    Out o = {buf, cap, 0};
    print(&o, t);
    if (cap) buf[o.len < cap ? o.len : cap - 1] = '\0';
    return o.len;
}
