/*
 * segment.c: lines -> metadata, attendee table, sections, paragraphs,
 * sentences and speakers.
 *
 * Minutes are written in a few stable shapes (numbered items, "AB said
 * that...", an initials/role table), so the rules here are about those
 * shapes, never about particular words of particular documents. Word lists
 * below are English grammar (speech verbs, abbreviations, titles), not
 * domain vocabulary, which lives in lexicons/.
 */
#include "tm/segment.h"
#include "tm/dates.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef enum line_kind {
    L_BLANK = 0,
    L_TEXT,
    L_HEADING,
    L_META,
    L_TABLE,
    L_TABLE_HEADER
} line_kind;

typedef struct linfo {
    uint32_t s, e; /* content without indentation, list markers or trailing blanks */
    line_kind kind;
    int item; /* starts with a list marker */
    int md;   /* was a Markdown heading (#) or a bold-only line */
    int words;
} linfo;

/* Words after which a full stop does not end a sentence. */
static const char *const abbreviations[] = {
    "cllr", "mr",   "mrs",  "ms",  "dr",  "st",   "no",   "nos", "vs",   "approx", "dept", "insp",
    "sgt",  "supt", "det",  "ch",  "rev", "revd", "prof", "fig", "para", "ref",    "tel",  "jan",
    "feb",  "apr",  "jun",  "jul", "aug", "sep",  "sept", "oct", "nov",  "dec",    "co",   "inc",
    "cf",   "al",   "govt", "est", "min", "max",  "vol",  "pp",  "etc",  "ltd",    "cst",  "pc",
    "pcso", "dc",   "ds",   "di",  "dci", "supt", "mt",   "rd",  "ave",  "sq",     "hr",   "hrs",
    "wk",   "yr",   "yrs",  "mth", "am",  "pm",   NULL};

/* Verbs that follow a speaker's initials or name in minutes. */
static const char *const speech_verbs[] = {
    "said",       "says",        "say",         "reported",   "reports",    "stated",
    "explained",  "spoke",       "discussed",   "mentioned",  "asked",      "questioned",
    "expressed",  "highlighted", "noted",       "added",      "confirmed",  "advised",
    "informed",   "suggested",   "welcomed",    "thanked",    "read",       "provided",
    "gave",       "agreed",      "raised",      "updated",    "commented",  "replied",
    "responded",  "proposed",    "put",         "presented",  "outlined",   "described",
    "felt",       "feels",       "emphasised",  "emphasized", "stressed",   "acknowledged",
    "queried",    "requested",   "recommended", "shared",     "talked",     "announced",
    "offered",    "introduced",  "summarised",  "summarized", "reiterated", "pointed",
    "believes",   "believed",    "wanted",      "wants",      "would",      "will",
    "circulated", "delivered",   "led",         "opened",     "closed",     "chaired",
    "indicated",  "clarified",   "urged",       "invited",    "encouraged", "praised",
    "voiced",     "concluded",   "observed",    "recognised", "argued",     "warned",
    "challenged", "sought",      "undertook",   "agreed",     "declared",   "remarked",
    "told",       "feels",       "thinks",      "thought",    "has",        "had",
    "is",         "was",         "can",         "could",      "gave",       "talks",
    "speaks",     "explains",    "mentions",    "asks",       "notes",      "highlights",
    "discusses",  "welcomes",    "thanks",      "updates",    "confirms",   "advises",
    "informs",    "suggests",    "expresses",   "questions",  "raises",     "states",
    NULL};

/* Titles before a person's name ("Cllr Jones said"). */
static const char *const person_titles[] = {
    "cllr", "councillor", "mr",   "mrs",  "ms",        "miss",           "dr", "insp", "inspector",
    "sgt",  "sergeant",   "pc",   "pcso", "supt",      "superintendent", "dc", "ds",   "di",
    "dci",  "rev",        "revd", "prof", "professor", "chief",          "ch", NULL};

/* Short words after which a paragraph broken by a blank line goes on. */
static const char *const joining_words[] = {"and", "or",   "the", "to",  "of",   "in",   "a",
                                            "an",  "with", "for", "but", "that", "on",   "at",
                                            "by",  "from", "as",  "nor", "than", "into", NULL};

static int in_list(const char *const *list, const char *w, size_t n)
{
    for (size_t i = 0; list[i]; i++)
        if ((list[i][0] | 0x20) == (w[0] | 0x20) && strlen(list[i]) == n &&
            strncasecmp(list[i], w, n) == 0)
            return 1;
    return 0;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n';
}

static int is_upper(char c)
{
    return c >= 'A' && c <= 'Z';
}

static int is_lower(char c)
{
    return c >= 'a' && c <= 'z';
}

static int is_alpha(char c)
{
    return is_upper(c) || is_lower(c);
}

/* Whether one of the eight bytes at p is '.', '!' or '?' (a byte is zero
 * after the xor exactly when it matches; the test for a zero byte has no
 * false answers about whether there is one). */
