/*
 * stem.h: Snowball English stems (libstemmer) behind a per-thread cache.
 *
 * A tm_stemmer belongs to one thread: libstemmer's state and the cache are not
 * shared. The cache maps a lower-cased word to its two lexicon symbols (word
 * and stem), so a word seen before costs one hash probe instead of a stemmer
 * call; it is cleared when it reaches TM_STEM_CACHE_MAX entries, which keeps
 * memory flat on any corpus.
 */
#ifndef TM_STEM_H
#define TM_STEM_H

#include <stddef.h>

#include "tm/common.h"
#include "tm/doc.h"
#include "tm/lexicon.h"

#define TM_STEM_CACHE_MAX (1u << 20)

typedef struct tm_stemmer tm_stemmer;

/* `lex` (borrowed, may be NULL) supplies the symbols written into tokens. */
int tm_stemmer_new(tm_stemmer **out, const tm_lexicon *lex, tm_err *err);
void tm_stemmer_free(tm_stemmer *st);

/* Lower-cases `word` (ASCII and Latin-1 capitals) into `out` (at most
 * `cap` - 1 bytes plus a NUL); returns the length. */
size_t tm_stem_fold(char *out, size_t cap, const char *word, size_t n);

/* tm_stem_fold, then drops a possessive "'s": the key under which a word
 * is looked up, for documents and lexicon entries alike. */
size_t tm_stem_key(char *out, size_t cap, const char *word, size_t n);

/* The Snowball stem of an already lower-cased word. Borrowed: valid until the
 * next call on this stemmer. Returns NULL on allocation failure. */
const char *tm_stem_word(tm_stemmer *st, const char *lower, size_t n, size_t *out_len);

/* Fills word_sym and stem_sym of every token of the doc. */
int tm_stem_doc(tm_stemmer *st, tm_doc *doc, tm_err *err);

#endif
