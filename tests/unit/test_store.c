/*
 * test_store.c: the SQLite store on hand-built documents. Checks the rows
 * and offsets written, the file mode, the schema version, replacement of a
 * changed document (no duplicates, FTS in step), and that a failure half-way
 * (disk full, a contract violation, a batch member) stores nothing and keeps
 * the earlier version.
 */
#include "tm/aggregate.h"
#include "tm/store.h"
#include "tm_test.h"

#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64];

/* A fresh directory per case, so cases run alone or together. */
static const char *db_path(const char *name)
{
    static char path[128];
    snprintf(dir, sizeof dir, "/tmp/tm_store_XXXXXX");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        exit(1);
    }
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return path;
}

static void cleanup_dir(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "  could not remove %s\n", dir);
}

/* Runs a query returning one integer (-1 if it returns nothing). */
static long long q_int(tm_store *st, const char *sql, const char *arg)
{
    sqlite3_stmt *s = NULL;
    long long v = -1;
    if (sqlite3_prepare_v2(tm_store_db(st), sql, -1, &s, NULL) != SQLITE_OK) {
        fprintf(stderr, "  bad test SQL %s: %s\n", sql, sqlite3_errmsg(tm_store_db(st)));
        return -2;
    }
    if (arg) sqlite3_bind_text(s, 1, arg, -1, SQLITE_STATIC);
    if (sqlite3_step(s) == SQLITE_ROW) v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return v;
}

/* Runs a query returning one string, copied into a static buffer. */
static const char *q_str(tm_store *st, const char *sql, const char *arg)
{
    static char buf[512];
    sqlite3_stmt *s = NULL;
    snprintf(buf, sizeof buf, "(no row)");
    if (sqlite3_prepare_v2(tm_store_db(st), sql, -1, &s, NULL) != SQLITE_OK) return "(bad sql)";
    if (arg) sqlite3_bind_text(s, 1, arg, -1, SQLITE_STATIC);
    if (sqlite3_step(s) == SQLITE_ROW) {
        const unsigned char *t = sqlite3_column_text(s, 0);
        snprintf(buf, sizeof buf, "%s", t ? (const char *)t : "(null)");
    }
    sqlite3_finalize(s);
    return buf;
}

/* -------------------------------------------------------- documents */

static const char minutes_text[] =
    "1. Hate crime\n"
    "AK said Somali families fear hate crime after the viral video.\n"
    "JH said there were no tensions in Fishermead.\n"
    "2. AOB\n"
    "Nothing further.\n";

/* Fills a minutes document: 2 sections, 2 speakers, 5 sentences, mentions,
 * signals (one negated), an incident and an error. Strings are static or
 * in the doc's arena, as the pipeline's are. */
static void make_minutes(tm_doc *d, const char *path, const char *sha)
{
    tm_doc_init(d);
    d->path = path;
    d->text_len = strlen(minutes_text);
    d->text = tm_arena_strndup(&d->arena, minutes_text, d->text_len);
    snprintf(d->sha256, sizeof d->sha256, "%s", sha);
    d->mtime = 1700000000;
    d->kind = TM_KIND_MINUTES;
    snprintf(d->date, sizeof d->date, "2022-03-02");
    snprintf(d->period_date, sizeof d->period_date, "2022-03-02");
    snprintf(d->next_meeting, sizeof d->next_meeting, "2022-04-06");
    d->title = "IAG minutes";
    d->location = "Peartree Centre";
    d->words = 23;

    const char *t = d->text;
    tm_section *sec = TM_VEC_PUSH(&d->arena, d->sections);
    sec->off = 0;
    sec->end = (uint32_t)(strstr(t, "2. AOB") - t);
    sec->number = "1";
    sec->title = "Hate crime";
    sec->level = 1;
    sec->parent = -1;
    sec = TM_VEC_PUSH(&d->arena, d->sections);
    sec->off = (uint32_t)(strstr(t, "2. AOB") - t);
    sec->end = (uint32_t)d->text_len;
    sec->number = "2";
    sec->title = "AOB";
    sec->level = 1;
    sec->parent = -1;
    sec->deferred = 1;

    tm_speaker *sp = TM_VEC_PUSH(&d->arena, d->speakers);
    sp->initials = "AK";
    sp->role = "IAG Chair";
    sp->sentences = 1;
    sp->in_table = 1;
    sp = TM_VEC_PUSH(&d->arena, d->speakers);
    sp->initials = "JH";
    sp->role = NULL; /* not in the attendee table */
    sp->sentences = 1;

    static const struct {
        const char *text;
        int section, speaker;
        uint32_t flags;
    } sents[] = {
        {"1. Hate crime", 0, -1, TM_SENT_HEADING},
        {"AK said Somali families fear hate crime after the viral video.", 0, 0, 0},
        {"JH said there were no tensions in Fishermead.", 0, 1, 0},
        {"2. AOB", 1, -1, TM_SENT_HEADING},
        {"Nothing further.", 1, -1, TM_SENT_DEFERRED},
    };
    for (size_t i = 0; i < sizeof sents / sizeof *sents; i++) {
        tm_sentence *s = TM_VEC_PUSH(&d->arena, d->sentences);
        s->off = (uint32_t)(strstr(t, sents[i].text) - t);
        s->end = s->off + (uint32_t)strlen(sents[i].text);
        s->section = sents[i].section;
        s->speaker = sents[i].speaker;
        s->flags = sents[i].flags;
    }

    static const struct {
        const char *word, *id, *canon;
        tm_category cat;
        uint32_t sent;
        int negated;
    } ments[] = {
        {"Somali", "somali", NULL, TM_CAT_COMMUNITY, 1, 0},
        {"hate crime after", "hate_crime", NULL, TM_CAT_THEME, 1, 0},
        {"tensions", "community_tension", NULL, TM_CAT_THEME, 2, 1},
        {"Fishermead", "fishermead", "Fishermead", TM_CAT_PLACE, 2, 0},
    };
    for (size_t i = 0; i < sizeof ments / sizeof *ments; i++) {
        tm_mention *m = TM_VEC_PUSH(&d->arena, d->mentions);
        m->off = (uint32_t)(strstr(t, ments[i].word) - t);
        m->end = m->off + (uint32_t)strlen(ments[i].word);
        m->sent = ments[i].sent;
        m->cat = ments[i].cat;
        m->id = ments[i].id;
        m->canon = ments[i].canon ? ments[i].canon : ments[i].id;
        m->weight = 1.0f;
        m->negated = (uint8_t)ments[i].negated;
    }

    tm_signal *g = TM_VEC_PUSH(&d->arena, d->signals);
    g->community = "somali";
    g->theme = "hate_crime";
    g->theme_cat = TM_CAT_THEME;
    g->polarity = TM_POL_CONCERN;
    g->eep = TM_EEP_EXPERIENCED;
    g->weight = 1.0f;
    g->sent = 1;
    g = TM_VEC_PUSH(&d->arena, d->signals);
    g->community = "somali";
    g->theme = "community_tension";
    g->theme_cat = TM_CAT_THEME;
    g->polarity = TM_POL_CONCERN;
    g->eep = TM_EEP_POTENTIAL;
    g->negated = 1;
    g->weight = 1.0f;
    g->sent = 2;

    tm_incident *inc = TM_VEC_PUSH(&d->arena, d->incidents);
    inc->theme = "hate_crime";
    inc->sent = 1;
    inc->date = "2022-02";
    inc->place = NULL;

    tm_doc_add_error(d, "%s:3: odd line ending", path);
}

