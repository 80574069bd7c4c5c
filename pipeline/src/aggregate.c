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

/* Live signals per document and group, with their count, from doc_tallies,
 * a period at a time and grouped by document within it: tm_agg_signals
 * tallies one period's groups and hands them out before the next, so that
 * the groups of every period are never held at once (on ten years of weeks
 * they were 120 MB of the report). The sort by period costs a fifth of a
 * second on the 100 MB bench corpus (700k rows, spilled to temporary files
 * by the report's temp_store). */
#define Q_SIGNALS(col)                                                                             \
    SEL(col)                                                                                       \
    "SELECT t.doc_id, sel.p, t.k1, t.k2, t.k3, t.k4, t.count FROM sel"                             \
    " JOIN doc_tallies t ON t.doc_id = sel.id WHERE t.kind = 'signal' AND (?20 IS NULL OR"         \
    " t.k1 = ?20) AND (?21 IS NULL OR t.k2 = ?21) ORDER BY sel.p, t.doc_id"
static const char *const q_signals[TM_PERIOD__COUNT] = PER_PERIOD(Q_SIGNALS);
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

/* Every live signal with its weight and sentence, for the level rubric,
 * grouped by document, read through the (doc_id, idx) key; tone mentions
 * of the same documents come from q_tones in the same document order and
 * are merged in C. The signals of one group come in idx order, so the
 * levels' sums add up the same. */
#define Q_WEIGHTED(col)                                                                            \
    SEL(col)                                                                                       \
    "SELECT g.doc_id, sel.p, g.community, g.theme, g.polarity, g.eep, g.weight, g.sentence"        \
    " FROM sel CROSS JOIN signals g ON g.doc_id = sel.id WHERE g.negated = 0 AND (?20 IS NULL OR"  \
    " g.community = ?20) AND (?21 IS NULL OR g.theme = ?21) AND (?24 IS NULL OR"                   \
    " g.role = ?24 COLLATE NOCASE) ORDER BY g.doc_id"
static const char *const q_weighted[TM_PERIOD__COUNT] = PER_PERIOD(Q_WEIGHTED);
/* Live tone mentions of the selected documents that have any (their
 * doc_tallies row), each document's mentions read through the (doc_id, idx)
 * key in idx order, not sentence order: tm_agg_weighted_signals groups
 * them by sentence itself. CROSS JOIN and ORDER BY sel.id (the documents'
 * rowid order) keep the planner from scanning every mention of the
 * database for a short range, and from sorting. */
#define Q_TONES(col)                                                                               \
    SEL(col)                                                                                       \
    "SELECT m.doc_id, m.sentence, m.identifier FROM sel CROSS JOIN mentions m"                     \
    " ON m.doc_id = sel.id WHERE EXISTS (SELECT 1 FROM doc_tallies x WHERE x.doc_id = sel.id"      \
    " AND x.kind = 'tone') AND m.category = 'tone' AND m.negated = 0 AND m.dropped = 0"            \
    " ORDER BY sel.id"
static const char *const q_tones[TM_PERIOD__COUNT] = PER_PERIOD(Q_TONES);

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
 * sentence (its first such mention), in document order. Only documents
 * whose doc_tallies say they have one read their mentions, through the
 * (doc_id, idx) key. CROSS JOIN fixes that order: without statistics (a
 * database no report has closed yet) SQLite scanned every sentence and
 * read a document's mentions for each. */
#define Q_EVENTS(col)                                                                              \
    SEL(col)                                                                                       \
    "SELECT sel.p, d.path, COALESCE(d.date, sel.pd), sen.text, min(m.start) - sen.start,"          \
    " min(m.end) - sen.start, sen.start, sen.end FROM sel CROSS JOIN documents d ON d.id = sel.id" \
    " CROSS JOIN mentions m ON m.doc_id = sel.id AND ((m.category = 'cue'"                         \
    " AND m.identifier = 'event')"                                                                 \
    " OR (m.category = 'indicator' AND m.identifier = 'planned_event'))"                           \
    " AND m.negated = 0 AND m.dropped = 0"                                                         \
    " CROSS JOIN sentences sen ON sen.doc_id = m.doc_id AND sen.idx = m.sentence"                  \
    " WHERE sel.pd IS NOT NULL AND EXISTS (SELECT 1 FROM doc_tallies x WHERE x.doc_id = sel.id"    \
    " AND ((x.kind = 'cue' AND x.k1 = 'event') OR (x.kind = 'indicator'"                           \
    " AND x.k1 = 'planned_event')))"                                                               \
    " GROUP BY m.doc_id, m.sentence ORDER BY sel.pd, d.path, m.sentence"
