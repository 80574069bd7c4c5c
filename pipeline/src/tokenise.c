/*
 * tokenise.c: the word scanner. ASCII is classified by a 256-entry table;
 * bytes >= 0x80 are decoded and classified by tm_utf8_is_letter, except the
 * right single quote, which counts as an apostrophe inside a word.
 */
#include "tm/tokenise.h"
#include "tm/utf8.h"

#include <stdint.h>
#include <string.h>

/* 0 = punctuation, 1 = letter, 2 = digit, 3 = space, 4 = apostrophe, 5 = >= 0x80 */
static const unsigned char cls[256] = {
    /*        0 1 2 3 4 5 6 7 8 9 A B C D E F */
    /* 0x */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 3, 3, 3, 3, 0, 0,
    /* 1x */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    /* 2x */ 3, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0,
    /* 3x */ 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 0, 0, 0, 0, 0, 0,
    /* 4x */ 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    /* 5x */ 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0,
    /* 6x */ 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    /* 7x */ 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0,
    /* 8x-Fx: decoded */
    5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5,
    5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5,
    5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5,
    5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5};

enum { C_PUNCT = 0, C_LETTER, C_DIGIT, C_SPACE, C_APOS, C_HIGH };

/* For the ASCII fast paths: what a byte is, as bits. */
enum { AB_LETTER = 1, AB_DIGIT = 2, AB_UPPER = 4, AB_LOWER = 8 };
#define UP (AB_LETTER | AB_UPPER)
#define LO (AB_LETTER | AB_LOWER)
#define DG AB_DIGIT
static const unsigned char ascii_bits[256] = {
    /* 0 from 0x80 up */
    ['0'] = DG, ['1'] = DG, ['2'] = DG, ['3'] = DG, ['4'] = DG, ['5'] = DG, ['6'] = DG, ['7'] = DG,
    ['8'] = DG, ['9'] = DG, ['A'] = UP, ['B'] = UP, ['C'] = UP, ['D'] = UP, ['E'] = UP, ['F'] = UP,
    ['G'] = UP, ['H'] = UP, ['I'] = UP, ['J'] = UP, ['K'] = UP, ['L'] = UP, ['M'] = UP, ['N'] = UP,
    ['O'] = UP, ['P'] = UP, ['Q'] = UP, ['R'] = UP, ['S'] = UP, ['T'] = UP, ['U'] = UP, ['V'] = UP,
    ['W'] = UP, ['X'] = UP, ['Y'] = UP, ['Z'] = UP, ['a'] = LO, ['b'] = LO, ['c'] = LO, ['d'] = LO,
    ['e'] = LO, ['f'] = LO, ['g'] = LO, ['h'] = LO, ['i'] = LO, ['j'] = LO, ['k'] = LO, ['l'] = LO,
    ['m'] = LO, ['n'] = LO, ['o'] = LO, ['p'] = LO, ['q'] = LO, ['r'] = LO, ['s'] = LO, ['t'] = LO,
    ['u'] = LO, ['v'] = LO, ['w'] = LO, ['x'] = LO, ['y'] = LO, ['z'] = LO,
};
#undef UP
#undef LO
#undef DG

/* Class of the character at z (n bytes available) and its byte length. */
static int char_class(const unsigned char *z, size_t n, size_t *len)
{
    int c = cls[z[0]];
    if (c != C_HIGH) {
        *len = 1;
        return c;
    }
    uint32_t cp;
    size_t k = tm_utf8_decode(z, n, &cp);
    if (k == 0) {
        *len = 1;
        return C_PUNCT;
    }
    *len = k;
    if (cp == 0x2019) return C_APOS;
    if (cp == 0xA0 || cp == 0x2009 || cp == 0x202F || cp == 0x2002 || cp == 0x2003) return C_SPACE;
    return tm_utf8_is_letter(cp) ? C_LETTER : C_PUNCT;
}

/* The rest of a word whose first i bytes are letters or digits. */
static size_t word_rest(const unsigned char *z, size_t n, size_t i, tm_tok_kind *kind)
{
    while (i < n && i < TM_TOKEN_MAX) {
        size_t l1;
        int c1 = char_class(z + i, n - i, &l1);
        if (c1 == C_LETTER || c1 == C_DIGIT) {
            if (i + l1 > TM_TOKEN_MAX) /* never cut a character or exceed the limit */
                break;
            i += l1;
            continue;
        }
        if (c1 == C_APOS && i + l1 < n) {
            size_t l2;
            int c2 = char_class(z + i + l1, n - i - l1, &l2);
            if (c2 == C_LETTER && i + l1 + l2 <= TM_TOKEN_MAX) {
                i += l1 + l2;
                continue;
            }
        }
        break;
    }
    *kind = TM_TK_WORD;
    return i;
}

