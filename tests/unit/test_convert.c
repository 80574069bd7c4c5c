/*
 * test_convert.c: formats decided by content (minutes that open with
 * "Date:" lines are not e-mail), HTML to text (hidden parts out, headings
 * with '#', table rows as TAB-separated cells, paragraph blocks), e-mail
 * body, date and attachment listing, and one clear message for damaged
 * ZIP and PDF input. Word, OpenDocument and PDF layouts are covered end to
 * end by tests/e2e/formats.py, whose fixtures need a ZIP and PDF writer.
 */
#include "tm/convert.h"
#include "tm/ingest.h"
#include "tm_test.h"

static int contains(const char *hay, const char *needle)
{
    return hay && strstr(hay, needle) != NULL;
}

static tm_format sniff(const char *s)
{
    return tm_convert_sniff((const unsigned char *)s, strlen(s));
}

static void test_sniff(void)
{
    TM_CHECK_INT(sniff("%PDF-1.4\n..."), TM_FMT_PDF);
    TM_CHECK_INT(tm_convert_sniff((const unsigned char *)"PK\x03\x04rest", 8), TM_FMT_DOCX);
    TM_CHECK_INT(sniff("<!DOCTYPE html><html><body>x</body></html>"), TM_FMT_HTML);
    TM_CHECK_INT(sniff("\xEF\xBB\xBF  <!-- saved --><HTML lang=en>"), TM_FMT_HTML);
    TM_CHECK_INT(sniff("<?xml version=\"1.0\"?>\n<html xmlns=\"http://www.w3.org/1999/xhtml\">"),
                 TM_FMT_HTML);
    TM_CHECK_INT(sniff("From: A <a@example.org>\r\nDate: Mon, 20 Oct 2025 09:00:00 +0000\r\n"
                       "Subject: x\r\n\r\nbody"),
                 TM_FMT_EML);
    TM_CHECK_INT(sniff("Received: from x\n  by y\nFrom: a@example.org\nSubject: s\n\nbody"),
                 TM_FMT_EML);
    /* minutes whose first lines look like headers stay text */
    TM_CHECK_INT(
        sniff("Date: 10/06/2025\nTIME: 18:30 hrs\nLOCATION: Netherfield\n\nInit  Position\n"),
        TM_FMT_TEXT);
    TM_CHECK_INT(sniff("From: the chair\nDate: 10/06/2025\n\ntext"), TM_FMT_TEXT);
    TM_CHECK_INT(sniff("<b>bold</b> is not a page"), TM_FMT_TEXT);
    TM_CHECK_INT(sniff("Minutes of the meeting"), TM_FMT_TEXT);
}

static const char html[] =
    "<!DOCTYPE html><html><head><title>T</title><style>p{}</style>"
    "<script>var SECRET=1;</script></head><body>\n"
    "<h2>2. Community   tension</h2>\n"
    "<p>FA said the\n   <b>Somali</b> community is anxious.</p>\n"
    "<table><tr><th>Init</th><th>Role</th></tr><tr><td>RA</td><td>IAG Chair</td></tr></table>\n"
    "<ul><li>one</li><li>two</li></ul><div hidden>HIDDEN</div><p style=\"display: none\">NONE</p>"
    "<p>caf&eacute;<br>next</p></body></html>";

static void test_html(void)
{
    tm_doc doc;
    tm_err err = {0};
    tm_doc_init(&doc);
    TM_CHECK_INT(tm_ingest_bytes(&doc, "p.html", html, sizeof html - 1, &err), TM_OK);
    const char *want = "## 2. Community tension\n\nFA said the Somali community is anxious.\n\n"
                       "Init\tRole\nRA\tIAG Chair\n\n- one\n- two\n\ncafé\nnext\n";
    TM_CHECK_STR(doc.marked, want);
    TM_CHECK_INT(doc.format, TM_FMT_HTML);
    TM_CHECK(doc.raw_map == NULL);
    TM_CHECK(!contains(doc.text, "SECRET") && !contains(doc.text, "HIDDEN") &&
             !contains(doc.text, "NONE"));
    /* normalised text blanks the '#' but keeps the length */
    TM_CHECK_INT(doc.text_len, strlen(want));
    TM_CHECK(doc.text[0] == ' ' && doc.text[1] == ' ');
    /* blocks: heading, paragraph, two rows, two items, last paragraph */
    TM_CHECK_INT(doc.blocks.n, 7);
    const tm_block *b = tm_doc_block_of(&doc, (size_t)(strstr(want, "RA\t") - want));
    TM_CHECK(b && b->para == 4 && b->page == 0);
    TM_CHECK_INT(tm_doc_block_of(&doc, 0)->para, 1);
    tm_doc_dispose(&doc);
}

