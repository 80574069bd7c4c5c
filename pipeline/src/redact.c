/*
 * redact.c: names and initials out of text that leaves the database.
 *
 * The text is cut into words with byte offsets; each capitalised word is
 * classified against the lexicon (C: a word the lexicon uses on its own,
 * such as "Somali" or "Police"; P: a one-word place, such as "Harlow", which
 * is also a surname; U: unknown) and a built-in list of capitalised words
 * that are not names (stop words, months, meeting words). Spans the place
 * and organisation regexes match ("Elm Street", "Willowbank Centre") and
 * multi-word lexicon phrases ("Campbell Park") are protected. Then, in
 * order: person titles, speaker initials, initials next to speech verbs,
 * and runs of capitalised words. A run needs an unknown word to be a name,
 * so "Fishermead Springfield" stays, but one unknown word is enough for
 * "Denise Harlow" to go although Harlow is a town: leaking a surname is
 * worse than hiding a town.
 */
#include "tm/redact.h"
#include "tm/outfile.h"
#include "tm/utf8.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <ctype.h>
#include <pcre2.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

struct tm_redactor {
    json_t *phrases;       /* lower-cased phrases of 2+ words -> true */
    json_t *words;         /* lower-cased single words -> "C" | "P" */
    json_t *titles;        /* person titles as written -> true */
    size_t max_words;      /* longest phrase or title, in words */
    const pcre2_code **re; /* place and organisation regexes, borrowed from the lexicon */
    size_t nre;
};

