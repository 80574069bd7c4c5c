/*
 * cmd_report.c: `tension report`: the periodic JSON report from the database.
 */
#include "cli.h"
#include "outputs.h"
#include "tm/aggregate.h"
#include "tm/redact.h"
#include "tm/render.h"
#include "tm/report.h"
#include "tm/store.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void tm_cmd_report_help(FILE *out)
{
    fprintf(out,
            "usage: tension report [--db PATH] [--period week|month|quarter|fyear]\n"
            "                      [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--format json|csv|html]\n"
            "                      [--redact] [--input FILE] [--out PATH]\n"
            "                      [--community ID] [--theme ID] [--place NAME]\n"
            "                      [--organisation ID] [--role ROLE] [--scale FILE]\n\n"
            "Writes the report as JSON: per period, documents and words, counts per community,\n"
            "theme, place, organisation and community x theme (with rates per 10,000 words), and\n"
            "the top signals with their evidence; stamped with the tool's and the lexicons'\n"
            "versions so two reports can be compared. Negated mentions never count.\n"
            "Also per period: rates, tone, trends (rising: exact Poisson rate test against the\n"
            "previous periods), distinct incidents, upcoming events and an advisory 1-6 tension\n"
            "level for the area and each community, with the signals that raised it.\n"
            "Schema: reports/schema/report.schema.json; rubric: reports/README.md.\n\n"
            "Formats: json (default); csv, one file per table (periods.csv, communities.csv,\n"
            "themes.csv, ..., evidence.csv) written into the folder --out names (required),\n"
            "RFC 4180, UTF-8 with a byte-order mark for Excel; html, one self-contained page\n"
            "(charts, heat map, levels, evidence) that opens offline and prints.\n\n"
            "  --db PATH        database (default: tension.db)\n"
            "  --period P       week (ISO 8601), month (default), quarter or fyear (April-March)\n"
            "  --from D         first document date counted\n"
            "  --to D           last document date counted (inclusive)\n"
            "  --top N          signal groups per period (default %d)\n"
            "  --community ID   only documents mentioning the community, only its signals\n"
            "  --theme ID       only documents mentioning the theme or indicator, its signals\n"
            "  --place NAME     only documents mentioning the place (canonical name)\n"
            "  --organisation ID only documents mentioning the organisation\n"
            "  --role ROLE      only documents where ROLE speaks, only signals ROLE said\n"
            "                   (role as in the attendee table, e.g. \"IAG Chair\"; any case)\n"
            "  --scale FILE     tension scale (default: scale.tsv in the lexicon folder,\n"
            "                   else the built-in one)\n"
            "  --baseline K     previous periods the rising test compares with (default %d)\n"
            "  --min-count N    smallest count that can be rising (default %d)\n"
            "  --alpha A        significance level of the rising test (default %g)\n"
            "  --format F       json (default), csv or html\n"
            "  --input FILE     render this report JSON (from an earlier run) instead of\n"
            "                   building one from the database\n"
            "  --redact         for sharing: names of people in evidence become [name], speaker\n"
            "                   initials their role, file paths the document's kind and date\n"
            "  --out PATH       output file, or folder for csv (default: standard output)\n"
            "  --lexicons DIR   lexicon whose version and hash stamp the report\n"
            "  -h, --help       show this help\n"
            "\n"
            "Environment: TMPDIR, where the report keeps its temporary files (default /tmp;\n"
            "unlinked as soon as they are made).\n",
            TM_REPORT_DEFAULT_TOP, TM_TREND_DEFAULT_BASELINE, TM_TREND_DEFAULT_MIN_COUNT,
            TM_TREND_DEFAULT_ALPHA);
}

/* --input: renders a report JSON written earlier. Redaction then uses the
 * database's document list when there is one (paths to kinds and dates,
 * speaker initials), else the lexicon alone. */
