/*
 * report_int.h: what report.c shares with report_analytics.c (trends,
 * levels, incidents, events, tone, emerging terms). Not a public contract.
 */
#ifndef TM_REPORT_INT_H
#define TM_REPORT_INT_H

#include "tm/report.h"

typedef struct tm_report__ctx {
    const tm_report_opts *opts;
    const tm_agg_range *range; /* the report's range, slices included */
    json_t *by_period;         /* key -> period object (borrowed) */
    json_t *periods;           /* the "periods" array (borrowed) */
    json_t *undated;           /* the undated period object or NULL (borrowed) */
    tm_err *err;
    /* The period loop (tm_report__analytics): `begin` gets the report once
     * every top-level member is final, before the first period is finished;
     * `fill` adds report.c's per-period members to each reported period;
     * `each` gets every dated reported period, complete, in time order (it
     * may write it and clear it). The undated period is finished last and
     * stays in the report. Any may be NULL. */
    int (*begin)(json_t *rep, void *payload);
    int (*fill)(json_t *period, void *payload);
    int (*each)(json_t *period, void *payload);
    void *payload;
    void *fill_payload;
    /* report.c's community x theme rows of the report's range, in order
     * (the trends reuse them when the range has no lower bound). */
    int (*pairs)(void *fill_payload, tm_agg_pair_fn fn, void *payload);
    /* report.c's theme counts of the report's range, in order: the period
     * objects get their counts only in `fill`. */
    int (*themes)(void *fill_payload, tm_agg_count_fn fn, void *payload);
} tm_report__ctx;

/* Adds the analytics members to every period object and the top-level
 * members (advisory, trend_test, scale, rubric) to `rep`. Runs inside the
 * report's read transaction. TM_OK, TM_EDB, TM_ENOMEM. */
int tm_report__analytics(tm_report__ctx *c, tm_store *st, json_t *rep);

/* Adds emerging_terms to every period object: words and bigrams no lexicon
 * uses whose rate jumps against the `t->baseline_periods` periods before
 * (report_emerging.c). `hist` is the report's range with the lower bound
 * open. TM_OK, TM_EDB, TM_ENOMEM. */
int tm_report__emerging(tm_report__ctx *c, tm_store *st, const tm_agg_range *hist,
                        const tm_trend_test *t);

/* 1 if w[0..n) is one of the built-in stop words used when the report has
 * no lexicon (and so no stopwords.txt). */
int tm_report__builtin_stop(const char *w, size_t n);

#endif
