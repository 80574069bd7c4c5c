/*
 * convert_pdf.c: PDF to text with poppler-glib.
 *
 * Poppler gives each page's characters with their boxes. Lines are rebuilt
 * from the boxes (top to bottom, left to right), so a table row stays one
 * line and a wide gap between cells becomes a TAB. Running headers and
 * footers (the same line, digits aside, at the top or bottom of most
 * pages) and lone page numbers are dropped. Lines are then joined into
 * paragraphs: a wrapped line continues its paragraph (a word hyphenated at
 * the line end is joined), a short line ends a line, a wider gap ends a
 * paragraph, and a paragraph broken by a page break is joined again.
 */
#include "convert_int.h"

#include <ctype.h>
#include <math.h>
#include <poppler.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct glyph {
    double x1, y1, x2, y2;
    uint32_t off, len; /* bytes in the page text */
    uint32_t seq;      /* index in poppler's order */
    int space_before;  /* poppler put white space before it */
} glyph;

typedef struct pline {
    char *s; /* heap, NUL-terminated */
    size_t n;
    double top, bottom, left, right, height;
    int tabs, drop;
} pline;

typedef struct ppage {
    pline *lines;
    size_t n, cap;
    double right; /* rightmost line end on the page */
} ppage;

static pthread_once_t log_once = PTHREAD_ONCE_INIT;

static void quiet(const gchar *domain, GLogLevelFlags level, const gchar *msg, gpointer data)
{
    (void)domain, (void)level, (void)msg, (void)data;
}

/* Poppler reports syntax errors of damaged files through GLib's log; the
 * user gets our one line instead. */
static void log_init(void)
{
    g_log_set_handler("Poppler", G_LOG_LEVEL_MASK | G_LOG_FLAG_FATAL | G_LOG_FLAG_RECURSION, quiet,
                      NULL);
}

static int cmp_top(const void *a, const void *b)
{
    const glyph *x = a, *y = b;
    double cx = (x->y1 + x->y2) / 2, cy = (y->y1 + y->y2) / 2;
    if (cx != cy) return cx < cy ? -1 : 1;
    return x->x1 < y->x1 ? -1 : x->x1 > y->x1;
}