/* Capitalised words that are not names. Lower case. */
static const char *const stop_words[] = {"a",
                                         "about",
                                         "above",
                                         "academy",
                                         "action",
                                         "actions",
                                         "admin",
                                         "after",
                                         "agenda",
                                         "all",
                                         "also",
                                         "although",
                                         "an",
                                         "and",
                                         "any",
                                         "aob",
                                         "apologies",
                                         "apr",
                                         "april",
                                         "area",
                                         "areas",
                                         "as",
                                         "asb",
                                         "assessment",
                                         "association",
                                         "at",
                                         "aug",
                                         "august",
                                         "avenue",
                                         "bame",
                                         "bbc",
                                         "because",
                                         "before",
                                         "below",
                                         "between",
                                         "bme",
                                         "board",
                                         "body",
                                         "borough",
                                         "both",
                                         "british",
                                         "business",
                                         "but",
                                         "by",
                                         "camera",
                                         "cctv",
                                         "centre",
                                         "chair",
                                         "chairs",
                                         "charity",
                                         "christmas",
                                         "church",
                                         "city",
                                         "close",
                                         "college",
                                         "colleagues",
                                         "commander",
                                         "committee",
                                         "communities",
                                         "community",
                                         "constable",
                                         "council",
                                         "councillors",
                                         "county",
                                         "court",
                                         "covid",
                                         "crime",
                                         "csp",
                                         "data",
                                         "date",
                                         "dc",
                                         "dec",
                                         "december",
                                         "department",
                                         "district",
                                         "diwali",
                                         "drive",
                                         "ds",
                                         "during",
                                         "each",
                                         "easter",
                                         "east",
                                         "eid",
                                         "either",
                                         "english",
                                         "estate",
                                         "european",
                                         "every",
                                         "everyone",
                                         "facebook",
                                         "families",
                                         "family",
                                         "feb",
                                         "february",
                                         "following",
                                         "for",
                                         "force",
                                         "forum",
                                         "foundation",
                                         "friday",
                                         "from",
                                         "further",
                                         "gardens",
                                         "gb",
                                         "government",
                                         "great",
                                         "group",
                                         "grt",
                                         "hall",
                                         "hate",
                                         "he",
                                         "her",
                                         "his",
                                         "home",
                                         "hospital",
                                         "how",
                                         "however",
                                         "hub",
                                         "i",
                                         "iag",
                                         "if",
                                         "impact",
                                         "in",
                                         "inspector",
                                         "instagram",
                                         "into",
                                         "introductions",
                                         "is",
                                         "it",
                                         "item",
                                         "items",
                                         "its",
                                         "jan",
                                         "january",
                                         "jul",
                                         "july",
                                         "jun",
                                         "june",
                                         "knife",
                                         "lane",
                                         "leader",
                                         "leaders",
                                         "lgbt",
                                         "lgbtq",
                                         "library",
                                         "local",
                                         "lpa",
                                         "many",
                                         "mar",
                                         "march",
                                         "may",
                                         "meeting",
                                         "meetings",
                                         "member",
                                         "members",
                                         "minutes",
                                         "mkc",
                                         "monday",
                                         "more",
                                         "most",
                                         "mosque",
                                         "much",
                                         "national",
                                         "neither",
                                         "network",
                                         "new",
                                         "next",
                                         "nhs",
                                         "no",
                                         "none",
                                         "north",
                                         "not",
                                         "note",
                                         "notes",
                                         "nov",
                                         "november",
                                         "oct",
                                         "october",
                                         "of",
                                         "office",
                                         "officer",
                                         "officers",
                                         "ok",
                                         "old",
                                         "on",
                                         "online",
                                         "or",
                                         "other",
                                         "others",
                                         "our",
                                         "over",
                                         "overall",
                                         "panel",
                                         "parents",
                                         "park",
                                         "partners",
                                         "partnership",
                                         "pc",
                                         "pcso",
                                         "people",
                                         "place",
                                         "plan",
                                         "police",
                                         "previous",
                                         "programme",
                                         "project",
                                         "pupils",
                                         "ramadan",
                                         "region",
                                         "report",
                                         "reports",
                                         "residents",
                                         "review",
                                         "risk",
                                         "road",
                                         "safety",
                                         "saint",
                                         "saturday",
                                         "school",
                                         "schools",
                                         "search",
                                         "section",
                                         "sep",
                                         "sept",
                                         "september",
                                         "sergeant",
                                         "service",
                                         "services",
                                         "several",
                                         "she",
                                         "since",
                                         "snapchat",
                                         "so",
                                         "some",
                                         "south",
                                         "square",
                                         "st",
                                         "staff",
                                         "station",
                                         "stop",
                                         "strategy",
                                         "street",
                                         "students",
                                         "such",
                                         "sunday",
                                         "superintendent",
                                         "support",
                                         "teachers",
                                         "team",
                                         "tension",
                                         "tensions",
                                         "than",
                                         "that",
                                         "the",
                                         "their",
                                         "them",
                                         "then",
                                         "there",
                                         "these",
                                         "they",
                                         "this",
                                         "those",
                                         "though",
                                         "thursday",
                                         "tiktok",
                                         "time",
                                         "to",
                                         "trust",
                                         "tuesday",
                                         "tvp",
                                         "twitter",
                                         "uk",
                                         "under",
                                         "unit",
                                         "university",
                                         "until",
                                         "update",
                                         "updates",
                                         "vice",
                                         "video",
                                         "volunteers",
                                         "ward",
                                         "way",
                                         "we",
                                         "wednesday",
                                         "welcome",
                                         "west",
                                         "what",
                                         "whatsapp",
                                         "when",
                                         "where",
                                         "which",
                                         "while",
                                         "whilst",
                                         "who",
                                         "why",
                                         "with",
                                         "without",
                                         "worker",
                                         "workers",
                                         "worn",
                                         "yes",
                                         "you",
                                         "young",
                                         "your",
                                         "youth",
                                         "youtube",
                                         NULL};

/* Person titles the lexicon may lack. */
static const char *const builtin_titles[] = {"Mr",       "Mrs",
                                             "Ms",       "Mx",
                                             "Miss",     "Dr",
                                             "Cllr",     "Councillor",
                                             "Sir",      "Dame",
                                             "Lord",     "Lady",
                                             "Rev",      "Revd",
                                             "Reverend", "Imam",
                                             "Rabbi",    "Father",
                                             "Sister",   "Pastor",
                                             "Insp",     "Inspector",
                                             "Sgt",      "Sergeant",
                                             "PC",       "PCSO",
                                             "DC",       "DS",
                                             "DI",       "DCI",
                                             "Supt",     "Superintendent",
                                             "Ch Insp",  "Chief Inspector",
                                             "Det",      "Professor",
                                             "Prof",     NULL};

/* Verbs after which a capitalised word or initials are a speaker. */
static const char *const speech_verbs[] = {
    "said",      "says",       "say",         "asked",      "asks",         "reported",
    "reports",   "explained",  "explains",    "noted",      "notes",        "stated",
    "states",    "added",      "adds",        "told",       "tells",        "confirmed",
    "confirms",  "agreed",     "agrees",      "raised",     "raises",       "welcomed",
    "thanked",   "suggested",  "suggests",    "mentioned",  "informed",     "advised",
    "updated",   "provided",   "highlighted", "queried",    "responded",    "replied",
    "commented", "felt",       "feels",       "presented",  "proposed",     "questioned",
    "stressed",  "expressed",  "spoke",       "speaks",     "acknowledged", "argued",
    "warned",    "described",  "shared",      "emphasised", "emphasized",   "clarified",
    "recalled",  "believes",   "believed",    "thinks",     "thought",      "wrote",
    "writes",    "circulated", "attended",    "chaired",    "summarised",   "introduced",
    "gave",      "led",        "requested",   "offered",    "undertook",    NULL};