static const char eml[] =
    "From: Community Safety <cs@example.org.uk>\n"
    "To: cdo@example.police.uk\n"
    "Subject: IAG papers\n"
    "Date: Mon, 20 Oct 2025 09:30:00 +0100\n"
    "MIME-Version: 1.0\n"
    "Content-Type: multipart/mixed; boundary=\"b1\"\n\n"
    "--b1\n"
    "Content-Type: text/plain; charset=iso-8859-1\n"
    "Content-Transfer-Encoding: quoted-printable\n\n"
    "Dear all,\n\nThe caf=E9 in Fishermead reported graffiti.\n\n"
    "--b1\n"
    "Content-Type: image/png\nContent-Disposition: attachment; filename=\"logo.png\"\n"
    "Content-Transfer-Encoding: base64\n\niVBORw0KGgo=\n"
    "--b1\n"
    "Content-Type: text/plain\nContent-Disposition: attachment; filename=\"notes.txt\"\n\n"
    "Notes from the walkabout.\n"
    "--b1--\n";

static int list_part(unsigned index, const char *name, const unsigned char *bytes, size_t n,
                     void *payload)
{
    char *out = payload;
    size_t k = strlen(out);
    snprintf(out + k, 256 - k, "%u:%s:%.*s|", index, name, (int)(n > 9 ? 9 : n),
             (const char *)bytes);
    return 0;
}

static void test_email(void)
{
    tm_doc doc;
    tm_err err = {0};
    tm_doc_init(&doc);
    TM_CHECK_INT(tm_ingest_bytes(&doc, "m.eml", eml, sizeof eml - 1, &err), TM_OK);
    TM_CHECK_INT(doc.format, TM_FMT_EML);
    TM_CHECK_STR(doc.mail_date, "2025-10-20");
    TM_CHECK_STR(doc.marked,
                 "Subject: IAG papers\n\nDear all,\n\nThe café in Fishermead reported graffiti.\n");
    tm_doc_dispose(&doc);

    char got[256] = "", date[11];
    TM_CHECK_INT(tm_convert_eml_attachments((const unsigned char *)eml, sizeof eml - 1, date,
                                            list_part, got, &err),
                 0);
    TM_CHECK_STR(got, "2:notes.txt:Notes fro|"); /* the PNG is attachment 1 and is not listed */
    TM_CHECK_STR(date, "2025-10-20");
}

static void test_damaged(void)
{
    static const struct {
        const char *bytes;
        size_t n;
        const char *word;
    } v[] = {
        {"PK\x03\x04\x14\0\x06\0garbage", 16, "damaged ZIP"},
        {"%PDF-1.7\n1 0 obj\n<< /Type /Catalog", 34, "PDF"},
        {"<html><body><script>x()</script></body></html>", 46, "no text"},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        tm_doc doc;
        tm_err err = {0};
        tm_doc_init(&doc);
        TM_CHECK_INT(tm_ingest_bytes(&doc, "bad.file", v[i].bytes, v[i].n, &err), TM_EFORMAT);
        if (!contains(err.msg, v[i].word))
            fprintf(stderr, "  message \"%s\" lacks \"%s\"\n", err.msg, v[i].word);
        TM_CHECK(contains(err.msg, v[i].word) && contains(err.msg, "bad.file"));
        TM_CHECK(strchr(err.msg, '\n') == NULL);
        tm_doc_dispose(&doc);
    }
}

static const tm_test_case cases[] = {
    {"sniff", test_sniff},     {"html", test_html}, {"email", test_email},
    {"damaged", test_damaged}, {NULL, NULL},
};

TM_TEST_MAIN(cases)
