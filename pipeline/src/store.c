/*
 * store.c: the SQLite schema, its migrations and the per-document writer.
 *
 * Each document goes in through cached prepared statements inside one
 * transaction (a savepoint inside a batch), so a crash, a full disk or a bad
 * record never leaves a document half-stored. Replacing a document deletes
 * its row and the rows that cascade from it (by hand: foreign keys are off
 * in a batch, see batch_ended), and the triggers on `sentences` keep the
 * external-content FTS5 index in step.
 */
#include "tm/store.h"
#include "tm/aggregate.h"
#include "tm/source.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * Schema version 1. Design notes:
 * - The normalised text lives in document_texts, not documents, so that
 *   scans of the documents table for periods never page through 100 MB.
 * - Child tables are WITHOUT ROWID keyed by (doc_id, idx): replacing a
 *   document deletes a contiguous key range per table.
 * - start/end columns are FILE byte offsets (tm_doc_raw_offset); sentences
 *   also keep text_start/text_end into document_texts.text for re-tagging.
 *   Converted documents (Word, PDF, HTML, e-mail: see convert.h) have no
 *   file offsets, so there start/end index document_texts.text as well.
 * - Section title, speaker and role are copied onto sentences and signals so
 *   that evidence queries need no joins.
 * - mentions_count and signals_count covered the counting scans of
 *   aggregate.c (version 5 drops them: doc_tallies counts instead).
 */
static const char schema_v1[] =
    "CREATE TABLE documents("
    " id INTEGER PRIMARY KEY,"
    " path TEXT NOT NULL UNIQUE,"
    " sha256 TEXT NOT NULL,"
    " size INTEGER NOT NULL,"
    " mtime INTEGER NOT NULL,"
    " kind TEXT NOT NULL,"
    " date TEXT,"
    " period_date TEXT,"
    " period_week TEXT, period_month TEXT, period_quarter TEXT, period_fyear TEXT,"
    " next_meeting TEXT,"
    " title TEXT,"
    " location TEXT,"
    " encoding TEXT NOT NULL,"
    " words INTEGER NOT NULL,"
    " sentences INTEGER NOT NULL,"
    " lexicon_version TEXT,"
    " lexicon_hash TEXT,"
    " ingested_at TEXT NOT NULL);"
    "CREATE INDEX documents_period_date ON documents(period_date);"
    "CREATE INDEX documents_period_week ON documents(period_week);"
    "CREATE INDEX documents_period_month ON documents(period_month);"
    "CREATE INDEX documents_period_quarter ON documents(period_quarter);"
    "CREATE INDEX documents_period_fyear ON documents(period_fyear);"
    "CREATE TABLE document_texts("
    " doc_id INTEGER PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,"
    " text TEXT NOT NULL);"
    "CREATE TABLE sections("
    " doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,"
    " idx INTEGER NOT NULL,"
    " number TEXT, title TEXT, level INTEGER NOT NULL, parent INTEGER NOT NULL,"
    " deferred INTEGER NOT NULL, start INTEGER NOT NULL, end INTEGER NOT NULL,"
    " PRIMARY KEY(doc_id, idx)) WITHOUT ROWID;"
    "CREATE TABLE speakers("
    " doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,"
    " idx INTEGER NOT NULL,"
    " initials TEXT NOT NULL, role TEXT, sentences INTEGER NOT NULL,"
    " in_table INTEGER NOT NULL,"
    " PRIMARY KEY(doc_id, idx)) WITHOUT ROWID;"
    "CREATE TABLE sentences("
    " id INTEGER PRIMARY KEY,"
    " doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,"
    " idx INTEGER NOT NULL,"
    " start INTEGER NOT NULL, end INTEGER NOT NULL,"
    " text_start INTEGER NOT NULL, text_end INTEGER NOT NULL,"
    " section_idx INTEGER NOT NULL, section TEXT,"
    " speaker_idx INTEGER NOT NULL, speaker TEXT, role TEXT,"
    " flags INTEGER NOT NULL,"
    " text TEXT NOT NULL,"
    " UNIQUE(doc_id, idx));"
    "CREATE VIRTUAL TABLE sentences_fts USING fts5(text, content='sentences',"
    " content_rowid='id', tokenize='porter unicode61 remove_diacritics 2');"
    "CREATE TRIGGER sentences_ai AFTER INSERT ON sentences BEGIN"
    " INSERT INTO sentences_fts(rowid, text) VALUES (new.id, new.text); END;"
    "CREATE TRIGGER sentences_ad AFTER DELETE ON sentences BEGIN"
    " INSERT INTO sentences_fts(sentences_fts, rowid, text) VALUES ('delete', old.id, old.text);"
    " END;"
    "CREATE TRIGGER sentences_au AFTER UPDATE OF text ON sentences BEGIN"
    " INSERT INTO sentences_fts(sentences_fts, rowid, text) VALUES ('delete', old.id, old.text);"
    " INSERT INTO sentences_fts(rowid, text) VALUES (new.id, new.text); END;"
    "CREATE TABLE mentions("
    " doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,"
    " idx INTEGER NOT NULL,"
    " category TEXT NOT NULL, identifier TEXT NOT NULL, canonical TEXT NOT NULL,"
    " start INTEGER NOT NULL, end INTEGER NOT NULL, sentence INTEGER NOT NULL,"
    " negated INTEGER NOT NULL, dropped INTEGER NOT NULL, weight REAL NOT NULL,"
    " PRIMARY KEY(doc_id, idx)) WITHOUT ROWID;"
    "CREATE INDEX mentions_count ON mentions(category, negated, dropped, doc_id, identifier,"
    " canonical);"
    "CREATE TABLE signals("
    " doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,"
    " idx INTEGER NOT NULL,"
    " community TEXT NOT NULL, theme TEXT NOT NULL, theme_category TEXT NOT NULL,"
    " polarity TEXT NOT NULL, eep TEXT NOT NULL,"
    " negated INTEGER NOT NULL, via_paragraph INTEGER NOT NULL, weight REAL NOT NULL,"
    " sentence INTEGER NOT NULL, start INTEGER NOT NULL, end INTEGER NOT NULL,"
    " section TEXT, speaker TEXT, role TEXT,"
    " PRIMARY KEY(doc_id, idx)) WITHOUT ROWID;"
    "CREATE INDEX signals_count ON signals(negated, doc_id, community, theme, polarity, eep);"
    "CREATE TABLE incidents("
    " doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,"
    " idx INTEGER NOT NULL,"
    " theme TEXT NOT NULL, sentence INTEGER NOT NULL,"
    " start INTEGER NOT NULL, end INTEGER NOT NULL,"
    " date TEXT, place TEXT, negated INTEGER NOT NULL,"
    " PRIMARY KEY(doc_id, idx)) WITHOUT ROWID;"
    "CREATE TABLE errors("
    " doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,"
    " idx INTEGER NOT NULL,"
    " message TEXT NOT NULL,"
    " PRIMARY KEY(doc_id, idx)) WITHOUT ROWID;";

/*
 * Schema version 2: document_sources keeps what the text lacks of the file's
 * bytes (source.h), so `ingest --retag` rebuilds a document exactly without
 * reading the file. No row when the text is the bytes.
 */
static const char schema_v2[] =
    "CREATE TABLE document_sources("
    " doc_id INTEGER PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,"
    " kind TEXT NOT NULL, data BLOB NOT NULL);";

/*
 * Schema version 3: new sentences enter the full-text index once per
 * transaction (tm_store_index_new_sentences) instead of by a per-row trigger:
 * FTS5 indexes a batch ten times faster than row by row. Deletions and
 * updates keep their triggers (they need the old text, and are rare).
 */
static const char schema_v3[] = "DROP TRIGGER sentences_ai;";

/*
 * Schema version 4: doc_tallies holds per document what the report counts,
 * so that a report reads a row per document and key instead of one per
 * mention or signal (the 100 MB bench database: 3.57M mentions and 813k
 * signals, against 9463 documents). Rows are counts of live rows:
 * - kind = a mention category: k1 its key (places by canonical name, other
 *   categories by identifier, as aggregate.c counts them), k2-k4 '';
 * - kind = 'signal': k1-k4 = community, theme, polarity, eep.
 * They are derived from the mentions and signals by TALLY_SELECT, here for
 * the existing documents, and by store_tallies() for each document stored
 * (the same rows, counted in C from the document), in the same
 * transaction: the tallies cannot disagree with the rows.
 */
#define TALLY_SELECT(where)                                                                        \
    "SELECT doc_id, category, CASE WHEN category = 'place' THEN canonical ELSE identifier END,"    \
    " '', '', '', count(*) FROM mentions WHERE " where " negated = 0 AND dropped = 0"              \
    " GROUP BY doc_id, category, 3"                                                                \
    " UNION ALL SELECT doc_id, 'signal', community, theme, polarity, eep, count(*) FROM signals"   \
    " WHERE " where " negated = 0 GROUP BY doc_id, community, theme, polarity, eep"