static int cmp_left(const void *a, const void *b)
{
    const glyph *x = a, *y = b;
    if (x->x1 != y->x1) return x->x1 < y->x1 ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int push_line(ppage *pg, const char *s, size_t n, double top, double bottom, double left,
                     double right, int tabs)
{
    if (pg->n == pg->cap) {
        size_t cap = pg->cap ? pg->cap * 2 : 64;
        pline *nl = tm_realloc(pg->lines, cap * sizeof *nl);
        if (!nl) return -1;
        pg->lines = nl;
        pg->cap = cap;
    }
    char *c = tm_strndup(s, n);
    if (!c) return -1;
    pline *l = &pg->lines[pg->n++];
    *l = (pline){c, n, top, bottom, left, right, bottom - top, tabs, 0};
    if (right > pg->right) pg->right = right;
    return 0;
}

/* Lines of one page from the character boxes; -1 on allocation failure. */
static int page_lines(ppage *pg, const char *text, const PopplerRectangle *r, guint nr)
{
    size_t tn = strlen(text), ng = 0;
    glyph *g = tm_calloc(nr ? nr : 1, sizeof *g);
    char *buf = tm_malloc(tn * 2 + 16);
    int rc = -1;
    if (!g || !buf) goto cleanup;
    int space = 0;
    uint32_t ci = 0;
    for (size_t i = 0; i < tn && ci < nr; ci++) {
        size_t k = (size_t)(g_utf8_next_char(text + i) - (text + i));
        if (k == 0 || i + k > tn) k = 1;
        unsigned char c = (unsigned char)text[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
            (c == 0xC2 && k == 2 && (unsigned char)text[i + 1] == 0xA0)) {
            space = 1;
        } else if (r[ci].x2 >= r[ci].x1 && r[ci].y2 > r[ci].y1) {
            g[ng] = (glyph){r[ci].x1,    r[ci].y1,    r[ci].x2, r[ci].y2,
                            (uint32_t)i, (uint32_t)k, ci,       space};
            ng++;
            space = 0;
        }
        i += k;
    }
    qsort(g, ng, sizeof *g, cmp_top);
    for (size_t a = 0; a < ng;) {
        /* a line: glyphs whose vertical centre falls inside the first one's band */
        double top = g[a].y1, bottom = g[a].y2;
        size_t b = a + 1;
        while (b < ng) {
            double cy = (g[b].y1 + g[b].y2) / 2;
            if (cy < top || cy > bottom) break;
            if (g[b].y1 < top) top = g[b].y1;
            if (g[b].y2 > bottom) bottom = g[b].y2;
            b++;
        }
        qsort(g + a, b - a, sizeof *g, cmp_left);
        double h = bottom - top;
        size_t n = 0;
        int tabs = 0;
        for (size_t j = a; j < b; j++) {
            if (j > a) {
                double gap = g[j].x1 - g[j - 1].x2;
                int adjacent = g[j].seq == g[j - 1].seq + 1 || g[j].space_before;
                if (gap > 1.8 * h) {
                    buf[n++] = '\t';
                    tabs++;
                } else if (gap > 0.25 * h || (adjacent && g[j].space_before && gap > -0.1 * h)) {
                    buf[n++] = ' ';
                }
            }
            memcpy(buf + n, text + g[j].off, g[j].len);
            n += g[j].len;
        }
        if (push_line(pg, buf, n, top, bottom, g[a].x1, g[b - 1].x2, tabs) != 0) goto cleanup;
        a = b;
    }
    rc = 0;
cleanup:
    tm_free(g);
    tm_free(buf);
    return rc;
}

/* Poppler's own line order, for a page whose boxes do not match its text. */
static int page_lines_plain(ppage *pg, const char *text)
{
    const char *p = text;
    double y = 0;
    while (*p) {
        const char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (n && push_line(pg, p, n, y, y + 10, 0, 1000, 0) != 0) return -1;
        y += 12;
        p += n + (e ? 1 : 0);
    }
    return 0;
}

/* The line with digits as '#' and blanks folded: "Page 3 of 9" ~ "Page 4 of 9". */
static void line_key(const pline *l, char *key, size_t cap)
{
    size_t k = 0;
    int sp = 0;
    for (size_t i = 0; i < l->n && k + 1 < cap; i++) {
        unsigned char c = (unsigned char)l->s[i];
        if (c == ' ' || c == '\t') {
            sp = k > 0;
            continue;
        }
        if (sp && k + 2 < cap) key[k++] = ' ';
        sp = 0;
        key[k++] = isdigit(c) ? '#' : (char)tolower(c);
    }
    key[k] = '\0';
}

static int page_number_line(const pline *l)
{
    const char *s = l->s;
    while (*s == ' ' || *s == '-' || *s == '\t')
        s++;
    if (!strncasecmp(s, "page", 4)) s += 4;
    while (*s == ' ' || *s == '.')
        s++;
    int digits = 0;
    while (isdigit((unsigned char)*s))
        s++, digits++;
    if (!digits || digits > 4) return 0;
    while (*s == ' ')
        s++;
    if (!strncasecmp(s, "of", 2) || *s == '/') {
        s += *s == '/' ? 1 : 2;
        while (*s == ' ')
            s++;
        while (isdigit((unsigned char)*s))
            s++;
    }
    while (*s == ' ' || *s == '-' || *s == '\t')
        s++;
    return *s == '\0';
}

enum { EDGE = 2 }; /* lines at each end of a page that may be a header or footer */

static int edge(const ppage *pg, size_t i)
{
    return i < EDGE || i + EDGE >= pg->n;
}

static void drop_running(ppage *pages, size_t np)
{
    char key[256], other[256];
    size_t need = np * 3 / 5 > 2 ? np * 3 / 5 : 2;
    for (size_t p = 0; p < np; p++) {
        for (size_t i = 0; i < pages[p].n; i++) {
            pline *l = &pages[p].lines[i];
            if (!edge(&pages[p], i)) continue;
            if (page_number_line(l)) {
                l->drop = 1;
                continue;
            }
            if (np < 2) continue;
            line_key(l, key, sizeof key);
            size_t seen = 0;
            for (size_t q = 0; q < np; q++) {
                for (size_t j = 0; j < pages[q].n; j++) {
                    if (!edge(&pages[q], j)) continue;
                    line_key(&pages[q].lines[j], other, sizeof other);
                    if (!strcmp(key, other)) {
                        seen++;
                        break;
                    }
                }
            }
            if (seen >= need) l->drop = 1;
        }
    }
}

static int ends_sentence(const pline *l)
{
    unsigned char c = l->n ? (unsigned char)l->s[l->n - 1] : '.';
    return c == '.' || c == ':' || c == '?' || c == '!' || c == ';';
}

/* A wrapped line reaches (nearly) the right margin. */
static int full(const pline *l, const ppage *pg)
{
    return l->right >= pg->right - 4 * (l->height > 0 ? l->height : 10);
}

static int hyphenated(const pline *prev, const pline *next)
{
    if (prev->n < 2 || prev->s[prev->n - 1] != '-' || !isalpha((unsigned char)prev->s[prev->n - 2]))
        return 0;
    return islower((unsigned char)next->s[0]);
}

static void emit(tm_tb *tb, ppage *pages, size_t np)
{
    const pline *prev = NULL;
    const ppage *prevpg = NULL;
    for (size_t p = 0; p < np; p++) {
        tb->page = (uint32_t)(p + 1);
        for (size_t i = 0; i < pages[p].n; i++) {
            pline *l = &pages[p].lines[i];
            if (l->drop || !l->n) continue;
            int join = 0;
            if (prev) {
                double lh = prev->height > l->height ? prev->height : l->height;
                if (prevpg != &pages[p])
                    join = full(prev, prevpg) && !ends_sentence(prev) && !prev->tabs && !l->tabs;
                else if (l->top - prev->bottom > 0.6 * lh)
                    tm_tb_break(tb, TB_PARA);
                else if (prev->tabs || l->tabs)
                    tm_tb_break(tb, TB_ROW);
                else if (!full(prev, prevpg))
                    tm_tb_break(tb, TB_LINE);
                else
                    join = 1;
                if (prevpg != &pages[p] && !join) tm_tb_break(tb, TB_PARA);
            }
            if (join && hyphenated(prev, l))
                tb->n--; /* "commu-" + "nity" */
            else if (join)
                tm_tb_put(tb, " ", 1, 0);
            tm_tb_put(tb, l->s, l->n, 0);
            prev = l;
            prevpg = &pages[p];
        }
    }
}

int tm_convert__pdf(tm_doc *doc, tm_err *err)
{
    pthread_once(&log_once, log_init);
    GError *gerr = NULL;
    GBytes *bytes = g_bytes_new_static(doc->raw, doc->raw_len);
    PopplerDocument *pdf = poppler_document_new_from_bytes(bytes, NULL, &gerr);
    ppage *pages = NULL;
    int np = 0, rc = TM_OK;
    size_t glyphs = 0;
    tm_tb tb;
    tm_tb_init(&tb, doc);
    if (!pdf) {
        if (gerr && gerr->domain == POPPLER_ERROR && gerr->code == POPPLER_ERROR_ENCRYPTED)
            rc = tm_err_set(err, TM_EFORMAT,
                            "%s: encrypted PDF: it needs a password; ask the sender for an "
                            "unprotected copy",
                            doc->path);
        else
            rc =
                tm_err_set(err, TM_EFORMAT, "%s: damaged PDF (%s): ask the sender for a fresh copy",
                           doc->path, gerr && gerr->message ? gerr->message : "cannot be opened");
        goto cleanup;
    }
    np = poppler_document_get_n_pages(pdf);
    if (np <= 0) {
        rc = tm_err_set(err, TM_EFORMAT,
                        "%s: damaged PDF: no pages; ask the sender for a fresh copy", doc->path);
        goto cleanup;
    }
    pages = tm_calloc((size_t)np, sizeof *pages);
    if (!pages) {
        rc = tm_err_set(err, TM_ENOMEM, "%s: out of memory for %d pages", doc->path, np);
        goto cleanup;
    }
    for (int i = 0; i < np; i++) {
        PopplerPage *page = poppler_document_get_page(pdf, i);
        if (!page) continue;
        char *text = poppler_page_get_text(page);
        PopplerRectangle *rects = NULL;
        guint nr = 0;
        int lrc = 0;
        if (text && *text) {
            glong chars = g_utf8_strlen(text, -1);
            if (poppler_page_get_text_layout(page, &rects, &nr) && (glong)nr == chars)
                lrc = page_lines(&pages[i], text, rects, nr);
            else
                lrc = page_lines_plain(&pages[i], text);
            glyphs += pages[i].n;
        }
        g_free(rects);
        g_free(text);
        g_object_unref(page);
        if (lrc != 0) {
            rc = tm_err_set(err, TM_ENOMEM, "%s: out of memory reading page %d", doc->path, i + 1);
            goto cleanup;
        }
    }
    if (!glyphs) {
        rc = tm_err_set(err, TM_EFORMAT,
                        "%s: PDF without text (%d page(s) of images, a scan?): run OCR on it or "
                        "ask for the original document",
                        doc->path, np);
        goto cleanup;
    }
    drop_running(pages, (size_t)np);
    emit(&tb, pages, (size_t)np);
    rc = tm_tb_finish(&tb, TM_FMT_PDF, "PDF", err);
cleanup:
    tm_tb_dispose(&tb);
    for (int i = 0; pages && i < np; i++) {
        for (size_t j = 0; j < pages[i].n; j++)
            tm_free(pages[i].lines[j].s);
        tm_free(pages[i].lines);
    }
    tm_free(pages);
    if (pdf) g_object_unref(pdf);
    g_bytes_unref(bytes);
    if (gerr) g_error_free(gerr);
    return rc;
}
