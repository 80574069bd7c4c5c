/*
 * report.c: builds the per-period JSON report from the aggregate queries and
 * writes it atomically.
 *
 * The period objects are created first (one per period that has documents);
 * each later query finds its period's object by key and fills one member.
 * Nothing here orders anything: the aggregate queries emit rows in a fixed
 * order and JSON_SORT_KEYS sorts the keys, which is what makes two runs
 * byte-identical.
 */
#include "report_int.h"
#include "tm/report.h"
#include "tm/outfile.h"
#include "tm/utf8.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ------------------------------------------------------- JSON helpers */

/* A copy of `s` with each invalid byte replaced by U+FFFD. Paths need not be
 * UTF-8 and jansson refuses strings that are not. Owned by the caller. */
static char *utf8_fix(const char *s)
{
    size_t len = strlen(s);
    char *out = tm_malloc(len * 3 + 1), *o = out;
    if (!out) return NULL;
    const unsigned char *p = (const unsigned char *)s, *end = p + len;
    while (p < end) {
        uint32_t cp;
        size_t n = tm_utf8_decode(p, (size_t)(end - p), &cp);
        if (n) {
            memcpy(o, p, n);
            o += n;
            p += n;
        } else {
            memcpy(o, "\xef\xbf\xbd", 3);
            o += 3;
            p++;
        }
    }
    *o = '\0';
    return out;
}

/* A JSON string, or null for NULL. Returns NULL only when out of memory. */
static json_t *jstr(const char *s)
{
    if (!s) return json_null();
    json_t *v = json_string(s);
    if (v) return v;
    char *fixed = utf8_fix(s);
    v = fixed ? json_string(fixed) : NULL;
    tm_free(fixed);
    return v;
}

/* obj[key] = v for a fixed ASCII key, stealing v (also on failure: jansson
 * releases it). 0, or -1 when out of memory. */
static int put(json_t *obj, const char *key, json_t *v)
{
    return v ? json_object_set_new(obj, key, v) : -1;
}

/* obj[key] = integer, where the key may come from the data (places). */
static int put_count(json_t *obj, const char *key, int64_t n)
{
    if (json_object_set_new(obj, key, json_integer(n)) == 0) return 0;
    char *fixed = utf8_fix(key);
    int rc = fixed ? json_object_set_new(obj, fixed, json_integer(n)) : -1;
    tm_free(fixed);
    return rc;
}

/* ------------------------------------------------------------- build */

/* SQLite page cache while the report reads, in KiB (see tm_report_build_each). */
#define REPORT_CACHE_KB 4096

/* One community x theme row, kept compact until its period is finished:
 * as JSON, every period's rows at once were a fifth of the report's memory,
 * and with its period as a pointer and its own copy of the names 50 bytes a
 * row (374k rows for ten years of weeks). The names are interned: a few
 * thousand distinct pairs. */
typedef struct pair_row {
    uint32_t per;  /* its period object: build.pers[per] */
    uint32_t name; /* "community\0theme\0" at build.name_off[name] in build.pool */
    int64_t count;
} pair_row;

/* The rows of one count table, and the next one to hand to its period. */
typedef struct count_rows {
    pair_row *v;
    size_t n, cap, next;
} count_rows;

typedef struct build {
    const tm_report_opts *opts;
    tm_agg_range range;
    json_t *by_period; /* key -> period object (borrowed from periods/undated) */
    json_t *periods;   /* the "periods" array */
    json_t *undated;   /* the undated pseudo-period or NULL */
    int64_t documents, words, undated_documents;
    int lex_first; /* the next lexicon row is the first */
    json_t *lexicon;
    pair_row *pairs; /* in period order, then community, theme */
    size_t npairs, pairs_cap, next_pair;
    json_t **pers; /* every period object, in the order listed (borrowed) */
    size_t npers, pers_cap;
    tm_buf pool;      /* the interned pair names */
    size_t *name_off; /* name index -> offset in pool */
    size_t nnames, names_cap;
    json_t *name_ix; /* "community\0theme" -> name index */
    /* The counts of communities, themes, places and organisations, in
     * period and key order, as compact rows (name: the key, interned like a
     * pair with an empty theme) until their period is finished: as JSON
     * objects every period's counts were held until written (194k of them
     * for ten years of weeks, 20 MB). */
    count_rows counts[4];
    tm_store *st;
    int64_t evidence; /* sentences per group; 0: none */
    tm_err *err;
} build;

