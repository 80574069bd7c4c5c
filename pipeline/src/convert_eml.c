/*
 * convert_eml.c: e-mail (RFC 5322 with MIME) through GMime.
 *
 * The message's body document is its subject and its text/plain part (or
 * its text/html part converted); attachments tension can read are listed
 * for the walker (tm_convert_eml_attachments) and read one at a time as
 * documents of their own ("message.eml#1:minutes.docx", see ingest.h).
 * Both carry the Date header, used when the text states no date.
 */
#include "convert_int.h"

#include <gmime/gmime.h>
#include <pthread.h>
#include <string.h>
#include <strings.h>

static pthread_once_t gmime_once = PTHREAD_ONCE_INIT;

static void gmime_init_once(void)
{
    g_mime_init();
}

static GMimeMessage *parse(const unsigned char *p, size_t n)
{
    pthread_once(&gmime_once, gmime_init_once);
    GMimeStream *s = g_mime_stream_mem_new_with_buffer((const char *)p, n);
    if (!s) return NULL;
    GMimeParser *parser = g_mime_parser_new_with_stream(s);
    GMimeMessage *m = parser ? g_mime_parser_construct_message(parser, NULL) : NULL;
    if (parser) g_object_unref(parser);
    g_object_unref(s);
    return m;
}

static void date_of(GMimeMessage *m, char *out)
{
    out[0] = '\0';
    GDateTime *dt = g_mime_message_get_date(m);
    if (!dt) return;
    gchar *s = g_date_time_format(dt, "%Y-%m-%d");
    if (s && strlen(s) == 10) memcpy(out, s, 11);
    g_free(s);
}

static int is_attachment(GMimePart *part)
{
    return g_mime_part_is_attachment(part) || g_mime_part_get_filename(part) != NULL;
}

/* The decoded bytes of a part (transfer encoding undone); caller unrefs. */
static GByteArray *content(GMimePart *part)
{
    GMimeDataWrapper *w = g_mime_part_get_content(part);
    if (!w) return NULL;
    GMimeStream *out = g_mime_stream_mem_new();
    if (!out) return NULL;
    g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(out), FALSE);
    GByteArray *ba = NULL;
    if (g_mime_data_wrapper_write_to_stream(w, out) >= 0)
        ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(out));
    else if ((ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(out))) != NULL) {
        g_byte_array_unref(ba);
        ba = NULL;
    }
    g_object_unref(out);
    return ba;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && !strcasecmp(s + a - b, suffix);
}

/* Formats tension reads as attachments; a forwarded e-mail is not opened. */
static int readable(GMimePart *part, const unsigned char *p, size_t n)
{
    tm_format f = tm_convert_sniff(p, n);
    if (f == TM_FMT_PDF || f == TM_FMT_DOCX || f == TM_FMT_HTML) return 1;
    if (f != TM_FMT_TEXT || !n) return 0;
    const char *name = g_mime_part_get_filename(part);
    GMimeContentType *ct = g_mime_object_get_content_type(GMIME_OBJECT(part));
    if (name) return ends_with(name, ".txt") || ends_with(name, ".md") || ends_with(name, ".text");
    return ct && g_mime_content_type_is_type(ct, "text", "plain");
}

typedef struct walk {
    GMimePart *plain, *html; /* first inline text parts */
    unsigned index;          /* attachments seen */
    tm_convert_part_fn fn;
    void *payload;
    int stop;
} walk;

static void each(GMimeObject *parent, GMimeObject *obj, gpointer data)
{
    walk *w = data;
    (void)parent;
    if (w->stop || !GMIME_IS_PART(obj)) return;
    GMimePart *part = GMIME_PART(obj);
    GMimeContentType *ct = g_mime_object_get_content_type(obj);
    if (!is_attachment(part)) {
        if (!w->plain && ct && g_mime_content_type_is_type(ct, "text", "plain"))
            w->plain = part;
        else if (!w->html && ct && g_mime_content_type_is_type(ct, "text", "html"))
            w->html = part;
        return;
    }
    w->index++;
    if (!w->fn) return;
    GByteArray *ba = content(part);
    if (!ba) return;
    if (readable(part, ba->data, ba->len)) {
        const char *name = g_mime_part_get_filename(part);
        w->stop = w->fn(w->index, name ? name : "", ba->data, ba->len, w->payload);
    }
    g_byte_array_unref(ba);
}

int tm_convert_eml_attachments(const unsigned char *p, size_t n, char *date, tm_convert_part_fn fn,
                               void *payload, tm_err *err)
{
    if (date) date[0] = '\0';
    GMimeMessage *m = parse(p, n);
    if (!m) return tm_err_set(err, TM_EFORMAT, "not an e-mail message that can be parsed");
    if (date) date_of(m, date);
    walk w = {NULL, NULL, 0, fn, payload, 0};
    g_mime_message_foreach(m, each, &w);
    g_object_unref(m);
    return w.stop;
}

/* A plain-text body: a blank line ends a paragraph, other lines stay lines. */
static void put_plain(tm_tb *tb, const char *s)
{
    while (*s) {
        const char *e = strchr(s, '\n');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        size_t k = n;
        while (k && (s[k - 1] == '\r' || s[k - 1] == ' '))
            k--;
        if (k == 0) {
            tm_tb_break(tb, TB_PARA);
        } else {
            tm_tb_put(tb, s, k, 0);
            tm_tb_break(tb, TB_LINE);
        }
        s += n + (e ? 1 : 0);
    }
}

int tm_convert__eml(tm_doc *doc, tm_err *err)
{
    GMimeMessage *m = parse(doc->raw, doc->raw_len);
    if (!m)
        return tm_err_set(err, TM_EFORMAT,
                          "%s: damaged e-mail: the message cannot be parsed; save it again from "
                          "the mail program",
                          doc->path);
    date_of(m, doc->mail_date);
    walk w = {NULL, NULL, 0, NULL, NULL, 0};
    g_mime_message_foreach(m, each, &w);
    tm_tb tb;
    tm_tb_init(&tb, doc);
    const char *subject = g_mime_message_get_subject(m);
    if (subject && *subject) {
        tm_tb_put(&tb, "Subject: ", 9, 0);
        tm_tb_put(&tb, subject, strlen(subject), 1);
        tm_tb_break(&tb, TB_PARA);
    }
    GMimePart *body = w.plain ? w.plain : w.html;
    if (body && GMIME_IS_TEXT_PART(body)) {
        char *text = g_mime_text_part_get_text(GMIME_TEXT_PART(body));
        if (text) {
            if (body == w.plain)
                put_plain(&tb, text);
            else
                tm_convert__html_into(&tb, text, strlen(text));
            g_free(text);
        }
    }
    g_object_unref(m);
    return tm_tb_finish(&tb, TM_FMT_EML, "e-mail", err);
}
