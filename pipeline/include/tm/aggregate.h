/*
 * aggregate.h: periods (ISO week, month, quarter, UK financial year) and the
 * corpus-level queries that count what the store holds per period.
 *
 * Period keys are plain strings that sort in time order within one kind:
 *     TM_PERIOD_WEEK     "2020-W53"   ISO-8601 week of the ISO week-year
 *     TM_PERIOD_MONTH    "2025-04"
 *     TM_PERIOD_QUARTER  "2025-Q2"    calendar quarters
 *     TM_PERIOD_FYEAR    "FY2024/25"  UK financial year, 1 April to 31 March
 * The store keeps all four keys of every document (documents.period_week,
 * ...), so analysts get the same grouping from the sqlite3 shell. Documents
 * without a period date fall in the pseudo-period TM_PERIOD_UNDATED, which
 * sorts after every real key.
 *
 * Queries. Every tm_agg_* function selects the documents of a tm_agg_range
 * with SQL and hands each result row to a callback, in a fixed order, so
 * two runs over the same database see the same rows in the same order.
 * Counts are summed in a hash table fed by the covering indexes (SQLite's
 * GROUP BY sorter made a report on a 100 MB corpus take 3 s instead of 1 s)
 * and emitted in the order an SQL ORDER BY with BINARY collation gives. Strings in a
 * row are borrowed and valid only during the callback: copy what you keep.
 * The callback returns TM_OK to go on or a negative TM_E* code to stop; the
 * query then returns that code (the callback sets `err` itself).
 *
 * Only mentions and signals that are neither negated nor dropped count.
 *
 * Usage:
 *     tm_agg_range r = {.period = TM_PERIOD_MONTH, .from = "2025-01-01"};
 *     rc = tm_agg_counts(st, &r, TM_CAT_COMMUNITY, print_count, NULL, &err);
 */
#ifndef TM_AGGREGATE_H
#define TM_AGGREGATE_H

#include <stdint.h>

#include "tm/common.h"
#include "tm/doc.h"
#include "tm/store.h"

typedef enum tm_period {
    TM_PERIOD_WEEK = 0,
    TM_PERIOD_MONTH,
    TM_PERIOD_QUARTER,
    TM_PERIOD_FYEAR,
    TM_PERIOD__COUNT
} tm_period;

/* The key of documents that have no period date. */
#define TM_PERIOD_UNDATED "undated"

/* 1 if `s` is a real calendar date "YYYY-MM-DD" with a year in 1000..9998
 * (leap years checked), else 0. NULL is not a date. */
int tm_date_str_valid(const char *s);

/* Parses "week", "month", "quarter" or "fyear" (also "financial-year").
 * Returns TM_OK or TM_EINVAL (with a message listing the names). */
int tm_period_from_name(tm_period *out, const char *name, tm_err *err);

/* "week", "month", "quarter", "fyear". */
const char *tm_period_name(tm_period p);

/* Writes the key of the period holding `date` into `out`. Returns TM_OK, or
 * TM_EINVAL (out = "") when `date` is not valid per tm_date_str_valid(). */
int tm_period_key(char out[16], const char *date, tm_period p);

/* Writes the first and last day ("YYYY-MM-DD") of the period holding `date`.
 * Returns TM_OK or TM_EINVAL (both "") on a bad date. */
int tm_period_bounds(char start[11], char end[11], const char *date, tm_period p);

/* Which documents a query sees. */
typedef struct tm_agg_range {
    tm_period period; /* how rows are grouped */
    const char *from; /* first period_date counted, "YYYY-MM-DD"; NULL = open */
    const char *to;   /* last period_date counted (inclusive); NULL = open */
    int undated;      /* 1: also count undated documents, as TM_PERIOD_UNDATED */
    /* Slices; NULL = all. A document is selected only when it has a live
     * mention of each given community / theme or indicator / place
     * (canonical name, any case) / organisation, and a sentence spoken by
     * the given role (any case). Signals are further restricted to the
     * given community, theme and role. Periods, words and mention counts
     * are those of the selected documents. */
    const char *community, *theme, *place, *organisation, *role;
} tm_agg_range;

/* Checks from/to (valid dates, from <= to) and the period. TM_OK or
 * TM_EINVAL with a message naming the bad value. Every query calls it. */