static int oom(build *b, const char *where)
{
    return tm_err_set(b->err, TM_ENOMEM, "report: out of memory building %s", where);
}

static json_t *new_period(build *b, const tm_agg_period *row)
{
    json_t *p = json_object();
    if (!p) return NULL;
    json_t *start = NULL, *end = NULL;
    if (row->first) {
        /* calendar bounds of the period, clipped to the requested range so
         * that a partly covered period says so */
        char s[11], e[11], ignored[11];
        tm_period_bounds(s, ignored, row->first, b->range.period);
        tm_period_bounds(ignored, e, row->last, b->range.period);
        if (b->range.from && strcmp(s, b->range.from) < 0) memcpy(s, b->range.from, 11);
        if (b->range.to && strcmp(e, b->range.to) > 0) memcpy(e, b->range.to, 11);
        start = json_string(s);
        end = json_string(e);
    } else {
        start = json_null();
        end = json_null();
    }
    if (put(p, "period", jstr(row->period)) || put(p, "start", start) || put(p, "end", end) ||
        put(p, "documents", json_integer(row->documents)) ||
        put(p, "words", json_integer(row->words)) || put(p, "communities", json_object()) ||
        put(p, "themes", json_object()) || put(p, "places", json_object()) ||
        put(p, "organisations", json_object()) || put(p, "community_theme", json_array()) ||
        put(p, "top_signals", json_array())) {
        json_decref(p);
        return NULL;
    }
    return p;
}

static int on_period(const tm_agg_period *row, void *payload)
{
    build *b = payload;
    json_t *p = new_period(b, row);
    if (!p) return oom(b, "a period");
    /* the period array or the undated slot takes the reference */
    int undated = row->first == NULL;
    if (undated) {
        b->undated = p;
        b->undated_documents += row->documents;
    } else if (json_array_append_new(b->periods, p) != 0) {
        return oom(b, "a period");
    }
    if (b->npers == b->pers_cap) {
        size_t nc = b->pers_cap ? b->pers_cap * 2 : 64;
        json_t **np = tm_realloc(b->pers, nc * sizeof *np);
        if (!np) return oom(b, "a period");
        b->pers = np;
        b->pers_cap = nc;
    }
    b->pers[b->npers++] = p;
    b->documents += row->documents;
    b->words += row->words;
    if (json_object_set(b->by_period, row->period, p) != 0) return oom(b, "the period index");
    return TM_OK;
}

/* Finds the period object of a row; the queries only ever return periods
 * that tm_agg_periods() listed, over the same range. */
static json_t *period_of(build *b, const char *key, const char *member)
{
    json_t *p = json_object_get(b->by_period, key);
    return p ? json_object_get(p, member) : NULL;
}

/* The count tables: their category, member and index in build.counts. */
static const struct {
    tm_category cat;
    const char *member;
} count_tables[4] = {{TM_CAT_COMMUNITY, "communities"},
                     {TM_CAT_THEME, "themes"},
                     {TM_CAT_PLACE, "places"},
                     {TM_CAT_ORGANISATION, "organisations"}};

typedef struct count_ctx {
    build *b;
    int table;
} count_ctx;

static uint32_t per_index(build *b, const json_t *p, uint32_t hint);
static uint32_t pair_name(build *b, const char *community, const char *theme);

static int on_count(const tm_agg_count *row, void *payload)
{
    count_ctx *c = payload;
    build *b = c->b;
    const char *member = count_tables[c->table].member;
    count_rows *t = &b->counts[c->table];
    json_t *p =
        period_of(b, row->period, member) ? json_object_get(b->by_period, row->period) : NULL;
    uint32_t pi = p ? per_index(b, p, t->n ? t->v[t->n - 1].per : 0) : UINT32_MAX;
    if (pi == UINT32_MAX)
        return tm_err_set(b->err, TM_EDB, "report: %s counted in unknown period %s", member,
                          row->period);
    if (t->n == t->cap) {
        size_t nc = t->cap ? t->cap * 2 : 1024;
        pair_row *nv = tm_realloc(t->v, nc * sizeof *nv);
        if (!nv) return oom(b, member);
        t->v = nv;
        t->cap = nc;
    }
    uint32_t name = pair_name(b, row->key ? row->key : "", "");
    if (name == UINT32_MAX) return oom(b, member);
    t->v[t->n++] = (pair_row){pi, name, row->count};
    return TM_OK;
}