static int has_stop8(const char *p)
{
    uint64_t x;
    memcpy(&x, p, 8);
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    uint64_t a = x ^ (ones * '.'), b = x ^ (ones * '!'), c = x ^ (ones * '?');
    return (((a - ones) & ~a) | ((b - ones) & ~b) | ((c - ones) & ~c)) & highs ? 1 : 0;
}

/* The high bit of each of the eight bytes at p that is a blank of is_space
 * (exact per byte, unlike the zero-byte test of has_stop8: no borrows). */
static uint64_t space8(const char *p)
{
    uint64_t x;
    memcpy(&x, p, 8);
    const uint64_t ones = 0x0101010101010101u, lows = 0x7F7F7F7F7F7F7F7Fu;
    uint64_t a = x ^ (ones * ' '), b = x ^ (ones * '\t'), c = x ^ (ones * '\n');
    a = ~(((a & lows) + lows) | a);
    b = ~(((b & lows) + lows) | b);
    c = ~(((c & lows) + lows) | c);
    return (a | b | c) & ~lows;
}

/* The high bit of each of the eight bytes of x that is `c` (exact per
 * byte: the additions stay within each byte). */
static uint64_t byte_is8(uint64_t x, unsigned char c)
{
    const uint64_t lows = 0x7F7F7F7F7F7F7F7Fu;
    x ^= 0x0101010101010101u * c;
    return ~(((x & lows) + lows) | x) & ~lows;
}

/* Whether "next meeting" may start at one of p[0..7]: an 'n' (either case)
 * with an 'm' (either case) five bytes on, as the byte test in the loop
 * asks. Reads p[0..12]. */
static int next_meeting8(const char *p)
{
    uint64_t a, b;
    const uint64_t fold = 0x2020202020202020u;
    memcpy(&a, p, 8);
    memcpy(&b, p + 5, 8);
    return (byte_is8(a | fold, 'n') & byte_is8(b | fold, 'm')) != 0;
}

/* Counts words (runs of non-blanks) in t[s..e). */
static int count_words(const char *t, uint32_t s, uint32_t e)
{
    int n = 0, in = 0;
    /* eight bytes at a time: a word starts at a non-blank after a blank
     * (or at s); every line and paragraph is counted, and the byte loop
     * was a third of tm_segment_doc's own time */
    uint64_t before = 0x80; /* the byte before s counts as a blank */
    uint32_t i = s;
    for (; i < e && e - i >= 8; i += 8) {
        uint64_t sp = space8(t + i);
        uint64_t starts = ~sp & 0x8080808080808080u & (sp << 8 | before);
        n += (int)(((starts >> 7) * 0x0101010101010101u) >> 56); /* the bytes set */
        before = sp >> 56;
    }
    in = !before;
    for (; i < e; i++) {
        if (is_space(t[i]))
            in = 0;
        else if (!in)
            in = 1, n++;
    }
    return n;
}

static void scan_lines(tm_doc *doc, linfo *li)
{
    const char *t = doc->text;
    for (size_t i = 0; i < doc->lines.n; i++) {
        tm_line *l = &doc->lines.v[i];
        uint32_t s = l->off, e = l->end;
        /* markers that were blanked still show in the raw bytes */
        size_t r, rend;
        const unsigned char *raw = tm_doc_marked(doc, s, &r);
        tm_doc_marked(doc, e, &rend);
        while (r < rend && (raw[r] == ' ' || raw[r] == '\t' || raw[r] == 0))
            r++;
        if (r < rend) {
            li[i].md = raw[r] == '#' || (raw[r] == '*' && rend - r > 4 && raw[r + 1] == '*' &&
                                         raw[rend - 1] == '*' && raw[rend - 2] == '*');
            li[i].item = raw[r] == 0xE2 || raw[r] == 0xEF; /* ➤ • and Word's bullets */
        }
        while (s < e && is_space(t[s]))
            s++;
        if (s + 1 < e && (t[s] == '-' || t[s] == '*' || t[s] == '+') &&
            (t[s + 1] == ' ' || t[s + 1] == '\t')) {
            li[i].item = 1;
            s += 2;
            while (s < e && is_space(t[s]))
                s++;
        }
        while (e > s && (is_space(t[e - 1])))
            e--;
        /* trailing decoration such as a lone '*' left from "*text*" */
        while (e > s && t[e - 1] == '*')
            e--;
        li[i].s = s;
        li[i].e = e;
        li[i].kind = s == e ? L_BLANK : L_TEXT;
        li[i].words = count_words(t, s, e);
    }
}

/* "3.", "3.1", "10" followed by a short title: a numbered heading. Writes the
 * number's end and the title's start. */
static int numbered_heading(const char *t, uint32_t s, uint32_t e, uint32_t *num_end,
                            uint32_t *title_start)
{
    uint32_t i = s;
    int groups = 0;
    while (i < e && groups < 4) {
        uint32_t d = i;
        while (i < e && isdigit((unsigned char)t[i]) && i - d < 3)
            i++;
        if (i == d) return 0;
        groups++;
        if (i < e && t[i] == '.' && i + 1 < e && isdigit((unsigned char)t[i + 1])) {
            i++;
            continue;
        }
        break;
    }
    *num_end = i;
    if (i < e && t[i] == '.') i++;
    if (i >= e || !(t[i] == ' ' || t[i] == '\t')) return 0;
    while (i < e && is_space(t[i]))
        i++;
    if (i >= e || !(is_upper(t[i]) || (unsigned char)t[i] >= 0x80)) return 0;
    int words = count_words(t, i, e);
    if (words > 12) return 0;
    /* a numbered sentence ends with a full stop; a heading does not */
    if (t[e - 1] == '.' && words > 2) return 0;
    *title_start = i;
    return 1;
}

