/*
 * test_ingest.c: bytes to normalised UTF-8: UTF-8 kept as is (offsets are
 * file offsets), BOM and CR blanked, Windows-1252 and UTF-16 (with and
 * without BOM) converted with an exact offset map, Markdown and Word residue
 * blanked length-preserving, invalid bytes repaired and reported, binary and
 * empty input refused, SHA-256 of the raw bytes, and tm_ingest_file on a
 * missing path, a folder and a FIFO (refused without blocking).
 */
#include "tm/ingest.h"
#include "tm/sha256.h"
#include "tm_test.h"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

/* ------------------------------------------------------------ helpers */

static int ingest(tm_doc *doc, const char *bytes, size_t n, tm_err *err)
{
    tm_doc_init(doc);
    tm_err_clear(err);
    return tm_ingest_bytes(doc, "t.txt", bytes, n, err);
}

/* Checks the text and that no error was recorded. */
static void check_text(const tm_doc *doc, const char *want, size_t want_len)
{
    TM_CHECK_INT(doc->text_len, want_len);
    TM_CHECK(doc->text != NULL);
    if (doc->text && doc->text_len == want_len) {
        TM_CHECK(memcmp(doc->text, want, want_len) == 0);
        TM_CHECK_INT(doc->text[want_len], '\0');
        if (memcmp(doc->text, want, want_len) != 0)
            fprintf(stderr, "  text \"%.*s\"\n  want \"%.*s\"\n", (int)doc->text_len, doc->text,
                    (int)want_len, want);
    }
}

static int contains(const char *hay, const char *needle)
{
    return hay && strstr(hay, needle) != NULL;
}

/* ------------------------------------------------------------ UTF-8 */

static void test_utf8_as_is(void)
{
    static const char in[] = "Caf\xC3\xA9 owner said \xE2\x80\x9Cwe\xE2\x80\x99re fine\xE2\x80\x9D "
                             "\xC2\xA3"
                             "5\n\tNext line 100%";
    tm_doc doc;
    tm_err err;
    TM_CHECK_INT(ingest(&doc, in, sizeof in - 1, &err), TM_OK);
    check_text(&doc, in, sizeof in - 1);
    TM_CHECK(doc.raw_map == NULL);
    TM_CHECK_INT(doc.encoding, TM_ENC_UTF8);
    TM_CHECK_INT(doc.raw_len, sizeof in - 1);
    TM_CHECK(memcmp(doc.raw, in, sizeof in - 1) == 0);
    TM_CHECK(doc.raw != (const unsigned char *)in); /* copied */
    TM_CHECK_STR(doc.path, "t.txt");
    TM_CHECK_INT(doc.errors.n, 0);
    TM_CHECK_INT(tm_doc_raw_offset(&doc, 7), 7);
    TM_CHECK_INT(err.code, TM_OK);
    tm_doc_dispose(&doc);
}

static void test_utf8_bom(void)
{
    static const char in[] = "\xEF\xBB\xBFMinutes of the IAG";
    tm_doc doc;
    tm_err err;
    TM_CHECK_INT(ingest(&doc, in, sizeof in - 1, &err), TM_OK);
    check_text(&doc, "   Minutes of the IAG", 21);
    TM_CHECK_INT(doc.encoding, TM_ENC_UTF8_BOM);
    TM_CHECK(doc.raw_map == NULL); /* offsets unchanged */
    TM_CHECK_INT(doc.raw[0], 0xEF);
    tm_doc_dispose(&doc);
}

static void test_line_ends(void)
{
    static const char in[] = "one\r\ntwo\rthree\n\r\nfour\r";
    tm_doc doc;
    tm_err err;
    TM_CHECK_INT(ingest(&doc, in, sizeof in - 1, &err), TM_OK);
    check_text(&doc, "one \ntwo\nthree\n \nfour\n", sizeof in - 1);
    TM_CHECK(doc.raw_map == NULL);
    /* other control bytes become spaces; tab and newline stay */
    tm_doc_dispose(&doc);
    static const char ctl[] = "a\x0B"
                              "b\x0C"
                              "c\td\x1B"
                              "e\n";
    TM_CHECK_INT(ingest(&doc, ctl, sizeof ctl - 1, &err), TM_OK);
    check_text(&doc, "a b c\td e\n", sizeof ctl - 1);
    tm_doc_dispose(&doc);
}

