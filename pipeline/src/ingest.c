/*
 * ingest.c: from the bytes of a file to normalised UTF-8 text.
 *
 * The normalisation is length-preserving on UTF-8 input: whatever must go
 * (BOM, CR of CRLF, Markdown emphasis, arrows and bullets, control bytes)
 * becomes spaces, so every later offset is still a file offset. Only a change
 * of encoding builds an offset map.
 */
#include "tm/ingest.h"
#include "tm/convert.h"
#include "tm/sha256.h"
#include "tm/utf8.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
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
    {"\x1F\x8B", 2, "a gzip archive"},
    {"BZh", 3, "a bzip2 archive"},
    {"\xFD"
     "7zXZ",
     5, "an xz archive"},
    {"7z\xBC\xAF", 4, "a 7-Zip archive"},
    {"\x7F"
     "ELF",
     4, "an executable"},
    {"\xD0\xCF\x11\xE0", 4, "an old Office document (convert it to text)"},
    {"SQLite format 3", 15, "an SQLite database"},
};

/* Looks for signs of a binary file; returns a description or NULL. */
static const char *binary_kind(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < sizeof magics / sizeof magics[0]; i++)
        if (n >= magics[i].n && memcmp(p, magics[i].bytes, magics[i].n) == 0) return magics[i].what;
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
    if (pairs < 2) return 0;
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
        if (!nt || !nm) return -1;
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
            uint32_t lo =
                be ? (uint32_t)p[i + 2] << 8 | p[i + 3] : (uint32_t)p[i + 3] << 8 | p[i + 2];
            if (lo >= 0xDC00 && lo <= 0xDFFF) {
                u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
                i += 2;
            } else {
                u = '?';
            }
        } else if (u >= 0xD800 && u <= 0xDFFF) {
            u = '?';
        }
        if (conv_put(&doc->arena, &c, u, at) != 0) return -1;
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
        if (u >= 0x80 && u < 0xA0) u = cp1252_high[u - 0x80] ? cp1252_high[u - 0x80] : '?';
        if (conv_put(&doc->arena, &c, u, i) != 0) return -1;
    }
    if (conv_put(&doc->arena, &c, 0, n) != 0) return -1;
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
/* Bytes normalise() may change: control characters, Markdown markers, the
 * lead bytes of the few non-ASCII characters it blanks. Everything else is
 * skipped in a tight loop. */
static const unsigned char norm_special[256] = {
    [0] = 1,    [1] = 1,    [2] = 1,    [3] = 1,    [4] = 1,  [5] = 1,  [6] = 1,   [7] = 1,
    [8] = 1,    [11] = 1,   [12] = 1,   [13] = 1,   [14] = 1, [15] = 1, [16] = 1,  [17] = 1,
    [18] = 1,   [19] = 1,   [20] = 1,   [21] = 1,   [22] = 1, [23] = 1, [24] = 1,  [25] = 1,
    [26] = 1,   [27] = 1,   [28] = 1,   [29] = 1,   [30] = 1, [31] = 1, ['*'] = 1, ['#'] = 1,
    ['\\'] = 1, [0xC2] = 1, [0xE2] = 1, [0xEF] = 1,
};

/* Whether only blanks precede byte i on its line (in the text as
 * normalised so far). */
static int at_line_start(const char *t, size_t i)
{
    while (i > 0 && (t[i - 1] == ' ' || t[i - 1] == '\t'))
        i--;
    return i == 0 || t[i - 1] == '\n';
}

static void normalise(tm_doc *doc)
{
    char *t = doc->text;
    size_t n = doc->text_len;
    size_t nul = 0;
    for (size_t i = 0; i < n; i++) {
        while (i < n && !norm_special[(unsigned char)t[i]])
            i++;
        if (i == n) break;
        unsigned char c = (unsigned char)t[i];
        if (c == '\r') {
            t[i] = (i + 1 < n && t[i + 1] == '\n') ? ' ' : '\n';
        } else if (c == 0) {
            nul++;
            t[i] = ' ';
        } else if (c < 0x20) {
            t[i] = ' ';
        } else if (c == '*' && i + 1 < n && t[i + 1] == '*') {
            /* Markdown bold/italic markers: "**", "***" */
            size_t j = i;
            while (j < n && t[j] == '*')
                j++;
            blank(t, i, j - i);
            i = j - 1;
        } else if (c == '#' && at_line_start(t, i)) {
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
            if ((b1 == 0x9E && b2 == 0xA4) ||
                (b1 == 0x96 && (b2 == 0xBA || b2 == 0xAA || b2 == 0xB8)) ||
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
    }
    if (nul) tm_doc_add_error(doc, "%s: %zu NUL byte(s) replaced by spaces", doc->path, nul);
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
            if (!bad) *first = i;
            bad++;
            t[i] = '?';
            k = 1;
        }
        i += k;
    }
    return bad;
}

/* What the census counts: NUL bytes, control bytes that plain text does not
 * have (not tab, line feed, vertical tab, form feed, carriage return or
 * escape), and bytes >= 0x80. Zero for every other byte. */