/* Extra followers that mark initials (not ordinary words): "AB to circulate". */
static const char *const initials_followers[] = {"to",  "will", "would", "has", "had",
                                                 "was", "is",   "and",   NULL};
/* Words before initials: "thanked AB", "asked by TJL". */
static const char *const initials_leaders[] = {"thanked", "asked", "told", "informed", "invited",
                                               "by",      "thank", "from", NULL};

static int in_list(const char *const *list, const char *w)
{
    for (size_t i = 0; list[i]; i++)
        if (!strcmp(list[i], w)) return 1;
    return 0;
}

/* ----------------------------------------------------------- building */

/* Lower-cases `s` (ASCII only) into a fresh string, squeezing runs of
 * spaces, and counts its words. Owned. */
static char *lower_words(const char *s, size_t *nwords)
{
    size_t n = strlen(s);
    char *o = tm_malloc(n + 1), *w = o;
    if (!o) return NULL;
    *nwords = 0;
    int in = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (isspace(c)) {
            in = 0;
            continue;
        }
        if (!in) {
            if (w != o) *w++ = ' ';
            (*nwords)++;
            in = 1;
        }
        *w++ = (char)tolower(c);
    }
    *w = '\0';
    return o;
}

void tm_redactor_free(tm_redactor *r)
{
    if (!r) return;
    json_decref(r->phrases);
    json_decref(r->words);
    json_decref(r->titles);
    tm_free(r->re);
    tm_free(r);
}

int tm_redactor_new(tm_redactor **out, const tm_lexicon *lex, tm_err *err)
{
    *out = NULL;
    tm_redactor *r = tm_calloc(1, sizeof *r);
    if (!r) return tm_err_set(err, TM_ENOMEM, "redact: out of memory");
    r->phrases = json_object();
    r->words = json_object();
    r->titles = json_object();
    if (!r->phrases || !r->words || !r->titles) goto oom;
    r->max_words = 3;
    for (size_t i = 0; builtin_titles[i]; i++)
        if (json_object_set_new(r->titles, builtin_titles[i], json_true())) goto oom;
    size_t n = lex ? tm_lexicon_entry_count(lex) : 0;
    r->re = tm_calloc(n ? n : 1, sizeof *r->re);
    if (!r->re) goto oom;
    for (size_t i = 0; i < n; i++) {
        const tm_lex_entry *e = tm_lexicon_entry(lex, i);
        if (e->is_regex) {
            if ((e->cat == TM_CAT_PLACE || e->cat == TM_CAT_ORGANISATION) && e->re)
                r->re[r->nre++] = e->re;
            continue;
        }
        if (e->cat == TM_CAT_CUE && e->ident && !strcmp(e->id, "person_title")) {
            if (json_object_set_new(r->titles, e->surface, json_true())) goto oom;
            continue;
        }
        if (e->cat == TM_CAT_CUE || e->cat == TM_CAT_TONE) continue; /* ordinary words */
        size_t nw = 0;
        char *low = lower_words(e->surface, &nw);
        if (!low) goto oom;
        int bad = 0;
        if (nw >= 2) {
            bad = json_object_set_new(r->phrases, low, json_true());
            if (nw > r->max_words) r->max_words = nw;
        } else if (nw == 1) {
            const char *had = json_string_value(json_object_get(r->words, low));
            /* a word the lexicon uses outside places is never a surname to hide */
            const char *cls = e->cat == TM_CAT_PLACE && !(had && !strcmp(had, "C")) ? "P" : "C";
            bad = json_object_set_new(r->words, low, json_string(cls));
        }
        tm_free(low);
        if (bad) goto oom;
    }
    *out = r;
    return TM_OK;
oom:
    tm_redactor_free(r);
    return tm_err_set(err, TM_ENOMEM, "redact: out of memory building the redactor");
}

/* ------------------------------------------------------------- words */

enum cls { STOP, KNOWN, PLACE, UNKNOWN };
enum act { KEEP = 0, NAME, ROLE };

