/*
 * retag.c: `tension ingest --retag`: documents tagged with another lexicon
 * are processed again from what the database keeps (the normalised text and
 * its source, see tm/source.h), without reading the files, and their rows
 * replaced. The rebuilt bytes must have the stored sha256, so a document is
 * never re-tagged from anything but the file it was read from.
 *
 * Workers fetch a document through one shared read-only connection (under a
 * mutex: the fetch is short, the processing is not) while this thread stores
 * in order through the writer connection, as ingest does.
 */
#include "cli.h"
#include "ingest_run.h"
#include "tm/ingest.h"
#include "tm/parallel.h"
#include "tm/source.h"
#include "tm/store.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

typedef struct retag_ctx {
    tm_store *store;
    const tm_lexicon *lex;
    tm_ingest_stats *stats;
    sqlite3 *rdb;        /* read-only connection for the workers */
    sqlite3_stmt *fetch; /* guarded by mu */
    sqlite3_stmt *list;  /* the next stale document after ?2: guarded by mu */
    pthread_mutex_t mu;
    int64_t last_id; /* the last document handed out */
    size_t n;        /* documents to re-tag, counted at the start */
    tm_cli_batch batch;
} retag_ctx;

static const char fetch_sql[] =
    "SELECT d.sha256, d.mtime, d.size, t.text, s.kind, s.data, d.date FROM documents d"
    " JOIN document_texts t ON t.doc_id = d.id"
    " LEFT JOIN document_sources s ON s.doc_id = d.id WHERE d.path = ?1";

/* Copies the stored bytes of `path` out of the database. */
static int fetch(retag_ctx *c, const char *path, char **text, size_t *text_len,
                 tm_source_kind *kind, unsigned char **data, size_t *data_len, char sha[65],
                 int64_t *mtime, int64_t *size, char date[11], tm_err *err)
{
    int rc = TM_OK;
    pthread_mutex_lock(&c->mu);
    sqlite3_stmt *s = c->fetch;
    sqlite3_bind_text(s, 1, path, -1, SQLITE_STATIC);
    int src = sqlite3_step(s);
    if (src != SQLITE_ROW) {
        rc = tm_err_set(err, src == SQLITE_DONE ? TM_ESKIP : TM_EDB,
                        "%s: cannot read the stored text: %s", path,
                        src == SQLITE_DONE ? "the document was removed meanwhile"
                                           : sqlite3_errmsg(c->rdb));
        goto cleanup;
    }
    snprintf(sha, 65, "%s",
             sqlite3_column_text(s, 0) ? (const char *)sqlite3_column_text(s, 0) : "");
    *mtime = sqlite3_column_int64(s, 1);
    *size = sqlite3_column_int64(s, 2);
    const char *dt = (const char *)sqlite3_column_text(s, 6);
    snprintf(date, 11, "%s", dt && strlen(dt) == 10 ? dt : "");
    const char *t = (const char *)sqlite3_column_text(s, 3);
    *text_len = (size_t)sqlite3_column_bytes(s, 3);
    *text = tm_strndup(t ? t : "", *text_len);
    *kind = TM_SOURCE_NONE;
    const char *k = (const char *)sqlite3_column_text(s, 4);
    if (k && tm_source_kind_from_name(kind, k) != 0) {
        rc = tm_err_set(err, TM_EFORMAT,
                        "%s: unknown stored source kind '%s': ingest the file again", path, k);
        goto cleanup;
    }
    const void *d = sqlite3_column_blob(s, 5);
    *data_len = (size_t)sqlite3_column_bytes(s, 5);
    *data = tm_malloc(*data_len ? *data_len : 1);
    if (!*text || !*data) {
        rc = tm_err_set(err, TM_ENOMEM, "%s: out of memory reading the stored text", path);
        goto cleanup;
    }
    if (*data_len) memcpy(*data, d, *data_len);
cleanup:
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    pthread_mutex_unlock(&c->mu);
    return rc;
}

static int retag_work(tm_pipeline *pl, tm_doc *doc, tm_par_item *item, tm_err *err, void *payload)
{
    retag_ctx *c = payload;
    const char *path = item->path;
    char *text = NULL, sha[65], date[11];
    unsigned char *data = NULL, *raw = NULL;
    size_t text_len = 0, data_len = 0, raw_len = 0;
    tm_source_kind kind = TM_SOURCE_NONE;
    int64_t mtime = 0, size = 0;
    int rc =
        fetch(c, path, &text, &text_len, &kind, &data, &data_len, sha, &mtime, &size, date, err);
    if (rc == TM_OK)
        rc = tm_source_decode(&raw, &raw_len, text, text_len, kind, data, data_len, path, err);
    if (rc == TM_OK) rc = tm_ingest_bytes(doc, path, raw, raw_len, err);
    if (rc == TM_OK && strcmp(doc->sha256, sha) != 0)
        rc = tm_err_set(err, TM_ESKIP,
                        "%s: the stored text does not rebuild the file (stored before this"
                        " version kept sources?): ingest the file again",
                        path);
    if (rc == TM_OK) {
        doc->mtime = mtime;
        /* an e-mail attachment was dated by its message when its text is not;
         * the stored date is that date then, and unused when the text has one */
        if (!doc->mail_date[0]) memcpy(doc->mail_date, date, sizeof date);
        item->value = size; /* for the consumer's tm_store_meta */
        rc = tm_pipeline_process(pl, doc, err);
    }
    tm_free(text);
    tm_free(data);
    tm_free(raw);
    return rc;
}