/* "DATE:", "Report Author:", "LOCATION:" — a short label of capitalised
 * words (small joining words allowed) and a colon. "MT said:" is not one. */
static int meta_label(const char *t, uint32_t s, uint32_t e, uint32_t *colon)
{
    static const char *const small[] = {"of", "and", "for", "the", "by", "to", "in", NULL};
    if (s >= e || !is_upper(t[s])) return 0;
    int words = 0;
    uint32_t i = s;
    while (i < e && i < s + 48) {
        if (t[i] == ':') {
            *colon = i;
            return words >= 1 && words <= 4;
        }
        if (t[i] == ' ') {
            i++;
            continue;
        }
        uint32_t w = i;
        while (i < e && (is_alpha(t[i]) || t[i] == '&' || t[i] == '/' || t[i] == '\''))
            i++;
        if (i == w || (i < e && t[i] != ' ' && t[i] != ':')) return 0;
        if (!is_upper(t[w]) && t[w] != '&' && !in_list(small, t + w, i - w)) return 0;
        words++;
    }
    return 0;
}

/* An attendee row: initials, a separator, a role. Returns the role start. */
static int table_row(const char *t, uint32_t s, uint32_t e, int loose, uint32_t *ini_end,
                     uint32_t *role_start)
{
    uint32_t i = s;
    while (i < e && i - s < 5 && (is_upper(t[i]) || (i > s && isdigit((unsigned char)t[i]))))
        i++;
    if (i - s < 2 || i - s > 4 || i >= e) return 0;
    *ini_end = i;
    uint32_t sep = i;
    int tab = 0, spaces = 0, dash = 0;
    while (i < e && (t[i] == ' ' || t[i] == '\t' || t[i] == '-' || t[i] == ':' ||
                     ((unsigned char)t[i] == 0xE2 && i + 2 < e && (unsigned char)t[i + 1] == 0x80 &&
                      ((unsigned char)t[i + 2] == 0x93 || (unsigned char)t[i + 2] == 0x94)))) {
        if (t[i] == '\t')
            tab = 1;
        else if (t[i] == ' ')
            spaces++;
        else
            dash = 1;
        i += (unsigned char)t[i] == 0xE2 ? 3 : 1;
    }
    if (i == sep || i >= e) return 0;
    if (!(tab || spaces >= 2 || dash || loose)) return 0;
    if (!(is_upper(t[i]) || t[i] == '&' || (unsigned char)t[i] >= 0x80)) return 0;
    /* "AB – discussed ..." is speech, not a row: a role has no lower-case verb first */
    *role_start = i;
    return 1;
}

static int header_row(const char *t, uint32_t s, uint32_t e)
{
    uint32_t i = s;
    while (i < e && is_alpha(t[i]))
        i++;
    size_t n = i - s;
    return (n == 4 && !strncasecmp(t + s, "init", 4)) ||
           (n == 5 && !strncasecmp(t + s, "inits", 5)) ||
           (n == 8 && !strncasecmp(t + s, "initials", 8));
}

static int find_speaker(tm_doc *doc, const char *name, size_t n)
{
    for (size_t i = 0; i < doc->speakers.n; i++)
        if (strlen(doc->speakers.v[i].initials) == n &&
            memcmp(doc->speakers.v[i].initials, name, n) == 0)
            return (int)i;
    return -1;
}

static int add_speaker(tm_doc *doc, const char *name, size_t n, const char *role, size_t rn,
                       int in_table)
{
    int i = find_speaker(doc, name, n);
    if (i >= 0) {
        /* a repeated initial keeps its first role */
        if (in_table && !doc->speakers.v[i].role && role)
            doc->speakers.v[i].role = tm_arena_strndup(&doc->arena, role, rn);
        doc->speakers.v[i].in_table |= in_table;
        return i;
    }
    tm_speaker *sp = TM_VEC_PUSH(&doc->arena, doc->speakers);
    if (!sp) return -1;
    sp->initials = tm_arena_strndup(&doc->arena, name, n);
    sp->role = role ? tm_arena_strndup(&doc->arena, role, rn) : NULL;
    sp->in_table = in_table;
    return (int)(doc->speakers.n - 1);
}