/* A document whose text repeats one long sentence `n` times. */
static void make_big(tm_doc *d, const char *path, size_t n)
{
    static const char line[] = "Residents reported rising tension around the estate tonight. ";
    size_t ll = sizeof line - 1;
    tm_doc_init(d);
    d->path = path;
    d->text_len = n * ll;
    char *t = tm_arena_alloc(&d->arena, d->text_len + 1);
    for (size_t i = 0; i < n; i++)
        memcpy(t + i * ll, line, ll);
    t[d->text_len] = '\0';
    d->text = t;
    snprintf(d->sha256, sizeof d->sha256, "%064d", 7);
    d->words = n * 8;
    for (size_t i = 0; i < n; i++) {
        tm_sentence *s = TM_VEC_PUSH(&d->arena, d->sentences);
        s->off = (uint32_t)(i * ll);
        s->end = (uint32_t)(i * ll + ll - 1);
        s->section = s->speaker = -1;
    }
}

static const char sha_a[] = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
static const char sha_b[] = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

/* ------------------------------------------------------------ cases */

static void test_open_creates_private_file(void)
{
    const char *path = db_path("t.db");
    mode_t old = umask(0); /* the most permissive umask must not matter */
    tm_store *st = NULL;
    tm_err err = {0};
    int rc = tm_store_open(&st, path, &err);
    umask(old);
    TM_CHECK_INT(rc, TM_OK);
    if (rc != TM_OK) {
        fprintf(stderr, "  %s\n", err.msg);
        cleanup_dir();
        return;
    }
    struct stat sb;
    TM_CHECK_INT(stat(path, &sb), 0);
    TM_CHECK_INT(sb.st_mode & 0777, 0600);
    TM_CHECK_INT(q_int(st, "PRAGMA user_version", NULL), TM_STORE_SCHEMA_VERSION);
    TM_CHECK_STR(q_str(st, "PRAGMA journal_mode", NULL), "wal");
    TM_CHECK_INT(q_int(st, "PRAGMA foreign_keys", NULL), 1);
    TM_CHECK_INT(q_int(st, "PRAGMA busy_timeout", NULL), 10000);
    static const char *const tables[] = {"documents", "document_texts", "sections", "speakers",
                                         "sentences", "sentences_fts",  "mentions", "signals",
                                         "incidents", "errors",         NULL};
    for (int i = 0; tables[i]; i++) {
        if (q_int(st, "SELECT count(*) FROM sqlite_master WHERE name = ?1", tables[i]) != 1)
            fprintf(stderr, "  missing table %s\n", tables[i]);
        TM_CHECK_INT(q_int(st, "SELECT count(*) FROM sqlite_master WHERE name = ?1", tables[i]), 1);
    }
    /* the WAL file SQLite creates on the first write copies the mode */
    tm_doc d;
    make_minutes(&d, "m.txt", sha_a);
    TM_CHECK_INT(tm_store_doc(st, &d, NULL, &err), TM_OK);
    tm_doc_dispose(&d);
    char wal[160];
    snprintf(wal, sizeof wal, "%s-wal", path);
    TM_CHECK_INT(stat(wal, &sb), 0);
    TM_CHECK_INT(sb.st_mode & 0777, 0600);
    tm_store_close(st);

    /* reopening keeps data and version; the schema is not created twice */
    st = NULL;
    TM_CHECK_INT(tm_store_open(&st, path, &err), TM_OK);
    if (st) {
        TM_CHECK_INT(q_int(st, "SELECT count(*) FROM documents", NULL), 1);
        TM_CHECK_INT(q_int(st, "PRAGMA user_version", NULL), TM_STORE_SCHEMA_VERSION);
    }
    tm_store_close(st);
    tm_store_close(NULL); /* NULL-safe */
    cleanup_dir();
}

static void test_refuses_foreign_and_newer_databases(void)
{
    const char *path = db_path("x.db");
    char p[160];
    snprintf(p, sizeof p, "%s", path);
    tm_store *st = NULL;
    tm_err err = {0};

    /* a newer schema */
    TM_CHECK_INT(tm_store_open(&st, p, &err), TM_OK);
    if (st) sqlite3_exec(tm_store_db(st), "PRAGMA user_version = 99", NULL, NULL, NULL);
    tm_store_close(st);
    st = (tm_store *)1;
    TM_CHECK_INT(tm_store_open(&st, p, &err), TM_EDB);
    TM_CHECK(st == NULL);
    TM_CHECK(strstr(err.msg, "newer") != NULL);
    TM_CHECK(strstr(err.msg, p) != NULL);

    /* another program's database */
    snprintf(p, sizeof p, "%s/other.db", dir);
    sqlite3 *db = NULL;
    sqlite3_open(p, &db);
    sqlite3_exec(db, "CREATE TABLE accounts(x)", NULL, NULL, NULL);
    sqlite3_close(db);
    tm_err_clear(&err);
    TM_CHECK_INT(tm_store_open(&st, p, &err), TM_EDB);
    TM_CHECK(strstr(err.msg, "another program") != NULL);

    /* an empty database another program has claimed */
    snprintf(p, sizeof p, "%s/claimed.db", dir);
    sqlite3_open(p, &db);
    sqlite3_exec(db, "PRAGMA application_id = 42", NULL, NULL, NULL);
    sqlite3_close(db);
    tm_err_clear(&err);
    TM_CHECK_INT(tm_store_open(&st, p, &err), TM_EDB);
    TM_CHECK(strstr(err.msg, "application id 42") != NULL);

    /* not a database at all */
    snprintf(p, sizeof p, "%s/notes.txt", dir);
    FILE *f = fopen(p, "w");
    fputs("These are not the minutes you are looking for. This is plain text, long enough"
          " to fill a SQLite header and then some more bytes to be sure of it.\n",
          f);
    fclose(f);
    tm_err_clear(&err);
    TM_CHECK_INT(tm_store_open(&st, p, &err), TM_EDB);
    TM_CHECK(strstr(err.msg, "notes.txt") != NULL);

    /* a directory that does not exist */
    tm_err_clear(&err);
    TM_CHECK_INT(tm_store_open(&st, "/nonexistent-dir/x/t.db", &err), TM_EIO);
    TM_CHECK(strstr(err.msg, "/nonexistent-dir/x/t.db") != NULL);
    cleanup_dir();
}