int tm_agg_range_check(const tm_agg_range *r, tm_err *err);

/* One period that has at least one document. Periods without documents are
 * not listed: "no minutes that month" is not "no tension that month". */
typedef struct tm_agg_period {
    const char *period; /* key, or TM_PERIOD_UNDATED */
    const char *first;  /* earliest period_date in it; NULL when undated */
    const char *last;   /* latest period_date in it; NULL when undated */
    int64_t documents;
    int64_t words; /* sum of tm_doc.words: the rate denominator */
} tm_agg_period;

/* A count of one key in one period. */
typedef struct tm_agg_count {
    const char *period;
    const char *key; /* identifier; places: canonical name */
    int64_t count;
} tm_agg_count;

/* One (community, theme) pair of non-negated signals in one period. */
typedef struct tm_agg_pair {
    const char *period;
    const char *community;
    const char *theme;
    int64_t count;
} tm_agg_pair;

/* One signal group: (community, theme, polarity, eep) in one period. */
typedef struct tm_agg_signal {
    const char *period;
    const char *community;
    const char *theme;
    const char *polarity; /* "concern" | "reassurance" */
    const char *eep;      /* "evidenced" | "experienced" | "potential" */
    int64_t count;        /* non-negated signals */
    int64_t documents;    /* distinct documents they come from */
    int64_t rank;         /* 1 = most signals in its period */
} tm_agg_signal;

/* One evidence sentence of a signal group. Offsets are file bytes. */
typedef struct tm_agg_evidence_row {
    size_t group;             /* index of its group in the array asked about */
    const char *doc;          /* path as ingested */
    const char *date;         /* stated date of the document, NULL if none */
    const char *section;      /* section title, NULL if none */
    const char *speaker_role; /* NULL if unattributed or unknown */
    int64_t start, end;
    const char *text; /* the sentence */
} tm_agg_evidence_row;

/* Lexicon provenance of the selected documents. */
typedef struct tm_agg_lexicon {
    const char *version; /* NULL if the document was stored without one */
    const char *hash;
    int64_t documents;
} tm_agg_lexicon;

/* One live signal with what the level rubric needs. */
typedef struct tm_agg_weighted {
    const char *period, *community, *theme, *polarity, *eep;
    double weight;     /* the signal's weight (mention weights, halved via paragraph) */
    int tone_concern;  /* live tone mentions in its sentence not listed as reassuring */
    int tone_reassure; /* live tone mentions in its sentence listed as reassuring */
} tm_agg_weighted;

/* One live incident with its sentence. */
typedef struct tm_agg_incident {
    int64_t doc_id;
    const char *period;
    const char *period_date; /* NULL when undated */
    const char *doc;         /* path */
    const char *theme;
    const char *place; /* canonical place or NULL */
    const char *date;  /* date the sentence states ("YYYY-MM-DD" or "YYYY-MM") or NULL */
    const char *text;  /* the sentence */
} tm_agg_incident;

/* One sentence naming an event (cue `event` or indicator `planned_event`). */
typedef struct tm_agg_event {
    const char *period;
    const char *doc;
    const char *date;             /* the document's stated date, else its period date */
    const char *text;             /* the sentence */
    int64_t word_start, word_end; /* the event's words as file offsets minus the sentence's */
    int64_t start, end;           /* the sentence, file offsets */
} tm_agg_event;

/* One stored sentence of a selected document (tm_agg_sentences). */
typedef struct tm_agg_sentence {
    int64_t doc_id;
    const char *period; /* key, or TM_PERIOD_UNDATED */
    const char *text;   /* the sentence, UTF-8, NUL-terminated */
    size_t len;         /* bytes of text */
} tm_agg_sentence;

typedef int (*tm_agg_sentence_fn)(const tm_agg_sentence *row, void *payload);
typedef int (*tm_agg_weighted_fn)(const tm_agg_weighted *row, void *payload);
typedef int (*tm_agg_incident_fn)(const tm_agg_incident *row, void *payload);
typedef int (*tm_agg_event_fn)(const tm_agg_event *row, void *payload);