/* ------------------------------------------------------------ Windows-1252 */

static void test_cp1252(void)
{
    static const char in[] = "\x93quoted\x94 \xA3"
                             "5";
    tm_doc doc;
    tm_err err;
    TM_CHECK_INT(ingest(&doc, in, sizeof in - 1, &err), TM_OK);
    TM_CHECK_INT(doc.encoding, TM_ENC_CP1252);
    static const char want[] = "\xE2\x80\x9Cquoted\xE2\x80\x9D \xC2\xA3"
                               "5";
    check_text(&doc, want, sizeof want - 1);
    TM_CHECK_INT(doc.raw_len, 11);
    TM_CHECK(doc.raw_map != NULL);
    if (doc.raw_map && doc.text_len == sizeof want - 1) {
        static const uint32_t map[] = {0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 7, 7, 8, 9, 9, 10, 11};
        for (size_t i = 0; i <= doc.text_len; i++) {
            if (doc.raw_map[i] != map[i]) fprintf(stderr, "  raw_map[%zu]\n", i);
            TM_CHECK_INT(doc.raw_map[i], map[i]);
        }
        TM_CHECK_INT(doc.raw_map[doc.text_len], doc.raw_len);
        TM_CHECK_INT(tm_doc_raw_offset(&doc, 13), 9); /* the pound sign's second byte */
    }
    tm_doc_dispose(&doc);
}

static void test_cp1252_specials(void)
{
    /* € (0x80), undefined 0x81 -> '?', • (0x95) blanked as a bullet, é (0xE9) */
    static const char in[] = "\x80"
                             "1 \x81 \x95 caf\xE9";
    tm_doc doc;
    tm_err err;
    TM_CHECK_INT(ingest(&doc, in, sizeof in - 1, &err), TM_OK);
    TM_CHECK_INT(doc.encoding, TM_ENC_CP1252);
    static const char want[] = "\xE2\x82\xAC"
                               "1 ? "
                               "    caf\xC3\xA9";
    check_text(&doc, want, sizeof want - 1);
    if (doc.raw_map && doc.text_len == sizeof want - 1) {
        TM_CHECK_INT(doc.raw_map[3], 1); /* '1' */
        TM_CHECK_INT(doc.raw_map[5], 3); /* '?' */
        TM_CHECK_INT(doc.raw_map[7], 5); /* first blank of the bullet */
        TM_CHECK_INT(doc.raw_map[9], 5);
        TM_CHECK_INT(doc.raw_map[14], 10); /* é */
        TM_CHECK_INT(doc.raw_map[15], 10);
        TM_CHECK_INT(doc.raw_map[16], 11);
    }
    tm_doc_dispose(&doc);
}

/* ------------------------------------------------------------ UTF-16 */

static void test_utf16le_bom(void)
{
    /* BOM, "Hi", CR LF, "£", U+1F600 as a surrogate pair, a lone low surrogate */
    static const char in[] = "\xFF\xFE"
                             "H\0i\0\r\0\n\0\xA3\0\x3D\xD8\x00\xDE\x00\xDC"
                             "!\0";
    tm_doc doc;
    tm_err err;
    TM_CHECK_INT(ingest(&doc, in, sizeof in - 1, &err), TM_OK);
    TM_CHECK_INT(doc.encoding, TM_ENC_UTF16LE);
    static const char want[] = "Hi \n\xC2\xA3\xF0\x9F\x98\x80?!";
    check_text(&doc, want, sizeof want - 1);
    TM_CHECK_INT(doc.errors.n, 0);
    if (doc.raw_map && doc.text_len == sizeof want - 1) {
        static const uint32_t map[] = {2, 4, 6, 8, 10, 10, 12, 12, 12, 12, 16, 18, 20};
        for (size_t i = 0; i <= doc.text_len; i++) {
            if (doc.raw_map[i] != map[i]) fprintf(stderr, "  raw_map[%zu]\n", i);
            TM_CHECK_INT(doc.raw_map[i], map[i]);
        }
        TM_CHECK_INT(doc.raw_map[doc.text_len], doc.raw_len);
    }
    tm_doc_dispose(&doc);
}

