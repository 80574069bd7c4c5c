/*
 * ingest.h: bytes -> a clean UTF-8 document.
 *
 * Reads a file (or takes bytes), refuses what is not a text document
 * (binary files, images, archives), detects the encoding (UTF-8 with or
 * without BOM, UTF-16 with or without BOM, Windows-1252), converts to UTF-8,
 * normalises line ends and blanks out Markdown and Word residue (`**`, `###`,
 * `➤`, bullets, escaped brackets), and fingerprints the bytes with SHA-256.
 *
 * Offsets: see doc.h. UTF-8 input keeps its length (residue becomes spaces),
 * so text offsets are file offsets; converted input gets doc->raw_map.
 *
 * Word, OpenDocument, PDF, HTML and e-mail files are recognised by their
 * content and converted first (convert.h); `raw` stays the file's bytes.
 * An e-mail's attachments are documents of their own, named
 * "message.eml#N:name" (N counts the message's attachments from 1):
 * tm_ingest_expand lists them, tm_ingest_file reads them.
 *
 * Errors: TM_EIO (cannot read), TM_ESKIP (not a regular file), TM_EFORMAT
 * (binary or empty), TM_ENOMEM. On error the doc holds nothing usable and the
 * caller moves on to the next file. Problems that still leave a readable
 * document (a stray invalid byte, NULs) are appended to doc->errors.
 */
#ifndef TM_INGEST_H
#define TM_INGEST_H

#include <stddef.h>
#include <sys/stat.h>

#include "tm/common.h"
#include "tm/doc.h"

/* Largest document accepted, in bytes. */
#define TM_INGEST_MAX_BYTES ((size_t)512 * 1024 * 1024)

/* Reads `path` into a reset doc. `path` is copied into the arena. */
int tm_ingest_file(tm_doc *doc, const char *path, tm_err *err);

/* The same from memory; `bytes` are copied into the arena. `mtime` may be 0. */
int tm_ingest_bytes(tm_doc *doc, const char *path, const void *bytes, size_t n, tm_err *err);

/* Receives a path to ingest; non-zero stops the expansion. */
typedef int (*tm_ingest_path_fn)(const char *path, void *payload);

/* Calls `fn` with `path` and, when the file is an e-mail, with
 * "path#N:name" for every attachment tension can read. Returns fn's first
 * non-zero value, else 0. Unreadable files are passed on unexpanded: the
 * read reports them. */
int tm_ingest_expand(const char *path, tm_ingest_path_fn fn, void *payload);

/* stat(2) of `path`, or of its e-mail for an attachment path. */
int tm_ingest_stat(const char *path, struct stat *st);

#endif
