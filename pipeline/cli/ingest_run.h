/*
 * ingest_run.h: the ingest loop shared by `ingest` and `run`.
 */
#ifndef TM_CLI_INGEST_RUN_H
#define TM_CLI_INGEST_RUN_H

#include <stddef.h>

typedef struct tm_ingest_stats {
    size_t stored, unchanged, skipped;
    size_t relexed; /* of `stored`: unchanged files re-tagged because the lexicon changed */
} tm_ingest_stats;

/* Ingests `paths` into the database `db`; returns a TM_EXIT_* code. */
int tm_cli_ingest_paths(const char *db, const char *lexdir, const char *const *paths, size_t n,
                        int jobs, tm_ingest_stats *stats);

/* Re-tags every stored document whose lexicon hash differs from the lexicon
 * in `lexdir`, from the stored text and source (no file is read); `stored`
 * counts the documents re-tagged. Returns a TM_EXIT_* code. (retag.c) */
int tm_cli_retag(const char *db, const char *lexdir, int jobs, tm_ingest_stats *stats);

/* Stores the documents of `extract --jsonl --full` lines read from `file`
 * ("-": standard input). Returns a TM_EXIT_* code. (from_jsonl.c) */
int tm_cli_ingest_jsonl(const char *db, const char *file, tm_ingest_stats *stats);

#endif
