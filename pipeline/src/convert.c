/*
 * convert.c: deciding a file's format from its bytes, dispatching to the
 * converter, and the text builder every converter writes through (so all
 * formats reach segment in the same shape: blank line between paragraphs,
 * '#' before headings, TAB between table cells).
 */
#include "convert_int.h"
#include "tm/utf8.h"

#include <ctype.h>
#include <libxml/parser.h>
#include <pthread.h>
#include <string.h>
#include <strings.h>

/* ---------------------------------------------------------------- sniffing */

static int starts_nocase(const unsigned char *p, size_t n, const char *word)
{
    size_t k = strlen(word);
    return n >= k && strncasecmp((const char *)p, word, k) == 0;
}

static const unsigned char *find(const unsigned char *p, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= n; i++)
        if (memcmp(p + i, needle, k) == 0) return p + i;
    return NULL;
}

/* An HTML document starts (after a BOM, blanks, comments or an XML
 * declaration) with a doctype or one of the outer elements. */
static int looks_html(const unsigned char *p, size_t n)
{
    size_t i = 0, lim = n < 4096 ? n : 4096;
    if (lim >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF) i = 3;
    while (i < lim) {
        while (i < lim && isspace(p[i]))
            i++;
        if (i >= lim || p[i] != '<') return 0;
        if (starts_nocase(p + i, lim - i, "<!doctype html") ||
            starts_nocase(p + i, lim - i, "<html") || starts_nocase(p + i, lim - i, "<head>") ||
            starts_nocase(p + i, lim - i, "<body"))
            return 1;
        const char *close = NULL;
        if (starts_nocase(p + i, lim - i, "<!--"))
            close = "-->";
        else if (starts_nocase(p + i, lim - i, "<?xml") ||
                 starts_nocase(p + i, lim - i, "<!doctype"))
            close = ">";
        else
            return 0;
        const unsigned char *e = find(p + i, lim - i, close);
        if (!e) return 0;
        i = (size_t)(e - p) + strlen(close);
    }
    return 0;
}

/* RFC 5322: a block of "Name: value" lines (continuations start with a
 * blank) ending in an empty line. Minutes that open with "Date:" and
 * "Location:" lines must not pass, so a From with an address is required,
 * plus one more field only messages have. */
static int looks_email(const unsigned char *p, size_t n)
{
    size_t lim = n < 65536 ? n : 65536, i = 0, lines = 0;
    int from = 0, other = 0;
    while (i < lim) {
        size_t e = i;
        while (e < lim && p[e] != '\n')
            e++;
        size_t len = e - i;
        if (len && p[e - 1] == '\r') len--;
        if (len == 0) return lines >= 2 && from && other;
        if (p[i] == ' ' || p[i] == '\t') {
            if (!lines) return 0;
        } else {
            size_t k = i;
            while (k < i + len && p[k] > ' ' && p[k] < 127 && p[k] != ':')
                k++;
            if (k == i || k >= i + len || p[k] != ':') return 0;
            const unsigned char *name = p + i;
            size_t nl = k - i;
            if (nl == 4 && !strncasecmp((const char *)name, "from", 4) &&
                memchr(p + k, '@', i + len - k))
                from = 1;
            else if ((nl == 4 && !strncasecmp((const char *)name, "date", 4)) ||
                     (nl == 7 && !strncasecmp((const char *)name, "subject", 7)) ||
                     (nl == 10 && !strncasecmp((const char *)name, "message-id", 10)) ||
                     (nl == 12 && !strncasecmp((const char *)name, "mime-version", 12)))
                other = 1;
        }
        lines++;
        i = e + 1;
    }
    return 0;
}

tm_format tm_convert_sniff(const unsigned char *p, size_t n)
{
    if (n >= 5 && memcmp(p, "%PDF-", 5) == 0) return TM_FMT_PDF;
    if (n >= 4 && memcmp(p, "PK\x03\x04", 4) == 0) return TM_FMT_DOCX;
    if (looks_html(p, n)) return TM_FMT_HTML;
    if (looks_email(p, n)) return TM_FMT_EML;
    return TM_FMT_TEXT;
}

static pthread_once_t xml_once = PTHREAD_ONCE_INIT;

static void xml_init_once(void)
{
    xmlInitParser();
}

void tm_convert__xml_init(void)
{
    pthread_once(&xml_once, xml_init_once);
}

int tm_convert_doc(tm_doc *doc, tm_format fmt, tm_err *err)
{
    switch (fmt) {
    case TM_FMT_DOCX:
    case TM_FMT_ODT:
        return tm_convert__zip(doc, err);
    case TM_FMT_PDF:
        return tm_convert__pdf(doc, err);
    case TM_FMT_HTML:
        return tm_convert__html(doc, (const char *)doc->raw, doc->raw_len, TM_FMT_HTML, err);
    case TM_FMT_EML:
        return tm_convert__eml(doc, err);
    default:
        break;
    }
    return tm_err_set(err, TM_EINVAL, "%s: no converter for this format", doc->path);
}

/* ----------------------------------------------------------------- builder */

void tm_tb_init(tm_tb *tb, tm_doc *doc)
{
    memset(tb, 0, sizeof *tb);
    tb->doc = doc;
}

void tm_tb_dispose(tm_tb *tb)
{
    tm_free(tb->p);
    tb->p = NULL;
    tb->n = tb->cap = 0;
}