typedef struct word {
    size_t s, e;  /* bytes of the word, without a possessive 's */
    size_t full;  /* end including the possessive */
    char low[64]; /* lower-cased (truncated) word */
    int cap;      /* starts with a capital */
    int allcaps;  /* 2-4 ASCII capitals and nothing else */
    int single;   /* one capital letter */
    int prot;     /* inside a protected span */
    int title;    /* a person title before a name: kept as written */
    enum cls cls;
    enum act act;
    const char *role; /* for ROLE */
} word;

/* Word characters: letters, digits, inner apostrophes and hyphens. */
static size_t word_char(const char *t, size_t n, size_t i, int *is_letter)
{
    uint32_t cp;
    size_t len = tm_utf8_decode((const unsigned char *)t + i, n - i, &cp);
    if (!len) {
        *is_letter = 0;
        return 0;
    }
    *is_letter = (cp < 128 && isalnum((int)cp)) || (cp >= 128 && tm_utf8_is_letter(cp));
    return len;
}

static int is_apos(const char *t, size_t n, size_t i, size_t *len)
{
    if (t[i] == '\'') {
        *len = 1;
        return 1;
    }
    if (i + 2 < n && (unsigned char)t[i] == 0xe2 && (unsigned char)t[i + 1] == 0x80 &&
        (unsigned char)t[i + 2] == 0x99) {
        *len = 3;
        return 1;
    }
    return 0;
}

/* Splits `t` into words. Owned array. */
static word *split(const char *t, size_t n, size_t *count)
{
    size_t cap = 64, k = 0, i = 0;
    word *w = tm_malloc(cap * sizeof *w);
    if (!w) return NULL;
    while (i < n) {
        int letter;
        size_t len = word_char(t, n, i, &letter);
        if (!letter) {
            i += len ? len : 1;
            continue;
        }
        size_t s = i;
        i += len;
        for (;;) {
            size_t al;
            if (i >= n) break;
            len = word_char(t, n, i, &letter);
            if (letter) {
                i += len;
                continue;
            }
            /* an apostrophe or hyphen between letters stays in the word */
            int inner = 0;
            if (is_apos(t, n, i, &al) || (t[i] == '-' && (al = 1))) {
                int next;
                if (i + al < n && word_char(t, n, i + al, &next) && next) inner = 1;
            }
            if (!inner) break;
            i += al;
        }
        if (k == cap) {
            word *nw = tm_realloc(w, 2 * cap * sizeof *w);
            if (!nw) {
                tm_free(w);
                return NULL;
            }
            w = nw;
            cap *= 2;
        }
        word *x = &w[k++];
        memset(x, 0, sizeof *x);
        x->s = s;
        x->full = x->e = i;
        /* possessive: "Harlow's" is looked up as "Harlow" */
        if (i - s > 2 && (t[i - 1] == 's' || t[i - 1] == 'S')) {
            size_t al;
            if (t[i - 2] == '\'')
                x->e = i - 2;
            else if (i - s > 4 && is_apos(t, n, i - 4, &al) && al == 3)
                x->e = i - 4;
        }
        size_t m = x->e - s < sizeof x->low - 1 ? x->e - s : sizeof x->low - 1;
        int upper = 0, lower = 0, other = 0;
        for (size_t j = 0; j < m; j++) {
            unsigned char c = (unsigned char)t[s + j];
            x->low[j] = (char)tolower(c);
            if (c >= 'A' && c <= 'Z')
                upper++;
            else if (c >= 'a' && c <= 'z')
                lower++;
            else
                other++;
        }
        unsigned char c0 = (unsigned char)t[s];
        x->cap = (c0 >= 'A' && c0 <= 'Z');
        if (!x->cap && c0 >= 0x80) {
            /* Latin-1 capitals (Élise, Øyvind) */
            uint32_t cp;
            if (tm_utf8_decode((const unsigned char *)t + s, n - s, &cp) && cp >= 0xC0 &&
                cp <= 0xDE && cp != 0xD7)
                x->cap = 1;
        }
        x->allcaps = upper >= 2 && upper <= 4 && !lower && !other && x->e - s == (size_t)upper;
        x->single = upper == 1 && x->e - s == 1;
    }
    *count = k;
    return w;
}

/* Only spaces (at least one) between words a and b; with `dot`, a full stop
 * may come first ("J. Smith", "Mr. Patel"). */
