/*
 * test_tokenise.c: the word scanner on its own (tm_tok_scan, tm_tok_flags)
 * and over a whole document (ingest + segment + tokenise): apostrophes
 * straight and curly kept inside a word, hyphens and dots splitting, money,
 * flags, exact byte offsets, the `gap` mark after clause punctuation, and a
 * 1 MB run of letters cut into TM_TOKEN_MAX pieces.
 */
#include "tm/ingest.h"
#include "tm/segment.h"
#include "tm/tokenise.h"
#include "tm/utf8.h"
#include "tm_test.h"

/* ------------------------------------------------------------ helpers */

static int load(tm_doc *doc, const char *text, size_t n)
{
    tm_err err = {0};
    tm_doc_init(doc);
    int rc = tm_ingest_bytes(doc, "t.txt", text, n, &err);
    if (rc == TM_OK) rc = tm_segment_doc(doc, &err);
    if (rc == TM_OK) rc = tm_tokenise_doc(doc, &err);
    if (rc != TM_OK) fprintf(stderr, "  load failed: %d %s\n", rc, err.msg);
    TM_CHECK_INT(rc, TM_OK);
    return rc;
}

/* The doc's tokens joined by '|'. */
static const char *joined(const tm_doc *doc)
{
    static char buf[4096];
    size_t o = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < doc->tokens.n && o < sizeof buf - 200; i++) {
        const tm_token *t = &doc->tokens.v[i];
        o += (size_t)snprintf(buf + o, sizeof buf - o, "%s%.*s", i ? "|" : "", (int)t->len,
                              doc->text + t->off);
    }
    return buf;
}

/* Tokens of a string via the document path. */
static void check_tokens(const char *text, const char *want)
{
    tm_doc doc;
    if (load(&doc, text, strlen(text)) == TM_OK) TM_CHECK_STR(joined(&doc), want);
    tm_doc_dispose(&doc);
}

/* Every scan step of a string as kind:text, joined by ' '. */
static const char *scan_all(const char *s)
{
    static char buf[1024];
    size_t o = 0, i = 0, n = strlen(s);
    buf[0] = '\0';
    while (i < n) {
        tm_tok_kind kind;
        size_t len = tm_tok_scan((const unsigned char *)s + i, n - i, &kind);
        if (len == 0 || len > n - i) {
            snprintf(buf, sizeof buf, "bad length %zu at %zu", len, i);
            return buf;
        }
        char k = kind == TM_TK_WORD ? 'W' : kind == TM_TK_SPACE ? 'S' : 'P';
        o += (size_t)snprintf(buf + o, sizeof buf - o, "%s%c:%.*s", i ? " " : "", k, (int)len,
                              s + i);
        i += len;
    }
    return buf;
}

/* ------------------------------------------------------------ scanner */

static void test_scan_kinds(void)
{
    TM_CHECK_STR(scan_all("Hate crime, rose"), "W:Hate S:  W:crime P:, S:  W:rose");
    TM_CHECK_STR(scan_all("a  \t\nb"), "W:a S:  \t\n W:b");
    /* a no-break space and a thin space are spaces */
    TM_CHECK_STR(scan_all("a\xC2\xA0\xE2\x80\x89"
                          "b"),
                 "W:a S:\xC2\xA0\xE2\x80\x89 W:b");
    /* an invalid byte is one punctuation character, never a word */
    TM_CHECK_STR(scan_all("x\xFFy"), "W:x P:\xFF W:y");
    /* a trailing apostrophe is not part of the word */
    TM_CHECK_STR(scan_all("residents' views"), "W:residents P:' S:  W:views");
    TM_CHECK_STR(scan_all("'quoted'"), "P:' W:quoted P:'");
    /* an apostrophe followed by a digit splits */
    TM_CHECK_STR(scan_all("the '90s"), "W:the S:  P:' W:90s");
    TM_CHECK_STR(scan_all("rock'n'roll"), "W:rock'n'roll");
}

static void test_apostrophes(void)
{
    TM_CHECK_STR(scan_all("people's"), "W:people's");
    TM_CHECK_STR(scan_all("don\xE2\x80\x99t"), "W:don\xE2\x80\x99t");
    TM_CHECK_STR(scan_all("O'Neill"), "W:O'Neill");
    /* a left single quote is punctuation, not an apostrophe */
    TM_CHECK_STR(scan_all("don\xE2\x80\x98t"), "W:don P:\xE2\x80\x98 W:t");
    check_tokens("The people's forum said they don\xE2\x80\x99t feel safe",
                 "The|people's|forum|said|they|don\xE2\x80\x99t|feel|safe");
}

