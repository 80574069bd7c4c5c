/*
 * render_csv.c: the report as one CSV file per table, for analysts'
 * spreadsheets. Tables are described by a static spec (which member of a
 * period, which columns), so a field the report gains later is one line
 * here. Cells are formatted from the JSON values themselves: numbers as
 * jansson prints them, null as an empty cell, true/false as words, arrays
 * joined with "; ".
 */
#include "tm/render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int tm_out_format_from_name(tm_out_format *out, const char *name, tm_err *err)
{
    static const char *const names[] = {"json", "csv", "html"};
    for (int i = 0; i < 3; i++) {
        if (name && strcmp(name, names[i]) == 0) {
            *out = (tm_out_format)i;
            return TM_OK;
        }
    }
    return tm_err_set(err, TM_EINVAL, "--format %s: unknown format; use json, csv or html",
                      name ? name : "(none)");
}

void tm_csv_field(tm_buf *line, const char *s, size_t n)
{
    /* RFC 4180: quote a field holding a separator, a quote or a line break;
     * also one starting with a space, which spreadsheets would trim */
    int quote = n && (s[0] == ' ' || s[n - 1] == ' ');
    for (size_t i = 0; i < n && !quote; i++)
        quote = s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n';
    if (!quote) {
        tm_buf_append(line, s, n);
        return;
    }
    tm_buf_append(line, "\"", 1);
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"') tm_buf_append(line, "\"", 1);
        tm_buf_append(line, s + i, 1);
    }
    tm_buf_append(line, "\"", 1);
}

/* One cell from a JSON value. */
static void cell(tm_buf *b, const json_t *v)
{
    if (!v || json_is_null(v)) return;
    if (json_is_string(v)) {
        tm_csv_field(b, json_string_value(v), json_string_length(v));
        return;
    }
    if (json_is_array(v)) {
        tm_buf joined;
        tm_buf_init(&joined);
        size_t i;
        const json_t *e;
        json_array_foreach(v, i, e)
        {
            if (i) tm_buf_puts(&joined, "; ");
            if (json_is_string(e)) {
                tm_buf_puts(&joined, json_string_value(e));
            } else {
                char *t = json_dumps(e, JSON_ENCODE_ANY | JSON_COMPACT | JSON_SORT_KEYS);
                if (t)
                    tm_buf_puts(&joined, t);
                else
                    joined.oom = 1;
                free(t);
            }
        }
        if (joined.oom)
            b->oom = 1;
        else
            tm_csv_field(b, joined.p ? joined.p : "", joined.n);
        tm_buf_dispose(&joined);
        return;
    }
    char *t =
        json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(12));
    if (!t) {
        b->oom = 1;
        return;
    }
    tm_csv_field(b, t, strlen(t));
    free(t);
}

static void text_cell(tm_buf *b, const char *s)
{
    tm_csv_field(b, s, strlen(s));
}

static void sep(tm_buf *b)
{
    tm_buf_append(b, ",", 1);
}

static void eol(tm_buf *b)
{
    tm_buf_append(b, "\r\n", 2);
}

static void header(tm_buf *b, const char *const *cols)
{
    tm_buf_puts(b, "\xef\xbb\xbf"); /* BOM: Excel opens the file as UTF-8 */
    for (size_t i = 0; cols[i]; i++) {
        if (i) sep(b);
        text_cell(b, cols[i]);
    }
    eol(b);
}

/* The kinds of table. */
enum shape {
    COUNTS,   /* member is {key: count} */
    ARRAY,    /* member is [{col: value}] */
    EVIDENCE, /* top_signals[].evidence[] with the group's columns in front */
    EEP,      /* member is {evidenced, experienced, potential}: one row */
    LEVELS,   /* levels.area and levels.communities.* */
    REASONS   /* their reasons[] */
};

typedef struct table {
    const char *file;
    const char *member;
    enum shape shape;
    int optional;               /* written only when some period has the member */
    const char *const cols[16]; /* columns after "period"; NULL-terminated */
} table;

