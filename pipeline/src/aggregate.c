/*
 * aggregate.c: calendar arithmetic for period keys, and the GROUP BY queries
 * that count stored mentions and signals per period.
 *
 * Dates are converted to a day number (days since 1970-01-01, proleptic
 * Gregorian) with Howard Hinnant's civil-from-days algorithms; ISO weeks are
 * then found through the Thursday of the week, which always lies in the ISO
 * week-year. The queries group by the period keys the store computed at
 * insert time, so SQLite does the counting and the sorting.
 */
#include "tm/aggregate.h"
#include "tm/dates.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ dates */

static int is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
    static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

/* Parses a date tm_date_str_valid() accepts; 0 on success. */
static int parse_date(const char *s, int *y, int *m, int *d)
{
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-') return -1;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9')) return -1;
    *y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    *m = (s[5] - '0') * 10 + (s[6] - '0');
    *d = (s[8] - '0') * 10 + (s[9] - '0');
    /* four-digit years on both sides of every period keep keys and bounds
     * the same length, so string order is time order */
    if (*y < 1000 || *y > 9998 || *m < 1 || *m > 12 || *d < 1 || *d > days_in_month(*y, *m))
        return -1;
    return 0;
}

int tm_date_str_valid(const char *s)
{
    int y, m, d;
    return parse_date(s, &y, &m, &d) == 0;
}

static void format_date(char out[11], long days)
{
    int y, m, d;
    tm_date_from_days(days, &y, &m, &d);
    snprintf(out, 11, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u,
             (unsigned)d % 100u);
}

/* ISO-8601 weekday of a day number: Monday = 1 ... Sunday = 7. */
static int iso_weekday(long days)
{
    /* 1970-01-01 was a Thursday */
    return (int)(((days % 7) + 7 + 3) % 7) + 1;
}

static const char *const period_names[TM_PERIOD__COUNT] = {"week", "month", "quarter", "fyear"};

const char *tm_period_name(tm_period p)
{
    return (unsigned)p < TM_PERIOD__COUNT ? period_names[p] : "?";
}

int tm_period_from_name(tm_period *out, const char *name, tm_err *err)
{
    for (int i = 0; name && i < TM_PERIOD__COUNT; i++) {
        if (strcmp(name, period_names[i]) == 0) {
            *out = (tm_period)i;
            return TM_OK;
        }
    }
    if (name && strcmp(name, "financial-year") == 0) {
        *out = TM_PERIOD_FYEAR;
        return TM_OK;
    }
    return tm_err_set(err, TM_EINVAL,
                      "unknown period \"%s\": use week, month, quarter or fyear"
                      " (UK financial year, April to March)",
                      name ? name : "(null)");
}