static void test_hyphens_dots_digits(void)
{
    check_tokens("anti-social behaviour", "anti|social|behaviour");
    check_tokens("a s.60 order and an S60 order", "a|s|60|order|and|an|S60|order");
    check_tokens("a grant of \xC2\xA3"
                 "12,500.50 was agreed",
                 "a|grant|of|12|500|50|was|agreed");
    check_tokens("caf\xC3\xA9 \xC3\xA9"
                 "cole na\xC3\xAFve",
                 "caf\xC3\xA9|\xC3\xA9"
                 "cole|na\xC3\xAFve");
    /* an en dash and an arrow are punctuation */
    check_tokens("11am \xE2\x80\x93 3pm", "11am|3pm");
    check_tokens("Y7/Y8 pupils", "Y7|Y8|pupils");
}

static void test_flags(void)
{
    static const struct {
        const char *w;
        unsigned flags;
    } v[] = {
        {"police", TM_TOK_ALPHA},
        {"Police", TM_TOK_ALPHA | TM_TOK_CAP},
        {"IAG", TM_TOK_ALPHA | TM_TOK_CAP | TM_TOK_UPPER},
        {"A", TM_TOK_ALPHA | TM_TOK_CAP}, /* a single capital is not UPPER */
        {"S60", TM_TOK_ALPHA | TM_TOK_CAP | TM_TOK_DIGIT},
        {"PC2", TM_TOK_ALPHA | TM_TOK_CAP | TM_TOK_UPPER | TM_TOK_DIGIT},
        {"2022", TM_TOK_DIGIT},
        {"11am", TM_TOK_DIGIT | TM_TOK_ALPHA},
        {"iPhone", TM_TOK_ALPHA},
        {"people's", TM_TOK_ALPHA},
        {"\xC3\x89"
         "cole",
         TM_TOK_ALPHA | TM_TOK_CAP}, /* École */
        {"\xC3\x89"
         "COLE",
         TM_TOK_ALPHA | TM_TOK_CAP | TM_TOK_UPPER},                /* ÉCOLE */
        {"caf\xC3\xA9", TM_TOK_ALPHA},                             /* café */
        {"CAF\xC3\x89", TM_TOK_ALPHA | TM_TOK_CAP | TM_TOK_UPPER}, /* CAFÉ */
        {"DON\xE2\x80\x99T", TM_TOK_ALPHA | TM_TOK_CAP | TM_TOK_UPPER},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        unsigned f = tm_tok_flags((const unsigned char *)v[i].w, strlen(v[i].w));
        if (f != v[i].flags) fprintf(stderr, "  flags of \"%s\"\n", v[i].w);
        TM_CHECK_INT(f, v[i].flags);
    }
    /* the same flags land on the document's tokens */
    tm_doc doc;
    const char *text = "The IAG met 3 times in Reading";
    if (load(&doc, text, strlen(text)) == TM_OK) {
        TM_CHECK_STR(joined(&doc), "The|IAG|met|3|times|in|Reading");
        static const unsigned want[] = {TM_TOK_ALPHA | TM_TOK_CAP,
                                        TM_TOK_ALPHA | TM_TOK_CAP | TM_TOK_UPPER,
                                        TM_TOK_ALPHA,
                                        TM_TOK_DIGIT,
                                        TM_TOK_ALPHA,
                                        TM_TOK_ALPHA,
                                        TM_TOK_ALPHA | TM_TOK_CAP};
        for (size_t i = 0; i < doc.tokens.n && i < 7; i++)
            TM_CHECK_INT(doc.tokens.v[i].flags, want[i]);
    }
    tm_doc_dispose(&doc);
}

