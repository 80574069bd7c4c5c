/*
 * search.h: full-text search over the stored sentences (SQLite FTS5, the
 * sentences_fts index the store keeps in step with `sentences`), ranked by
 * bm25, best first.
 *
 * The query is FTS5 syntax: words (stemmed with porter, so "searches"
 * finds "searched"), "exact phrases", AND / OR / NOT, prefix*, NEAR(a b, 5).
 * A query FTS5 cannot parse is TM_EINVAL with a message that quotes it and
 * says how to quote words; every value is a bound parameter.
 *
 * Usage:
 *     tm_search_opts o = { .query = "mosque AND graffiti", .limit = 20 };
 *     rc = tm_search(st, &o, print_hit, NULL, &err);
 */
#ifndef TM_SEARCH_H
#define TM_SEARCH_H

#include <stdint.h>

#include "tm/common.h"
#include "tm/store.h"

#define TM_SEARCH_DEFAULT_LIMIT 20

typedef struct tm_search_opts {
    const char *query;     /* FTS5 query, required */
    const char *community; /* only sentences with this community mentioned (not negated) */
    const char *theme;     /* only sentences with this theme or indicator mentioned */
    const char *from, *to; /* document period dates, inclusive; NULL = open */
    int64_t limit;         /* 0 = TM_SEARCH_DEFAULT_LIMIT, < 0 = no limit */
} tm_search_opts;

/* One hit. Strings are borrowed, valid during the callback only. */
typedef struct tm_search_hit {
    int64_t rank;        /* 1 = best */
    double score;        /* bm25: lower is better */
    const char *doc;     /* path as ingested */
    const char *kind;    /* "minutes" | "report" | "other" */
    const char *date;    /* stated date, NULL if none */
    const char *section; /* NULL if none */
    const char *speaker; /* initials, NULL if unattributed */
    const char *role;    /* NULL if unknown */
    int64_t start, end;  /* file byte offsets */
    const char *text;
} tm_search_hit;

/* Returns TM_OK to go on, or a negative TM_E* code to stop the search. */
typedef int (*tm_search_fn)(const tm_search_hit *hit, void *payload);

/* Runs the search. @return TM_OK, TM_EINVAL (bad query or date), TM_EDB,
 * or the callback's code. */
int tm_search(tm_store *st, const tm_search_opts *o, tm_search_fn fn, void *payload, tm_err *err);

#endif