static const char *const q_events[TM_PERIOD__COUNT] = PER_PERIOD(Q_EVENTS);

/* Evidence of one signal group: the period's documents through their period
 * index (IS also matches the NULL key of undated documents), those with a
 * doc_tallies row of the group (one key lookup each), then their signals
 * through the (doc_id, idx) key. One row per sentence, however many
 * signals of the group it carries. CROSS JOIN fixes that order, whatever
 * statistics the planner has. */
#define Q_EVIDENCE(col)                                                                            \
    "SELECT d.path, d.date, g.section, g.role, g.start, g.end, sen.text,"                          \
    " min(g.via_paragraph) AS vp, max(g.weight) AS w"                                              \
    " FROM documents d CROSS JOIN signals g ON g.doc_id = d.id"                                    \
    " CROSS JOIN sentences sen ON sen.doc_id = g.doc_id AND sen.idx = g.sentence"                  \
    " WHERE d." col " IS ?4 AND " RANGE_WHERE DOC_SLICE(                                           \
        "d") " AND EXISTS (SELECT 1 FROM doc_tallies x WHERE x.doc_id = d.id"                      \
             " AND x.kind = 'signal' AND x.k1 = ?5 AND x.k2 = ?6 AND x.k3 = ?7 AND x.k4 = ?8)"     \
             " AND g.negated = 0"                                                                  \
             " AND (?24 IS NULL OR g.role = ?24 COLLATE NOCASE) AND g.community = ?5"              \
             " AND g.theme = ?6 AND g.polarity = ?7 AND g.eep = ?8"                                \
             " GROUP BY g.doc_id, g.sentence"                                                      \
             " ORDER BY vp, w DESC, d.period_date DESC, d.path, g.start LIMIT ?9"
static const char *const q_evidence[TM_PERIOD__COUNT] = PER_PERIOD(Q_EVIDENCE);

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
     * groups. The rows come a period at a time (q_signals), so the tally
     * holds one period's groups; the periods come in key order, the order
     * the whole tally sorted them in. */
    const char *what = "cannot count signals";
    tally t = {0};
    sqlite3_stmt *s;
    char *cur = NULL; /* the period being tallied */
    int src = SQLITE_DONE,
        ret = query_open(&s, st, r, r->role ? q_signals_role : q_signals, what, err);
    if (ret != TM_OK) return ret;
    const char *fields[TALLY_FIELDS];
    while (ret == TM_OK && (src = sqlite3_step(s)) == SQLITE_ROW) {
        for (int i = 0; i < 5; i++)
            fields[i] = col_text(s, i + 1);
        if (cur && strcmp(cur, fields[0])) {
            tm_free(cur);
            cur = NULL;
            if ((ret = flush_period(&t, top, pair_fn, signal_fn, payload, err)) != TM_OK) break;
        }
        if ((!cur && !(cur = tm_strndup(fields[0], strlen(fields[0])))) ||
            tally_add(&t, fields, 5, sqlite3_column_int64(s, 0), sqlite3_column_int64(s, 6)) !=
                TM_OK)
            ret = tm_err_set(err, TM_ENOMEM, "aggregate: out of memory counting (%s)", what);
    }
    if (ret == TM_OK && src == SQLITE_DONE)
        ret = flush_period(&t, top, pair_fn, signal_fn, payload, err);
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