size_t tm_tok_scan(const unsigned char *z, size_t n, tm_tok_kind *kind)
{
    size_t len;
    int c = cls[z[0]];
    if (c == C_LETTER || c == C_DIGIT) {
        /* fast path: a run of ASCII letters and digits, which is most words;
         * the general loop below takes over at the first other byte that
         * could still continue the word (an apostrophe, a byte >= 0x80) */
        size_t lim = n < TM_TOKEN_MAX ? n : TM_TOKEN_MAX, i = 1;
        while (i < lim && (ascii_bits[z[i]] & (AB_LETTER | AB_DIGIT)))
            i++;
        if (i == lim || (cls[z[i]] != C_HIGH && cls[z[i]] != C_APOS)) {
            *kind = TM_TK_WORD;
            return i;
        }
        return word_rest(z, n, i, kind);
    }
    if (c == C_SPACE) {
        size_t i = 1;
        while (i < n && cls[z[i]] == C_SPACE)
            i++;
        if (i < n && cls[z[i]] == C_HIGH) /* a no-break or thin space may follow */
            while (i < n && char_class(z + i, n - i, &len) == C_SPACE)
                i += len;
        *kind = TM_TK_SPACE;
        return i;
    }
    c = char_class(z, n, &len);
    if (c == C_SPACE) {
        size_t i = len;
        while (i < n && char_class(z + i, n - i, &len) == C_SPACE)
            i += len;
        *kind = TM_TK_SPACE;
        return i;
    }
    if (c != C_LETTER && c != C_DIGIT) {
        *kind = TM_TK_PUNCT;
        return len;
    }
    return word_rest(z, n, len, kind);
}

unsigned tm_tok_flags(const unsigned char *z, size_t n)
{
    unsigned f = 0, letters = 0, upper = 0;
    /* fast path for an all-ASCII word: one table load per byte */
    size_t k = 0;
    unsigned seen = 0;
    for (; k < n && z[k] < 0x80; k++) {
        seen |= ascii_bits[z[k]];
        letters += ascii_bits[z[k]] & AB_LETTER;
    }
    if (k == n) {
        if (seen & AB_DIGIT) f |= TM_TOK_DIGIT;
        if (n && (ascii_bits[z[0]] & AB_UPPER)) f |= TM_TOK_CAP;
        if (letters) f |= TM_TOK_ALPHA;
        if (letters >= 2 && !(seen & AB_LOWER)) f |= TM_TOK_UPPER;
        return f;
    }
    letters = upper = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = z[i];
        if (c >= '0' && c <= '9') {
            f |= TM_TOK_DIGIT;
        } else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') {
            letters++;
            upper += c <= 'Z';
            if (i == 0 && c <= 'Z') f |= TM_TOK_CAP;
        } else if (c == 0xE2 && i + 2 < n && z[i + 1] == 0x80 && z[i + 2] == 0x99) {
            i += 2; /* the right single quote is an apostrophe, as ' is: not a letter */
        } else if (c >= 0x80) {
            letters++;
            /* Latin-1 capitals: C3 80..C3 9E except the multiplication sign */
            if (c == 0xC3 && i + 1 < n && z[i + 1] >= 0x80 && z[i + 1] <= 0x9E &&
                z[i + 1] != 0x97) {
                upper++;
                if (i == 0) f |= TM_TOK_CAP;
            }
            while (i + 1 < n && (z[i + 1] & 0xC0) == 0x80)
                i++;
        }
    }
    if (letters) f |= TM_TOK_ALPHA;
    if (letters >= 2 && upper == letters) f |= TM_TOK_UPPER;
    return f;
}

/* An upper bound on the words, so that the token array is allocated once:
 * growing it by doubling would leave every smaller copy in the arena, twice
 * the memory on a 100 MB document, and counting exactly costs a second
 * scan. A word starts at an ASCII letter or digit after a byte that is not
 * one (the sentence's start counts as such a byte), or at a character
 * of two or more bytes (its lead byte, >= 0xC0), or where a word was cut at
 * TM_TOKEN_MAX bytes. */