static int adjacent(const char *t, const word *a, const word *b, int dot)
{
    size_t i = a->full;
    if (dot && i < b->s && t[i] == '.') i++;
    if (i >= b->s) return 0;
    for (; i < b->s; i++)
        if (t[i] != ' ' && t[i] != '\t') return 0;
    return 1;
}

/* The lower-cased words from..to joined by single spaces. */
static void join_low(tm_buf *b, const word *w, size_t from, size_t to)
{
    for (size_t i = from; i <= to; i++) {
        if (i > from) tm_buf_append(b, " ", 1);
        tm_buf_puts(b, w[i].low);
    }
}

/* Marks words inside regex-matched place and organisation spans. */
static int protect_regex(const tm_redactor *r, const char *t, size_t n, word *w, size_t nw)
{
    if (!r->nre) return TM_OK;
    pcre2_match_data *md = pcre2_match_data_create(16, NULL);
    if (!md) return TM_ENOMEM;
    for (size_t k = 0; k < r->nre; k++) {
        PCRE2_SIZE at = 0;
        while (at <= n) {
            int rc = pcre2_match(r->re[k], (PCRE2_SPTR)t, n, at, 0, md, NULL);
            if (rc < 0) break; /* no match, or a limit: nothing protected */
            PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
            size_t s = ov[0], e = ov[1];
            if (rc > 1 && ov[2] != PCRE2_UNSET) {
                s = ov[2];
                e = ov[3];
            }
            for (size_t i = 0; i < nw; i++)
                if (w[i].s >= s && w[i].e <= e && w[i].s < e) w[i].prot = 1;
            at = ov[1] > ov[0] ? ov[1] : ov[0] + 1;
        }
    }
    pcre2_match_data_free(md);
    return TM_OK;
}

/* Length in words of a title starting at word i (0 if none). */
static size_t title_at(const tm_redactor *r, const char *t, const word *w, size_t nw, size_t i)
{
    for (size_t len = 3; len >= 1; len--) {
        if (i + len > nw) continue;
        tm_buf b;
        tm_buf_init(&b);
        for (size_t k = i; k < i + len; k++) {
            if (k > i) {
                if (!adjacent(t, &w[k - 1], &w[k], 1)) break;
                tm_buf_append(&b, " ", 1);
            }
            tm_buf_append(&b, t + w[k].s, w[k].e - w[k].s);
        }
        int hit = b.p && json_object_get(r->titles, b.p) != NULL;
        tm_buf_dispose(&b);
        if (hit) return len;
    }
    return 0;
}

static const char *speaker_role(const tm_redact_speaker *sp, size_t nsp, const char *t,
                                const word *x, int *found)
{
    *found = 0;
    for (size_t i = 0; i < nsp; i++) {
        const char *in = sp[i].initials;
        size_t n = in ? strlen(in) : 0;
        /* "BW" and "BW's" */
        if (n >= 2 && (n == x->full - x->s || n == x->e - x->s) && !memcmp(in, t + x->s, n)) {
            *found = 1;
            return sp[i].role;
        }
    }
    return NULL;
}

