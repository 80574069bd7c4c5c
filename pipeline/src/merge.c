/*
 * merge.c: copies documents and their derived rows from an attached shard
 * database (see merge.h). Column lists are read from the schema, so a table
 * or column added to the store later is merged without a change here.
 */
#include "tm/merge.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#define MAX_TABLES 32

typedef struct child {
    char name[64];
    sqlite3_stmt
        *copy; /* INSERT INTO main.T(cols) SELECT ?new, cols FROM src.T WHERE doc_id = ?old */
} child;

static int fail(sqlite3 *db, const char *in, const char *what, tm_err *err)
{
    return tm_err_set(err, TM_EDB, "%s: %s: %s", in, what, sqlite3_errmsg(db));
}

static int query_int(sqlite3 *db, const char *sql, int *out)
{
    sqlite3_stmt *s = NULL;
    int ok =
        sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW;
    if (ok) *out = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    return ok ? 0 : -1;
}

/* "a, b, c" of the columns of main.`table` other than `skip1`/`skip2`,
 * each prefixed with `prefix`. */
static int columns(sqlite3 *db, const char *table, const char *skip1, const char *skip2, char *out,
                   size_t cap, int *has_doc_id)
{
    char sql[128];
    snprintf(sql, sizeof sql, "PRAGMA main.table_info(\"%s\")", table);
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK) return -1;
    size_t w = 0;
    out[0] = '\0';
    if (has_doc_id) *has_doc_id = 0;
    while (sqlite3_step(s) == SQLITE_ROW) {
        const char *c = (const char *)sqlite3_column_text(s, 1);
        if (!c) continue;
        if (has_doc_id && !strcmp(c, "doc_id")) *has_doc_id = 1;
        if ((skip1 && !strcmp(c, skip1)) || (skip2 && !strcmp(c, skip2))) continue;
        int k = snprintf(out + w, cap - w, "%s\"%s\"", w ? ", " : "", c);
        if (k < 0 || (size_t)k >= cap - w) {
            sqlite3_finalize(s);
            return -1;
        }
        w += (size_t)k;
    }
    sqlite3_finalize(s);
    return 0;
}