static int render_input(const char *input, const char *db, const char *lexdir, tm_out_format fmt,
                        const char *out, int redact)
{
    json_error_t jerr;
    tm_err err = {0};
    json_t *report = json_load_file(input, 0, &jerr);
    if (!report) {
        tm_cli_error("%s:%d:%d: not a JSON report: %s", input, jerr.line, jerr.column, jerr.text);
        return TM_EXIT_ERROR;
    }
    int rc = TM_EXIT_OK;
    tm_lexicon *lex = NULL;
    tm_store *st = NULL;
    tm_redactor *r = NULL;
    json_t *docs = NULL;
    if (redact) {
        lex = tm_cli_load_lexicon(tm_cli_lexicon_dir(lexdir));
        if (!lex) {
            rc = TM_EXIT_ERROR;
            goto cleanup;
        }
        if (access(db, F_OK) == 0) {
            if (tm_store_open(&st, db, &err) != TM_OK ||
                tm_redact_docs_load(&docs, st, &err) != TM_OK)
                goto fail;
        } else if (!(docs = json_object())) {
            tm_err_set(&err, TM_ENOMEM, "out of memory");
            goto fail;
        }
        if (tm_redactor_new(&r, lex, &err) != TM_OK ||
            tm_redact_report(report, r, docs, &err) != TM_OK)
            goto fail;
    }
    if (tm_cli_write_report(report, fmt, out, redact, NULL, &err) != TM_OK) goto fail;
    goto cleanup;
fail:
    tm_cli_error("%s", err.msg);
    rc = TM_EXIT_ERROR;
cleanup:
    tm_redactor_free(r);
    json_decref(docs);
    tm_store_close(st);
    tm_lexicon_free(lex);
    json_decref(report);
    return rc;
}

typedef struct redact_ctx {
    tm_redactor *r;
    json_t *docs;
    tm_err *err;
} redact_ctx;

/* Redacts one part of a streamed report as tm_redact_report does the tree. */
static int redact_part(json_t *part, void *payload)
{
    redact_ctx *x = payload;
    return tm_redact_report(part, x->r, x->docs, x->err);
}

typedef struct csv_ctx {
    redact_ctx *redact; /* NULL: not redacted */
    tm_csv_stream *csv;
    tm_err *err;
} csv_ctx;

/* One finished period: redacted if asked, its rows written, then dropped. */
static int csv_period(json_t *period, void *payload)
{
    csv_ctx *x = payload;
    int rc = x->redact ? redact_part(period, x->redact) : TM_OK;
    if (rc == TM_OK) rc = tm_csv_stream_period(x->csv, period, x->err);
    json_object_clear(period);
    return rc;
}

typedef struct html_ctx {
    redact_ctx *redact; /* NULL: not redacted */
    json_t *previous;   /* the dated period before the one being made */
} html_ctx;

/* What the page reads of a dated period that is not the latest: the
 * theme charts, the heat map, the area level over time and the evidence.
 * Everything else (trends, community levels, incidents, events, tone...)
 * is shown for the latest period only (render_html.c, latest_with). */
static void html_slim(json_t *per)
{
    static const char *const keep[] = {"period", "start",  "end",         "documents",
                                       "words",  "themes", "top_signals", "community_theme",
                                       "levels", NULL};
    json_t *kept = json_object();
    if (!kept) return; /* out of memory: the period stays whole */
    for (size_t i = 0; keep[i]; i++) {
        json_t *v = json_object_get(per, keep[i]);
        if (v) json_object_set(kept, keep[i], v);
    }
    json_object_clear(per);
    json_object_update(per, kept);
    json_decref(kept);
    json_t *area = json_object_get(json_object_get(per, "levels"), "area");
    json_object_del(json_object_get(per, "levels"), "communities");
    json_object_del(area, "reasons");
    json_object_del(area, "other_reasons");
}

static int html_period(json_t *period, void *payload)
{
    html_ctx *x = payload;
    int rc = x->redact ? redact_part(period, x->redact) : TM_OK;
    if (x->previous) html_slim(x->previous);
    x->previous = period;
    return rc;
}

/* --format html from the database: the page needs every period, but of
 * all but the latest only what it draws over time, so each period is cut
 * down to that as soon as the next one is made. */
