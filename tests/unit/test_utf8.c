/*
 * test_utf8.c: strict decoding of 1-4 byte sequences at every boundary,
 * rejection of overlong forms, surrogates, values above U+10FFFF, stray
 * continuation bytes and truncated sequences; encode/decode round trip over
 * every scalar value; the letter test for ASCII, Latin-1 and the punctuation,
 * symbols and arrows that split words.
 */
#include "tm/utf8.h"
#include "tm_test.h"

typedef struct seq {
    const char *bytes;
    size_t n;
    uint32_t cp;
} seq;

static void test_decode_valid(void)
{
    static const seq v[] = {
        {"A", 1, 0x41},
        {"\x00", 1, 0x00},
        {"\x7F", 1, 0x7F},
        {"\xC2\x80", 2, 0x80},
        {"\xC2\xA3", 2, 0xA3}, /* £ */
        {"\xC3\xA9", 2, 0xE9}, /* é */
        {"\xDF\xBF", 2, 0x7FF},
        {"\xE0\xA0\x80", 3, 0x800},
        {"\xE2\x80\x99", 3, 0x2019}, /* ’ */
        {"\xE2\x82\xAC", 3, 0x20AC}, /* € */
        {"\xED\x9F\xBF", 3, 0xD7FF}, /* just below the surrogates */
        {"\xEE\x80\x80", 3, 0xE000}, /* just above them */
        {"\xEF\xBF\xBF", 3, 0xFFFF},
        {"\xF0\x90\x80\x80", 4, 0x10000},
        {"\xF0\x9F\x98\x80", 4, 0x1F600},
        {"\xF4\x8F\xBF\xBF", 4, 0x10FFFF},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        uint32_t cp = 0xDEADBEEF;
        /* trailing bytes after the sequence must not be consumed */
        unsigned char buf[8] = {0};
        memcpy(buf, v[i].bytes, v[i].n);
        buf[v[i].n] = 'x';
        TM_CHECK_INT(tm_utf8_decode(buf, v[i].n + 1, &cp), v[i].n);
        TM_CHECK_INT(cp, v[i].cp);
        /* exactly n bytes available is enough */
        cp = 0xDEADBEEF;
        TM_CHECK_INT(tm_utf8_decode(buf, v[i].n, &cp), v[i].n);
        TM_CHECK_INT(cp, v[i].cp);
    }
}

static void check_invalid(const seq *v, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        uint32_t cp = 0x12345;
        size_t got = tm_utf8_decode((const unsigned char *)v[i].bytes, v[i].n, &cp);
        if (got != 0) fprintf(stderr, "  case %zu accepted (%zu bytes)\n", i, got);
        TM_CHECK_INT(got, 0);
        TM_CHECK_INT(cp, 0x12345); /* untouched on failure */
    }
}

static void test_reject_overlong(void)
{
    static const seq v[] = {
        {"\xC0\x80", 2, 0},         /* U+0000 in two bytes */
        {"\xC0\xAF", 2, 0},         /* '/' */
        {"\xC1\xBF", 2, 0},         /* U+007F */
        {"\xE0\x80\x80", 3, 0},     /* U+0000 in three */
        {"\xE0\x9F\xBF", 3, 0},     /* U+07FF in three */
        {"\xF0\x80\x80\x80", 4, 0}, /* U+0000 in four */
        {"\xF0\x8F\xBF\xBF", 4, 0}, /* U+FFFF in four */
    };
    check_invalid(v, sizeof v / sizeof v[0]);
}

static void test_reject_surrogates(void)
{
    static const seq v[] = {
        {"\xED\xA0\x80", 3, 0}, /* U+D800 */
        {"\xED\xAD\xBF", 3, 0}, /* U+DB7F */
        {"\xED\xB0\x80", 3, 0}, /* U+DC00 */
        {"\xED\xBF\xBF", 3, 0}, /* U+DFFF */
    };
    check_invalid(v, sizeof v / sizeof v[0]);
}

static void test_reject_above_max(void)
{
    static const seq v[] = {
        {"\xF4\x90\x80\x80", 4, 0}, /* U+110000 */
        {"\xF5\x80\x80\x80", 4, 0},
        {"\xF7\xBF\xBF\xBF", 4, 0}, /* U+1FFFFF */
        {"\xF8\x88\x80\x80\x80", 5, 0},
        {"\xFC\x84\x80\x80\x80\x80", 6, 0},
        {"\xFE", 1, 0},
        {"\xFF", 1, 0},
    };
    check_invalid(v, sizeof v / sizeof v[0]);
}