enum { CB_NUL = 1, CB_CTRL, CB_HIGH };
static const unsigned char census_kind[256] = {
    [0] = CB_NUL,   [1] = CB_CTRL,  [2] = CB_CTRL,  [3] = CB_CTRL,  [4] = CB_CTRL,  [5] = CB_CTRL,
    [6] = CB_CTRL,  [7] = CB_CTRL,  [8] = CB_CTRL,  [14] = CB_CTRL, [15] = CB_CTRL, [16] = CB_CTRL,
    [17] = CB_CTRL, [18] = CB_CTRL, [19] = CB_CTRL, [20] = CB_CTRL, [21] = CB_CTRL, [22] = CB_CTRL,
    [23] = CB_CTRL, [24] = CB_CTRL, [25] = CB_CTRL, [26] = CB_CTRL, [28] = CB_CTRL, [29] = CB_CTRL,
    [30] = CB_CTRL, [31] = CB_CTRL,
#define H8(b)                                                                                      \
    [b] = CB_HIGH, [b + 1] = CB_HIGH, [b + 2] = CB_HIGH, [b + 3] = CB_HIGH, [b + 4] = CB_HIGH,     \
    [b + 5] = CB_HIGH, [b + 6] = CB_HIGH, [b + 7] = CB_HIGH
    H8(0x80),       H8(0x88),       H8(0x90),       H8(0x98),       H8(0xA0),       H8(0xA8),
    H8(0xB0),       H8(0xB8),       H8(0xC0),       H8(0xC8),       H8(0xD0),       H8(0xD8),
    H8(0xE0),       H8(0xE8),       H8(0xF0),       H8(0xF8),
#undef H8
};

typedef struct census {
    size_t nul, ctrl;  /* NUL and other control bytes */
    size_t multi, bad; /* valid multi-byte UTF-8 sequences, invalid bytes */
} census;

/* One pass over the raw bytes: enough to refuse a binary file and to tell
 * UTF-8 from Windows-1252. Plain ASCII is skipped by a table loop. */
static census take_census(const unsigned char *p, size_t n)
{
    census c = {0, 0, 0, 0};
    for (size_t i = 0; i < n;) {
        while (i < n && !census_kind[p[i]])
            i++;
        if (i == n) break;
        switch (census_kind[p[i]]) {
        case CB_NUL:
            c.nul++;
            i++;
            break;
        case CB_CTRL:
            c.ctrl++;
            i++;
            break;
        default: {
            uint32_t cp;
            size_t k = tm_utf8_decode(p + i, n - i, &cp);
            if (k) {
                c.multi++;
                i += k;
            } else {
                c.bad++;
                i++;
            }
        }
        }
    }
    return c;
}