#define TALLY_INSERT "INSERT INTO doc_tallies(doc_id, kind, k1, k2, k3, k4, count) "
#define TALLY_ALL TALLY_INSERT TALLY_SELECT("")
/* The GROUP BY sorts every live mention of the database once (migrations run
 * with temp_store = FILE: see migrate()). */
static const char schema_v4[] =
    "CREATE TABLE doc_tallies("
    " doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,"
    " kind TEXT NOT NULL, k1 TEXT NOT NULL, k2 TEXT NOT NULL, k3 TEXT NOT NULL,"
    " k4 TEXT NOT NULL, count INTEGER NOT NULL,"
    " PRIMARY KEY(doc_id, kind, k1, k2, k3, k4)) WITHOUT ROWID;" TALLY_ALL ";";

/*
 * Schema version 5: mentions_count and signals_count go. Every count the
 * report, the summary and search make now reads doc_tallies, or a
 * document's rows through the (doc_id, idx) key after doc_tallies said it
 * has some; keeping the two indexes up to date was a third of the writer's
 * SQLite work (callgrind, 100 documents: 1104 M instructions with them,
 * 744 M without).
 */
static const char schema_v5[] = "DROP INDEX IF EXISTS mentions_count;"
                                "DROP INDEX IF EXISTS signals_count;";

/*
 * Schema version 6: sentence_tallies holds, per sentence, what the report's
 * levels and upcoming events read, so that neither reads mention rows (the
 * 100 MB bench database: 3.57M mentions, against 122k tone and 32k event
 * rows here). Rows are counts of live mentions of one sentence, with the
 * smallest start and the smallest end among them (file offsets):
 * - kind = 'tone': k a tone identifier, only in sentences that carry a live
 *   signal (the levels weigh a signal by its sentence's tone). Identifiers,
 *   not concern / reassure: the polarity is the lexicon's, which the report
 *   loads, as it did reading the mentions;
 * - kind = 'event': k '', the sentence's live cue `event` and indicator
 *   `planned_event` mentions (tm_agg_events).
 * SENTENCE_TALLY_SELECT derives them for the existing documents, and
 * store_sentence_tallies() counts the same rows in C for each document
 * stored, in the same transaction.
 */
#define SENTENCE_TALLY_SELECT                                                                      \
    "SELECT doc_id, 'tone', sentence, identifier, count(*), min(start), min(end) FROM mentions"    \
    " WHERE category = 'tone' AND negated = 0 AND dropped = 0 AND (doc_id, sentence) IN"           \
    " (SELECT doc_id, sentence FROM signals WHERE negated = 0)"                                    \
    " GROUP BY doc_id, sentence, identifier"                                                       \
    " UNION ALL SELECT doc_id, 'event', sentence, '', count(*), min(start), min(end)"              \
    " FROM mentions WHERE ((category = 'cue' AND identifier = 'event') OR (category = 'indicator'" \
    " AND identifier = 'planned_event')) AND negated = 0 AND dropped = 0"                          \
    " GROUP BY doc_id, sentence"
static const char schema_v6[] =
    "CREATE TABLE sentence_tallies("
    " doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,"
    " kind TEXT NOT NULL, sentence INTEGER NOT NULL, k TEXT NOT NULL,"
    " count INTEGER NOT NULL, start INTEGER NOT NULL, end INTEGER NOT NULL,"
    " PRIMARY KEY(doc_id, kind, sentence, k)) WITHOUT ROWID;"
    "INSERT INTO sentence_tallies(doc_id, kind, sentence, k, count, start, end)"
    " " SENTENCE_TALLY_SELECT ";";

/* migrations[v] takes a database from user_version v to v + 1. */
static const char *const migrations[TM_STORE_SCHEMA_VERSION] = {schema_v1, schema_v2, schema_v3,
                                                                schema_v4, schema_v5, schema_v6};

enum {
    S_IS_CURRENT,
    S_DELETE_DOC,
    S_DOC_ID,
    S_INSERT_DOC,
    S_INSERT_TEXT,
    S_INSERT_ERROR,
    S_INSERT_SOURCE,
    S_FIND_DOC,
    S_DOC_SENTENCES,
    S_UPDATE_DOC,
    S__COUNT
};

static const char *const stmt_sql[S__COUNT] = {
    [S_IS_CURRENT] = "SELECT 1 FROM documents WHERE path = ?1 AND size = ?2 AND mtime = ?3"
                     " AND sha256 = ?4",
    [S_DELETE_DOC] = "DELETE FROM documents WHERE id = ?1",
    [S_DOC_ID] = "SELECT id FROM documents WHERE path = ?1",
    [S_INSERT_DOC] =
        "INSERT INTO documents(path, sha256, size, mtime, kind, date, period_date,"
        " period_week, period_month, period_quarter, period_fyear, next_meeting, title,"
        " location, encoding, words, sentences, lexicon_version, lexicon_hash, ingested_at)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,"
        " ?18, ?19, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
    [S_INSERT_TEXT] = "INSERT INTO document_texts(doc_id, text) VALUES (?1, ?2)",
    [S_INSERT_ERROR] = "INSERT INTO errors(doc_id, idx, message) VALUES (?1, ?2, ?3)",
    [S_INSERT_SOURCE] = "INSERT INTO document_sources(doc_id, kind, data) VALUES (?1, ?2, ?3)",
    [S_FIND_DOC] = "SELECT d.id, t.text FROM documents d JOIN document_texts t ON t.doc_id = d.id"
                   " WHERE d.path = ?1",
    [S_DOC_SENTENCES] =
        "SELECT start, end, text_start, text_end, section_idx, section, speaker_idx,"
        " speaker, role, flags FROM sentences WHERE doc_id = ?1 ORDER BY idx",
    /* the parameters of S_INSERT_DOC, and the id */
    [S_UPDATE_DOC] =
        "UPDATE documents SET path = ?1, sha256 = ?2, size = ?3, mtime = ?4, kind = ?5, date = ?6,"
        " period_date = ?7, period_week = ?8, period_month = ?9, period_quarter = ?10,"
        " period_fyear = ?11, next_meeting = ?12, title = ?13, location = ?14, encoding = ?15,"
        " words = ?16, sentences = ?17, lexicon_version = ?18, lexicon_hash = ?19,"
        " ingested_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = ?20",
};

/*
 * The per-document child rows go in through multi-row INSERTs: one statement
 * of up to TM_STORE_ROWS rows costs one statement start and halt, one set of
 * cursors and one foreign-key check setup instead of one per row, which was
 * a third of the writer's time for rows this small. Each table has one
 * statement per power of two rows (1, 2, 4, ... TM_STORE_ROWS), prepared
 * when first needed; a document's rows are split into the largest that fit.
 *
 * A statement of several rows that could fail halfway keeps a statement
 * journal (a copy of every page it changes that existed before it, to undo
 * the rows already written): that copying cost as much as the rows saved.
 * OR FAIL and foreign keys off inside a batch (tm_store_begin) make every
 * failure stop without undoing the statement; tm_store_doc then rolls the
 * whole document back (its savepoint), so no row of it stays either way.
 */
enum {
    R_SECTION,
    R_SPEAKER,
    R_SENTENCE,
    R_MENTION,
    R_SIGNAL,
    R_INCIDENT,
    R_TALLY,
    R_SENTENCE_TALLY,
    R__COUNT
};

#define TM_STORE_ROWS_LOG2 5
#define TM_STORE_ROWS (1 << TM_STORE_ROWS_LOG2)

static const struct row_table {
    const char *head; /* INSERT INTO table(columns): the VALUES follow */
    int ncols;
    const char *what; /* for the message */
} row_tables[R__COUNT] = {
    [R_SECTION] =
        {"INSERT OR FAIL INTO sections(doc_id, idx, number, title, level, parent, deferred,"
         " start, end)",
         9, "cannot insert a section"},
    [R_SPEAKER] = {"INSERT OR FAIL INTO speakers(doc_id, idx, initials, role, sentences, in_table)",
                   6, "cannot insert a speaker"},
    [R_SENTENCE] = {"INSERT OR FAIL INTO sentences(doc_id, idx, start, end, text_start, text_end,"
                    " section_idx, section, speaker_idx, speaker, role, flags, text)",
                    13, "cannot insert a sentence"},
    [R_MENTION] =
        {"INSERT OR FAIL INTO mentions(doc_id, idx, category, identifier, canonical, start,"
         " end, sentence, negated, dropped, weight)",
         11, "cannot insert a mention"},
    [R_SIGNAL] =
        {"INSERT OR FAIL INTO signals(doc_id, idx, community, theme, theme_category, polarity,"
         " eep, negated, via_paragraph, weight, sentence, start, end, section,"
         " speaker, role)",
         16, "cannot insert a signal"},
    [R_INCIDENT] =
        {"INSERT OR FAIL INTO incidents(doc_id, idx, theme, sentence, start, end, date, place,"
         " negated)",
         9, "cannot insert an incident"},
    [R_TALLY] = {"INSERT OR FAIL INTO doc_tallies(doc_id, kind, k1, k2, k3, k4, count)", 7,
                 "cannot insert the document's tallies"},
    [R_SENTENCE_TALLY] = {"INSERT OR FAIL INTO sentence_tallies(doc_id, kind, sentence, k, count,"
                          " start, end)",
                          7, "cannot insert the sentence tallies"},
};