int tm_redact_text(char **out, const tm_redactor *r, const char *text,
                   const tm_redact_speaker *speakers, size_t nsp, tm_err *err)
{
    *out = NULL;
    size_t n = strlen(text), nw = 0;
    word *w = split(text, n, &nw);
    tm_buf b;
    tm_buf_init(&b);
    if (!w) return tm_err_set(err, TM_ENOMEM, "redact: out of memory");
    if (protect_regex(r, text, n, w, nw) != TM_OK) goto oom;

    /* classes, and multi-word lexicon phrases (longest first) */
    for (size_t i = 0; i < nw; i++) {
        const char *c = json_string_value(json_object_get(r->words, w[i].low));
        w[i].cls = in_list(stop_words, w[i].low) ? STOP
                   : c && !strcmp(c, "C")        ? KNOWN
                   : c                           ? PLACE
                                                 : UNKNOWN;
    }
    for (size_t i = 0; i < nw; i++) {
        if (!w[i].cap) continue;
        for (size_t len = r->max_words; len >= 2; len--) {
            if (i + len > nw) continue;
            size_t k;
            for (k = i + 1; k < i + len; k++)
                if (!adjacent(text, &w[k - 1], &w[k], 0)) break;
            if (k < i + len) continue;
            tm_buf key;
            tm_buf_init(&key);
            join_low(&key, w, i, i + len - 1);
            int hit = key.p && json_object_get(r->phrases, key.p) != NULL;
            if (key.oom) b.oom = 1;
            tm_buf_dispose(&key);
            if (hit) {
                for (k = i; k < i + len; k++)
                    w[k].prot = 1;
                break;
            }
        }
    }

    /* 1. person titles: the capitalised words after them are a name */
    for (size_t i = 0; i < nw; i++) {
        if (!w[i].cap || w[i].act) continue;
        size_t tl = title_at(r, text, w, nw, i);
        if (!tl) continue;
        size_t k = i + tl;
        if (k >= nw || !w[k].cap || !adjacent(text, &w[k - 1], &w[k], 1) || w[k].cls == STOP)
            continue;
        w[k].act = NAME;
        for (size_t t = i; t < i + tl; t++)
            w[t].title = 1; /* "PC Smith": PC is no speaker */
        for (k++; k < i + tl + 3 && k < nw; k++) {
            if (!w[k].cap || !adjacent(text, &w[k - 1], &w[k], 1) || w[k].prot) break;
            if (w[k].cls != UNKNOWN && w[k].cls != PLACE && !w[k].single) break;
            w[k].act = NAME;
        }
        i = k - 1;
    }
    /* 2. the document's speaker initials become the speaker's role */
    for (size_t i = 0; i < nw; i++) {
        if (w[i].act || w[i].title) continue;
        int found;
        const char *role = speaker_role(speakers, nsp, text, &w[i], &found);
        if (found) {
            w[i].act = ROLE;
            w[i].role = role;
        }
    }
    /* 3. initials next to a speech verb, right to left so that "AB and CD
     * said" marks both */
    for (size_t i = nw; i-- > 0;) {
        if (!w[i].allcaps || w[i].act || w[i].cls == KNOWN || w[i].cls == STOP || w[i].prot)
            continue;
        int by = 0;
        if (i + 1 < nw &&
            (in_list(speech_verbs, w[i + 1].low) || in_list(initials_followers, w[i + 1].low)))
            by = 1;
        if (i + 2 < nw && !strcmp(w[i + 1].low, "and") && w[i + 2].act) by = 1;
        if (i > 0 && in_list(initials_leaders, w[i - 1].low)) by = 1;
        if (by) w[i].act = NAME;
    }
    /* 4. runs of capitalised words */
    for (size_t i = 0; i < nw; i++) {
        if (!w[i].cap || w[i].act || w[i].prot) continue;
        size_t j = i;
        while (j + 1 < nw && w[j + 1].cap && !w[j + 1].act && !w[j + 1].prot &&
               adjacent(text, &w[j], &w[j + 1], w[j].single))
            j++;
        size_t s = i;
        while (s <= j && (w[s].cls == STOP || w[s].cls == KNOWN) && !w[s].single)
            s++;
        if (s <= j) {
            size_t unknown = 0, other = 0;
            for (size_t k = s; k <= j; k++) {
                if (w[k].cls == UNKNOWN || w[k].single)
                    unknown++;
                else if (w[k].cls != PLACE)
                    other++;
            }
            int name = 0;
            if (j > s && unknown && !other) name = 1;
            if (j == s && w[s].cls == UNKNOWN && !w[s].allcaps && j + 1 < nw &&
                in_list(speech_verbs, w[j + 1].low) && adjacent(text, &w[j], &w[j + 1], 0))
                name = 1;
            if (name)
                for (size_t k = s; k <= j; k++)
                    w[k].act = NAME;
        }
        i = j;
    }

    /* the text with marked words replaced; neighbouring names merge */
    size_t at = 0;
    for (size_t i = 0; i < nw; i++) {
        if (!w[i].act) continue;
        size_t j = i;
        if (w[i].act == NAME)
            while (j + 1 < nw && w[j + 1].act == NAME && adjacent(text, &w[j], &w[j + 1], 1))
                j++;
        tm_buf_append(&b, text + at, w[i].s - at);
        if (w[i].act == ROLE && w[i].role && *w[i].role) {
            tm_buf_append(&b, "[", 1);
            tm_buf_puts(&b, w[i].role);
            tm_buf_append(&b, "]", 1);
        } else {
            tm_buf_puts(&b, "[name]");
        }
        at = w[j].e; /* a possessive 's stays: "[Youth Worker]'s talk" */
        i = j;
    }
    tm_buf_append(&b, text + at, n - at);
    if (b.oom) goto oom;
    tm_free(w);
    *out = b.p ? b.p : tm_strndup("", 0);
    return *out ? TM_OK : tm_err_set(err, TM_ENOMEM, "redact: out of memory");
oom:
    tm_free(w);
    tm_buf_dispose(&b);
    return tm_err_set(err, TM_ENOMEM, "redact: out of memory");
}