static void find_table(tm_doc *doc, linfo *li)
{
    const char *t = doc->text;
    size_t n = doc->lines.n;
    for (size_t i = 0; i < n; i++) {
        if (li[i].kind != L_TEXT) continue;
        int header = header_row(t, li[i].s, li[i].e);
        size_t j = header ? i + 1 : i, rows = 0, last = i;
        uint32_t ie, rs;
        for (; j < n; j++) {
            if (li[j].kind == L_BLANK) continue;
            if (li[j].kind != L_TEXT || !table_row(t, li[j].s, li[j].e, header, &ie, &rs)) break;
            /* "AB said that ..." is speech even in a run of rows */
            uint32_t w = rs;
            while (w < li[j].e && is_alpha(t[w]))
                w++;
            if (in_list(speech_verbs, t + rs, w - rs) && !is_upper(t[rs + 1]) && rs + 1 < w &&
                is_lower(t[rs + 1]) && li[j].words > 4)
                break;
            rows++;
            last = j;
        }
        if (rows >= 3 || (header && rows >= 1)) {
            if (header) li[i].kind = L_TABLE_HEADER;
            for (size_t k = header ? i + 1 : i; k <= last; k++) {
                if (li[k].kind == L_BLANK) continue;
                table_row(t, li[k].s, li[k].e, header, &ie, &rs);
                li[k].kind = L_TABLE;
                add_speaker(doc, t + li[k].s, ie - li[k].s, t + rs, li[k].e - rs, 1);
            }
            i = last;
        }
    }
}

static void clean_title(const char *t, uint32_t *s, uint32_t *e)
{
    uint32_t a = *s, b = *e;
    /* "Chairs Report: IAG Chair" -> "Chairs Report" */
    for (uint32_t i = a; i < b; i++) {
        if (t[i] == ':') {
            b = i;
            break;
        }
    }
    while (b > a && (is_space(t[b - 1]) || t[b - 1] == '*' || t[b - 1] == ':' || t[b - 1] == '-'))
        b--;
    while (a < b && (is_space(t[a]) || t[a] == '*'))
        a++;
    *s = a;
    *e = b;
}

static int add_section(tm_doc *doc, uint32_t off, const char *num, size_t num_n, uint32_t ts,
                       uint32_t te, int level)
{
    tm_section *sec = TM_VEC_PUSH(&doc->arena, doc->sections);
    if (!sec) return -1;
    clean_title(doc->text, &ts, &te);
    sec->off = off;
    sec->end = (uint32_t)doc->text_len;
    sec->number = tm_arena_strndup(&doc->arena, num, num_n);
    sec->title = tm_arena_strndup(&doc->arena, doc->text + ts, te - ts);
    sec->title_off = ts;
    sec->title_end = te;
    sec->level = level;
    sec->parent = -1;
    size_t me = doc->sections.n - 1;
    if (me > 0) doc->sections.v[me - 1].end = off;
    for (size_t k = me; k-- > 0;) {
        if (doc->sections.v[k].level < level) {
            sec->parent = (int)k;
            break;
        }
    }
    return (int)me;
}

static int push_sentence(tm_doc *doc, uint32_t s, uint32_t e, int section, int para, uint32_t flags)
{
    const char *t = doc->text;
    while (s < e && is_space(t[s]))
        s++;
    while (e > s && is_space(t[e - 1]))
        e--;
    if (s == e) return 0;
    tm_sentence *st = TM_VEC_PUSH(&doc->arena, doc->sentences);
    if (!st) return -1;
    st->off = s;
    st->end = e;
    st->section = section;
    st->paragraph = para;
    st->speaker = -1;
    st->flags = flags;
    return 0;
}

/* 1 if the full stop at t[dot] ends a sentence given what follows at t[next]. */
static int full_stop_ends(const char *t, uint32_t start, uint32_t dot)
{
    uint32_t w = dot;
    while (w > start && is_alpha(t[w - 1]))
        w--;
    size_t wl = dot - w;
    if (wl == 0) return 1;
    if (in_list(abbreviations, t + w, wl)) return 0;
    if (wl == 1 && is_upper(t[w])) return 0;    /* an initial: "J. Smith" */
    if (w > start && t[w - 1] == '.') return 0; /* "e.g.", "a.m." */
    return 1;
}

/* 1 if t[start..dot) is only a paragraph number such as "2" or "3.1". */
/* "1.2 Tensions rose ..." in a report: the paragraph number is a marker, not
 * part of the first sentence (like "- " before a list item). */
static void skip_paragraph_number(const char *t, linfo *l)
{
    uint32_t i = l->s;
    while (i < l->e && (isdigit((unsigned char)t[i]) || t[i] == '.'))
        i++;
    if (i == l->s || i - l->s > 8 || !isdigit((unsigned char)t[l->s]) || i >= l->e ||
        (t[i] != ' ' && t[i] != '\t'))
        return;
    uint32_t j = i;
    while (j < l->e && (t[j] == ' ' || t[j] == '\t'))
        j++;
    /* "1.2 Tensions", not "2 men were arrested" */
    if (j < l->e && is_upper(t[j]) && memchr(t + l->s, '.', i - l->s)) {
        l->s = j;
        l->item = 1;
    }
}

static int paragraph_number(const char *t, uint32_t start, uint32_t dot)
{
    while (start < dot && is_space(t[start]))
        start++;
    if (dot <= start || dot - start > 6 || !isdigit((unsigned char)t[start])) return 0;
    for (uint32_t i = start; i < dot; i++)
        if (!isdigit((unsigned char)t[i]) && t[i] != '.') return 0;
    return 1;
}