static void test_utf16be_bom(void)
{
    static const char in[] = "\xFE\xFF"
                             "\0D\0a\0t\0e\0:\0 \x20\x13\0x";
    tm_doc doc;
    tm_err err;
    TM_CHECK_INT(ingest(&doc, in, sizeof in - 1, &err), TM_OK);
    TM_CHECK_INT(doc.encoding, TM_ENC_UTF16BE);
    check_text(&doc, "Date: \xE2\x80\x93x", 10);
    TM_CHECK(doc.raw_map != NULL);
    if (doc.raw_map && doc.text_len == 10) {
        TM_CHECK_INT(doc.raw_map[0], 2);
        TM_CHECK_INT(doc.raw_map[6], 14); /* the en dash, all three bytes */
        TM_CHECK_INT(doc.raw_map[8], 14);
        TM_CHECK_INT(doc.raw_map[9], 16);
        TM_CHECK_INT(doc.raw_map[10], 18);
    }
    TM_CHECK_INT(doc.errors.n, 0);
    tm_doc_dispose(&doc);
}

static void test_utf16_without_bom(void)
{
    static const char le[] = "H\0e\0l\0l\0o\0 \0w\0o\0r\0l\0d\0";
    tm_doc doc;
    tm_err err;
    TM_CHECK_INT(ingest(&doc, le, sizeof le - 1, &err), TM_OK);
    TM_CHECK_INT(doc.encoding, TM_ENC_UTF16LE);
    check_text(&doc, "Hello world", 11);
    TM_CHECK_INT(doc.errors.n, 1);
    if (doc.errors.n)
        TM_CHECK_STR(doc.errors.v[0], "t.txt: UTF-16 without a byte-order mark; read as UTF-16LE");
    if (doc.raw_map) {
        TM_CHECK_INT(doc.raw_map[0], 0);
        TM_CHECK_INT(doc.raw_map[6], 12);
        TM_CHECK_INT(doc.raw_map[11], 22);
    }
    tm_doc_dispose(&doc);

    static const char be[] = "\0H\0e\0l\0l\0o";
    TM_CHECK_INT(ingest(&doc, be, sizeof be - 1, &err), TM_OK);
    TM_CHECK_INT(doc.encoding, TM_ENC_UTF16BE);
    check_text(&doc, "Hello", 5);
    TM_CHECK_INT(doc.errors.n, 1);
    if (doc.errors.n) TM_CHECK(contains(doc.errors.v[0], "UTF-16BE"));
    tm_doc_dispose(&doc);
}

/* ------------------------------------------------------------ residue */

static void test_markdown_residue(void)
{
    static const char in[] = "**bold** text\n### Heading\n\xE2\x9E\xA4 Topic\n\\(x\\) and \\[y\\]\n"
                             "  ## Indented\n#hashtag C# 2 * 3 *one* ####### seven\n"
                             "\xE2\x80\xA2 bullet \xC2\xA0nbsp\n";
    static const char want[] = "  bold   text\n    Heading\n    Topic\n (x ) and  [y ]\n"
                               "     Indented\n#hashtag C# 2 * 3 *one* ####### seven\n"
                               "    bullet   nbsp\n";
    TM_CHECK_INT(sizeof in, sizeof want); /* the fixture itself keeps lengths */
    tm_doc doc;
    tm_err err;
    TM_CHECK_INT(ingest(&doc, in, sizeof in - 1, &err), TM_OK);
    check_text(&doc, want, sizeof want - 1);
    TM_CHECK(doc.raw_map == NULL);
    /* the raw bytes still show the markers */
    TM_CHECK(memcmp(doc.raw, "**bold**", 8) == 0);
    tm_doc_dispose(&doc);
}

/* ------------------------------------------------------------ repairs */

static void test_invalid_utf8_byte(void)
{
    static const char in[] = "line one caf\xC3\xA9\nsecond \xFF ok \xC3";
    tm_doc doc;
    tm_err err;
    TM_CHECK_INT(ingest(&doc, in, sizeof in - 1, &err), TM_OK);
    TM_CHECK_INT(doc.encoding, TM_ENC_UTF8);
    check_text(&doc, "line one caf\xC3\xA9\nsecond ? ok ?", sizeof in - 1);
    TM_CHECK(doc.raw_map == NULL);
    TM_CHECK_INT(doc.errors.n, 1);
    if (doc.errors.n)
        TM_CHECK_STR(doc.errors.v[0],
                     "t.txt:2: 2 invalid UTF-8 byte(s), first at byte 22; replaced by '?'");
    tm_doc_dispose(&doc);
}

