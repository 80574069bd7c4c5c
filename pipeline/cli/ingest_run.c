/*
 * ingest_run.c: read, check for change, process and store each file.
 *
 * Workers read and fingerprint files and skip unchanged ones against the
 * stored path, size, mtime and sha256 (looked up one path at a time), so an
 * unchanged file is never parsed; changed files are processed in
 * parallel and stored by this thread in input order, one transaction each.
 * An unchanged file tagged with another lexicon (its stored lexicon hash
 * differs) is processed again from the bytes just read.
 */
#include "cli.h"
#include "ingest_run.h"
#include "inputs.h"
#include "tm/ingest.h"
#include "tm/parallel.h"
#include "tm/store.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct ingest_ctx {
    tm_store *store;
    const tm_lexicon *lex;
    tm_inputs *in;
    tm_ingest_stats *stats;
    /* the stored state of a path, looked up through the path index by the
     * workers (one at a time) on a read-only connection: the table is never
     * loaded, so memory does not grow with it */
    sqlite3 *rdb;
    sqlite3_stmt *lookup; /* guarded by mu */
    pthread_mutex_t mu;
    int mu_made;
    tm_cli_batch batch;
} ingest_ctx;

/* Work results that are not errors. */
enum {
    UNCHANGED = 1, /* skipped: same path, size, mtime and sha256, same lexicon */
    RELEXED = 2    /* processed: unchanged but tagged with another lexicon */
};

static const char lookup_sql[] =
    "SELECT size, mtime, sha256, lexicon_hash IS ?2 FROM documents WHERE path = ?1";

/* Opens the workers' read connection when the database holds documents; a
 * database empty at the start has nothing to compare with (and a path given
 * twice is then processed twice, as it always was). */
static int open_lookup(ingest_ctx *c, const char *db, tm_err *err)
{
    sqlite3 *w = tm_store_db(c->store);
    sqlite3_stmt *st = NULL;
    int any = 0;
    if (sqlite3_prepare_v2(w, "SELECT EXISTS (SELECT 1 FROM documents)", -1, &st, NULL) !=
        SQLITE_OK)
        return tm_err_set(err, TM_EDB, "reading the document list: %s", sqlite3_errmsg(w));
    if (sqlite3_step(st) == SQLITE_ROW) any = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    if (!any) return TM_OK;
    if (sqlite3_open_v2(db, &c->rdb, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(c->rdb, lookup_sql, -1, &c->lookup, NULL) != SQLITE_OK)
        return tm_err_set(err, TM_EDB, "%s: cannot open the database for reading: %s", db,
                          c->rdb ? sqlite3_errmsg(c->rdb) : "out of memory");
    sqlite3_busy_timeout(c->rdb, 10000);
    sqlite3_bind_text(c->lookup, 2, tm_lexicon_hash(c->lex), -1, SQLITE_TRANSIENT);
    if (pthread_mutex_init(&c->mu, NULL) != 0)
        return tm_err_set(err, TM_ENOMEM, "out of memory opening %s", db);
    c->mu_made = 1;
    return TM_OK;
}

typedef struct known {
    int64_t size, mtime;
    char sha256[65];
    int same_lexicon; /* stored with the lexicon loaded now */
} known;

/* 1 and `k` filled when `path` is stored, else 0. A failed lookup counts as
 * not stored: the file is processed and stored again, which is never wrong. */
static int find_known(ingest_ctx *c, const char *path, known *k)
{
    int found = 0;
    pthread_mutex_lock(&c->mu);
    sqlite3_stmt *s = c->lookup;
    sqlite3_bind_text(s, 1, path, -1, SQLITE_STATIC);
    if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 2)) {
        k->size = sqlite3_column_int64(s, 0);
        k->mtime = sqlite3_column_int64(s, 1);
        snprintf(k->sha256, sizeof k->sha256, "%s", (const char *)sqlite3_column_text(s, 2));
        k->same_lexicon = sqlite3_column_int(s, 3);
        found = 1;
    }
    sqlite3_reset(s);
    pthread_mutex_unlock(&c->mu);
    return found;
}

static int ingest_next(tm_par_item *item, void *payload)
{
    return tm_inputs_next(item, ((ingest_ctx *)payload)->in);
}