static void test_rows_written(void)
{
    tm_store *st = NULL;
    tm_err err = {0};
    TM_CHECK_INT(tm_store_open(&st, ":memory:", &err), TM_OK);
    if (!st) return;
    tm_doc d;
    make_minutes(&d, "corpora/m.txt", sha_a);
    tm_store_meta meta = {"2025.1", "lexhash", 999};
    TM_CHECK_INT(tm_store_doc(st, &d, &meta, &err), TM_OK);
    if (err.code) fprintf(stderr, "  %s\n", err.msg);

    TM_CHECK_INT(q_int(st, "SELECT count(*) FROM documents", NULL), 1);
    TM_CHECK_STR(q_str(st,
                       "SELECT kind || '|' || date || '|' || period_date || '|' ||"
                       " period_week || '|' || period_month || '|' || period_quarter || '|' ||"
                       " period_fyear || '|' || next_meeting || '|' || title || '|' ||"
                       " location || '|' || encoding || '|' || words || '|' || size || '|' ||"
                       " mtime || '|' || sentences || '|' || lexicon_version || '|' ||"
                       " lexicon_hash FROM documents WHERE path = ?1",
                       "corpora/m.txt"),
                 "minutes|2022-03-02|2022-03-02|2022-W09|2022-03|2022-Q1|FY2021/22|2022-04-06|"
                 "IAG minutes|Peartree Centre|utf-8|23|999|1700000000|5|2025.1|lexhash");
    TM_CHECK_STR(q_str(st, "SELECT sha256 FROM documents", NULL), sha_a);
    TM_CHECK_STR(q_str(st, "SELECT text FROM document_texts", NULL), minutes_text);
    TM_CHECK(strlen(q_str(st, "SELECT ingested_at FROM documents", NULL)) == 20);

    TM_CHECK_INT(q_int(st, "SELECT count(*) FROM sections", NULL), 2);
    TM_CHECK_STR(q_str(st,
                       "SELECT number || ' ' || title || ' ' || deferred FROM sections"
                       " WHERE idx = 1",
                       NULL),
                 "2 AOB 1");
    TM_CHECK_INT(q_int(st, "SELECT count(*) FROM speakers", NULL), 2);
    TM_CHECK_STR(
        q_str(st, "SELECT coalesce(role, 'none') FROM speakers WHERE initials = 'JH'", NULL),
        "none");

    /* sentences: text is the slice, offsets are the file's, context copied */
    TM_CHECK_INT(q_int(st, "SELECT count(*) FROM sentences", NULL), 5);
    TM_CHECK_STR(q_str(st, "SELECT text FROM sentences WHERE idx = 1", NULL),
                 "AK said Somali families fear hate crime after the viral video.");
    TM_CHECK_INT(q_int(st, "SELECT start FROM sentences WHERE idx = 1", NULL),
                 strstr(minutes_text, "AK said") - minutes_text);
    TM_CHECK_INT(q_int(st, "SELECT end - start FROM sentences WHERE idx = 1", NULL),
                 strlen("AK said Somali families fear hate crime after the viral video."));
    TM_CHECK_STR(q_str(st,
                       "SELECT section || '/' || speaker || '/' || role FROM sentences"
                       " WHERE idx = 1",
                       NULL),
                 "Hate crime/AK/IAG Chair");
    TM_CHECK_INT(q_int(st, "SELECT flags FROM sentences WHERE idx = 4", NULL), TM_SENT_DEFERRED);
    TM_CHECK_INT(q_int(st, "SELECT count(*) FROM sentences WHERE speaker IS NULL", NULL), 3);

    /* mentions, with the negated one kept and flagged */
    TM_CHECK_INT(q_int(st, "SELECT count(*) FROM mentions", NULL), 4);
    TM_CHECK_INT(
        q_int(st, "SELECT negated FROM mentions WHERE identifier = 'community_tension'", NULL), 1);
    TM_CHECK_STR(q_str(st,
                       "SELECT category || '/' || canonical FROM mentions WHERE"
                       " identifier = 'fishermead'",
                       NULL),
                 "place/Fishermead");
    TM_CHECK_STR(q_str(st, "SELECT canonical FROM mentions WHERE identifier = 'somali'", NULL),
                 "somali");
    TM_CHECK_INT(q_int(st, "SELECT start FROM mentions WHERE identifier = 'somali'", NULL),
                 strstr(minutes_text, "Somali") - minutes_text);

    /* signals carry their sentence's offsets, section, speaker and role */
    TM_CHECK_INT(q_int(st, "SELECT count(*) FROM signals", NULL), 2);
    TM_CHECK_STR(q_str(st,
                       "SELECT polarity || '/' || eep || '/' || negated || '/' || section"
                       " || '/' || speaker || '/' || role || '/' || theme_category FROM"
                       " signals WHERE theme = 'hate_crime'",
                       NULL),
                 "concern/experienced/0/Hate crime/AK/IAG Chair/theme");
    TM_CHECK_STR(q_str(st,
                       "SELECT eep || '/' || negated || '/' || coalesce(role, 'none') FROM"
                       " signals WHERE theme = 'community_tension'",
                       NULL),
                 "potential/1/none");
    TM_CHECK_INT(q_int(st,
                       "SELECT g.start = s.start AND g.end = s.end FROM signals g JOIN"
                       " sentences s ON s.doc_id = g.doc_id AND s.idx = g.sentence WHERE"
                       " g.idx = 0",
                       NULL),
                 1);

    TM_CHECK_STR(q_str(st,
                       "SELECT theme || '/' || date || '/' || coalesce(place, 'none') FROM"
                       " incidents",
                       NULL),
                 "hate_crime/2022-02/none");
    TM_CHECK_STR(q_str(st, "SELECT message FROM errors", NULL), "corpora/m.txt:3: odd line ending");

    /* full-text search finds the sentence (porter stemming: "fears" ~ "fear") */
    TM_CHECK_INT(q_int(st,
                       "SELECT s.idx FROM sentences_fts f JOIN sentences s ON s.id = f.rowid"
                       " WHERE sentences_fts MATCH 'viral AND fears'",
                       NULL),
                 1);
    tm_doc_dispose(&d);
    tm_store_close(st);
}

/* A converted document: text offsets map to different file offsets. */
static void test_offsets_go_through_raw_map(void)
{
    tm_store *st = NULL;
    tm_err err = {0};
    TM_CHECK_INT(tm_store_open(&st, ":memory:", &err), TM_OK);
    if (!st) return;
    tm_doc d;
    make_minutes(&d, "cp1252.txt", sha_a);
    d.encoding = TM_ENC_UTF16LE;
    /* every text byte stands for two file bytes after a 2-byte BOM */
    d.raw_map = tm_arena_alloc(&d.arena, (d.text_len + 1) * sizeof *d.raw_map);
    for (size_t i = 0; i <= d.text_len; i++)
        d.raw_map[i] = (uint32_t)(2 + 2 * i);
    TM_CHECK_INT(tm_store_doc(st, &d, NULL, &err), TM_OK);
    long long off = strstr(minutes_text, "AK said") - minutes_text;
    long long len = (long long)strlen("AK said Somali families fear hate crime after the viral"
                                      " video.");
    TM_CHECK_INT(q_int(st, "SELECT start FROM sentences WHERE idx = 1", NULL), 2 + 2 * off);
    TM_CHECK_INT(q_int(st, "SELECT end FROM sentences WHERE idx = 1", NULL), 2 + 2 * (off + len));
    TM_CHECK_INT(q_int(st, "SELECT text_start FROM sentences WHERE idx = 1", NULL), off);
    TM_CHECK_INT(q_int(st, "SELECT start FROM signals WHERE idx = 0", NULL), 2 + 2 * off);
    TM_CHECK_INT(q_int(st, "SELECT start FROM mentions WHERE identifier = 'somali'", NULL),
                 2 + 2 * (strstr(minutes_text, "Somali") - minutes_text));
    TM_CHECK_INT(q_int(st, "SELECT end FROM sections WHERE idx = 1", NULL),
                 2 + 2 * (long long)d.text_len);
    TM_CHECK_STR(q_str(st, "SELECT encoding FROM documents", NULL), "utf-16le");
    tm_doc_dispose(&d);
    tm_store_close(st);
}

static void test_is_current(void)
{
    tm_store *st = NULL;
    tm_err err = {0};
    TM_CHECK_INT(tm_store_open(&st, ":memory:", &err), TM_OK);
    if (!st) return;
    TM_CHECK_INT(tm_store_is_current(st, "m.txt", 100, 1700000000, sha_a, &err), 0);
    tm_doc d;
    make_minutes(&d, "m.txt", sha_a);
    tm_store_meta meta = {NULL, NULL, 100};
    TM_CHECK_INT(tm_store_doc(st, &d, &meta, &err), TM_OK);
    tm_doc_dispose(&d);
    TM_CHECK_INT(tm_store_is_current(st, "m.txt", 100, 1700000000, sha_a, &err), 1);
    TM_CHECK_INT(tm_store_is_current(st, "m.txt", 101, 1700000000, sha_a, &err), 0);
    TM_CHECK_INT(tm_store_is_current(st, "m.txt", 100, 1700000001, sha_a, &err), 0);
    TM_CHECK_INT(tm_store_is_current(st, "m.txt", 100, 1700000000, sha_b, &err), 0);
    TM_CHECK_INT(tm_store_is_current(st, "other.txt", 100, 1700000000, sha_a, &err), 0);
    TM_CHECK_INT(tm_store_is_current(st, NULL, 100, 1700000000, sha_a, &err), TM_EINVAL);
    tm_store_close(st);
}