static int html_from_store(tm_store *st, const tm_report_opts *ro, const char *path, redact_ctx *rx,
                           tm_err *err)
{
    html_ctx x = {rx, NULL};
    json_t *rep = NULL;
    int rc = tm_report_build_each(&rep, st, ro, NULL, html_period, &x, err);
    if (rc == TM_OK && rx) {
        /* the members besides the periods (undated among them), as
         * tm_redact_report would reach them in the whole tree */
        json_t *rest = json_object();
        const char *k;
        json_t *v;
        json_object_foreach(rep, k, v)
        {
            if (strcmp(k, "periods") && json_object_set(rest, k, v)) rc = TM_ENOMEM;
        }
        if (!rest || rc != TM_OK)
            rc = tm_err_set(err, TM_ENOMEM, "report: out of memory");
        else
            rc = redact_part(rest, rx);
        json_decref(rest);
    }
    if (rc == TM_OK) rc = tm_render_html(rep, path, rx != NULL, err);
    json_decref(rep);
    return rc;
}

/* --format csv from the database, one period at a time. */
static int stream_csv(tm_store *st, const tm_report_opts *ro, const char *dir, redact_ctx *rx,
                      tm_err *err)
{
    csv_ctx x = {rx, NULL, err};
    json_t *rep = NULL;
    int rc = tm_csv_stream_open(&x.csv, dir, err);
    if (rc == TM_OK) rc = tm_report_build_each(&rep, st, ro, NULL, csv_period, &x, err);
    json_t *undated = json_object_get(rep, "undated");
    if (rc == TM_OK && json_is_object(undated)) rc = csv_period(undated, &x);
    json_decref(rep);
    if (rc != TM_OK) {
        tm_csv_stream_abort(x.csv);
        return rc;
    }
    return tm_csv_stream_commit(x.csv, NULL, NULL, err);
}

