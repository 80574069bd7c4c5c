/*
 * main.c: the `tension` command: a table of subcommands, global --help and
 * --version. Each subcommand parses its own options (cmd_*.c).
 */
#include "cli.h"

#include <jansson.h>

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <errno.h>
#include <unistd.h>

static const tm_cmd commands[] = {
    {"run", "ingest the sample corpus and write every report (the main job)", tm_cmd_run,
     tm_cmd_run_help},
    {"extract", "print one JSON object per document (no database)", tm_cmd_extract,
     tm_cmd_extract_help},
    {"ingest", "read files or folders into the database", tm_cmd_ingest, tm_cmd_ingest_help},
    {"report", "write the periodic report from the database", tm_cmd_report, tm_cmd_report_help},
    {"summary", "write the national summary (no names, small counts suppressed)", tm_cmd_summary,
     tm_cmd_summary_help},
    {"search", "full-text search over the stored sentences", tm_cmd_search, tm_cmd_search_help},
    {"merge", "combine shard databases into one", tm_cmd_merge, tm_cmd_merge_help},
    {"forget", "remove documents and everything derived from them", tm_cmd_forget,
     tm_cmd_forget_help},
    {"lexicon", "check the lexicons, or print their stems", tm_cmd_lexicon, tm_cmd_lexicon_help},
};

static void usage(FILE *out)
{
    fprintf(out, "usage: tension COMMAND [OPTIONS] [ARGS]\n\n"
                 "Community tension signals from community-safety minutes and reports.\n\n"
                 "Commands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-9s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\nRun 'tension COMMAND --help' for a command's options.\n"
                 "  -h, --help      show this help\n"
                 "  -V, --version   show the version\n\n"
                 "Exit status: 0 ok, 1 some input skipped, 2 usage error, 3 could not run.\n");
}

void tm_cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("tension: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

int tm_cli_close_stdout(void)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        tm_cli_error("writing standard output failed: %s", strerror(errno));
        return -1;
    }
    return 0;
}

int tm_cli_period_range(tm_period *out, const char *period, const char *from, const char *to)
{
    tm_err err = {0};
    if (tm_period_from_name(out, period, &err) != TM_OK ||
        (from && !tm_date_str_valid(from) &&
         tm_err_set(&err, TM_EINVAL, "--from %s: not a date (YYYY-MM-DD)", from)) ||
        (to && !tm_date_str_valid(to) &&
         tm_err_set(&err, TM_EINVAL, "--to %s: not a date (YYYY-MM-DD)", to))) {
        tm_cli_error("%s", err.msg);
        return TM_EXIT_USAGE;
    }
    return 0;
}

int tm_cli_need_db(const char *db)
{
    if (access(db, F_OK) == 0) return 0;
    tm_cli_error("%s: no such database; run 'tension ingest --db %s PATH...' first", db, db);
    return TM_EXIT_ERROR;
}

const char *tm_cli_lexicon_dir(const char *option)
{
    if (option) return option;
    const char *env = getenv("TENSION_LEXICONS");
    if (env && *env) return env;
    struct stat st;
    if (stat("lexicons/identifiers.tsv", &st) == 0) return "lexicons";
    return TM_DEFAULT_LEXICONS;
}

static void print_problem(const char *problem, void *payload)
{
    (void)payload;
    fprintf(stderr, "%s\n", problem);
}

tm_lexicon *tm_cli_load_lexicon(const char *dir)
{
    tm_lexicon *lex = NULL;
    tm_err err = {0};
    if (tm_lexicon_load(&lex, dir, print_problem, NULL, &err) != TM_OK) {
        if (err.code != TM_ELEXICON)
            tm_cli_error("%s", err.msg);
        else
            tm_cli_error("the lexicons in %s have errors (listed above); fix them and run again",
                         dir);
        return NULL;
    }
    return lex;
}

int main(int argc, char **argv)
{
    /* jansson seeds its hash function on first use; do it before any worker
     * thread builds JSON (its documented thread-safety condition) */
    json_object_seed(0);
    if (argc < 2) {
        usage(stderr);
        return TM_EXIT_USAGE;
    }
    if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
        if (argc > 2) {
            for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
                if (!strcmp(argv[2], commands[i].name)) {
                    commands[i].help(stdout);
                    return TM_EXIT_OK;
                }
            }
        }
        usage(stdout);
        return TM_EXIT_OK;
    }
    if (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version")) {
        printf("tension %s\n", TM_VERSION);
        return TM_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name)) return commands[i].run(argc - 1, argv + 1);
    tm_cli_error("unknown command '%s'; run 'tension --help' for the list", argv[1]);
    return TM_EXIT_USAGE;
}
