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
 *
 * The JSON is streamed into a tm_jw (jsonw.h); `w->failed` tells of an
 * allocation failure. The bytes are those json_dumps(JSON_COMPACT) printed
 * for the jansson objects this module built before (jsonw.h).
 */
#ifndef TM_EXTRACT_H
#define TM_EXTRACT_H

#include "tm/doc.h"
#include "tm/jsonw.h"

/* The members of the contract object, doc to errors, into an object the
 * caller opened (it may add members, e.g. "mentions", before closing it). */
void tm_extract_write(tm_jw *w, const tm_doc *doc);

/* Every mention, cues and dropped ones included, for review
 * (`extract --mentions`): one array value. */
void tm_extract_write_mentions(tm_jw *w, const tm_doc *doc);

/* Every sentence with its section, paragraph, speaker and offsets
 * (`extract --sentences`): one array value. */
void tm_extract_write_sentences(tm_jw *w, const tm_doc *doc);

/* The whole object for a file that could not be read at all: doc and errors. */
void tm_extract_write_error(tm_jw *w, const char *path, const char *message);

#endif