int tm_cmd_report(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                         {"period", required_argument, NULL, 'p'},
                                         {"from", required_argument, NULL, 'f'},
                                         {"to", required_argument, NULL, 't'},
                                         {"top", required_argument, NULL, 'n'},
                                         {"out", required_argument, NULL, 'o'},
                                         {"lexicons", required_argument, NULL, 'L'},
                                         {"community", required_argument, NULL, 'C'},
                                         {"theme", required_argument, NULL, 'T'},
                                         {"place", required_argument, NULL, 'P'},
                                         {"organisation", required_argument, NULL, 'O'},
                                         {"organization", required_argument, NULL, 'O'},
                                         {"role", required_argument, NULL, 'R'},
                                         {"scale", required_argument, NULL, 'S'},
                                         {"baseline", required_argument, NULL, 'B'},
                                         {"min-count", required_argument, NULL, 'M'},
                                         {"alpha", required_argument, NULL, 'A'},
                                         {"format", required_argument, NULL, 'F'},
                                         {"redact", no_argument, NULL, 'X'},
                                         {"input", required_argument, NULL, 'I'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *db = "tension.db", *out = "-", *lexdir = NULL, *period = "month", *scale = NULL;
    char *end = NULL;
    const char *format = "json", *input = NULL;
    int redact = 0;
    tm_report_opts ro = {0};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "hd:p:f:t:n:o:L:C:T:P:O:R:S:B:M:A:F:XI:", opts, NULL)) !=
           -1) {
        switch (c) {
        case 'd':
            db = optarg;
            break;
        case 'p':
            period = optarg;
            break;
        case 'f':
            ro.from = optarg;
            break;
        case 't':
            ro.to = optarg;
            break;
        case 'n':
            ro.top = atoll(optarg);
            break;
        case 'o':
            out = optarg;
            break;
        case 'L':
            lexdir = optarg;
            break;
        case 'C':
            ro.community = optarg;
            break;
        case 'T':
            ro.theme = optarg;
            break;
        case 'P':
            ro.place = optarg;
            break;
        case 'O':
            ro.organisation = optarg;
            break;
        case 'R':
            ro.role = optarg;
            break;
        case 'S':
            scale = optarg;
            break;
        case 'B':
            ro.trend.baseline_periods = (int)strtol(optarg, &end, 10);
            if (*end || ro.trend.baseline_periods < 1 || ro.trend.baseline_periods > 100) {
                tm_cli_error("--baseline %s: give a whole number of periods, 1 to 100", optarg);
                return TM_EXIT_USAGE;
            }
            break;
        case 'M':
            ro.trend.min_count = strtoll(optarg, &end, 10);
            if (*end || ro.trend.min_count < 1) {
                tm_cli_error("--min-count %s: give a whole number >= 1", optarg);
                return TM_EXIT_USAGE;
            }
            break;
        case 'A':
            ro.trend.alpha = strtod(optarg, &end);
            if (*end || !(ro.trend.alpha > 0 && ro.trend.alpha < 1)) {
                tm_cli_error("--alpha %s: give a number between 0 and 1, e.g. 0.05", optarg);
                return TM_EXIT_USAGE;
            }
            break;
        case 'F':
            format = optarg;
            break;
        case 'X':
            redact = 1;
            break;
        case 'I':
            input = optarg;
            break;
        case 'h':
            tm_cmd_report_help(stdout);
            return TM_EXIT_OK;
        default:
            tm_cmd_report_help(stderr);
            return TM_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        tm_cli_error("report takes no arguments ('%s'); see 'tension report --help'", argv[optind]);
        return TM_EXIT_USAGE;
    }
    tm_err err = {0};
    tm_out_format fmt;
    if (tm_out_format_from_name(&fmt, format, &err) != TM_OK) {
        tm_cli_error("%s", err.msg);
        return TM_EXIT_USAGE;
    }
    if (fmt == TM_OUT_CSV && !strcmp(out, "-")) {
        tm_cli_error("--format csv writes one file per table: give the folder with --out DIR");
        return TM_EXIT_USAGE;
    }
    int urc = tm_cli_period_range(&ro.period, period, ro.from, ro.to);
    if (urc) return urc;
    if (input) return render_input(input, db, lexdir, fmt, out, redact);
    if (tm_cli_need_db(db)) return TM_EXIT_ERROR;
    const char *dir = tm_cli_lexicon_dir(lexdir);
    tm_lexicon *lex = tm_cli_load_lexicon(dir);
    if (lex) {
        ro.lexicon_version = tm_lexicon_version(lex);
        ro.lexicon_hash = tm_lexicon_hash(lex);
        ro.lexicon = lex;
    }
    tm_scale *sc = NULL;
    char scale_path[4200];
    if (!scale && dir) {
        snprintf(scale_path, sizeof scale_path, "%s/scale.tsv", dir);
        if (access(scale_path, F_OK) == 0) scale = scale_path;
    }
    if (scale && tm_scale_load(&sc, scale, &err) != TM_OK) {
        tm_cli_error("%s", err.msg);
        tm_lexicon_free(lex);
        return TM_EXIT_ERROR;
    }
    ro.scale = sc;
    tm_store *st = NULL;
    json_t *report = NULL;
    int rc = TM_EXIT_OK;
    if (redact && !lex) {
        /* redaction needs the lexicon to tell places and bodies from names */
        rc = TM_EXIT_ERROR;
        goto cleanup;
    }
    if (tm_store_open(&st, db, &err) != TM_OK) goto fail;
    if (fmt == TM_OUT_JSON || fmt == TM_OUT_CSV || fmt == TM_OUT_HTML) {
        /* written one period at a time: memory does not grow with the report */
        redact_ctx rx = {NULL, NULL, &err};
        if ((redact && (tm_redactor_new(&rx.r, lex, &err) != TM_OK ||
                        tm_redact_docs_load(&rx.docs, st, &err) != TM_OK)) ||
            (fmt == TM_OUT_JSON
                 ? tm_report_stream(st, &ro, out, redact ? redact_part : NULL, &rx, &err)
             : fmt == TM_OUT_CSV
                 ? stream_csv(st, &ro, out, redact ? &rx : NULL, &err)
                 : html_from_store(st, &ro, out, redact ? &rx : NULL, &err)) != TM_OK)
            rc = TM_EXIT_ERROR;
        tm_redactor_free(rx.r);
        json_decref(rx.docs);
        if (rc != TM_EXIT_OK) goto fail;
        goto cleanup;
    }
    if (tm_report_build(&report, st, &ro, &err) != TM_OK ||
        (redact && tm_redact_report_from_store(report, st, lex, &err) != TM_OK) ||
        tm_cli_write_report(report, fmt, out, redact, NULL, &err) != TM_OK)
        goto fail;
    goto cleanup;
fail:
    tm_cli_error("%s", err.msg);
    rc = TM_EXIT_ERROR;
cleanup:
    json_decref(report);
    tm_store_close(st);
    tm_lexicon_free(lex);
    tm_scale_free(sc);
    return rc;
}
