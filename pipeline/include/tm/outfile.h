/*
 * outfile.h: a growable text buffer and the atomic file writer every output
 * (CSV, HTML, the national summary) uses.
 *
 * A tm_buf is caller-owned (tm_buf_init/tm_buf_dispose). Appending never
 * fails loudly: an allocation failure sets the sticky `oom` flag and later
 * appends do nothing, so a writer checks once, at the end (SQLite's
 * sqlite3_str accError in spirit).
 *
 * Usage:
 *     tm_buf b;
 *     tm_buf_init(&b);
 *     tm_buf_puts(&b, "<h1>");
 *     tm_buf_printf(&b, "%d", n);
 *     if (b.oom) rc = TM_ENOMEM;            // one check, at the end
 *     else rc = tm_write_file(path, b.p, b.n, &err);
 *     tm_buf_dispose(&b);
 */
#ifndef TM_OUTFILE_H
#define TM_OUTFILE_H

#include <stddef.h>

#include "tm/common.h"

typedef struct tm_buf {
    char *p;    /* NUL-terminated contents, NULL until the first append */
    size_t n;   /* bytes before the NUL */
    size_t cap; /* allocated bytes */
    int oom;    /* 1 after an allocation failed: the contents are incomplete */
} tm_buf;

void tm_buf_init(tm_buf *b);
/* Frees the contents; the buffer may be reused after tm_buf_init(). */
void tm_buf_dispose(tm_buf *b);
void tm_buf_append(tm_buf *b, const char *s, size_t n);
void tm_buf_puts(tm_buf *b, const char *s);
void tm_buf_printf(tm_buf *b, const char *fmt, ...) TM_PRINTF(2, 3);

/* Writes `n` bytes to `path`: "-" is standard output; any other path is
 * replaced atomically (a temporary file beside it, fsync, rename), so a
 * reader never sees half a file. A new file is created 0600 (outputs quote
 * the minutes); a replaced one keeps its mode. An existing target that is
 * not a regular file (/dev/null, a FIFO) is written in place: renaming over
 * it would replace the device itself.
 * @return TM_OK, TM_EIO (message names the path and the system error). */
int tm_write_file(const char *path, const char *data, size_t n, tm_err *err);

/* The same atomic replacement for an output written piece by piece (a
 * report too big to hold): tm_outfile_open, any number of tm_outfile_write
 * (a failure is remembered and reported by commit), then tm_outfile_commit
 * (fsync, rename; frees) or tm_outfile_abort (removes the temporary file;
 * frees). "-" writes to standard output. */
typedef struct tm_outfile tm_outfile;
int tm_outfile_open(tm_outfile **out, const char *path, tm_err *err);
void tm_outfile_write(tm_outfile *f, const char *data, size_t n);
int tm_outfile_commit(tm_outfile *f, tm_err *err);
void tm_outfile_abort(tm_outfile *f);

/* Creates `dir` and its parents (mode 0755) unless they exist.
 * @return TM_OK or TM_EIO naming the directory. */
int tm_make_dirs(const char *dir, tm_err *err);

#endif
