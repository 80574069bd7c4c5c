/*
 * tag.h: lexicon phrases and patterns -> mentions.
 *
 * Phrases are found by looking up each token's stem (or lower-cased word)
 * symbol in the lexicon's index and comparing the following tokens: one hash
 * probe per token, whatever the size of the lexicon. The few `regex` entries
 * run with PCRE2 JIT, match data reused, match and depth limits set; a match
 * counts only where it starts and ends on token boundaries of one sentence.
 *
 * Then the context rules: longest match wins inside a category; a speaker's
 * initials and a person's name ("Mr Pride") tag nothing; a nationality word
 * about a thing ("a Polish shop") is not a community; a place inside an
 * organisation's name is not a place; a negation cue just before a mention
 * negates it; a deferred agenda item ("Deferred to the next meeting",
 * "Nothing of note") negates everything in it, its title included.
 *
 * A tm_tagger holds per-thread scratch (PCRE2 match data); the lexicon it
 * borrows may be shared.
 */
#ifndef TM_TAG_H
#define TM_TAG_H

#include "tm/common.h"
#include "tm/doc.h"
#include "tm/lexicon.h"

typedef struct tm_tagger tm_tagger;

int tm_tagger_new(tm_tagger **out, const tm_lexicon *lex, tm_err *err);
void tm_tagger_free(tm_tagger *tg);

/* For tests: 1 runs every regex over the whole text, ignoring the
 * prefilters derived from the patterns (lexicon.h); the mentions must be
 * the same either way. */
void tm_tagger_set_full_scan(tm_tagger *tg, int on);

/* Fills doc->mentions (sorted by sentence, then position) and marks deferred
 * sections. Tokenise and stem must have run. A regex that hits PCRE2's match
 * or depth limit is reported in doc->errors and skipped for that document. */
int tm_tag_doc(tm_tagger *tg, tm_doc *doc, tm_err *err);

#endif
