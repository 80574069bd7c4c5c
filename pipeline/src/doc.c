/*
 * doc.c: life cycle of the per-document record and the names of its enums.
 */
#include "tm/doc.h"
#include "tm/common.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void tm_doc_init(tm_doc *doc)
{
    memset(doc, 0, sizeof *doc);
    tm_arena_init(&doc->arena);
}

void tm_doc_reset(tm_doc *doc)
{
    tm_arena arena = doc->arena;
    tm_arena_reset(&arena);
    memset(doc, 0, sizeof *doc);
    doc->arena = arena;
}

void tm_doc_dispose(tm_doc *doc)
{
    tm_arena_dispose(&doc->arena);
    memset(doc, 0, sizeof *doc);
}

void tm_doc_add_error(tm_doc *doc, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    const char **slot = TM_VEC_PUSH(&doc->arena, doc->errors);
    if (slot) *slot = tm_arena_strdup(&doc->arena, buf);
}

size_t tm_doc_line_of(const tm_doc *doc, size_t off)
{
    /* lines are sorted: binary search when segment has run, else count */
    if (doc->lines.n) {
        size_t lo = 0, hi = doc->lines.n;
        while (hi - lo > 1) {
            size_t mid = (lo + hi) / 2;
            if (doc->lines.v[mid].off <= off)
                lo = mid;
            else
                hi = mid;
        }
        return lo + 1;
    }
    size_t line = 1;
    for (size_t i = 0; i < off && i < doc->text_len; i++)
        line += doc->text[i] == '\n';
    return line;
}

static const char *const kind_names[] = {"other", "minutes", "report"};
static const char *const category_names[] = {"community",    "theme",     "incident", "place",
                                             "organisation", "indicator", "cue",      "tone"};
static const char *const polarity_names[] = {"concern", "reassurance"};
static const char *const eep_names[] = {"evidenced", "experienced", "potential"};

const char *tm_kind_name(tm_doc_kind k)
{
    return (unsigned)k < 3 ? kind_names[k] : "other";
}

const char *tm_category_name(tm_category c)
{
    return (unsigned)c < TM_CAT__COUNT ? category_names[c] : "?";
}

int tm_category_from_name(tm_category *out, const char *name, size_t n)
{
    for (int i = 0; i < TM_CAT__COUNT; i++) {
        if (strlen(category_names[i]) == n && memcmp(category_names[i], name, n) == 0) {
            *out = (tm_category)i;
            return 0;
        }
    }
    return -1;
}

const char *tm_polarity_name(tm_polarity p)
{
    return (unsigned)p < 2 ? polarity_names[p] : "concern";
}

const char *tm_eep_name(tm_eep e)
{
    return (unsigned)e < 3 ? eep_names[e] : "evidenced";
}

const tm_block *tm_doc_block_of(const tm_doc *doc, size_t off)
{
    if (!doc->blocks.n) return NULL;
    size_t lo = 0, hi = doc->blocks.n;
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (doc->blocks.v[mid].off <= off)
            lo = mid;
        else
            hi = mid;
    }
    return &doc->blocks.v[lo];
}

const char *tm_format_name(tm_format f)
{
    static const char *const names[] = {"text", "docx", "odt", "pdf", "html", "eml"};
    return (unsigned)f < sizeof names / sizeof names[0] ? names[f] : "text";
}
