/*
 * redact.h: takes personal names and initials out of text and reports that
 * leave the local database (the national summary, `report --redact`).
 *
 * What counts as a name (see redact.c for the rules and why):
 *   - the capitalised words after a person title: "Mr Patel", "Cllr Jones",
 *     "PC Smith" -> "Mr [name]", "Cllr [name]", "PC [name]" (titles: the
 *     lexicon's person_title cues, plus a built-in list);
 *   - two or more capitalised words in a row that are not a place,
 *     organisation or lexicon phrase, nor ordinary capitalised words
 *     ("Denise Harlow", "J Smith") -> "[name]";
 *   - one such word before a speech verb ("Patel said") -> "[name]";
 *   - the speaker initials of the document ("RA said") -> the speaker's role
 *     in brackets ("[IAG Chair] said"), or "[name]" without a role;
 *   - other runs of 2-4 capitals next to a speech verb or "to" ("TJL said",
 *     "thanked AB") that are not lexicon acronyms (TVP, ASB) -> "[name]".
 * Places, organisations and lexicon phrases are kept ("Campbell Park",
 * "Thames Valley Police", "Somali"). Redaction errs towards removing too
 * much: a capitalised pair the lexicon does not know is treated as a name.
 *
 * A tm_redactor is immutable after tm_redactor_new() and may be shared by
 * threads; it borrows nothing from the lexicon after construction except
 * compiled regexes, so the lexicon must outlive it.
 */
#ifndef TM_REDACT_H
#define TM_REDACT_H

#include <jansson.h>

#include "tm/common.h"
#include "tm/lexicon.h"
#include "tm/store.h"

typedef struct tm_redactor tm_redactor;

/* A speaker of one document: initials as in its attendee table, role or NULL. */
typedef struct tm_redact_speaker {
    const char *initials;
    const char *role;
} tm_redact_speaker;

/* Builds a redactor from the lexicon's places, organisations, phrases and
 * person titles. `lex` may be NULL (built-in lists only: more is redacted).
 * @param[out] out  owned; release with tm_redactor_free(). NULL on failure.
 * @return TM_OK or TM_ENOMEM. */
int tm_redactor_new(tm_redactor **out, const tm_lexicon *lex, tm_err *err);
void tm_redactor_free(tm_redactor *r);

/* Redacts one text (UTF-8). `speakers` (n of them, may be NULL) are the
 * speakers of the document the text comes from.
 * @param[out] out  owned NUL-terminated copy (tm_free); NULL on failure.
 * @return TM_OK or TM_ENOMEM. */
int tm_redact_text(char **out, const tm_redactor *r, const char *text,
                   const tm_redact_speaker *speakers, size_t n, tm_err *err);

/* What redaction needs to know of the stored documents, as JSON:
 * {path: {"label": "IAG minutes 2025-05-13", "kind": "minutes",
 *         "date": "2025-05-13"|null, "speakers": {initials: role|null}}}.
 * The label names a document by kind and date only, never by path.
 * @param[out] out  owned (json_decref). @return TM_OK, TM_EDB, TM_ENOMEM. */
int tm_redact_docs_load(json_t **out, tm_store *st, tm_err *err);

/* The label of one document kind and date: "IAG minutes 2025-05-13",
 * "Partnership report undated". Writes at most `cap` bytes. */
void tm_redact_doc_label(char *out, size_t cap, const char *kind, const char *date);

/* Redacts a report (or any JSON) in place, walking every object:
 *   "doc" (a stored path) becomes the document's label, and the object's
 *   "text" and "section" are redacted with that document's speakers;
 *   "documents" arrays of paths become labels; other "text", "section",
 *   "event" strings are redacted with every stored speaker;
 *   "speaker", "initials", "path" and "file" members are removed.
 * @return TM_OK or TM_ENOMEM (the report is then partly redacted: discard it). */
int tm_redact_report(json_t *report, const tm_redactor *r, const json_t *docs, tm_err *err);

/* tm_redactor_new + tm_redact_docs_load + tm_redact_report. */
int tm_redact_report_from_store(json_t *report, tm_store *st, const tm_lexicon *lex, tm_err *err);

#endif
