/*
 * test_jsonw.c: the streaming writer prints the bytes jansson's
 * json_dumps(JSON_COMPACT) printed for the same values, which `extract`
 * relies on to keep its lines unchanged: every ASCII character (quotes,
 * backslash, slash, DEL, each control character), non-ASCII, NUL inside a
 * string, the strings jansson refuses (the member or element is then left
 * out), integers at their limits, reals (jansson's "%.17g" and its ".0" and
 * exponent fix-ups, the writer's cache of formatted reals) and non-finite
 * reals (left out), nesting and separators.
 */
#include "tm/common.h"
#include "tm/jsonw.h"
#include "tm_test.h"

#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>

/* {"k": <s as json_stringn made it>} by jansson and by the writer. */
static int same_member(const char *s, size_t n)
{
    json_t *o = json_object();
    json_object_set_new(o, "k", json_stringn(s, n));
    char *want = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    tm_jw w;
    if (tm_jw_init(&w) != TM_OK) return 0;
    tm_jw_open_object(&w);
    tm_jw_kstrn(&w, "k", s, n);
    tm_jw_close_object(&w);
    int ok = want && !w.failed && strlen(want) == w.len && !memcmp(want, w.buf, w.len);
    if (!ok) {
        fprintf(stderr, "  bytes:");
        for (size_t i = 0; i < n; i++)
            fprintf(stderr, " %02x", (unsigned char)s[i]);
        fprintf(stderr, "\n  jansson: %s\n  writer:  %.*s\n", want ? want : "(null)", (int)w.len,
                w.buf);
    }
    free(want);
    tm_jw_dispose(&w);
    return ok;
}

