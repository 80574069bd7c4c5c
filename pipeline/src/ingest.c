/*
 * ingest.c: from the bytes of a file to normalised UTF-8 text.
 *
 * The normalisation is length-preserving on UTF-8 input: whatever must go
 * (BOM, CR of CRLF, Markdown emphasis, arrows and bullets, control bytes)
 * becomes spaces, so every later offset is still a file offset. Only a change
 * of encoding builds an offset map.
 */
#include "tm/ingest.h"
#include "tm/sha256.h"
#include "tm/utf8.h"

#include <string.h>
#include <sys/stat.h>

/* Windows-1252 code points for bytes 0x80..0x9F (0 = undefined). */
static const uint16_t cp1252_high[32] = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0,      0x017D, 0,      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};

typedef struct magic {
    const char *bytes;
    size_t n;
    const char *what;
} magic;

static const magic magics[] = {
    {"\x89PNG", 4, "a PNG image"},
    {"\xFF\xD8\xFF", 3, "a JPEG image"},
    {"GIF8", 4, "a GIF image"},
    {"%PDF", 4, "a PDF document (PDF is not supported yet: convert it to text)"},
    {"PK\x03\x04", 4, "a ZIP archive or Office document (convert it to text)"},
    {"\x1F\x8B", 2, "a gzip archive"},
    {"BZh", 3, "a bzip2 archive"},
    {"\xFD" "7zXZ", 5, "an xz archive"},
    {"7z\xBC\xAF", 4, "a 7-Zip archive"},
    {"\x7F" "ELF", 4, "an executable"},
    {"\xD0\xCF\x11\xE0", 4, "an old Office document (convert it to text)"},
    {"SQLite format 3", 15, "an SQLite database"},
};

/* Looks for signs of a binary file; returns a description or NULL. */
static const char *binary_kind(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < sizeof magics / sizeof magics[0]; i++)
        if (n >= magics[i].n && memcmp(p, magics[i].bytes, magics[i].n) == 0)
            return magics[i].what;
    return NULL;
}

/* UTF-16 without a BOM shows as NULs in every other byte of ASCII text. */
static int utf16_guess(const unsigned char *p, size_t n, int *big_endian)
{
    size_t sample = n < 4096 ? n : 4096, even = 0, odd = 0;
    for (size_t i = 0; i + 1 < sample; i += 2) {
        even += p[i] == 0;
        odd += p[i + 1] == 0;
    }
    size_t pairs = sample / 2;
    if (pairs < 2)
        return 0;
    if (odd * 10 >= pairs * 7 && even * 10 < pairs) {
        *big_endian = 0;
        return 1;
    }
    if (even * 10 >= pairs * 7 && odd * 10 < pairs) {
        *big_endian = 1;
        return 1;
    }
    return 0;
}

/* Output buffer for a converted document, with the offset map. */
typedef struct conv {
    unsigned char *text;
    uint32_t *map;
    size_t n, cap;
} conv;

static int conv_put(tm_arena *a, conv *c, uint32_t cp, size_t raw_off)
{
    if (c->n + 4 >= c->cap) {
        size_t ncap = c->cap ? c->cap * 2 : 1024;
        unsigned char *nt = tm_arena_alloc(a, ncap + 1);
        uint32_t *nm = tm_arena_alloc(a, (ncap + 1) * sizeof *nm);
        if (!nt || !nm)
            return -1;
        if (c->n) {
            memcpy(nt, c->text, c->n);
            memcpy(nm, c->map, c->n * sizeof *nm);
        }
        c->text = nt;
        c->map = nm;
        c->cap = ncap;
    }
    size_t k = tm_utf8_encode(cp, c->text + c->n);
    for (size_t i = 0; i < k; i++)
        c->map[c->n + i] = (uint32_t)raw_off;
    c->n += k;
    return 0;
}

static int convert_utf16(tm_doc *doc, const unsigned char *p, size_t n, size_t start, int be)
{
    conv c = {0};
    for (size_t i = start; i + 1 < n; i += 2) {
        uint32_t u = be ? (uint32_t)p[i] << 8 | p[i + 1] : (uint32_t)p[i + 1] << 8 | p[i];
        size_t at = i;
        if (u >= 0xD800 && u <= 0xDBFF && i + 3 < n) {
            uint32_t lo = be ? (uint32_t)p[i + 2] << 8 | p[i + 3] : (uint32_t)p[i + 3] << 8 | p[i + 2];
            if (lo >= 0xDC00 && lo <= 0xDFFF) {
                u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
                i += 2;
            } else {
                u = '?';
            }
        } else if (u >= 0xD800 && u <= 0xDFFF) {
            u = '?';
        }
        if (conv_put(&doc->arena, &c, u, at) != 0)
            return -1;
    }
    if (conv_put(&doc->arena, &c, 0, n) != 0) /* room for the NUL and the end offset */
        return -1;
    c.n--;
    c.map[c.n] = (uint32_t)n;
    doc->text = (char *)c.text;
    doc->text_len = c.n;
    doc->raw_map = c.map;
    return 0;
}

