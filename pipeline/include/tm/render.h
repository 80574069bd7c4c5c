/*
 * render.h: the report (tm_report_build's JSON) as CSV tables for
 * spreadsheets and as one self-contained HTML page for officers.
 *
 * Both renderers read the json_t only, never the store, so they render any
 * report of schema 1.x, including fields added after this module was
 * written: trends, levels, incidents, emerging_terms, upcoming_events, tone,
 * eep and the top-level advisory are rendered when a report has them and
 * skipped when it does not. Neither modifies the report.
 *
 * Redaction is not done here: redact the report first (tm_redact_report in
 * tm/redact.h) and render the result.
 */
#ifndef TM_RENDER_H
#define TM_RENDER_H

#include <jansson.h>

#include "tm/common.h"
#include "tm/outfile.h"

/* Output formats of `tension report`. */
typedef enum tm_out_format { TM_OUT_JSON = 0, TM_OUT_CSV, TM_OUT_HTML } tm_out_format;

/* Parses "json", "csv" or "html". TM_OK or TM_EINVAL naming the choices. */
int tm_out_format_from_name(tm_out_format *out, const char *name, tm_err *err);

/* Writes one CSV file per table into `dir` (created if missing): periods,
 * communities, themes, places, organisations, community_theme, top_signals,
 * evidence, and, when the report has them, eep, tone, trends, levels,
 * level_reasons, incidents, emerging_terms, upcoming_events (each
 * "<table>.csv"). One row per period x key; the first column is the period
 * key ("undated" for undated documents).
 * Format: RFC 4180 (fields holding a comma, quote, CR or LF are quoted,
 * quotes doubled, CRLF line ends), UTF-8 with a byte-order mark so that
 * Excel reads it as UTF-8, a header row. Each file is replaced atomically.
 * If `written` is not NULL it is called with each file's path.
 * @return TM_OK, TM_EIO (the message names the file), TM_ENOMEM,
 *         TM_EINVAL (the JSON is not a report: no "periods" array). */
int tm_render_csv(const json_t *report, const char *dir,
                  void (*written)(const char *path, void *payload), void *payload, tm_err *err);

/* tm_render_csv one period at a time, for a report too big to hold:
 * open (creates `dir` and every table's file, with its header), then each
 * period in report order (the undated one last), then commit (each file
 * replaced atomically, `written` called in table order as tm_render_csv
 * does; frees) or abort (nothing replaced; frees). The files are
 * byte-identical to tm_render_csv's of the same periods. */
typedef struct tm_csv_stream tm_csv_stream;
int tm_csv_stream_open(tm_csv_stream **out, const char *dir, tm_err *err);
int tm_csv_stream_period(tm_csv_stream *s, const json_t *period, tm_err *err);
int tm_csv_stream_commit(tm_csv_stream *s, void (*written)(const char *path, void *payload),
                         void *payload, tm_err *err);
void tm_csv_stream_abort(tm_csv_stream *s);

/* Appends one CSV field to `line` with RFC 4180 quoting (exposed for tests). */
void tm_csv_field(tm_buf *line, const char *s, size_t n);

/* Writes the report as one HTML5 page at `path` ("-" = standard output):
 * inline CSS and SVG, no script, no external resource. Theme rates over the
 * periods as SVG line charts, a community x theme heat map, tension levels
 * with their reasons, the advisory note and the evidence sentences with
 * document, section and speaker role. Every text from the report is
 * HTML-escaped. Replaced atomically. `redacted` = 1 says on the page that
 * names, initials and paths were removed (tm_redact_report).
 * @return TM_OK, TM_EIO, TM_ENOMEM, TM_EINVAL (not a report). */
int tm_render_html(const json_t *report, const char *path, int redacted, tm_err *err);

#endif
