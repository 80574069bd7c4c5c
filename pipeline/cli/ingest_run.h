/*
 * ingest_run.h: the ingest loop shared by `ingest` and `run`.
 */
#ifndef TM_CLI_INGEST_RUN_H
#define TM_CLI_INGEST_RUN_H

#include <stddef.h>

#include "tm/store.h"

typedef struct tm_ingest_stats {
    size_t stored, unchanged, skipped;
    size_t relexed; /* of `stored`: unchanged files re-tagged because the lexicon changed */
} tm_ingest_stats;

/* Documents stored in batches, for ingest and retag: one transaction per
 * TM_CLI_BATCH documents (one WAL commit and one pass of the full-text
 * index per batch), each document still all or nothing (a savepoint). A
 * database error stops the run and rolls the open batch back. */
#define TM_CLI_BATCH 64

typedef struct tm_cli_batch {
    tm_store *store;
    tm_ingest_stats *stats;
    const char *db;    /* the database path, for messages */
    const char *again; /* what to do after a stop: "run the ingest again" */
    size_t docs;       /* documents stored in the open transaction */
    int open;          /* a transaction is open */
    int fatal;         /* stopped: the open batch is rolled back */
    /* the inputs after input `index`, for the message of a stop there */
    size_t (*left)(void *left_arg, size_t index);
    void *left_arg;
} tm_cli_batch;

/* What tm_cli_batch_store() did with a document. */
typedef enum tm_cli_stored {
    TM_CLI_STORED = 0,  /* stored in the open batch */
    TM_CLI_REFUSED = 1, /* refused alone: reported and counted as skipped */
    TM_CLI_STOP = 2     /* a database error: reported, the batch rolled back; stop the run */
} tm_cli_stored;

/* Stores `doc` (the file `path`, input number `index`) in the open batch,
 * opening one first (waiting for another writer) and committing every
 * TM_CLI_BATCH documents; counts it in stats. */
tm_cli_stored tm_cli_batch_store(tm_cli_batch *b, const tm_doc *doc, const tm_store_meta *meta,
                                 const char *path, size_t index);
/* Ends the run: commits the open batch, or rolls it back after a stop.
 * Returns 1 when the commit failed (reported), else 0. */
int tm_cli_batch_finish(tm_cli_batch *b);

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