/* Tables with a doc_id column other than documents, sentences and
 * document_texts: what a document re-stored with the same text and
 * sentences replaces (see store_in_place). */
#define TM_STORE_MAX_CHILDREN 16

struct tm_store {
    sqlite3 *db;
    char *path;                   /* for messages */
    int batch;                    /* inside tm_store_begin() */
    sqlite3_stmt *stmt[S__COUNT]; /* prepared once at open */
    /* DELETE FROM <child> WHERE doc_id = ?1, for each TM_STORE_MAX_CHILDREN
     * table; read from the schema, so a table added later is not missed */
    sqlite3_stmt *child_delete[TM_STORE_MAX_CHILDREN];
    int nchildren;
    /* DELETE FROM <table> WHERE <column> = ?1 for each foreign key to
     * documents(id) with ON DELETE CASCADE, read from the schema: the
     * cascade, done by hand because a batch turns foreign keys off */
    sqlite3_stmt *cascade[TM_STORE_MAX_CHILDREN];
    int ncascade;
    /* rows[t][k]: INSERT of 2^k rows into row_tables[t], NULL until used */
    sqlite3_stmt *rows[R__COUNT][TM_STORE_ROWS_LOG2 + 1];
};

/* What to do about a failing SQLite call, for the message. */
static const char *db_hint(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_FULL:
        return " (the disk or the database size limit is full: free space and run again)";
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return " (another process kept the database locked for 10 s: retry when it is done)";
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_CANTOPEN:
        return " (check that the database and its directory are writable)";
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
        return " (not a tension database or damaged: give another database path)";
    case SQLITE_NOMEM:
        return " (out of memory)";
    default:
        return "";
    }
}

/* Translates a SQLite failure into the error record, once, here. */
static int db_fail(tm_store *st, int rc, const char *what, tm_err *err)
{
    return tm_err_set(err, (rc & 0xff) == SQLITE_NOMEM ? TM_ENOMEM : TM_EDB, "%s: %s: %s%s",
                      st->path, what, sqlite3_errmsg(st->db), db_hint(rc));
}

static int exec_sql(tm_store *st, const char *sql, const char *what, tm_err *err)
{
    int rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? TM_OK : db_fail(st, rc, what, err);
}

/* Steps a statement that returns no rows, then resets it for reuse. The
 * bindings are not cleared: every caller binds every parameter before each
 * step (clearing was a tenth of the cost of a small insert). */
static int step_done(tm_store *st, sqlite3_stmt *s, const char *what, tm_err *err)
{
    int rc = sqlite3_step(s);
    int ret = rc == SQLITE_DONE ? TM_OK : db_fail(st, rc, what, err);
    sqlite3_reset(s);
    return ret;
}

/* Binds NULL for a NULL or empty string: "" means "none" in tm_doc. */
static int bind_opt(sqlite3_stmt *s, int i, const char *v)
{
    return v && *v ? sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC) : sqlite3_bind_null(s, i);
}

static int bind_str(sqlite3_stmt *s, int i, const char *v)
{
    return sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
}

static int bind_i64(sqlite3_stmt *s, int i, int64_t v)
{
    return sqlite3_bind_int64(s, i, v);
}

/* ------------------------------------------------------------------ open */

/* Creates the file with mode 0600 before SQLite sees it: SQLite would create
 * it 0644 & ~umask, and its -wal/-shm files copy the database's mode. */
static int create_private(const char *path, tm_err *err)
{
    if (strcmp(path, ":memory:") == 0 || strncmp(path, "file:", 5) == 0 || !*path) return TM_OK;
    int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        if (errno == EEXIST)
            return TM_OK; /* an existing database keeps the mode its owner gave it */
        return tm_err_set(err, TM_EIO, "%s: cannot create the database: %s", path, strerror(errno));
    }
    /* the umask could only have removed bits; this makes it exactly 0600 */
    int ok = fchmod(fd, 0600) == 0;
    int e = errno;
    close(fd);
    if (!ok) return tm_err_set(err, TM_EIO, "%s: cannot set mode 0600: %s", path, strerror(e));
    return TM_OK;
}

/* A number in the file header that says "this is a tension database", so
 * that another program's database is refused rather than written into. */
#define TM_STORE_APPLICATION_ID 0x546e736e /* "Tnsn" */

static int read_int(tm_store *st, const char *sql, int *out, tm_err *err)
{
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);
    if (rc == SQLITE_OK) rc = sqlite3_step(s);
    if (rc != SQLITE_ROW) {
        int ret = db_fail(st, rc, "cannot read the database header", err);
        sqlite3_finalize(s);
        return ret;
    }
    *out = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    return TM_OK;
}

/* One migration step in its own write transaction. The version is read
 * again under the write lock, so two processes opening a new database at
 * once do not both create the tables. */
static int migrate_step(tm_store *st, int *version, tm_err *err)
{
    int rc = exec_sql(st, "BEGIN IMMEDIATE", "cannot lock the database to create its tables", err);
    if (rc != TM_OK) return rc;
    int v = 0, tables = 0;
    if ((rc = read_int(st, "PRAGMA user_version", &v, err)) != TM_OK) goto cleanup;
    if (v == 0) {
        if ((rc = read_int(st, "SELECT count(*) FROM sqlite_master", &tables, err)) != TM_OK)
            goto cleanup;
        if (tables) {
            rc = tm_err_set(err, TM_EDB,
                            "%s: holds tables of another program: give a new or"
                            " a tension database path",
                            st->path);
            goto cleanup;
        }
    }
    if (v < TM_STORE_SCHEMA_VERSION) {
        char sql[128];
        if ((rc = exec_sql(st, migrations[v], "cannot create or migrate the schema", err)) != TM_OK)
            goto cleanup;
        snprintf(sql, sizeof sql, "PRAGMA user_version = %d; PRAGMA application_id = %d", v + 1,
                 TM_STORE_APPLICATION_ID);
        if ((rc = exec_sql(st, sql, "cannot record the schema version", err)) != TM_OK)
            goto cleanup;
        v++;
    }
    if ((rc = exec_sql(st, "COMMIT", "cannot commit the schema", err)) == TM_OK) *version = v;
cleanup:
    if (rc != TM_OK && !sqlite3_get_autocommit(st->db))
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

/* Checks the file is ours (or new) and brings its schema to
 * TM_STORE_SCHEMA_VERSION, one transaction per step. */
static int migrate(tm_store *st, tm_err *err)
{
    int version = 0, app = 0;
    int rc = read_int(st, "PRAGMA application_id", &app, err);
    if (rc != TM_OK) return rc;
    if (app != 0 && app != TM_STORE_APPLICATION_ID)
        return tm_err_set(err, TM_EDB,
                          "%s: is another program's database (application id"
                          " %d): give a new or a tension database path",
                          st->path, app);
    if ((rc = read_int(st, "PRAGMA user_version", &version, err)) != TM_OK) return rc;
    /* A migration's sorts (v4's GROUP BY) and statement journal (v5's DROP
     * INDEX keeps the old image of every page it frees) grow with the
     * database: in temporary files, not the connection's usual memory. The
     * 100 MB bench database peaked at 335 MB migrating to v4 and 216 MB to
     * v5 in memory; a 1 GB corpus's database at 1.7 GB to v5. */
    if (version < TM_STORE_SCHEMA_VERSION &&
        (rc = exec_sql(st, "PRAGMA temp_store = FILE", "cannot set the connection options", err)) !=
            TM_OK)
        return rc;
    while (rc == TM_OK && version < TM_STORE_SCHEMA_VERSION)
        rc = migrate_step(st, &version, err);
    if (rc == TM_OK)
        rc = exec_sql(st, "PRAGMA temp_store = MEMORY", "cannot set the connection options", err);
    if (rc != TM_OK) return rc;
    if (version > TM_STORE_SCHEMA_VERSION)
        return tm_err_set(err, TM_EDB,
                          "%s: database schema version %d is newer than this tension %s reads"
                          " (%d): upgrade tension or use another database",
                          st->path, version, TM_VERSION, TM_STORE_SCHEMA_VERSION);
    return TM_OK;
}

/* The connection's options, then the schema (created or migrated). */
static int migrate_when_ready(tm_store *st, tm_err *err)
{
    /* NORMAL is safe from corruption in WAL mode; a power cut may lose the
     * last documents, which the next run stores again. A 32 MB page cache and
     * checkpoints every 16 MB of WAL: bulk loads touch many index pages, and
     * checkpointing them every 4 MB (the default) costs more than storing
     * them; memory stays well under the 100 MB budget. */
    int rc = exec_sql(st,
                      "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;"
                      " PRAGMA cache_size = -32768; PRAGMA wal_autocheckpoint = 4000;"
                      " PRAGMA temp_store = MEMORY",
                      "cannot set the connection options", err);
    return rc != TM_OK ? rc : migrate(st, err);
}

/* Prepares "DELETE FROM <table> WHERE <column> = ?1" for every (table,
 * column) row of `schema_query`, into out[0..*n). The tables come from the
 * schema itself, so that a table added later is not missed. */
static int prepare_deletes(tm_store *st, const char *schema_query, sqlite3_stmt **out, int *n,
                           tm_err *err)
{
    sqlite3_stmt *q = NULL;
    int rc = sqlite3_prepare_v2(st->db, schema_query, -1, &q, NULL);
    if (rc != SQLITE_OK) return db_fail(st, rc, "cannot read the schema", err);
    int ret = TM_OK;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(q, 0);
        const char *c = (const char *)sqlite3_column_text(q, 1);
        char sql[200];
        if (!t || !c || strlen(t) > 64 || strlen(c) > 64 || *n == TM_STORE_MAX_CHILDREN) {
            ret = tm_err_set(err, TM_EDB, "%s: unexpected table %s in the schema", st->path,
                             t ? t : "?");
            break;
        }
        snprintf(sql, sizeof sql, "DELETE FROM \"%s\" WHERE \"%s\" = ?1", t, c);
        rc = sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &out[*n], NULL);
        if (rc != SQLITE_OK) {
            ret = db_fail(st, rc, "cannot prepare a statement", err);
            break;
        }
        (*n)++;
    }
    if (ret == TM_OK && rc != SQLITE_DONE) ret = db_fail(st, rc, "cannot read the schema", err);
    sqlite3_finalize(q);
    return ret;
}

