/*
 * sha256.h: SHA-256 for document fingerprints, computed by OpenSSL's
 * libcrypto. Every document is hashed once per run, so the digest's speed
 * is ingest's speed: libcrypto uses the CPU's SHA extensions where they
 * exist (about 1.5 GB/s here, six times a portable C loop).
 */
#ifndef TM_SHA256_H
#define TM_SHA256_H

#include <stddef.h>
#include <stdint.h>

/* An incremental digest. Opaque: holds libcrypto's context. */
typedef struct tm_sha256 {
    void *ctx;
} tm_sha256;

/* @return 0, or -1 when out of memory (update is then a no-op and
 *         final_hex fails too, so a caller may check only the last call). */
int tm_sha256_init(tm_sha256 *s);
void tm_sha256_update(tm_sha256 *s, const void *data, size_t n);
/* Writes 64 lower-case hex digits and a NUL into `hex` and frees the
 * context. @return 0, or -1 (hex is then "") when the digest failed. */
int tm_sha256_final_hex(tm_sha256 *s, char hex[65]);
/* Frees an unfinished digest; a no-op after final_hex or on {0}. */
void tm_sha256_discard(tm_sha256 *s);
/* One call: digest of `n` bytes as hex. @return as tm_sha256_final_hex. */
int tm_sha256_hex(char hex[65], const void *data, size_t n);

#endif