int tm_ingest_bytes(tm_doc *doc, const char *path, const void *bytes, size_t n, tm_err *err)
{
    doc->path = tm_arena_strdup(&doc->arena, path ? path : "-");
    unsigned char *raw = tm_arena_alloc(&doc->arena, n + 1);
    if (!raw || !doc->path)
        return tm_err_set(err, TM_ENOMEM, "%s: out of memory for %zu bytes", path, n);
    if (n) memcpy(raw, bytes, n);
    doc->raw = raw;
    doc->raw_len = n;
    if (tm_sha256_hex(doc->sha256, raw, n) != 0)
        return tm_err_set(err, TM_ENOMEM, "%s: out of memory for the SHA-256 digest", path);

    if (n == 0) return tm_err_set(err, TM_EFORMAT, "%s: empty file: nothing to read", path);
    tm_format fmt = tm_convert_sniff(raw, n);
    if (fmt != TM_FMT_TEXT) {
        /* Word, OpenDocument, PDF, HTML, e-mail: text with blocks, no raw_map */
        int crc = tm_convert_doc(doc, fmt, err);
        if (crc != TM_OK) return crc;
        size_t first = 0, fixed = repair_utf8(doc->text, doc->text_len, &first);
        if (fixed)
            tm_doc_add_error(doc,
                             "%s: %zu invalid UTF-8 byte(s) in the extracted text, replaced by '?'",
                             path, fixed);
        normalise(doc);
        return TM_OK;
    }
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
        census c = take_census(raw, n);
        size_t nul = c.nul, ctrl = c.ctrl + c.nul, bad = c.bad;
        if (nul * 100 > n || ctrl * 20 > n)
            return tm_err_set(err, TM_EFORMAT,
                              "%s: not a text document: %zu NUL and %zu control bytes in %zu; "
                              "give a text, Markdown or plain export instead",
                              path, nul, ctrl, n);
        if (bad && !c.multi) {
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

/* "message.eml#2:minutes.docx" names attachment 2 of message.eml. Splits
 * such a path when it is not itself a file and the part before '#' is. */
static int split_part(const char *path, char *container, size_t cap, unsigned *index)
{
    for (const char *h = strchr(path, '#'); h; h = strchr(h + 1, '#')) {
        const char *d = h + 1;
        unsigned v = 0;
        int digits = 0;
        while (isdigit((unsigned char)*d) && digits < 6)
            v = v * 10 + (unsigned)(*d++ - '0'), digits++;
        size_t len = (size_t)(h - path);
        if (!digits || *d != ':' || len >= cap) continue;
        memcpy(container, path, len);
        container[len] = '\0';
        struct stat st;
        if (stat(container, &st) == 0 && S_ISREG(st.st_mode)) {
            *index = v;
            return 1;
        }
    }
    return 0;
}

typedef struct part_ctx {
    tm_doc *doc;
    const char *path;
    unsigned want;
    char date[11];
    int found, rc;
    tm_err *err;
} part_ctx;

static int take_part(unsigned index, const char *name, const unsigned char *bytes, size_t n,
                     void *payload)
{
    part_ctx *c = payload;
    (void)name;
    if (index != c->want) return 0;
    c->found = 1;
    memcpy(c->doc->mail_date, c->date, sizeof c->date);
    c->rc = tm_ingest_bytes(c->doc, c->path, bytes, n, c->err);
    return 1;
}

static int ingest_part(tm_doc *doc, const char *path, const char *container, unsigned index,
                       tm_err *err)
{
    char *buf = NULL;
    size_t n = 0;
    int rc = tm_read_file(&buf, &n, container, TM_INGEST_MAX_BYTES, err);
    if (rc != TM_OK) return rc;
    struct stat st;
    if (stat(container, &st) == 0) doc->mtime = (int64_t)st.st_mtime;
    part_ctx c = {doc, path, index, {0}, 0, TM_OK, err};
    tm_err perr = {0};
    if (tm_convert_sniff((const unsigned char *)buf, n) != TM_FMT_EML ||
        tm_convert_eml_attachments((const unsigned char *)buf, n, c.date, take_part, &c, &perr) < 0)
        rc = tm_err_set(err, TM_EIO, "%s: %s is not an e-mail with attachments", path, container);
    else if (!c.found)
        rc =
            tm_err_set(err, TM_EIO, "%s: %s has no readable attachment %u", path, container, index);
    else
        rc = c.rc;
    tm_free(buf);
    return rc;
}

int tm_ingest_file(tm_doc *doc, const char *path, tm_err *err)
{
    char container[4096];
    unsigned index = 0;
    struct stat st;
    if (stat(path, &st) != 0 && errno == ENOENT &&
        split_part(path, container, sizeof container, &index))
        return ingest_part(doc, path, container, index, err);
    char *buf = NULL;
    size_t n = 0;
    int rc = tm_read_file(&buf, &n, path, TM_INGEST_MAX_BYTES, err);
    if (rc != TM_OK) return rc;
    if (stat(path, &st) == 0) doc->mtime = (int64_t)st.st_mtime;
    rc = tm_ingest_bytes(doc, path, buf, n, err);
    tm_free(buf);
    return rc;
}

int tm_ingest_stat(const char *path, struct stat *st)
{
    char container[4096];
    unsigned index;
    if (stat(path, st) == 0) return 0;
    if (errno == ENOENT && split_part(path, container, sizeof container, &index))
        return stat(container, st);
    return -1;
}

typedef struct expand_ctx {
    const char *path;
    tm_ingest_path_fn fn;
    void *payload;
    int rc;
} expand_ctx;

static int expand_part(unsigned index, const char *name, const unsigned char *bytes, size_t n,
                       void *payload)
{
    expand_ctx *c = payload;
    (void)bytes, (void)n;
    char safe[256], *full = NULL;
    size_t k = 0;
    for (const char *p = name; *p && k + 1 < sizeof safe; p++)
        safe[k++] = ((unsigned char)*p < 0x20 || *p == '/' || *p == '\\') ? '_' : *p;
    safe[k] = '\0';
    size_t len = strlen(c->path) + k + 32;
    if (!(full = tm_malloc(len))) return c->rc = -1;
    snprintf(full, len, "%s#%u:%s", c->path, index, safe);
    c->rc = c->fn(full, c->payload);
    tm_free(full);
    return c->rc;
}

int tm_ingest_expand(const char *path, tm_ingest_path_fn fn, void *payload)
{
    int rc = fn(path, payload);
    if (rc) return rc;
    /* only e-mails expand: look at the header block before reading it all */
    enum { HEAD = 65536 };
    unsigned char *head = tm_malloc(HEAD);
    FILE *f = head ? fopen(path, "rb") : NULL;
    size_t got = f ? fread(head, 1, HEAD, f) : 0;
    if (f) fclose(f);
    int email = got && tm_convert_sniff(head, got) == TM_FMT_EML;
    tm_free(head);
    if (!email) return 0;
    char *buf = NULL;
    size_t n = 0;
    tm_err err = {0};
    if (tm_read_file(&buf, &n, path, TM_INGEST_MAX_BYTES, &err) != TM_OK)
        return 0; /* ingest reports the problem when it reads the file */
    expand_ctx c = {path, fn, payload, 0};
    if (tm_convert_sniff((const unsigned char *)buf, n) == TM_FMT_EML)
        tm_convert_eml_attachments((const unsigned char *)buf, n, NULL, expand_part, &c, &err);
    tm_free(buf);
    return c.rc;
}
