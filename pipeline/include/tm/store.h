/*
 * store.h: the SQLite database that keeps every document and what the
 * pipeline derived from it, so that aggregate and report never reread files.
 *
 * One tm_store owns one connection and its cached prepared statements. It is
 * not shared between threads: give each thread its own, or store from one.
 *
 * A document is stored in one transaction with everything derived from it
 * (sections, sentences, speakers, mentions, signals, incidents, errors and
 * the full-text index); storing the same path again replaces all of it. A
 * failure leaves none of the new rows and the old ones intact.
 *
 * Usage:
 *     tm_store *st = NULL;
 *     if (tm_store_open(&st, "tension.db", &err) != TM_OK) ...
 *     if (tm_store_is_current(st, path, size, mtime, sha, &err) == 0) {
 *         tm_store_meta meta = { lexicon_version, lexicon_hash, size };
 *         rc = tm_store_doc(st, &doc, &meta, &err);
 *     }
 *     tm_store_close(st);
 *
 * Batching: tm_store_begin() ... tm_store_commit() wraps many documents in
 * one transaction (much faster on slow disks); each tm_store_doc() inside is
 * a savepoint, so one bad document is rolled back alone. Foreign keys are
 * off on the connection while a batch is open (multi-row inserts are much
 * cheaper without them); tm_store_doc and tm_store_remove cascade by hand.
 */
#ifndef TM_STORE_H
#define TM_STORE_H

#include <stdint.h>

#include "tm/common.h"
#include "tm/doc.h"

/* PRAGMA user_version of the schema this build writes. */
#define TM_STORE_SCHEMA_VERSION 6

typedef struct tm_store tm_store;
typedef struct sqlite3 sqlite3;

/* What the store needs that the tm_doc does not carry. Strings are borrowed
 * for the call; NULL lexicon fields are stored as NULL. */
typedef struct tm_store_meta {
    const char *lexicon_version;
    const char *lexicon_hash;
    int64_t size; /* the file's size in bytes */
} tm_store_meta;

/* Opens the database at `path`, creating it if absent. A new file is created
 * with mode 0600 whatever the umask (minutes name people). Turns on WAL,
 * foreign keys and a 10 s busy timeout, and creates or migrates the schema
 * (version in PRAGMA user_version). ":memory:" opens a private in-memory
 * database.
 * @param[out] out  owned; release with tm_store_close(). NULL on failure.
 * @return TM_OK, TM_EIO (cannot create the file), TM_EDB (not a database,
 *         newer schema, SQLite error) or TM_ENOMEM. */
int tm_store_open(tm_store **out, const char *path, tm_err *err);

/* Finalizes the statements and closes the connection. An open batch is
 * rolled back. NULL-safe. */
void tm_store_close(tm_store *st);

/* 1 if a document with this path, size, mtime and sha256 is stored already
 * (unchanged: skip it), 0 if not, a negative TM_E* code on error. */
int tm_store_is_current(tm_store *st, const char *path, int64_t size, int64_t mtime,
                        const char *sha256, tm_err *err);

/* Stores `doc` and everything derived from it, replacing any earlier rows of
 * the same path. Offsets are converted to file offsets with
 * tm_doc_raw_offset(). The doc is only read; its strings are copied.
 * @return TM_OK; TM_EINVAL when the doc breaks the tm_doc contract (an index
 *         or offset out of range, a malformed date: nothing is stored);
 *         TM_EDB when SQLite fails (disk full, locked: nothing is stored). */
int tm_store_doc(tm_store *st, const tm_doc *doc, const tm_store_meta *meta, tm_err *err);

/* Removes a document and everything derived from it. TM_OK also when the
 * path was not stored. */
int tm_store_remove(tm_store *st, const char *path, tm_err *err);

/* Opens a batch (BEGIN IMMEDIATE). TM_EINVAL if one is open already. */
int tm_store_begin(tm_store *st, tm_err *err);

/* Commits the open batch. On failure the batch is rolled back: every
 * document stored since tm_store_begin() is lost and must be stored again. */
int tm_store_commit(tm_store *st, tm_err *err);

/* Rolls the open batch back; a no-op without one. */
void tm_store_rollback(tm_store *st);

/* The connection, borrowed (valid until tm_store_close), for aggregate and
 * report queries. Do not close it or leave a transaction open on it. */
sqlite3 *tm_store_db(tm_store *st);

/* Adds the sentences inserted since the last commit to the full-text index.
 * tm_store_doc and tm_store_commit call it; code that inserts sentences with
 * its own SQL (merge) calls it before committing. Returns an SQLite code. */
int tm_store_index_new_sentences(sqlite3 *db);

#endif