static void test_restore_replaces(void)
{
    tm_store *st = NULL;
    tm_err err = {0};
    TM_CHECK_INT(tm_store_open(&st, ":memory:", &err), TM_OK);
    if (!st) return;
    tm_doc d;
    make_minutes(&d, "m.txt", sha_a);
    TM_CHECK_INT(tm_store_doc(st, &d, NULL, &err), TM_OK);
    tm_doc_dispose(&d);
    make_minutes(&d, "keep.txt", sha_a);
    TM_CHECK_INT(tm_store_doc(st, &d, NULL, &err), TM_OK);
    tm_doc_dispose(&d);
    /* the same path twice: still one document */
    make_minutes(&d, "m.txt", sha_a);
    TM_CHECK_INT(tm_store_doc(st, &d, NULL, &err), TM_OK);
    tm_doc_dispose(&d);
    TM_CHECK_INT(q_int(st, "SELECT count(*) FROM documents", NULL), 2);
    TM_CHECK_INT(q_int(st, "SELECT count(*) FROM sentences", NULL), 10);

    /* a changed file: different text and fewer sentences */
    make_big(&d, "m.txt", 3);
    TM_CHECK_INT(tm_store_doc(st, &d, NULL, &err), TM_OK);
    tm_doc_dispose(&d);
    const char *p = "m.txt";
    TM_CHECK_INT(q_int(st, "SELECT count(*) FROM documents WHERE path = ?1", p), 1);
    static const char *const children[] = {
        "SELECT count(*) FROM sentences s JOIN documents d ON d.id = s.doc_id WHERE d.path = ?1",
        "SELECT count(*) FROM mentions s JOIN documents d ON d.id = s.doc_id WHERE d.path = ?1",
        "SELECT count(*) FROM signals s JOIN documents d ON d.id = s.doc_id WHERE d.path = ?1",
        "SELECT count(*) FROM speakers s JOIN documents d ON d.id = s.doc_id WHERE d.path = ?1",
        "SELECT count(*) FROM sections s JOIN documents d ON d.id = s.doc_id WHERE d.path = ?1",
        "SELECT count(*) FROM incidents s JOIN documents d ON d.id = s.doc_id WHERE d.path = ?1",
        "SELECT count(*) FROM errors s JOIN documents d ON d.id = s.doc_id WHERE d.path = ?1",
    };
    static const long long want[] = {3, 0, 0, 0, 0, 0, 0};
    for (size_t i = 0; i < sizeof want / sizeof *want; i++)
        TM_CHECK_INT(q_int(st, children[i], p), want[i]);
    /* no orphans anywhere: every child row belongs to a document */
    TM_CHECK_INT(q_int(st,
                       "SELECT (SELECT count(*) FROM sentences) + (SELECT count(*) FROM"
                       " mentions) + (SELECT count(*) FROM signals) + (SELECT count(*) FROM"
                       " document_texts)",
                       NULL),
                 3 + 5 + 4 + 2 + 2);
    TM_CHECK_STR(q_str(st, "SELECT sha256 FROM documents WHERE path = ?1", p),
                 "0000000000000000000000000000000000000000000000000000000000000007");
    /* FTS follows: the old words are gone for m.txt, keep.txt still has them */
    TM_CHECK_INT(q_int(st,
                       "SELECT count(*) FROM sentences_fts WHERE sentences_fts MATCH"
                       " 'viral'",
                       NULL),
                 1);
    TM_CHECK_INT(q_int(st,
                       "SELECT count(*) FROM sentences_fts WHERE sentences_fts MATCH"
                       " 'estate'",
                       NULL),
                 3);
    TM_CHECK_INT(sqlite3_exec(tm_store_db(st),
                              "INSERT INTO sentences_fts(sentences_fts)"
                              " VALUES ('integrity-check')",
                              NULL, NULL, NULL),
                 SQLITE_OK);

    TM_CHECK_INT(tm_store_remove(st, "keep.txt", &err), TM_OK);
    TM_CHECK_INT(tm_store_remove(st, "never-stored.txt", &err), TM_OK);
    TM_CHECK_INT(q_int(st, "SELECT count(*) FROM documents", NULL), 1);
    TM_CHECK_INT(q_int(st,
                       "SELECT count(*) FROM sentences_fts WHERE sentences_fts MATCH"
                       " 'viral'",
                       NULL),
                 0);
    TM_CHECK_INT(q_int(st, "SELECT count(*) FROM mentions", NULL), 0);
    tm_store_close(st);
}

/* Re-storing a document with the same text and sentences (a re-tag) keeps
 * its id, sentences and full-text entries and replaces the rest; a
 * difference in any sentence column (here a speaker's role) replaces the
 * sentences too. Either way the result is what a first store gives. */
static void test_restore_same_text(void)
{
    tm_store *st = NULL;
    tm_err err = {0};
    TM_CHECK_INT(tm_store_open(&st, ":memory:", &err), TM_OK);
    if (!st) return;
    tm_doc d;
    tm_store_meta m1 = {"1", "hash-one", 100}, m2 = {"2", "hash-two", 100};
    make_minutes(&d, "m.txt", sha_a);
    long long nment = (long long)d.mentions.n;
    TM_CHECK_INT(tm_store_doc(st, &d, &m1, &err), TM_OK);
    tm_doc_dispose(&d);
    /* a later document, so that sentences stored again get other ids */
    make_minutes(&d, "keep.txt", sha_b);
    TM_CHECK_INT(tm_store_doc(st, &d, &m1, &err), TM_OK);
    tm_doc_dispose(&d);
    const char *p = "m.txt";
    static const char q_first[] =
        "SELECT min(s.id) FROM sentences s JOIN documents d ON d.id = s.doc_id WHERE d.path = ?1";
    static const char q_viral[] =
        "SELECT count(*) FROM sentences_fts WHERE sentences_fts MATCH 'viral'";
    long long doc_id = q_int(st, "SELECT id FROM documents WHERE path = ?1", p);
    long long first_sent = q_int(st, q_first, p);

    /* another lexicon found one mention fewer: stored in place */
    make_minutes(&d, "m.txt", sha_a);
    d.mentions.n--;
    TM_CHECK_INT(tm_store_doc(st, &d, &m2, &err), TM_OK);
    tm_doc_dispose(&d);
    TM_CHECK_INT(q_int(st, "SELECT count(*) FROM documents", NULL), 2);
    TM_CHECK_INT(q_int(st, "SELECT id FROM documents WHERE path = ?1", p), doc_id);
    TM_CHECK_INT(q_int(st, q_first, p), first_sent);
    TM_CHECK_INT(q_int(st, "SELECT count(*) FROM sentences", NULL), 10);
    TM_CHECK_INT(q_int(st, "SELECT count(*) FROM mentions", NULL), 2 * nment - 1);
    TM_CHECK_INT(q_int(st, "SELECT count(*) FROM sections", NULL), 4);
    TM_CHECK_INT(q_int(st, "SELECT count(*) FROM speakers", NULL), 4);
    TM_CHECK_INT(q_int(st, "SELECT count(*) FROM signals", NULL), 4);
    TM_CHECK_INT(q_int(st, "SELECT count(*) FROM document_texts", NULL), 2);
    TM_CHECK_STR(q_str(st, "SELECT lexicon_hash FROM documents WHERE path = ?1", p), "hash-two");
    TM_CHECK_INT(q_int(st, q_viral, NULL), 2);

    /* a sentence column differs: the sentences are stored again */
    make_minutes(&d, "m.txt", sha_a);
    d.speakers.v[0].role = "Vice Chair";
    TM_CHECK_INT(tm_store_doc(st, &d, &m2, &err), TM_OK);
    tm_doc_dispose(&d);
    TM_CHECK_INT(q_int(st, "SELECT count(*) FROM sentences", NULL), 10);
    TM_CHECK_INT(q_int(st, "SELECT count(*) FROM sentences WHERE role = 'Vice Chair'", NULL), 1);
    TM_CHECK(q_int(st, q_first, p) > first_sent);
    TM_CHECK_INT(q_int(st, "SELECT count(*) FROM mentions", NULL), 2 * nment);
    TM_CHECK_INT(q_int(st, q_viral, NULL), 2);
    TM_CHECK_INT(sqlite3_exec(tm_store_db(st),
                              "INSERT INTO sentences_fts(sentences_fts)"
                              " VALUES ('integrity-check')",
                              NULL, NULL, NULL),
                 SQLITE_OK);
    tm_store_close(st);
}

