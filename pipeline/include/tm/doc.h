/*
 * doc.h: the records that flow between the stages.
 *
 * One tm_doc is filled stage by stage: ingest sets the bytes, text and
 * metadata; segment the lines, sections, paragraphs, sentences and speakers;
 * tokenise and stem the tokens; tag the mentions; signals the signals and
 * incidents. Every array and string lives in `doc->arena` and is released by
 * tm_doc_dispose() (or tm_doc_reset() to reuse the arena for the next file).
 *
 * Offsets. `text` is the normalised UTF-8 text; all `off`/`end` fields below
 * are byte offsets into `text`. For UTF-8 input the normalisation never
 * changes a length (markup residue and CR become spaces), so `text` offsets
 * equal file offsets; for converted input (Windows-1252, UTF-16) `raw_map`
 * gives the file offset of every text byte. Always go through
 * tm_doc_raw_offset() when printing an offset for a user.
 *
 * Converted formats (Word, OpenDocument, PDF, HTML, e-mail; see convert.h)
 * have no byte-for-byte relation to the file: `raw` stays the file's bytes
 * (so `sha256` is the file's), `raw_map` is NULL, offsets are offsets into
 * `text`, and `blocks` tells the page (PDF) and paragraph of every byte.
 *
 * Strings that name identifiers (`id` of a mention, `community` of a signal)
 * are borrowed from the lexicon and stay valid while it is loaded.
 */
#ifndef TM_DOC_H
#define TM_DOC_H

#include <stddef.h>
#include <stdint.h>

#include "tm/arena.h"

typedef enum tm_doc_kind { TM_KIND_OTHER = 0, TM_KIND_MINUTES, TM_KIND_REPORT } tm_doc_kind;

/* What the file was; anything but TM_FMT_TEXT was converted to text. */
typedef enum tm_format {
    TM_FMT_TEXT = 0, /* plain text or Markdown, in one of the tm_encodings */
    TM_FMT_DOCX,     /* Word 2007+ (.docx) */
    TM_FMT_ODT,      /* OpenDocument text (.odt) */
    TM_FMT_PDF,
    TM_FMT_HTML,
    TM_FMT_EML /* an e-mail's body (RFC 5322 + MIME) */
} tm_format;

/* Where a run of converted text came from: from text offset `off` up to the
 * next block's `off`. */
typedef struct tm_block {
    uint32_t off;  /* first text byte of the block */
    uint32_t page; /* 1-based page (PDF); 0 when the format has no pages */
    uint32_t para; /* 1-based paragraph in the document (a table row is one) */
} tm_block;

typedef enum tm_encoding {
    TM_ENC_UTF8 = 0,
    TM_ENC_UTF8_BOM,
    TM_ENC_CP1252,
    TM_ENC_UTF16LE,
    TM_ENC_UTF16BE
} tm_encoding;

/* Lexicon categories; the order is the taxonomy's. */
typedef enum tm_category {
    TM_CAT_COMMUNITY = 0,
    TM_CAT_THEME,
    TM_CAT_INCIDENT,
    TM_CAT_PLACE,
    TM_CAT_ORGANISATION,
    TM_CAT_INDICATOR,
    TM_CAT_CUE, /* grammar cues: negation, hedging, experience, ... */
    TM_CAT_TONE,
    TM_CAT__COUNT
} tm_category;

enum tm_token_flags {
    TM_TOK_ALPHA = 1 << 0, /* contains a letter */
    TM_TOK_DIGIT = 1 << 1, /* contains a digit */
    TM_TOK_CAP = 1 << 2,   /* first character upper case */
    TM_TOK_UPPER = 1 << 3, /* every letter upper case (and at least two) */
    TM_TOK_MASKED = 1 << 4 /* a speaker's initials or a person's name: tags nothing */
};

typedef struct tm_token {
    uint32_t off, len; /* slice of doc->text */
    uint32_t sent;     /* index of its sentence */
    uint32_t word_sym; /* lexicon symbol of the lower-cased surface, 0 if none */
    uint32_t stem_sym; /* lexicon symbol of the Snowball stem, 0 if none */
    uint16_t flags;    /* tm_token_flags */
    uint16_t gap;      /* 1 if punctuation other than . ' - stands before it */
} tm_token;

typedef struct tm_line {
    uint32_t off, end; /* without the line break */
} tm_line;

typedef struct tm_section {
    uint32_t off, end;             /* the heading line and the body up to the next heading */
    const char *number;            /* "3", "3.1"; "" when unnumbered */
    const char *title;             /* heading text without numbering or decoration */
    int level;                     /* 1 for "3.", 2 for "3.1" or a sub-heading */
    int parent;                    /* index of the enclosing numbered item, -1 if none */
    int deferred;                  /* "Deferred to the next meeting", "Nothing of note" */
    uint32_t title_off, title_end; /* the title's bytes in text */
} tm_section;

typedef struct tm_paragraph {
    uint32_t off, end;
    int section; /* -1 before the first heading */
} tm_paragraph;

typedef struct tm_speaker {
    const char *initials; /* "AK", or a name such as "Cllr Jones" */
    const char *role;     /* from the attendee table; NULL if unknown */
    uint32_t sentences;   /* sentences attributed */
    int in_table;         /* listed in the attendee table */
} tm_speaker;

enum tm_sentence_flags {
    TM_SENT_HEADING = 1 << 0, /* a section heading line */
    TM_SENT_TABLE = 1 << 1,   /* a row of the attendee table or a metadata line */
    TM_SENT_BOILER = 1 << 2,  /* boilerplate kept out of every figure */
    TM_SENT_DEFERRED = 1 << 3 /* inside a deferred item */
};