/* ------------------------------------------------------------ reports */

void tm_redact_doc_label(char *out, size_t cap, const char *kind, const char *date)
{
    const char *k = !kind                      ? "Document"
                    : !strcmp(kind, "minutes") ? "Minutes"
                    : !strcmp(kind, "report")  ? "Report"
                                               : "Document";
    snprintf(out, cap, "%s %s", k, date && *date ? date : "undated");
}

int tm_redact_docs_load(json_t **out, tm_store *st, tm_err *err)
{
    *out = NULL;
    sqlite3 *db = tm_store_db(st);
    sqlite3_stmt *q = NULL;
    json_t *docs = json_object();
    int rc = TM_OK;
    if (!docs) return tm_err_set(err, TM_ENOMEM, "redact: out of memory");
    static const char sql[] =
        "SELECT d.path, d.kind, coalesce(d.date, d.period_date), k.initials, k.role"
        " FROM documents d LEFT JOIN speakers k ON k.doc_id = d.id ORDER BY d.id, k.idx";
    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK) goto dberr;
    int step;
    while ((step = sqlite3_step(q)) == SQLITE_ROW) {
        const char *path = (const char *)sqlite3_column_text(q, 0);
        if (!path) continue;
        json_t *d = json_object_get(docs, path);
        if (!d) {
            const char *kind = (const char *)sqlite3_column_text(q, 1);
            const char *date = (const char *)sqlite3_column_text(q, 2);
            char label[96];
            tm_redact_doc_label(label, sizeof label, kind, date);
            d = json_object();
            if (!d || json_object_set_new(docs, path, d) ||
                json_object_set_new(d, "label", json_string(label)) ||
                json_object_set_new(d, "kind", json_string(kind ? kind : "other")) ||
                json_object_set_new(d, "date", date ? json_string(date) : json_null()) ||
                json_object_set_new(d, "speakers", json_object()))
                goto oom;
        }
        const char *ini = (const char *)sqlite3_column_text(q, 3);
        const char *role = (const char *)sqlite3_column_text(q, 4);
        if (ini && *ini &&
            json_object_set_new(json_object_get(d, "speakers"), ini,
                                role ? json_string(role) : json_null()))
            goto oom;
    }
    if (step != SQLITE_DONE) goto dberr;
    sqlite3_finalize(q);
    *out = docs;
    return TM_OK;
dberr:
    rc = tm_err_set(err, TM_EDB, "%s: reading documents for redaction: %s",
                    sqlite3_db_filename(db, "main"), sqlite3_errmsg(db));
    sqlite3_finalize(q);
    json_decref(docs);
    return rc;
oom:
    sqlite3_finalize(q);
    json_decref(docs);
    return tm_err_set(err, TM_ENOMEM, "redact: out of memory");
}

typedef struct walk {
    const tm_redactor *r;
    const json_t *docs;
    tm_redact_speaker *all; /* every stored speaker, for text without a doc */
    size_t nall;
    tm_err *err;
} walk;

/* The speakers of a document as an array; owned, *n entries. */
static tm_redact_speaker *speakers_of(const json_t *doc, size_t *n)
{
    const json_t *sp = json_object_get(doc, "speakers");
    *n = 0;
    tm_redact_speaker *v = tm_calloc(json_object_size(sp) + 1, sizeof *v);
    if (!v) return NULL;
    const char *k;
    json_t *role;
    json_object_foreach((json_t *)sp, k, role)
    {
        v[*n].initials = k;
        v[*n].role = json_string_value(role);
        (*n)++;
    }
    return v;
}

static int redact_member(walk *w, json_t *obj, const char *key, const tm_redact_speaker *sp,
                         size_t nsp)
{
    json_t *v = json_object_get(obj, key);
    if (!json_is_string(v)) return TM_OK;
    char *red = NULL;
    int rc = tm_redact_text(&red, w->r, json_string_value(v), sp, nsp, w->err);
    if (rc != TM_OK) return rc;
    rc = json_object_set_new(obj, key, json_string(red)) ? TM_ENOMEM : TM_OK;
    tm_free(red);
    return rc;
}

static int walk_value(walk *w, json_t *v);

