/*
 * merge.h: shard databases into one (`tension merge --db OUT IN.db...`).
 *
 * Documents are matched by path. A document the output lacks is copied; one
 * it holds with the same sha256 and lexicon hash is kept; otherwise the
 * newer file (mtime; the later shard on a tie) wins. A copied document comes
 * with every row derived from it (texts, sources, sections, speakers,
 * sentences, mentions, signals, incidents, errors: every table with a
 * doc_id column) and its sentences enter the full-text index through the
 * store's triggers. Each input is merged in one transaction.
 */
#ifndef TM_MERGE_H
#define TM_MERGE_H

#include <stddef.h>

#include "tm/common.h"
#include "tm/store.h"

typedef struct tm_merge_stats {
    size_t added, replaced, kept;
} tm_merge_stats;

/* Merges the database at `in_path` into `out` (adding to `stats`).
 * @return TM_OK; TM_EDB when `in_path` is not a tension database of this
 *         schema version or SQLite fails (nothing of this input is merged). */
int tm_merge_db(tm_store *out, const char *in_path, tm_merge_stats *stats, tm_err *err);

#endif
