/*
 * summary.c: the national summary (see summary.h). The report supplies the
 * periods, levels, EEP, events and evidence; a few small queries add what
 * the report does not count (hate-crime signals per strand, signals of
 * concern per community and theme, action sentences). Every text goes
 * through the redactor and every count through tm_summary_count() on the
 * way in, so nothing unredacted or unsuppressed is ever put in the tree.
 */
#include "tm/summary.h"
#include "tm/redact.h"
#include "tm/report.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

json_t *tm_summary_count(int64_t n)
{
    return n >= 1 && n <= 4 ? json_string("<5") : json_integer(n);
}

static const char *const strands[] = {"race",       "religion",    "sexual_orientation",
                                      "disability", "transgender", NULL};

typedef struct ctx {
    tm_store *st;
    const tm_lexicon *lex;
    const tm_summary_opts *o;
    tm_redactor *red;
    json_t *docs; /* tm_redact_docs_load */
    tm_err *err;
} ctx;

static int oom(ctx *c)
{
    return tm_err_set(c->err, TM_ENOMEM, "summary: out of memory");
}

static int dberr(ctx *c, const char *what)
{
    sqlite3 *db = tm_store_db(c->st);
    return tm_err_set(c->err, TM_EDB, "%s: summary: %s: %s", sqlite3_db_filename(db, "main"), what,
                      sqlite3_errmsg(db));
}

/* obj[key] = v, stealing v; -1 when v is NULL or out of memory. */
static int put(json_t *obj, const char *key, json_t *v)
{
    return v ? json_object_set_new(obj, key, v) : -1;
}

