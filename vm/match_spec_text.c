/*
 * match_spec_text.c — terms as erts' own printer writes them in match
 * specification diagnostics (OTP's "%T"), which is not io_lib's ~p: atoms
 * are quoted only by their characters (keywords such as andalso print
 * bare, 'a@b' is quoted), floats print as C's "%e", maps without spaces
 * (#{a=>b}). erlang:match_spec_test/3 returns these texts, so they must be
 * byte-identical to OTP's. The whole diagnostic is cut at
 * MS_ERROR_MAX_BYTES, as OTP's fixed buffer does.
 */
#include <stdio.h>
#include <string.h>

#include "vm/atom.h"
#include "vm/binary.h"
#include "vm/map.h"
#include "vm/match_spec_text.h"
#include "vm/term_print.h"

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

static void print(Out *o, term_t t, int depth);

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

static void print(Out *o, term_t t, int depth) {
    if (o->len >= o->cap || depth > TERM_PRINT_MAX_DEPTH) return; /* cut anyway */
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
        print(o, cons_head(t), depth + 1);
        for (t = cons_tail(t); is_list(t) && o->len < o->cap; t = cons_tail(t)) {
            putc_(o, ',');
            print(o, cons_head(t), depth + 1);
        }
        if (!is_nil(t) && !is_list(t)) {
            putc_(o, '|');
            print(o, t, depth + 1);
        }
        putc_(o, ']');
    } else if (is_float(t)) {
        char b[48];
        snprintf(b, sizeof b, "%e", float_value(t));
        puts_(o, b);
    } else if (is_tuple(t)) {
        putc_(o, '{');
        for (uint64_t i = 1; i <= tuple_arity(t) && o->len < o->cap; i++) {
            if (i > 1) putc_(o, ',');
            print(o, tuple_element(t, i), depth + 1);
        }
        putc_(o, '}');
    } else if (is_map(t)) {
        MapIter it;
        term_t k, v;
        bool first = true;
        puts_(o, "#{");
        map_iter_init(&it, t);
        while (map_iter_next(&it, &k, &v) && o->len < o->cap) {
            if (!first) putc_(o, ',');
            first = false;
            print(o, k, depth + 1);
            puts_(o, "=>");
            print(o, v, depth + 1);
        }
        putc_(o, '}');
    } else if (is_bitstring(t)) {
        print_binary(o, t);
    } else {
        print_leaf(o, t);
    }
}

size_t ms_text_term(char *buf, size_t cap, term_t t) {
    Out o = {buf, cap, 0};
    print(&o, t, 0);
    if (cap) buf[o.len < cap ? o.len : cap - 1] = '\0';
    return o.len;
}