typedef struct tm_sentence {
    uint32_t off, end;  /* trimmed sentence bytes in text */
    uint32_t tok_first; /* first token */
    uint32_t tok_count; /* number of tokens */
    int section;        /* index into sections, -1 if none */
    int paragraph;      /* index into paragraphs */
    int speaker;        /* index into speakers, -1 if not attributed */
    uint32_t flags;     /* tm_sentence_flags */
} tm_sentence;

typedef struct tm_mention {
    uint32_t tok_first, tok_count; /* tokens covered */
    uint32_t off, end;             /* bytes in text */
    uint32_t sent;                 /* sentence index */
    tm_category cat;
    const char *id;    /* identifier (borrowed from the lexicon) */
    const char *canon; /* places: canonical name; else == id */
    float weight;      /* the lexicon entry's weight */
    uint8_t negated;   /* negated or deferred: kept, never counted */
    uint8_t dropped;   /* removed by a context rule (e.g. "Polish shop") */
    uint32_t entry;    /* index of the lexicon entry that matched */
} tm_mention;

typedef enum tm_polarity { TM_POL_CONCERN = 0, TM_POL_REASSURANCE } tm_polarity;
typedef enum tm_eep { TM_EEP_EVIDENCED = 0, TM_EEP_EXPERIENCED, TM_EEP_POTENTIAL } tm_eep;

/* One community tied to one theme or indicator by one sentence. Outputs group
 * these by (community, theme, polarity, eep, negated). */
typedef struct tm_signal {
    const char *community;
    const char *theme; /* a theme or indicator identifier */
    tm_category theme_cat;
    tm_polarity polarity;
    tm_eep eep;
    uint8_t negated;
    uint8_t via_paragraph; /* tied through "these communities"/"they": lower weight */
    float weight;
    uint32_t sent; /* evidence sentence */
} tm_signal;

typedef struct tm_incident {
    const char *theme;
    uint32_t sent;
    const char *date;  /* "YYYY-MM-DD", "YYYY-MM" or NULL */
    const char *place; /* canonical place name or NULL */
    uint8_t negated;
} tm_incident;

typedef struct tm_doc {
    tm_arena arena;

    /* ingest */
    const char *path;         /* as given by the user */
    const unsigned char *raw; /* the file's bytes (arena) */
    size_t raw_len;
    char *text; /* normalised UTF-8, NUL-terminated (arena) */
    size_t text_len;
    uint32_t *raw_map; /* text offset -> file offset; NULL when identical */
    tm_encoding encoding;
    tm_format format;        /* TM_FMT_TEXT unless converted */
    const char *marked;      /* converted text before normalisation (same length as
                                text): heading '#' and bullets still show; NULL for text */
    TM_VEC(tm_block) blocks; /* converted formats: sorted by off; empty for text */
    char mail_date[11];      /* e-mail documents: the Date header, used when the
                                text states no date; "" otherwise */
    char sha256[65];
    int64_t mtime; /* seconds; 0 if unknown */

    /* metadata (segment) */
    tm_doc_kind kind;
    char date[11];         /* stated meeting/report date, "" if none */
    char period_date[11];  /* best date for periods: stated, month, financial year */
    char next_meeting[11]; /* "" if none */
    const char *title;     /* NULL if none */
    const char *location;  /* NULL if none */

    TM_VEC(tm_line) lines;
    TM_VEC(tm_section) sections;
    TM_VEC(tm_paragraph) paragraphs;
    TM_VEC(tm_sentence) sentences;
    TM_VEC(tm_speaker) speakers;
    TM_VEC(tm_token) tokens;
    TM_VEC(tm_mention) mentions;
    TM_VEC(tm_signal) signals;
    TM_VEC(tm_incident) incidents;
    TM_VEC(const char *) errors; /* problems met while reading; the doc still yields */
    size_t words;                /* word tokens outside boilerplate: the rate denominator */
    const char *rendered;        /* output a worker thread rendered for the in-order
                                  * consumer (e.g. the extract JSON line); arena */
    size_t rendered_len;
} tm_doc;

void tm_doc_init(tm_doc *doc);

/* Releases every array and string; the doc can be filled again. */
void tm_doc_reset(tm_doc *doc);
void tm_doc_dispose(tm_doc *doc);

/* Appends a formatted problem to doc->errors (arena-owned). */
void tm_doc_add_error(tm_doc *doc, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* The file offset of text offset `off` (off may equal text_len). */
static inline size_t tm_doc_raw_offset(const tm_doc *doc, size_t off)
{
    return doc->raw_map ? doc->raw_map[off] : off;
}

/* The block holding text offset `off`, or NULL for text files. */
const tm_block *tm_doc_block_of(const tm_doc *doc, size_t off);

/* The bytes segment inspects for blanked markup ('#', '**', bullets) and the
 * offset of text offset `off` in them. */
static inline const unsigned char *tm_doc_marked(const tm_doc *doc, size_t off, size_t *at)
{
    if (doc->marked) {
        *at = off;
        return (const unsigned char *)doc->marked;
    }
    *at = tm_doc_raw_offset(doc, off);
    return doc->raw;
}

const char *tm_format_name(tm_format f);

/* Line number (1-based) of a text offset, for messages. */
size_t tm_doc_line_of(const tm_doc *doc, size_t off);

const char *tm_kind_name(tm_doc_kind k);
const char *tm_category_name(tm_category c);
int tm_category_from_name(tm_category *out, const char *name, size_t n);
const char *tm_polarity_name(tm_polarity p);
const char *tm_eep_name(tm_eep e);

#endif
