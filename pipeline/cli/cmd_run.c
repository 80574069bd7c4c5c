/*
 * cmd_run.c: `tension run`, the main job: ingest the sample corpus into
 * reports/out/tension.db and write the reports beside it.
 */
#include "cli.h"
#include "ingest_run.h"
#include "outputs.h"
#include "tm/summary.h"
#include "tm/parallel.h"
#include "tm/aggregate.h"
#include "tm/report.h"
#include "tm/store.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void tm_cmd_run_help(FILE *out)
{
    fprintf(out,
            "usage: tension run [--corpus DIR] [--out DIR] [--lexicons DIR]\n\n"
            "The main job: ingests the corpus (default corpora/sample) into OUT/tension.db and\n"
            "writes OUT/report-week.json, report-month.json, report-quarter.json and\n"
            "report-fyear.json, the monthly report as CSV tables in OUT/csv/ and as one HTML\n"
            "page OUT/report.html, and the weekly national summary OUT/national-summary.json\n"
            "(no names, small counts suppressed; default OUT: reports/out), then prints where\n"
            "they are.\n"
            "Run it from the repository root (or give --corpus and --out).\n\n"
            "  --corpus DIR     documents to read (default: corpora/sample)\n"
            "  --out DIR        where the database and reports go (default: reports/out)\n"
            "  --lexicons DIR   lexicon folder (default: $TENSION_LEXICONS, ./lexicons)\n"
            "  -h, --help       show this help\n");
}

static int make_dirs(const char *path)
{
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            if (mkdir(buf, 0755) != 0 && errno != EEXIST) return -1;
            *p = '/';
        }
    }
    return mkdir(buf, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

int tm_cmd_run(int argc, char **argv)
{
    static const struct option opts[] = {{"corpus", required_argument, NULL, 'c'},
                                         {"out", required_argument, NULL, 'o'},
                                         {"lexicons", required_argument, NULL, 'L'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *corpus = "corpora/sample", *outdir = "reports/out", *lexdir = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "hc:o:L:", opts, NULL)) != -1) {
        switch (c) {
        case 'c':
            corpus = optarg;
            break;
        case 'o':
            outdir = optarg;
            break;
        case 'L':
            lexdir = optarg;
            break;
        case 'h':
            tm_cmd_run_help(stdout);
            return TM_EXIT_OK;
        default:
            tm_cmd_run_help(stderr);
            return TM_EXIT_USAGE;
        }
    }
    struct stat st;
    if (stat(corpus, &st) != 0 || !S_ISDIR(st.st_mode)) {
        tm_cli_error(
            "%s: corpus folder not found; run from the repository root or give --corpus DIR",
            corpus);
        return TM_EXIT_USAGE;
    }
    if (make_dirs(outdir) != 0) {
        tm_cli_error("%s: cannot create the output folder: %s", outdir, strerror(errno));
        return TM_EXIT_ERROR;
    }
    char db[4096];
    snprintf(db, sizeof db, "%s/tension.db", outdir);
    const char *dir = tm_cli_lexicon_dir(lexdir);
    tm_ingest_stats stats;
    int rc = tm_cli_ingest_paths(db, dir, &corpus, 1, tm_par_cores(), &stats);
    if (rc == TM_EXIT_ERROR) return rc;
    printf("ingested %s: %zu stored, %zu unchanged, %zu skipped\n", corpus, stats.stored,
           stats.unchanged, stats.skipped);

    tm_lexicon *lex = tm_cli_load_lexicon(dir);
    tm_store *store = NULL;
    tm_err err = {0};
    if (!lex || tm_store_open(&store, db, &err) != TM_OK) {
        if (lex) tm_cli_error("%s", err.msg);
        tm_lexicon_free(lex);
        return TM_EXIT_ERROR;
    }
    printf("database: %s\n", db);
    tm_scale *sc = NULL;
    char scale_path[4200];
    snprintf(scale_path, sizeof scale_path, "%s/scale.tsv", dir);
    if (access(scale_path, F_OK) == 0 && tm_scale_load(&sc, scale_path, &err) != TM_OK) {
        tm_cli_error("%s", err.msg);
        tm_store_close(store);
        tm_lexicon_free(lex);
        return TM_EXIT_ERROR;
    }
    for (int p = 0; p < TM_PERIOD__COUNT && rc != TM_EXIT_ERROR; p++) {
        tm_report_opts ro = {0};
        ro.period = (tm_period)p;
        ro.lexicon_version = tm_lexicon_version(lex);
        ro.lexicon_hash = tm_lexicon_hash(lex);
        ro.lexicon = lex;
        ro.scale = sc;
        char path[4200];
        snprintf(path, sizeof path, "%s/report-%s.json", outdir, tm_period_name((tm_period)p));
        json_t *report = NULL;
        if (tm_report_build(&report, store, &ro, &err) != TM_OK ||
            tm_cli_write_report(report, TM_OUT_JSON, path, 0, stdout, &err) != TM_OK) {
            tm_cli_error("%s", err.msg);
            rc = TM_EXIT_ERROR;
        } else if (p == TM_PERIOD_MONTH) {
            /* the monthly report is also what officers read: CSV and HTML */
            char csv[4200], html[4200];
            snprintf(csv, sizeof csv, "%s/csv", outdir);
            snprintf(html, sizeof html, "%s/report.html", outdir);
            if (tm_cli_write_report(report, TM_OUT_CSV, csv, 0, NULL, &err) != TM_OK ||
                tm_cli_write_report(report, TM_OUT_HTML, html, 0, stdout, &err) != TM_OK) {
                tm_cli_error("%s", err.msg);
                rc = TM_EXIT_ERROR;
            } else {
                printf("csv:      %s/\n", csv);
            }
        }
        json_decref(report);
    }
    if (rc != TM_EXIT_ERROR) {
        tm_summary_opts so = {0};
        so.period = TM_PERIOD_WEEK;
        char path[4200];
        snprintf(path, sizeof path, "%s/national-summary.json", outdir);
        json_t *sum = NULL;
        if (tm_summary_build(&sum, store, lex, &so, &err) != TM_OK ||
            tm_report_write(sum, path, &err) != TM_OK) {
            tm_cli_error("%s", err.msg);
            rc = TM_EXIT_ERROR;
        } else {
            printf("national: %s\n", path);
        }
        json_decref(sum);
    }
    tm_store_close(store);
    tm_lexicon_free(lex);
    tm_scale_free(sc);
    if (tm_cli_close_stdout() != 0) return TM_EXIT_ERROR;
    return rc;
}
