/*
 * report.h: the JSON report of community-tension signals per period, built
 * from the store with jansson and validated by
 * reports/schema/report.schema.json (see reports/README.md).
 *
 * The report is deterministic: no timestamps, every array ordered by the
 * queries, keys sorted when written. Two runs over the same database and
 * options give byte-identical files.
 *
 * Usage:
 *     tm_report_opts o = { .period = TM_PERIOD_MONTH, .from = "2025-04-01" };
 *     json_t *rep = NULL;
 *     if (tm_report_build(&rep, st, &o, &err) == TM_OK)
 *         rc = tm_report_write(rep, "reports/out/2025.json", &err);
 *     json_decref(rep);
 */
#ifndef TM_REPORT_H
#define TM_REPORT_H

#include <jansson.h>
#include <stdint.h>

#include "tm/aggregate.h"
#include "tm/common.h"
#include "tm/levels.h"
#include "tm/lexicon.h"
#include "tm/store.h"
#include "tm/trends.h"

/* The version of the report format; the schema's $id carries it too. Bump
 * the minor number for added fields, the major one for changed meanings. */
#define TM_REPORT_SCHEMA_VERSION "2.1.0"

#define TM_REPORT_DEFAULT_TOP 10     /* signal groups listed per period */
#define TM_REPORT_DEFAULT_EVIDENCE 5 /* evidence sentences per group */

typedef struct tm_report_opts {
    tm_period period;            /* how documents are grouped */
    const char *from;            /* first period_date, "YYYY-MM-DD"; NULL = open */
    const char *to;              /* last period_date (inclusive); NULL = open */
    int64_t top;                 /* signal groups per period; 0 = default, < 0 = all */
    int64_t evidence;            /* evidence sentences per group; 0 = default, < 0 = none */
    const char *tool_version;    /* NULL = TM_VERSION */
    const char *lexicon_version; /* the loaded lexicon; NULL = the store's most common */
    const char *lexicon_hash;    /* idem */
    /* slices (tm_agg_range): NULL = all */
    const char *community, *theme, *place, *organisation, *role;
    const tm_lexicon *lexicon; /* tone polarities and stop words; NULL = built-in lists */
    const tm_scale *scale;     /* the tension scale; NULL = the built-in one */
    tm_trend_test trend;       /* zero fields = TM_TREND_DEFAULT_* */
    int incident_window_days;  /* incident clustering window; 0 = TM_REPORT_INCIDENT_WINDOW */
} tm_report_opts;

#define TM_REPORT_INCIDENT_WINDOW 60   /* days between mentions of one incident */
#define TM_REPORT_INCIDENT_JACCARD 0.2 /* shared content-word stems of one incident */
#define TM_REPORT_EMERGING_TOP 10      /* emerging terms per period */
#define TM_REPORT_EVENT_HORIZON 183    /* days ahead of a meeting an upcoming event may lie */
#define TM_REPORT_ADVISORY                                                                         \
    "Tension levels are advisory: they are computed from what the minutes and reports say, with"   \
    " the rubric in reports/README.md, and must be read with the evidence and local knowledge"     \
    " before any decision."

/* Builds the report. Undated documents are reported (in "undated") only
 * when the range is open at both ends.
 * @param[out] out  owned; release with json_decref(). NULL on failure.
 * @return TM_OK, TM_EINVAL (bad period or date in opts), TM_EDB, TM_ENOMEM. */
int tm_report_build(json_t **out, tm_store *st, const tm_report_opts *opts, tm_err *err);

/* tm_report_build, handing out the report while it is made: `begin` (may
 * be NULL) gets the report once its top-level members are final and before
 * any period is; then `each` (may be NULL) gets every dated period,
 * complete, in time order, and may write it and empty it (json_object_clear)
 * so that the whole report is never in memory. The undated period stays in
 * the returned report. Callbacks return TM_OK or an error code (and set err)
 * that stops the build. */
int tm_report_build_each(json_t **out, tm_store *st, const tm_report_opts *opts,
                         int (*begin)(json_t *rep, void *payload),
                         int (*each)(json_t *period, void *payload), void *payload, tm_err *err);

/* Builds the report and writes it as tm_report_write() would write the
 * tree of tm_report_build(), byte for byte, one period at a time: memory
 * holds one period's members, not the report. `filter` (may be NULL; e.g.
 * redaction) is applied to each part before it is written: the top-level
 * members and each period, as tm_redact_report() walks them in the tree.
 * @return as tm_report_build and tm_report_write. */
int tm_report_stream(tm_store *st, const tm_report_opts *opts, const char *path,
                     int (*filter)(json_t *part, void *payload), void *filter_payload, tm_err *err);

/* Writes the report as indented JSON with sorted keys and a final newline.
 * `path` "-" is standard output; any other path is replaced atomically (a
 * temporary file in the same directory, then rename), so readers never see
 * half a report. A new file is created 0600 (evidence quotes the minutes);
 * a replaced one keeps its mode.
 * @return TM_OK, TM_EIO (cannot write or rename), TM_ENOMEM. */
int tm_report_write(const json_t *report, const char *path, tm_err *err);

#endif
