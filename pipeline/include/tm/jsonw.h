/*
 * jsonw.h: a streaming JSON writer (yajl's generator) for the per-document
 * lines of `tension extract`: tokens go straight into one growable buffer,
 * with no tree, no per-value allocation and no second pass.
 *
 * The bytes are the ones jansson's json_dumps(o, JSON_COMPACT) printed for
 * the same values, so the output did not change when the writer replaced the
 * jansson tree: insertion order, no spaces, `/` unescaped, `\uXXXX` (upper
 * case) for the other control characters, non-ASCII as UTF-8, integers
 * "%lld", reals as jansson's "%.17g" with ".0" appended to integral values.
 * jansson refuses a string that is not valid UTF-8 (and a real that is not
 * finite) and json_object_set_new() then drops the member; the `tm_jw_k*`
 * member writers do the same, so a bad path or text loses one member, not the
 * line. tests/unit/test_jsonw.c checks all of this against jansson itself.
 *
 * Usage:
 *     tm_jw w;
 *     if (tm_jw_init(&w) != TM_OK) ...
 *     tm_jw_open_object(&w);
 *     tm_jw_kstr(&w, "doc", path);
 *     tm_jw_key(&w, "words");
 *     tm_jw_int(&w, 12);
 *     tm_jw_close_object(&w);
 *     if (!w.failed) fwrite(w.buf, 1, w.len, out);
 *     tm_jw_reset(&w);          // next value, same buffer
 *     tm_jw_dispose(&w);
 */
#ifndef TM_JSONW_H
#define TM_JSONW_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define TM_JW_REALS 16

typedef struct tm_jw {
    char *buf;          /* the JSON written since the last reset; not NUL-terminated */
    size_t len;         /* bytes in buf */
    size_t cap;         /* bytes allocated */
    int failed;         /* sticky: out of memory, or tokens out of order (a bug) */
    void *gen;          /* the yajl_gen */
    struct tm_jw_real { /* private: reals already formatted, by their bits */
        uint64_t bits;
        unsigned char len;
        char text[31];
    } reals[TM_JW_REALS];
} tm_jw;

/* Returns TM_OK or TM_ENOMEM. yajl keeps a pointer to `w`: it must not be
 * copied or moved until tm_jw_dispose(). */
int tm_jw_init(tm_jw *w);
void tm_jw_dispose(tm_jw *w);

/* Makes room for n more bytes, so that a line of about that size is not
 * copied as the buffer doubles. Returns TM_OK or TM_ENOMEM. */
int tm_jw_reserve(tm_jw *w, size_t n);

/* Empties the buffer (keeping its memory) for the next top-level value. */
void tm_jw_reset(tm_jw *w);

/* 1 if the n bytes are UTF-8 as jansson accepts it (NUL included; no
 * overlong forms, surrogates or values above U+10FFFF), else 0. */
int tm_jw_utf8_valid(const char *s, size_t n);

void tm_jw_open_object(tm_jw *w);
void tm_jw_close_object(tm_jw *w);
void tm_jw_open_array(tm_jw *w);
void tm_jw_close_array(tm_jw *w);

/* Values (after a key, or as array elements). tm_jw_str writes the bytes
 * as given: check tm_jw_utf8_valid first when they may be invalid. */
void tm_jw_str(tm_jw *w, const char *s, size_t n);
void tm_jw_int(tm_jw *w, long long v);
void tm_jw_real(tm_jw *w, double v);
void tm_jw_bool(tm_jw *w, int v);
void tm_jw_null(tm_jw *w);

/* The key and member writers below are inline so that the strlen of a
 * constant key is folded where it is called: per member, it and the call
 * were a large part of what the writer itself cost. */

/* A key in an open object. The caller has checked it is valid UTF-8
 * (constants are; use tm_jw_utf8_valid for data). */
static inline void tm_jw_key(tm_jw *w, const char *key)
{
    tm_jw_str(w, key, strlen(key));
}

/* Members as json_object_set_new(o, key, json_string(s)) made them: the
 * member is left out when s is NULL or not valid UTF-8. */
static inline void tm_jw_kstrn(tm_jw *w, const char *key, const char *s, size_t n)
{
    if (!s || !tm_jw_utf8_valid(s, n)) return;
    tm_jw_key(w, key);
    tm_jw_str(w, s, n);
}

static inline void tm_jw_kstr(tm_jw *w, const char *key, const char *s)
{
    if (s) tm_jw_kstrn(w, key, s, strlen(s));
}

static inline void tm_jw_kint(tm_jw *w, const char *key, long long v)
{
    tm_jw_key(w, key);
    tm_jw_int(w, v);
}

/* Left out when v is not finite (json_real() refuses it). */
void tm_jw_kreal(tm_jw *w, const char *key, double v);

static inline void tm_jw_kbool(tm_jw *w, const char *key, int v)
{
    tm_jw_key(w, key);
    tm_jw_bool(w, v);
}

static inline void tm_jw_knull(tm_jw *w, const char *key)
{
    tm_jw_key(w, key);
    tm_jw_null(w);
}

/* s ? json_string(s) : json_null(): null for NULL, left out when invalid. */
static inline void tm_jw_kstr_or_null(tm_jw *w, const char *key, const char *s)
{
    if (s)
        tm_jw_kstrn(w, key, s, strlen(s));
    else
        tm_jw_knull(w, key);
}

/* An array element as json_array_append_new(a, json_string(s)) made it: left
 * out when s is NULL or not valid UTF-8. */
void tm_jw_elem_str(tm_jw *w, const char *s);

#endif