static void test_few_nuls_reported(void)
{
    char in[400];
    memset(in, 'x', sizeof in);
    in[100] = ' ';
    in[200] = '\0';
    in[201] = '\0';
    tm_doc doc;
    tm_err err;
    TM_CHECK_INT(ingest(&doc, in, sizeof in, &err), TM_OK);
    TM_CHECK_INT(doc.text_len, 400);
    TM_CHECK(doc.text && doc.text[200] == ' ' && doc.text[201] == ' ');
    TM_CHECK(doc.text && strlen(doc.text) == 400);
    TM_CHECK_INT(doc.errors.n, 1);
    if (doc.errors.n) TM_CHECK_STR(doc.errors.v[0], "t.txt: 2 NUL byte(s) replaced by spaces");
    tm_doc_dispose(&doc);
}

/* ------------------------------------------------------------ refusals */

static void test_empty_input(void)
{
    tm_doc doc;
    tm_err err;
    TM_CHECK_INT(ingest(&doc, "", 0, &err), TM_EFORMAT);
    TM_CHECK_INT(err.code, TM_EFORMAT);
    TM_CHECK(contains(err.msg, "t.txt"));
    TM_CHECK(contains(err.msg, "empty"));
    tm_doc_dispose(&doc);
}

static void test_binary_magic(void)
{
    static const struct {
        const char *bytes;
        size_t n;
        const char *word;
    } v[] = {
        {"\x89PNG\r\n\x1A\n\0\0\0\rIHDR", 16, "PNG"},
        {"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n", 15, "PDF"},
        {"PK\x03\x04\x14\0\x06\0", 8, "ZIP"},
        {"\xFF\xD8\xFF\xE0\0\x10JFIF", 10, "JPEG"},
        {"\x7F"
         "ELF\x02\x01\x01",
         7, "executable"},
        {"SQLite format 3\0", 16, "SQLite"},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        tm_doc doc;
        tm_err err;
        TM_CHECK_INT(ingest(&doc, v[i].bytes, v[i].n, &err), TM_EFORMAT);
        if (!contains(err.msg, v[i].word))
            fprintf(stderr, "  message \"%s\" lacks \"%s\"\n", err.msg, v[i].word);
        TM_CHECK(contains(err.msg, v[i].word));
        TM_CHECK(contains(err.msg, "t.txt"));
        tm_doc_dispose(&doc);
    }
}

static void test_nul_heavy_binary(void)
{
    /* NULs at even and odd offsets alike: not UTF-16, just binary */
    char in[300];
    for (size_t i = 0; i < sizeof in; i++)
        in[i] = (i % 6 < 4) ? '\0' : (char)('a' + i % 7);
    tm_doc doc;
    tm_err err;
    TM_CHECK_INT(ingest(&doc, in, sizeof in, &err), TM_EFORMAT);
    TM_CHECK(contains(err.msg, "not a text document"));
    TM_CHECK(contains(err.msg, "200 NUL"));
    tm_doc_dispose(&doc);
    /* many control bytes without NULs */
    for (size_t i = 0; i < sizeof in; i++)
        in[i] = (i % 3 == 0) ? '\x01' : 'a';
    TM_CHECK_INT(ingest(&doc, in, sizeof in, &err), TM_EFORMAT);
    TM_CHECK(contains(err.msg, "100 control bytes"));
    tm_doc_dispose(&doc);
}

/* ------------------------------------------------------------ fingerprint */