static void split_paragraph(tm_doc *doc, const linfo *li, size_t l0, size_t l1, int section,
                            int para)
{
    const char *t = doc->text;
    uint32_t start = li[l0].s;
    for (size_t l = l0; l < l1; l++) {
        if (li[l].kind == L_BLANK) continue;
        uint32_t s = li[l].s, e = li[l].e;
        /* a sentence that starts on this line starts after its list marker */
        if (start < s) {
            uint32_t q = start;
            while (q < s && is_space(t[q]))
                q++;
            if (q >= doc->lines.v[l].off) start = s;
        }
        for (uint32_t i = s; i < e; i++) {
            while (i + 8 <= e && !has_stop8(t + i)) /* most bytes: eight at a time */
                i += 8;
            if (i >= e) break;
            char c = t[i];
            if (c != '.' && c != '!' && c != '?') continue;
            uint32_t j = i + 1;
            while (j < e &&
                   (t[j] == '"' || t[j] == '\'' || t[j] == ')' || t[j] == ']' ||
                    ((unsigned char)t[j] == 0xE2 && j + 2 < e && (unsigned char)t[j + 1] == 0x80 &&
                     ((unsigned char)t[j + 2] == 0x9D || (unsigned char)t[j + 2] == 0x99))))
                j += (unsigned char)t[j] == 0xE2 ? 3 : 1;
            if (j < e && !is_space(t[j])) continue;
            uint32_t k = j;
            while (k < e && is_space(t[k]))
                k++;
            if (k < e && (is_lower(t[k]) || t[k] == ',' || t[k] == ';')) continue;
            if (c == '.' && k < e && !full_stop_ends(t, start, i)) continue;
            if (c == '.' && paragraph_number(t, start, i)) {
                /* "2. Members noted ...": the number is a marker, like "- " */
                start = k;
                i = k ? k - 1 : k;
                continue;
            }
            push_sentence(doc, start, j, section, para, 0);
            start = k;
            i = k ? k - 1 : k;
        }
        /* a line break ends a sentence after a list item or a short label-like line */
        size_t nx = l + 1;
        while (nx < l1 && li[nx].kind == L_BLANK)
            nx++;
        if (nx < l1 && start < e) {
            char last = t[e - 1];
            int ends = last == '.' || last == '!' || last == '?' || last == ':' || last == ';';
            int next_cap =
                is_upper(t[li[nx].s]) || isdigit((unsigned char)t[li[nx].s]) || t[li[nx].s] == '"';
            if (ends || li[nx].item || li[l].item || (li[l].words <= 8 && next_cap)) {
                push_sentence(doc, start, e, section, para, 0);
                start = li[nx].s;
            }
        }
    }
    if (start < li[l1 - 1].e) push_sentence(doc, start, li[l1 - 1].e, section, para, 0);
}

/* Should the paragraph ending at line `last` go on at line `next`? Word
 * exports break sentences across blank lines. */
static int paragraph_continues(const tm_doc *doc, const linfo *li, size_t last, size_t next)
{
    const char *t = doc->text;
    if (li[next].kind != L_TEXT || li[next].item) return 0;
    char end = t[li[last].e - 1];
    if (end == '.' || end == '!' || end == '?' || end == ':' || end == ';' || end == '"' ||
        end == ')')
        return 0;
    if (is_lower(t[li[next].s])) return 1;
    uint32_t w = li[last].e;
    while (w > li[last].s && is_alpha(t[w - 1]))
        w--;
    /* "... in citizenship and" / "PSHE from year 7" */
    return li[last].words > 6 && in_list(joining_words, t + w, li[last].e - w);
}

/* "Cllr Jones asked", "Cllr. Jones said", "PCSO Smith reported": a title,
 * one to three capitalised names, a speech verb. The speaker is named
 * "Title Name" with the title's dot dropped, so both spellings are one
 * speaker. Returns the speaker's index or -1. */
static int titled_speaker(tm_doc *doc, uint32_t p, uint32_t e)
{
    const char *t = doc->text;
    uint32_t v = p;
    while (v < e && is_alpha(t[v]))
        v++;
    if (v == p || !in_list(person_titles, t + p, v - p)) return -1;
    char name[128];
    size_t nl = 0;
    memcpy(name, t + p, v - p < 32 ? v - p : 32);
    nl = v - p < 32 ? v - p : 32;
    uint32_t q = v;
    if (q < e && t[q] == '.') q++;
    int names = 0;
    while (names < 3) {
        while (q < e && t[q] == ' ')
            q++;
        if (q >= e || !is_upper(t[q])) break;
        uint32_t r = q;
        while (r < e && (is_alpha(t[r]) || t[r] == '-' || t[r] == '\''))
            r++;
        if (in_list(speech_verbs, t + q, r - q)) break;
        if (nl + 1 + (r - q) >= sizeof name) return -1;
        name[nl++] = ' ';
        memcpy(name + nl, t + q, r - q);
        nl += r - q;
        names++;
        q = r;
    }
    while (q < e && t[q] == ' ')
        q++;
    uint32_t r = q;
    while (r < e && is_alpha(t[r]))
        r++;
    if (!names || !in_list(speech_verbs, t + q, r - q)) return -1;
    return add_speaker(doc, name, nl, NULL, 0, 0);
}