static const char *key_of(const json_t *per);

/* The counts of one period into its JSON objects, in the order they were
 * read (key order). Periods are finished in key order. */
static int fill_counts(build *b, json_t *per)
{
    const char *key = key_of(per);
    for (int m = 0; m < 4; m++) {
        count_rows *t = &b->counts[m];
        json_t *obj = json_object_get(per, count_tables[m].member);
        while (t->next < t->n && b->pers[t->v[t->next].per] != per &&
               strcmp(key_of(b->pers[t->v[t->next].per]), key) < 0)
            t->next++;
        for (; t->next < t->n && b->pers[t->v[t->next].per] == per; t->next++) {
            const pair_row *r = &t->v[t->next];
            if (put_count(obj, b->pool.p + b->name_off[r->name], r->count))
                return oom(b, count_tables[m].member);
        }
    }
    return TM_OK;
}

/* Hands the theme counts of the report's range to `fn`, in order. */
static int each_theme(void *payload, tm_agg_count_fn fn, void *fn_payload)
{
    build *b = payload;
    const count_rows *t = &b->counts[1];
    for (size_t i = 0; i < t->n; i++) {
        const pair_row *r = &t->v[i];
        tm_agg_count row = {json_string_value(json_object_get(b->pers[r->per], "period")),
                            b->pool.p + b->name_off[r->name], r->count};
        int rc = fn(&row, fn_payload);
        if (rc != TM_OK) return rc;
    }
    return TM_OK;
}

/* Rate per 10,000 words, rounded to 4 decimals so that it prints short and
 * the same on every platform; null when the period has no words. */
static json_t *rate(int64_t count, int64_t words)
{
    if (words <= 0) return json_null();
    return json_real(round((double)count * 10000.0 / (double)words * 10000.0) / 10000.0);
}

/* The index of the period object p in b->pers: rows come in period order,
 * so the last row's period or the next one, else a search. */
static uint32_t per_index(build *b, const json_t *p, uint32_t hint)
{
    size_t i = hint;
    for (size_t k = i; k < b->npers; k++)
        if (b->pers[k] == p) return (uint32_t)k;
    for (size_t k = 0; k < i; k++)
        if (b->pers[k] == p) return (uint32_t)k;
    return UINT32_MAX;
}

/* The interned index of "community\0theme", or UINT32_MAX when out of memory. */
static uint32_t pair_name(build *b, const char *community, const char *theme)
{
    size_t lc = strlen(community), lt = strlen(theme), n = lc + 1 + lt;
    char stack[256], *key = n < sizeof stack ? stack : tm_malloc(n + 1);
    if (!key) return UINT32_MAX;
    memcpy(key, community, lc + 1);
    memcpy(key + lc + 1, theme, lt + 1);
    uint32_t ix = UINT32_MAX;
    json_t *v = json_object_getn(b->name_ix, key, n);
    if (v) {
        ix = (uint32_t)json_integer_value(v);
    } else if (b->nnames < UINT32_MAX - 1) {
        if (b->nnames == b->names_cap) {
            size_t nc = b->names_cap ? b->names_cap * 2 : 256;
            size_t *no = tm_realloc(b->name_off, nc * sizeof *no);
            if (!no) goto done;
            b->name_off = no;
            b->names_cap = nc;
        }
        b->name_off[b->nnames] = b->pool.n;
        tm_buf_append(&b->pool, key, n + 1);
        if (b->pool.oom ||
            json_object_setn_new_nocheck(b->name_ix, key, n, json_integer((json_int_t)b->nnames)))
            goto done;
        ix = (uint32_t)b->nnames++;
    }
done:
    if (key != stack) tm_free(key);
    return ix;
}

static int on_pair(const tm_agg_pair *row, void *payload)
{
    build *b = payload;
    json_t *p = json_object_get(b->by_period, row->period);
    uint32_t pi = p ? per_index(b, p, b->npairs ? b->pairs[b->npairs - 1].per : 0) : UINT32_MAX;
    if (pi == UINT32_MAX)
        return tm_err_set(b->err, TM_EDB, "report: signals in unknown period %s", row->period);
    if (b->npairs == b->pairs_cap) {
        size_t nc = b->pairs_cap ? b->pairs_cap * 2 : 1024;
        pair_row *nv = tm_realloc(b->pairs, nc * sizeof *nv);
        if (!nv) return oom(b, "community_theme");
        b->pairs = nv;
        b->pairs_cap = nc;
    }
    uint32_t name = pair_name(b, row->community, row->theme);
    if (name == UINT32_MAX) return oom(b, "community_theme");
    b->pairs[b->npairs++] = (pair_row){pi, name, row->count};
    return TM_OK;
}