/* {"kind", "date"} of a stored document: never its path. */
static json_t *doc_ref(ctx *c, const char *path)
{
    const json_t *d = path ? json_object_get(c->docs, path) : NULL;
    json_t *o = json_object();
    if (!o) return NULL;
    if (put(o, "kind", json_string(d ? json_string_value(json_object_get(d, "kind")) : "other")) ||
        put(o, "date",
            d && json_is_string(json_object_get(d, "date"))
                ? json_incref(json_object_get(d, "date"))
                : json_null())) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* A redacted copy of `text` as a JSON string, with the speakers of the
 * document at `path` (NULL: no document). NULL stays null. */
static json_t *redacted(ctx *c, const char *path, const char *text)
{
    if (!text) return json_null();
    const json_t *d = path ? json_object_get(c->docs, path) : NULL;
    const json_t *sp = json_object_get(d, "speakers");
    size_t n = 0;
    tm_redact_speaker *v = tm_calloc(json_object_size(sp) + 1, sizeof *v);
    if (!v) return NULL;
    const char *k;
    json_t *role;
    json_object_foreach((json_t *)sp, k, role)
    {
        v[n].initials = k;
        v[n].role = json_string_value(role);
        n++;
    }
    char *out = NULL;
    json_t *res = NULL;
    if (tm_redact_text(&out, c->red, text, v, n, c->err) == TM_OK) res = json_string(out);
    tm_free(out);
    tm_free(v);
    return res;
}

static const char *period_col(tm_period p)
{
    static const char *const cols[] = {"period_week", "period_month", "period_quarter",
                                       "period_fyear"};
    return (unsigned)p < TM_PERIOD__COUNT ? cols[p] : "period_month";
}

/* Prepares `sql` with PERIOD_COL replaced by the period column (from the
 * enum, never from input) and binds ?1 period key, ?2 from, ?3 to. */
static int prepare(ctx *c, sqlite3_stmt **q, const char *sql, const char *key)
{
    char buf[1024];
    const char *at = strstr(sql, "PERIOD_COL");
    if (at)
        snprintf(buf, sizeof buf, "%.*s%s%s", (int)(at - sql), sql, period_col(c->o->period),
                 at + strlen("PERIOD_COL"));
    else
        snprintf(buf, sizeof buf, "%s", sql);
    sqlite3 *db = tm_store_db(c->st);
    if (sqlite3_prepare_v2(db, buf, -1, q, NULL) != SQLITE_OK) return dberr(c, "preparing a query");
    sqlite3_bind_text(*q, 1, key, -1, SQLITE_TRANSIENT);
    if (c->o->from) sqlite3_bind_text(*q, 2, c->o->from, -1, SQLITE_TRANSIENT);
    if (c->o->to) sqlite3_bind_text(*q, 3, c->o->to, -1, SQLITE_TRANSIENT);
    return TM_OK;
}

#define IN_PERIOD                                                                                  \
    " d.PERIOD_COL = ?1 AND (?2 IS NULL OR d.period_date >= ?2) AND (?3 IS NULL OR d.period_date " \
    "<= ?3)"

/* Documents per kind. */
static int documents(ctx *c, json_t *po, const char *key)
{
    sqlite3_stmt *q = NULL;
    int rc = prepare(c, &q,
                     "SELECT d.kind, count(*) FROM documents d WHERE" IN_PERIOD
                     " GROUP BY d.kind ORDER BY d.kind",
                     key);
    if (rc != TM_OK) return rc;
    json_t *o = json_object();
    if (!o || put(po, "documents", o)) {
        sqlite3_finalize(q);
        return oom(c);
    }
    static const char *const kinds[] = {"minutes", "report", "other"};
    for (int i = 0; i < 3; i++)
        if (put(o, kinds[i], json_integer(0))) rc = oom(c);
    int step;
    while (rc == TM_OK && (step = sqlite3_step(q)) == SQLITE_ROW) {
        const char *k = (const char *)sqlite3_column_text(q, 0);
        if (put(o, k && (!strcmp(k, "minutes") || !strcmp(k, "report")) ? k : "other",
                tm_summary_count(sqlite3_column_int64(q, 1))))
            rc = oom(c);
    }
    if (rc == TM_OK && step != SQLITE_DONE) rc = dberr(c, "counting documents");
    sqlite3_finalize(q);
    return rc;
}

/* Concern signals per community or theme, most first: [{col: id, signals}].
 * Summed from the signal tallies (store.c: k1-k4 = community, theme,
 * polarity, eep), a row per document and group instead of per signal. */
static int concerned(ctx *c, json_t *po, const char *member, const char *col, const char *key)
{
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT t.%s, sum(t.count) AS n FROM documents d JOIN doc_tallies t"
             " ON t.doc_id = d.id AND t.kind = 'signal' WHERE t.k3 = 'concern' AND%s"
             " GROUP BY 1 ORDER BY n DESC, 1",
             strcmp(col, "community") ? "k2" : "k1", IN_PERIOD);
    sqlite3_stmt *q = NULL;
    int rc = prepare(c, &q, sql, key);
    if (rc != TM_OK) return rc;
    json_t *arr = json_array();
    if (!arr || put(po, member, arr)) {
        sqlite3_finalize(q);
        return oom(c);
    }
    int step;
    while (rc == TM_OK && (step = sqlite3_step(q)) == SQLITE_ROW) {
        json_t *o = json_object();
        if (!o || put(o, col, json_string((const char *)sqlite3_column_text(q, 0))) ||
            put(o, "signals", tm_summary_count(sqlite3_column_int64(q, 1))) ||
            json_array_append_new(arr, o))
            rc = oom(c);
    }
    if (rc == TM_OK && step != SQLITE_DONE) rc = dberr(c, "counting signals of concern");
    sqlite3_finalize(q);
    return rc;
}

/* Hate-crime signals per monitored strand (the community's strand). */
static int hate_crime(ctx *c, json_t *po, const char *key)
{
    int64_t n[6] = {0};
    sqlite3_stmt *q = NULL;
    int rc = prepare(c, &q,
                     "SELECT t.k1, sum(t.count) FROM documents d JOIN doc_tallies t"
                     " ON t.doc_id = d.id AND t.kind = 'signal' WHERE t.k2 = 'hate_crime'"
                     " AND" IN_PERIOD " GROUP BY 1 ORDER BY 1",
                     key);
    if (rc != TM_OK) return rc;
    int step;
    while ((step = sqlite3_step(q)) == SQLITE_ROW) {
        const char *com = (const char *)sqlite3_column_text(q, 0);
        const tm_lex_ident *id =
            c->lex && com ? tm_lexicon_ident(c->lex, TM_CAT_COMMUNITY, com) : NULL;
        size_t i = 0;
        while (strands[i] && !(id && id->strand && !strcmp(id->strand, strands[i])))
            i++;
        n[i] += sqlite3_column_int64(q, 1); /* i == 5: no strand (young_people, victims...) */
    }
    if (step != SQLITE_DONE) rc = dberr(c, "counting hate crime");
    sqlite3_finalize(q);
    if (rc != TM_OK) return rc;
    json_t *o = json_object();
    if (!o || put(po, "hate_crime", o)) return oom(c);
    for (size_t i = 0; i < 6; i++)
        if (put(o, strands[i] ? strands[i] : "no_strand", tm_summary_count(n[i]))) return oom(c);
    return TM_OK;
}

