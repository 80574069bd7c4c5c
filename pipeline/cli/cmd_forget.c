/*
 * cmd_forget.c: `tension forget [--db PATH] DOC...`: removes documents and
 * everything derived from them, so that nothing of their text, names or
 * path stays in the database file.
 *
 * Deleting rows is not enough for personal data: SQLite leaves deleted
 * cells on free pages, FTS5 only records a delete marker until its segments
 * are merged, and the WAL keeps old page images. So the connection turns on
 * secure_delete (freed content is zeroed), the full-text index is merged
 * ('optimize' drops the deleted entries), and the WAL is checkpointed and
 * truncated.
 */
#include "cli.h"
#include "tm/store.h"

#include <sqlite3.h>
#include <string.h>
#include <sys/stat.h>

void tm_cmd_forget_help(FILE *out)
{
    fprintf(out,
            "usage: tension forget [--db PATH] DOC...\n\n"
            "Removes each document (its path exactly as stored by ingest) and everything derived\n"
            "from it: text, sections, sentences, speakers, mentions, signals, incidents, errors\n"
            "and its full-text index entries. Deleted content is overwritten, the full-text index\n"
            "merged and the write-ahead log truncated, so nothing of it stays in the file.\n\n"
            "  --db PATH    database (default: tension.db)\n"
            "  -h, --help   show this help\n\n"
            "Exit status: 0, 1 if a DOC was not in the database, 3 if the database failed.\n");
}

/* 1 if `path` is stored, 0 if not, -1 on error. */
static int is_stored(sqlite3 *db, const char *path)
{
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v2(db, "SELECT 1 FROM documents WHERE path = ?1", -1, &s, NULL);
    if (rc == SQLITE_OK) rc = sqlite3_bind_text(s, 1, path, -1, SQLITE_STATIC);
    if (rc == SQLITE_OK) rc = sqlite3_step(s);
    sqlite3_finalize(s);
    return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

/* Constant SQL only: every value goes through bound parameters. */
static int exec_const(sqlite3 *db, const char *dbpath, const char *sql, const char *what)
{
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK) return 0;
    tm_cli_error("%s: %s: %s", dbpath, what, sqlite3_errmsg(db));
    return -1;
}

int tm_cmd_forget(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    const char *dbpath = "tension.db";
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "hd:", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            dbpath = optarg;
            break;
        case 'h':
            tm_cmd_forget_help(stdout);
            return TM_EXIT_OK;
        default:
            tm_cmd_forget_help(stderr);
            return TM_EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        tm_cli_error("forget needs at least one document path; see 'tension forget --help'");
        return TM_EXIT_USAGE;
    }
    struct stat sb;
    if (stat(dbpath, &sb) != 0) {
        tm_cli_error("%s: no such database: give the one the documents were ingested into", dbpath);
        return TM_EXIT_ERROR;
    }
    tm_store *st = NULL;
    tm_err err = {0};
    if (tm_store_open(&st, dbpath, &err) != TM_OK) {
        tm_cli_error("%s", err.msg);
        return TM_EXIT_ERROR;
    }
    sqlite3 *db = tm_store_db(st);
    int rc = TM_EXIT_OK;
    size_t forgotten = 0;
    if (exec_const(db, dbpath, "PRAGMA secure_delete = ON", "cannot turn on secure_delete") != 0) {
        rc = TM_EXIT_ERROR;
        goto cleanup;
    }
    for (int i = optind; i < argc; i++) {
        int stored = is_stored(db, argv[i]);
        if (stored < 0) {
            tm_cli_error("%s: cannot look up %s: %s", dbpath, argv[i], sqlite3_errmsg(db));
            rc = TM_EXIT_ERROR;
            goto cleanup;
        }
        if (!stored) {
            tm_cli_error("%s: not in %s (give the path exactly as ingest stored it)", argv[i],
                         dbpath);
            rc = TM_EXIT_SKIPPED;
            continue;
        }
        if (tm_store_remove(st, argv[i], &err) != TM_OK) {
            tm_cli_error("%s", err.msg);
            rc = TM_EXIT_ERROR;
            goto cleanup;
        }
        forgotten++;
    }
    if (forgotten &&
        (exec_const(db, dbpath, "INSERT INTO sentences_fts(sentences_fts) VALUES ('optimize')",
                    "cannot merge the full-text index") != 0 ||
         exec_const(db, dbpath, "PRAGMA wal_checkpoint(TRUNCATE)",
                    "cannot checkpoint the write-ahead log") != 0))
        rc = TM_EXIT_ERROR;
    fprintf(stderr, "tension: %s: %zu document(s) forgotten\n", dbpath, forgotten);
cleanup:
    tm_store_close(st);
    return rc;
}