/* Hands the stored community x theme rows to `fn`, in order. */
static int each_pair(void *payload, tm_agg_pair_fn fn, void *fn_payload)
{
    build *b = payload;
    for (size_t i = 0; i < b->npairs; i++) {
        const pair_row *r = &b->pairs[i];
        const char *community = b->pool.p + b->name_off[r->name];
        tm_agg_pair row = {json_string_value(json_object_get(b->pers[r->per], "period")), community,
                           community + strlen(community) + 1, r->count};
        int rc = fn(&row, fn_payload);
        if (rc != TM_OK) return rc;
    }
    return TM_OK;
}

static const char *key_of(const json_t *per)
{
    return json_string_value(json_object_get(per, "period"));
}

static int fill_evidence(build *b, json_t *per);

/* community_theme and evidence of one period, from its compact rows. Periods
 * are finished in key order, the order the rows came in. */
static int fill_period(json_t *per, void *payload)
{
    build *b = payload;
    int rc = fill_counts(b, per);
    if (rc == TM_OK) rc = fill_evidence(b, per);
    if (rc != TM_OK) return rc;
    json_t *arr = json_object_get(per, "community_theme");
    int64_t words = json_integer_value(json_object_get(per, "words"));
    const char *key = key_of(per);
    while (b->next_pair < b->npairs && b->pers[b->pairs[b->next_pair].per] != per &&
           strcmp(key_of(b->pers[b->pairs[b->next_pair].per]), key) < 0)
        b->next_pair++;
    for (; b->next_pair < b->npairs && b->pers[b->pairs[b->next_pair].per] == per; b->next_pair++) {
        const pair_row *r = &b->pairs[b->next_pair];
        const char *community = b->pool.p + b->name_off[r->name];
        const char *theme = community + strlen(community) + 1;
        json_t *o = json_object();
        if (!o || put(o, "community", jstr(community)) || put(o, "theme", jstr(theme)) ||
            put(o, "count", json_integer(r->count)) ||
            put(o, "rate_per_10k_words", rate(r->count, words)) || json_array_append_new(arr, o)) {
            json_decref(o);
            return oom(b, "community_theme");
        }
    }
    return TM_OK;
}

static int on_signal(const tm_agg_signal *row, void *payload)
{
    build *b = payload;
    json_t *arr = period_of(b, row->period, "top_signals");
    if (!arr)
        return tm_err_set(b->err, TM_EDB, "report: signals in unknown period %s", row->period);
    json_t *o = json_object();
    if (!o || put(o, "community", jstr(row->community)) || put(o, "theme", jstr(row->theme)) ||
        put(o, "polarity", jstr(row->polarity)) || put(o, "eep", jstr(row->eep)) ||
        put(o, "count", json_integer(row->count)) ||
        put(o, "documents", json_integer(row->documents)) ||
        put(o, "rank", json_integer(row->rank)) || put(o, "evidence", json_array())) {
        json_decref(o);
        return oom(b, "top_signals");
    }
    return json_array_append_new(arr, o) ? oom(b, "top_signals") : TM_OK;
}

/* The evidence arrays of the groups asked about, by group index. */
typedef struct evidence_ctx {
    json_t **targets;
} evidence_ctx;

static int on_evidence(const tm_agg_evidence_row *row, void *payload)
{
    evidence_ctx *c = payload;
    json_t *o = json_object();
    if (!o || put(o, "doc", jstr(row->doc)) || put(o, "date", jstr(row->date)) ||
        put(o, "section", jstr(row->section)) || put(o, "speaker_role", jstr(row->speaker_role)) ||
        put(o, "start", json_integer(row->start)) || put(o, "end", json_integer(row->end)) ||
        put(o, "text", jstr(row->text ? row->text : ""))) {
        json_decref(o);
        return TM_ENOMEM;
    }
    return json_array_append_new(c->targets[row->group], o) ? TM_ENOMEM : TM_OK;
}