static const table tables[] = {
    {"periods", NULL, ARRAY, 0, {"start", "end", "documents", "words", NULL}},
    {"communities", "communities", COUNTS, 0, {"community", "count", NULL}},
    {"themes", "themes", COUNTS, 0, {"theme", "count", NULL}},
    {"places", "places", COUNTS, 0, {"place", "count", NULL}},
    {"organisations", "organisations", COUNTS, 0, {"organisation", "count", NULL}},
    {"community_theme",
     "community_theme",
     ARRAY,
     0,
     {"community", "theme", "count", "rate_per_10k_words", NULL}},
    {"top_signals",
     "top_signals",
     ARRAY,
     0,
     {"rank", "community", "theme", "polarity", "eep", "count", "documents", NULL}},
    {"evidence",
     "top_signals",
     EVIDENCE,
     0,
     {"rank", "community", "theme", "polarity", "eep", "doc", "date", "section", "speaker_role",
      "start", "end", "text", NULL}},
    {"eep", "eep", EEP, 1, {"evidenced", "experienced", "potential", NULL}},
    {"tone", "tone", COUNTS, 1, {"tone", "count", NULL}},
    {"trends",
     "trends",
     ARRAY,
     1,
     {"community", "theme", "count", "rate_per_10k_words", "previous", "change", "baseline_rate",
      "rising", "p_value", NULL}},
    {"levels",
     "levels",
     LEVELS,
     1,
     {"scope", "community", "level", "tier", "label", "direction", "score", NULL}},
    {"level_reasons",
     "levels",
     REASONS,
     1,
     {"scope", "for_community", "community", "theme", "eep", "polarity", "count", "contribution",
      NULL}},
    {"incidents",
     "incidents",
     ARRAY,
     1,
     {"id", "theme", "place", "first_seen", "last_seen", "documents", "mentions", "new", NULL}},
    {"emerging_terms",
     "emerging_terms",
     ARRAY,
     1,
     {"term", "count", "baseline_count", "log_likelihood", NULL}},
    {"upcoming_events", "upcoming_events", ARRAY, 1, {"date", "event", "text", "doc", "eep", NULL}},
};

/* A row: the period key, then the named fields of `obj`. */
static void object_row(tm_buf *b, const char *period, const json_t *obj, const char *const *cols)
{
    text_cell(b, period);
    for (size_t i = 0; cols[i]; i++) {
        sep(b);
        cell(b, json_object_get(obj, cols[i]));
    }
    eol(b);
}

static void level_row(tm_buf *b, const char *period, const char *scope, const char *community,
                      const json_t *lv)
{
    text_cell(b, period);
    sep(b);
    text_cell(b, scope);
    sep(b);
    text_cell(b, community);
    static const char *const rest[] = {"level", "tier", "label", "direction", "score", NULL};
    for (size_t i = 0; rest[i]; i++) {
        sep(b);
        cell(b, json_object_get(lv, rest[i]));
    }
    eol(b);
}

static void reason_rows(tm_buf *b, const char *period, const char *scope, const char *community,
                        const json_t *lv)
{
    size_t i;
    const json_t *r;
    static const char *const rest[] = {"community", "theme",        "eep", "polarity",
                                       "count",     "contribution", NULL};
    json_array_foreach(json_object_get(lv, "reasons"), i, r)
    {
        text_cell(b, period);
        sep(b);
        text_cell(b, scope);
        sep(b);
        text_cell(b, community);
        for (size_t k = 0; rest[k]; k++) {
            sep(b);
            cell(b, json_object_get(r, rest[k]));
        }
        eol(b);
    }
}

