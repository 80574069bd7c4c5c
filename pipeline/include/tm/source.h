/*
 * source.h: the file's bytes, kept compactly beside the normalised text so
 * that a document can be processed again (a lexicon change, `ingest
 * --retag`) without reading the file.
 *
 * Segment reads the original bytes as well as the text (Markdown markers
 * that normalisation blanked still mark headings and bullets), so the text
 * alone does not reproduce a document. Most files need nothing more: when
 * the text equals the bytes there is no source at all. When normalisation
 * only blanked or repaired bytes in place (UTF-8 input) the source is a
 * patch: runs of (offset u32le, length u32le, original bytes). Converted
 * input (Windows-1252, UTF-16) keeps all its bytes.
 *
 * tm_source_decode(tm_source_encode(doc)) + doc->text == doc->raw, so
 * tm_ingest_bytes() on the result rebuilds the same doc, sha256 included.
 */
#ifndef TM_SOURCE_H
#define TM_SOURCE_H

#include <stddef.h>

#include "tm/common.h"
#include "tm/doc.h"

typedef enum tm_source_kind {
    TM_SOURCE_NONE = 0, /* the bytes are the text */
    TM_SOURCE_PATCH,    /* same length; runs of differing bytes */
    TM_SOURCE_RAW       /* the whole file */
} tm_source_kind;

/* Names stored in the database and in extract --full: "patch", "raw". */
const char *tm_source_kind_name(tm_source_kind k);
int tm_source_kind_from_name(tm_source_kind *out, const char *name);

/* What must be kept of doc->raw besides doc->text.
 * @param[out] out  owned (tm_free); NULL with *n 0 for TM_SOURCE_NONE.
 * @return TM_OK or TM_ENOMEM. */
int tm_source_encode(unsigned char **out, size_t *n, tm_source_kind *kind, const tm_doc *doc,
                     tm_err *err);

/* The file's bytes from the text and a source.
 * @param[out] out  owned (tm_free), NUL-terminated, *n bytes before the NUL.
 * @return TM_OK, TM_EFORMAT (a damaged patch: `what` names the document) or
 *         TM_ENOMEM. */
int tm_source_decode(unsigned char **out, size_t *n, const char *text, size_t text_len,
                     tm_source_kind kind, const unsigned char *data, size_t data_len,
                     const char *what, tm_err *err);

#endif