/* Adds the listed signal groups of one period to the evidence request. */
static void collect_groups(json_t *period, tm_agg_signal *groups, json_t **targets, size_t *n)
{
    const char *key = json_string_value(json_object_get(period, "period"));
    size_t i;
    json_t *g;
    json_array_foreach(json_object_get(period, "top_signals"), i, g)
    {
        tm_agg_signal sig = {key,
                             json_string_value(json_object_get(g, "community")),
                             json_string_value(json_object_get(g, "theme")),
                             json_string_value(json_object_get(g, "polarity")),
                             json_string_value(json_object_get(g, "eep")),
                             0,
                             0,
                             0};
        groups[*n] = sig;
        targets[*n] = json_object_get(g, "evidence");
        (*n)++;
    }
}

/* Fills the evidence of one period's listed signal groups. Done as the
 * period is finished, not for every period up front: the evidence of all
 * periods (sentence texts) stayed in memory until the period was written. */
static int fill_evidence(build *b, json_t *per)
{
    size_t total = json_array_size(json_object_get(per, "top_signals")), n = 0;
    if (!total || b->evidence <= 0) return TM_OK;
    tm_agg_signal *groups = tm_calloc(total, sizeof *groups);
    json_t **targets = tm_calloc(total, sizeof *targets);
    int rc;
    if (!groups || !targets) {
        rc = oom(b, "evidence");
        goto cleanup;
    }
    collect_groups(per, groups, targets, &n);
    evidence_ctx c = {targets};
    rc = tm_agg_evidence(b->st, &b->range, groups, n, b->evidence, on_evidence, &c, b->err);
    if (rc == TM_ENOMEM) rc = oom(b, "evidence");
cleanup:
    tm_free(groups);
    tm_free(targets);
    return rc;
}

static int on_lexicon(const tm_agg_lexicon *row, void *payload)
{
    build *b = payload;
    json_t *lex = b->lexicon;
    if (b->lex_first && !b->opts->lexicon_hash) {
        /* no lexicon given: describe the one most documents were tagged with */
        if (put(lex, "version", jstr(row->version)) || put(lex, "hash", jstr(row->hash)))
            return oom(b, "lexicon");
        b->lex_first = 0;
        return TM_OK;
    }
    b->lex_first = 0;
    int same =
        b->opts->lexicon_hash ? row->hash && strcmp(row->hash, b->opts->lexicon_hash) == 0 : 0;
    if (!same) {
        json_t *n = json_object_get(lex, "other_documents");
        json_integer_set(n, json_integer_value(n) + row->documents);
    }
    return TM_OK;
}

static int build_lexicon(build *b, tm_store *st)
{
    b->lexicon = json_object();
    if (!b->lexicon || put(b->lexicon, "other_documents", json_integer(0)))
        return oom(b, "lexicon");
    if (b->opts->lexicon_hash) {
        if (put(b->lexicon, "version", jstr(b->opts->lexicon_version)) ||
            put(b->lexicon, "hash", jstr(b->opts->lexicon_hash)))
            return oom(b, "lexicon");
    } else if (put(b->lexicon, "version", json_null()) || put(b->lexicon, "hash", json_null())) {
        return oom(b, "lexicon");
    }
    b->lex_first = 1;
    return tm_agg_lexicons(st, &b->range, on_lexicon, b, b->err);
}