static void period_rows(tm_buf *b, const table *t, const json_t *p)
{
    const char *key = json_string_value(json_object_get(p, "period"));
    if (!key) key = "";
    const json_t *m = t->member ? json_object_get(p, t->member) : p;
    if (!m) return;
    switch (t->shape) {
    case COUNTS: {
        const char *k;
        const json_t *v;
        json_object_foreach((json_t *)m, k, v)
        {
            text_cell(b, key);
            sep(b);
            text_cell(b, k);
            sep(b);
            cell(b, v);
            eol(b);
        }
        break;
    }
    case ARRAY: {
        if (!t->member) {
            object_row(b, key, p, t->cols);
            break;
        }
        size_t i;
        const json_t *o;
        json_array_foreach(m, i, o) object_row(b, key, o, t->cols);
        break;
    }
    case EVIDENCE: {
        size_t i, j;
        const json_t *g, *e;
        static const char *const gcols[] = {"rank", "community", "theme", "polarity", "eep", NULL};
        static const char *const ecols[] = {"doc",   "date", "section", "speaker_role",
                                            "start", "end",  "text",    NULL};
        json_array_foreach(m, i, g)
        {
            json_array_foreach(json_object_get(g, "evidence"), j, e)
            {
                text_cell(b, key);
                for (size_t k = 0; gcols[k]; k++) {
                    sep(b);
                    cell(b, json_object_get(g, gcols[k]));
                }
                for (size_t k = 0; ecols[k]; k++) {
                    sep(b);
                    cell(b, json_object_get(e, ecols[k]));
                }
                eol(b);
            }
        }
        break;
    }
    case EEP:
        object_row(b, key, m, t->cols);
        break;
    case LEVELS:
    case REASONS: {
        void (*row)(tm_buf *, const char *, const char *, const char *, const json_t *) =
            t->shape == LEVELS ? level_row : reason_rows;
        const json_t *area = json_object_get(m, "area");
        if (json_is_object(area)) row(b, key, "area", "", area);
        const char *k;
        const json_t *v;
        json_object_foreach(json_object_get(m, "communities"), k, v) row(b, key, "community", k, v);
        break;
    }
    }
}

/* The periods and the undated pseudo-period, in report order. */
static size_t all_periods(const json_t *report, const json_t **out, size_t cap)
{
    size_t n = 0, i;
    const json_t *p;
    json_array_foreach(json_object_get(report, "periods"), i, p) if (n < cap) out[n++] = p;
    const json_t *u = json_object_get(report, "undated");
    if (json_is_object(u) && n < cap) out[n++] = u;
    return n;
}

int tm_render_csv(const json_t *report, const char *dir,
                  void (*written)(const char *path, void *payload), void *payload, tm_err *err)
{
    const json_t *parr = json_object_get(report, "periods");
    if (!json_is_array(parr))
        return tm_err_set(err, TM_EINVAL, "csv: the input is not a report (no \"periods\" array)");
    int rc = tm_make_dirs(dir, err);
    if (rc != TM_OK) return rc;
    size_t cap = json_array_size(parr) + 1;
    const json_t **periods = tm_calloc(cap, sizeof *periods);
    if (!periods) return tm_err_set(err, TM_ENOMEM, "csv: out of memory");
    size_t np = all_periods(report, periods, cap);
    tm_buf b;
    tm_buf_init(&b);
    for (size_t t = 0; t < sizeof tables / sizeof *tables && rc == TM_OK; t++) {
        const table *tb = &tables[t];
        if (tb->optional) {
            int any = 0;
            for (size_t i = 0; i < np && !any; i++)
                any = json_object_get(periods[i], tb->member) != NULL;
            if (!any) continue;
        }
        tm_buf_dispose(&b);
        const char *cols[20] = {"period"};
        size_t nc = 1;
        for (size_t i = 0; tb->cols[i] && nc < 19; i++)
            cols[nc++] = tb->cols[i];
        cols[nc] = NULL;
        header(&b, cols);
        for (size_t i = 0; i < np; i++)
            period_rows(&b, tb, periods[i]);
        if (b.oom) {
            rc = tm_err_set(err, TM_ENOMEM, "csv: out of memory rendering %s.csv", tb->file);
            break;
        }
        char path[4096];
        if ((size_t)snprintf(path, sizeof path, "%s/%s.csv", dir, tb->file) >= sizeof path) {
            rc = tm_err_set(err, TM_EINVAL, "%s: folder name too long", dir);
            break;
        }
        rc = tm_write_file(path, b.p, b.n, err);
        if (rc == TM_OK && written) written(path, payload);
    }
    tm_buf_dispose(&b);
    tm_free(periods);
    return rc;
}