static int convert_cp1252(tm_doc *doc, const unsigned char *p, size_t n)
{
    conv c = {0};
    for (size_t i = 0; i < n; i++) {
        uint32_t u = p[i];
        if (u >= 0x80 && u < 0xA0)
            u = cp1252_high[u - 0x80] ? cp1252_high[u - 0x80] : '?';
        if (conv_put(&doc->arena, &c, u, i) != 0)
            return -1;
    }
    if (conv_put(&doc->arena, &c, 0, n) != 0)
        return -1;
    c.n--;
    c.map[c.n] = (uint32_t)n;
    doc->text = (char *)c.text;
    doc->text_len = c.n;
    doc->raw_map = c.map;
    return 0;
}

static void blank(char *t, size_t from, size_t n)
{
    memset(t + from, ' ', n);
}

/* The length-preserving clean-up shared by every encoding. */
static void normalise(tm_doc *doc)
{
    char *t = doc->text;
    size_t n = doc->text_len;
    int line_start = 1;
    size_t nul = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)t[i];
        if (c == '\r') {
            t[i] = (i + 1 < n && t[i + 1] == '\n') ? ' ' : '\n';
        } else if (c == 0) {
            nul++;
            t[i] = ' ';
        } else if (c < 0x20 && c != '\n' && c != '\t') {
            t[i] = ' ';
        } else if (c == '*' && i + 1 < n && t[i + 1] == '*') {
            /* Markdown bold/italic markers: "**", "***" */
            size_t j = i;
            while (j < n && t[j] == '*')
                j++;
            blank(t, i, j - i);
            i = j - 1;
        } else if (c == '#' && line_start) {
            size_t j = i;
            while (j < n && t[j] == '#')
                j++;
            if (j - i <= 6 && (j == n || t[j] == ' ' || t[j] == '\t' || t[j] == '*')) {
                blank(t, i, j - i);
                i = j - 1;
            }
        } else if (c == '\\' && i + 1 < n && strchr("()[]*_#.-!", t[i + 1])) {
            t[i] = ' '; /* escaped bracket or marker from a Markdown export */
        } else if (c == 0xE2 && i + 2 < n) {
            unsigned char b1 = (unsigned char)t[i + 1], b2 = (unsigned char)t[i + 2];
            /* ➤ U+27A4, ► U+25BA, ▪ U+25AA, • U+2022, ● U+25CF, ◦ U+25E6, ▸ U+25B8 */
            if ((b1 == 0x9E && b2 == 0xA4) || (b1 == 0x96 && (b2 == 0xBA || b2 == 0xAA || b2 == 0xB8)) ||
                (b1 == 0x80 && b2 == 0xA2) || (b1 == 0x97 && (b2 == 0x8F || b2 == 0xA6)))
                blank(t, i, 3);
        } else if (c == 0xC2 && i + 1 < n && (unsigned char)t[i + 1] == 0xA0) {
            blank(t, i, 2); /* no-break space */
        } else if (c == 0xEF && i + 2 < n && (unsigned char)t[i + 1] == 0xBB &&
                   (unsigned char)t[i + 2] == 0xBF) {
            blank(t, i, 3); /* BOM, at the start or pasted mid-text */
        } else if (c == 0xEF && i + 2 < n && (unsigned char)t[i + 1] == 0x82 &&
                   ((unsigned char)t[i + 2] == 0xB7 || (unsigned char)t[i + 2] == 0xA7)) {
            blank(t, i, 3); /* Word's Symbol-font bullets in the private use area */
        }
        unsigned char now = (unsigned char)t[i];
        if (now == '\n')
            line_start = 1;
        else if (now != ' ' && now != '\t')
            line_start = 0;
    }
    if (nul)
        tm_doc_add_error(doc, "%s: %zu NUL byte(s) replaced by spaces", doc->path, nul);
}

/* Replaces invalid UTF-8 bytes with '?' in place; returns how many and the
 * first offset. */
static size_t repair_utf8(char *t, size_t n, size_t *first)
{
    size_t bad = 0;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t k = tm_utf8_decode((const unsigned char *)t + i, n - i, &cp);
        if (k == 0) {
            if (!bad)
                *first = i;
            bad++;
            t[i] = '?';
            k = 1;
        }
        i += k;
    }
    return bad;
}