int tm_report_build_each(json_t **out, tm_store *st, const tm_report_opts *opts,
                         int (*begin)(json_t *rep, void *payload),
                         int (*each)(json_t *period, void *payload), void *payload, tm_err *err)
{
    *out = NULL;
    build b = {0};
    tm_buf_init(&b.pool);
    json_t *rep = NULL;
    int rc, in_txn = 0, set_cache = 0;
    int64_t old_cache = 0;
    b.opts = opts;
    b.err = err;
    b.range.period = opts->period;
    b.range.from = opts->from;
    b.range.to = opts->to;
    /* undated documents cannot be said to fall inside a bounded range */
    b.range.undated = !opts->from && !opts->to;
    b.range.community = opts->community;
    b.range.theme = opts->theme;
    b.range.place = opts->place;
    b.range.organisation = opts->organisation;
    b.range.role = opts->role;
    int64_t top = opts->top == 0 ? TM_REPORT_DEFAULT_TOP : opts->top < 0 ? 0 : opts->top;
    int64_t evidence = opts->evidence == 0 ? TM_REPORT_DEFAULT_EVIDENCE : opts->evidence;

    if ((rc = tm_agg_range_check(&b.range, err)) != TM_OK) goto cleanup;
    /* One read transaction around every query: in WAL mode it pins one
     * snapshot, so an ingest running meanwhile cannot add documents between
     * the period list and the counts. (Inside a caller's transaction that
     * one already does.) */
    sqlite3 *db = tm_store_db(st);
    if (sqlite3_get_autocommit(db)) {
        if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
            rc = tm_err_set(err, TM_EDB, "%s: report: cannot start reading: %s",
                            sqlite3_db_filename(db, "main"), sqlite3_errmsg(db));
            goto cleanup;
        }
        in_txn = 1;
    }
    /* The store's connection keeps a 32 MB page cache for ingest, where the
     * b-tree pages being written are hit again and again. The report reads
     * every table once per query, front to back, over a database many times
     * that size: the cache holds pages that are not read again and was a
     * sixth of the report's memory. A small one for the report, restored
     * after. Sorts spill to temporary files rather than memory for the same
     * reason (a first report, before the planner has statistics, sorted
     * 50 MB more in memory). */
    sqlite3_stmt *cs = NULL;
    if (sqlite3_prepare_v2(db, "PRAGMA cache_size", -1, &cs, NULL) == SQLITE_OK &&
        sqlite3_step(cs) == SQLITE_ROW) {
        old_cache = sqlite3_column_int64(cs, 0);
        if (old_cache < -REPORT_CACHE_KB || old_cache > REPORT_CACHE_KB) {
            char sql[64];
            snprintf(sql, sizeof sql, "PRAGMA cache_size = %d; PRAGMA temp_store = FILE",
                     -REPORT_CACHE_KB);
            if (sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK) set_cache = 1;
        }
    }
    sqlite3_finalize(cs);
    b.by_period = json_object();
    b.name_ix = json_object();
    b.periods = json_array();
    rep = json_object();
    if (!b.by_period || !b.name_ix || !b.periods || !rep) {
        rc = oom(&b, "the report");
        goto cleanup;
    }
    if ((rc = tm_agg_periods(st, &b.range, on_period, &b, err)) != TM_OK) goto cleanup;
    for (int i = 0; i < 4; i++) {
        count_ctx c = {&b, i};
        if ((rc = tm_agg_counts(st, &b.range, count_tables[i].cat, on_count, &c, err)) != TM_OK)
            goto cleanup;
    }
    if ((rc = tm_agg_signals(st, &b.range, top, on_pair, on_signal, &b, err)) != TM_OK)
        goto cleanup;
    b.st = st;
    b.evidence = evidence > 0 ? evidence : 0;
    if ((rc = build_lexicon(&b, st)) != TM_OK) goto cleanup;

    json_t *tool = json_object(), *from = json_object();
    if (!tool || !from || put(tool, "name", json_string("tension")) ||
        put(tool, "version", jstr(opts->tool_version ? opts->tool_version : TM_VERSION)) ||
        put(from, "documents", json_integer(b.documents)) ||
        put(from, "undated_documents", json_integer(b.undated_documents)) ||
        put(from, "words", json_integer(b.words)) || put(from, "from", jstr(opts->from)) ||
        put(from, "to", jstr(opts->to)) ||
        put(from, "period", json_string(tm_period_name(opts->period)))) {
        json_decref(tool);
        json_decref(from);
        rc = oom(&b, "the report");
        goto cleanup;
    }
    /* each put steals its value, also when it fails */
    int bad = put(rep, "tool", tool);
    bad |= put(rep, "generated_from", from);
    if (bad || put(rep, "schema_version", json_string(TM_REPORT_SCHEMA_VERSION)) ||
        put(rep, "lexicon", json_incref(b.lexicon)) ||
        put(rep, "periods", json_incref(b.periods)) ||
        put(rep, "undated", b.undated ? json_incref(b.undated) : json_null())) {
        rc = oom(&b, "the report");
        goto cleanup;
    }
    tm_report__ctx ac = {.opts = opts,
                         .range = &b.range,
                         .by_period = b.by_period,
                         .periods = b.periods,
                         .undated = b.undated,
                         .err = err,
                         .begin = begin,
                         .fill = fill_period,
                         .each = each,
                         .payload = payload,
                         .fill_payload = &b,
                         .pairs = each_pair,
                         .themes = each_theme};
    if ((rc = tm_report__analytics(&ac, st, rep)) != TM_OK) goto cleanup;
    *out = rep;
    rep = NULL;
    rc = TM_OK;
