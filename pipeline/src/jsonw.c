/*
 * jsonw.c: the streaming JSON writer (jsonw.h) over yajl's generator. yajl
 * does the structure (separators, nesting checks) and the string escaping;
 * this file adds the buffer, jansson's UTF-8 rule and jansson's way of
 * printing reals, which yajl_gen_double ("%.20g") does not share.
 */
#include "tm/jsonw.h"
#include "tm/common.h"
#include "tm/utf8.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <yajl/yajl_gen.h>

static int grow(tm_jw *w, size_t n)
{
    size_t cap = w->cap ? w->cap : 4096;
    while (n > cap - w->len)
        cap *= 2;
    char *b = tm_realloc(w->buf, cap);
    if (!b) {
        w->failed = 1;
        return -1;
    }
    w->buf = b;
    w->cap = cap;
    return 0;
}

/* yajl's print callback, called for every token and separator: mostly one
 * or a few bytes. Constant-size copies compile to a move or two; a call to
 * memcpy for each would cost more than the rest of the callback. */
static __attribute__((noinline)) void put_slow(tm_jw *w, const char *s, size_t n)
{
    if (w->failed || grow(w, n) != 0) return;
    memcpy(w->buf + w->len, s, n);
    w->len += n;
}

/* (the growing path out of line, so that this one saves no registers) */
static void put(void *ctx, const char *s, size_t n)
{
    tm_jw *w = ctx;
    size_t len = w->len;
    if (__builtin_expect(n > w->cap - len, 0)) {
        put_slow(w, s, n);
        return;
    }
    char *d = w->buf + len;
    w->len = len + n;
    if (n == 1) { /* a quote, comma, colon or bracket: most calls */
        d[0] = s[0];
        return;
    }
    switch (n) {
    case 2:
        memcpy(d, s, 2);
        return;
    case 3:
        memcpy(d, s, 3);
        return;
    case 4:
        memcpy(d, s, 4);
        return;
    default:
        memcpy(d, s, n);
    }
}

int tm_jw_init(tm_jw *w)
{
    memset(w, 0, sizeof *w);
    yajl_gen g = yajl_gen_alloc(NULL);
    if (!g) return TM_ENOMEM;
    yajl_gen_config(g, yajl_gen_print_callback, put, w);
    w->gen = g;
    return TM_OK;
}

void tm_jw_dispose(tm_jw *w)
{
    if (w->gen) yajl_gen_free(w->gen);
    tm_free(w->buf);
    memset(w, 0, sizeof *w);
}

int tm_jw_reserve(tm_jw *w, size_t n)
{
    if (n <= w->cap - w->len) return TM_OK;
    return grow(w, n) == 0 ? TM_OK : TM_ENOMEM;
}

void tm_jw_reset(tm_jw *w)
{
    /* a generator that completed a value refuses more until reset; the
     * formatted reals stay, they are the same text in any line */
    yajl_gen_reset(w->gen, NULL);
    w->len = 0;
    w->failed = 0;
}

int tm_jw_utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        uint64_t x;
        if (n - i >= 8 && (memcpy(&x, p + i, 8), !(x & 0x8080808080808080u))) {
            i += 8; /* eight ASCII bytes: most of the text, no decoding */
            continue;
        }
        if (p[i] < 0x80) {
            i++;
            continue;
        }
        uint32_t cp;
        size_t k = tm_utf8_decode(p + i, n - i, &cp);
        if (!k) return 0;
        i += k;
    }
    return 1;
}

static void check(tm_jw *w, yajl_gen_status st)
{
    if (st != yajl_gen_status_ok) w->failed = 1;
}

void tm_jw_open_object(tm_jw *w)
{
    check(w, yajl_gen_map_open(w->gen));
}

void tm_jw_close_object(tm_jw *w)
{
    check(w, yajl_gen_map_close(w->gen));
}

void tm_jw_open_array(tm_jw *w)
{
    check(w, yajl_gen_array_open(w->gen));
}

void tm_jw_close_array(tm_jw *w)
{
    check(w, yajl_gen_array_close(w->gen));
}

void tm_jw_str(tm_jw *w, const char *s, size_t n)
{
    check(w, yajl_gen_string(w->gen, (const unsigned char *)s, n));
}

void tm_jw_int(tm_jw *w, long long v)
{
    /* the "%lld" of yajl_gen_integer and jansson, without printf */
    char b[24], *p = b + sizeof b;
    unsigned long long u = v < 0 ? 0 - (unsigned long long)v : (unsigned long long)v;
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0) *--p = '-';
    check(w, yajl_gen_number(w->gen, p, (size_t)(b + sizeof b - p)));
}

/* jansson's jsonp_dtostr: "%.17g", ".0" when it reads as an integer, no '+'
 * or leading zeros in the exponent. Returns the length, 0 if it fails. */
static size_t real_text(char *buf, size_t size, double v)
{
    int r = snprintf(buf, size, "%.17g", v);
    if (r < 0 || (size_t)r + 3 >= size) return 0;
    size_t len = (size_t)r;
    if (!strchr(buf, '.') && !strchr(buf, 'e')) {
        memcpy(buf + len, ".0", 3);
        len += 2;
    }
    char *start = strchr(buf, 'e');
    if (start) {
        start++;
        char *end = start + 1;
        if (*start == '-') start++;
        while (*end == '0')
            end++;
        if (end != start) {
            memmove(start, end, len - (size_t)(end - buf) + 1);
            len -= (size_t)(end - start);
        }
    }
    return len;
}

void tm_jw_real(tm_jw *w, double v)
{
    /* printf's "%.17g" costs thousands of instructions, and a document
     * repeats a few weights (sums of the lexicon's): remember them */
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    struct tm_jw_real *r = &w->reals[(bits ^ bits >> 29 ^ bits >> 47) % TM_JW_REALS];
    if (!r->len || r->bits != bits) {
        size_t n = isfinite(v) ? real_text(r->text, sizeof r->text, v) : 0;
        if (!n) {
            r->len = 0;
            w->failed = 1;
            return;
        }
        r->bits = bits;
        r->len = (unsigned char)n;
    }
    check(w, yajl_gen_number(w->gen, r->text, r->len));
}

void tm_jw_bool(tm_jw *w, int v)
{
    check(w, yajl_gen_bool(w->gen, v != 0));
}

void tm_jw_null(tm_jw *w)
{
    check(w, yajl_gen_null(w->gen));
}

void tm_jw_kreal(tm_jw *w, const char *key, double v)
{
    if (!isfinite(v)) return;
    tm_jw_key(w, key);
    tm_jw_real(w, v);
}

void tm_jw_elem_str(tm_jw *w, const char *s)
{
    if (!s) return;
    size_t n = strlen(s);
    if (tm_jw_utf8_valid(s, n)) tm_jw_str(w, s, n);
}
