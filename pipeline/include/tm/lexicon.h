/*
 * lexicon.h: the editable tables of communities, themes, places, cues...
 *
 * A lexicon directory holds:
 *   identifiers.tsv  category, identifier, label, polarity, strand, incident, notes
 *   *.tsv            category, identifier, surface, kind, weight, notes
 *   protected.txt    words matched as written, never stemmed
 *   stopwords.txt    function words never reported as emerging terms
 *   scale.tsv        the report's tension scale (levels.h); hashed, not parsed here
 *   ambiguous.txt    place names that are also common words or surnames
 *                    ("March", "Deal", "Bath"): they need a locative
 *                    context ("in Bath") to count
 *   VERSION          one line, the lexicons' version
 *
 * Loading validates every line and compiles each phrase into a sequence of
 * symbols (stems, or lower-cased words for protected words, places and
 * organisations), and each regex with PCRE2 + JIT. The lexicon is immutable
 * after loading and may be shared by any number of threads.
 *
 * Towns and cities come from a real gazetteer as well: every GB place of
 * Debian's libgeonames (over 15,000 people) is added as a place entry
 * (file "geonames") unless a lexicon file already lists it.
 *
 * Errors: TM_EIO when a file cannot be read, TM_ELEXICON when any line is
 * invalid. Every problem is passed to `on_problem` (may be NULL) as one line
 * "file:line: what is wrong"; `err` gets the first.
 */
#ifndef TM_LEXICON_H
#define TM_LEXICON_H

#include <stddef.h>
#include <stdint.h>

#include "tm/common.h"
#include "tm/doc.h"

typedef struct tm_lexicon tm_lexicon;

/* How one word of a phrase is compared with a token (bit set). */
enum tm_lex_word_mode {
    TM_LEXW_SURFACE = 1 << 0, /* compare the lower-cased word, not the stem */
    TM_LEXW_CAP = 1 << 1,     /* the token must start with a capital */
    TM_LEXW_UPPER = 1 << 2    /* the token must be all capitals (an acronym) */
};

/* One registered identifier (identifiers.tsv). */
typedef struct tm_lex_ident {
    tm_category cat;
    const char *id;
    const char *label;
    tm_polarity polarity; /* themes, indicators, tone */
    const char *strand;   /* communities: hate-crime strand, NULL if none */
    int incident;         /* themes: can name a concrete event */
} tm_lex_ident;

/* One entry (a line of an entry file). */
typedef struct tm_lex_entry {
    tm_category cat;
    const char *id;      /* identifier; for places the canonical name; "*" = the match */
    const char *surface; /* as written in the file */
    int is_regex;
    float weight;
    const char *file; /* base name, for messages */
    int line;
    const tm_lex_ident *ident; /* registry record, NULL for places/organisations */
    /* phrase */
    uint16_t nwords;
    const uint32_t *syms; /* nwords symbols */
    const uint8_t *modes; /* nwords tm_lex_word_mode */
    /* regex */
    void *re; /* pcre2_code_8 *, owned */
    /* regex prefilter (derived from the pattern at load): every match has
     * one of the `nlits` literals at most `lit_gap` characters that are not
     * ASCII letters after its start. nlits 0: none known, the pattern is
     * tried everywhere. The pattern is then compiled with
     * PCRE2_USE_OFFSET_LIMIT. */
    uint16_t nlits;
    int lit_gap;
    const char *const *lits;
    const uint8_t *lit_lens;
    int needs_context; /* a place name that is also a common word ("March",
                        * "Deal", "Bath"): counts only after "in", "at", ... */
} tm_lex_entry;

typedef void (*tm_lexicon_problem_fn)(const char *problem, void *payload);

/* Loads and compiles `dir`. On success *out is owned by the caller (free with
 * tm_lexicon_free). */
int tm_lexicon_load(tm_lexicon **out, const char *dir, tm_lexicon_problem_fn on_problem,
                    void *payload, tm_err *err);
void tm_lexicon_free(tm_lexicon *lex);

const char *tm_lexicon_dir(const tm_lexicon *lex);
const char *tm_lexicon_version(const tm_lexicon *lex);
/* sha256 over every file's name and bytes, in name order. */
const char *tm_lexicon_hash(const tm_lexicon *lex);

size_t tm_lexicon_entry_count(const tm_lexicon *lex);
const tm_lex_entry *tm_lexicon_entry(const tm_lexicon *lex, size_t i);

/* Facts about entry i that the context rules test for many mentions, from
 * one small array (the entries themselves are large and scattered: reading
 * one per mention was a cache miss each). */
enum tm_lex_entry_flag {
    TM_LEXF_NEEDS_CONTEXT = 1 << 0, /* e->needs_context */
    TM_LEXF_GAZETTEER = 1 << 1      /* e->file is "geonames" */
};
unsigned tm_lexicon_entry_flags(const tm_lexicon *lex, size_t i);

/* Registry look-up; NULL if the identifier is not registered. */
const tm_lex_ident *tm_lexicon_ident(const tm_lexicon *lex, tm_category cat, const char *id);
size_t tm_lexicon_ident_count(const tm_lexicon *lex);
const tm_lex_ident *tm_lexicon_ident_at(const tm_lexicon *lex, size_t i);

/* Symbol of a lower-cased word (`surface` = 1) or of a stem; 0 if no entry
 * uses it. */
uint32_t tm_lexicon_sym(const tm_lexicon *lex, int surface, const char *s, size_t n);
/* The text of a symbol (for `lexicon stems`). */
const char *tm_lexicon_sym_text(const tm_lexicon *lex, uint32_t sym);

/* A phrase in the index of first words. The second word is copied in so
 * that a tagger can reject most candidates without touching the entry
 * (entries are large and scattered; this array is read in order). */
typedef struct tm_lex_start {
    uint32_t entry;    /* index of the entry */
    uint32_t next_sym; /* the second word's symbol; 0 for a one-word phrase */
    uint8_t mode0;     /* tm_lex_word_mode of the first word */
    uint8_t next_mode; /* and of the second */
    uint16_t nwords;
    /* what a mention of a one- or two-word phrase needs from the entry,
     * so that the tagger touches the entry only for longer phrases */
    uint8_t cat; /* tm_category */
    float weight;
    const char *id;
} tm_lex_start;

/* Phrases whose first word is symbol `sym` under `surface` matching, longest
 * phrase first. Borrowed array. */
const tm_lex_start *tm_lexicon_starting(const tm_lexicon *lex, int surface, uint32_t sym,
                                        size_t *n);

/* Regex entries, as indices. */
const uint32_t *tm_lexicon_regexes(const tm_lexicon *lex, size_t *n);

/* 1 if `word` (lower-cased) is in stopwords.txt: a function word that is
 * never an emerging term (terms.h). */
int tm_lexicon_is_stopword(const tm_lexicon *lex, const char *word, size_t n);

/* 1 if `word` (lower-cased) is in protected.txt. */
int tm_lexicon_is_protected(const tm_lexicon *lex, const char *word, size_t n);

#endif
