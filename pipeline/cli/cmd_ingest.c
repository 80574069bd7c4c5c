/*
 * cmd_ingest.c: `tension ingest [--db PATH] PATH...`: files or folders into
 * the database. An unchanged file (same path, size, mtime and sha256) is
 * skipped before it is parsed; a changed one replaces its rows in one
 * transaction; a bad one is reported and the run goes on. --retag
 * re-tags stored documents after a lexicon change without reading files.
 */
#include "cli.h"
#include "ingest_run.h"
#include "inputs.h"
#include "tm/parallel.h"

#include <string.h>

void tm_cmd_ingest_help(FILE *out)
{
    fprintf(out,
            "usage: tension ingest [--db PATH] [--lexicons DIR] PATH...\n"
            "       tension ingest --retag [--db PATH] [--lexicons DIR]\n"
            "       tension ingest --from-jsonl FILE|- [--db PATH]\n\n"
            "Reads files, or folders recursively, into the database. Ingesting an unchanged file\n"
            "again changes nothing; a changed file replaces its old rows in one transaction.\n"
            "Files that cannot be read are reported one line each and skipped. An unchanged\n"
            "file stored with another lexicon is tagged again.\n\n"
            "  --db PATH        database file (default: tension.db; created with mode 0600)\n"
            "  --lexicons DIR   lexicon folder (default: $TENSION_LEXICONS, ./lexicons)\n"
            "  -j, --jobs N     worker threads (default: the number of cores; the database is\n"
            "                   the same for any N)\n"
            "  -q, --quiet      no summary line\n"
            "  --retag          after a lexicon change: tag every stored document whose lexicon\n"
            "                   differs again, from the text the database keeps (no file is\n"
            "                   read; the files may be gone)\n"
            "  --from-jsonl FILE  store the lines of 'tension extract --jsonl --full' (a\n"
            "                   distributed mapper's output; '-' reads standard input) as they\n"
            "                   are, without processing the documents again\n"
            "  -h, --help       show this help\n\n"
            "Exit status: 0, 1 if any file was skipped, 3 if the database or lexicon failed.\n");
}

int tm_cmd_ingest(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'}, {"lexicons", required_argument, NULL, 'L'},
        {"quiet", no_argument, NULL, 'q'},    {"jobs", required_argument, NULL, 'j'},
        {"retag", no_argument, NULL, 'R'},    {"from-jsonl", required_argument, NULL, 'F'},
        {"help", no_argument, NULL, 'h'},     {NULL, 0, NULL, 0}};
    const char *db = "tension.db", *lexdir = NULL, *jsonl = NULL;
    int quiet = 0, retag = 0, c, jobs = tm_par_cores();
    optind = 1;
    while ((c = getopt_long(argc, argv, "hqd:L:j:", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            db = optarg;
            break;
        case 'L':
            lexdir = optarg;
            break;
        case 'q':
            quiet = 1;
            break;
        case 'R':
            retag = 1;
            break;
        case 'F':
            jsonl = optarg;
            break;
        case 'j':
            if ((jobs = tm_cli_parse_jobs(optarg)) < 0) {
                tm_cli_error("--jobs %s: give a number from 0 (all cores) to 256", optarg);
                return TM_EXIT_USAGE;
            }
            break;
        case 'h':
            tm_cmd_ingest_help(stdout);
            return TM_EXIT_OK;
        default:
            tm_cmd_ingest_help(stderr);
            return TM_EXIT_USAGE;
        }
    }
    if (jsonl) {
        if (optind < argc || retag) {
            tm_cli_error("--from-jsonl takes no PATH and no --retag: it stores what FILE holds");
            return TM_EXIT_USAGE;
        }
        tm_ingest_stats js;
        int jrc = tm_cli_ingest_jsonl(db, jsonl, &js);
        if (!quiet && jrc != TM_EXIT_ERROR)
            fprintf(stderr, "tension: %s: %zu stored, %zu unchanged, %zu skipped\n", db, js.stored,
                    js.unchanged, js.skipped);
        return jrc;
    }
    if (retag) {
        if (optind < argc) {
            tm_cli_error("--retag takes no PATH: it re-tags what the database holds");
            return TM_EXIT_USAGE;
        }
        tm_ingest_stats rs;
        int rrc = tm_cli_retag(db, tm_cli_lexicon_dir(lexdir), jobs, &rs);
        if (!quiet && rrc != TM_EXIT_ERROR)
            fprintf(stderr, "tension: %s: %zu re-tagged, %zu skipped\n", db, rs.stored, rs.skipped);
        return rrc;
    }
    if (optind >= argc) {
        tm_cli_error("ingest needs at least one file or folder; see 'tension ingest --help'");
        return TM_EXIT_USAGE;
    }
    tm_ingest_stats stats;
    int rc = tm_cli_ingest_paths(db, tm_cli_lexicon_dir(lexdir), (const char *const *)argv + optind,
                                 (size_t)(argc - optind), jobs, &stats);
    if (!quiet && rc != TM_EXIT_ERROR)
        fprintf(stderr, "tension: %s: %zu stored, %zu unchanged, %zu skipped\n", db, stats.stored,
                stats.unchanged, stats.skipped);
    if (!quiet && stats.relexed)
        fprintf(stderr,
                "tension: %s: %zu of the stored documents were unchanged but tagged with another"
                " lexicon: re-tagged with this one\n",
                db, stats.relexed);
    return rc;
}
