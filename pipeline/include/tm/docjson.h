/*
 * docjson.h: a processed document as JSON and back, so that the documents a
 * distributed mapper (`tension extract --jsonl --full` under Hadoop
 * Streaming, Spark pipe() or Dask) processed can be stored by `tension
 * ingest --from-jsonl` without being processed again.
 *
 * The "full" object carries what the store needs beyond the extract
 * contract: the normalised text and its source (source.h, base64), the
 * file's size and mtime, the lexicon version and hash, and every section,
 * speaker, sentence, mention, signal, incident and error. Offsets in it are
 * TEXT offsets (the store converts them to file offsets as for any doc).
 *
 *     "full": {"version": 1, "path", "size", "mtime", "sha256", "kind", "date",
 *              "period_date", "next_meeting", "title", "location", "words",
 *              "lexicon_version", "lexicon_hash", "text",
 *              "source": {"kind": "patch"|"raw", "data": BASE64} | null,
 *              "sections": [...], "speakers": [...], "sentences": [...],
 *              "mentions": [...], "signals": [...], "incidents": [...],
 *              "errors": [...]}
 */
#ifndef TM_DOCJSON_H
#define TM_DOCJSON_H

#include <jansson.h>
#include <stdint.h>

#include "tm/common.h"
#include "tm/doc.h"
#include "tm/jsonw.h"

#define TM_DOCJSON_VERSION 1

/* Writes `key` and the "full" object of a processed doc into an open object.
 * `size` is the file's size in bytes; the lexicon strings may be NULL.
 * @return TM_OK; TM_ENOMEM (then nothing was written if the source could
 *         not be kept, else `w` has failed). */
int tm_docjson_write_full(tm_jw *w, const char *key, const tm_doc *doc, int64_t size,
                          const char *lexicon_version, const char *lexicon_hash, tm_err *err);

/* What tm_docjson_load() reads besides the doc; strings borrowed from the
 * JSON object (valid while it lives). */
typedef struct tm_docjson_meta {
    int64_t size;
    const char *lexicon_version, *lexicon_hash;
} tm_docjson_meta;

/* Fills a reset doc from a "full" object: the file's bytes are rebuilt from
 * text and source and read again with tm_ingest_bytes() (so the sha256 is
 * checked), then the derived records are copied in. Identifiers are copied
 * into the doc's arena.
 * @return TM_OK; TM_EFORMAT with `err` naming `what` (e.g. "FILE:LINE") and
 *         the field when the object is malformed or inconsistent; TM_ENOMEM. */
int tm_docjson_load(tm_doc *doc, tm_docjson_meta *meta, const json_t *full, const char *what,
                    tm_err *err);

#endif