/* Disk full half-way through a document: none of it is stored, and the
 * earlier version of the same path survives. */
static void test_full_disk_stores_nothing(void)
{
    const char *path = db_path("full.db");
    tm_store *st = NULL;
    tm_err err = {0};
    TM_CHECK_INT(tm_store_open(&st, path, &err), TM_OK);
    if (!st) {
        cleanup_dir();
        return;
    }
    tm_doc d;
    make_minutes(&d, "big.txt", sha_a);
    TM_CHECK_INT(tm_store_doc(st, &d, NULL, &err), TM_OK);
    tm_doc_dispose(&d);
    long long pages = q_int(st, "PRAGMA page_count", NULL);
    char sql[64];

    /* Raise the page limit step by step, so the disk fills up at every
     * stage of the write (document text, sentences, FTS, mentions...),
     * until the document finally fits. */
    make_big(&d, "big.txt", 2000); /* ~120 kB of sentences plus FTS */
    int failures = 0, saw_text = 0, saw_sentence = 0, rc = TM_EDB;
    for (long long extra = 2; extra < 2000 && rc != TM_OK; extra += 3) {
        snprintf(sql, sizeof sql, "PRAGMA max_page_count = %lld", pages + extra);
        TM_CHECK_INT(q_int(st, sql, NULL), pages + extra);
        tm_err_clear(&err);
        rc = tm_store_doc(st, &d, NULL, &err);
        if (rc == TM_OK) break;
        failures++;
        TM_CHECK_INT(rc, TM_EDB);
        TM_CHECK(strstr(err.msg, "full") != NULL);
        TM_CHECK(strstr(err.msg, path) != NULL);
        saw_text |= strstr(err.msg, "document text") != NULL;
        saw_sentence |= strstr(err.msg, "a sentence") != NULL;
        /* the old version is intact, nothing of the new one is there */
        TM_CHECK_STR(q_str(st, "SELECT sha256 FROM documents WHERE path = 'big.txt'", NULL), sha_a);
        TM_CHECK_INT(q_int(st, "SELECT count(*) FROM documents", NULL), 1);
        TM_CHECK_INT(q_int(st, "SELECT count(*) FROM sentences", NULL), 5);
        TM_CHECK_INT(q_int(st, "SELECT count(*) FROM document_texts", NULL), 1);
        TM_CHECK_INT(q_int(st,
                           "SELECT count(*) FROM sentences_fts WHERE sentences_fts MATCH"
                           " 'estate'",
                           NULL),
                     0);
        TM_CHECK_INT(sqlite3_get_autocommit(tm_store_db(st)), 1); /* no transaction left */
        if (tm_test_failures_) break;                             /* one report is enough */
    }
    TM_CHECK(failures > 2);
    TM_CHECK(saw_text);     /* failed before any sentence went in */
    TM_CHECK(saw_sentence); /* failed with the document row and some sentences in */
    TM_CHECK_INT(rc, TM_OK);
    TM_CHECK_INT(q_int(st, "SELECT count(*) FROM sentences", NULL), 2000);
    TM_CHECK_INT(q_int(st,
                       "SELECT count(*) FROM sentences_fts WHERE sentences_fts MATCH"
                       " 'estate'",
                       NULL),
                 2000);
    tm_doc_dispose(&d);

    /* a new path fails the same way and leaves no document row */
    make_big(&d, "new.txt", 2000);
    snprintf(sql, sizeof sql, "PRAGMA max_page_count = %lld",
             q_int(st, "PRAGMA page_count", NULL) + 10);
    q_int(st, sql, NULL);
    tm_err_clear(&err);
    TM_CHECK_INT(tm_store_doc(st, &d, NULL, &err), TM_EDB);
    TM_CHECK_INT(q_int(st, "SELECT count(*) FROM documents WHERE path = 'new.txt'", NULL), 0);
    tm_doc_dispose(&d);
    tm_store_close(st);

    /* and what was committed survives a reopen */
    st = NULL;
    TM_CHECK_INT(tm_store_open(&st, path, &err), TM_OK);
    if (st) TM_CHECK_INT(q_int(st, "SELECT count(*) FROM documents", NULL), 1);
    tm_store_close(st);
    cleanup_dir();
}

/* A doc that breaks the contract (a signal naming a missing sentence) is
 * refused before anything is written. */
static void test_contract_violation_stores_nothing(void)
{
    tm_store *st = NULL;
    tm_err err = {0};
    TM_CHECK_INT(tm_store_open(&st, ":memory:", &err), TM_OK);
    if (!st) return;
    tm_doc d;
    make_minutes(&d, "m.txt", sha_a);
    TM_CHECK_INT(tm_store_doc(st, &d, NULL, &err), TM_OK);
    d.signals.v[1].sent = 99;
    d.sha256[0] = 'c';
    TM_CHECK_INT(tm_store_doc(st, &d, NULL, &err), TM_EINVAL);
    TM_CHECK(strstr(err.msg, "m.txt") != NULL);
    TM_CHECK(strstr(err.msg, "signal 1") != NULL);
    TM_CHECK_STR(q_str(st, "SELECT sha256 FROM documents", NULL), sha_a);
    d.signals.v[1].sent = 2;

    tm_err_clear(&err);
    d.sentences.v[3].end = (uint32_t)d.text_len + 1;
    TM_CHECK_INT(tm_store_doc(st, &d, NULL, &err), TM_EINVAL);
    TM_CHECK(strstr(err.msg, "sentence 3") != NULL);
    d.sentences.v[3].end = d.sentences.v[3].off;

    tm_err_clear(&err);
    d.sentences.v[2].speaker = 2;
    TM_CHECK_INT(tm_store_doc(st, &d, NULL, &err), TM_EINVAL);
    d.sentences.v[2].speaker = 1;

    tm_err_clear(&err);
    d.sentences.v[2].section = 2;
    TM_CHECK_INT(tm_store_doc(st, &d, NULL, &err), TM_EINVAL);
    TM_CHECK(strstr(err.msg, "section 2") != NULL);
    d.sentences.v[2].section = 0;

    tm_err_clear(&err);
    d.mentions.v[1].end = (uint32_t)d.text_len + 5;
    TM_CHECK_INT(tm_store_doc(st, &d, NULL, &err), TM_EINVAL);
    TM_CHECK(strstr(err.msg, "mention 1") != NULL);
    d.mentions.v[1].end = d.mentions.v[1].off;

    tm_err_clear(&err);
    d.incidents.v[0].sent = 5;
    TM_CHECK_INT(tm_store_doc(st, &d, NULL, &err), TM_EINVAL);
    TM_CHECK(strstr(err.msg, "incident 0") != NULL);
    d.incidents.v[0].sent = 1;

    tm_err_clear(&err);
    snprintf(d.period_date, sizeof d.period_date, "2022-02-30");
    TM_CHECK_INT(tm_store_doc(st, &d, NULL, &err), TM_EINVAL);
    TM_CHECK(strstr(err.msg, "2022-02-30") != NULL);
    TM_CHECK_STR(q_str(st, "SELECT sha256 FROM documents", NULL), sha_a);

    /* undated is fine: NULL period columns */
    d.period_date[0] = '\0';
    d.date[0] = '\0';
    tm_err_clear(&err);
    TM_CHECK_INT(tm_store_doc(st, &d, NULL, &err), TM_OK);
    TM_CHECK_INT(q_int(st,
                       "SELECT count(*) FROM documents WHERE period_date IS NULL AND"
                       " period_week IS NULL AND period_fyear IS NULL AND date IS NULL",
                       NULL),
                 1);
    tm_doc_dispose(&d);
    tm_store_close(st);
}

