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

size_t tm_tok_scan(const unsigned char *z, size_t n, tm_tok_kind *kind)
{
    size_t len;
    int c = char_class(z, n, &len);
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
    size_t i = len;
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

unsigned tm_tok_flags(const unsigned char *z, size_t n)
{
    unsigned f = 0, letters = 0, upper = 0;
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

/* Counts the words first so the token array is allocated once at its final
 * size: growing it by doubling would leave every smaller copy in the arena,
 * twice the memory on a 100 MB document. */
static size_t count_words(const tm_doc *doc)
{
    const unsigned char *t = (const unsigned char *)doc->text;
    size_t n = 0;
    for (size_t s = 0; s < doc->sentences.n; s++) {
        const tm_sentence *sent = &doc->sentences.v[s];
        for (size_t i = sent->off; i < sent->end;) {
            tm_tok_kind kind;
            i += tm_tok_scan(t + i, sent->end - i, &kind);
            n += kind == TM_TK_WORD;
        }
    }
    return n;
}

int tm_tokenise_doc(tm_doc *doc, tm_err *err)
{
    const unsigned char *t = (const unsigned char *)doc->text;
    size_t words = count_words(doc);
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
