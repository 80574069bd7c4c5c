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
 * Errors: TM_EIO (cannot read), TM_ESKIP (not a regular file), TM_EFORMAT
 * (binary or empty), TM_ENOMEM. On error the doc holds nothing usable and the
 * caller moves on to the next file. Problems that still leave a readable
 * document (a stray invalid byte, NULs) are appended to doc->errors.
 */
#ifndef TM_INGEST_H
#define TM_INGEST_H

#include <stddef.h>

#include "tm/common.h"
#include "tm/doc.h"

/* Largest document accepted, in bytes. */
#define TM_INGEST_MAX_BYTES ((size_t)512 * 1024 * 1024)

/* Reads `path` into a reset doc. `path` is copied into the arena. */
int tm_ingest_file(tm_doc *doc, const char *path, tm_err *err);

/* The same from memory; `bytes` are copied into the arena. `mtime` may be 0. */
int tm_ingest_bytes(tm_doc *doc, const char *path, const void *bytes, size_t n, tm_err *err);

#endif