static void test_batch(void)
{
    const char *path = db_path("batch.db");
    tm_store *st = NULL;
    tm_err err = {0};
    TM_CHECK_INT(tm_store_open(&st, path, &err), TM_OK);
    if (!st) {
        cleanup_dir();
        return;
    }
    tm_doc a, b, bad;
    make_minutes(&a, "a.txt", sha_a);
    make_minutes(&b, "b.txt", sha_b);
    make_minutes(&bad, "bad.txt", sha_b);
    bad.mentions.v[0].sent = 1000;

    TM_CHECK_INT(tm_store_begin(st, &err), TM_OK);
    TM_CHECK_INT(tm_store_begin(st, &err), TM_EINVAL); /* no nesting */
    tm_err_clear(&err);
    TM_CHECK_INT(tm_store_doc(st, &a, NULL, &err), TM_OK);
    TM_CHECK_INT(tm_store_doc(st, &bad, NULL, &err), TM_EINVAL);
    tm_err_clear(&err);
    TM_CHECK_INT(tm_store_doc(st, &b, NULL, &err), TM_OK);
    TM_CHECK_INT(sqlite3_get_autocommit(tm_store_db(st)), 0); /* still inside the batch */
    TM_CHECK_INT(tm_store_commit(st, &err), TM_OK);
    TM_CHECK_INT(q_int(st, "SELECT count(*) FROM documents", NULL), 2);

    /* a rolled-back batch leaves nothing; so does closing with one open */
    TM_CHECK_INT(tm_store_begin(st, &err), TM_OK);
    TM_CHECK_INT(tm_store_remove(st, "a.txt", &err), TM_OK);
    tm_store_rollback(st);
    TM_CHECK_INT(q_int(st, "SELECT count(*) FROM documents", NULL), 2);
    TM_CHECK_INT(tm_store_commit(st, &err), TM_EINVAL);
    tm_err_clear(&err);
    TM_CHECK_INT(tm_store_begin(st, &err), TM_OK);
    TM_CHECK_INT(tm_store_remove(st, "b.txt", &err), TM_OK);
    tm_store_close(st);
    st = NULL;
    TM_CHECK_INT(tm_store_open(&st, path, &err), TM_OK);
    if (st) TM_CHECK_INT(q_int(st, "SELECT count(*) FROM documents", NULL), 2);

    /* disk full inside a batch loses the batch, and says so */
    if (st) {
        long long pages = q_int(st, "PRAGMA page_count", NULL);
        char sql[64];
        snprintf(sql, sizeof sql, "PRAGMA max_page_count = %lld", pages + 2);
        q_int(st, sql, NULL);
        tm_doc big;
        make_big(&big, "big.txt", 2000);
        TM_CHECK_INT(tm_store_begin(st, &err), TM_OK);
        TM_CHECK_INT(tm_store_remove(st, "a.txt", &err), TM_OK);
        TM_CHECK_INT(tm_store_doc(st, &big, NULL, &err), TM_EDB);
        TM_CHECK(strstr(err.msg, "full") != NULL);
        if (sqlite3_get_autocommit(tm_store_db(st))) {
            /* SQLite dropped the whole transaction: the message must say so */
            TM_CHECK(strstr(err.msg, "whole batch") != NULL);
            TM_CHECK_INT(tm_store_commit(st, NULL), TM_EINVAL);
            TM_CHECK_INT(q_int(st, "SELECT count(*) FROM documents", NULL), 2);
        } else {
            /* only the document's savepoint was undone: the batch goes on */
            TM_CHECK(strstr(err.msg, "whole batch") == NULL);
            TM_CHECK_INT(tm_store_commit(st, &err), TM_OK);
            TM_CHECK_INT(q_int(st, "SELECT count(*) FROM documents", NULL), 1);
        }
        TM_CHECK_INT(q_int(st, "SELECT count(*) FROM documents WHERE path = 'big.txt'", NULL), 0);
        TM_CHECK_INT(q_int(st, "SELECT count(*) FROM sentences WHERE text LIKE 'Residents%'", NULL),
                     0);
        tm_doc_dispose(&big);
    }
    tm_store_close(st);
    tm_doc_dispose(&a);
    tm_doc_dispose(&b);
    tm_doc_dispose(&bad);
    cleanup_dir();
}

/* Rows go in by statements of 32, 16, ... 1 rows: counts that are not
 * powers of two, and mentions left out in between, must still give every
 * row its own index and values. */
static void test_many_rows(void)
{
    tm_store *st = NULL;
    tm_err err = {0};
    TM_CHECK_INT(tm_store_open(&st, ":memory:", &err), TM_OK);
    if (!st) return;
    tm_doc d;
    make_big(&d, "corpora/big.txt", 77);
    long long kept = 0, idx_sum = 0, sent_sum = 0;
    for (uint32_t i = 0; i < 77; i++) {
        tm_mention *m = TM_VEC_PUSH(&d.arena, d.mentions);
        m->off = d.sentences.v[i].off;
        m->end = m->off + 9;
        m->sent = i;
        /* every third one a cue that is not stored */
        m->cat = i % 3 == 1 ? TM_CAT_CUE : TM_CAT_THEME;
        m->id = i % 3 == 1 ? "negation" : "community_tension";
        m->canon = m->id;
        m->weight = 1.0f;
        if (i % 3 != 1) {
            kept++;
            idx_sum += i;
            sent_sum += i;
        }
    }
    for (uint32_t i = 0; i < 45; i++) {
        tm_signal *g = TM_VEC_PUSH(&d.arena, d.signals);
        g->community = "somali";
        g->theme = "community_tension";
        g->theme_cat = TM_CAT_THEME;
        g->polarity = TM_POL_CONCERN;
        g->eep = TM_EEP_POTENTIAL;
        g->weight = 0.5f;
        g->sent = 76 - i;
    }
    tm_store_meta meta = {"2025.1", "lexhash", 999};
    TM_CHECK_INT(tm_store_doc(st, &d, &meta, &err), TM_OK);
    if (err.code) fprintf(stderr, "  %s\n", err.msg);
    TM_CHECK_INT(q_int(st, "SELECT count(*) FROM sentences", NULL), 77);
    TM_CHECK_INT(q_int(st, "SELECT sum(idx) FROM sentences", NULL), 76 * 77 / 2);
    TM_CHECK_INT(q_int(st, "SELECT count(*) FROM sentences WHERE text_start = idx * 61", NULL), 77);
    TM_CHECK_STR(q_str(st, "SELECT text FROM sentences WHERE idx = 63", NULL),
                 "Residents reported rising tension around the estate tonight.");
    TM_CHECK_INT(q_int(st, "SELECT count(*) FROM mentions", NULL), kept);
    TM_CHECK_INT(q_int(st, "SELECT sum(idx) FROM mentions", NULL), idx_sum);
    TM_CHECK_INT(q_int(st, "SELECT sum(sentence) FROM mentions", NULL), sent_sum);
    TM_CHECK_INT(q_int(st, "SELECT count(*) FROM mentions WHERE idx % 3 = 1", NULL), 0);
    TM_CHECK_INT(q_int(st, "SELECT count(*) FROM mentions WHERE start = sentence * 61", NULL),
                 kept);
    TM_CHECK_INT(q_int(st, "SELECT count(*) FROM signals", NULL), 45);
    TM_CHECK_INT(q_int(st, "SELECT count(*) FROM signals WHERE sentence = 76 - idx", NULL), 45);
    TM_CHECK_INT(
        q_int(st, "SELECT count(*) FROM sentences_fts WHERE sentences_fts MATCH 'estate'", NULL),
        77);
    tm_store_close(st);
    tm_doc_dispose(&d);
}

/* Inside a batch foreign keys are off and the store cascades by hand:
 * replacing and removing documents there must leave no row behind in any
 * table that references documents, and the keys are on again after. */