static int ingest_work(tm_pipeline *pl, tm_doc *doc, tm_par_item *item, tm_err *err, void *payload)
{
    ingest_ctx *c = payload;
    const char *path = item->path;
    if (item->note) return tm_err_set(err, TM_ESKIP, "%s: %s", path, item->note);
    struct stat st;
    known k;
    /* same size and mtime: confirm with the digest before skipping */
    if (c->lookup && tm_ingest_stat(path, &st) == 0 && find_known(c, path, &k) &&
        k.size == (int64_t)st.st_size && k.mtime == (int64_t)st.st_mtime) {
        int rc = tm_ingest_file(doc, path, err);
        if (rc != TM_OK) return rc;
        if (strcmp(doc->sha256, k.sha256) != 0) return tm_pipeline_process(pl, doc, err);
        if (k.same_lexicon) return UNCHANGED;
        /* same bytes, other lexicon: its mentions and signals are stale */
        rc = tm_pipeline_process(pl, doc, err);
        return rc == TM_OK ? RELEXED : rc;
    }
    return tm_pipeline_file(pl, doc, path, err);
}

/* Commits the open batch; 1 (stop) if that fails. */
static int end_batch(tm_cli_batch *b)
{
    if (!b->open) return 0;
    tm_err err = {0};
    b->open = 0;
    size_t lost = b->docs;
    b->docs = 0;
    if (tm_store_commit(b->store, &err) == TM_OK) return 0;
    tm_cli_error("%s (the last %zu documents are rolled back; %s)", err.msg, lost, b->again);
    b->stats->stored -= lost;
    b->stats->skipped += lost;
    b->fatal = 1;
    return 1;
}

/* Opens a batch. SQLite waits up to the busy timeout (10 s) for another
 * writer; a concurrent ingest may hold the lock longer (a batch of big
 * documents), so a busy database is retried, for up to five minutes. */
#define TM_BUSY_RETRIES 30

static int begin_batch(tm_cli_batch *b, const char *path, tm_err *err)
{
    for (int attempt = 0;; attempt++) {
        tm_err_clear(err);
        int rc = tm_store_begin(b->store, err);
        if (rc == TM_OK) return TM_OK;
        int ec = sqlite3_errcode(tm_store_db(b->store)) & 0xff;
        if ((ec != SQLITE_BUSY && ec != SQLITE_LOCKED) || attempt >= TM_BUSY_RETRIES) return rc;
        if (attempt == 0)
            fprintf(stderr,
                    "tension: %s is busy (another process is writing): waiting to store %s\n",
                    b->db, path);
    }
}

tm_cli_stored tm_cli_batch_store(tm_cli_batch *b, const tm_doc *doc, const tm_store_meta *meta,
                                 const char *path, size_t index)
{
    tm_err serr = {0};
    if (!b->open) {
        if (begin_batch(b, path, &serr) != TM_OK) {
            tm_cli_error("%s", serr.msg);
            b->fatal = 1;
            return TM_CLI_STOP;
        }
        b->open = 1;
    }
    if (tm_store_doc(b->store, doc, meta, &serr) != TM_OK) {
        if (serr.code == TM_EDB) {
            /* a full disk or read-only database fails every later document too;
             * the batch is rolled back, so its earlier documents are not kept
             * either (a re-tagged one keeps its old tags, and is done again) */
            tm_cli_error("%s: not stored: %s; stopping: nothing of it was written, the %zu"
                         " document(s) before it since the last commit are rolled back and %zu"
                         " were not processed; %s",
                         path, serr.msg, b->docs, b->left(b->left_arg, index), b->again);
            b->stats->stored -= b->docs;
            b->docs = 0;
            b->fatal = 1;
            return TM_CLI_STOP;
        }
        tm_cli_error("%s", serr.msg);
        b->stats->skipped++;
        return TM_CLI_REFUSED;
    }
    b->stats->stored++;
    if (++b->docs >= TM_CLI_BATCH && end_batch(b)) return TM_CLI_STOP;
    return TM_CLI_STORED;
}

int tm_cli_batch_finish(tm_cli_batch *b)
{
    if (b->fatal) {
        tm_store_rollback(b->store);
        return 0;
    }
    return end_batch(b);
}

