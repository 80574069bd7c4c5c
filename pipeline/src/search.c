/*
 * search.c: one FTS5 query over sentences_fts, joined to the sentence and
 * its document, with the filters as bound parameters (NULL = no filter).
 *
 * Mentions have no index but their (doc_id, idx) key, so a community or
 * theme filter cannot look a sentence's mentions up: probing them per hit
 * read a document's mentions once per matching sentence (a common word on
 * the 100 MB bench database: 1.3 s instead of 0.4 s). Instead the hits are
 * collected first (h), then the mentions of each distinct document among
 * them that has the community or theme at all (its doc_tallies row) are
 * read once, into the (doc_id, sentence) sets c and t; those CTEs are empty
 * without the filter.
 */
#include "tm/search.h"
#include "tm/aggregate.h"

#include <sqlite3.h>
#include <string.h>

static const char sql[] =
    "WITH h AS MATERIALIZED (SELECT bm25(sentences_fts) AS score, d.path, d.kind, d.date,"
    " s.section, s.speaker, s.role, s.start, s.end, s.text, s.doc_id, s.idx"
    " FROM sentences_fts JOIN sentences s ON s.id = sentences_fts.rowid"
    " JOIN documents d ON d.id = s.doc_id"
    " WHERE sentences_fts MATCH ?1"
    " AND (?2 IS NULL OR d.period_date >= ?2) AND (?3 IS NULL OR d.period_date <= ?3)),"
    " c(doc_id, sentence) AS MATERIALIZED (SELECT DISTINCT m.doc_id, m.sentence"
    " FROM (SELECT DISTINCT doc_id FROM h WHERE ?4 IS NOT NULL) hd"
    " CROSS JOIN mentions m ON m.doc_id = hd.doc_id"
    " WHERE EXISTS (SELECT 1 FROM doc_tallies x WHERE x.doc_id = hd.doc_id"
    " AND x.kind = 'community' AND x.k1 = ?4) AND"
    " m.category = 'community' AND m.identifier = ?4 AND m.negated = 0 AND m.dropped = 0"
    "),"
    " t(doc_id, sentence) AS MATERIALIZED (SELECT DISTINCT m.doc_id, m.sentence"
    " FROM (SELECT DISTINCT doc_id FROM h WHERE ?5 IS NOT NULL) hd"
    " CROSS JOIN mentions m ON m.doc_id = hd.doc_id"
    " WHERE EXISTS (SELECT 1 FROM doc_tallies x WHERE x.doc_id = hd.doc_id"
    " AND x.kind IN ('theme', 'indicator') AND x.k1 = ?5) AND"
    " m.category IN ('theme', 'indicator') AND m.identifier = ?5 AND m.negated = 0 AND m.dropped = "
    "0"
    ")"
    " SELECT score, path, kind, date, section, speaker, role, start, end, text "
    "FROM h"
    " WHERE (?4 IS NULL OR (h.doc_id, h.idx) IN c)"
    " AND (?5 IS NULL OR (h.doc_id, h.idx) IN t)"
    " ORDER BY score, path, idx LIMIT ?6";

static void bind(sqlite3_stmt *q, int i, const char *s)
{
    if (s)
        sqlite3_bind_text(q, i, s, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(q, i);
}

int tm_search(tm_store *st, const tm_search_opts *o, tm_search_fn fn, void *payload, tm_err *err)
{
    if (!o->query || !*o->query)
        return tm_err_set(err, TM_EINVAL, "search: empty query; give words to look for");
    if (o->from && !tm_date_str_valid(o->from))
        return tm_err_set(err, TM_EINVAL, "--from %s: not a date (YYYY-MM-DD)", o->from);
    if (o->to && !tm_date_str_valid(o->to))
        return tm_err_set(err, TM_EINVAL, "--to %s: not a date (YYYY-MM-DD)", o->to);
    sqlite3 *db = tm_store_db(st);
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
        return tm_err_set(err, TM_EDB, "%s: search: %s", sqlite3_db_filename(db, "main"),
                          sqlite3_errmsg(db));
    bind(q, 1, o->query);
    bind(q, 2, o->from);
    bind(q, 3, o->to);
    bind(q, 4, o->community);
    bind(q, 5, o->theme);
    sqlite3_bind_int64(q, 6,
                       o->limit == 0  ? TM_SEARCH_DEFAULT_LIMIT
                       : o->limit < 0 ? -1
                                      : o->limit);
    int rc = TM_OK, step;
    int64_t rank = 0;
    while ((step = sqlite3_step(q)) == SQLITE_ROW) {
        tm_search_hit h = {++rank,
                           sqlite3_column_double(q, 0),
                           (const char *)sqlite3_column_text(q, 1),
                           (const char *)sqlite3_column_text(q, 2),
                           (const char *)sqlite3_column_text(q, 3),
                           (const char *)sqlite3_column_text(q, 4),
                           (const char *)sqlite3_column_text(q, 5),
                           (const char *)sqlite3_column_text(q, 6),
                           sqlite3_column_int64(q, 7),
                           sqlite3_column_int64(q, 8),
                           (const char *)sqlite3_column_text(q, 9)};
        if ((rc = fn(&h, payload)) != TM_OK) break;
    }
    if (rc == TM_OK && step != SQLITE_DONE) {
        const char *msg = sqlite3_errmsg(db);
        /* FTS5 reports a query it cannot parse as an ordinary error */
        if (strstr(msg, "fts5") || strstr(msg, "syntax") || strstr(msg, "no such column"))
            rc = tm_err_set(err, TM_EINVAL,
                            "search: cannot understand the query '%s' (%s); put words with "
                            "punctuation in double quotes, e.g. '\"s.60\"', and write AND, OR, "
                            "NOT in capitals",
                            o->query, msg);
        else
            rc = tm_err_set(err, TM_EDB, "%s: search: %s", sqlite3_db_filename(db, "main"), msg);
    }
    sqlite3_finalize(q);
    return rc;
}