static void test_batch_cascades(void)
{
    tm_store *st = NULL;
    tm_err err = {0};
    TM_CHECK_INT(tm_store_open(&st, ":memory:", &err), TM_OK);
    if (!st) return;
    tm_doc a, b, m;
    make_big(&a, "corpora/big.txt", 40);
    make_big(&b, "corpora/big.txt", 25); /* other text: not kept, replaced */
    make_minutes(&m, "corpora/m.txt", sha_a);
    tm_store_meta meta = {"2025.1", "lexhash", 999};
    TM_CHECK_INT(tm_store_begin(st, &err), TM_OK);
    TM_CHECK_INT(tm_store_doc(st, &a, &meta, &err), TM_OK);
    TM_CHECK_INT(tm_store_doc(st, &m, &meta, &err), TM_OK);
    TM_CHECK_INT(tm_store_commit(st, &err), TM_OK);
    TM_CHECK_INT(q_int(st, "PRAGMA foreign_keys", NULL), 1);
    TM_CHECK_INT(tm_store_begin(st, &err), TM_OK);
    TM_CHECK_INT(q_int(st, "PRAGMA foreign_keys", NULL), 0);
    TM_CHECK_INT(tm_store_doc(st, &b, &meta, &err), TM_OK);
    TM_CHECK_INT(tm_store_remove(st, "corpora/m.txt", &err), TM_OK);
    TM_CHECK_INT(tm_store_commit(st, &err), TM_OK);
    TM_CHECK_INT(q_int(st, "PRAGMA foreign_keys", NULL), 1);
    if (err.code) fprintf(stderr, "  %s\n", err.msg);
    TM_CHECK_INT(q_int(st, "SELECT count(*) FROM documents", NULL), 1);
    TM_CHECK_INT(q_int(st, "SELECT count(*) FROM sentences", NULL), 25);
    TM_CHECK_INT(q_int(st, "SELECT count(*) FROM sentences_fts_docsize", NULL), 25);
    TM_CHECK_INT(
        q_int(st, "SELECT count(*) FROM sentences_fts WHERE sentences_fts MATCH 'estate'", NULL),
        25);
    /* every table with a key to documents: no row of a deleted document */
    TM_CHECK_INT(q_int(st,
                       "SELECT count(*) FROM sqlite_master t, pragma_foreign_key_list(t.name) f"
                       " WHERE t.type = 'table' AND f.\"table\" = 'documents'",
                       NULL),
                 11);
    TM_CHECK_INT(q_int(st, "SELECT count(*) FROM pragma_foreign_key_check", NULL), 0);
    const char *tables[] = {"document_texts", "sections",        "speakers", "mentions",
                            "signals",        "incidents",       "errors",   "document_sources",
                            "doc_tallies",    "sentence_tallies"};
    for (size_t i = 0; i < sizeof tables / sizeof *tables; i++) {
        char sql[128];
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM %s WHERE doc_id NOT IN"
                 " (SELECT id FROM documents)",
                 tables[i]);
        TM_CHECK_INT(q_int(st, sql, NULL), 0);
    }
    tm_store_close(st);
    tm_doc_dispose(&a);
    tm_doc_dispose(&b);
    tm_doc_dispose(&m);
}

/* Rows of doc_tallies that a recount of the live mentions and signals does
 * not give, plus the other way round: 0 when the tallies are exact. */
static long long tallies_off(tm_store *st)
{
    static const char recount[] =
        "SELECT doc_id, category, CASE WHEN category = 'place' THEN canonical ELSE identifier"
        " END, '', '', '', count(*) FROM mentions WHERE negated = 0 AND dropped = 0"
        " GROUP BY 1, 2, 3 UNION ALL SELECT doc_id, 'signal', community, theme, polarity, eep,"
        " count(*) FROM signals WHERE negated = 0 GROUP BY 1, 3, 4, 5, 6";
    static const char stored[] = "SELECT doc_id, kind, k1, k2, k3, k4, count FROM doc_tallies";
    char sql[1024];
    snprintf(sql, sizeof sql,
             "WITH r AS (%s), s AS (%s) SELECT (SELECT count(*) FROM (SELECT * FROM r EXCEPT"
             " SELECT * FROM s)) + (SELECT count(*) FROM (SELECT * FROM s EXCEPT SELECT * FROM r))",
             recount, stored);
    return q_int(st, sql, NULL);
}

/* The same for sentence_tallies, recounted another way (store.c derives
 * them with IN and one GROUP BY per kind): live tone mentions per sentence
 * and identifier where the sentence has a live signal, live event cues and
 * planned_event indicators per sentence, with their count and smallest
 * start and end. */
static long long sentence_tallies_off(tm_store *st)
{
    static const char recount[] =
        "SELECT m.doc_id, CASE m.category WHEN 'tone' THEN 'tone' ELSE 'event' END AS kind,"
        " m.sentence, CASE m.category WHEN 'tone' THEN m.identifier ELSE '' END AS k,"
        " count(*), min(m.start), min(m.end) FROM mentions m WHERE m.negated = 0"
        " AND m.dropped = 0 AND ((m.category = 'tone' AND EXISTS (SELECT 1 FROM signals g"
        " WHERE g.doc_id = m.doc_id AND g.sentence = m.sentence AND NOT g.negated))"
        " OR (m.category, m.identifier) IN (VALUES ('cue', 'event'),"
        " ('indicator', 'planned_event'))) GROUP BY 1, 2, 3, 4";
    static const char stored[] =
        "SELECT doc_id, kind, sentence, k, count, start, end FROM sentence_tallies";
    char sql[2048];
    snprintf(sql, sizeof sql,
             "WITH r AS (%s), s AS (%s) SELECT (SELECT count(*) FROM (SELECT * FROM r EXCEPT"
             " SELECT * FROM s)) + (SELECT count(*) FROM (SELECT * FROM s EXCEPT SELECT * FROM r))",
             recount, stored);
    return q_int(st, sql, NULL);
}

