/*
 * ingest_run.c: read, check for change, process and store each file.
 *
 * Workers read and fingerprint files and skip unchanged ones against a
 * snapshot of the database taken at the start (path, size, mtime, sha256),
 * so an unchanged file is never parsed; changed files are processed in
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

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct known {
    char *path;
    int64_t size, mtime;
    char sha256[65];
    int same_lexicon; /* stored with the lexicon loaded now */
} known;

typedef struct ingest_ctx {
    tm_store *store;
    const tm_lexicon *lex;
    const tm_inputs *in;
    tm_ingest_stats *stats;
    known *known; /* sorted by path */
    size_t nknown;
    char *relex; /* relex[i]: input i is unchanged but was tagged with another lexicon */
    tm_cli_batch batch;
} ingest_ctx;

enum { UNCHANGED = 1 }; /* a work result that is not an error */

static int known_cmp(const void *a, const void *b)
{
    return strcmp(((const known *)a)->path, ((const known *)b)->path);
}

static int load_known(ingest_ctx *c, tm_err *err)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(tm_store_db(c->store),
                           "SELECT path, size, mtime, sha256, lexicon_hash IS ?1 FROM documents",
                           -1, &st, NULL) != SQLITE_OK)
        return tm_err_set(err, TM_EDB, "reading the document list: %s",
                          sqlite3_errmsg(tm_store_db(c->store)));
    sqlite3_bind_text(st, 1, tm_lexicon_hash(c->lex), -1, SQLITE_STATIC);
    size_t cap = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (c->nknown == cap) {
            cap = cap ? cap * 2 : 256;
            known *nk = realloc(c->known, cap * sizeof *nk);
            if (!nk) {
                sqlite3_finalize(st);
                return tm_err_set(err, TM_ENOMEM, "out of memory");
            }
            c->known = nk;
        }
        known *k = &c->known[c->nknown];
        const unsigned char *p = sqlite3_column_text(st, 0), *h = sqlite3_column_text(st, 3);
        if (!p || !h) continue;
        k->path = strdup((const char *)p);
        k->size = sqlite3_column_int64(st, 1);
        k->mtime = sqlite3_column_int64(st, 2);
        snprintf(k->sha256, sizeof k->sha256, "%s", (const char *)h);
        k->same_lexicon = sqlite3_column_int(st, 4);
        if (k->path) c->nknown++;
    }
    sqlite3_finalize(st);
    if (c->nknown) qsort(c->known, c->nknown, sizeof *c->known, known_cmp);
    return TM_OK;
}

static int ingest_work(tm_pipeline *pl, tm_doc *doc, size_t index, const char *path, tm_err *err,
                       void *payload)
{
    ingest_ctx *c = payload;
    if (c->in->problems[index])
        return tm_err_set(err, TM_ESKIP, "%s: %s", path, c->in->problems[index]);
    struct stat st;
    if (tm_ingest_stat(path, &st) == 0 && c->nknown) {
        known key = {(char *)path, 0, 0, {0}, 0};
        known *k = bsearch(&key, c->known, c->nknown, sizeof *c->known, known_cmp);
        /* same size and mtime: confirm with the digest before skipping */
        if (k && k->size == (int64_t)st.st_size && k->mtime == (int64_t)st.st_mtime) {
            int rc = tm_ingest_file(doc, path, err);
            if (rc != TM_OK) return rc;
            if (strcmp(doc->sha256, k->sha256) != 0) return tm_pipeline_process(pl, doc, err);
            if (k->same_lexicon) return UNCHANGED;
            /* same bytes, other lexicon: its mentions and signals are stale */
            if (c->relex) c->relex[index] = 1;
            return tm_pipeline_process(pl, doc, err);
        }
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
                                 const char *path, size_t left)
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
                         path, serr.msg, b->docs, left, b->again);
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

static int ingest_consume(tm_doc *doc, size_t index, const char *path, int rc, const tm_err *err,
                          void *payload)
{
    ingest_ctx *c = payload;
    if (rc == UNCHANGED) {
        c->stats->unchanged++;
        return 0;
    }
    if (rc != TM_OK) {
        fprintf(stderr, "tension: %s\n", err->msg);
        c->stats->skipped++;
        return 0;
    }
    struct stat st;
    int64_t size = tm_ingest_stat(path, &st) == 0 ? (int64_t)st.st_size : (int64_t)doc->raw_len;
    tm_store_meta meta = {tm_lexicon_version(c->lex), tm_lexicon_hash(c->lex), size};
    tm_cli_stored r = tm_cli_batch_store(&c->batch, doc, &meta, path, c->in->n - index - 1);
    if (r != TM_CLI_STORED) return r == TM_CLI_STOP;
    for (size_t i = 0; i < doc->errors.n; i++)
        fprintf(stderr, "tension: warning: %s\n", doc->errors.v[i]);
    if (c->relex && c->relex[index]) c->stats->relexed++;
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

int tm_cli_ingest_paths(const char *db, const char *lexdir, const char *const *paths, size_t n,
                        int jobs, tm_ingest_stats *stats)
{
    memset(stats, 0, sizeof *stats);
    tm_lexicon *lex = tm_cli_load_lexicon(lexdir);
    if (!lex) return TM_EXIT_ERROR;
    ingest_ctx c = {0};
    tm_inputs in = {0};
    c.lex = lex;
    c.stats = stats;
    c.in = &in;
    tm_err err = {0};
    int rc = TM_EXIT_OK;
    if (tm_store_open(&c.store, db, &err) != TM_OK || test_page_limit(c.store, &err) != TM_OK ||
        load_known(&c, &err) != TM_OK) {
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
    for (size_t i = 0; i < n; i++)
        tm_inputs_add(&in, paths[i]);
    c.relex = calloc(in.n ? in.n : 1, 1); /* NULL only costs the count in the summary */
    c.batch =
        (tm_cli_batch){.store = c.store, .stats = stats, .db = db, .again = "run the ingest again"};
    int prc = tm_par_run(lex, (const char *const *)in.paths, in.n, jobs, ingest_work,
                         ingest_consume, &c, &err);
    tm_cli_batch_finish(&c.batch);
    if (prc != TM_OK && !c.batch.fatal) tm_cli_error("%s", err.msg);
    if (c.batch.fatal || (prc != TM_OK && prc != 1))
        rc = TM_EXIT_ERROR;
    else if (stats->skipped)
        rc = TM_EXIT_SKIPPED;
cleanup:
    for (size_t i = 0; i < c.nknown; i++)
        free(c.known[i].path);
    free(c.known);
    free(c.relex);
    tm_inputs_free(&in);
    tm_store_close(c.store);
    tm_lexicon_free(lex);
    return rc;
}