/* EEP from the report when it has it, else concern signals per strand. */
static int eep(ctx *c, json_t *po, const json_t *p, const char *key)
{
    static const char *const names[] = {"evidenced", "experienced", "potential"};
    int64_t n[3] = {0};
    const json_t *re = json_object_get(p, "eep");
    if (json_is_object(re)) {
        for (int i = 0; i < 3; i++)
            n[i] = json_integer_value(json_object_get(re, names[i]));
    } else {
        sqlite3_stmt *q = NULL;
        int rc = prepare(c, &q,
                         "SELECT t.k4, sum(t.count) FROM documents d JOIN doc_tallies t"
                         " ON t.doc_id = d.id AND t.kind = 'signal' WHERE t.k3 = 'concern'"
                         " AND" IN_PERIOD " GROUP BY 1",
                         key);
        if (rc != TM_OK) return rc;
        int step;
        while ((step = sqlite3_step(q)) == SQLITE_ROW) {
            const char *e = (const char *)sqlite3_column_text(q, 0);
            for (int i = 0; i < 3; i++)
                if (e && !strcmp(e, names[i])) n[i] += sqlite3_column_int64(q, 1);
        }
        if (step != SQLITE_DONE) rc = dberr(c, "counting EEP");
        sqlite3_finalize(q);
        if (rc != TM_OK) return rc;
    }
    json_t *o = json_object();
    if (!o || put(po, "eep", o)) return oom(c);
    for (int i = 0; i < 3; i++)
        if (put(o, names[i], tm_summary_count(n[i]))) return oom(c);
    return TM_OK;
}

/* The level of a levels entry, without its reasons' raw counts. */
static json_t *level_of(const json_t *lv)
{
    if (!json_is_object(lv)) return json_null();
    json_t *o = json_object();
    static const char *const keep[] = {"level", "tier", "label", "direction", NULL};
    for (size_t i = 0; o && keep[i]; i++) {
        json_t *v = json_object_get(lv, keep[i]);
        if (put(o, keep[i], v ? json_incref(v) : json_null())) {
            json_decref(o);
            return NULL;
        }
    }
    return o;
}

static int levels(ctx *c, json_t *po, const json_t *p)
{
    const json_t *lv = json_object_get(p, "levels");
    if (put(po, "level", level_of(json_object_get(lv, "area")))) return oom(c);
    json_t *arr = json_array();
    if (!arr || put(po, "community_levels", arr)) return oom(c);
    const char *k;
    json_t *v;
    json_object_foreach(json_object_get(lv, "communities"), k, v)
    {
        json_t *o = level_of(v);
        if (!o || put(o, "community", json_string(k)) || json_array_append_new(arr, o))
            return oom(c);
    }
    return TM_OK;
}

static int events(ctx *c, json_t *po, const json_t *p)
{
    json_t *arr = json_array();
    if (!arr || put(po, "upcoming_events", arr)) return oom(c);
    size_t i;
    const json_t *e;
    json_array_foreach(json_object_get(p, "upcoming_events"), i, e)
    {
        const char *path = json_string_value(json_object_get(e, "doc"));
        json_t *o = json_object();
        const json_t *date = json_object_get(e, "date"), *ev = json_object_get(e, "event");
        if (!o ||
            put(o, "date", json_is_string(date) ? json_incref((json_t *)date) : json_null()) ||
            put(o, "event", redacted(c, path, json_string_value(ev))) ||
            put(o, "text", redacted(c, path, json_string_value(json_object_get(e, "text")))) ||
            put(o, "document", doc_ref(c, path)) || json_array_append_new(arr, o))
            return oom(c);
    }
    return TM_OK;
}

/* Sentences with an action cue: strongest cue first ("ACTION:", "agreed
 * to" before "will"), then in document order. The mentions of the period's
 * documents that have one (their doc_tallies row) are read through the
 * (doc_id, idx) key. */
