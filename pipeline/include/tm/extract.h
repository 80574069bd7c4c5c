/*
 * extract.h: one document as the JSON object of the `tension extract`
 * contract (../shared/spec/extract.md): doc, sha256, kind, date, communities,
 * themes, places, organisations, incidents, signals, speakers, errors, plus
 * title, location, next_meeting, encoding, deferred_sections and words.
 *
 * Offsets in the output are file offsets (tm_doc_raw_offset); evidence text
 * is the file's bytes when they are UTF-8, else the converted text. For a
 * converted format ("format" is not "text": Word, OpenDocument, PDF, HTML,
 * e-mail) offsets are into the extracted text, and evidence, incidents,
 * mentions and sentences also carry "paragraph" (and "page" for PDF).
 */
#ifndef TM_EXTRACT_H
#define TM_EXTRACT_H

#include <jansson.h>

#include "tm/doc.h"

/* A new reference (caller decrefs), or NULL on allocation failure. */
json_t *tm_extract_json(const tm_doc *doc);

/* Every mention, cues and dropped ones included, for review
 * (`extract --mentions`). A new reference. */
json_t *tm_extract_mentions_json(const tm_doc *doc);

/* Every sentence with its section, paragraph, speaker and offsets
 * (`extract --sentences`). A new reference. */
json_t *tm_extract_sentences_json(const tm_doc *doc);

/* The object for a file that could not be read at all: doc and errors only. */
json_t *tm_extract_error_json(const char *path, const char *message);

/* The sentence's bytes in the file as a JSON string (see above). */
json_t *tm_extract_sentence_text(const tm_doc *doc, uint32_t sent);

#endif