static void attribute(tm_doc *doc, size_t first_sent)
{
    const char *t = doc->text;
    int cur = -1, cur_para = -2;
    for (size_t i = first_sent; i < doc->sentences.n; i++) {
        tm_sentence *s = &doc->sentences.v[i];
        if (s->paragraph != cur_para) {
            cur = -1;
            cur_para = s->paragraph;
        }
        if (s->flags & (TM_SENT_HEADING | TM_SENT_TABLE)) continue;
        uint32_t p = s->off, e = s->end;
        uint32_t w = p;
        while (w < e && (is_upper(t[w]) || (w > p && isdigit((unsigned char)t[w]))))
            w++;
        int who = -1;
        uint32_t caps = w - p; /* length of a leading run of capitals */
        if (caps >= 2 && caps <= 4 && w < e && !is_lower(t[w]) &&
            isupper((unsigned char)t[p + 1])) {
            uint32_t ini_end = w;
            if (w < e && t[w] == '/') { /* "AK/1 Welcomed" */
                w++;
                while (w < e && isdigit((unsigned char)t[w]))
                    w++;
            }
            while (w < e && (t[w] == ' ' || t[w] == '-' || t[w] == ':' || t[w] == ',' ||
                             ((unsigned char)t[w] == 0xE2 && w + 2 < e)))
                w += (unsigned char)t[w] == 0xE2 ? 3 : 1;
            uint32_t v = w;
            while (v < e && is_alpha(t[v]))
                v++;
            if (v - w == 4 && !strncasecmp(t + w, "also", 4)) {
                w = v;
                while (w < e && t[w] == ' ')
                    w++;
                v = w;
                while (v < e && is_alpha(t[v]))
                    v++;
            }
            if (v > w && in_list(speech_verbs, t + w, v - w))
                who = add_speaker(doc, t + p, ini_end - p, NULL, 0, 0);
        } else if (caps < 2) { /* not initials: "He said" */
            uint32_t v = p;
            while (v < e && is_alpha(t[v]))
                v++;
            size_t n = v - p;
            if ((n == 2 && !strncasecmp(t + p, "he", 2)) ||
                (n == 3 && !strncasecmp(t + p, "she", 3)) ||
                (n == 4 && !strncasecmp(t + p, "they", 4))) {
                who = cur; /* "He said ..." carries the paragraph's speaker */
            }
        }
        if (who < 0 && caps <= 4) /* "Cllr Jones asked", "PCSO Smith said" */
            who = titled_speaker(doc, p, e);
        if (who >= 0) cur = who;
        s->speaker = who >= 0 ? who : cur;
        if (s->speaker >= 0) doc->speakers.v[s->speaker].sentences++;
    }
}

static int label_is(const char *t, uint32_t s, uint32_t colon, const char *word)
{
    size_t n = strlen(word);
    for (uint32_t i = s; i + n <= colon; i++)
        if ((t[i] | 0x20) == word[0] && !strncasecmp(t + i, word, n)) return 1;
    return 0;
}

static int line_has(const char *t, const linfo *l, const char *word)
{
    size_t n = strlen(word);
    for (uint32_t i = l->s; i + n <= l->e; i++)
        if ((t[i] | 0x20) == word[0] && !strncasecmp(t + i, word, n)) return 1;
    return 0;
}