static int retag_consume(tm_doc *doc, const tm_par_item *item, int rc, const tm_err *err,
                         void *payload)
{
    retag_ctx *c = payload;
    const char *path = item->path;
    if (rc != TM_OK) {
        fprintf(stderr, "tension: %s\n", err->msg);
        c->stats->skipped++;
        return 0;
    }
    tm_store_meta meta = {tm_lexicon_version(c->lex), tm_lexicon_hash(c->lex), item->value};
    return tm_cli_batch_store(&c->batch, doc, &meta, path, item->index) == TM_CLI_STOP;
}

static size_t retag_left(void *arg, size_t index)
{
    const retag_ctx *c = arg;
    return c->n > index + 1 ? c->n - index - 1 : 0;
}

/* The documents tagged with another lexicon, in storage (id) order, are
 * fetched one at a time, never listed: the next after the last handed out,
 * up to the last stale one at the start (a document this run stores anew
 * gets a higher id; one it re-tags in place has the new lexicon). */
static const char list_sql[] = "SELECT id, path FROM documents WHERE id > ?2 AND id <= ?3"
                               " AND lexicon_hash IS NOT ?1 ORDER BY id LIMIT 1";

/* How many documents are stale, and the last of them. */
static int count_stale(size_t *n, int64_t *last, tm_store *st, const char *hash, tm_err *err)
{
    sqlite3_stmt *s = NULL;
    sqlite3 *db = tm_store_db(st);
    *n = 0;
    *last = 0;
    if (sqlite3_prepare_v2(db,
                           "SELECT count(*), max(id) FROM documents WHERE lexicon_hash IS NOT ?1",
                           -1, &s, NULL) != SQLITE_OK)
        return tm_err_set(err, TM_EDB, "reading the document list: %s", sqlite3_errmsg(db));
    sqlite3_bind_text(s, 1, hash, -1, SQLITE_STATIC);
    int rc = TM_OK;
    if (sqlite3_step(s) == SQLITE_ROW) {
        *n = (size_t)sqlite3_column_int64(s, 0);
        *last = sqlite3_column_int64(s, 1);
    } else {
        rc = tm_err_set(err, TM_EDB, "reading the document list: %s", sqlite3_errmsg(db));
    }
    sqlite3_finalize(s);
    return rc;
}

static int retag_next(tm_par_item *item, void *payload)
{
    retag_ctx *c = payload;
    pthread_mutex_lock(&c->mu);
    sqlite3_stmt *s = c->list;
    sqlite3_bind_int64(s, 2, c->last_id);
    int src = sqlite3_step(s), rc = 0;
    if (src == SQLITE_ROW) {
        c->last_id = sqlite3_column_int64(s, 0);
        const char *p = (const char *)sqlite3_column_text(s, 1);
        item->path = strdup(p ? p : "");
        rc = item->path ? 1 : TM_ENOMEM;
    } else if (src != SQLITE_DONE) {
        rc = TM_EDB;
    }
    sqlite3_reset(s);
    pthread_mutex_unlock(&c->mu);
    return rc;
}

int tm_cli_retag(const char *db, const char *lexdir, int jobs, tm_ingest_stats *stats)
{
    memset(stats, 0, sizeof *stats);
    tm_lexicon *lex = tm_cli_load_lexicon(lexdir);
    if (!lex) return TM_EXIT_ERROR;
    retag_ctx c = {0};
    size_t n = 0;
    int64_t last = 0;
    tm_err err = {0};
    int rc = TM_EXIT_OK, mu = 0;
    c.lex = lex;
    c.stats = stats;
    if (tm_store_open(&c.store, db, &err) != TM_OK ||
        count_stale(&n, &last, c.store, tm_lexicon_hash(lex), &err) != TM_OK) {
        tm_cli_error("%s", err.msg);
        rc = TM_EXIT_ERROR;
        goto cleanup;
    }
    if (!n) goto cleanup;
    if (sqlite3_open_v2(db, &c.rdb, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(c.rdb, fetch_sql, -1, &c.fetch, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(c.rdb, list_sql, -1, &c.list, NULL) != SQLITE_OK) {
        tm_cli_error("%s: cannot open the database for reading: %s", db,
                     c.rdb ? sqlite3_errmsg(c.rdb) : "out of memory");
        rc = TM_EXIT_ERROR;
        goto cleanup;
    }
    sqlite3_busy_timeout(c.rdb, 10000);
    sqlite3_bind_text(c.list, 1, tm_lexicon_hash(lex), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(c.list, 3, last);
    if (pthread_mutex_init(&c.mu, NULL) != 0) {
        tm_cli_error("out of memory re-tagging %zu documents", n);
        rc = TM_EXIT_ERROR;
        goto cleanup;
    }
    mu = 1;
    c.n = n;
    /* a rolled-back document keeps its old rows and old lexicon hash, so the
     * next --retag does it again */
    c.batch = (tm_cli_batch){.store = c.store,
                             .stats = stats,
                             .db = db,
                             .again = "run the re-tag again",
                             .left = retag_left,
                             .left_arg = &c};
    int prc = tm_par_run(lex, retag_next, jobs, retag_work, retag_consume, &c, &err);
    tm_cli_batch_finish(&c.batch);
    if (prc != TM_OK && !c.batch.fatal) tm_cli_error("%s", err.msg);
    if (c.batch.fatal || (prc != TM_OK && prc != 1))
        rc = TM_EXIT_ERROR;
    else if (stats->skipped)
        rc = TM_EXIT_SKIPPED;
cleanup:
    if (mu) pthread_mutex_destroy(&c.mu);
    sqlite3_finalize(c.fetch);
    sqlite3_finalize(c.list);
    sqlite3_close_v2(c.rdb);
    tm_store_close(c.store);
    tm_lexicon_free(lex);
    return rc;
}