static int walk_object(walk *w, json_t *obj)
{
    static const char *const drop[] = {"speaker", "initials", "speaker_initials",
                                       "path",    "file",     NULL};
    for (size_t i = 0; drop[i]; i++)
        json_object_del(obj, drop[i]);
    const tm_redact_speaker *sp = w->all;
    size_t nsp = w->nall;
    tm_redact_speaker *own = NULL;
    json_t *doc = json_object_get(obj, "doc");
    if (json_is_string(doc)) {
        const json_t *d = json_object_get(w->docs, json_string_value(doc));
        if (d) {
            own = speakers_of(d, &nsp);
            if (!own) return TM_ENOMEM;
            sp = own;
            if (json_object_set(obj, "doc", json_object_get(d, "label"))) goto oom;
        } else {
            /* not a stored path: keep only what cannot be a path */
            const char *s = json_string_value(doc), *slash = strrchr(s, '/');
            if (slash && json_object_set_new(obj, "doc", json_string(slash + 1))) goto oom;
        }
    }
    static const char *const texts[] = {"text", "section", "event", "title", NULL};
    for (size_t i = 0; texts[i]; i++)
        if (redact_member(w, obj, texts[i], sp, nsp) != TM_OK) goto oom;
    tm_free(own);
    own = NULL;
    json_t *docs = json_object_get(obj, "documents");
    if (json_is_array(docs)) {
        size_t i;
        json_t *e;
        json_array_foreach(docs, i, e)
        {
            if (!json_is_string(e)) continue;
            const json_t *d = json_object_get(w->docs, json_string_value(e));
            const char *s = json_string_value(e), *slash = strrchr(s, '/');
            json_t *nv =
                d ? json_incref(json_object_get(d, "label")) : json_string(slash ? slash + 1 : s);
            if (json_array_set_new(docs, i, nv)) return TM_ENOMEM;
        }
    }
    const char *k;
    json_t *x;
    json_object_foreach(obj, k, x)
    {
        if (!strcmp(k, "documents")) continue;
        int rc = walk_value(w, x);
        if (rc != TM_OK) return rc;
    }
    return TM_OK;
oom:
    tm_free(own);
    return TM_ENOMEM;
}

static int walk_value(walk *w, json_t *v)
{
    if (json_is_object(v)) return walk_object(w, v);
    if (json_is_array(v)) {
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e)
        {
            int rc = walk_value(w, e);
            if (rc != TM_OK) return rc;
        }
    }
    return TM_OK;
}

int tm_redact_report(json_t *report, const tm_redactor *r, const json_t *docs, tm_err *err)
{
    walk w = {r, docs, NULL, 0, err};
    /* every stored speaker, for texts that do not say their document */
    size_t cap = 1;
    const char *k;
    json_t *d;
    json_object_foreach((json_t *)docs, k, d) cap +=
        json_object_size(json_object_get(d, "speakers"));
    w.all = tm_calloc(cap, sizeof *w.all);
    if (!w.all) return tm_err_set(err, TM_ENOMEM, "redact: out of memory");
    json_object_foreach((json_t *)docs, k, d)
    {
        const char *ini;
        json_t *role;
        json_object_foreach(json_object_get(d, "speakers"), ini, role)
        {
            /* the same initials may be different people: no role then */
            size_t i;
            for (i = 0; i < w.nall; i++)
                if (!strcmp(w.all[i].initials, ini)) break;
            if (i < w.nall) {
                if (w.all[i].role &&
                    (!json_string_value(role) || strcmp(w.all[i].role, json_string_value(role))))
                    w.all[i].role = NULL;
                continue;
            }
            w.all[w.nall].initials = ini;
            w.all[w.nall].role = json_string_value(role);
            w.nall++;
        }
    }
    int rc = walk_value(&w, report);
    tm_free(w.all);
    if (rc == TM_ENOMEM && (!err || !err->code))
        return tm_err_set(err, TM_ENOMEM, "redact: out of memory redacting the report");
    return rc;
}

int tm_redact_report_from_store(json_t *report, tm_store *st, const tm_lexicon *lex, tm_err *err)
{
    tm_redactor *r = NULL;
    json_t *docs = NULL;
    int rc = tm_redactor_new(&r, lex, err);
    if (rc == TM_OK) rc = tm_redact_docs_load(&docs, st, err);
    if (rc == TM_OK) rc = tm_redact_report(report, r, docs, err);
    json_decref(docs);
    tm_redactor_free(r);
    return rc;
}
