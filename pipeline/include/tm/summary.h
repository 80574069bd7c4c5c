/*
 * summary.h: the national summary, shaped like a weekly tension return for
 * the national tensions team, built from the store and the report.
 *
 * Per area and period: the tension level and its direction, the EEP split,
 * hate-crime signals per monitored strand, the communities and themes of
 * concern, upcoming events, the actions the documents record, up to five
 * evidence sentences, and the lexicon version. Validated by
 * reports/schema/national-summary.schema.json.
 *
 * It is meant to leave the force, so it carries no personal data:
 *   - every text is redacted (tm/redact.h): names become [name], speaker
 *     initials the speaker's role;
 *   - documents are named by kind and date only, never by path;
 *   - every count from 1 to 4 is the string "<5" (0 stays 0, 5 and more
 *     stay numbers), so that no person can be singled out.
 * Undated documents are left out: a return is about dated periods.
 * Fields the report does not have yet (levels, eep, upcoming_events) are
 * null or computed from the store (eep).
 */
#ifndef TM_SUMMARY_H
#define TM_SUMMARY_H

#include <jansson.h>

#include "tm/aggregate.h"
#include "tm/common.h"
#include "tm/lexicon.h"
#include "tm/store.h"

#define TM_SUMMARY_SCHEMA_VERSION "1.0.0"
#define TM_SUMMARY_MAX_EVIDENCE 5 /* evidence sentences per period */
#define TM_SUMMARY_MAX_ACTIONS 10 /* action sentences per period */

typedef struct tm_summary_opts {
    tm_period period;         /* default TM_PERIOD_WEEK is 0 */
    const char *from, *to;    /* period dates, "YYYY-MM-DD" or NULL */
    const char *area;         /* the area the database covers; NULL = "unnamed area" */
    const char *tool_version; /* NULL = TM_VERSION */
} tm_summary_opts;

/* "<5" for 1..4, else the number. Owned json_t (NULL when out of memory). */
json_t *tm_summary_count(int64_t n);

/* Builds the summary. `lex` gives the hate-crime strands, the lexicon
 * version and what redaction keeps.
 * @param[out] out  owned (json_decref); NULL on failure.
 * @return TM_OK, TM_EINVAL (bad range), TM_EDB, TM_ENOMEM. */
int tm_summary_build(json_t **out, tm_store *st, const tm_lexicon *lex, const tm_summary_opts *o,
                     tm_err *err);

#endif