int tm_period_key(char out[16], const char *date, tm_period p)
{
    int y, m, d;
    out[0] = '\0';
    if (parse_date(date, &y, &m, &d) != 0 || (unsigned)p >= TM_PERIOD__COUNT) return TM_EINVAL;
    switch (p) {
    case TM_PERIOD_WEEK: {
        long days = tm_date_days(y, m, d);
        long thursday = days - (iso_weekday(days) - 1) + 3;
        int ty, tmo, td;
        tm_date_from_days(thursday, &ty, &tmo, &td);
        long week = (thursday - tm_date_days(ty, 1, 1)) / 7 + 1;
        snprintf(out, 16, "%04u-W%02u", (unsigned)ty % 10000u, (unsigned)week % 100u);
        break;
    }
    case TM_PERIOD_MONTH:
        snprintf(out, 16, "%04u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u);
        break;
    case TM_PERIOD_QUARTER:
        snprintf(out, 16, "%04u-Q%u", (unsigned)y % 10000u, (unsigned)((m - 1) / 3 + 1) % 10u);
        break;
    default: { /* TM_PERIOD_FYEAR: 1 April starts the year */
        int fy = m >= 4 ? y : y - 1;
        snprintf(out, 16, "FY%04u/%02u", (unsigned)fy % 10000u, (unsigned)(fy + 1) % 100u);
        break;
    }
    }
    return TM_OK;
}

int tm_period_bounds(char start[11], char end[11], const char *date, tm_period p)
{
    int y, m, d;
    start[0] = end[0] = '\0';
    if (parse_date(date, &y, &m, &d) != 0 || (unsigned)p >= TM_PERIOD__COUNT) return TM_EINVAL;
    long first, last;
    switch (p) {
    case TM_PERIOD_WEEK: {
        long days = tm_date_days(y, m, d);
        first = days - (iso_weekday(days) - 1);
        last = first + 6;
        break;
    }
    case TM_PERIOD_MONTH:
        first = tm_date_days(y, m, 1);
        last = tm_date_days(y, m, days_in_month(y, m));
        break;
    case TM_PERIOD_QUARTER: {
        int qm = (m - 1) / 3 * 3 + 1;
        first = tm_date_days(y, qm, 1);
        last = tm_date_days(y, qm + 2, days_in_month(y, qm + 2));
        break;
    }
    default: {
        int fy = m >= 4 ? y : y - 1;
        first = tm_date_days(fy, 4, 1);
        last = tm_date_days(fy + 1, 3, 31);
        break;
    }
    }
    format_date(start, first);
    format_date(end, last);
    return TM_OK;
}

/* ---------------------------------------------------------------- queries */

int tm_agg_range_check(const tm_agg_range *r, tm_err *err)
{
    if ((unsigned)r->period >= TM_PERIOD__COUNT)
        return tm_err_set(err, TM_EINVAL, "aggregate: unknown period %d", (int)r->period);
    if (r->from && !tm_date_str_valid(r->from))
        return tm_err_set(err, TM_EINVAL, "aggregate: --from \"%s\" is not a date: use YYYY-MM-DD",
                          r->from);
    if (r->to && !tm_date_str_valid(r->to))
        return tm_err_set(err, TM_EINVAL, "aggregate: --to \"%s\" is not a date: use YYYY-MM-DD",
                          r->to);
    if (r->from && r->to && strcmp(r->from, r->to) > 0)
        return tm_err_set(err, TM_EINVAL, "aggregate: --from %s is after --to %s: swap them",
                          r->from, r->to);
    return TM_OK;
}

/*
 * Every query starts from `sel`: the documents in the range with their
 * period key (the store's precomputed column for the period kind). The SQL
 * text differs only in that column name, so each query exists in one
 * variant per period kind, built by the preprocessor (no SQL is formatted
 * at run time). Parameters ?1 from, ?2 to, ?3 include undated.
 *
 * The unary + keeps the planner off the period_date index: the documents
 * table is small and a scan in rowid order lets the joins below deliver
 * their rows grouped by document without a sort.
 */
#define RANGE_WHERE                                                                                \
    "((+period_date IS NOT NULL AND (?1 IS NULL OR +period_date >= ?1)"                            \
    " AND (?2 IS NULL OR +period_date <= ?2)) OR (?3 AND +period_date IS NULL))"
/* Slices (tm_agg_range.community ... role), ?20-?24: a document counts
 * when it has a live mention of the community, the theme (or indicator),
 * the place or the organisation, and a sentence spoken by the role. The
 * probes go through the doc_tallies key (doc_id, kind, k1: live mentions by
 * identifier, places by canonical name; store.c) and the sentences
 * (doc_id, idx) key, a handful of rows per document. */
#define DOC_SLICE(tbl)                                                                             \
    " AND (?20 IS NULL OR EXISTS (SELECT 1 FROM doc_tallies x WHERE x.doc_id = " tbl ".id"         \
    " AND x.kind = 'community' AND x.k1 = ?20))"                                                   \
    " AND (?21 IS NULL OR EXISTS (SELECT 1 FROM doc_tallies x WHERE x.doc_id = " tbl ".id"         \
    " AND x.kind IN ('theme', 'indicator') AND x.k1 = ?21))"                                       \
    " AND (?22 IS NULL OR EXISTS (SELECT 1 FROM doc_tallies x WHERE x.doc_id = " tbl ".id"         \
    " AND x.kind = 'place' AND x.k1 = ?22 COLLATE NOCASE))"                                        \
    " AND (?23 IS NULL OR EXISTS (SELECT 1 FROM doc_tallies x WHERE x.doc_id = " tbl ".id"         \
    " AND x.kind = 'organisation' AND x.k1 = ?23))"                                                \
    " AND (?24 IS NULL OR EXISTS (SELECT 1 FROM sentences x WHERE x.doc_id = " tbl ".id"           \
    " AND x.role = ?24 COLLATE NOCASE))"
#define SEL(col)                                                                                   \
    "WITH sel(id, p, pd, words) AS (SELECT id, COALESCE(" col ", '" TM_PERIOD_UNDATED "'),"        \
    " period_date, words FROM documents WHERE " RANGE_WHERE DOC_SLICE("documents") ") "
#define PER_PERIOD(Q)                                                                              \
    {                                                                                              \
        Q("period_week"), Q("period_month"), Q("period_quarter"), Q("period_fyear")                \
    }

#define Q_PERIODS(col)                                                                             \
    SEL(col) "SELECT p, min(pd), max(pd), count(*), sum(words) FROM sel GROUP BY p ORDER BY p"
static const char *const q_periods[TM_PERIOD__COUNT] = PER_PERIOD(Q_PERIODS);

/* Live mentions of one category per document and key, with their count,
 * from doc_tallies (store.c: places by canonical name, everything else by
 * identifier, an organisation's canonical form being the text as written,
 * as in the extract contract). Counted by tally below. */
#define Q_MENTIONS(col)                                                                            \
    SEL(col)                                                                                       \
    "SELECT t.doc_id, sel.p, t.k1, t.count FROM sel JOIN doc_tallies t ON t.doc_id = sel.id"       \
    " WHERE t.kind = ?4"
static const char *const q_mentions[TM_PERIOD__COUNT] = PER_PERIOD(Q_MENTIONS);

/* Live signals per group of one document, with their count, from
 * doc_tallies: tm_agg_signals reads the selected documents a period at a
 * time (q_sent_docs: in period order, then id), and each one's signal
 * tallies through the (doc_id, kind) key prefix, so that it tallies one
 * period's groups and hands them out before the next: the groups of every
 * period are never held at once (on ten years of weeks they were 120 MB of
 * the report). Joined and sorted by period in SQL, the 700k tally rows of
 * the 100 MB bench corpus took 0.73 s, against 0.25 s this way. */
static const char q_signal_tallies[] =
    "SELECT k1, k2, k3, k4, count FROM doc_tallies WHERE doc_id = ?1 AND kind = 'signal'"
    " AND (?2 IS NULL OR k1 = ?2) AND (?3 IS NULL OR k2 = ?3)";
/* With --role the speaker's role is read from the signal rows (the tallies
 * do not split by role), one row each, through the (doc_id, idx) key of
 * each selected document: DOC_SLICE has kept only documents where the role
 * speaks. */
#define Q_SIGNALS_ROLE(col)                                                                        \
    SEL(col)                                                                                       \
    "SELECT g.doc_id, sel.p, g.community, g.theme, g.polarity, g.eep, 1 FROM sel"                  \
    " JOIN signals g ON g.doc_id = sel.id WHERE g.negated = 0 AND (?20 IS NULL OR"                 \
    " g.community = ?20) AND (?21 IS NULL OR g.theme = ?21) AND g.role = ?24 COLLATE NOCASE"       \
    " ORDER BY sel.p, g.doc_id"
static const char *const q_signals_role[TM_PERIOD__COUNT] = PER_PERIOD(Q_SIGNALS_ROLE);

/* Every live signal with its weight and sentence, for the level rubric, in
 * period order, then document, then signal order (tm_agg_wstream): the
 * selected documents sorted by (period, id), then each one's signals
 * through the (doc_id, idx) key (+negated keeps the planner off
 * signals_count, whose rows are not in idx order) and its tone tallies
 * through the (doc_id, kind) key prefix, in sentence order. The signals of
 * one group come in document, then idx order, so the levels' sums add up
 * the same. One query over the whole range: read a block of periods at a
 * time with a narrowed range, the levels scanned the documents table once
 * per block (120 scans for a month report of the 1 GB db). */
#define Q_WDOCS(col) SEL(col) "SELECT id, p FROM sel ORDER BY p, id"
static const char *const q_wdocs[TM_PERIOD__COUNT] = PER_PERIOD(Q_WDOCS);
static const char q_wsignals[] =
    "SELECT community, theme, polarity, eep, weight, sentence FROM signals WHERE doc_id = ?1"
    " AND +negated = 0 AND (?20 IS NULL OR community = ?20) AND (?21 IS NULL OR theme = ?21)"
    " AND (?24 IS NULL OR role = ?24 COLLATE NOCASE) ORDER BY idx";
static const char q_wtones[] =
    "SELECT sentence, k, count FROM sentence_tallies WHERE doc_id = ?1 AND kind = 'tone'"
    " ORDER BY sentence";

/* Live incidents with their sentence, in document date order: the selected
 * documents sorted by (date, path), then each one's incidents in idx order
 * through the (doc_id, idx) key. One ORDER BY over the incident rows sorted
 * every incident sentence of the history (a twentieth of a report, and its
 * memory); this sorts only the documents table. */
#define Q_INC_DOCS(col)                                                                            \
    SEL(col)                                                                                       \
    "SELECT sel.id, sel.p, sel.pd, d.path FROM sel JOIN documents d ON d.id = sel.id"              \
    " ORDER BY sel.pd, d.path"
static const char *const q_inc_docs[TM_PERIOD__COUNT] = PER_PERIOD(Q_INC_DOCS);
static const char q_inc_rows[] =
    "SELECT i.theme, i.place, i.date, sen.text FROM incidents i JOIN sentences sen"
    " ON sen.doc_id = i.doc_id AND sen.idx = i.sentence WHERE i.doc_id = ?1 AND i.negated = 0"
    " ORDER BY i.idx";

/* Sentences with a live event cue or planned_event indicator, one row per
 * sentence, in document order: the event tallies of sentence_tallies
 * (store.c: their first start and end), through the (doc_id, kind) key
 * prefix, with the sentence through the (doc_id, idx) key. CROSS JOIN
 * fixes that order: without statistics (a database no report has closed
 * yet) SQLite may scan every sentence instead. */
#define Q_EVENTS(col)                                                                              \
    SEL(col)                                                                                       \
    "SELECT sel.p, d.path, COALESCE(d.date, sel.pd), sen.text, e.start - sen.start,"               \
    " e.end - sen.start, sen.start, sen.end FROM sel CROSS JOIN documents d ON d.id = sel.id"      \
    " CROSS JOIN sentence_tallies e ON e.doc_id = sel.id AND e.kind = 'event'"                     \
    " CROSS JOIN sentences sen ON sen.doc_id = e.doc_id AND sen.idx = e.sentence"                  \
    " WHERE sel.pd IS NOT NULL ORDER BY sel.pd, d.path, e.sentence"
static const char *const q_events[TM_PERIOD__COUNT] = PER_PERIOD(Q_EVENTS);

/* Evidence of the signal groups of one period: the period's documents
 * through their period index (IS also matches the NULL key of undated
 * documents), then all their live signals through the (doc_id, idx) key,
 * once for every group of the period; tm_agg_evidence keeps the signals of
 * the groups asked about and picks each group's sentences in C. A query per
 * group read the signals of most of the period's documents once per group
 * (top 10: about five times each), and joined every candidate sentence's
 * text before the LIMIT; only the chosen sentences read their text
 * (q_evidence_text). Section, role and offsets are the sentence's, copied
 * onto its signals. */
#define Q_EVIDENCE(col)                                                                            \
    "SELECT g.doc_id, g.sentence, d.path, d.date, d.period_date, g.section, g.role, g.start,"      \
    " g.end, g.via_paragraph, g.weight, g.community, g.theme, g.polarity, g.eep"                   \
    " FROM documents d CROSS JOIN signals g ON g.doc_id = d.id"                                    \
    " WHERE g.negated = 0 AND (?24 IS NULL OR g.role = ?24 COLLATE NOCASE)"                        \
    " AND d." col " IS ?4 AND " RANGE_WHERE DOC_SLICE("d")
static const char *const q_evidence[TM_PERIOD__COUNT] = PER_PERIOD(Q_EVIDENCE);
static const char q_evidence_text[] = "SELECT text FROM sentences WHERE doc_id = ?1 AND idx = ?2";

/* The selected documents in period order, for tm_agg_sentences: their
 * sentences are then read one document at a time through the (doc_id, idx)
 * key. One ORDER BY over the sentences themselves would sort the corpus
 * text; this sorts only the documents table. */
#define Q_SENT_DOCS(col) SEL(col) "SELECT id, p FROM sel ORDER BY p, id"
static const char *const q_sent_docs[TM_PERIOD__COUNT] = PER_PERIOD(Q_SENT_DOCS);
/* Headings, attendee-table rows and boilerplate are left out (TM_SENT_HEADING
 * | TM_SENT_TABLE | TM_SENT_BOILER = 7): they repeat from meeting to
 * meeting and say nothing about the period. */
static const char q_sent_text[] = "SELECT text FROM sentences WHERE doc_id = ?1 AND (flags & 7) = 0"
                                  " AND (?2 IS NULL OR role = ?2 COLLATE NOCASE) ORDER BY idx";

#define Q_LEXICONS(col)                                                                            \
    SEL(col)                                                                                       \
    "SELECT d.lexicon_version, d.lexicon_hash, count(*) FROM sel"                                  \
    " JOIN documents d ON d.id = sel.id GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2"
static const char *const q_lexicons[TM_PERIOD__COUNT] = PER_PERIOD(Q_LEXICONS);

static int db_fail(sqlite3 *db, int rc, const char *what, tm_err *err)
{
    const char *file = sqlite3_db_filename(db, "main");
    return tm_err_set(err, (rc & 0xff) == SQLITE_NOMEM ? TM_ENOMEM : TM_EDB,
                      "%s: aggregate: %s: %s", file && *file ? file : ":memory:", what,
                      sqlite3_errmsg(db));
}

/* Checks the range, prepares the period variant of `sqls` and binds ?1-?3. */
static int query_open(sqlite3_stmt **out, tm_store *st, const tm_agg_range *r,
                      const char *const sqls[TM_PERIOD__COUNT], const char *what, tm_err *err)
{
    *out = NULL;
    int rc = tm_agg_range_check(r, err);
    if (rc != TM_OK) return rc;
    sqlite3 *db = tm_store_db(st);
    sqlite3_stmt *s = NULL;
    int src = sqlite3_prepare_v2(db, sqls[r->period], -1, &s, NULL);
    if (src != SQLITE_OK) return db_fail(db, src, what, err);
    if (r->from) sqlite3_bind_text(s, 1, r->from, -1, SQLITE_STATIC);
    if (r->to) sqlite3_bind_text(s, 2, r->to, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 3, r->undated != 0);
    const char *slice[5] = {r->community, r->theme, r->place, r->organisation, r->role};
    for (int i = 0; i < 5; i++)
        if (slice[i]) sqlite3_bind_text(s, 20 + i, slice[i], -1, SQLITE_STATIC);
    *out = s;
    return TM_OK;
}

/* Finishes a row loop: `src` is the last sqlite3_step() result and `ret`
 * what the callbacks returned. */
static int query_close(sqlite3_stmt *s, int src, int ret, const char *what, tm_err *err)
{
    if (ret == TM_OK && src != SQLITE_DONE && src != SQLITE_ROW)
        ret = db_fail(sqlite3_db_handle(s), src, what, err);
    sqlite3_finalize(s);
    return ret;
}

static const char *col_text(sqlite3_stmt *s, int i)
{
    const char *t = (const char *)sqlite3_column_text(s, i);
    return t ? t : "";
}

static const char *col_opt(sqlite3_stmt *s, int i)
{
    return (const char *)sqlite3_column_text(s, i);
}

/* ------------------------------------------------------------------ tally */

/*
 * Why count in C: SQLite groups through a sorter. On a synthetic 100 MB
 * corpus (10,000 documents, 850k mentions, 100k signals) the GROUP BY
 * period, key queries took 1.2 s for the four mention tables and 0.8 s for
 * the signals; streaming the same rows from the covering indexes into this
 * hash table takes 0.5 s and 0.2 s. SQL still selects and joins; only the
 * counting happens here.
 *
 * A key is the tuple of fields (period first) joined by NUL bytes. NUL sorts
 * below every other byte, so memcmp order of keys is the field-by-field
 * order of the tuples: BINARY collation, the same as an SQL ORDER BY.
 */
enum { TALLY_FIELDS = 5 };

typedef struct tally_entry {
    char *key;  /* fields joined by '\0'; NULL marks an empty slot */
    size_t len; /* bytes of key, without a final NUL */
    uint64_t hash;
    int64_t count;
    int64_t documents; /* distinct documents, counted as rows arrive grouped by document */
    int64_t last_doc;
} tally_entry;

typedef struct tally {
    tally_entry *slots; /* open addressing, linear probing; cap is a power of two */
    size_t cap, n;
    char *scratch; /* the key being looked up */
    size_t scratch_cap;
} tally;

static void tally_free(tally *t)
{
    for (size_t i = 0; i < t->cap; i++)
        tm_free(t->slots[i].key);
    tm_free(t->slots);
    tm_free(t->scratch);
    memset(t, 0, sizeof *t);
}

static int tally_grow(tally *t)
{
    size_t ncap = t->cap ? t->cap * 2 : 1024;
    tally_entry *ns = tm_calloc(ncap, sizeof *ns);
    if (!ns) return TM_ENOMEM;
    for (size_t i = 0; i < t->cap; i++) {
        if (!t->slots[i].key) continue;
        size_t j = (size_t)t->slots[i].hash & (ncap - 1);
        while (ns[j].key)
            j = (j + 1) & (ncap - 1);
        ns[j] = t->slots[i];
    }
    tm_free(t->slots);
    t->slots = ns;
    t->cap = ncap;
    return TM_OK;
}

/* Adds `n` to the count of the key made of `nf` fields, seen in document
 * `doc` (a document is counted once per key while its rows are adjacent). */
static int tally_add(tally *t, const char *const *fields, int nf, int64_t doc, int64_t n)
{
    size_t len = 0, fl[TALLY_FIELDS];
    for (int i = 0; i < nf; i++)
        len += (fl[i] = strlen(fields[i])) + (i > 0);
    if (len + 1 > t->scratch_cap) {
        char *ns = tm_realloc(t->scratch, len + 64);
        if (!ns) return TM_ENOMEM;
        t->scratch = ns;
        t->scratch_cap = len + 64;
    }
    char *k = t->scratch;
    for (int i = 0; i < nf; i++) {
        if (i > 0) *k++ = '\0';
        memcpy(k, fields[i], fl[i]);
        k += fl[i];
    }
    uint64_t h = tm_hash(t->scratch, len, 0);
    if ((t->n + 1) * 10 > t->cap * 7 && tally_grow(t) != TM_OK) return TM_ENOMEM;
    size_t j = (size_t)h & (t->cap - 1);
    for (; t->slots[j].key; j = (j + 1) & (t->cap - 1)) {
        tally_entry *e = &t->slots[j];
        if (e->hash == h && e->len == len && memcmp(e->key, t->scratch, len) == 0) {
            e->count += n;
            if (e->last_doc != doc) {
                e->documents++;
                e->last_doc = doc;
            }
            return TM_OK;
        }
    }
    tally_entry *e = &t->slots[j];
    e->key = tm_strndup(t->scratch, len);
    if (!e->key) return TM_ENOMEM;
    e->len = len;
    e->hash = h;
    e->count = n;
    e->documents = 1;
    e->last_doc = doc;
    t->n++;
    return TM_OK;
}

/* Streams rows (doc_id, field 1..nf, count) of a prepared statement into
 * `t`. */
static int tally_rows(tally *t, sqlite3_stmt *s, int nf, int *src)
{
    const char *fields[TALLY_FIELDS];
    while ((*src = sqlite3_step(s)) == SQLITE_ROW) {
        int64_t doc = sqlite3_column_int64(s, 0);
        for (int i = 0; i < nf; i++)
            fields[i] = col_text(s, i + 1);
        if (tally_add(t, fields, nf, doc, sqlite3_column_int64(s, nf + 1)) != TM_OK)
            return TM_ENOMEM;
    }
    return TM_OK;
}

static int cmp_keys(const tally_entry *a, const tally_entry *b)
{
    size_t n = a->len < b->len ? a->len : b->len;
    int c = memcmp(a->key, b->key, n);
    return c ? c : (a->len > b->len) - (a->len < b->len);
}

static int by_key(const void *pa, const void *pb)
{
    return cmp_keys(*(tally_entry *const *)pa, *(tally_entry *const *)pb);
}

/* Period (the first field) ascending, count descending, then the rest of
 * the key ascending: the ranking of top signals. */
static int by_rank(const void *pa, const void *pb)
{
    const tally_entry *a = *(tally_entry *const *)pa, *b = *(tally_entry *const *)pb;
    int c = strcmp(a->key, b->key);
    if (c) return c;
    if (a->count != b->count) return a->count > b->count ? -1 : 1;
    return cmp_keys(a, b);
}

/* The entries in `cmp` order, owned by the caller (entries stay in t). */
static tally_entry **tally_sorted(tally *t, int (*cmp)(const void *, const void *))
{
    tally_entry **v = tm_malloc(t->n * sizeof *v);
    if (!v) return NULL;
    size_t k = 0;
    for (size_t i = 0; i < t->cap; i++)
        if (t->slots[i].key) v[k++] = &t->slots[i];
    qsort(v, k, sizeof *v, cmp);
    return v;
}

/* Splits an entry's key back into its fields. */
static void split_key(const tally_entry *e, const char **fields, int nf)
{
    const char *p = e->key;
    for (int i = 0; i < nf; i++) {
        fields[i] = p;
        p += strlen(p) + 1;
    }
}

/* Runs a row query into a fresh tally. */
static int tally_query(tally *t, tm_store *st, const tm_agg_range *r,
                       const char *const sqls[TM_PERIOD__COUNT], const char *cat, int nf,
                       const char *what, tm_err *err)
{
    sqlite3_stmt *s;
    int src = SQLITE_DONE, ret = query_open(&s, st, r, sqls, what, err);
    if (ret != TM_OK) return ret;
    if (cat) sqlite3_bind_text(s, 4, cat, -1, SQLITE_STATIC);
    if (tally_rows(t, s, nf, &src) != TM_OK)
        ret = tm_err_set(err, TM_ENOMEM, "aggregate: out of memory counting (%s)", what);
    return query_close(s, src, ret, what, err);
}

/* ---------------------------------------------------------- public queries */

int tm_agg_periods(tm_store *st, const tm_agg_range *r, tm_agg_period_fn fn, void *payload,
                   tm_err *err)
{
    const char *what = "cannot list periods";
    sqlite3_stmt *s;
    int src = SQLITE_DONE, ret = query_open(&s, st, r, q_periods, what, err);
    if (ret != TM_OK) return ret;
    while (ret == TM_OK && (src = sqlite3_step(s)) == SQLITE_ROW) {
        tm_agg_period row = {col_text(s, 0), col_opt(s, 1), col_opt(s, 2),
                             sqlite3_column_int64(s, 3), sqlite3_column_int64(s, 4)};
        ret = fn(&row, payload);
    }
    return query_close(s, src, ret, what, err);
}

int tm_agg_counts(tm_store *st, const tm_agg_range *r, tm_category cat, tm_agg_count_fn fn,
                  void *payload, tm_err *err)
{
    tally t = {0};
    tally_entry **v = NULL;
    int ret =
        tally_query(&t, st, r, q_mentions, tm_category_name(cat), 2, "cannot count mentions", err);
    if (ret == TM_OK && t.n && !(v = tally_sorted(&t, by_key)))
        ret = tm_err_set(err, TM_ENOMEM, "aggregate: out of memory sorting counts");
    for (size_t i = 0; ret == TM_OK && i < t.n; i++) {
        const char *f[2];
        split_key(v[i], f, 2);
        tm_agg_count row = {f[0], f[1], v[i]->count};
        ret = fn(&row, payload);
    }
    tm_free(v);
    tally_free(&t);
    return ret;
}

/* Emits the (period, community, theme) sums of the signal groups in t5.
 * Sorted by key, a pair's groups are adjacent and the runs come in the
 * pair's own key order: a pair's key is a prefix of its groups' keys, and
 * where two pairs differ the group keys differ at the same byte, or one
 * pair ends (its group key has the NUL separator, below any other byte).
 * Summing the runs needs no second table (one held 290k pairs on the bench
 * corpus, 25 MB of slots next to the groups' 38 MB). */
static int emit_pairs(tally *t5, tm_agg_pair_fn fn, void *payload, tm_err *err)
{
    tally_entry **v = NULL;
    int ret = TM_OK;
    if (t5->n && !(v = tally_sorted(t5, by_key)))
        ret = tm_err_set(err, TM_ENOMEM, "aggregate: out of memory sorting signals");
    for (size_t i = 0; ret == TM_OK && i < t5->n;) {
        const char *f[3], *g[3];
        split_key(v[i], f, 3);
        int64_t count = v[i]->count;
        size_t j = i + 1;
        for (; j < t5->n; j++) {
            split_key(v[j], g, 3);
            if (strcmp(f[0], g[0]) || strcmp(f[1], g[1]) || strcmp(f[2], g[2])) break;
            count += v[j]->count;
        }
        tm_agg_pair row = {f[0], f[1], f[2], count};
        ret = fn(&row, payload);
        i = j;
    }
    tm_free(v);
    return ret;
}

/* Emits the signal groups of t5 ranked within their period. */
static int emit_groups(tally *t5, int64_t top, tm_agg_signal_fn fn, void *payload, tm_err *err)
{
    tally_entry **v = NULL;
    int ret = TM_OK;
    if (t5->n && !(v = tally_sorted(t5, by_rank)))
        ret = tm_err_set(err, TM_ENOMEM, "aggregate: out of memory ranking signals");
    int64_t rank = 0;
    for (size_t i = 0; ret == TM_OK && i < t5->n; i++) {
        rank = i > 0 && strcmp(v[i]->key, v[i - 1]->key) == 0 ? rank + 1 : 1;
        if (top > 0 && rank > top) continue;
        const char *f[5];
        split_key(v[i], f, 5);
        tm_agg_signal row = {f[0], f[1], f[2], f[3], f[4], v[i]->count, v[i]->documents, rank};
        ret = fn(&row, payload);
    }
    tm_free(v);
    return ret;
}

/* Hands out the pairs and ranked groups of one period's tally, and empties it. */
static int flush_period(tally *t, int64_t top, tm_agg_pair_fn pair_fn, tm_agg_signal_fn signal_fn,
                        void *payload, tm_err *err)
{
    int ret = TM_OK;
    if (pair_fn) ret = emit_pairs(t, pair_fn, payload, err);
    if (ret == TM_OK && signal_fn) ret = emit_groups(t, top, signal_fn, payload, err);
    tally_free(t);
    return ret;
}

int tm_agg_signals(tm_store *st, const tm_agg_range *r, int64_t top, tm_agg_pair_fn pair_fn,
                   tm_agg_signal_fn signal_fn, void *payload, tm_err *err)
{
    /* one pass over the signals serves both tables: pairs are sums of
     * groups. The rows come a period at a time (q_sent_docs with
     * q_signal_tallies, or q_signals_role), so the tally holds one period's
     * groups; the periods come in key order, the order the whole tally
     * sorted them in. */
    const char *what = "cannot count signals";
    tally t = {0};
    sqlite3_stmt *s, *q = NULL; /* q: a document's signal tallies; NULL with a role */
    char *cur = NULL;           /* the period being tallied */
    int src = SQLITE_DONE, qsrc = SQLITE_DONE,
        ret = query_open(&s, st, r, r->role ? q_signals_role : q_sent_docs, what, err);
    if (ret != TM_OK) return ret;
    sqlite3 *db = tm_store_db(st);
    if (!r->role) {
        int prc = sqlite3_prepare_v2(db, q_signal_tallies, -1, &q, NULL);
        if (prc != SQLITE_OK) {
            ret = db_fail(db, prc, what, err);
            goto cleanup;
        }
        if (r->community) sqlite3_bind_text(q, 2, r->community, -1, SQLITE_STATIC);
        if (r->theme) sqlite3_bind_text(q, 3, r->theme, -1, SQLITE_STATIC);
    }
    const char *fields[TALLY_FIELDS];
    while (ret == TM_OK && (src = sqlite3_step(s)) == SQLITE_ROW) {
        int64_t doc = sqlite3_column_int64(s, 0);
        fields[0] = col_text(s, 1);
        if (cur && strcmp(cur, fields[0])) {
            tm_free(cur);
            cur = NULL;
            if ((ret = flush_period(&t, top, pair_fn, signal_fn, payload, err)) != TM_OK) break;
        }
        if (!cur && !(cur = tm_strndup(fields[0], strlen(fields[0])))) {
            ret = tm_err_set(err, TM_ENOMEM, "aggregate: out of memory counting (%s)", what);
            break;
        }
        if (!q) {
            for (int i = 1; i < 5; i++)
                fields[i] = col_text(s, i + 1);
            if (tally_add(&t, fields, 5, doc, sqlite3_column_int64(s, 6)) != TM_OK)
                ret = tm_err_set(err, TM_ENOMEM, "aggregate: out of memory counting (%s)", what);
            continue;
        }
        sqlite3_bind_int64(q, 1, doc);
        while (ret == TM_OK && (qsrc = sqlite3_step(q)) == SQLITE_ROW) {
            for (int i = 1; i < 5; i++)
                fields[i] = col_text(q, i - 1);
            if (tally_add(&t, fields, 5, doc, sqlite3_column_int64(q, 4)) != TM_OK)
                ret = tm_err_set(err, TM_ENOMEM, "aggregate: out of memory counting (%s)", what);
        }
        if (ret == TM_OK && qsrc != SQLITE_DONE) ret = db_fail(db, qsrc, what, err);
        sqlite3_reset(q);
    }
    if (ret == TM_OK && src == SQLITE_DONE)
        ret = flush_period(&t, top, pair_fn, signal_fn, payload, err);
cleanup:
    sqlite3_finalize(q);
    tm_free(cur);
    tally_free(&t);
    return query_close(s, src, ret, what, err);
}

int tm_agg_community_theme(tm_store *st, const tm_agg_range *r, tm_agg_pair_fn fn, void *payload,
                           tm_err *err)
{
    return tm_agg_signals(st, r, 0, fn, NULL, payload, err);
}

int tm_agg_top_signals(tm_store *st, const tm_agg_range *r, int64_t top, tm_agg_signal_fn fn,
                       void *payload, tm_err *err)
{
    return tm_agg_signals(st, r, top, NULL, fn, payload, err);
}

/* One evidence candidate: a sentence of a document with signals of one
 * group, its sort keys and its strings (offsets into ev_state.pool, or
 * EV_NONE for NULL). */
#define EV_NONE SIZE_MAX
typedef struct ev_cand {
    size_t group; /* the first group of the run with this key */
    int64_t doc, sentence, start, end;
    int64_t vp; /* min(via_paragraph) of its signals of the group */
    double w;   /* max(weight) */
    size_t path, date, pd, section, role;
    const char *spath, *spd; /* path and pd in the pool once it is complete, for ev_cmp */
} ev_cand;

typedef struct ev_state {
    const tm_agg_signal *groups;
    size_t *slots, nslots; /* key -> first group index + 1 */
    size_t *rep;           /* group -> the first group with its key */
    ev_cand *v;
    size_t n, cap;
    char *pool;
    size_t plen, pcap;
} ev_state;

static uint64_t ev_hash(const char *const f[4])
{
    uint64_t h = 0;
    for (int i = 0; i < 4; i++)
        h = tm_hash(f[i], strlen(f[i]), h + (uint64_t)i);
    return h;
}

static int ev_same(const tm_agg_signal *g, const char *const f[4])
{
    return !strcmp(g->community, f[0]) && !strcmp(g->theme, f[1]) && !strcmp(g->polarity, f[2]) &&
           !strcmp(g->eep, f[3]);
}

/* The first group of the run [g0, g1) with key f, or EV_NONE. */
static size_t ev_find(const ev_state *e, const char *const f[4])
{
    size_t j = (size_t)ev_hash(f) & (e->nslots - 1);
    for (; e->slots[j]; j = (j + 1) & (e->nslots - 1))
        if (ev_same(&e->groups[e->slots[j] - 1], f)) return e->slots[j] - 1;
    return EV_NONE;
}

/* Copies `s` (NULL: EV_NONE) into the pool; *out its offset. -1 on ENOMEM. */
static int ev_str(ev_state *e, const char *s, size_t *out)
{
    if (!s) {
        *out = EV_NONE;
        return 0;
    }
    size_t n = strlen(s) + 1;
    if (e->plen + n > e->pcap) {
        size_t nc = e->pcap ? e->pcap * 2 : 4096;
        while (nc < e->plen + n)
            nc *= 2;
        char *np = tm_realloc(e->pool, nc);
        if (!np) return -1;
        e->pool = np;
        e->pcap = nc;
    }
    memcpy(e->pool + e->plen, s, n);
    *out = e->plen;
    e->plen += n;
    return 0;
}

static const char *ev_at(const ev_state *e, size_t off)
{
    return off == EV_NONE ? NULL : e->pool + off;
}

/* SQLite's order: vp, w DESC, period_date DESC (NULL lowest), path
 * (BINARY), start; then the (document, sentence) key, never reached by two
 * sentences of one document with the same start. */
static int ev_cmp(const void *a, const void *b)
{
    const ev_cand *x = a, *y = b;
    if (x->group != y->group) return x->group < y->group ? -1 : 1;
    if (x->vp != y->vp) return x->vp < y->vp ? -1 : 1;
    if (x->w != y->w) return x->w > y->w ? -1 : 1;
    if (x->pd != y->pd) {
        if (!x->spd || !y->spd) return !x->spd ? 1 : -1;
        int c = strcmp(x->spd, y->spd);
        if (c) return -c;
    }
    int c = strcmp(x->spath, y->spath);
    if (c) return c;
    if (x->start != y->start) return x->start < y->start ? -1 : 1;
    if (x->doc != y->doc) return x->doc < y->doc ? -1 : 1;
    return x->sentence < y->sentence ? -1 : x->sentence > y->sentence;
}

/* Reads the signals of the period of groups [g0, g1) (all of one period)
 * into e->v: one candidate per group and sentence. */
static int ev_collect(ev_state *e, sqlite3_stmt *s, size_t g0, size_t g1, int *src, tm_err *err)
{
    const char *what = "cannot select evidence";
    size_t nslots = 16;
    while (nslots < 2 * (g1 - g0))
        nslots *= 2;
    tm_free(e->slots);
    if (!(e->slots = tm_calloc(nslots, sizeof *e->slots)))
        return tm_err_set(err, TM_ENOMEM, "aggregate: out of memory (%s)", what);
    e->nslots = nslots;
    e->n = e->plen = 0;
    for (size_t gi = g0; gi < g1; gi++) {
        const tm_agg_signal *g = &e->groups[gi];
        const char *f[4] = {g->community, g->theme, g->polarity, g->eep};
        size_t first = ev_find(e, f);
        if (first == EV_NONE) {
            size_t j = (size_t)ev_hash(f) & (nslots - 1);
            while (e->slots[j])
                j = (j + 1) & (nslots - 1);
            e->slots[j] = gi + 1;
            first = gi;
        }
        e->rep[gi] = first;
    }
    int64_t cur_doc = -1;
    size_t doc_first = 0; /* the current document's first candidate */
    size_t path = EV_NONE, date = EV_NONE, pd = EV_NONE;
    while ((*src = sqlite3_step(s)) == SQLITE_ROW) {
        const char *f[4] = {col_text(s, 11), col_text(s, 12), col_text(s, 13), col_text(s, 14)};
        size_t gi = ev_find(e, f);
        if (gi == EV_NONE) continue;
        int64_t doc = sqlite3_column_int64(s, 0), sen = sqlite3_column_int64(s, 1);
        int64_t vp = sqlite3_column_int64(s, 9);
        double w = sqlite3_column_double(s, 10);
        if (doc != cur_doc) {
            cur_doc = doc;
            doc_first = e->n;
            if (ev_str(e, col_text(s, 2), &path) || ev_str(e, col_opt(s, 3), &date) ||
                ev_str(e, col_opt(s, 4), &pd))
                return tm_err_set(err, TM_ENOMEM, "aggregate: out of memory (%s)", what);
        }
        size_t k = doc_first;
        while (k < e->n && !(e->v[k].group == gi && e->v[k].sentence == sen))
            k++;
        if (k < e->n) { /* another signal of the group in the sentence */
            if (vp < e->v[k].vp) e->v[k].vp = vp;
            if (w > e->v[k].w) e->v[k].w = w;
            continue;
        }
        if (e->n == e->cap) {
            size_t nc = e->cap ? e->cap * 2 : 256;
            ev_cand *nv = tm_realloc(e->v, nc * sizeof *nv);
            if (!nv) return tm_err_set(err, TM_ENOMEM, "aggregate: out of memory (%s)", what);
            e->v = nv;
            e->cap = nc;
        }
        ev_cand c = {gi,
                     doc,
                     sen,
                     sqlite3_column_int64(s, 7),
                     sqlite3_column_int64(s, 8),
                     vp,
                     w,
                     path,
                     date,
                     pd,
                     EV_NONE,
                     EV_NONE,
                     NULL,
                     NULL};
        if (ev_str(e, col_opt(s, 5), &c.section) || ev_str(e, col_opt(s, 6), &c.role))
            return tm_err_set(err, TM_ENOMEM, "aggregate: out of memory (%s)", what);
        e->v[e->n++] = c;
    }
    for (size_t k = 0; k < e->n; k++) {
        e->v[k].spath = ev_at(e, e->v[k].path);
        e->v[k].spd = ev_at(e, e->v[k].pd);
    }
    return TM_OK; /* an SQLite error stays in *src, for query_close */
}

int tm_agg_evidence(tm_store *st, const tm_agg_range *r, const tm_agg_signal *groups,
                    size_t ngroups, int64_t limit, tm_agg_evidence_fn fn, void *payload,
                    tm_err *err)
{
    const char *what = "cannot select evidence";
    for (size_t gi = 0; gi < ngroups; gi++) {
        const tm_agg_signal *sig = &groups[gi];
        if (!sig->period || !sig->community || !sig->theme || !sig->polarity || !sig->eep)
            return tm_err_set(err, TM_EINVAL, "aggregate: evidence asked for an incomplete group");
    }
    sqlite3_stmt *s, *t = NULL;
    int src = SQLITE_DONE, ret = query_open(&s, st, r, q_evidence, what, err);
    if (ret != TM_OK) return ret;
    sqlite3 *db = tm_store_db(st);
    ev_state e = {.groups = groups, .rep = tm_calloc(ngroups ? ngroups : 1, sizeof *e.rep)};
    int prc = sqlite3_prepare_v2(db, q_evidence_text, -1, &t, NULL);
    if (prc != SQLITE_OK) {
        ret = db_fail(db, prc, what, err);
        goto cleanup;
    }
    if (!e.rep) {
        ret = tm_err_set(err, TM_ENOMEM, "aggregate: out of memory (%s)", what);
        goto cleanup;
    }
    /* the groups a period at a time: one read of the period's signals */
    for (size_t g0 = 0, g1; ret == TM_OK && g0 < ngroups; g0 = g1) {
        for (g1 = g0 + 1; g1 < ngroups && !strcmp(groups[g1].period, groups[g0].period); g1++)
            ;
        if (strcmp(groups[g0].period, TM_PERIOD_UNDATED) == 0)
            sqlite3_bind_null(s, 4);
        else
            sqlite3_bind_text(s, 4, groups[g0].period, -1, SQLITE_STATIC);
        ret = ev_collect(&e, s, g0, g1, &src, err);
        if (ret != TM_OK || src != SQLITE_DONE) break;
        sqlite3_reset(s);
        if (e.n) qsort(e.v, e.n, sizeof *e.v, ev_cmp);
        for (size_t gi = g0; ret == TM_OK && gi < g1; gi++) {
            /* the sorted candidates of its key: the run of group e.rep[gi] */
            size_t k = 0, hi = e.n;
            while (k < hi) {
                size_t mid = k + (hi - k) / 2;
                if (e.v[mid].group < e.rep[gi])
                    k = mid + 1;
                else
                    hi = mid;
            }
            for (int64_t sent = 0; ret == TM_OK && k < e.n && e.v[k].group == e.rep[gi] &&
                                   (limit < 0 || sent < limit);
                 k++) {
                const ev_cand *c = &e.v[k];
                sqlite3_bind_int64(t, 1, c->doc);
                sqlite3_bind_int64(t, 2, c->sentence);
                int tsrc = sqlite3_step(t);
                if (tsrc == SQLITE_ROW) {
                    tm_agg_evidence_row row = {gi,
                                               ev_at(&e, c->path),
                                               ev_at(&e, c->date),
                                               ev_at(&e, c->section),
                                               ev_at(&e, c->role),
                                               c->start,
                                               c->end,
                                               col_text(t, 0)};
                    ret = fn(&row, payload);
                    sent++;
                } else if (tsrc != SQLITE_DONE) {
                    ret = db_fail(db, tsrc, what, err);
                }
                /* no sentence row (never in a database this code wrote):
                 * the join dropped it before the LIMIT */
                sqlite3_reset(t);
            }
        }
    }
cleanup:
    sqlite3_finalize(t);
    tm_free(e.slots);
    tm_free(e.rep);
    tm_free(e.v);
    tm_free(e.pool);
    return query_close(s, src, ret, what, err);
}

int tm_agg_lexicons(tm_store *st, const tm_agg_range *r, tm_agg_lexicon_fn fn, void *payload,
                    tm_err *err)
{
    const char *what = "cannot list lexicon versions";
    sqlite3_stmt *s;
    int src = SQLITE_DONE, ret = query_open(&s, st, r, q_lexicons, what, err);
    if (ret != TM_OK) return ret;
    while (ret == TM_OK && (src = sqlite3_step(s)) == SQLITE_ROW) {
        tm_agg_lexicon row = {col_opt(s, 0), col_opt(s, 1), sqlite3_column_int64(s, 2)};
        ret = fn(&row, payload);
    }
    return query_close(s, src, ret, what, err);
}

/* ------------------------------------------------------ analytics rows */

static int is_listed(const char *id, const char *const *list)
{
    for (size_t i = 0; list && list[i]; i++)
        if (!strcmp(id, list[i])) return 1;
    return 0;
}

/* The tone tallies of one sentence: (sentence, concern, reassure). */
typedef struct tone_row {
    int64_t sentence;
    int concern, reassure;
} tone_row;

struct tm_agg_wstream {
    sqlite3_stmt *docs, *sig, *tone;
    const char *const *reassuring;
    const char *period; /* of the current document: a column of `docs` */
    int in_doc;         /* `sig` is bound to the current document */
    tone_row *tones;    /* of the current document, in sentence order */
    size_t ntones, cap;
    const char *what;
};

void tm_agg_wstream_close(tm_agg_wstream *w)
{
    if (!w) return;
    sqlite3_finalize(w->docs);
    sqlite3_finalize(w->sig);
    sqlite3_finalize(w->tone);
    tm_free(w->tones);
    tm_free(w);
}

int tm_agg_wstream_open(tm_agg_wstream **out, tm_store *st, const tm_agg_range *r,
                        const char *const *reassuring, tm_err *err)
{
    const char *what = "cannot read signals for the levels";
    *out = NULL;
    tm_agg_wstream *w = tm_calloc(1, sizeof *w);
    if (!w) return tm_err_set(err, TM_ENOMEM, "aggregate: out of memory (%s)", what);
    w->reassuring = reassuring;
    w->what = what;
    int ret = query_open(&w->docs, st, r, q_wdocs, what, err);
    if (ret != TM_OK) {
        tm_agg_wstream_close(w);
        return ret;
    }
    sqlite3 *db = tm_store_db(st);
    int prc = sqlite3_prepare_v2(db, q_wsignals, -1, &w->sig, NULL);
    if (prc == SQLITE_OK) prc = sqlite3_prepare_v2(db, q_wtones, -1, &w->tone, NULL);
    if (prc != SQLITE_OK) {
        ret = db_fail(db, prc, what, err);
        tm_agg_wstream_close(w);
        return ret;
    }
    if (r->community) sqlite3_bind_text(w->sig, 20, r->community, -1, SQLITE_STATIC);
    if (r->theme) sqlite3_bind_text(w->sig, 21, r->theme, -1, SQLITE_STATIC);
    if (r->role) sqlite3_bind_text(w->sig, 24, r->role, -1, SQLITE_STATIC);
    *out = w;
    return TM_OK;
}

/* Reads the tone tallies of document `doc` into w->tones. */
static int ws_tones(tm_agg_wstream *w, int64_t doc, tm_err *err)
{
    w->ntones = 0;
    sqlite3_bind_int64(w->tone, 1, doc);
    int tsrc;
    while ((tsrc = sqlite3_step(w->tone)) == SQLITE_ROW) {
        int64_t sen = sqlite3_column_int64(w->tone, 0), count = sqlite3_column_int64(w->tone, 2);
        int reass = is_listed(col_text(w->tone, 1), w->reassuring);
        if (!w->ntones || w->tones[w->ntones - 1].sentence != sen) {
            if (w->ntones == w->cap) {
                size_t nc = w->cap ? w->cap * 2 : 16;
                tone_row *nt = tm_realloc(w->tones, nc * sizeof *nt);
                if (!nt) {
                    sqlite3_reset(w->tone);
                    return tm_err_set(err, TM_ENOMEM, "aggregate: out of memory (tone)");
                }
                w->tones = nt;
                w->cap = nc;
            }
            w->tones[w->ntones++] = (tone_row){sen, 0, 0};
        }
        if (reass)
            w->tones[w->ntones - 1].reassure += (int)count;
        else
            w->tones[w->ntones - 1].concern += (int)count;
    }
    sqlite3_reset(w->tone);
    if (tsrc != SQLITE_DONE) return db_fail(sqlite3_db_handle(w->tone), tsrc, w->what, err);
    return TM_OK;
}

int tm_agg_wstream_next(tm_agg_wstream *w, tm_agg_weighted *row, tm_err *err)
{
    for (;;) {
        if (w->in_doc) {
            int src = sqlite3_step(w->sig);
            if (src == SQLITE_ROW) {
                sqlite3_stmt *s = w->sig;
                int64_t sen = sqlite3_column_int64(s, 5);
                *row = (tm_agg_weighted){w->period,
                                         col_text(s, 0),
                                         col_text(s, 1),
                                         col_text(s, 2),
                                         col_text(s, 3),
                                         sqlite3_column_double(s, 4),
                                         0,
                                         0};
                /* the tones are in sentence order */
                size_t lo = 0, hi = w->ntones;
                while (lo < hi) {
                    size_t mid = lo + (hi - lo) / 2;
                    if (w->tones[mid].sentence < sen)
                        lo = mid + 1;
                    else
                        hi = mid;
                }
                if (lo < w->ntones && w->tones[lo].sentence == sen) {
                    row->tone_concern = w->tones[lo].concern;
                    row->tone_reassure = w->tones[lo].reassure;
                }
                return 1;
            }
            int ret =
                src == SQLITE_DONE ? TM_OK : db_fail(sqlite3_db_handle(w->sig), src, w->what, err);
            sqlite3_reset(w->sig);
            w->in_doc = 0;
            if (ret != TM_OK) return ret;
        }
        int dsrc = sqlite3_step(w->docs);
        if (dsrc == SQLITE_DONE) return 0;
        if (dsrc != SQLITE_ROW) return db_fail(sqlite3_db_handle(w->docs), dsrc, w->what, err);
        int64_t doc = sqlite3_column_int64(w->docs, 0);
        w->period = col_text(w->docs, 1);
        int ret = ws_tones(w, doc, err);
        if (ret != TM_OK) return ret;
        sqlite3_bind_int64(w->sig, 1, doc);
        w->in_doc = 1;
    }
}

int tm_agg_weighted_signals(tm_store *st, const tm_agg_range *r, const char *const *reassuring,
                            tm_agg_weighted_fn fn, void *payload, tm_err *err)
{
    tm_agg_wstream *w;
    int ret = tm_agg_wstream_open(&w, st, r, reassuring, err);
    tm_agg_weighted row;
    while (ret == TM_OK && (ret = tm_agg_wstream_next(w, &row, err)) == 1)
        ret = fn(&row, payload);
    tm_agg_wstream_close(w);
    return ret;
}

int tm_agg_incidents(tm_store *st, const tm_agg_range *r, tm_agg_incident_fn fn, void *payload,
                     tm_err *err)
{
    const char *what = "cannot read incidents";
    sqlite3_stmt *s, *t = NULL;
    int src = SQLITE_DONE, tsrc = SQLITE_DONE, ret = query_open(&s, st, r, q_inc_docs, what, err);
    if (ret != TM_OK) return ret;
    sqlite3 *db = tm_store_db(st);
    int prc = sqlite3_prepare_v2(db, q_inc_rows, -1, &t, NULL);
    if (prc != SQLITE_OK) {
        ret = db_fail(db, prc, what, err);
        goto cleanup;
    }
    while (ret == TM_OK && (src = sqlite3_step(s)) == SQLITE_ROW) {
        tm_agg_incident row = {sqlite3_column_int64(s, 0),
                               col_text(s, 1),
                               col_opt(s, 2),
                               col_text(s, 3),
                               NULL,
                               NULL,
                               NULL,
                               NULL};
        sqlite3_bind_int64(t, 1, row.doc_id);
        while (ret == TM_OK && (tsrc = sqlite3_step(t)) == SQLITE_ROW) {
            row.theme = col_text(t, 0);
            row.place = col_opt(t, 1);
            row.date = col_opt(t, 2);
            row.text = col_text(t, 3);
            ret = fn(&row, payload);
        }
        if (ret == TM_OK && tsrc != SQLITE_DONE) ret = db_fail(db, tsrc, what, err);
        sqlite3_reset(t);
    }
cleanup:
    sqlite3_finalize(t);
    return query_close(s, src, ret, what, err);
}

int tm_agg_events(tm_store *st, const tm_agg_range *r, tm_agg_event_fn fn, void *payload,
                  tm_err *err)
{
    const char *what = "cannot read events";
    sqlite3_stmt *s;
    int src = SQLITE_DONE, ret = query_open(&s, st, r, q_events, what, err);
    if (ret != TM_OK) return ret;
    while (ret == TM_OK && (src = sqlite3_step(s)) == SQLITE_ROW) {
        tm_agg_event row = {col_text(s, 0),
                            col_text(s, 1),
                            col_opt(s, 2),
                            col_text(s, 3),
                            sqlite3_column_int64(s, 4),
                            sqlite3_column_int64(s, 5),
                            sqlite3_column_int64(s, 6),
                            sqlite3_column_int64(s, 7)};
        ret = fn(&row, payload);
    }
    return query_close(s, src, ret, what, err);
}

int tm_agg_sentences(tm_store *st, const tm_agg_range *r, tm_agg_sentence_fn fn, void *payload,
                     tm_err *err)
{
    _Static_assert((TM_SENT_HEADING | TM_SENT_TABLE | TM_SENT_BOILER) == 7,
                   "q_sent_text masks the flags with 7");
    const char *what = "cannot read sentences";
    sqlite3_stmt *s, *t = NULL;
    int src = SQLITE_DONE, tsrc = SQLITE_DONE, ret = query_open(&s, st, r, q_sent_docs, what, err);
    if (ret != TM_OK) return ret;
    sqlite3 *db = tm_store_db(st);
    int prc = sqlite3_prepare_v2(db, q_sent_text, -1, &t, NULL);
    if (prc != SQLITE_OK) {
        ret = db_fail(db, prc, what, err);
        goto cleanup;
    }
    if (r->role) sqlite3_bind_text(t, 2, r->role, -1, SQLITE_STATIC);
    while (ret == TM_OK && (src = sqlite3_step(s)) == SQLITE_ROW) {
        tm_agg_sentence row = {sqlite3_column_int64(s, 0), col_text(s, 1), NULL, 0};
        sqlite3_bind_int64(t, 1, row.doc_id);
        while (ret == TM_OK && (tsrc = sqlite3_step(t)) == SQLITE_ROW) {
            row.text = col_text(t, 0);
            row.len = (size_t)sqlite3_column_bytes(t, 0);
            ret = fn(&row, payload);
        }
        if (ret == TM_OK && tsrc != SQLITE_DONE) ret = db_fail(db, tsrc, what, err);
        sqlite3_reset(t);
    }
cleanup:
    sqlite3_finalize(t);
    return query_close(s, src, ret, what, err);
}