static void test_reject_truncated_and_stray(void)
{
    static const seq v[] = {
        {"", 0, 0},
        {"\x80", 1, 0}, /* lone continuation byte */
        {"\xBF", 1, 0},
        {"\xC3", 1, 0},         /* é without its second byte */
        {"\xE2\x80", 2, 0},     /* ’ cut short */
        {"\xF0\x9F\x98", 3, 0}, /* emoji cut short */
        {"\xC3\x41", 2, 0},     /* continuation replaced by ASCII */
        {"\xE2\x28\xA1", 3, 0},
        {"\xE2\x82\x28", 3, 0},
        {"\xF0\x9F\x98\x41", 4, 0},
        {"\xF0\x28\x8C\xBC", 4, 0},
        {"\xC3\xC3\xA9", 3, 0}, /* a lead byte where a continuation must be */
    };
    check_invalid(v, sizeof v / sizeof v[0]);
    /* a valid sequence with fewer bytes available than it needs */
    uint32_t cp = 7;
    TM_CHECK_INT(tm_utf8_decode((const unsigned char *)"\xE2\x82\xAC", 2, &cp), 0);
    TM_CHECK_INT(tm_utf8_decode((const unsigned char *)"\xF0\x9F\x98\x80", 3, &cp), 0);
    TM_CHECK_INT(cp, 7);
}

static void test_encode_known(void)
{
    static const seq v[] = {
        {"A", 1, 0x41},
        {"\xC2\xA3", 2, 0xA3},
        {"\xDF\xBF", 2, 0x7FF},
        {"\xE0\xA0\x80", 3, 0x800},
        {"\xE2\x9E\xA4", 3, 0x27A4}, /* ➤ */
        {"\xEF\xBF\xBF", 3, 0xFFFF},
        {"\xF0\x90\x80\x80", 4, 0x10000},
        {"\xF4\x8F\xBF\xBF", 4, 0x10FFFF},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        unsigned char out[4] = {0};
        size_t k = tm_utf8_encode(v[i].cp, out);
        TM_CHECK_INT(k, v[i].n);
        TM_CHECK(memcmp(out, v[i].bytes, v[i].n) == 0);
    }
}

static void test_round_trip_all_scalars(void)
{
    size_t bad = 0;
    for (uint32_t cp = 0; cp <= 0x10FFFF; cp++) {
        if (cp >= 0xD800 && cp <= 0xDFFF) continue;
        unsigned char out[5] = {0, 0, 0, 0, 0xAA};
        size_t k = tm_utf8_encode(cp, out);
        size_t want = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
        uint32_t back = 0xFFFFFFFF;
        size_t d = tm_utf8_decode(out, k, &back);
        if (k != want || d != k || back != cp || out[4] != 0xAA) {
            if (bad++ < 5)
                fprintf(stderr, "  U+%04X: encoded %zu bytes, decoded %zu -> U+%04X\n", cp, k, d,
                        back);
        }
    }
    TM_CHECK_INT(bad, 0);
}

static void test_is_letter(void)
{
    static const struct {
        uint32_t cp;
        int letter;
        const char *what;
    } v[] = {
        {'a', 1, "a"},
        {'z', 1, "z"},
        {'A', 1, "A"},
        {'Z', 1, "Z"},
        {'@', 0, "@ (just before A)"},
        {'[', 0, "[ (just after Z)"},
        {'`', 0, "` (just before a)"},
        {'{', 0, "{ (just after z)"},
        {'0', 0, "digit 0"},
        {'9', 0, "digit 9"},
        {' ', 0, "space"},
        {'\'', 0, "ASCII apostrophe"},
        {'-', 0, "hyphen"},
        {'.', 0, "full stop"},
        {0xE9, 1, "e acute"},
        {0xC9, 1, "E acute"},
        {0xDF, 1, "sharp s"},
        {0xFF, 1, "y diaeresis"},
        {0x0153, 1, "oe ligature"},
        {0x0410, 1, "Cyrillic A"},
        {0x0627, 1, "Arabic alef"},
        {0x00A3, 0, "pound sign"},
        {0x00A0, 0, "no-break space"},
        {0x00AB, 0, "left guillemet"},
        {0x00D7, 0, "multiplication sign"},
        {0x00F7, 0, "division sign"},
        {0x2013, 0, "en dash"},
        {0x2014, 0, "em dash"},
        {0x2018, 0, "left single quote"},
        {0x2019, 0, "right single quote"},
        {0x201C, 0, "left double quote"},
        {0x2022, 0, "bullet"},
        {0x20AC, 0, "euro sign"},
        {0x27A4, 0, "arrowhead"},
        {0x25BA, 0, "black pointer"},
        {0xFEFF, 0, "BOM"},
        {0xFFFD, 0, "replacement character"},
        {0x1F600, 0, "emoji"},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        int got = tm_utf8_is_letter(v[i].cp);
        if (got != v[i].letter) fprintf(stderr, "  U+%04X %s\n", v[i].cp, v[i].what);
        TM_CHECK_INT(got, v[i].letter);
    }
}

static const tm_test_case cases[] = {
    {"decode_valid", test_decode_valid},
    {"reject_overlong", test_reject_overlong},
    {"reject_surrogates", test_reject_surrogates},
    {"reject_above_max", test_reject_above_max},
    {"reject_truncated_and_stray", test_reject_truncated_and_stray},
    {"encode_known", test_encode_known},
    {"round_trip_all_scalars", test_round_trip_all_scalars},
    {"is_letter", test_is_letter},
    {NULL, NULL},
};

TM_TEST_MAIN(cases)