/* The deletes of store_in_place: one per table that has a doc_id column,
 * except the ones it keeps (sentences, document_texts) and the full-text
 * index's own tables. */
static int prepare_child_deletes(tm_store *st, tm_err *err)
{
    return prepare_deletes(
        st,
        "SELECT m.name, 'doc_id' FROM sqlite_master m WHERE m.type = 'table' AND m.name NOT IN"
        " ('documents', 'sentences', 'document_texts') AND m.name NOT LIKE 'sqlite_%'"
        " AND m.sql NOT LIKE 'CREATE VIRTUAL%' AND EXISTS (SELECT 1 FROM"
        " pragma_table_info(m.name) c WHERE c.name = 'doc_id') ORDER BY m.name",
        st->child_delete, &st->nchildren, err);
}

/* The deletes of delete_document: one per foreign key that cascades from
 * documents. */
static int prepare_cascade_deletes(tm_store *st, tm_err *err)
{
    return prepare_deletes(
        st,
        "SELECT m.name, f.\"from\" FROM sqlite_master m, pragma_foreign_key_list(m.name) f"
        " WHERE m.type = 'table' AND f.\"table\" = 'documents' AND f.on_delete = 'CASCADE'"
        " ORDER BY m.name",
        st->cascade, &st->ncascade, err);
}

/* SQLite keeps allocation statistics (sqlite3_memory_used) under a global
 * mutex taken on every malloc and free, about 5% of a bulk insert; tension
 * never reads them. This must precede SQLite's initialisation, which the
 * first open does; later calls return SQLITE_MISUSE and change nothing. The
 * first tm_store_open runs before any worker thread starts. */
static void quiet_allocator(void)
{
    static int done;
    if (!done) {
        done = 1;
        sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    }
}

static void finalize_statements(tm_store *st)
{
    for (int i = 0; i < S__COUNT; i++) {
        sqlite3_finalize(st->stmt[i]);
        st->stmt[i] = NULL;
    }
    for (int i = 0; i < st->nchildren; i++) {
        sqlite3_finalize(st->child_delete[i]);
        st->child_delete[i] = NULL;
    }
    st->nchildren = 0;
    for (int i = 0; i < st->ncascade; i++) {
        sqlite3_finalize(st->cascade[i]);
        st->cascade[i] = NULL;
    }
    st->ncascade = 0;
    for (int t = 0; t < R__COUNT; t++)
        for (int k = 0; k <= TM_STORE_ROWS_LOG2; k++) {
            sqlite3_finalize(st->rows[t][k]);
            st->rows[t][k] = NULL;
        }
}

static int prepare_statements(tm_store *st, tm_err *err)
{
    for (int i = 0; i < S__COUNT; i++) {
        int src = sqlite3_prepare_v3(st->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
                                     &st->stmt[i], NULL);
        if (src != SQLITE_OK) return db_fail(st, src, "cannot prepare a statement", err);
    }
    int rc = prepare_child_deletes(st, err);
    return rc != TM_OK ? rc : prepare_cascade_deletes(st, err);
}

int tm_store_open(tm_store **out, const char *path, tm_err *err)
{
    *out = NULL;
    int rc = TM_OK;
    if (!path) return tm_err_set(err, TM_EINVAL, "tm_store_open: no database path given");
    tm_store *st = tm_calloc(1, sizeof *st);
    if (!st) return tm_err_set(err, TM_ENOMEM, "%s: out of memory opening the database", path);
    st->path = tm_strndup(path, strlen(path));
    if (!st->path) {
        rc = tm_err_set(err, TM_ENOMEM, "%s: out of memory opening the database", path);
        goto cleanup;
    }
    if ((rc = create_private(path, err)) != TM_OK) goto cleanup;
    quiet_allocator();
    /* NOMUTEX: a tm_store is never shared between threads (store.h), so the
     * connection needs no mutex of its own around every bind and step. */
    int src = sqlite3_open_v2(
        path, &st->db,
        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, NULL);
    if (src != SQLITE_OK) {
        rc = st->db ? db_fail(st, src, "cannot open the database", err)
                    : tm_err_set(err, TM_ENOMEM, "%s: out of memory opening the database", path);
        goto cleanup;
    }
    sqlite3_extended_result_codes(st->db, 1);
    sqlite3_busy_timeout(st->db, 10000);
    /* journal_mode answers with a row; exec ignores it. A file that is not a
     * database fails here, the first time SQLite reads it. */
    /* Two processes opening a new database at once: SQLite answers BUSY at
     * once, without the busy handler, where waiting could deadlock (switching
     * to WAL, creating the tables). Both succeed if the loser retries. And a
     * statement can fail to prepare ("no such table") against the empty
     * schema this connection read before the other process created the
     * tables: SQLite re-reads the schema only if it gets a read lock at that
     * very moment. A retry prepares against the schema as it now is. */
    for (int attempt = 0;; attempt++) {
        tm_err_clear(err);
        int migrated = 0;
        rc = exec_sql(st, "PRAGMA journal_mode = WAL", "cannot switch to WAL", err);
        if (rc == TM_OK) rc = migrate_when_ready(st, err);
        if (rc == TM_OK) {
            migrated = 1;
            rc = prepare_statements(st, err);
        }
        int busy = (sqlite3_errcode(st->db) & 0xff) == SQLITE_BUSY ||
                   (sqlite3_errcode(st->db) & 0xff) == SQLITE_LOCKED;
        int stale = migrated && rc != TM_OK && attempt < 10;
        if (rc == TM_OK || !(busy || stale) || attempt == 100) break;
        finalize_statements(st);
        if (!sqlite3_get_autocommit(st->db)) sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
        sqlite3_sleep(50 + 10 * attempt);
    }
    if (rc != TM_OK) goto cleanup;
    *out = st;
    return TM_OK;
cleanup:
    tm_store_close(st);
    return rc;
}

void tm_store_close(tm_store *st)
{
    if (!st) return;
    if (st->db) {
        if (st->batch) sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
        finalize_statements(st);
        /* keeps the planner's statistics fresh; cheap when nothing changed.
         * The limit makes ANALYZE sample each index instead of reading it
         * whole: the first report on a 1 GB database otherwise spent seconds
         * and 50 MB more memory analysing at close (SQLite's advice for
         * optimize at close). */
        sqlite3_exec(st->db, "PRAGMA analysis_limit = 1000; PRAGMA optimize", NULL, NULL, NULL);
        sqlite3_close_v2(st->db);
    }
    tm_free(st->path);
    tm_free(st);
}

sqlite3 *tm_store_db(tm_store *st)
{
    return st->db;
}

/* --------------------------------------------------------------- queries */

int tm_store_is_current(tm_store *st, const char *path, int64_t size, int64_t mtime,
                        const char *sha256, tm_err *err)
{
    if (!path || !sha256)
        return tm_err_set(err, TM_EINVAL, "tm_store_is_current: path and sha256 are required");
    sqlite3_stmt *s = st->stmt[S_IS_CURRENT];
    bind_str(s, 1, path);
    bind_i64(s, 2, size);
    bind_i64(s, 3, mtime);
    bind_str(s, 4, sha256);
    int rc = sqlite3_step(s);
    int ret = rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : db_fail(st, rc, path, err);
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return ret;
}