cleanup:
    if (in_txn)
        sqlite3_exec(tm_store_db(st), "COMMIT", NULL, NULL, NULL); /* read-only: cannot fail */
    if (set_cache) {
        char sql[64];
        snprintf(sql, sizeof sql, "PRAGMA cache_size = %lld; PRAGMA temp_store = MEMORY",
                 (long long)old_cache);
        sqlite3_exec(tm_store_db(st), sql, NULL, NULL, NULL);
    }
    json_decref(rep);
    json_decref(b.lexicon);
    json_decref(b.periods);
    json_decref(b.undated);
    json_decref(b.by_period);
    tm_free(b.pairs);
    tm_free(b.pers);
    for (int i = 0; i < 4; i++)
        tm_free(b.counts[i].v);
    tm_free(b.name_off);
    json_decref(b.name_ix);
    tm_buf_dispose(&b.pool);
    return rc;
}

int tm_report_build(json_t **out, tm_store *st, const tm_report_opts *opts, tm_err *err)
{
    return tm_report_build_each(out, st, opts, NULL, NULL, NULL, err);
}

/* ------------------------------------------------------------- write */

/* The flags of every report dump: the streamed report must be the same
 * bytes as the tree dumped whole. */
#define DUMP_FLAGS (JSON_INDENT(2) | JSON_SORT_KEYS | JSON_REAL_PRECISION(12))

/* Stands for the periods array's items in the dumps of the top-level
 * members: the text before it is the head of the file, the text after it
 * the tail. A JSON string never holds a raw newline, so the marker with its
 * indentation can only be the one array item at depth 2. */
#define MARK "\"tm-report-periods\""
#define MARK_BEFORE "\n  \"periods\": [\n    "
#define MARK_AFTER "\n  ]"

/* jansson hands the dump callback a token at a time (a key, ": ", a
 * number): one fwrite each was a tenth of the report's time. The pieces
 * gather here and reach the file in blocks. */
#define STREAM_BUF (64 * 1024)

typedef struct stream {
    tm_outfile *out;
    char *buf; /* STREAM_BUF bytes; buf[0 .. nbuf) not written yet */
    size_t nbuf;
    int (*filter)(json_t *part, void *payload);
    void *filter_payload;
    char *head; /* written before the first period */
    size_t nperiods;
    tm_err *err;
} stream;

/* The top-level members sorting before (side < 0) or after "periods", with
 * the marker for the periods: dumped, then cut at the marker. */
static char *dump_side(stream *s, json_t *rep, int side, size_t *cut)
{
    json_t *o = json_object(), *arr = json_array();
    char *text = NULL;
    if (!o || !arr || json_array_append_new(arr, json_string("tm-report-periods")) ||
        json_object_set(o, "periods", arr))
        goto done;
    const char *k;
    json_t *v;
    json_object_foreach(rep, k, v)
    {
        int c = strcmp(k, "periods");
        if (c && (c < 0) == (side < 0) && json_object_set(o, k, v)) goto done;
    }
    if (s->filter && s->filter(o, s->filter_payload) != TM_OK) goto done;
    text = json_dumps(o, DUMP_FLAGS);
    const char *m = text ? strstr(text, MARK_BEFORE MARK MARK_AFTER) : NULL;
    if (!m) {
        tm_free(text);
        text = NULL;
        goto done;
    }
    *cut = (size_t)(m - text) + strlen(MARK_BEFORE);
done:
    json_decref(arr);
    json_decref(o);
    return text;
}

static int stream_begin(json_t *rep, void *payload)
{
    stream *s = payload;
    size_t cut;
    char *text = dump_side(s, rep, -1, &cut);
    if (!text)
        return s->err && s->err->code
                   ? s->err->code
                   : tm_err_set(s->err, TM_ENOMEM, "report: out of memory writing the report");
    text[cut] = '\0'; /* "{ ... "periods": [\n    " */
    s->head = text;
    return TM_OK;
}

static void stream_flush(stream *s)
{
    tm_outfile_write(s->out, s->buf, s->nbuf);
    s->nbuf = 0;
}

