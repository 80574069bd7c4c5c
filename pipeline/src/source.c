/*
 * source.c: the difference between a file's bytes and its normalised text,
 * as a patch of byte runs (see source.h), and back.
 */
#include "tm/source.h"

#include <string.h>

const char *tm_source_kind_name(tm_source_kind k)
{
    return k == TM_SOURCE_PATCH ? "patch" : k == TM_SOURCE_RAW ? "raw" : "none";
}

int tm_source_kind_from_name(tm_source_kind *out, const char *name)
{
    if (!name || !strcmp(name, "none"))
        *out = TM_SOURCE_NONE;
    else if (!strcmp(name, "patch"))
        *out = TM_SOURCE_PATCH;
    else if (!strcmp(name, "raw"))
        *out = TM_SOURCE_RAW;
    else
        return -1;
    return 0;
}

static void put32(unsigned char *p, size_t v)
{
    p[0] = (unsigned char)(v & 0xff);
    p[1] = (unsigned char)((v >> 8) & 0xff);
    p[2] = (unsigned char)((v >> 16) & 0xff);
    p[3] = (unsigned char)((v >> 24) & 0xff);
}

static size_t get32(const unsigned char *p)
{
    return (size_t)p[0] | (size_t)p[1] << 8 | (size_t)p[2] << 16 | (size_t)p[3] << 24;
}

int tm_source_encode(unsigned char **out, size_t *n, tm_source_kind *kind, const tm_doc *doc,
                     tm_err *err)
{
    *out = NULL;
    *n = 0;
    *kind = TM_SOURCE_NONE;
    if (!doc->raw) return TM_OK;
    const unsigned char *r = doc->raw;
    const unsigned char *t = (const unsigned char *)doc->text;
    if (doc->raw_map || doc->raw_len != doc->text_len || !t || doc->raw_len > UINT32_MAX) {
        *out = tm_malloc(doc->raw_len ? doc->raw_len : 1);
        if (!*out)
            return tm_err_set(err, TM_ENOMEM, "%s: out of memory keeping the source", doc->path);
        memcpy(*out, r, doc->raw_len);
        *n = doc->raw_len;
        *kind = TM_SOURCE_RAW;
        return TM_OK;
    }
    /* first pass sizes the patch, second writes it */
    size_t need = 0, len = doc->raw_len;
    for (size_t i = 0; i < len;) {
        if (r[i] == t[i]) {
            i++;
            continue;
        }
        size_t j = i;
        while (j < len && r[j] != t[j])
            j++;
        need += 8 + (j - i);
        i = j;
    }
    if (!need) return TM_OK;
    unsigned char *p = tm_malloc(need);
    if (!p) return tm_err_set(err, TM_ENOMEM, "%s: out of memory keeping the source", doc->path);
    size_t w = 0;
    for (size_t i = 0; i < len;) {
        if (r[i] == t[i]) {
            i++;
            continue;
        }
        size_t j = i;
        while (j < len && r[j] != t[j])
            j++;
        put32(p + w, i);
        put32(p + w + 4, j - i);
        memcpy(p + w + 8, r + i, j - i);
        w += 8 + (j - i);
        i = j;
    }
    *out = p;
    *n = need;
    *kind = TM_SOURCE_PATCH;
    return TM_OK;
}

int tm_source_decode(unsigned char **out, size_t *n, const char *text, size_t text_len,
                     tm_source_kind kind, const unsigned char *data, size_t data_len,
                     const char *what, tm_err *err)
{
    *out = NULL;
    *n = 0;
    const unsigned char *from = kind == TM_SOURCE_RAW ? data : (const unsigned char *)text;
    size_t len = kind == TM_SOURCE_RAW ? data_len : text_len;
    unsigned char *b = tm_malloc(len + 1);
    if (!b) return tm_err_set(err, TM_ENOMEM, "%s: out of memory for %zu bytes", what, len);
    if (len) memcpy(b, from, len);
    b[len] = '\0';
    if (kind == TM_SOURCE_PATCH) {
        for (size_t i = 0; i < data_len;) {
            size_t off = i + 8 <= data_len ? get32(data + i) : 0;
            size_t run = i + 8 <= data_len ? get32(data + i + 4) : 0;
            if (i + 8 > data_len || run > data_len - i - 8 || off > len || run > len - off) {
                tm_free(b);
                return tm_err_set(err, TM_EFORMAT,
                                  "%s: the stored source patch is damaged at byte %zu: ingest"
                                  " the file again from disk",
                                  what, i);
            }
            memcpy(b + off, data + i + 8, run);
            i += 8 + run;
        }
    }
    *out = b;
    *n = len;
    return TM_OK;
}
