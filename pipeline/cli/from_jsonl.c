/*
 * from_jsonl.c: `tension ingest --from-jsonl FILE|-`: stores the documents
 * that `tension extract --jsonl --full` printed (on this machine or as the
 * mapper of a distributed job), without processing them again. Lines of
 * files the mapper could not read ("doc" and "errors" only) are reported and
 * counted as skipped; a document already stored with the same path, size,
 * mtime, sha256 and lexicon is left as it is.
 */
#include "cli.h"
#include "ingest_run.h"
#include "tm/docjson.h"
#include "tm/store.h"

#include <errno.h>
#include <jansson.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

static int is_current(tm_store *st, sqlite3_stmt *q, const tm_doc *doc, const tm_docjson_meta *m)
{
    (void)st;
    sqlite3_bind_text(q, 1, doc->path, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 2, m->size);
    sqlite3_bind_int64(q, 3, doc->mtime);
    sqlite3_bind_text(q, 4, doc->sha256, -1, SQLITE_STATIC);
    if (m->lexicon_hash)
        sqlite3_bind_text(q, 5, m->lexicon_hash, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(q, 5);
    int yes = sqlite3_step(q) == SQLITE_ROW;
    sqlite3_reset(q);
    sqlite3_clear_bindings(q);
    return yes;
}

int tm_cli_ingest_jsonl(const char *db, const char *file, tm_ingest_stats *stats)
{
    memset(stats, 0, sizeof *stats);
    int from_stdin = !strcmp(file, "-");
    const char *name = from_stdin ? "<stdin>" : file;
    FILE *in = from_stdin ? stdin : fopen(file, "r");
    if (!in) {
        tm_cli_error("%s: cannot open: %s", file, strerror(errno));
        return TM_EXIT_ERROR;
    }
    tm_store *st = NULL;
    sqlite3_stmt *q = NULL;
    tm_err err = {0};
    tm_doc doc;
    tm_doc_init(&doc);
    char *line = NULL;
    size_t cap = 0, lineno = 0;
    ssize_t n;
    int rc = TM_EXIT_OK;
    if (tm_store_open(&st, db, &err) != TM_OK) {
        tm_cli_error("%s", err.msg);
        rc = TM_EXIT_ERROR;
        goto cleanup;
    }
    if (sqlite3_prepare_v2(tm_store_db(st),
                           "SELECT 1 FROM documents WHERE path = ?1 AND size = ?2 AND mtime = ?3"
                           " AND sha256 = ?4 AND lexicon_hash IS ?5",
                           -1, &q, NULL) != SQLITE_OK) {
        tm_cli_error("%s: %s", db, sqlite3_errmsg(tm_store_db(st)));
        rc = TM_EXIT_ERROR;
        goto cleanup;
    }
    while ((n = getline(&line, &cap, in)) > 0) {
        lineno++;
        while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        if (!n) continue;
        char what[512];
        snprintf(what, sizeof what, "%s:%zu", name, lineno);
        json_error_t jerr;
        json_t *o = json_loadb(line, (size_t)n, 0, &jerr);
        if (!json_is_object(o)) {
            tm_cli_error("%s: not a JSON object (%s at column %d): give the output of"
                         " 'tension extract --jsonl --full'",
                         what, o ? "another JSON value" : jerr.text, jerr.column);
            json_decref(o);
            stats->skipped++;
            continue;
        }
        const json_t *full = json_object_get(o, "full");
        if (!full) {
            const char *doc_name = json_string_value(json_object_get(o, "doc"));
            const json_t *errs = json_object_get(o, "errors");
            if (!json_object_get(o, "sha256") && json_array_size(errs))
                tm_cli_error("%s: %s", what, json_string_value(json_array_get(errs, 0)));
            else
                tm_cli_error("%s: %s: no \"full\" object: run 'tension extract --jsonl --full'",
                             what, doc_name ? doc_name : "?");
            json_decref(o);
            stats->skipped++;
            continue;
        }
        tm_doc_reset(&doc);
        tm_err_clear(&err);
        tm_docjson_meta meta;
        if (tm_docjson_load(&doc, &meta, full, what, &err) != TM_OK) {
            tm_cli_error("%s", err.msg);
            json_decref(o);
            stats->skipped++;
            continue;
        }
        if (is_current(st, q, &doc, &meta)) {
            stats->unchanged++;
            json_decref(o);
            continue;
        }
        tm_store_meta sm = {meta.lexicon_version, meta.lexicon_hash, meta.size};
        int src = tm_store_doc(st, &doc, &sm, &err);
        json_decref(o);
        if (src != TM_OK) {
            tm_cli_error("%s: %s", what, err.msg);
            if (err.code == TM_EDB) {
                rc = TM_EXIT_ERROR;
                goto cleanup;
            }
            stats->skipped++;
            continue;
        }
        stats->stored++;
    }
    if (ferror(in)) {
        tm_cli_error("%s: read error: %s", name, strerror(errno));
        rc = TM_EXIT_ERROR;
    } else if (stats->skipped) {
        rc = TM_EXIT_SKIPPED;
    }
cleanup:
    free(line);
    tm_doc_dispose(&doc);
    sqlite3_finalize(q);
    tm_store_close(st);
    if (!from_stdin) fclose(in);
    return rc;
}