/* ----------------------------------------------------------------- write */

static const char *encoding_name(tm_encoding e)
{
    static const char *const names[] = {"utf-8", "utf-8-bom", "windows-1252", "utf-16le",
                                        "utf-16be"};
    return (unsigned)e < sizeof names / sizeof *names ? names[e] : "unknown";
}

static int date_ok(const char *d)
{
    return !*d || tm_date_str_valid(d);
}

/* Checks every index and offset before anything is written, so that a
 * pipeline bug is reported where it is instead of reading out of bounds. */
static int check_doc(const tm_doc *doc, tm_err *err)
{
    const char *p = doc->path;
    if (!p || !*p) return tm_err_set(err, TM_EINVAL, "tm_store_doc: the document has no path");
    if (!doc->text && (doc->text_len || doc->sentences.n || doc->sections.n))
        return tm_err_set(err, TM_EINVAL, "%s: store: sentences but no text", p);
    if (doc->text_len > UINT32_MAX)
        return tm_err_set(err, TM_EINVAL, "%s: store: text longer than 4 GiB", p);
    if (!date_ok(doc->date) || !date_ok(doc->period_date) || !date_ok(doc->next_meeting))
        return tm_err_set(err, TM_EINVAL,
                          "%s: store: malformed date (date \"%s\", period_date \"%s\","
                          " next_meeting \"%s\"): dates must be real YYYY-MM-DD or \"\"",
                          p, doc->date, doc->period_date, doc->next_meeting);
    size_t tl = doc->text_len, ns = doc->sentences.n;
    for (size_t i = 0; i < doc->sections.n; i++) {
        const tm_section *s = &doc->sections.v[i];
        if (s->off > s->end || s->end > tl)
            return tm_err_set(err, TM_EINVAL,
                              "%s: store: section %zu bytes %u..%u outside the"
                              " %zu-byte text",
                              p, i, s->off, s->end, tl);
    }
    for (size_t i = 0; i < doc->speakers.n; i++)
        if (!doc->speakers.v[i].initials)
            return tm_err_set(err, TM_EINVAL, "%s: store: speaker %zu has no initials", p, i);
    for (size_t i = 0; i < ns; i++) {
        const tm_sentence *s = &doc->sentences.v[i];
        if (s->off > s->end || s->end > tl)
            return tm_err_set(err, TM_EINVAL,
                              "%s: store: sentence %zu bytes %u..%u outside the"
                              " %zu-byte text",
                              p, i, s->off, s->end, tl);
        if (s->section < -1 || s->section >= (long long)doc->sections.n || s->speaker < -1 ||
            s->speaker >= (long long)doc->speakers.n)
            return tm_err_set(err, TM_EINVAL,
                              "%s: store: sentence %zu names section %d /"
                              " speaker %d that do not exist",
                              p, i, s->section, s->speaker);
    }
    for (size_t i = 0; i < doc->mentions.n; i++) {
        const tm_mention *m = &doc->mentions.v[i];
        if (!m->id || m->sent >= ns || m->off > m->end || m->end > tl)
            return tm_err_set(err, TM_EINVAL,
                              "%s: store: mention %zu (%s) has no identifier,"
                              " a bad sentence %u or bytes %u..%u outside the text",
                              p, i, m->id ? m->id : "?", m->sent, m->off, m->end);
    }
    for (size_t i = 0; i < doc->signals.n; i++) {
        const tm_signal *g = &doc->signals.v[i];
        if (!g->community || !g->theme || g->sent >= ns)
            return tm_err_set(err, TM_EINVAL,
                              "%s: store: signal %zu lacks a community or theme"
                              " or names sentence %u of %zu",
                              p, i, g->sent, ns);
    }
    for (size_t i = 0; i < doc->incidents.n; i++) {
        const tm_incident *c = &doc->incidents.v[i];
        if (!c->theme || c->sent >= ns)
            return tm_err_set(err, TM_EINVAL,
                              "%s: store: incident %zu lacks a theme or names"
                              " sentence %u of %zu",
                              p, i, c->sent, ns);
    }
    return TM_OK;
}

static int64_t raw(const tm_doc *doc, uint32_t off)
{
    return (int64_t)tm_doc_raw_offset(doc, off);
}

static const char *section_title(const tm_doc *doc, int section)
{
    return section >= 0 ? doc->sections.v[section].title : NULL;
}

static const tm_speaker *speaker_of(const tm_doc *doc, int speaker)
{
    return speaker >= 0 ? &doc->speakers.v[speaker] : NULL;
}

/* Binds the document's columns, parameters 1 to 19 of S_INSERT_DOC and
 * S_UPDATE_DOC. `keys` holds the period keys until the statement is
 * stepped (they are bound SQLITE_STATIC). */
static void bind_document(sqlite3_stmt *s, const tm_doc *doc, const tm_store_meta *meta,
                          char keys[TM_PERIOD__COUNT][16])
{
    for (int p = 0; p < TM_PERIOD__COUNT; p++)
        if (!*doc->period_date || tm_period_key(keys[p], doc->period_date, (tm_period)p) != TM_OK)
            keys[p][0] = '\0';
    bind_str(s, 1, doc->path);
    bind_str(s, 2, doc->sha256);
    bind_i64(s, 3, meta ? meta->size : (int64_t)doc->raw_len);
    bind_i64(s, 4, doc->mtime);
    bind_str(s, 5, tm_kind_name(doc->kind));
    bind_opt(s, 6, doc->date);
    bind_opt(s, 7, doc->period_date);
    for (int p = 0; p < TM_PERIOD__COUNT; p++)
        bind_opt(s, 8 + p, keys[p]);
    bind_opt(s, 12, doc->next_meeting);
    bind_opt(s, 13, doc->title);
    bind_opt(s, 14, doc->location);
    bind_str(s, 15, encoding_name(doc->encoding));
    bind_i64(s, 16, (int64_t)doc->words);
    bind_i64(s, 17, (int64_t)doc->sentences.n);
    bind_opt(s, 18, meta ? meta->lexicon_version : NULL);
    bind_opt(s, 19, meta ? meta->lexicon_hash : NULL);
}

static int insert_document(tm_store *st, const tm_doc *doc, const tm_store_meta *meta, int64_t *id,
                           tm_err *err)
{
    sqlite3_stmt *s = st->stmt[S_INSERT_DOC];
    char keys[TM_PERIOD__COUNT][16];
    bind_document(s, doc, meta, keys);
    int rc = step_done(st, s, "cannot insert the document", err);
    if (rc != TM_OK) return rc;
    *id = sqlite3_last_insert_rowid(st->db);
    s = st->stmt[S_INSERT_TEXT];
    bind_i64(s, 1, *id);
    sqlite3_bind_text(s, 2, doc->text ? doc->text : "", (int)doc->text_len, SQLITE_STATIC);
    return step_done(st, s, "cannot insert the document text", err);
}

/* The INSERT of 2^k rows into row_tables[t], prepared on first use. */
static int row_stmt(tm_store *st, int t, int k, sqlite3_stmt **out, tm_err *err)
{
    if (!st->rows[t][k]) {
        const struct row_table *r = &row_tables[t];
        char sql[4096]; /* the widest, 32 rows of 16 columns, takes 1.3 KB */
        size_t n = (size_t)snprintf(sql, sizeof sql, "%s VALUES ", r->head);
        if (n + (size_t)(2 * r->ncols + 2) * ((size_t)1 << k) >= sizeof sql)
            return tm_err_set(err, TM_EDB, "%s: the insert into %s does not fit", st->path,
                              r->head);
        /* "(?,?,...,?)" per row, separated by commas */
        for (int i = 0; i < 1 << k; i++) {
            if (i) sql[n++] = ',';
            sql[n++] = '(';
            for (int c = 0; c < r->ncols; c++) {
                if (c) sql[n++] = ',';
                sql[n++] = '?';
            }
            sql[n++] = ')';
        }
        sql[n] = '\0';
        int rc = sqlite3_prepare_v3(st->db, sql, (int)n + 1, SQLITE_PREPARE_PERSISTENT,
                                    &st->rows[t][k], NULL);
        if (rc != SQLITE_OK) return db_fail(st, rc, "cannot prepare a statement", err);
    }
    *out = st->rows[t][k];
    return TM_OK;
}

/* Binds row i of `rows` (a tm_doc, or an array of counted rows) for
 * document `id`, at parameters p + 1 onwards. */
typedef void (*bind_row_fn)(sqlite3_stmt *s, int p, const void *rows, int64_t id, size_t i);

/* Inserts the rows i of [0, n) that `keep` accepts (all if it is NULL) into
 * row_tables[t], as few statements as the powers of two allow. */