static int ingest_consume(tm_doc *doc, const tm_par_item *item, int rc, const tm_err *err,
                          void *payload)
{
    ingest_ctx *c = payload;
    const char *path = item->path;
    if (rc == UNCHANGED) {
        c->stats->unchanged++;
        return 0;
    }
    if (rc < 0) {
        fprintf(stderr, "tension: %s\n", err->msg);
        c->stats->skipped++;
        return 0;
    }
    struct stat st;
    int64_t size = tm_ingest_stat(path, &st) == 0 ? (int64_t)st.st_size : (int64_t)doc->raw_len;
    tm_store_meta meta = {tm_lexicon_version(c->lex), tm_lexicon_hash(c->lex), size};
    tm_cli_stored r = tm_cli_batch_store(&c->batch, doc, &meta, path, item->index);
    if (r != TM_CLI_STORED) return r == TM_CLI_STOP;
    for (size_t i = 0; i < doc->errors.n; i++)
        fprintf(stderr, "tension: warning: %s\n", doc->errors.v[i]);
    if (rc == RELEXED) c->stats->relexed++;
    return 0;
}

/* Tests only: TENSION_TEST_MAX_PAGES=N caps the database at N pages
 * (PRAGMA max_page_count), a full disk without filling one. Not in --help:
 * it is for tests/e2e/db_full.py. The value is parsed as a number, never
 * pasted into SQL as text. */
static int test_page_limit(tm_store *st, tm_err *err)
{
    const char *v = getenv("TENSION_TEST_MAX_PAGES");
    if (!v || !*v) return TM_OK;
    char *end;
    long long pages = strtoll(v, &end, 10);
    if (*end || pages < 1)
        return tm_err_set(err, TM_EINVAL, "TENSION_TEST_MAX_PAGES=%s: give a number of pages", v);
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA max_page_count = %lld", pages);
    if (sqlite3_exec(tm_store_db(st), sql, NULL, NULL, NULL) != SQLITE_OK)
        return tm_err_set(err, TM_EDB, "cannot set max_page_count: %s",
                          sqlite3_errmsg(tm_store_db(st)));
    return TM_OK;
}

/* The inputs after `index`, for the message of a run stopped there: the
 * walk is finished, counting. */
static size_t inputs_left(void *arg, size_t index)
{
    tm_inputs *in = arg;
    size_t rest = tm_inputs_rest(in), given = tm_inputs_given(in);
    return given + rest - index - 1;
}

int tm_cli_ingest_paths(const char *db, const char *lexdir, const char *const *paths, size_t n,
                        int jobs, tm_ingest_stats *stats)
{
    memset(stats, 0, sizeof *stats);
    tm_lexicon *lex = tm_cli_load_lexicon(lexdir);
    if (!lex) return TM_EXIT_ERROR;
    ingest_ctx c = {0};
    c.lex = lex;
    c.stats = stats;
    tm_err err = {0};
    int rc = TM_EXIT_OK;
    if (tm_store_open(&c.store, db, &err) != TM_OK || test_page_limit(c.store, &err) != TM_OK ||
        open_lookup(&c, db, &err) != TM_OK) {
        tm_cli_error("%s", err.msg);
        rc = TM_EXIT_ERROR;
        goto cleanup;
    }
    /* SQLite opens a write-protected file read-only without a word: say so
     * before any document is read */
    if (sqlite3_db_readonly(tm_store_db(c.store), "main") == 1) {
        tm_cli_error("%s: the database is read-only: check that it and its folder are writable",
                     db);
        rc = TM_EXIT_ERROR;
        goto cleanup;
    }
    if (tm_inputs_start(&c.in, paths, n, NULL, &err) != TM_OK) {
        tm_cli_error("%s", err.msg);
        rc = TM_EXIT_ERROR;
        goto cleanup;
    }
    c.batch = (tm_cli_batch){.store = c.store,
                             .stats = stats,
                             .db = db,
                             .again = "run the ingest again",
                             .left = inputs_left,
                             .left_arg = c.in};
    int prc = tm_par_run(lex, ingest_next, jobs, ingest_work, ingest_consume, &c, &err);
    tm_cli_batch_finish(&c.batch);
    if (prc != TM_OK && !c.batch.fatal) tm_cli_error("%s", err.msg);
    if (c.batch.fatal || (prc != TM_OK && prc != 1))
        rc = TM_EXIT_ERROR;
    else if (stats->skipped)
        rc = TM_EXIT_SKIPPED;
cleanup:
    tm_inputs_free(c.in);
    sqlite3_finalize(c.lookup);
    sqlite3_close_v2(c.rdb);
    if (c.mu_made) pthread_mutex_destroy(&c.mu);
    tm_store_close(c.store);
    tm_lexicon_free(lex);
    return rc;
}