typedef int (*tm_agg_period_fn)(const tm_agg_period *row, void *payload);
typedef int (*tm_agg_count_fn)(const tm_agg_count *row, void *payload);
typedef int (*tm_agg_pair_fn)(const tm_agg_pair *row, void *payload);
typedef int (*tm_agg_signal_fn)(const tm_agg_signal *row, void *payload);
typedef int (*tm_agg_evidence_fn)(const tm_agg_evidence_row *row, void *payload);
typedef int (*tm_agg_lexicon_fn)(const tm_agg_lexicon *row, void *payload);

/* Periods in key order (TM_PERIOD_UNDATED last). */
int tm_agg_periods(tm_store *st, const tm_agg_range *r, tm_agg_period_fn fn, void *payload,
                   tm_err *err);

/* Non-negated, non-dropped mentions of one category (community, theme,
 * place, organisation, ...) per period and key (places: canonical name);
 * ordered by period, key. */
int tm_agg_counts(tm_store *st, const tm_agg_range *r, tm_category cat, tm_agg_count_fn fn,
                  void *payload, tm_err *err);

/* Non-negated signals per period, community and theme; ordered by those. */
int tm_agg_community_theme(tm_store *st, const tm_agg_range *r, tm_agg_pair_fn fn, void *payload,
                           tm_err *err);

/* The `top` largest signal groups of each period (0 = all), ordered by
 * period, then count descending, then community, theme, polarity, eep;
 * rank restarts at 1 in each period. */
int tm_agg_top_signals(tm_store *st, const tm_agg_range *r, int64_t top, tm_agg_signal_fn fn,
                       void *payload, tm_err *err);

/* Both of the above from one pass over the signals: all pairs first, then
 * the ranked groups. Either callback may be NULL. */
int tm_agg_signals(tm_store *st, const tm_agg_range *r, int64_t top, tm_agg_pair_fn pair_fn,
                   tm_agg_signal_fn signal_fn, void *payload, tm_err *err);

/* Up to `limit` distinct evidence sentences of each of the `ngroups`
 * signal groups (period, community, theme, polarity, eep; counts are
 * ignored), group by group: directly tied signals first, then by weight,
 * most recent document, path and offset. Negated signals are never
 * evidence. */
int tm_agg_evidence(tm_store *st, const tm_agg_range *r, const tm_agg_signal *groups,
                    size_t ngroups, int64_t limit, tm_agg_evidence_fn fn, void *payload,
                    tm_err *err);

/* (lexicon version, hash) pairs of the selected documents, most documents
 * first. */
int tm_agg_lexicons(tm_store *st, const tm_agg_range *r, tm_agg_lexicon_fn fn, void *payload,
                    tm_err *err);

/* Every live signal of the range with the tone of its sentence, in period
 * order (TM_PERIOD_UNDATED last), then document, then signal order: tone
 * identifiers in `reassuring` (NULL-terminated) count as reassuring, every
 * other tone identifier as concern. One read of the range, pulled a row at
 * a time: tm_agg_wstream_next() returns 1 with a row (its strings valid
 * until the next call), 0 at the end, or a negative TM_E* code. */
typedef struct tm_agg_wstream tm_agg_wstream;
int tm_agg_wstream_open(tm_agg_wstream **out, tm_store *st, const tm_agg_range *r,
                        const char *const *reassuring, tm_err *err);
int tm_agg_wstream_next(tm_agg_wstream *w, tm_agg_weighted *row, tm_err *err);
void tm_agg_wstream_close(tm_agg_wstream *w); /* NULL is fine */

/* The same rows through a callback. */
int tm_agg_weighted_signals(tm_store *st, const tm_agg_range *r, const char *const *reassuring,
                            tm_agg_weighted_fn fn, void *payload, tm_err *err);

/* Live incidents in period-date order (then path, position). */
int tm_agg_incidents(tm_store *st, const tm_agg_range *r, tm_agg_incident_fn fn, void *payload,
                     tm_err *err);

/* Sentences of dated documents naming an event, in date order. */
int tm_agg_events(tm_store *st, const tm_agg_range *r, tm_agg_event_fn fn, void *payload,
                  tm_err *err);

/* The text of every sentence of the selected documents that is not a
 * heading, an attendee-table row or boilerplate (with a role slice: only
 * sentences spoken by that role), in period order (TM_PERIOD_UNDATED last),
 * then document, then sentence order. Streams: nothing is held between rows. */
int tm_agg_sentences(tm_store *st, const tm_agg_range *r, tm_agg_sentence_fn fn, void *payload,
                     tm_err *err);

#endif