static int insert_rows(tm_store *st, int t, const void *rows, int64_t id, size_t n,
                       int (*keep)(const void *rows, size_t i), bind_row_fn bind, tm_err *err)
{
    size_t left = 0;
    for (size_t i = 0; i < n; i++)
        left += !keep || keep(rows, i);
    for (size_t i = 0; left;) {
        int k = TM_STORE_ROWS_LOG2;
        while (((size_t)1 << k) > left)
            k--;
        sqlite3_stmt *s;
        int rc = row_stmt(st, t, k, &s, err);
        if (rc != TM_OK) return rc;
        for (int r = 0; r < 1 << k; i++) {
            if (keep && !keep(rows, i)) continue;
            bind(s, r * row_tables[t].ncols, rows, id, i);
            r++;
        }
        if ((rc = step_done(st, s, row_tables[t].what, err)) != TM_OK) return rc;
        left -= (size_t)1 << k;
    }
    return TM_OK;
}

static void bind_section(sqlite3_stmt *s, int p, const void *rows, int64_t id, size_t i)
{
    const tm_doc *doc = rows;
    const tm_section *c = &doc->sections.v[i];
    bind_i64(s, p + 1, id);
    bind_i64(s, p + 2, (int64_t)i);
    bind_opt(s, p + 3, c->number);
    bind_opt(s, p + 4, c->title);
    bind_i64(s, p + 5, c->level);
    bind_i64(s, p + 6, c->parent);
    bind_i64(s, p + 7, c->deferred);
    bind_i64(s, p + 8, raw(doc, c->off));
    bind_i64(s, p + 9, raw(doc, c->end));
}

static void bind_speaker(sqlite3_stmt *s, int p, const void *rows, int64_t id, size_t i)
{
    const tm_doc *doc = rows;
    const tm_speaker *k = &doc->speakers.v[i];
    bind_i64(s, p + 1, id);
    bind_i64(s, p + 2, (int64_t)i);
    bind_str(s, p + 3, k->initials);
    bind_opt(s, p + 4, k->role);
    bind_i64(s, p + 5, k->sentences);
    bind_i64(s, p + 6, k->in_table);
}

static void bind_sentence(sqlite3_stmt *s, int p, const void *rows, int64_t id, size_t i)
{
    const tm_doc *doc = rows;
    const tm_sentence *c = &doc->sentences.v[i];
    const tm_speaker *k = speaker_of(doc, c->speaker);
    bind_i64(s, p + 1, id);
    bind_i64(s, p + 2, (int64_t)i);
    bind_i64(s, p + 3, raw(doc, c->off));
    bind_i64(s, p + 4, raw(doc, c->end));
    bind_i64(s, p + 5, c->off);
    bind_i64(s, p + 6, c->end);
    bind_i64(s, p + 7, c->section);
    bind_opt(s, p + 8, section_title(doc, c->section));
    bind_i64(s, p + 9, c->speaker);
    bind_opt(s, p + 10, k ? k->initials : NULL);
    bind_opt(s, p + 11, k ? k->role : NULL);
    bind_i64(s, p + 12, c->flags);
    sqlite3_bind_text(s, p + 13, doc->text + c->off, (int)(c->end - c->off), SQLITE_STATIC);
}

/* Grammar cues (negation, hedges, person titles, ...) have done their work
 * once the signals are built; only the cues that reports read again are
 * stored. They were a third of all mention rows. */
static int mention_is_stored(const tm_doc *doc, size_t i)
{
    const tm_mention *m = &doc->mentions.v[i];
    return m->cat != TM_CAT_CUE || !strcmp(m->id, "event") || !strcmp(m->id, "action");
}

static int keep_mention(const void *rows, size_t i)
{
    return mention_is_stored(rows, i);
}

static void bind_mention(sqlite3_stmt *s, int p, const void *rows, int64_t id, size_t i)
{
    const tm_doc *doc = rows;
    const tm_mention *m = &doc->mentions.v[i];
    bind_i64(s, p + 1, id);
    bind_i64(s, p + 2, (int64_t)i);
    bind_str(s, p + 3, tm_category_name(m->cat));
    bind_str(s, p + 4, m->id);
    bind_str(s, p + 5, m->canon && *m->canon ? m->canon : m->id);
    bind_i64(s, p + 6, raw(doc, m->off));
    bind_i64(s, p + 7, raw(doc, m->end));
    bind_i64(s, p + 8, m->sent);
    bind_i64(s, p + 9, m->negated != 0);
    bind_i64(s, p + 10, m->dropped != 0);
    sqlite3_bind_double(s, p + 11, m->weight);
}

static void bind_signal(sqlite3_stmt *s, int p, const void *rows, int64_t id, size_t i)
{
    const tm_doc *doc = rows;
    const tm_signal *g = &doc->signals.v[i];
    const tm_sentence *c = &doc->sentences.v[g->sent];
    const tm_speaker *k = speaker_of(doc, c->speaker);
    bind_i64(s, p + 1, id);
    bind_i64(s, p + 2, (int64_t)i);
    bind_str(s, p + 3, g->community);
    bind_str(s, p + 4, g->theme);
    bind_str(s, p + 5, tm_category_name(g->theme_cat));
    bind_str(s, p + 6, tm_polarity_name(g->polarity));
    bind_str(s, p + 7, tm_eep_name(g->eep));
    bind_i64(s, p + 8, g->negated != 0);
    bind_i64(s, p + 9, g->via_paragraph != 0);
    sqlite3_bind_double(s, p + 10, g->weight);
    bind_i64(s, p + 11, g->sent);
    bind_i64(s, p + 12, raw(doc, c->off));
    bind_i64(s, p + 13, raw(doc, c->end));
    bind_opt(s, p + 14, section_title(doc, c->section));
    bind_opt(s, p + 15, k ? k->initials : NULL);
    bind_opt(s, p + 16, k ? k->role : NULL);
}

static void bind_incident(sqlite3_stmt *s, int p, const void *rows, int64_t id, size_t i)
{
    const tm_doc *doc = rows;
    const tm_incident *c = &doc->incidents.v[i];
    const tm_sentence *sen = &doc->sentences.v[c->sent];
    bind_i64(s, p + 1, id);
    bind_i64(s, p + 2, (int64_t)i);
    bind_str(s, p + 3, c->theme);
    bind_i64(s, p + 4, c->sent);
    bind_i64(s, p + 5, raw(doc, sen->off));
    bind_i64(s, p + 6, raw(doc, sen->end));
    bind_opt(s, p + 7, c->date);
    bind_opt(s, p + 8, c->place);
    bind_i64(s, p + 9, c->negated != 0);
}

static int insert_sections(tm_store *st, const tm_doc *doc, int64_t id, tm_err *err)
{
    return insert_rows(st, R_SECTION, doc, id, doc->sections.n, NULL, bind_section, err);
}

static int insert_speakers(tm_store *st, const tm_doc *doc, int64_t id, tm_err *err)
{
    return insert_rows(st, R_SPEAKER, doc, id, doc->speakers.n, NULL, bind_speaker, err);
}

static int insert_sentences(tm_store *st, const tm_doc *doc, int64_t id, tm_err *err)
{
    return insert_rows(st, R_SENTENCE, doc, id, doc->sentences.n, NULL, bind_sentence, err);
}

static int insert_mentions(tm_store *st, const tm_doc *doc, int64_t id, tm_err *err)
{
    return insert_rows(st, R_MENTION, doc, id, doc->mentions.n, keep_mention, bind_mention, err);
}

static int insert_signals(tm_store *st, const tm_doc *doc, int64_t id, tm_err *err)
{
    return insert_rows(st, R_SIGNAL, doc, id, doc->signals.n, NULL, bind_signal, err);
}

static int insert_incidents(tm_store *st, const tm_doc *doc, int64_t id, tm_err *err)
{
    return insert_rows(st, R_INCIDENT, doc, id, doc->incidents.n, NULL, bind_incident, err);
}

static int insert_errors(tm_store *st, const tm_doc *doc, int64_t id, tm_err *err)
{
    sqlite3_stmt *s = st->stmt[S_INSERT_ERROR];
    for (size_t i = 0; i < doc->errors.n; i++) {
        bind_i64(s, 1, id);
        bind_i64(s, 2, (int64_t)i);
        bind_str(s, 3, doc->errors.v[i] ? doc->errors.v[i] : "");
        int rc = step_done(st, s, "cannot insert an error", err);
        if (rc != TM_OK) return rc;
    }
    return TM_OK;
}

static int insert_source(tm_store *st, const tm_doc *doc, int64_t id, tm_err *err)
{
    unsigned char *data = NULL;
    size_t n = 0;
    tm_source_kind kind;
    int rc = tm_source_encode(&data, &n, &kind, doc, err);
    if (rc != TM_OK || kind == TM_SOURCE_NONE) return rc;
    sqlite3_stmt *s = st->stmt[S_INSERT_SOURCE];
    bind_i64(s, 1, id);
    bind_str(s, 2, tm_source_kind_name(kind));
    sqlite3_bind_blob64(s, 3, data, n, SQLITE_STATIC);
    rc = step_done(st, s, "cannot insert the document source", err);
    tm_free(data);
    return rc;
}

/* One doc_tallies row: kind and k1-k4 (k[0] .. k[4]), and its count. */
typedef struct tally_row {
    const char *k[5];
    int64_t count;
} tally_row;