static void test_sha256_of_bytes(void)
{
    tm_doc doc;
    tm_err err;
    TM_CHECK_INT(ingest(&doc, "abc", 3, &err), TM_OK);
    TM_CHECK_STR(doc.sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    tm_doc_dispose(&doc);
    /* converted input: the digest is of the file's bytes, not the UTF-8 text */
    static const char in[] = "\x93quoted\x94 \xA3"
                             "5";
    char want[65];
    tm_sha256_hex(want, in, sizeof in - 1);
    TM_CHECK_INT(ingest(&doc, in, sizeof in - 1, &err), TM_OK);
    TM_CHECK_STR(doc.sha256, want);
    /* a BOM changes the digest though not the words */
    char with_bom[65];
    tm_doc_dispose(&doc);
    TM_CHECK_INT(ingest(&doc,
                        "\xEF\xBB\xBF"
                        "abc",
                        6, &err),
                 TM_OK);
    memcpy(with_bom, doc.sha256, sizeof with_bom);
    tm_sha256_hex(want,
                  "\xEF\xBB\xBF"
                  "abc",
                  6);
    TM_CHECK_STR(with_bom, want);
    tm_doc_dispose(&doc);
}

/* ------------------------------------------------------------ files */

static void test_file_missing(void)
{
    const char *path = "/tmp/tm-test-ingest-does-not-exist/minutes.txt";
    tm_doc doc;
    tm_err err = {0};
    tm_doc_init(&doc);
    TM_CHECK_INT(tm_ingest_file(&doc, path, &err), TM_EIO);
    TM_CHECK_INT(err.code, TM_EIO);
    TM_CHECK(contains(err.msg, path));
    tm_doc_dispose(&doc);
}

static void test_file_regular(void)
{
    char dir[] = "/tmp/tm-test-ingest-XXXXXX";
    TM_CHECK(mkdtemp(dir) != NULL);
    char path[256];
    snprintf(path, sizeof path, "%s/minutes.txt", dir);
    FILE *f = fopen(path, "wb");
    TM_CHECK(f != NULL);
    if (!f) return;
    fputs("Minutes\r\nAB said hello\r\n", f);
    fclose(f);
    tm_doc doc;
    tm_err err = {0};
    tm_doc_init(&doc);
    TM_CHECK_INT(tm_ingest_file(&doc, path, &err), TM_OK);
    check_text(&doc, "Minutes \nAB said hello \n", 24);
    TM_CHECK_STR(doc.path, path);
    TM_CHECK(doc.mtime > 0);
    char want[65];
    tm_sha256_hex(want, "Minutes\r\nAB said hello\r\n", 24);
    TM_CHECK_STR(doc.sha256, want);
    tm_doc_dispose(&doc);
    unlink(path);
    rmdir(dir);
}

static void test_file_directory(void)
{
    char dir[] = "/tmp/tm-test-ingest-XXXXXX";
    TM_CHECK(mkdtemp(dir) != NULL);
    tm_doc doc;
    tm_err err = {0};
    tm_doc_init(&doc);
    TM_CHECK_INT(tm_ingest_file(&doc, dir, &err), TM_ESKIP);
    TM_CHECK(contains(err.msg, dir));
    TM_CHECK(contains(err.msg, "directory"));
    tm_doc_dispose(&doc);
    rmdir(dir);
}

static void test_file_fifo(void)
{
    char dir[] = "/tmp/tm-test-ingest-XXXXXX";
    TM_CHECK(mkdtemp(dir) != NULL);
    char path[256];
    snprintf(path, sizeof path, "%s/pipe", dir);
    TM_CHECK_INT(mkfifo(path, 0600), 0);
    /* a FIFO with no writer blocks a plain open forever: the alarm turns a
     * hang into a failure */
    alarm(10);
    tm_doc doc;
    tm_err err = {0};
    tm_doc_init(&doc);
    TM_CHECK_INT(tm_ingest_file(&doc, path, &err), TM_ESKIP);
    alarm(0);
    TM_CHECK(contains(err.msg, path));
    TM_CHECK(contains(err.msg, "FIFO"));
    tm_doc_dispose(&doc);
    unlink(path);
    rmdir(dir);
}

static const tm_test_case cases[] = {
    {"utf8_as_is", test_utf8_as_is},
    {"utf8_bom", test_utf8_bom},
    {"line_ends", test_line_ends},
    {"cp1252", test_cp1252},
    {"cp1252_specials", test_cp1252_specials},
    {"utf16le_bom", test_utf16le_bom},
    {"utf16be_bom", test_utf16be_bom},
    {"utf16_without_bom", test_utf16_without_bom},
    {"markdown_residue", test_markdown_residue},
    {"invalid_utf8_byte", test_invalid_utf8_byte},
    {"few_nuls_reported", test_few_nuls_reported},
    {"empty_input", test_empty_input},
    {"binary_magic", test_binary_magic},
    {"nul_heavy_binary", test_nul_heavy_binary},
    {"sha256_of_bytes", test_sha256_of_bytes},
    {"file_missing", test_file_missing},
    {"file_regular", test_file_regular},
    {"file_directory", test_file_directory},
    {"file_fifo", test_file_fifo},
    {NULL, NULL},
};

TM_TEST_MAIN(cases)
