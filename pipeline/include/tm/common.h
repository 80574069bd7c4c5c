/*
 * common.h: status codes, the caller-owned error record and small helpers
 * shared by every stage of the tension pipeline.
 *
 * Every fallible function returns an int (TM_OK or a negative TM_E* code) and
 * takes a `tm_err *err` that it fills on failure. The caller owns the record;
 * a callee never overwrites an error that is already set (the first, lowest
 * error is the one the user needs to see).
 */
#ifndef TM_COMMON_H
#define TM_COMMON_H

#include <stddef.h>
#include <stdint.h>

#define TM_VERSION "0.1.0"

#if defined(__GNUC__)
#define TM_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define TM_PRINTF(fmt, args)
#endif

enum {
    TM_OK = 0,
    TM_ENOMEM = -1,   /* out of memory */
    TM_EIO = -2,      /* a file could not be read or written */
    TM_EFORMAT = -3,  /* input is not a text document we can read */
    TM_EINVAL = -4,   /* bad argument or option */
    TM_EDB = -5,      /* SQLite reported an error */
    TM_ELEXICON = -6, /* a lexicon file is invalid */
    TM_ESKIP = -7     /* input deliberately skipped (FIFO, device, ...) */
};

typedef struct tm_err {
    int code;       /* TM_OK when no error is recorded */
    char msg[1024]; /* one line: where (file:line:byte) and what to do */
} tm_err;

/* Records an error unless one is already recorded. Returns `code`, so call
 * sites read `return tm_err_set(err, TM_EIO, "%s: ...", path);`. `err` may
 * be NULL. */
int tm_err_set(tm_err *err, int code, const char *fmt, ...) TM_PRINTF(3, 4);

/* Forgets a recorded error. */
void tm_err_clear(tm_err *err);

/* A borrowed byte range; not NUL-terminated. */
typedef struct tm_slice {
    const char *p;
    size_t n;
} tm_slice;

/* Heap helpers that abort nothing: they return NULL on failure. */
void *tm_malloc(size_t n);
void *tm_calloc(size_t count, size_t size);
void *tm_realloc(void *p, size_t n);
void tm_free(void *p);
char *tm_strndup(const char *s, size_t n);

/* Reads a whole file into a fresh heap buffer (NUL-terminated, `*len` bytes
 * before the NUL). Refuses anything that is not a regular file. */
int tm_read_file(char **out, size_t *len, const char *path, size_t max_bytes, tm_err *err);

/* FNV-1a, 64 bit: the hash every table in the pipeline uses. */
static inline uint64_t tm_hash(const void *data, size_t n, uint64_t seed)
{
    const unsigned char *p = data;
    uint64_t h = 1469598103934665603ull ^ seed;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 1099511628211ull;
    }
    return h;
}

#endif