static int tally_row_cmp(const void *a, const void *b)
{
    const tally_row *x = a, *y = b;
    for (int i = 0; i < 5; i++) {
        int c = strcmp(x->k[i], y->k[i]);
        if (c) return c;
    }
    return 0;
}

static void bind_tally(sqlite3_stmt *s, int p, const void *rows, int64_t id, size_t i)
{
    const tally_row *v = rows;
    bind_i64(s, p + 1, id);
    for (int c = 0; c < 5; c++)
        bind_str(s, p + 2 + c, v[i].k[c]);
    bind_i64(s, p + 7, v[i].count);
}

/* The document's doc_tallies rows, counted here from the tm_doc: exactly
 * the rows TALLY_SELECT gives from the mentions and signals just inserted
 * (the stored mentions that are live, keyed as mention_is_stored and
 * bind_mention write them; the live signals), sorted and counted in C and
 * inserted like the other child rows. The GROUP BY query over the new rows
 * cost the writer a sorter and a second read of them. Its earlier rows are
 * gone with the document (ON DELETE CASCADE, or the child deletes of
 * update_document). */
static int store_tallies(tm_store *st, const tm_doc *doc, int64_t id, tm_err *err)
{
    size_t cap = doc->mentions.n + doc->signals.n, n = 0;
    if (!cap) return TM_OK;
    tally_row *v = tm_malloc(cap * sizeof *v);
    if (!v) return tm_err_set(err, TM_ENOMEM, "%s: out of memory counting tallies", doc->path);
    for (size_t i = 0; i < doc->mentions.n; i++) {
        const tm_mention *m = &doc->mentions.v[i];
        if (m->negated || m->dropped || !mention_is_stored(doc, i)) continue;
        const char *key = m->cat == TM_CAT_PLACE && m->canon && *m->canon ? m->canon : m->id;
        v[n++] = (tally_row){{tm_category_name(m->cat), key, "", "", ""}, 1};
    }
    for (size_t i = 0; i < doc->signals.n; i++) {
        const tm_signal *g = &doc->signals.v[i];
        if (g->negated) continue;
        v[n++] = (tally_row){
            {"signal", g->community, g->theme, tm_polarity_name(g->polarity), tm_eep_name(g->eep)},
            1};
    }
    qsort(v, n, sizeof *v, tally_row_cmp);
    size_t rows = 0; /* equal keys collapse onto the first of their run */
    for (size_t i = 0; i < n; i++) {
        if (rows && !tally_row_cmp(&v[rows - 1], &v[i]))
            v[rows - 1].count++;
        else
            v[rows++] = v[i];
    }
    int rc = insert_rows(st, R_TALLY, v, id, rows, NULL, bind_tally, err);
    tm_free(v);
    return rc;
}

/* One sentence_tallies row: kind 'tone' or 'event', sentence, k, the count
 * and the smallest start and end (file offsets) of its mentions. */
typedef struct sentence_tally {
    const char *kind, *k;
    int64_t sentence, count, start, end;
} sentence_tally;

static int sentence_tally_cmp(const void *a, const void *b)
{
    const sentence_tally *x = a, *y = b;
    int c = strcmp(x->kind, y->kind);
    if (c) return c;
    if (x->sentence != y->sentence) return x->sentence < y->sentence ? -1 : 1;
    return strcmp(x->k, y->k);
}

static void bind_sentence_tally(sqlite3_stmt *s, int p, const void *rows, int64_t id, size_t i)
{
    const sentence_tally *v = rows;
    bind_i64(s, p + 1, id);
    bind_str(s, p + 2, v[i].kind);
    bind_i64(s, p + 3, v[i].sentence);
    bind_str(s, p + 4, v[i].k);
    bind_i64(s, p + 5, v[i].count);
    bind_i64(s, p + 6, v[i].start);
    bind_i64(s, p + 7, v[i].end);
}

/* 1 if live mention m is an event for tm_agg_events (cue `event` or
 * indicator `planned_event`). */
static int is_event(const tm_mention *m)
{
    return (m->cat == TM_CAT_CUE && !strcmp(m->id, "event")) ||
           (m->cat == TM_CAT_INDICATOR && !strcmp(m->id, "planned_event"));
}

/* The document's sentence_tallies rows, counted here from the tm_doc:
 * exactly the rows SENTENCE_TALLY_SELECT gives from the mentions and
 * signals just inserted, in key order. */
static int store_sentence_tallies(tm_store *st, const tm_doc *doc, int64_t id, tm_err *err)
{
    size_t n = 0, ns = doc->sentences.n;
    if (!doc->mentions.n || !ns) return TM_OK;
    /* sentences with a live signal: only their tones are read */
    unsigned char *sig = tm_calloc(ns, 1);
    sentence_tally *v = sig ? tm_malloc(doc->mentions.n * sizeof *v) : NULL;
    if (!v) {
        tm_free(sig);
        return tm_err_set(err, TM_ENOMEM, "%s: out of memory counting sentence tallies", doc->path);
    }
    for (size_t i = 0; i < doc->signals.n; i++)
        if (!doc->signals.v[i].negated) sig[doc->signals.v[i].sent] = 1;
    for (size_t i = 0; i < doc->mentions.n; i++) {
        const tm_mention *m = &doc->mentions.v[i];
        if (m->negated || m->dropped || !mention_is_stored(doc, i)) continue;
        const char *kind = m->cat == TM_CAT_TONE && sig[m->sent] ? "tone"
                           : is_event(m)                         ? "event"
                                                                 : NULL;
        if (kind)
            v[n++] = (sentence_tally){kind, *kind == 't' ? m->id : "", m->sent,
                                      1,    raw(doc, m->off),          raw(doc, m->end)};
    }
    tm_free(sig);
    qsort(v, n, sizeof *v, sentence_tally_cmp);
    size_t rows = 0; /* equal keys collapse onto the first of their run */
    for (size_t i = 0; i < n; i++) {
        sentence_tally *last = rows ? &v[rows - 1] : NULL;
        if (last && !sentence_tally_cmp(last, &v[i])) {
            last->count++;
            if (v[i].start < last->start) last->start = v[i].start;
            if (v[i].end < last->end) last->end = v[i].end;
        } else {
            v[rows++] = v[i];
        }
    }
    int rc = insert_rows(st, R_SENTENCE_TALLY, v, id, rows, NULL, bind_sentence_tally, err);
    tm_free(v);
    return rc;
}

/* Deletes document `id` and every row that cascades from it. The cascade
 * is done here, table by table, because foreign keys are off in a batch;
 * with them on, SQLite then finds nothing left to cascade. */
static int delete_document(tm_store *st, int64_t id, tm_err *err)
{
    int rc = TM_OK;
    for (int i = 0; rc == TM_OK && i < st->ncascade; i++) {
        bind_i64(st->cascade[i], 1, id);
        rc = step_done(st, st->cascade[i], "cannot delete the earlier rows of the document", err);
    }
    if (rc != TM_OK) return rc;
    sqlite3_stmt *s = st->stmt[S_DELETE_DOC];
    bind_i64(s, 1, id);
    return step_done(st, s, "cannot delete the earlier version of the document", err);
}

/* delete_document for the document stored under `path`, if any. */
static int delete_path(tm_store *st, const char *path, tm_err *err)
{
    sqlite3_stmt *q = st->stmt[S_DOC_ID];
    bind_str(q, 1, path);
    int rc = sqlite3_step(q);
    int64_t id = rc == SQLITE_ROW ? sqlite3_column_int64(q, 0) : 0;
    sqlite3_reset(q);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return db_fail(st, rc, "cannot look the document up", err);
    return rc == SQLITE_ROW ? delete_document(st, id, err) : TM_OK;
}

/* Opens the unit of work of one document: its own transaction, or a
 * savepoint inside a batch. IMMEDIATE takes the write lock at once, so a
 * concurrent writer makes us wait (busy timeout) instead of failing late. */
static int unit_begin(tm_store *st, tm_err *err)
{
    return exec_sql(st, st->batch ? "SAVEPOINT tm_doc" : "BEGIN IMMEDIATE",
                    "cannot start a transaction", err);
}

int tm_store_index_new_sentences(sqlite3 *db)
{
    /* every sentence up to the largest indexed id is indexed (the invariant
     * this function keeps at each commit), so the new ones are those above */
    return sqlite3_exec(db,
                        "INSERT INTO sentences_fts(rowid, text) SELECT id, text FROM sentences"
                        " WHERE id > (SELECT coalesce(max(id), 0) FROM sentences_fts_docsize)"
                        " ORDER BY id",
                        NULL, NULL, NULL);
}

static int index_new(tm_store *st, tm_err *err)
{
    if (tm_store_index_new_sentences(st->db) != SQLITE_OK)
        return tm_err_set(err, TM_EDB, "%s: cannot add the sentences to the search index: %s",
                          st->path, sqlite3_errmsg(st->db));
    return TM_OK;
}