static void metadata(tm_doc *doc, const linfo *li, size_t explicit_speakers)
{
    const char *t = doc->text;
    tm_date d;
    int have_date = 0, first_heading = -1;
    size_t table_rows = 0, nonblank = 0, minutes_words = 0, report_words = 0;
    for (size_t i = 0; i < doc->lines.n; i++) {
        const linfo *l = &li[i];
        if (l->kind == L_TABLE) table_rows++;
        if (l->kind == L_HEADING && first_heading < 0) first_heading = (int)i;
        if (l->kind == L_BLANK) continue;
        nonblank++;
        uint32_t colon;
        int is_meta = l->kind == L_META && meta_label(t, l->s, l->e, &colon);
        if (is_meta && !have_date && label_is(t, l->s, colon, "date") &&
            !label_is(t, l->s, colon, "next") && tm_date_find(&d, t + colon, l->e - colon, 0)) {
            tm_date_format(doc->date, &d);
            have_date = 1;
        }
        if (is_meta && !doc->location &&
            (label_is(t, l->s, colon, "location") || label_is(t, l->s, colon, "venue"))) {
            uint32_t a = colon + 1, b = l->e;
            while (a < b && is_space(t[a]))
                a++;
            doc->location = tm_arena_strndup(&doc->arena, t + a, b - a);
        }
        if (nonblank <= 40) {
            size_t n = l->e - l->s;
            const char *p = t + l->s;
            for (size_t k = 0; k + 7 <= n; k++) {
                /* two folded letters first: strncasecmp at every m/a/p/r was a
                 * tenth of segmenting */
                char lc = (char)(p[k] | 0x20), l2 = (char)(p[k + 1] | 0x20);
                if (!((lc == 'm' && l2 == 'i') || (lc == 'a' && (l2 == 'p' || l2 == 't')) ||
                      (lc == 'p' && l2 == 'r') || (lc == 'r' && l2 == 'e')))
                    continue;
                if (!strncasecmp(p + k, "minutes", 7) || !strncasecmp(p + k, "apologies", 9) ||
                    !strncasecmp(p + k, "attendees", 9) || !strncasecmp(p + k, "present:", 8))
                    minutes_words++;
                if (!strncasecmp(p + k, "report", 6) && (k == 0 || !is_alpha(p[k - 1])))
                    report_words++;
            }
        }
        /* "Meeting held on Thursday 3rd July 2025" and the like */
        /* a short line of the header, or one of its first lines even when it
         * also names the venue ("Minutes of the meeting held on ..., Venue") */
        if (!have_date && nonblank <= 30 && l->kind == L_TEXT &&
            (l->words <= 12 || (nonblank <= 5 && l->words <= 25 && t[l->e - 1] != '.' &&
                                (line_has(t, l, "meeting") || line_has(t, l, "held")))) &&
            (first_heading < 0 || (int)i < first_heading) &&
            tm_date_find(&d, t + l->s, l->e - l->s, 0)) {
            tm_date_format(doc->date, &d);
            have_date = 1;
        }
        if (!doc->title && nonblank <= 5 && l->words <= 15 && l->kind != L_META &&
            l->kind != L_TABLE && l->kind != L_TABLE_HEADER &&
            (l->kind == L_HEADING || l->md || l->words >= 2) &&
            !tm_date_find(&d, t + l->s, l->e - l->s, 0)) {
            uint32_t a = l->s, b = l->e;
            clean_title(t, &a, &b);
            if (b > a) doc->title = tm_arena_strndup(&doc->arena, t + a, b - a);
        }
    }
    /* the next meeting: a line that says so, with a date after it */
    int ref_year = have_date ? atoi(doc->date) : 0;
    for (size_t i = 0; i < doc->lines.n; i++) {
        const linfo *l = &li[i];
        size_t n = l->e - l->s;
        const char *p = t + l->s;
        for (size_t k = 0; k + 12 <= n; k++) {
            /* eight places at a time where none can start it (most of the
             * text: this loop reads every line of a document without one) */
            if (k + 13 <= n && !next_meeting8(p + k)) {
                k += 7;
                continue;
            }
            /* 'n' and the 'm' five bytes on before the full compare */
            if ((p[k] | 0x20) == 'n' && (p[k + 5] | 0x20) == 'm' &&
                !strncasecmp(p + k, "next meeting", 12)) {
                if (tm_date_find(&d, p + k, n - k, ref_year) && d.precision == TM_DATE_DAY) {
                    tm_date_format(doc->next_meeting, &d);
                } else if (i + 1 < doc->lines.n) {
                    size_t j = i + 1;
                    while (j < doc->lines.n && li[j].kind == L_BLANK)
                        j++;
                    if (j < doc->lines.n && li[j].words <= 8 &&
                        tm_date_find(&d, t + li[j].s, li[j].e - li[j].s, ref_year) &&
                        d.precision == TM_DATE_DAY)
                        tm_date_format(doc->next_meeting, &d);
                }
                break;
            }
        }
        if (doc->next_meeting[0]) break;
    }
    if (have_date) {
        memcpy(doc->period_date, doc->date, sizeof doc->date);
    } else {
        /* An undated report is about its recent past: the latest full date it
         * mentions stands for it; failing that, the financial year it covers,
         * then the first month it names. */
        size_t lim = doc->text_len < 200000 ? doc->text_len : 200000, at = 0;
        char best[11] = "", buf[11];
        int best_written = -1;
        int fy = 0, have_fy = tm_date_find_fyear(&fy, t, lim);
        /* "18th October" in a 2025/26 report is October 2025; "12th March" is 2026 */
        while (at < lim && tm_date_find(&d, t + at, lim - at, have_fy ? fy : 0)) {
            int year_written = 0;
            for (size_t k = d.start; k + 4 <= d.end; k++)
                year_written |=
                    isdigit((unsigned char)t[at + k]) && isdigit((unsigned char)t[at + k + 1]) &&
                    isdigit((unsigned char)t[at + k + 2]) && isdigit((unsigned char)t[at + k + 3]);
            if (!year_written && d.month < 4) d.year++;
            /* a date written with its year outranks one whose year is inferred
             * (those are mostly coming events) */
            if (d.precision == TM_DATE_DAY) {
                tm_date_format(buf, &d);
                if (year_written > best_written ||
                    (year_written == best_written && strcmp(buf, best) > 0)) {
                    memcpy(best, buf, sizeof best);
                    best_written = year_written;
                }
            }
            /* step past the first word only: "12 and 19 October 2019" holds two days */
            at += d.start;
            while (at < lim && isalnum((unsigned char)t[at]))
                at++;
            if (at < lim) at++;
        }
        if (best[0])
            memcpy(doc->period_date, best, sizeof best);
        else if (have_fy)
            snprintf(doc->period_date, sizeof doc->period_date, "%04d-04-01", fy);
        else if (tm_date_find(&d, t, lim, 0) && d.precision >= TM_DATE_MONTH)
            tm_date_format(doc->period_date, &d);
    }
    if (table_rows >= 3 || explicit_speakers >= 3)
        doc->kind = TM_KIND_MINUTES;
    else if (report_words)
        doc->kind = TM_KIND_REPORT;
    else if (minutes_words)
        doc->kind = TM_KIND_MINUTES;
    else
        doc->kind = TM_KIND_OTHER;
}