/* ------------------------------------------------------- one period at a time */

enum { NTABLES = sizeof tables / sizeof *tables };

struct tm_csv_stream {
    char *dir;
    tm_outfile *out[NTABLES];
    int any[NTABLES]; /* some period had the table's member */
    tm_buf b;
};

void tm_csv_stream_abort(tm_csv_stream *s)
{
    if (!s) return;
    for (size_t t = 0; t < NTABLES; t++)
        tm_outfile_abort(s->out[t]);
    tm_buf_dispose(&s->b);
    tm_free(s->dir);
    tm_free(s);
}

static int table_path(char *path, size_t cap, const char *dir, const table *tb, tm_err *err)
{
    if ((size_t)snprintf(path, cap, "%s/%s.csv", dir, tb->file) >= cap)
        return tm_err_set(err, TM_EINVAL, "%s: folder name too long", dir);
    return TM_OK;
}

int tm_csv_stream_open(tm_csv_stream **out, const char *dir, tm_err *err)
{
    *out = NULL;
    int rc = tm_make_dirs(dir, err);
    if (rc != TM_OK) return rc;
    tm_csv_stream *s = tm_calloc(1, sizeof *s);
    if (!s || !(s->dir = tm_strndup(dir, strlen(dir)))) {
        tm_free(s);
        return tm_err_set(err, TM_ENOMEM, "csv: out of memory");
    }
    tm_buf_init(&s->b);
    for (size_t t = 0; t < NTABLES; t++) {
        char path[4096];
        if ((rc = table_path(path, sizeof path, dir, &tables[t], err)) != TM_OK ||
            (rc = tm_outfile_open(&s->out[t], path, err)) != TM_OK) {
            tm_csv_stream_abort(s);
            return rc;
        }
        const char *cols[20] = {"period"};
        size_t nc = 1;
        for (size_t i = 0; tables[t].cols[i] && nc < 19; i++)
            cols[nc++] = tables[t].cols[i];
        cols[nc] = NULL;
        tm_buf_dispose(&s->b);
        header(&s->b, cols);
        tm_outfile_write(s->out[t], s->b.p, s->b.n);
    }
    *out = s;
    return TM_OK;
}

int tm_csv_stream_period(tm_csv_stream *s, const json_t *period, tm_err *err)
{
    for (size_t t = 0; t < NTABLES; t++) {
        const table *tb = &tables[t];
        if (tb->member && json_object_get(period, tb->member)) s->any[t] = 1;
        s->b.n = 0; /* the buffer is reused: one period's rows at a time */
        period_rows(&s->b, tb, period);
        if (s->b.oom)
            return tm_err_set(err, TM_ENOMEM, "csv: out of memory rendering %s.csv", tb->file);
        tm_outfile_write(s->out[t], s->b.p, s->b.n);
    }
    return TM_OK;
}

int tm_csv_stream_commit(tm_csv_stream *s, void (*written)(const char *path, void *payload),
                         void *payload, tm_err *err)
{
    int rc = TM_OK;
    for (size_t t = 0; t < NTABLES; t++) {
        tm_outfile *o = s->out[t];
        s->out[t] = NULL;
        /* as tm_render_csv: an optional table no period has is not written */
        if (rc != TM_OK || (tables[t].optional && !s->any[t])) {
            tm_outfile_abort(o);
            continue;
        }
        char path[4096];
        if ((rc = table_path(path, sizeof path, s->dir, &tables[t], err)) != TM_OK) {
            tm_outfile_abort(o);
            continue;
        }
        rc = tm_outfile_commit(o, err);
        if (rc == TM_OK && written) written(path, payload);
    }
    tm_csv_stream_abort(s);
    return rc;
}
