/*
 * sha256.c: SHA-256 through libcrypto's EVP interface, used to fingerprint
 * documents so that an unchanged file is recognised and reports can name
 * their inputs.
 */
#include "tm/sha256.h"

#include <openssl/evp.h>

static void to_hex(char hex[65], const unsigned char md[32])
{
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < 32; i++) {
        hex[2 * i] = digits[md[i] >> 4];
        hex[2 * i + 1] = digits[md[i] & 15];
    }
    hex[64] = '\0';
}

int tm_sha256_init(tm_sha256 *s)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
        EVP_MD_CTX_free(ctx);
        ctx = NULL;
    }
    s->ctx = ctx;
    return ctx ? 0 : -1;
}

void tm_sha256_update(tm_sha256 *s, const void *data, size_t n)
{
    if (s->ctx && n && EVP_DigestUpdate(s->ctx, data, n) != 1) {
        EVP_MD_CTX_free(s->ctx);
        s->ctx = NULL;
    }
}

int tm_sha256_final_hex(tm_sha256 *s, char hex[65])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    int ok = s->ctx && EVP_DigestFinal_ex(s->ctx, md, &len) == 1 && len == 32;
    EVP_MD_CTX_free(s->ctx);
    s->ctx = NULL;
    if (!ok) {
        hex[0] = '\0';
        return -1;
    }
    to_hex(hex, md);
    return 0;
}

void tm_sha256_discard(tm_sha256 *s)
{
    EVP_MD_CTX_free(s->ctx);
    s->ctx = NULL;
}

int tm_sha256_hex(char hex[65], const void *data, size_t n)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_Digest(n ? data : "", n, md, &len, EVP_sha256(), NULL) != 1 || len != 32) {
        hex[0] = '\0';
        return -1;
    }
    to_hex(hex, md);
    return 0;
}