static int unit_commit(tm_store *st, tm_err *err)
{
    if (!st->batch) {
        int rc = index_new(st, err);
        if (rc != TM_OK) return rc;
    }
    return exec_sql(st, st->batch ? "RELEASE tm_doc" : "COMMIT", "cannot commit the document", err);
}

/* Undoes the unit. SQLite may already have rolled the whole transaction
 * back by itself (SQLITE_FULL, SQLITE_IOERR); inside a batch that loses the
 * batch, which the message must say. */
static void batch_ended(tm_store *st);

static void unit_rollback(tm_store *st, tm_err *err)
{
    if (sqlite3_get_autocommit(st->db)) {
        if (st->batch) {
            batch_ended(st);
            if (err && err->code != TM_OK) {
                size_t n = strlen(err->msg);
                snprintf(err->msg + n, sizeof err->msg - n,
                         "; the whole batch was rolled back: store its documents again");
            }
        }
        return;
    }
    if (st->batch)
        sqlite3_exec(st->db, "ROLLBACK TO tm_doc; RELEASE tm_doc", NULL, NULL, NULL);
    else
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

/* 1 if column `i` of `q` is the optional string `v` (NULL or "" is NULL). */
static int same_opt(sqlite3_stmt *q, int i, const char *v)
{
    const char *c = (const char *)sqlite3_column_text(q, i);
    if (!v || !*v) return c == NULL;
    return c && !strcmp(c, v);
}

/* 1 if the stored sentences of document `id` are exactly the rows that
 * insert_sentences would write for `doc` (given the same text), 0 if not,
 * a negative TM_E* code on error. */
static int same_sentences(tm_store *st, const tm_doc *doc, int64_t id, tm_err *err)
{
    sqlite3_stmt *q = st->stmt[S_DOC_SENTENCES];
    bind_i64(q, 1, id);
    size_t i = 0;
    int rc, same = 1;
    while (same && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        if (i == doc->sentences.n) {
            same = 0;
            break;
        }
        const tm_sentence *c = &doc->sentences.v[i++];
        const tm_speaker *k = speaker_of(doc, c->speaker);
        same = sqlite3_column_int64(q, 0) == raw(doc, c->off) &&
               sqlite3_column_int64(q, 1) == raw(doc, c->end) &&
               sqlite3_column_int64(q, 2) == c->off && sqlite3_column_int64(q, 3) == c->end &&
               sqlite3_column_int64(q, 4) == c->section &&
               same_opt(q, 5, section_title(doc, c->section)) &&
               sqlite3_column_int64(q, 6) == c->speaker && same_opt(q, 7, k ? k->initials : NULL) &&
               same_opt(q, 8, k ? k->role : NULL) && sqlite3_column_int64(q, 9) == c->flags;
    }
    if (same && rc != SQLITE_DONE) {
        same = db_fail(st, rc, "cannot read the stored sentences", err);
    } else if (same && i != doc->sentences.n) {
        same = 0;
    }
    sqlite3_reset(q);
    return same;
}

/* Looks for a stored document of the same path: *id is its id (0 if none),
 * *keep 1 when it has the same text and sentences as `doc`. */
static int find_stored(tm_store *st, const tm_doc *doc, int64_t *id, int *keep, tm_err *err)
{
    sqlite3_stmt *q = st->stmt[S_FIND_DOC];
    bind_str(q, 1, doc->path);
    int rc = sqlite3_step(q), ret = TM_OK;
    *id = 0;
    *keep = 0;
    if (rc == SQLITE_ROW) {
        *id = sqlite3_column_int64(q, 0);
        const void *t = sqlite3_column_blob(q, 1);
        size_t n = (size_t)sqlite3_column_bytes(q, 1);
        *keep = n == doc->text_len && (n == 0 || (t && doc->text && !memcmp(t, doc->text, n)));
    } else if (rc != SQLITE_DONE) {
        ret = db_fail(st, rc, "cannot look the document up", err);
    }
    sqlite3_reset(q);
    if (ret == TM_OK && *keep) {
        int same = same_sentences(st, doc, *id, err);
        if (same < 0) return same;
        *keep = same;
    }
    return ret;
}

/* Re-stores a document whose text and sentences are stored already (a
 * re-tag, or an unchanged file tagged with another lexicon): its documents
 * row is updated in place and everything else derived from it replaced, but
 * its sentences, their full-text index entries and its text stay. Deleting
 * and indexing the same sentences again was most of the cost of a re-tag. */
static int update_document(tm_store *st, const tm_doc *doc, const tm_store_meta *meta, int64_t id,
                           tm_err *err)
{
    sqlite3_stmt *s = st->stmt[S_UPDATE_DOC];
    char keys[TM_PERIOD__COUNT][16];
    bind_document(s, doc, meta, keys);
    bind_i64(s, 20, id);
    int rc = step_done(st, s, "cannot update the document", err);
    for (int i = 0; rc == TM_OK && i < st->nchildren; i++) {
        bind_i64(st->child_delete[i], 1, id);
        rc = step_done(st, st->child_delete[i], "cannot delete the earlier rows of the document",
                       err);
    }
    return rc;
}

int tm_store_doc(tm_store *st, const tm_doc *doc, const tm_store_meta *meta, tm_err *err)
{
    int rc = check_doc(doc, err);
    if (rc != TM_OK) return rc;
    if ((rc = unit_begin(st, err)) != TM_OK) return rc;
    int64_t id = 0;
    int keep = 0;
    if ((rc = find_stored(st, doc, &id, &keep, err)) != TM_OK) goto fail;
    /* kept: the row is updated and its sentences stay; otherwise the old
     * rows go (a new document has none) and everything is inserted */
    if (keep)
        rc = update_document(st, doc, meta, id, err);
    else if ((!id || (rc = delete_document(st, id, err)) == TM_OK))
        rc = insert_document(st, doc, meta, &id, err);
    if (rc != TM_OK || (rc = insert_sections(st, doc, id, err)) != TM_OK ||
        (rc = insert_speakers(st, doc, id, err)) != TM_OK ||
        (!keep && (rc = insert_sentences(st, doc, id, err)) != TM_OK) ||
        (rc = insert_mentions(st, doc, id, err)) != TM_OK ||
        (rc = insert_signals(st, doc, id, err)) != TM_OK ||
        (rc = store_tallies(st, doc, id, err)) != TM_OK ||
        (rc = store_sentence_tallies(st, doc, id, err)) != TM_OK ||
        (rc = insert_incidents(st, doc, id, err)) != TM_OK ||
        (rc = insert_errors(st, doc, id, err)) != TM_OK ||
        (rc = insert_source(st, doc, id, err)) != TM_OK || (rc = unit_commit(st, err)) != TM_OK)
        goto fail;
    return TM_OK;
fail:
    unit_rollback(st, err);
    return rc;
}

int tm_store_remove(tm_store *st, const char *path, tm_err *err)
{
    if (!path) return tm_err_set(err, TM_EINVAL, "tm_store_remove: no path given");
    int rc = unit_begin(st, err);
    if (rc != TM_OK) return rc;
    if ((rc = delete_path(st, path, err)) != TM_OK || (rc = unit_commit(st, err)) != TM_OK) {
        unit_rollback(st, err);
        return rc;
    }
    return TM_OK;
}

/* ----------------------------------------------------------------- batch */

/* Foreign keys are off while a batch is open: with them on, every
 * multi-row INSERT keeps a statement journal (see row_tables). What they
 * did for the writer is done by hand: tm_store_doc writes child rows only
 * under the document it has just stored, and delete_document cascades.
 * The pragma is a no-op inside a transaction (then they simply stay on)
 * and expires the prepared statements, which SQLite prepares again. */
static void batch_ended(tm_store *st)
{
    st->batch = 0;
    sqlite3_exec(st->db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
}

int tm_store_begin(tm_store *st, tm_err *err)
{
    if (st->batch)
        return tm_err_set(err, TM_EINVAL, "%s: a batch is open already: commit it first", st->path);
    int rc =
        exec_sql(st, "PRAGMA foreign_keys = OFF; BEGIN IMMEDIATE", "cannot start a batch", err);
    /* on failure they stay off, harmless since the writer cascades by hand:
     * turning them on again would clear the SQLITE_BUSY that callers read
     * from the connection to decide to retry */
    if (rc == TM_OK) st->batch = 1;
    return rc;
}

int tm_store_commit(tm_store *st, tm_err *err)
{
    if (!st->batch) return tm_err_set(err, TM_EINVAL, "%s: no batch is open to commit", st->path);
    int rc = index_new(st, err);
    if (rc == TM_OK) rc = exec_sql(st, "COMMIT", "cannot commit the batch", err);
    if (rc != TM_OK && !sqlite3_get_autocommit(st->db))
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
    batch_ended(st);
    return rc;
}

void tm_store_rollback(tm_store *st)
{
    if (st && st->batch) {
        if (!sqlite3_get_autocommit(st->db)) sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
        batch_ended(st);
    }
}