static void test_ascii_and_escapes(void)
{
    for (int c = 0; c < 128; c++) {
        char s[3] = {'a', (char)c, 'z'};
        TM_CHECK(same_member(s, 3));
        TM_CHECK(same_member(s + 1, 1));
    }
    static const char *const v[] = {
        "",
        "plain words",
        "\"quoted\" and \\back\\slashed\\",
        "a/b/c </script>",
        "tab\there, new\nline, cr\r, ff\f, bs\b, esc\x1b[0m, unit\x1f, del\x7f",
        "caf\xc3\xa9 \xe2\x80\x94 \xe2\x82\xac \xf0\x9f\x98\x80 \xc2\xa0 \xef\xbf\xbd",
        "\xf4\x8f\xbf\xbf \xee\x80\x80 \xed\x9f\xbf",
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        TM_CHECK(same_member(v[i], strlen(v[i])));
    TM_CHECK(same_member("nul\0inside", 10));
}

/* Every string jansson refuses the writer leaves out, and no other. */
static void test_invalid_utf8(void)
{
    static const char *const bad[] = {
        "\x80",
        "\xbf",
        "\xc0\xaf",
        "\xc1\xbf",
        "\xc2",
        "\xe0\x80\xaf",
        "\xe0\x9f\xbf",
        "\xed\xa0\x80",
        "\xed\xbf\xbf",
        "\xe2\x82",
        "\xf0\x80\x80",
        "\xf0\x8f\xbf\xbf",
        "\xf4\x90\x80\x80",
        "\xf5\x80\x80\x80",
        "\xff",
        "\xfe",
        "ok \xff\xfe then ok",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        TM_CHECK(!tm_jw_utf8_valid(bad[i], strlen(bad[i])));
        TM_CHECK(same_member(bad[i], strlen(bad[i])));
    }
    /* every 1- and 2-byte string, and 3- and 4-byte ones around the limits */
    unsigned char s[4];
    int fails = 0;
    for (unsigned a = 0; a < 256; a++) {
        s[0] = (unsigned char)a;
        fails += !same_member((char *)s, 1);
        for (unsigned b = 0; b < 256; b++) {
            s[1] = (unsigned char)b;
            fails += !same_member((char *)s, 2);
        }
    }
    static const unsigned char edge[] = {0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f,
                                         0xa0, 0xbf, 0xc0, 0xc2, 0xe0, 0xf4, 0xff};
    for (unsigned a = 0xc0; a < 256; a++) {
        s[0] = (unsigned char)a;
        for (unsigned b = 0; b < 256; b++) {
            s[1] = (unsigned char)b;
            for (size_t c = 0; c < sizeof edge; c++) {
                s[2] = edge[c];
                fails += !same_member((char *)s, 3);
                for (size_t d = 0; a >= 0xf0 && d < sizeof edge; d++) {
                    s[3] = edge[d];
                    fails += !same_member((char *)s, 4);
                }
            }
        }
    }
    /* longer strings: ASCII runs of 8 (the fast path) around one bad byte */
    uint32_t x = 12345;
    for (int i = 0; i < 20000 && fails < 5; i++) {
        char r[24];
        size_t n = 1 + i % 23;
        for (size_t j = 0; j < n; j++) {
            x = x * 1103515245u + 12345u;
            unsigned v = x >> 16;
            r[j] = (char)(v % 8 ? 0x20 + v % 95 : v >> 8);
        }
        fails += !same_member(r, n);
    }
    TM_CHECK_INT(fails, 0);
}

static void test_elements_and_keys(void)
{
    static const char *const v[] = {"fine", "\xff", "", "a\"b", NULL};
    json_t *a = json_array();
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        json_array_append_new(a, json_string(v[i]));
    json_t *o = json_object();
    json_object_set_new(o, "errors", a);
    json_object_set_new(o, "gone", json_string(NULL));
    json_object_set_new(o, "title", json_null());
    json_object_set_new(o, "caf\xc3\xa9", json_integer(2));
    json_object_set_new(o, "yes", json_true());
    json_object_set_new(o, "no", json_false());
    json_object_set_new(o, "empty", json_object());
    char *want = json_dumps(o, JSON_COMPACT);
    json_decref(o);

    tm_jw w;
    TM_CHECK_INT(tm_jw_init(&w), TM_OK);
    tm_jw_open_object(&w);
    tm_jw_key(&w, "errors");
    tm_jw_open_array(&w);
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        tm_jw_elem_str(&w, v[i]);
    tm_jw_close_array(&w);
    tm_jw_kstr(&w, "gone", NULL);
    tm_jw_kstr_or_null(&w, "title", NULL);
    tm_jw_kint(&w, "caf\xc3\xa9", 2);
    tm_jw_kbool(&w, "yes", 7);
    tm_jw_kbool(&w, "no", 0);
    tm_jw_key(&w, "empty");
    tm_jw_open_object(&w);
    tm_jw_close_object(&w);
    tm_jw_close_object(&w);
    TM_CHECK(!w.failed);
    TM_CHECK_MEM(w.buf, w.len, want);
    /* a second line in the same writer */
    tm_jw_reset(&w);
    tm_jw_open_array(&w);
    tm_jw_close_array(&w);
    TM_CHECK_MEM(w.buf, w.len, "[]");
    tm_jw_dispose(&w);
    free(want);
}

static void test_numbers(void)
{
    static const long long ints[] = {
        0, 1, -1, 9, 10, 99, 100, 4294967295LL, -4294967296LL, LLONG_MAX, LLONG_MIN};
    static const double reals[] = {0.0,
                                   -0.0,
                                   1.0,
                                   -1.0,
                                   0.1,
                                   0.5,
                                   1.8000000119209290,
                                   2.6,
                                   100.0,
                                   1e15,
                                   1e16,
                                   1e17,
                                   1e20,
                                   1e-5,
                                   1.5e-7,
                                   123456789.125,
                                   5e-324,
                                   1.7976931348623157e308,
                                   0.30000000000000004,
                                   3.0,
                                   0.1,
                                   1.0,
                                   1e20}; /* repeats: the cache */
    json_t *a = json_array();
    tm_jw w;
    TM_CHECK_INT(tm_jw_init(&w), TM_OK);
    tm_jw_open_array(&w);
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
        json_array_append_new(a, json_integer(ints[i]));
        tm_jw_int(&w, ints[i]);
    }
    for (size_t i = 0; i < sizeof reals / sizeof reals[0]; i++) {
        json_array_append_new(a, json_real(reals[i]));
        tm_jw_real(&w, reals[i]);
    }
    /* float weights summed as extract sums them, and values that share
     * a cache slot */
    uint32_t x = 7;
    for (int i = 0; i < 2000; i++) {
        x = x * 1103515245u + 12345u;
        double d = (double)(float)((x >> 8) % 1000 / 100.0f) + (double)(float)(i % 7 * 0.1f);
        if (i % 3 == 0) d = ldexp(d, (int)(x % 200) - 100);
        json_array_append_new(a, json_real(d));
        tm_jw_real(&w, d);
    }
    tm_jw_close_array(&w);
    char *want = json_dumps(a, JSON_COMPACT);
    json_decref(a);
    TM_CHECK(!w.failed);
    TM_CHECK_MEM(w.buf, w.len, want);
    free(want);

    /* json_real() refuses what is not finite: the member goes */
    json_t *o = json_object();
    json_object_set_new(o, "nan", json_real(NAN));
    json_object_set_new(o, "inf", json_real(INFINITY));
    json_object_set_new(o, "w", json_real(0.25));
    want = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    tm_jw_reset(&w);
    tm_jw_open_object(&w);
    tm_jw_kreal(&w, "nan", NAN);
    tm_jw_kreal(&w, "inf", INFINITY);
    tm_jw_kreal(&w, "w", 0.25);
    tm_jw_close_object(&w);
    TM_CHECK_MEM(w.buf, w.len, want);
    free(want);
    tm_jw_dispose(&w);
}

static void test_nesting_errors(void)
{
    tm_jw w;
    TM_CHECK_INT(tm_jw_init(&w), TM_OK);
    tm_jw_open_object(&w);
    tm_jw_int(&w, 1); /* a value where a key belongs: a bug, reported */
    TM_CHECK(w.failed);
    tm_jw_reset(&w);
    TM_CHECK(!w.failed);
    tm_jw_open_array(&w);
    tm_jw_open_object(&w);
    tm_jw_close_object(&w);
    tm_jw_null(&w);
    tm_jw_close_array(&w);
    TM_CHECK(!w.failed);
    TM_CHECK_MEM(w.buf, w.len, "[{},null]");
    tm_jw_dispose(&w);
}

static const tm_test_case cases[] = {
    {"ascii_and_escapes", test_ascii_and_escapes}, {"invalid_utf8", test_invalid_utf8},
    {"elements_and_keys", test_elements_and_keys}, {"numbers", test_numbers},
    {"nesting_errors", test_nesting_errors},       {NULL, NULL},
};

TM_TEST_MAIN(cases)