static void test_offsets(void)
{
    /* "  " at the start is blanked "**", the curly apostrophe is 3 bytes */
    const char *text = "**Note** don\xE2\x80\x99t  stop,go\nNext line here";
    tm_doc doc;
    if (load(&doc, text, strlen(text)) == TM_OK) {
        static const struct {
            uint32_t off, len;
            const char *s;
        } want[] = {{2, 4, "Note"},  {9, 7, "don\xE2\x80\x99t"},
                    {18, 4, "stop"}, {23, 2, "go"},
                    {26, 4, "Next"}, {31, 4, "line"},
                    {36, 4, "here"}};
        TM_CHECK_INT(doc.tokens.n, 7);
        for (size_t i = 0; i < doc.tokens.n && i < 7; i++) {
            TM_CHECK_INT(doc.tokens.v[i].off, want[i].off);
            TM_CHECK_INT(doc.tokens.v[i].len, want[i].len);
            TM_CHECK_MEM(doc.text + doc.tokens.v[i].off, doc.tokens.v[i].len, want[i].s);
            /* the raw file has the same bytes at the same place (UTF-8 input) */
            TM_CHECK(memcmp(doc.raw + tm_doc_raw_offset(&doc, doc.tokens.v[i].off), want[i].s,
                            want[i].len) == 0);
        }
        /* tokens know their sentence and sentences know their tokens */
        size_t total = 0;
        for (size_t s = 0; s < doc.sentences.n; s++) {
            const tm_sentence *st = &doc.sentences.v[s];
            TM_CHECK_INT(st->tok_first, total);
            for (uint32_t k = st->tok_first; k < st->tok_first + st->tok_count; k++) {
                TM_CHECK_INT(doc.tokens.v[k].sent, s);
                TM_CHECK(doc.tokens.v[k].off >= st->off);
                TM_CHECK(doc.tokens.v[k].off + doc.tokens.v[k].len <= st->end);
            }
            total += st->tok_count;
        }
        TM_CHECK_INT(total, doc.tokens.n);
    }
    tm_doc_dispose(&doc);
}

static void test_offsets_converted(void)
{
    /* Windows-1252: token offsets are text offsets; raw_map leads back to the file */
    const char raw[] = "\x93"
                       "Caf\xE9"
                       "\x94 open";
    tm_doc doc;
    if (load(&doc, raw, sizeof raw - 1) == TM_OK) {
        TM_CHECK_STR(joined(&doc), "Caf\xC3\xA9|open");
        TM_CHECK_INT(doc.tokens.n, 2);
        if (doc.tokens.n == 2) {
            TM_CHECK_INT(doc.tokens.v[0].off, 3);
            TM_CHECK_INT(doc.tokens.v[0].len, 5);
            TM_CHECK_INT(tm_doc_raw_offset(&doc, doc.tokens.v[0].off), 1);
            TM_CHECK_INT(doc.tokens.v[1].off, 12);
            TM_CHECK_INT(tm_doc_raw_offset(&doc, doc.tokens.v[1].off), 7);
            TM_CHECK_INT(doc.tokens.v[0].gap, 1); /* after a curly double quote */
        }
    }
    tm_doc_dispose(&doc);
}

static void test_gap(void)
{
    /* gap per token for: a, b, c, d, e, f, g, h, i, j, k, l */
    const char *text = "a b, c; d-e f's (g) h \xE2\x80\x9Ci\xE2\x80\x9D j \xE2\x80\x93 k/l";
    tm_doc doc;
    if (load(&doc, text, strlen(text)) == TM_OK) {
        TM_CHECK_STR(joined(&doc), "a|b|c|d|e|f's|g|h|i|j|k|l");
        static const int want[] = {0, 0, 1, 1, 0, 0, 1, 1, 1, 1, 1, 0};
        TM_CHECK_INT(doc.tokens.n, 12);
        for (size_t i = 0; i < doc.tokens.n && i < 12; i++) {
            if (doc.tokens.v[i].gap != want[i]) fprintf(stderr, "  token %zu\n", i);
            TM_CHECK_INT(doc.tokens.v[i].gap, want[i]);
        }
    }
    tm_doc_dispose(&doc);
    /* gap does not leak from one sentence into the next */
    text = "They met on Monday, then left!\nNew text";
    if (load(&doc, text, strlen(text)) == TM_OK) {
        TM_CHECK_INT(doc.sentences.n, 2);
        TM_CHECK_STR(joined(&doc), "They|met|on|Monday|then|left|New|text");
        if (doc.tokens.n == 8) {
            TM_CHECK_INT(doc.tokens.v[4].gap, 1);
            TM_CHECK_INT(doc.tokens.v[6].gap, 0);
            TM_CHECK_INT(doc.tokens.v[6].sent, 1);
        }
    }
    tm_doc_dispose(&doc);
}

