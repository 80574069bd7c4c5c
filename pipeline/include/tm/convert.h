/*
 * convert.h: the formats officers receive, turned into UTF-8 text.
 *
 * Word (.docx) and OpenDocument (.odt) through libzip and libxml2, PDF
 * through poppler-glib, HTML through libxml2's HTML parser, e-mail (RFC 5322
 * with MIME) through GMime. The format is decided from the bytes, never from
 * the file name. The text keeps the structure segment needs: paragraphs
 * separated by a blank line, headings prefixed with '#' (one per level),
 * list items with "- ", table rows as one line of TAB-separated cells (so an
 * attendee table still becomes the speaker table). Footnotes, comments,
 * deleted tracked changes, scripts and styles are left out; PDF running
 * headers, footers and page numbers are removed and words hyphenated at a
 * line end joined.
 *
 * Offsets: the text has no byte-for-byte relation to the file, so a
 * converted doc has no raw_map; doc->blocks gives the page (PDF) and
 * paragraph of each run of text (see doc.h).
 *
 * Threads: any number of threads may convert at once; the libraries are
 * initialised once, on first use.
 */
#ifndef TM_CONVERT_H
#define TM_CONVERT_H

#include <stddef.h>

#include "tm/common.h"
#include "tm/doc.h"

/* Largest text a conversion may produce, and largest ZIP member read. */
#define TM_CONVERT_MAX_TEXT ((size_t)256 * 1024 * 1024)

/* The format of `p`, from its content: "%PDF", "PK\3\4" (TM_FMT_DOCX stands
 * for any ZIP until tm_convert_doc opens it and tells Word from
 * OpenDocument), an HTML start, or RFC 5322 headers with From and Date or
 * Subject. TM_FMT_TEXT for anything else. */
tm_format tm_convert_sniff(const unsigned char *p, size_t n);

/* Converts doc->raw, of format `fmt` (from tm_convert_sniff), into doc->text
 * (not yet normalised), doc->marked (a copy), doc->blocks and doc->format;
 * for e-mail also doc->mail_date. Everything lives in doc->arena.
 * Errors: TM_EFORMAT (damaged, encrypted, not a text document, no text),
 * TM_ENOMEM; the message names doc->path and says what to do. */
int tm_convert_doc(tm_doc *doc, tm_format fmt, tm_err *err);

/* Receives one attachment: `index` is 1-based among all the message's
 * attachments in MIME order, `name` its file name ("" if none), `bytes`
 * the decoded content, borrowed for the call. Non-zero stops the walk. */
typedef int (*tm_convert_part_fn)(unsigned index, const char *name, const unsigned char *bytes,
                                  size_t n, void *payload);

/* Calls `fn` for every attachment of the e-mail `p` that tension can read
 * (Word, OpenDocument, PDF, HTML, plain text). `date` (may be NULL)
 * receives the Date header as "YYYY-MM-DD", or "". Returns TM_OK, fn's
 * first non-zero value, or TM_EFORMAT when `p` is not an e-mail. */
int tm_convert_eml_attachments(const unsigned char *p, size_t n, char *date, tm_convert_part_fn fn,
                               void *payload, tm_err *err);

#endif