static void stream_put(stream *s, const char *data, size_t n)
{
    if (s->nbuf + n > STREAM_BUF) {
        stream_flush(s);
        if (n > STREAM_BUF) {
            tm_outfile_write(s->out, data, n);
            return;
        }
    }
    memcpy(s->buf + s->nbuf, data, n);
    s->nbuf += n;
}

/* Writes a dump with every line indented by four more spaces: a period at
 * depth 2 of the report. */
static int indented(const char *buf, size_t size, void *payload)
{
    stream *s = payload;
    for (size_t i = 0; i < size;) {
        const char *nl = memchr(buf + i, '\n', size - i);
        size_t n = nl ? (size_t)(nl - (buf + i)) + 1 : size - i;
        stream_put(s, buf + i, n);
        if (nl) stream_put(s, "    ", 4);
        i += n;
    }
    return 0;
}

static int stream_each(json_t *per, void *payload)
{
    stream *s = payload;
    if (s->filter) {
        int rc = s->filter(per, s->filter_payload);
        if (rc != TM_OK) return rc;
    }
    if (s->nperiods++ == 0)
        tm_outfile_write(s->out, s->head, strlen(s->head));
    else
        tm_outfile_write(s->out, ",\n    ", 6);
    int bad = json_dump_callback(per, indented, s, DUMP_FLAGS) != 0;
    stream_flush(s);
    if (bad) return tm_err_set(s->err, TM_ENOMEM, "report: out of memory writing the report");
    /* written: its members are not needed again */
    json_object_clear(per);
    return TM_OK;
}

int tm_report_stream(tm_store *st, const tm_report_opts *opts, const char *path,
                     int (*filter)(json_t *part, void *payload), void *filter_payload, tm_err *err)
{
    if (!path) return tm_err_set(err, TM_EINVAL, "report: no path");
    stream s = {NULL, tm_malloc(STREAM_BUF), 0, filter, filter_payload, NULL, 0, err};
    json_t *rep = NULL;
    char *tail = NULL;
    if (!s.buf) return tm_err_set(err, TM_ENOMEM, "report: out of memory writing the report");
    int rc = tm_outfile_open(&s.out, path, err);
    if (rc != TM_OK) {
        tm_free(s.buf);
        return rc;
    }
    if ((rc = tm_report_build_each(&rep, st, opts, stream_begin, stream_each, &s, err)) != TM_OK)
        goto fail;
    size_t cut;
    if (!(tail = dump_side(&s, rep, 1, &cut))) {
        rc = err && err->code ? err->code
                              : tm_err_set(err, TM_ENOMEM, "report: out of memory writing it");
        goto fail;
    }
    const char *after = tail + cut + strlen(MARK); /* "\n  ],\n  "rubric"..." */
    if (s.nperiods) {
        tm_outfile_write(s.out, after, strlen(after));
    } else {
        /* no period: the tree dump says "periods": [] */
        size_t hl = strlen(s.head) - 5; /* without "\n    " */
        tm_outfile_write(s.out, s.head, hl);
        tm_outfile_write(s.out, "]", 1);
        after += strlen(MARK_AFTER);
        tm_outfile_write(s.out, after, strlen(after));
    }
    tm_outfile_write(s.out, "\n", 1);
    rc = tm_outfile_commit(s.out, err);
    s.out = NULL;
fail:
    tm_outfile_abort(s.out);
    tm_free(s.buf);
    tm_free(tail);
    tm_free(s.head);
    json_decref(rep);
    return rc;
}

int tm_report_write(const json_t *report, const char *path, tm_err *err)
{
    if (!report || !path) return tm_err_set(err, TM_EINVAL, "report: nothing to write or no path");
    char *text = json_dumps(report, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_REAL_PRECISION(12));
    if (!text) return tm_err_set(err, TM_ENOMEM, "report: out of memory serialising the report");
    size_t len = strlen(text);
    char *line = tm_realloc(text, len + 2);
    if (!line) {
        tm_free(text);
        return tm_err_set(err, TM_ENOMEM, "report: out of memory serialising the report");
    }
    line[len] = '\n';
    line[len + 1] = '\0';
    /* atomic (temporary file beside it, then rename), 0600 or the replaced file's mode */
    int rc = tm_write_file(path, line, len + 1, err);
    tm_free(line);
    return rc;
}
