/*
 * ingest_run.c: read, check for change, process and store each file.
 */
#include "cli.h"
#include "ingest_run.h"
#include "tm/ingest.h"
#include "tm/pipeline.h"
#include "tm/store.h"
#include "tm/walk.h"

#include <string.h>
#include <sys/stat.h>

typedef struct ingest_ctx {
    tm_pipeline *pl;
    tm_store *store;
    const tm_lexicon *lex;
    tm_doc doc;
    tm_ingest_stats *stats;
    int fatal;
} ingest_ctx;

static int ingest_one(const char *path, void *payload)
{
    ingest_ctx *c = payload;
    tm_err err = {0};
    struct stat st;
    tm_doc_reset(&c->doc);
    if (tm_ingest_file(&c->doc, path, &err) != TM_OK) {
        fprintf(stderr, "tension: %s\n", err.msg);
        c->stats->skipped++;
        return 0;
    }
    int64_t size = (int64_t)c->doc.raw_len, mtime = c->doc.mtime;
    if (stat(path, &st) == 0)
        size = (int64_t)st.st_size;
    int cur = tm_store_is_current(c->store, path, size, mtime, c->doc.sha256, &err);
    if (cur < 0) {
        tm_cli_error("%s", err.msg);
        c->fatal = 1;
        return 1;
    }
    if (cur == 1) {
        c->stats->unchanged++;
        return 0;
    }
    if (tm_pipeline_process(c->pl, &c->doc, &err) != TM_OK) {
        fprintf(stderr, "tension: %s\n", err.msg);
        c->stats->skipped++;
        return 0;
    }
    tm_store_meta meta = {tm_lexicon_version(c->lex), tm_lexicon_hash(c->lex), size};
    if (tm_store_doc(c->store, &c->doc, &meta, &err) != TM_OK) {
        tm_cli_error("%s", err.msg);
        if (err.code == TM_EDB) {
            c->fatal = 1; /* a full disk or read-only database fails every later file too */
            return 1;
        }
        c->stats->skipped++;
        return 0;
    }
    for (size_t i = 0; i < c->doc.errors.n; i++)
        fprintf(stderr, "tension: warning: %s\n", c->doc.errors.v[i]);
    c->stats->stored++;
    return 0;
}

static void ingest_problem(const char *path, const char *message, void *payload)
{
    ingest_ctx *c = payload;
    fprintf(stderr, "tension: %s: %s\n", path, message);
    c->stats->skipped++;
}

int tm_cli_ingest_paths(const char *db, const char *lexdir, const char *const *paths, size_t n,
                        tm_ingest_stats *stats)
{
    memset(stats, 0, sizeof *stats);
    tm_lexicon *lex = tm_cli_load_lexicon(lexdir);
    if (!lex)
        return TM_EXIT_ERROR;
    ingest_ctx c = {0};
    c.lex = lex;
    c.stats = stats;
    tm_err err = {0};
    int rc = TM_EXIT_OK;
    if (tm_store_open(&c.store, db, &err) != TM_OK || tm_pipeline_new(&c.pl, lex, &err) != TM_OK) {
        tm_cli_error("%s", err.msg);
        rc = TM_EXIT_ERROR;
        goto cleanup;
    }
    tm_doc_init(&c.doc);
    for (size_t i = 0; i < n && !c.fatal; i++)
        tm_walk(paths[i], ingest_one, ingest_problem, &c);
    tm_doc_dispose(&c.doc);
    if (c.fatal)
        rc = TM_EXIT_ERROR;
    else if (stats->skipped)
        rc = TM_EXIT_SKIPPED;
cleanup:
    tm_pipeline_free(c.pl);
    tm_store_close(c.store);
    tm_lexicon_free(lex);
    return rc;
}
