/*
 * tokenise.h: words as slices of the document.
 *
 * A word is a run of letters and digits, with internal apostrophes (' or ’)
 * kept ("people's", "don't"); hyphens, dots and other punctuation split
 * words ("anti-social" is two tokens, "s.60" is "s" and "60"). Lexicon
 * surfaces go through the very same scanner, so a phrase always matches its
 * own text. No allocation, no errors: the scanner is a pure function.
 */
#ifndef TM_TOKENISE_H
#define TM_TOKENISE_H

#include <stddef.h>

#include "tm/common.h"
#include "tm/doc.h"

typedef enum tm_tok_kind { TM_TK_WORD = 0, TM_TK_SPACE, TM_TK_PUNCT } tm_tok_kind;

/* Longest word accepted; longer runs are cut into pieces of this size so a
 * 1 MB "word" cannot blow up a later stage. */
#define TM_TOKEN_MAX 128

/* Scans the token at z[0..n) (n > 0); returns its length (>= 1) and its kind. */
size_t tm_tok_scan(const unsigned char *z, size_t n, tm_tok_kind *kind);

/* Flags (TM_TOK_ALPHA, ...) of a word slice. */
unsigned tm_tok_flags(const unsigned char *z, size_t n);

/* Tokenises every sentence of the doc (segment must have run): fills
 * doc->tokens and each sentence's tok_first/tok_count. Returns TM_ENOMEM on
 * allocation failure. */
int tm_tokenise_doc(tm_doc *doc, tm_err *err);

#endif