int tm_merge_db(tm_store *out, const char *in_path, tm_merge_stats *stats, tm_err *err)
{
    sqlite3 *db = tm_store_db(out);
    sqlite3_stmt *att = NULL, *list = NULL, *look = NULL, *del = NULL, *ins = NULL, *tabs = NULL;
    child kids[MAX_TABLES];
    size_t nkids = 0;
    int rc = TM_OK, attached = 0, began = 0;
    char cols[2048], sql[4096 + 256];
    memset(kids, 0, sizeof kids);

    if (sqlite3_prepare_v2(db, "ATTACH DATABASE ?1 AS src", -1, &att, NULL) != SQLITE_OK) {
        rc = fail(db, in_path, "cannot attach", err);
        goto cleanup;
    }
    sqlite3_bind_text(att, 1, in_path, -1, SQLITE_STATIC);
    if (sqlite3_step(att) != SQLITE_DONE) {
        rc = fail(db, in_path, "cannot open the shard database", err);
        goto cleanup;
    }
    attached = 1;
    int app = 0, ver = 0, mver = 0;
    if (query_int(db, "PRAGMA src.application_id", &app) != 0 ||
        query_int(db, "PRAGMA src.user_version", &ver) != 0 ||
        query_int(db, "PRAGMA main.user_version", &mver) != 0) {
        rc = fail(db, in_path, "cannot read the shard database (is it a database?)", err);
        goto cleanup;
    }
    if (app != 0x546e736e || ver != mver) {
        rc = tm_err_set(err, TM_EDB,
                        "%s: not a tension database of schema version %d (application id %d,"
                        " version %d): open it once with this tension ('tension report --db"
                        " %s') or ingest the shard again",
                        in_path, mver, app, ver, in_path);
        goto cleanup;
    }
    if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        rc = fail(db, in_path, "cannot lock the output database", err);
        goto cleanup;
    }
    began = 1;

    /* every table of the output with a doc_id column, in schema order */
    if (sqlite3_prepare_v2(db,
                           "SELECT name FROM main.sqlite_master WHERE type = 'table' AND name NOT"
                           " LIKE 'sqlite_%' AND name <> 'documents' AND sql NOT LIKE"
                           " 'CREATE VIRTUAL%' ORDER BY rowid",
                           -1, &tabs, NULL) != SQLITE_OK) {
        rc = fail(db, in_path, "cannot read the schema", err);
        goto cleanup;
    }
    while (sqlite3_step(tabs) == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(tabs, 0);
        int has = 0;
        if (!t || strlen(t) >= sizeof kids[0].name ||
            columns(db, t, "doc_id", !strcmp(t, "sentences") ? "id" : NULL, cols, sizeof cols,
                    &has) != 0)
            continue;
        if (!has) continue;
        if (nkids == MAX_TABLES) {
            rc = tm_err_set(err, TM_EDB, "merge: more than %d tables", MAX_TABLES);
            goto cleanup;
        }
        child *k = &kids[nkids++];
        snprintf(k->name, sizeof k->name, "%s", t);
        /* sentences keep their order so that their new ids do too */
        snprintf(sql, sizeof sql,
                 "INSERT INTO main.\"%s\"(doc_id%s%s) SELECT ?1%s%s FROM src.\"%s\" WHERE"
                 " doc_id = ?2%s",
                 t, *cols ? ", " : "", cols, *cols ? ", " : "", cols, t,
                 !strcmp(t, "sentences") ? " ORDER BY idx" : "");
        if (sqlite3_prepare_v2(db, sql, -1, &k->copy, NULL) != SQLITE_OK) {
            rc = fail(db, in_path,
                      "cannot prepare a copy (do both databases have the same schema?)", err);
            goto cleanup;
        }
    }
    if (columns(db, "documents", "id", NULL, cols, sizeof cols, NULL) != 0) {
        rc = fail(db, in_path, "cannot read the documents table", err);
        goto cleanup;
    }
    snprintf(sql, sizeof sql,
             "INSERT INTO main.documents(%s) SELECT %s FROM src.documents WHERE id = ?1", cols,
             cols);
    if (sqlite3_prepare_v2(db, sql, -1, &ins, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(
            db, "SELECT id, path, sha256, mtime, lexicon_hash FROM src.documents ORDER BY id", -1,
            &list, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(
            db, "SELECT sha256, mtime, lexicon_hash IS ?2 FROM main.documents WHERE path = ?1", -1,
            &look, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "DELETE FROM main.documents WHERE path = ?1", -1, &del, NULL) !=
            SQLITE_OK) {
        rc = fail(db, in_path, "cannot prepare the merge", err);
        goto cleanup;
    }
    int src;
    while ((src = sqlite3_step(list)) == SQLITE_ROW) {
        sqlite3_int64 old = sqlite3_column_int64(list, 0);
        const char *path = (const char *)sqlite3_column_text(list, 1);
        const char *sha = (const char *)sqlite3_column_text(list, 2);
        sqlite3_int64 mtime = sqlite3_column_int64(list, 3);
        sqlite3_bind_text(look, 1, path, -1, SQLITE_STATIC);
        sqlite3_bind_value(look, 2, sqlite3_column_value(list, 4));
        int have = sqlite3_step(look) == SQLITE_ROW, replace = 0;
        if (have) {
            const char *osha = (const char *)sqlite3_column_text(look, 0);
            int same = osha && sha && !strcmp(osha, sha) && sqlite3_column_int(look, 2);
            replace = !same && mtime >= sqlite3_column_int64(look, 1);
        }
        sqlite3_reset(look);
        if (have && !replace) {
            stats->kept++;
            continue;
        }
        if (have) {
            sqlite3_bind_text(del, 1, path, -1, SQLITE_STATIC);
            int d = sqlite3_step(del);
            sqlite3_reset(del);
            if (d != SQLITE_DONE) {
                rc = fail(db, in_path, "cannot remove the older document", err);
                goto cleanup;
            }
        }
        sqlite3_bind_int64(ins, 1, old);
        int i = sqlite3_step(ins);
        sqlite3_reset(ins);
        if (i != SQLITE_DONE) {
            rc = fail(db, in_path, "cannot copy a document", err);
            goto cleanup;
        }
        sqlite3_int64 id = sqlite3_last_insert_rowid(db);
        for (size_t k = 0; k < nkids; k++) {
            sqlite3_bind_int64(kids[k].copy, 1, id);
            sqlite3_bind_int64(kids[k].copy, 2, old);
            int c = sqlite3_step(kids[k].copy);
            sqlite3_reset(kids[k].copy);
            if (c != SQLITE_DONE) {
                char what[128];
                snprintf(what, sizeof what, "cannot copy the rows of %s", kids[k].name);
                rc = fail(db, in_path, what, err);
                goto cleanup;
            }
        }
        if (have)
            stats->replaced++;
        else
            stats->added++;
    }
    if (src != SQLITE_DONE) {
        rc = fail(db, in_path, "cannot read the shard's documents", err);
        goto cleanup;
    }
    sqlite3_reset(list);
    if (tm_store_index_new_sentences(db) != SQLITE_OK) {
        rc = fail(db, in_path, "cannot index the merged sentences", err);
        goto cleanup;
    }
    if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        rc = fail(db, in_path, "cannot commit the merge", err);
        goto cleanup;
    }
    began = 0;
cleanup:
    for (size_t k = 0; k < nkids; k++)
        sqlite3_finalize(kids[k].copy);
    sqlite3_finalize(tabs);
    sqlite3_finalize(ins);
    sqlite3_finalize(list);
    sqlite3_finalize(look);
    sqlite3_finalize(del);
    sqlite3_finalize(att);
    if (began) sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    if (attached) sqlite3_exec(db, "DETACH DATABASE src", NULL, NULL, NULL);
    return rc;
}