static void test_long_run_cut(void)
{
    size_t n = 1024 * 1024;
    char *text = malloc(n);
    TM_CHECK(text != NULL);
    if (!text) return;
    memset(text, 'a', n);
    tm_doc doc;
    if (load(&doc, text, n) == TM_OK) {
        size_t want = (n + TM_TOKEN_MAX - 1) / TM_TOKEN_MAX;
        TM_CHECK_INT(doc.tokens.n, want);
        int ok = 1;
        for (size_t i = 0; i < doc.tokens.n; i++) {
            ok &= doc.tokens.v[i].off == i * TM_TOKEN_MAX;
            ok &= doc.tokens.v[i].len ==
                  (i + 1 < want ? TM_TOKEN_MAX : n - (want - 1) * TM_TOKEN_MAX);
        }
        TM_CHECK(ok);
    }
    tm_doc_dispose(&doc);
    free(text);
    /* the scanner alone stops at TM_TOKEN_MAX */
    tm_tok_kind kind;
    unsigned char buf[TM_TOKEN_MAX * 3];
    memset(buf, 'Z', sizeof buf);
    TM_CHECK_INT(tm_tok_scan(buf, sizeof buf, &kind), TM_TOKEN_MAX);
    TM_CHECK_INT(kind, TM_TK_WORD);
}

/* Multi-byte letters: pieces never cut a character and never exceed
 * TM_TOKEN_MAX bytes. */
static void test_long_run_multibyte(void)
{
    static const char *const letters[] = {"\xC3\xA9", "\xE4\xB8\x80", "\xD0\x96", "x"};
    for (size_t l = 0; l < sizeof letters / sizeof letters[0]; l++) {
        size_t ll = strlen(letters[l]);
        /* a leading 'a' shifts every multi-byte character off the 128 boundary */
        unsigned char buf[1 + 200 * 3];
        size_t n = 0;
        buf[n++] = 'a';
        for (int i = 0; i < 200; i++, n += ll)
            memcpy(buf + n, letters[l], ll);
        size_t i = 0, pieces = 0;
        int ok = 1;
        while (i < n) {
            tm_tok_kind kind;
            size_t len = tm_tok_scan(buf + i, n - i, &kind);
            ok &= kind == TM_TK_WORD && len >= 1 && len <= TM_TOKEN_MAX;
            /* the piece is whole UTF-8 */
            for (size_t k = 0; k < len;) {
                uint32_t cp;
                size_t d = tm_utf8_decode(buf + i + k, len - k, &cp);
                if (!d) {
                    ok = 0;
                    break;
                }
                k += d;
            }
            i += len;
            pieces++;
            if (len == 0) break;
        }
        if (!ok) fprintf(stderr, "  letter %zu\n", l);
        TM_CHECK(ok);
        TM_CHECK(pieces >= (n + TM_TOKEN_MAX - 1) / TM_TOKEN_MAX);
    }
    /* an apostrophe right at the limit does not push the piece past it */
    unsigned char ap[TM_TOKEN_MAX + 10];
    memset(ap, 'b', sizeof ap);
    memcpy(ap + TM_TOKEN_MAX - 2, "\xE2\x80\x99", 3);
    tm_tok_kind kind;
    size_t len = tm_tok_scan(ap, sizeof ap, &kind);
    TM_CHECK(len <= TM_TOKEN_MAX);
}

static void test_empty_and_punct_only(void)
{
    check_tokens("-- ... !!", "");
    tm_doc doc;
    const char *text = "Hello";
    if (load(&doc, text, 5) == TM_OK) {
        TM_CHECK_INT(doc.tokens.n, 1);
        TM_CHECK_INT(doc.sentences.n, 1);
        TM_CHECK_INT(doc.sentences.v[0].tok_first, 0);
        TM_CHECK_INT(doc.sentences.v[0].tok_count, 1);
    }
    tm_doc_dispose(&doc);
}

static const tm_test_case cases[] = {
    {"scan_kinds", test_scan_kinds},
    {"apostrophes", test_apostrophes},
    {"hyphens_dots_digits", test_hyphens_dots_digits},
    {"flags", test_flags},
    {"offsets", test_offsets},
    {"offsets_converted", test_offsets_converted},
    {"gap", test_gap},
    {"long_run_cut", test_long_run_cut},
    {"long_run_multibyte", test_long_run_multibyte},
    {"empty_and_punct_only", test_empty_and_punct_only},
    {NULL, NULL},
};

TM_TEST_MAIN(cases)