/* Counts valid multi-byte sequences and invalid bytes, to tell UTF-8 from
 * Windows-1252. */
static void utf8_census(const unsigned char *p, size_t n, size_t *multi, size_t *bad)
{
    *multi = *bad = 0;
    for (size_t i = 0; i < n;) {
        if (p[i] < 0x80) {
            i++;
            continue;
        }
        uint32_t cp;
        size_t k = tm_utf8_decode(p + i, n - i, &cp);
        if (k) {
            (*multi)++;
            i += k;
        } else {
            (*bad)++;
            i++;
        }
    }
}

int tm_ingest_bytes(tm_doc *doc, const char *path, const void *bytes, size_t n, tm_err *err)
{
    doc->path = tm_arena_strdup(&doc->arena, path ? path : "-");
    unsigned char *raw = tm_arena_alloc(&doc->arena, n + 1);
    if (!raw || !doc->path)
        return tm_err_set(err, TM_ENOMEM, "%s: out of memory for %zu bytes", path, n);
    if (n)
        memcpy(raw, bytes, n);
    doc->raw = raw;
    doc->raw_len = n;
    tm_sha256_hex(doc->sha256, raw, n);

    if (n == 0)
        return tm_err_set(err, TM_EFORMAT, "%s: empty file: nothing to read", path);
    const char *bin = binary_kind(raw, n);
    if (bin)
        return tm_err_set(err, TM_EFORMAT, "%s: not a text document: looks like %s", path, bin);

    int be = 0, rc = 0;
    if (n >= 2 && raw[0] == 0xFF && raw[1] == 0xFE) {
        doc->encoding = TM_ENC_UTF16LE;
        rc = convert_utf16(doc, raw, n, 2, 0);
    } else if (n >= 2 && raw[0] == 0xFE && raw[1] == 0xFF) {
        doc->encoding = TM_ENC_UTF16BE;
        rc = convert_utf16(doc, raw, n, 2, 1);
    } else if (utf16_guess(raw, n, &be)) {
        doc->encoding = be ? TM_ENC_UTF16BE : TM_ENC_UTF16LE;
        rc = convert_utf16(doc, raw, n, 0, be);
        tm_doc_add_error(doc, "%s: UTF-16 without a byte-order mark; read as UTF-16%s", path,
                         be ? "BE" : "LE");
    } else {
        size_t nul = 0;
        for (size_t i = 0; i < n; i++)
            nul += raw[i] == 0;
        size_t ctrl = 0;
        for (size_t i = 0; i < n; i++)
            ctrl += raw[i] < 0x09 || (raw[i] > 0x0D && raw[i] < 0x20 && raw[i] != 0x1B);
        if (nul * 100 > n || ctrl * 20 > n)
            return tm_err_set(err, TM_EFORMAT,
                              "%s: not a text document: %zu NUL and %zu control bytes in %zu; "
                              "give a text, Markdown or plain export instead",
                              path, nul, ctrl, n);
        size_t multi, bad;
        utf8_census(raw, n, &multi, &bad);
        if (bad && !multi) {
            doc->encoding = TM_ENC_CP1252;
            rc = convert_cp1252(doc, raw, n);
        } else {
            doc->encoding = (n >= 3 && raw[0] == 0xEF && raw[1] == 0xBB && raw[2] == 0xBF)
                                ? TM_ENC_UTF8_BOM
                                : TM_ENC_UTF8;
            doc->text = tm_arena_strndup(&doc->arena, (const char *)raw, n);
            doc->text_len = n;
            if (!doc->text)
                rc = -1;
            else if (bad) {
                size_t first = 0;
                size_t fixed = repair_utf8(doc->text, n, &first);
                tm_doc_add_error(doc,
                                 "%s:%zu: %zu invalid UTF-8 byte(s), first at byte %zu; "
                                 "replaced by '?'",
                                 path, tm_doc_line_of(doc, first), fixed, first);
            }
        }
    }
    if (rc != 0 || doc->arena.failed)
        return tm_err_set(err, TM_ENOMEM, "%s: out of memory converting %zu bytes", path, n);
    normalise(doc);
    return TM_OK;
}

int tm_ingest_file(tm_doc *doc, const char *path, tm_err *err)
{
    char *buf = NULL;
    size_t n = 0;
    int rc = tm_read_file(&buf, &n, path, TM_INGEST_MAX_BYTES, err);
    if (rc != TM_OK)
        return rc;
    struct stat st;
    if (stat(path, &st) == 0)
        doc->mtime = (int64_t)st.st_mtime;
    rc = tm_ingest_bytes(doc, path, buf, n, err);
    tm_free(buf);
    return rc;
}
