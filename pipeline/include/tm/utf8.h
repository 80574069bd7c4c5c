/*
 * utf8.h: decoding one code point and classifying it, shared by ingest and
 * the tokeniser.
 */
#ifndef TM_UTF8_H
#define TM_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Decodes the code point at `s` (n bytes available). Returns its length in
 * bytes (1..4), or 0 if the bytes are not valid UTF-8 (overlong forms,
 * surrogates and values above U+10FFFF are invalid). */
size_t tm_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);

/* Encodes `cp` into `out` (4 bytes room); returns the length. */
size_t tm_utf8_encode(uint32_t cp, unsigned char *out);

/* 1 if the code point is a letter for word-splitting purposes: ASCII
 * letters, Latin-1/Latin Extended letters and letters of other scripts;
 * 0 for punctuation, symbols, dashes, quotes, spaces and arrows. */
int tm_utf8_is_letter(uint32_t cp);

#endif
