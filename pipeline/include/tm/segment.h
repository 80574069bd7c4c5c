/*
 * segment.h: the structure of a document as an officer reads it.
 *
 * From normalised text (ingest) to: lines; metadata lines (DATE:, TIME:,
 * LOCATION:); the attendee table (initials and roles) as the speaker table;
 * numbered agenda items and sub-headings as sections, their titles without
 * decoration; paragraphs (re-joined where a Word export broke a sentence
 * across a blank line); sentences (no split inside "Cllr.", "e.g.", "No. 3",
 * "3.1", "£12,500.50", URLs or initials); the speaker of every sentence
 * ("AB said", "AB/1 Welcomed", "Cllr Jones asked", "He said" carrying the
 * last speaker of the paragraph); and the document's kind, date, next
 * meeting, title and location.
 *
 * Errors: only TM_ENOMEM. Everything is allocated in doc->arena.
 */
#ifndef TM_SEGMENT_H
#define TM_SEGMENT_H

#include "tm/common.h"
#include "tm/doc.h"

int tm_segment_doc(tm_doc *doc, tm_err *err);

#endif
