/*
 * cli.h: what the subcommands share: exit codes, the lexicon location,
 * option parsing helpers and diagnostics.
 */
#ifndef TM_CLI_H
#define TM_CLI_H

#include <getopt.h>
#include <stdio.h>

#include "tm/common.h"
#include "tm/aggregate.h"
#include "tm/lexicon.h"

enum {
    TM_EXIT_OK = 0,
    TM_EXIT_SKIPPED = 1, /* the run finished but some input was skipped */
    TM_EXIT_USAGE = 2,
    TM_EXIT_ERROR = 3 /* could not run: lexicon, database, output */
};

typedef struct tm_cmd {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv);
    void (*help)(FILE *out);
} tm_cmd;

/* The lexicon folder: --lexicons, else $TENSION_LEXICONS, else ./lexicons,
 * else the one the binary was built with. */
const char *tm_cli_lexicon_dir(const char *option);

/* Loads the lexicon, printing every problem to stderr. NULL on failure. */
tm_lexicon *tm_cli_load_lexicon(const char *dir);

/* Parses --period and checks --from/--to; prints the problem and returns
 * TM_EXIT_USAGE, or 0. */
int tm_cli_period_range(tm_period *out, const char *period, const char *from, const char *to);

/* 0 if the database file exists, else prints how to make it and returns
 * TM_EXIT_ERROR (reading commands never create an empty database). */
int tm_cli_need_db(const char *db);

/* Prints "tension: message" to stderr. */
void tm_cli_error(const char *fmt, ...) TM_PRINTF(1, 2);

/* Flushes and checks stdout; returns 0 or prints an error and returns -1. */
int tm_cli_close_stdout(void);

int tm_cmd_extract(int argc, char **argv);
void tm_cmd_extract_help(FILE *out);
int tm_cmd_ingest(int argc, char **argv);
void tm_cmd_ingest_help(FILE *out);
int tm_cmd_report(int argc, char **argv);
void tm_cmd_report_help(FILE *out);
int tm_cmd_lexicon(int argc, char **argv);
void tm_cmd_lexicon_help(FILE *out);
int tm_cmd_run(int argc, char **argv);
void tm_cmd_run_help(FILE *out);
int tm_cmd_summary(int argc, char **argv);
void tm_cmd_summary_help(FILE *out);
int tm_cmd_search(int argc, char **argv);
void tm_cmd_search_help(FILE *out);
int tm_cmd_merge(int argc, char **argv);
void tm_cmd_merge_help(FILE *out);
int tm_cmd_forget(int argc, char **argv);
void tm_cmd_forget_help(FILE *out);

#endif
