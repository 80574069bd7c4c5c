/*
 * test_source.c: the kept source of a document (tm/source.h) rebuilds the
 * file's bytes exactly: no source for clean UTF-8, a patch for Markdown
 * residue, BOM and CRLF, the whole file for converted input; and a damaged
 * patch is refused, never applied out of bounds.
 */
#include "tm/ingest.h"
#include "tm/source.h"
#include "tm_test.h"

static void roundtrip(const char *bytes, size_t n, tm_source_kind want_kind)
{
    tm_doc doc;
    tm_err err = {0};
    tm_doc_init(&doc);
    TM_CHECK_INT(tm_ingest_bytes(&doc, "t.txt", bytes, n, &err), TM_OK);
    unsigned char *data = NULL, *raw = NULL;
    size_t dn = 0, rn = 0;
    tm_source_kind kind;
    TM_CHECK_INT(tm_source_encode(&data, &dn, &kind, &doc, &err), TM_OK);
    TM_CHECK_INT(kind, want_kind);
    TM_CHECK_INT(tm_source_decode(&raw, &rn, doc.text, doc.text_len, kind, data, dn, "t", &err),
                 TM_OK);
    TM_CHECK_INT(rn, n);
    TM_CHECK(memcmp(raw, bytes, n) == 0);
    /* and ingesting the rebuilt bytes gives the same text */
    tm_doc again;
    tm_doc_init(&again);
    TM_CHECK_INT(tm_ingest_bytes(&again, "t.txt", raw, rn, &err), TM_OK);
    TM_CHECK_STR(again.sha256, doc.sha256);
    TM_CHECK_INT(again.text_len, doc.text_len);
    TM_CHECK(memcmp(again.text, doc.text, doc.text_len) == 0);
    tm_doc_dispose(&again);
    tm_free(data);
    tm_free(raw);
    tm_doc_dispose(&doc);
}

static void test_clean_utf8_needs_nothing(void)
{
    const char *s = "1. Welcome\nAB said that the Somali community felt safe.\n";
    roundtrip(s, strlen(s), TM_SOURCE_NONE);
}

static void test_markdown_is_a_patch(void)
{
    const char *s = "\xEF\xBB\xBF### 1. **Background**\r\n\xE2\x9E\xA4 item \\[1\\]\r\n"
                    "caf\xC3\xA9 \xE2\x80\xA2 end\xC2\xA0.\n";
    roundtrip(s, strlen(s), TM_SOURCE_PATCH);
}

static void test_converted_keeps_the_bytes(void)
{
    const char cp1252[] = "Caf\xE9 \x95 bullet and \x93quotes\x94\r\n";
    roundtrip(cp1252, sizeof cp1252 - 1, TM_SOURCE_RAW);
    const char utf16[] = "\xFF\xFE"
                         "A\0B\0 \0s\0a\0i\0d\0\n\0";
    roundtrip(utf16, sizeof utf16 - 1, TM_SOURCE_RAW);
}

static void test_damaged_patch_is_refused(void)
{
    tm_err err = {0};
    unsigned char *raw = NULL;
    size_t rn = 0;
    /* offset 8, length 4 on a 10-byte text: past the end */
    const unsigned char bad[] = {8, 0, 0, 0, 4, 0, 0, 0, 'a', 'b', 'c', 'd'};
    TM_CHECK_INT(tm_source_decode(&raw, &rn, "0123456789", 10, TM_SOURCE_PATCH, bad, sizeof bad,
                                  "doc.txt", &err),
                 TM_EFORMAT);
    TM_CHECK(raw == NULL);
    TM_CHECK(strstr(err.msg, "doc.txt") != NULL);
    /* a run longer than the data that follows */
    tm_err_clear(&err);
    const unsigned char short_run[] = {0, 0, 0, 0, 9, 0, 0, 0, 'a'};
    TM_CHECK_INT(tm_source_decode(&raw, &rn, "0123456789", 10, TM_SOURCE_PATCH, short_run,
                                  sizeof short_run, "doc.txt", &err),
                 TM_EFORMAT);
    /* a truncated header */
    tm_err_clear(&err);
    TM_CHECK_INT(
        tm_source_decode(&raw, &rn, "0123456789", 10, TM_SOURCE_PATCH, bad, 5, "doc.txt", &err),
        TM_EFORMAT);
}

static void test_kind_names(void)
{
    tm_source_kind k;
    TM_CHECK_INT(tm_source_kind_from_name(&k, "patch"), 0);
    TM_CHECK_INT(k, TM_SOURCE_PATCH);
    TM_CHECK_INT(tm_source_kind_from_name(&k, "raw"), 0);
    TM_CHECK_INT(k, TM_SOURCE_RAW);
    TM_CHECK_INT(tm_source_kind_from_name(&k, "zip"), -1);
    TM_CHECK_STR(tm_source_kind_name(TM_SOURCE_PATCH), "patch");
}

static const tm_test_case cases[] = {
    {"clean_utf8_needs_nothing", test_clean_utf8_needs_nothing},
    {"markdown_is_a_patch", test_markdown_is_a_patch},
    {"converted_keeps_the_bytes", test_converted_keeps_the_bytes},
    {"damaged_patch_is_refused", test_damaged_patch_is_refused},
    {"kind_names", test_kind_names},
    {NULL, NULL},
};

TM_TEST_MAIN(cases)
