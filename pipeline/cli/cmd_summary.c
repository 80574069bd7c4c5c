/*
 * cmd_summary.c: `tension summary --national`: the return for the national
 * tensions team, with no names, initials or paths and small counts
 * suppressed.
 */
#include "cli.h"
#include "tm/aggregate.h"
#include "tm/report.h"
#include "tm/store.h"
#include "tm/summary.h"

#include <string.h>
#include <unistd.h>

void tm_cmd_summary_help(FILE *out)
{
    fprintf(out,
            "usage: tension summary --national [--db PATH] [--period week|month|quarter|fyear]\n"
            "                       [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--area NAME] [--out "
            "PATH]\n\n"
            "Writes the national summary as JSON, shaped like a weekly tension return: per area\n"
            "and period the tension level and direction, the EEP split (evidenced, experienced,\n"
            "potential), hate-crime signals per strand (race, religion, sexual orientation,\n"
            "disability, transgender), communities and themes of concern, upcoming events, the\n"
            "actions the documents record, up to %d evidence sentences and the lexicon version.\n"
            "Schema: reports/schema/national-summary.schema.json.\n\n"
            "It is safe to send outside the force: names of people become [name], speaker\n"
            "initials the speaker's role, documents are named by kind and date (never a path),\n"
            "and every count from 1 to 4 is written \"<5\". Undated documents are left out.\n\n"
            "  --national       the national summary (the only summary there is)\n"
            "  --db PATH        database (default: tension.db)\n"
            "  --period P       week (default), month, quarter or fyear\n"
            "  --from D         first document date counted\n"
            "  --to D           last document date counted (inclusive)\n"
            "  --area NAME      the area the database covers, e.g. \"Milton Keynes\"\n"
            "  --out PATH       output file (default: standard output)\n"
            "  --lexicons DIR   lexicon folder (strands, places kept by redaction)\n"
            "  -h, --help       show this help\n",
            TM_SUMMARY_MAX_EVIDENCE);
}

int tm_cmd_summary(int argc, char **argv)
{
    static const struct option opts[] = {
        {"national", no_argument, NULL, 'N'},     {"db", required_argument, NULL, 'd'},
        {"period", required_argument, NULL, 'p'}, {"from", required_argument, NULL, 'f'},
        {"to", required_argument, NULL, 't'},     {"area", required_argument, NULL, 'a'},
        {"out", required_argument, NULL, 'o'},    {"lexicons", required_argument, NULL, 'L'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0}};
    const char *db = "tension.db", *out = "-", *lexdir = NULL, *period = "week";
    tm_summary_opts so = {0};
    int national = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "hd:p:f:t:a:o:L:", opts, NULL)) != -1) {
        switch (c) {
        case 'N':
            national = 1;
            break;
        case 'd':
            db = optarg;
            break;
        case 'p':
            period = optarg;
            break;
        case 'f':
            so.from = optarg;
            break;
        case 't':
            so.to = optarg;
            break;
        case 'a':
            so.area = optarg;
            break;
        case 'o':
            out = optarg;
            break;
        case 'L':
            lexdir = optarg;
            break;
        case 'h':
            tm_cmd_summary_help(stdout);
            return TM_EXIT_OK;
        default:
            tm_cmd_summary_help(stderr);
            return TM_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        tm_cli_error("summary takes no arguments ('%s'); see 'tension summary --help'",
                     argv[optind]);
        return TM_EXIT_USAGE;
    }
    if (!national) {
        tm_cli_error("say which summary: 'tension summary --national' (see --help)");
        return TM_EXIT_USAGE;
    }
    tm_err err = {0};
    int urc = tm_cli_period_range(&so.period, period, so.from, so.to);
    if (urc) return urc;
    if (tm_cli_need_db(db)) return TM_EXIT_ERROR;
    /* without the lexicon redaction could not tell places from names */
    tm_lexicon *lex = tm_cli_load_lexicon(tm_cli_lexicon_dir(lexdir));
    if (!lex) return TM_EXIT_ERROR;
    tm_store *st = NULL;
    json_t *sum = NULL;
    int rc = TM_EXIT_OK;
    if (tm_store_open(&st, db, &err) != TM_OK ||
        tm_summary_build(&sum, st, lex, &so, &err) != TM_OK ||
        tm_report_write(sum, out, &err) != TM_OK) {
        tm_cli_error("%s", err.msg);
        rc = TM_EXIT_ERROR;
    }
    json_decref(sum);
    tm_store_close(st);
    tm_lexicon_free(lex);
    return rc;
}