int tm_segment_doc(tm_doc *doc, tm_err *err)
{
    const char *t = doc->text;
    size_t n = doc->text_len;
    /* lines */
    for (size_t i = 0; i <= n;) {
        const char *nl = i < n ? memchr(t + i, '\n', n - i) : NULL;
        size_t e = nl ? (size_t)(nl - t) : n;
        tm_line *l = TM_VEC_PUSH(&doc->arena, doc->lines);
        if (!l) goto oom;
        l->off = (uint32_t)i;
        l->end = (uint32_t)e;
        if (!nl) break;
        i = e + 1;
    }
    linfo *li = tm_arena_alloc(&doc->arena, (doc->lines.n + 1) * sizeof *li);
    if (!li) goto oom;
    scan_lines(doc, li);
    find_table(doc, li);
    for (size_t i = 0; i < doc->lines.n; i++) {
        linfo *l = &li[i];
        uint32_t ne, ts, colon;
        if (l->kind != L_TEXT) continue;
        if (numbered_heading(t, l->s, l->e, &ne, &ts))
            l->kind = L_HEADING;
        else if (l->md && l->words <= 15)
            l->kind = L_HEADING;
        else if (l->words <= 40 && meta_label(t, l->s, l->e, &colon))
            l->kind =
                L_META; /* a longer "DATE: ..." line is a whole document without line breaks */
        else
            skip_paragraph_number(t, l);
    }

    /* sections, paragraphs and sentences */
    int section = -1;
    size_t first_sent = doc->sentences.n;
    for (size_t i = 0; i < doc->lines.n;) {
        linfo *l = &li[i];
        if (l->kind == L_BLANK) {
            i++;
            continue;
        }
        if (l->kind != L_TEXT) {
            uint32_t flags = TM_SENT_TABLE;
            if (l->kind == L_HEADING) {
                uint32_t ne = l->s, ts = l->s;
                int level;
                if (numbered_heading(t, l->s, l->e, &ne, &ts)) {
                    level = 1;
                    for (uint32_t k = l->s; k < ne; k++)
                        level += t[k] == '.';
                } else {
                    level = doc->sections.n ? doc->sections.v[doc->sections.n - 1].level + 1 : 1;
                    /* a run of unnumbered headings are siblings */
                    for (size_t k = doc->sections.n; k-- > 0;) {
                        if (doc->sections.v[k].number[0]) {
                            level = doc->sections.v[k].level + 1;
                            break;
                        }
                    }
                    ne = l->s;
                }
                section =
                    add_section(doc, doc->lines.v[i].off, t + l->s, ne - l->s, ts, l->e, level);
                if (section < 0) goto oom;
                flags = TM_SENT_HEADING;
            }
            tm_paragraph *p = TM_VEC_PUSH(&doc->arena, doc->paragraphs);
            if (!p) goto oom;
            p->off = l->s;
            p->end = l->e;
            p->section = section;
            if (push_sentence(doc, l->s, l->e, section, (int)doc->paragraphs.n - 1, flags) != 0)
                goto oom;
            i++;
            continue;
        }
        /* a text paragraph: consecutive text lines, continued across a blank
         * line where a sentence was broken */
        size_t j = i + 1, last = i;
        for (;;) {
            while (j < doc->lines.n && li[j].kind == L_TEXT && !(li[j].item && 0)) {
                last = j;
                j++;
            }
            size_t k = j;
            while (k < doc->lines.n && li[k].kind == L_BLANK)
                k++;
            if (k < doc->lines.n && k > j && paragraph_continues(doc, li, last, k)) {
                j = k;
                continue;
            }
            break;
        }
        tm_paragraph *p = TM_VEC_PUSH(&doc->arena, doc->paragraphs);
        if (!p) goto oom;
        p->off = l->s;
        p->end = li[last].e;
        p->section = section;
        split_paragraph(doc, li, i, last + 1, section, (int)doc->paragraphs.n - 1);
        i = last + 1;
    }
    if (doc->arena.failed) goto oom;
    size_t before = 0;
    for (size_t i = 0; i < doc->speakers.n; i++)
        before += doc->speakers.v[i].in_table;
    attribute(doc, first_sent);
    size_t explicit_speakers = 0;
    for (size_t i = 0; i < doc->speakers.n; i++)
        explicit_speakers += doc->speakers.v[i].sentences > 0;
    (void)before;
    metadata(doc, li, explicit_speakers);
    if (doc->arena.failed) goto oom;
    return TM_OK;
oom:
    return tm_err_set(err, TM_ENOMEM, "%s: out of memory segmenting", doc->path);
}