int tm_agg_evidence(tm_store *st, const tm_agg_range *r, const tm_agg_signal *groups,
                    size_t ngroups, int64_t limit, tm_agg_evidence_fn fn, void *payload,
                    tm_err *err)
{
    const char *what = "cannot select evidence";
    sqlite3_stmt *s;
    int src = SQLITE_DONE, ret = query_open(&s, st, r, q_evidence, what, err);
    if (ret != TM_OK) return ret;
    /* one statement for every group: preparing it is most of the cost */
    for (size_t gi = 0; ret == TM_OK && gi < ngroups; gi++) {
        const tm_agg_signal *sig = &groups[gi];
        if (!sig->period || !sig->community || !sig->theme || !sig->polarity || !sig->eep) {
            ret = tm_err_set(err, TM_EINVAL, "aggregate: evidence asked for an incomplete group");
            break;
        }
        if (strcmp(sig->period, TM_PERIOD_UNDATED) == 0)
            sqlite3_bind_null(s, 4);
        else
            sqlite3_bind_text(s, 4, sig->period, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 5, sig->community, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 6, sig->theme, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 7, sig->polarity, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 8, sig->eep, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 9, limit);
        while (ret == TM_OK && (src = sqlite3_step(s)) == SQLITE_ROW) {
            tm_agg_evidence_row row = {gi,
                                       col_text(s, 0),
                                       col_opt(s, 1),
                                       col_opt(s, 2),
                                       col_opt(s, 3),
                                       sqlite3_column_int64(s, 4),
                                       sqlite3_column_int64(s, 5),
                                       col_text(s, 6)};
            ret = fn(&row, payload);
        }
        if (ret == TM_OK && src != SQLITE_DONE)
            break; /* an SQLite error: reported by query_close */
        sqlite3_reset(s);
    }
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

int tm_agg_weighted_signals(tm_store *st, const tm_agg_range *r, const char *const *reassuring,
                            tm_agg_weighted_fn fn, void *payload, tm_err *err)
{
    const char *what = "cannot read signals for the levels";
    sqlite3_stmt *s = NULL, *t = NULL;
    int ret = query_open(&s, st, r, q_weighted, what, err);
    if (ret != TM_OK) return ret;
    if ((ret = query_open(&t, st, r, q_tones, what, err)) != TM_OK) {
        sqlite3_finalize(s);
        return ret;
    }
    /* the tone rows of the current document: (sentence, concern, reassure) */
    typedef struct tone_row {
        int64_t sentence;
        int concern, reassure;
    } tone_row;
    tone_row *tones = NULL;
    size_t ntones = 0, cap = 0;
    int64_t tone_doc = -1, cur_doc = -1;
    int tsrc = sqlite3_step(t), src = SQLITE_DONE;
    while (ret == TM_OK && (src = sqlite3_step(s)) == SQLITE_ROW) {
        int64_t doc = sqlite3_column_int64(s, 0);
        if (doc != cur_doc) {
            cur_doc = doc;
            ntones = 0;
            /* both queries run in doc_id order: skip earlier documents' tones */
            while (tsrc == SQLITE_ROW && (tone_doc = sqlite3_column_int64(t, 0)) < doc)
                tsrc = sqlite3_step(t);
            while (tsrc == SQLITE_ROW && (tone_doc = sqlite3_column_int64(t, 0)) == doc) {
                int64_t sen = sqlite3_column_int64(t, 1);
                int reass = is_listed(col_text(t, 2), reassuring);
                /* the rows come in idx order: a sentence may have been seen */
                size_t k = ntones;
                while (k > 0 && tones[k - 1].sentence != sen)
                    k--;
                if (k > 0) {
                    tones[k - 1].concern += !reass;
                    tones[k - 1].reassure += reass;
                } else {
                    if (ntones == cap) {
                        size_t nc = cap ? cap * 2 : 16;
                        tone_row *nt = tm_realloc(tones, nc * sizeof *nt);
                        if (!nt) {
                            ret = tm_err_set(err, TM_ENOMEM, "aggregate: out of memory (tone)");
                            break;
                        }
                        tones = nt;
                        cap = nc;
                    }
                    tones[ntones++] = (tone_row){sen, !reass, reass};
                }
                tsrc = sqlite3_step(t);
            }
            if (ret != TM_OK) break;
        }
        int64_t sen = sqlite3_column_int64(s, 7);
        tm_agg_weighted row = {col_text(s, 1),
                               col_text(s, 2),
                               col_text(s, 3),
                               col_text(s, 4),
                               col_text(s, 5),
                               sqlite3_column_double(s, 6),
                               0,
                               0};
        for (size_t i = 0; i < ntones; i++)
            if (tones[i].sentence == sen) {
                row.tone_concern = tones[i].concern;
                row.tone_reassure = tones[i].reassure;
                break;
            }
        ret = fn(&row, payload);
    }
    tm_free(tones);
    if (ret == TM_OK && tsrc != SQLITE_DONE && tsrc != SQLITE_ROW)
        ret = db_fail(sqlite3_db_handle(t), tsrc, what, err);
    sqlite3_finalize(t);
    return query_close(s, src, ret, what, err);
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