/* The high bit of each of the eight bytes at p that is an ASCII letter or
 * digit, and in *lead that of each byte >= 0xC0. Exact per byte: every
 * subtraction is from a byte with its high bit set, so none borrows. */
static uint64_t alnum8(const unsigned char *p, uint64_t *lead)
{
    uint64_t x;
    memcpy(&x, p, 8);
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    uint64_t h = x | highs, l = (x | 0x2020202020202020u) | highs; /* l: lower-cased */
    uint64_t digit = (h - ones * '0') & ~(h - ones * ('9' + 1));
    uint64_t letter = (l - ones * 'a') & ~(l - ones * ('z' + 1));
    *lead = x & (x << 1) & highs;
    return (digit | letter) & ~x & highs;
}

static size_t max_words(const tm_doc *doc)
{
    const unsigned char *t = (const unsigned char *)doc->text;
    size_t n = 0;
    for (size_t s = 0; s < doc->sentences.n; s++) {
        const tm_sentence *sent = &doc->sentences.v[s];
        unsigned prev = 0;
        size_t i = sent->off;
        /* eight bytes at a time: the byte loop below was over half of
         * tm_tokenise_doc's own time */
        for (; i < sent->end && sent->end - i >= 8; i += 8) {
            uint64_t lead, a = alnum8(t + i, &lead);
            uint64_t starts = (a & ~(a << 8 | (uint64_t)prev << 7)) | lead;
            n += (size_t)(((starts >> 7) * 0x0101010101010101u) >> 56);
            prev = (unsigned)(a >> 63);
        }
        for (; i < sent->end; i++) {
            unsigned c = t[i];
            unsigned alnum = (ascii_bits[c] & (AB_LETTER | AB_DIGIT)) != 0;
            n += (alnum & !prev) | (c >= 0xC0);
            prev = alnum;
        }
        n += (sent->end - sent->off) / TM_TOKEN_MAX + 1;
    }
    return n;
}

int tm_tokenise_doc(tm_doc *doc, tm_err *err)
{
    const unsigned char *t = (const unsigned char *)doc->text;
    size_t words = max_words(doc);
    if (doc->tokens.n + words > doc->tokens.cap) {
        size_t cap = doc->tokens.n + words;
        tm_token *v =
            cap <= SIZE_MAX / sizeof *v ? tm_arena_alloc(&doc->arena, cap * sizeof *v) : NULL;
        if (!v)
            return tm_err_set(err, TM_ENOMEM, "%s: out of memory for %zu tokens", doc->path, words);
        if (doc->tokens.n) memcpy(v, doc->tokens.v, doc->tokens.n * sizeof *v);
        doc->tokens.v = v;
        doc->tokens.cap = cap;
    }
    for (size_t s = 0; s < doc->sentences.n; s++) {
        tm_sentence *sent = &doc->sentences.v[s];
        sent->tok_first = (uint32_t)doc->tokens.n;
        size_t i = sent->off;
        int gap = 0;
        while (i < sent->end) {
            tm_tok_kind kind;
            size_t len = tm_tok_scan(t + i, sent->end - i, &kind);
            if (kind == TM_TK_WORD) {
                tm_token *tok = TM_VEC_PUSH(&doc->arena, doc->tokens);
                if (!tok)
                    return tm_err_set(err, TM_ENOMEM, "%s: out of memory tokenising", doc->path);
                tok->off = (uint32_t)i;
                tok->len = (uint32_t)len;
                tok->sent = (uint32_t)s;
                tok->flags = (uint16_t)tm_tok_flags(t + i, len);
                tok->gap = (uint16_t)gap;
                gap = 0;
            } else if (kind == TM_TK_PUNCT) {
                /* punctuation that ends a clause separates phrases; joiners do not */
                unsigned char c = t[i];
                if (c == ',' || c == ';' || c == ':' || c == '(' || c == ')' || c == '"' ||
                    c == '?' || c == '!' || c == '|' || (c >= 0x80 && c != 0xE2))
                    gap = 1;
                else if (c == 0xE2 && len == 3 && t[i + 1] == 0x80 &&
                         (t[i + 2] == 0x9C || t[i + 2] == 0x9D || t[i + 2] == 0x93 ||
                          t[i + 2] == 0x94))
                    gap = 1; /* curly double quotes and dashes */
            }
            i += len;
        }
        sent->tok_count = (uint32_t)(doc->tokens.n - sent->tok_first);
    }
    return TM_OK;
}
