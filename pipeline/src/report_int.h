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
} tm_report__ctx;

/* Adds the analytics members to every period object and the top-level
 * members (advisory, trend_test, scale, rubric) to `rep`. Runs inside the
 * report's read transaction. TM_OK, TM_EDB, TM_ENOMEM. */
int tm_report__analytics(tm_report__ctx *c, tm_store *st, json_t *rep);

#endif