static int reserve(tm_tb *tb, size_t more)
{
    if (tb->oom || tb->too_big) return -1;
    if (tb->n + more + 1 > TM_CONVERT_MAX_TEXT) {
        tb->too_big = 1;
        return -1;
    }
    if (tb->n + more + 1 <= tb->cap) return 0;
    size_t cap = tb->cap ? tb->cap : 4096;
    while (cap < tb->n + more + 1)
        cap *= 2;
    char *np = tm_realloc(tb->p, cap);
    if (!np) {
        tb->oom = 1;
        return -1;
    }
    tb->p = np;
    tb->cap = cap;
    return 0;
}

void tm_tb_break(tm_tb *tb, int kind)
{
    if (kind > tb->pending) tb->pending = kind;
}

void tm_tb_prefix(tm_tb *tb, const char *prefix)
{
    tb->prefix = prefix;
}

static void add(tm_tb *tb, const char *s, size_t n)
{
    if (reserve(tb, n) == 0) {
        memcpy(tb->p + tb->n, s, n);
        tb->n += n;
    }
}

/* Writes the pending break (and opens a block) before visible text. */
static void flush(tm_tb *tb)
{
    int kind = tb->pending;
    int first = tb->doc->blocks.n == 0;
    if (kind == TB_NONE && !first) return;
    while (tb->n && tb->p[tb->n - 1] == ' ')
        tb->n--;
    if (tb->n && kind != TB_NONE) add(tb, kind == TB_PARA ? "\n\n" : "\n", kind == TB_PARA ? 2 : 1);
    if (kind >= TB_ROW || first) {
        tm_block *b = TM_VEC_PUSH(&tb->doc->arena, tb->doc->blocks);
        if (!b) {
            tb->oom = 1;
        } else {
            b->off = (uint32_t)tb->n;
            b->page = tb->page;
            b->para = ++tb->para;
        }
    }
    tb->pending = TB_NONE;
    if (tb->prefix) {
        add(tb, tb->prefix, strlen(tb->prefix));
        tb->prefix = NULL;
    }
}

static int is_blank(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

void tm_tb_put(tm_tb *tb, const char *s, size_t n, int collapse)
{
    size_t i = 0;
    if (collapse) {
        while (i < n && is_blank((unsigned char)s[i]))
            i++;
        if (i == n) {
            /* only white space: a separator at most, never a break */
            if (n && tb->pending == TB_NONE && tb->n && tb->p[tb->n - 1] != ' ' &&
                tb->p[tb->n - 1] != '\n' && tb->p[tb->n - 1] != '\t')
                add(tb, " ", 1);
            return;
        }
        if (i && tb->pending == TB_NONE && tb->n && tb->p[tb->n - 1] != ' ' &&
            tb->p[tb->n - 1] != '\n' && tb->p[tb->n - 1] != '\t')
            add(tb, " ", 1);
    } else if (n == 0) {
        return;
    }
    flush(tb);
    if (reserve(tb, n - i) != 0) return;
    for (; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (collapse && is_blank(c)) {
            if (tb->n && tb->p[tb->n - 1] != ' ' && tb->p[tb->n - 1] != '\n' &&
                tb->p[tb->n - 1] != '\t')
                tb->p[tb->n++] = ' ';
            continue;
        }
        if (c < 0x20 && c != '\t') c = ' ';
        tb->p[tb->n++] = (char)c;
    }
}

void tm_tb_cell(tm_tb *tb)
{
    flush(tb);
    while (tb->n && tb->p[tb->n - 1] == ' ')
        tb->n--;
    add(tb, "\t", 1);
}

int tm_tb_finish(tm_tb *tb, tm_format fmt, const char *what, tm_err *err)
{
    tm_doc *doc = tb->doc;
    int rc = TM_OK;
    if (tb->oom) {
        rc = tm_err_set(err, TM_ENOMEM, "%s: out of memory converting the %s", doc->path, what);
        goto cleanup;
    }
    if (tb->too_big) {
        rc = tm_err_set(err, TM_EFORMAT, "%s: the %s holds more than %zu MB of text: split it",
                        doc->path, what, TM_CONVERT_MAX_TEXT >> 20);
        goto cleanup;
    }
    while (tb->n && (tb->p[tb->n - 1] == ' ' || tb->p[tb->n - 1] == '\t'))
        tb->n--;
    int visible = 0;
    for (size_t i = 0; i < tb->n && !visible; i++)
        visible = isalnum((unsigned char)tb->p[i]) || (unsigned char)tb->p[i] >= 0x80;
    if (!visible) {
        rc = tm_err_set(err, TM_EFORMAT, "%s: the %s contains no text to read", doc->path, what);
        goto cleanup;
    }
    add(tb, "\n", 1);
    if (tb->oom) goto cleanup;
    doc->text = tm_arena_strndup(&doc->arena, tb->p ? tb->p : "", tb->n);
    doc->marked = tm_arena_strndup(&doc->arena, tb->p ? tb->p : "", tb->n);
    if (!doc->text || !doc->marked) {
        rc = tm_err_set(err, TM_ENOMEM, "%s: out of memory converting the %s", doc->path, what);
        goto cleanup;
    }
    doc->text_len = tb->n;
    doc->format = fmt;
    doc->encoding = TM_ENC_UTF8;
    doc->raw_map = NULL;
cleanup:
    tm_tb_dispose(tb);
    return rc;
}