static int actions(ctx *c, json_t *po, const char *key)
{
    char sql[1024];
    snprintf(sql, sizeof sql,
             "SELECT d.path, s.section, s.role, s.text, max(m.weight) AS w FROM documents d"
             " CROSS JOIN mentions m ON m.doc_id = d.id"
             " JOIN sentences s ON s.doc_id = m.doc_id AND s.idx = m.sentence"
             " WHERE m.category = 'cue' AND m.identifier = 'action' AND m.negated = 0"
             " AND m.dropped = 0 AND EXISTS (SELECT 1 FROM doc_tallies x WHERE x.doc_id = d.id"
             " AND x.kind = 'cue' AND x.k1 = 'action') AND%s GROUP BY m.doc_id, m.sentence"
             " ORDER BY w DESC, d.period_date, d.path, m.sentence LIMIT %d",
             IN_PERIOD, TM_SUMMARY_MAX_ACTIONS);
    sqlite3_stmt *q = NULL;
    int rc = prepare(c, &q, sql, key);
    if (rc != TM_OK) return rc;
    json_t *arr = json_array();
    if (!arr || put(po, "actions", arr)) {
        sqlite3_finalize(q);
        return oom(c);
    }
    int step;
    while (rc == TM_OK && (step = sqlite3_step(q)) == SQLITE_ROW) {
        const char *path = (const char *)sqlite3_column_text(q, 0);
        json_t *o = json_object();
        if (!o || put(o, "text", redacted(c, path, (const char *)sqlite3_column_text(q, 3))) ||
            put(o, "section", redacted(c, path, (const char *)sqlite3_column_text(q, 1))) ||
            put(o, "speaker_role", redacted(c, NULL, (const char *)sqlite3_column_text(q, 2))) ||
            put(o, "document", doc_ref(c, path)) || json_array_append_new(arr, o))
            rc = oom(c);
    }
    if (rc == TM_OK && step != SQLITE_DONE) rc = dberr(c, "listing actions");
    sqlite3_finalize(q);
    return rc;
}

/* Up to five distinct evidence sentences: groups of concern first, each in
 * rank order. */
static int evidence(ctx *c, json_t *po, const json_t *p)
{
    json_t *arr = json_array(), *seen = json_object();
    int rc = TM_OK;
    if (!arr || !seen || put(po, "evidence", arr)) {
        json_decref(seen);
        return oom(c);
    }
    for (int pass = 0; pass < 2 && rc == TM_OK; pass++) {
        size_t i, j;
        const json_t *g, *e;
        json_array_foreach(json_object_get(p, "top_signals"), i, g)
        {
            const char *pol = json_string_value(json_object_get(g, "polarity"));
            int concern = pol && !strcmp(pol, "concern");
            if (concern != (pass == 0)) continue;
            json_array_foreach(json_object_get(g, "evidence"), j, e)
            {
                if (json_array_size(arr) >= TM_SUMMARY_MAX_EVIDENCE) break;
                const char *text = json_string_value(json_object_get(e, "text"));
                if (!text || json_object_get(seen, text)) continue;
                const char *path = json_string_value(json_object_get(e, "doc"));
                json_t *o = json_object();
                if (json_object_set_new(seen, text, json_true()) || !o ||
                    put(o, "text", redacted(c, path, text)) ||
                    put(o, "section",
                        redacted(c, path, json_string_value(json_object_get(e, "section")))) ||
                    put(o, "speaker_role",
                        redacted(c, NULL, json_string_value(json_object_get(e, "speaker_role")))) ||
                    put(o, "document", doc_ref(c, path)) ||
                    put(o, "community", json_incref(json_object_get(g, "community"))) ||
                    put(o, "theme", json_incref(json_object_get(g, "theme"))) ||
                    put(o, "polarity", json_incref(json_object_get(g, "polarity"))) ||
                    put(o, "eep", json_incref(json_object_get(g, "eep"))) ||
                    json_array_append_new(arr, o)) {
                    rc = oom(c);
                    break;
                }
            }
            if (rc != TM_OK) break;
        }
    }
    json_decref(seen);
    return rc;
}

