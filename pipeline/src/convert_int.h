/*
 * convert_int.h: what the format converters share: the text builder that
 * lays out paragraphs, rows, headings and blocks the way segment reads them.
 *
 * Breaks are lazy: a converter asks for a line, row or paragraph break when
 * an element ends, and the builder writes it only before the next visible
 * text, so empty elements never leave runs of blank lines.
 */
#ifndef TM_CONVERT_INT_H
#define TM_CONVERT_INT_H

#include "tm/convert.h"

enum { TB_NONE = 0, TB_LINE, TB_ROW, TB_PARA }; /* weakest to strongest */

typedef struct tm_tb {
    tm_doc *doc; /* receives blocks */
    char *p;     /* heap buffer (tm_realloc) */
    size_t n, cap;
    uint32_t para;      /* paragraphs started so far */
    uint32_t page;      /* current page (PDF), else 0 */
    int pending;        /* TB_* break to write before the next text */
    const char *prefix; /* "# ", "- ": written with the next text */
    int oom, too_big;
} tm_tb;

void tm_tb_init(tm_tb *tb, tm_doc *doc);
void tm_tb_dispose(tm_tb *tb);

/* Asks for a break before the next text; the strongest request wins. */
void tm_tb_break(tm_tb *tb, int kind);

/* Text to write at the start of the next block ("## ", "- "); a string
 * literal or otherwise long-lived. */
void tm_tb_prefix(tm_tb *tb, const char *prefix);

/* Appends text. `collapse` folds runs of white space into one space and
 * drops it at a line start (HTML, OpenDocument); else bytes go in as they
 * are (CR, LF and other controls become spaces). */
void tm_tb_put(tm_tb *tb, const char *s, size_t n, int collapse);

/* Appends a cell separator (TAB) between table cells. */
void tm_tb_cell(tm_tb *tb);

/* Moves the text into doc (text, marked, format). Fails with TM_EFORMAT
 * naming `what` when there is no letter or digit in it. */
int tm_tb_finish(tm_tb *tb, tm_format fmt, const char *what, tm_err *err);

/* The converters; each reads doc->raw and finishes a builder. */
int tm_convert__zip(tm_doc *doc, tm_err *err);
int tm_convert__pdf(tm_doc *doc, tm_err *err);
int tm_convert__html(tm_doc *doc, const char *html, size_t n, tm_format fmt, tm_err *err);
int tm_convert__eml(tm_doc *doc, tm_err *err);

/* HTML conversion into an existing builder (e-mail bodies). */
int tm_convert__html_into(tm_tb *tb, const char *html, size_t n);

/* libxml2's one-time set-up (thread-safe). */
void tm_convert__xml_init(void);

#endif