static void test_tallies(void)
{
    const char *path = db_path("t.db");
    char p[160];
    snprintf(p, sizeof p, "%s", path);
    tm_store *st = NULL;
    tm_err err = {0};
    TM_CHECK_INT(tm_store_open(&st, p, &err), TM_OK);
    if (!st) return;
    tm_doc d;
    make_minutes(&d, "m.txt", sha_a);
    TM_CHECK_INT(tm_store_doc(st, &d, NULL, &err), TM_OK);
    tm_doc_dispose(&d);
    make_minutes(&d, "keep.txt", sha_a);
    TM_CHECK_INT(tm_store_doc(st, &d, NULL, &err), TM_OK);
    tm_doc_dispose(&d);
    TM_CHECK(q_int(st, "SELECT count(*) FROM doc_tallies WHERE kind = 'signal'", NULL) > 0);
    TM_CHECK(q_int(st, "SELECT count(*) FROM doc_tallies WHERE kind = 'community'", NULL) > 0);
    TM_CHECK_INT(q_int(st, "SELECT sum(count) FROM doc_tallies WHERE kind = 'signal'", NULL),
                 q_int(st, "SELECT count(*) FROM signals WHERE negated = 0", NULL));
    TM_CHECK_INT(tallies_off(st), 0);
    /* stored again with the same text (rows replaced in place), then changed */
    make_minutes(&d, "m.txt", sha_b);
    TM_CHECK_INT(tm_store_doc(st, &d, NULL, &err), TM_OK);
    tm_doc_dispose(&d);
    TM_CHECK_INT(tallies_off(st), 0);
    make_big(&d, "m.txt", 3);
    TM_CHECK_INT(tm_store_doc(st, &d, NULL, &err), TM_OK);
    tm_doc_dispose(&d);
    TM_CHECK_INT(tallies_off(st), 0);
    /* keys that repeat, dropped and negated mentions, cues stored or not,
     * places with and without a canonical name, and more distinct keys
     * than one multi-row insert takes */
    make_big(&d, "varied.txt", 60);
    static const char *const ids[] = {"somali", "hate_crime", "event",    "negation",
                                      "action", "fishermead", "bletchley"};
    static const tm_category cats[] = {TM_CAT_COMMUNITY, TM_CAT_THEME, TM_CAT_CUE,  TM_CAT_CUE,
                                       TM_CAT_CUE,       TM_CAT_PLACE, TM_CAT_PLACE};
    char *names = tm_arena_alloc(&d.arena, 60 * 8);
    TM_CHECK(names != NULL);
    for (uint32_t i = 0; names && i < 180; i++) {
        tm_mention *m = TM_VEC_PUSH(&d.arena, d.mentions);
        if (!m) break;
        size_t k = i % 7;
        m->off = d.sentences.v[i % 60].off;
        m->end = m->off + 5;
        m->sent = i % 60;
        m->cat = cats[k];
        m->id = ids[k];
        if (i % 11 == 3) { /* a key of its own: 17 distinct ones */
            snprintf(names + 8 * (i % 60), 8, "id%u", i % 60);
            m->id = names + 8 * (i % 60);
        }
        m->canon = k == 5 ? "Fishermead" : k == 6 && i % 2 ? "" : m->id;
        m->negated = i % 13 == 0;
        m->dropped = i % 17 == 0;
        m->weight = 1.0f;
    }
    char *coms = tm_arena_alloc(&d.arena, 40 * 8); /* 40 communities, twice or more each */
    TM_CHECK(coms != NULL);
    for (uint32_t i = 0; coms && i < 90; i++) {
        tm_signal *g = TM_VEC_PUSH(&d.arena, d.signals);
        if (!g) break;
        snprintf(coms + 8 * (i % 40), 8, "c%u", i % 40);
        g->community = coms + 8 * (i % 40);
        g->theme = i % 4 ? "hate_crime" : "asb";
        g->theme_cat = TM_CAT_THEME;
        g->polarity = i % 5 ? TM_POL_CONCERN : TM_POL_REASSURANCE;
        g->eep = i % 2 ? TM_EEP_EXPERIENCED : TM_EEP_POTENTIAL;
        g->negated = i % 7 == 0;
        g->weight = 1.0f;
        g->sent = i % 60;
    }
    /* tones and planned events: in sentences with and without a live
     * signal (35, 42, 49 and 56 have only negated ones), repeated in a
     * sentence with a later start ending earlier, negated and dropped */
    static const char *const ev_ids[] = {"anger", "calm", "planned_event"};
    static const tm_category ev_cats[] = {TM_CAT_TONE, TM_CAT_TONE, TM_CAT_INDICATOR};
    for (uint32_t i = 0; i < 120; i++) {
        tm_mention *m = TM_VEC_PUSH(&d.arena, d.mentions);
        if (!m) break;
        m->sent = i * 7 % 60;
        m->off = d.sentences.v[m->sent].off + i % 4;
        m->end = m->off + 10 - 3 * (i % 4);
        m->cat = ev_cats[i % 3];
        m->id = m->canon = ev_ids[i % 3];
        m->negated = i % 11 == 5;
        m->dropped = i % 13 == 6;
        m->weight = 1.0f;
    }
    TM_CHECK_INT(tm_store_doc(st, &d, NULL, &err), TM_OK);
    tm_doc_dispose(&d);
    TM_CHECK(q_int(st, "SELECT max(count) FROM doc_tallies", NULL) > 1);
    TM_CHECK(q_int(st, "SELECT count(*) FROM sentence_tallies WHERE kind = 'tone'", NULL) > 32);
    TM_CHECK(q_int(st, "SELECT count(*) FROM sentence_tallies WHERE kind = 'event'", NULL) > 10);
    TM_CHECK(q_int(st, "SELECT max(count) FROM sentence_tallies", NULL) > 1);
    TM_CHECK_INT(q_int(st,
                       "SELECT count(*) FROM sentence_tallies WHERE kind = 'tone'"
                       " AND sentence IN (35, 42, 49, 56)",
                       NULL),
                 0);
    TM_CHECK_INT(sentence_tallies_off(st), 0);
    TM_CHECK(q_int(st,
                   "SELECT count(*) FROM doc_tallies t JOIN documents d ON d.id = t.doc_id"
                   " WHERE d.path = 'varied.txt'",
                   NULL) > 32);
    TM_CHECK_INT(tallies_off(st), 0);
    /* forgotten with the document */
    TM_CHECK_INT(tm_store_remove(st, "keep.txt", &err), TM_OK);
    TM_CHECK_INT(q_int(st,
                       "SELECT count(*) FROM doc_tallies WHERE doc_id NOT IN (SELECT id FROM"
                       " documents)",
                       NULL),
                 0);
    TM_CHECK_INT(tallies_off(st), 0);
    TM_CHECK_INT(q_int(st,
                       "SELECT count(*) FROM sentence_tallies WHERE doc_id NOT IN (SELECT id FROM"
                       " documents)",
                       NULL),
                 0);
    TM_CHECK_INT(sentence_tallies_off(st), 0);
    make_minutes(&d, "keep.txt", sha_a);
    TM_CHECK_INT(tm_store_doc(st, &d, NULL, &err), TM_OK);
    tm_doc_dispose(&d);
    long long rows = q_int(st, "SELECT count(*) FROM doc_tallies", NULL);
    TM_CHECK(rows > 0);
    /* a version 3 database gets its tallies from the rows it has */
    TM_CHECK_INT(sqlite3_exec(tm_store_db(st),
                              "DROP TABLE doc_tallies; DROP TABLE sentence_tallies;"
                              " PRAGMA user_version = 3",
                              NULL, NULL, NULL),
                 SQLITE_OK);
    tm_store_close(st);
    st = NULL;
    TM_CHECK_INT(tm_store_open(&st, p, &err), TM_OK);
    if (st) {
        TM_CHECK_INT(q_int(st, "PRAGMA user_version", NULL), TM_STORE_SCHEMA_VERSION);
        TM_CHECK_INT(q_int(st, "SELECT count(*) FROM doc_tallies", NULL), rows);
        TM_CHECK_INT(tallies_off(st), 0);
        TM_CHECK_INT(sentence_tallies_off(st), 0);
    }
    /* a version 5 database gets its sentence tallies from the rows it has */
    long long srows = st ? q_int(st, "SELECT count(*) FROM sentence_tallies", NULL) : 0;
    TM_CHECK(srows > 0);
    TM_CHECK_INT(st ? sqlite3_exec(tm_store_db(st),
                                   "DROP TABLE sentence_tallies; PRAGMA user_version = 5", NULL,
                                   NULL, NULL)
                    : SQLITE_ERROR,
                 SQLITE_OK);
    tm_store_close(st);
    st = NULL;
    TM_CHECK_INT(tm_store_open(&st, p, &err), TM_OK);
    if (st) {
        TM_CHECK_INT(q_int(st, "PRAGMA user_version", NULL), TM_STORE_SCHEMA_VERSION);
        TM_CHECK_INT(q_int(st, "SELECT count(*) FROM sentence_tallies", NULL), srows);
        TM_CHECK_INT(sentence_tallies_off(st), 0);
    }
    tm_store_close(st);
    cleanup_dir();
}

static const tm_test_case cases[] = {
    {"open_creates_private_file", test_open_creates_private_file},
    {"refuses_foreign_and_newer_databases", test_refuses_foreign_and_newer_databases},
    {"rows_written", test_rows_written},
    {"offsets_go_through_raw_map", test_offsets_go_through_raw_map},
    {"is_current", test_is_current},
    {"restore_replaces", test_restore_replaces},
    {"restore_same_text", test_restore_same_text},
    {"full_disk_stores_nothing", test_full_disk_stores_nothing},
    {"contract_violation_stores_nothing", test_contract_violation_stores_nothing},
    {"batch", test_batch},
    {"many_rows", test_many_rows},
    {"batch_cascades", test_batch_cascades},
    {"tallies", test_tallies},
    {NULL, NULL},
};

TM_TEST_MAIN(cases)