static int one_period(ctx *c, json_t *out, const json_t *p)
{
    const char *key = json_string_value(json_object_get(p, "period"));
    json_t *po = json_object();
    if (!po || json_array_append_new(out, po)) return oom(c);
    if (put(po, "period", json_string(key)) ||
        put(po, "start", json_incref(json_object_get(p, "start"))) ||
        put(po, "end", json_incref(json_object_get(p, "end"))))
        return oom(c);
    int rc;
    if ((rc = documents(c, po, key)) != TM_OK || (rc = levels(c, po, p)) != TM_OK ||
        (rc = eep(c, po, p, key)) != TM_OK || (rc = hate_crime(c, po, key)) != TM_OK ||
        (rc = concerned(c, po, "communities", "community", key)) != TM_OK ||
        (rc = concerned(c, po, "themes", "theme", key)) != TM_OK ||
        (rc = events(c, po, p)) != TM_OK || (rc = actions(c, po, key)) != TM_OK ||
        (rc = evidence(c, po, p)) != TM_OK)
        return rc;
    return TM_OK;
}

typedef struct sum_each {
    ctx *c;
    json_t *periods; /* the area's periods array */
} sum_each;

/* One finished report period: summarised, then dropped from the report,
 * so that the whole report is never in memory. */
static int on_report_period(json_t *p, void *payload)
{
    sum_each *x = payload;
    int rc = one_period(x->c, x->periods, p);
    json_object_clear(p);
    return rc;
}

int tm_summary_build(json_t **out, tm_store *st, const tm_lexicon *lex, const tm_summary_opts *o,
                     tm_err *err)
{
    *out = NULL;
    ctx c = {st, lex, o, NULL, NULL, err};
    json_t *report = NULL, *sum = NULL;
    tm_report_opts ro = {0};
    ro.period = o->period;
    ro.from = o->from;
    ro.to = o->to;
    ro.tool_version = o->tool_version;
    ro.lexicon_version = lex ? tm_lexicon_version(lex) : NULL;
    ro.lexicon_hash = lex ? tm_lexicon_hash(lex) : NULL;
    int rc;
    if ((rc = tm_redactor_new(&c.red, lex, err)) != TM_OK ||
        (rc = tm_redact_docs_load(&c.docs, st, err)) != TM_OK)
        goto cleanup;
    json_t *tool = NULL, *area = NULL, *periods = NULL, *areas = NULL, *supp = NULL;
    /* each object is attached as soon as it exists, so `sum` owns them all */
    if (!(sum = json_object()) || put(sum, "tool", tool = json_object()) ||
        put(sum, "areas", areas = json_array()) || put(sum, "suppression", supp = json_object()) ||
        json_array_append_new(areas, area = json_object()) || !area ||
        put(area, "area", json_string(o->area && *o->area ? o->area : "unnamed area")) ||
        put(area, "periods", periods = json_array()) || put(tool, "name", json_string("tension")) ||
        put(tool, "version", json_string(o->tool_version ? o->tool_version : TM_VERSION)) ||
        put(supp, "threshold", json_integer(5)) ||
        put(supp, "note", json_string("counts from 1 to 4 are shown as \"<5\"; 0 is 0")) ||
        put(sum, "schema_version", json_string(TM_SUMMARY_SCHEMA_VERSION)) ||
        put(sum, "lexicon_version", json_null()) ||
        put(sum, "period_kind", json_string(tm_period_name(o->period))) ||
        put(sum, "from", o->from ? json_string(o->from) : json_null()) ||
        put(sum, "to", o->to ? json_string(o->to) : json_null())) {
        rc = oom(&c);
        goto cleanup;
    }
    /* the report's periods, one at a time, as it makes them */
    sum_each x = {&c, periods};
    if ((rc = tm_report_build_each(&report, st, &ro, NULL, on_report_period, &x, err)) != TM_OK)
        goto cleanup;
    json_t *lexv = json_object_get(json_object_get(report, "lexicon"), "version");
    if (lexv && put(sum, "lexicon_version", json_incref(lexv))) {
        rc = oom(&c);
        goto cleanup;
    }
    *out = sum;
    sum = NULL;
    rc = TM_OK;
cleanup:
    json_decref(sum);
    json_decref(report);
    json_decref(c.docs);
    tm_redactor_free(c.red);
    return rc;
}
