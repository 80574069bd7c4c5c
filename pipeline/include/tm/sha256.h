/*
 * sha256.h: SHA-256 (FIPS 180-4) for document fingerprints. Small enough to
 * carry rather than pull in a crypto library for one digest.
 */
#ifndef TM_SHA256_H
#define TM_SHA256_H

#include <stddef.h>
#include <stdint.h>

typedef struct tm_sha256 {
    uint32_t h[8];
    uint64_t len; /* bytes hashed so far */
    unsigned char buf[64];
    size_t nbuf;
} tm_sha256;

void tm_sha256_init(tm_sha256 *s);
void tm_sha256_update(tm_sha256 *s, const void *data, size_t n);
/* Writes 64 lower-case hex digits and a NUL into `hex`. */
void tm_sha256_final_hex(tm_sha256 *s, char hex[65]);
/* One call: digest of `n` bytes as hex. */
void tm_sha256_hex(char hex[65], const void *data, size_t n);

#endif
