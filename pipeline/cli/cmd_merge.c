/*
 * cmd_merge.c: `tension merge --db OUT IN.db...`: shard databases (one per
 * machine or per folder) into one, for reports over all of them.
 */
#include "cli.h"
#include "tm/merge.h"
#include "tm/store.h"

#include <string.h>

void tm_cmd_merge_help(FILE *out)
{
    fprintf(out,
            "usage: tension merge --db OUT IN.db...\n\n"
            "Copies every document of each IN database, with all its rows and its full-text\n"
            "entries, into OUT (created if absent). Documents are matched by path: one OUT\n"
            "already holds with the same sha256 and lexicon is kept; otherwise the newer file\n"
            "(mtime; the later IN on a tie) wins. Each IN is merged in one transaction.\n\n"
            "  --db OUT      the database to merge into (created with mode 0600)\n"
            "  -q, --quiet   no summary line\n"
            "  -h, --help    show this help\n\n"
            "Exit status: 0, 1 if an IN could not be merged (the others are), 2 usage, 3 if\n"
            "OUT cannot be opened.\n");
}

int tm_cmd_merge(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                         {"quiet", no_argument, NULL, 'q'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *db = NULL;
    int c, quiet = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "hqd:", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            db = optarg;
            break;
        case 'q':
            quiet = 1;
            break;
        case 'h':
            tm_cmd_merge_help(stdout);
            return TM_EXIT_OK;
        default:
            tm_cmd_merge_help(stderr);
            return TM_EXIT_USAGE;
        }
    }
    if (!db || optind >= argc) {
        tm_cli_error(
            "merge needs --db OUT and at least one IN database; see 'tension merge --help'");
        return TM_EXIT_USAGE;
    }
    tm_store *st = NULL;
    tm_err err = {0};
    if (tm_store_open(&st, db, &err) != TM_OK) {
        tm_cli_error("%s", err.msg);
        return TM_EXIT_ERROR;
    }
    tm_merge_stats stats = {0};
    int failed = 0;
    for (int i = optind; i < argc; i++) {
        tm_err_clear(&err);
        if (!strcmp(argv[i], db)) {
            tm_cli_error("%s: is the output database; give it once, after --db", argv[i]);
            failed = 1;
            continue;
        }
        if (tm_merge_db(st, argv[i], &stats, &err) != TM_OK) {
            tm_cli_error("%s", err.msg);
            failed = 1;
        }
    }
    tm_store_close(st);
    if (!quiet)
        fprintf(stderr, "tension: %s: %zu added, %zu replaced, %zu kept\n", db, stats.added,
                stats.replaced, stats.kept);
    return failed ? TM_EXIT_SKIPPED : TM_EXIT_OK;
}
