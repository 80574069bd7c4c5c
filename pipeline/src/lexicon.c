/*
 * lexicon.c: loading, validating and compiling the lexicon tables.
 *
 * Phrases become arrays of symbols so the tagger can find them by hashing
 * token stems (one probe per token) instead of running one huge regex. Only
 * `regex` entries go to PCRE2, compiled once with JIT.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "tm/lexicon.h"
#include "tm/arena.h"
#include "tm/sha256.h"
#include "tm/stem.h"
#include "tm/tokenise.h"

#include <geonames.h>
#include <dirent.h>
#include <stdarg.h>
#include <ctype.h>
#include <errno.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An interned string table: symbol ids are 1-based indices. */
typedef struct strtab {
    uint32_t *slots; /* symbol id or 0 */
    size_t cap;
    TM_VEC(const char *) strs; /* strs.v[id-1]; first byte is the namespace */
    TM_VEC(uint32_t) lens;
} strtab;

typedef struct range {
    uint32_t start, count;
} range;

struct tm_lexicon {
    tm_arena arena;
    char *dir;
    char version[64];
    char hash[65];
    TM_VEC(tm_lex_ident) idents;
    TM_VEC(tm_lex_entry) entries;
    strtab syms;
    strtab protect;
    strtab ambiguous;              /* lower-cased place names needing context */
    strtab stop;                   /* stopwords.txt: words never reported as emerging terms */
    range *starts;                 /* per symbol id: phrases starting with it */
    TM_VEC(tm_lex_start) start_ix; /* flat, per first symbol */
    TM_VEC(uint32_t) regexes;
    uint8_t *entry_flags;  /* tm_lexicon_entry_flags, per entry */
    uint32_t *ident_slots; /* (category, identifier) -> index + 1; NULL while loading */
    size_t ident_mask;
    /* load-time only */
    tm_lexicon_problem_fn on_problem;
    void *payload;
    int problems;
    tm_err *err;
};

/* ---- string table ---- */

static uint32_t strtab_find(const strtab *t, const char *s, size_t n, uint64_t *hash_out)
{
    uint64_t h = tm_hash(s, n, 7);
    if (hash_out) *hash_out = h;
    if (!t->cap) return 0;
    size_t j = h & (t->cap - 1);
    while (t->slots[j]) {
        uint32_t id = t->slots[j];
        if (t->lens.v[id - 1] == n && memcmp(t->strs.v[id - 1], s, n) == 0) return id;
        j = (j + 1) & (t->cap - 1);
    }
    return 0;
}

static uint32_t strtab_intern(tm_arena *a, strtab *t, const char *s, size_t n)
{
    uint64_t h;
    uint32_t id = strtab_find(t, s, n, &h);
    if (id) return id;
    if ((t->strs.n + 1) * 2 > t->cap) {
        size_t ncap = t->cap ? t->cap * 2 : 1024;
        uint32_t *ns = tm_arena_alloc(a, ncap * sizeof *ns);
        if (!ns) return 0;
        for (size_t i = 0; i < t->strs.n; i++) {
            uint64_t hh = tm_hash(t->strs.v[i], t->lens.v[i], 7);
            size_t j = hh & (ncap - 1);
            while (ns[j])
                j = (j + 1) & (ncap - 1);
            ns[j] = (uint32_t)(i + 1);
        }
        t->slots = ns;
        t->cap = ncap;
    }
    const char **sp = TM_VEC_PUSH(a, t->strs);
    uint32_t *lp = TM_VEC_PUSH(a, t->lens);
    if (!sp || !lp) return 0;
    *sp = tm_arena_strndup(a, s, n);
    *lp = (uint32_t)n;
    id = (uint32_t)t->strs.n;
    size_t j = h & (t->cap - 1);
    while (t->slots[j])
        j = (j + 1) & (t->cap - 1);
    t->slots[j] = id;
    return id;
}

/* ---- problems ---- */

TM_PRINTF(2, 3)
static void problem(tm_lexicon *lex, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    lex->problems++;
    tm_err_set(lex->err, TM_ELEXICON, "%s", buf);
    if (lex->on_problem) lex->on_problem(buf, lex->payload);
}

/* ---- files ---- */

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Splits `line` at tabs into at most `max` fields (in place). */
static size_t split_tabs(char *line, char **fields, size_t max)
{
    size_t n = 0;
    char *p = line;
    for (;;) {
        if (n == max) return max + 1; /* too many */
        fields[n++] = p;
        char *tab = strchr(p, '\t');
        if (!tab) break;
        *tab = '\0';
        p = tab + 1;
    }
    return n;
}

static char *trim(char *s)
{
    while (*s == ' ')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        s[--n] = '\0';
    return s;
}

static int is_ident(const char *s)
{
    /* ^[a-z0-9]+(_[a-z0-9]+)*$ */
    if (!*s || *s == '_') return 0;
    for (const char *p = s; *p; p++) {
        if (*p == '_') {
            if (p[1] == '_' || p[1] == '\0') return 0;
        } else if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9'))) {
            return 0;
        }
    }
    return 1;
}

static const char *const strands[] = {"race", "religion", "sexual_orientation", "disability",
                                      "transgender"};

/* Returns the next line, NUL-terminated in place, or NULL at the end. */
static char *next_line(char **cursor, int *lineno)
{
    char *l = *cursor;
    if (!l) return NULL;
    char *nl = strchr(l, '\n');
    if (nl) {
        *nl = '\0';
        *cursor = nl + 1;
    } else {
        *cursor = NULL;
    }
    ++*lineno;
    return l;
}

static void parse_identifiers(tm_lexicon *lex, char *data, const char *file)
{
    int lineno = 0, seen_header = 0;
    char *cursor = data, *line;
    while ((line = next_line(&cursor, &lineno))) {
        char *l = trim(line);
        if (!*l || *l == '#') continue;
        char *f[8];
        size_t nf = split_tabs(l, f, 7);
        if (!seen_header) {
            seen_header = 1;
            if (nf < 6 || strcmp(trim(f[0]), "category") || strcmp(trim(f[1]), "identifier"))
                problem(lex,
                        "%s:%d: header must be: category, identifier, label, polarity, strand, "
                        "incident, notes (tab-separated)",
                        file, lineno);
            continue;
        }
        if (nf < 6 || nf > 7) {
            problem(lex, "%s:%d: expected 7 tab-separated columns, found %zu", file, lineno, nf);
            continue;
        }
        for (size_t i = 0; i < nf; i++)
            f[i] = trim(f[i]);
        tm_category cat;
        if (tm_category_from_name(&cat, f[0], strlen(f[0])) != 0 || cat == TM_CAT_PLACE ||
            cat == TM_CAT_ORGANISATION) {
            problem(lex,
                    "%s:%d: unknown category \"%s\" (community, theme, incident, indicator, cue, "
                    "tone)",
                    file, lineno, f[0]);
            continue;
        }
        if (!is_ident(f[1])) {
            problem(lex, "%s:%d: identifier \"%s\" must be lower-case ascii words joined by _",
                    file, lineno, f[1]);
            continue;
        }
        if (tm_lexicon_ident(lex, cat, f[1])) {
            problem(lex, "%s:%d: duplicate identifier %s/%s", file, lineno, f[0], f[1]);
            continue;
        }
        tm_lex_ident *id = TM_VEC_PUSH(&lex->arena, lex->idents);
        if (!id) return;
        id->cat = cat;
        id->id = tm_arena_strdup(&lex->arena, f[1]);
        id->label = tm_arena_strdup(&lex->arena, f[2]);
        if (!strcmp(f[3], "reassurance"))
            id->polarity = TM_POL_REASSURANCE;
        else if (!strcmp(f[3], "concern") || !strcmp(f[3], "-") || !*f[3])
            id->polarity = TM_POL_CONCERN;
        else
            problem(lex, "%s:%d: polarity \"%s\" must be concern, reassurance or -", file, lineno,
                    f[3]);
        id->strand = NULL;
        if (strcmp(f[4], "-") && *f[4]) {
            for (size_t i = 0; i < sizeof strands / sizeof strands[0]; i++)
                if (!strcmp(f[4], strands[i])) id->strand = strands[i];
            if (!id->strand)
                problem(lex,
                        "%s:%d: strand \"%s\" must be race, religion, sexual_orientation, "
                        "disability, transgender or -",
                        file, lineno, f[4]);
        }
        id->incident = !strcmp(f[5], "yes");
        if (strcmp(f[5], "yes") && strcmp(f[5], "no") && strcmp(f[5], "-") && *f[5])
            problem(lex, "%s:%d: incident \"%s\" must be yes, no or -", file, lineno, f[5]);
    }
}

/* Compiles a phrase surface into symbols; returns the number of words. */
static int compile_phrase(tm_lexicon *lex, tm_lex_entry *e, tm_stemmer *st)
{
    uint32_t syms[64];
    uint8_t modes[64];
    int n = 0;
    const unsigned char *s = (const unsigned char *)e->surface;
    size_t len = strlen(e->surface), i = 0;
    char fold[TM_TOKEN_MAX * 2 + 8];
    while (i < len) {
        tm_tok_kind kind;
        size_t k = tm_tok_scan(s + i, len - i, &kind);
        if (kind == TM_TK_WORD) {
            if (n == 64) return -1;
            unsigned flags = tm_tok_flags(s + i, k);
            size_t fl = tm_stem_key(fold, sizeof fold, (const char *)s + i, k);
            uint8_t mode = 0;
            if (flags & TM_TOK_UPPER)
                mode = TM_LEXW_SURFACE | TM_LEXW_UPPER;
            else if (e->cat == TM_CAT_PLACE || e->cat == TM_CAT_ORGANISATION ||
                     tm_lexicon_is_protected(lex, fold, fl))
                mode = TM_LEXW_SURFACE | ((flags & TM_TOK_CAP) ? TM_LEXW_CAP : 0);
            uint32_t sym;
            if (mode & TM_LEXW_SURFACE) {
                char key[sizeof fold + 1];
                key[0] = 'W';
                memcpy(key + 1, fold, fl);
                sym = strtab_intern(&lex->arena, &lex->syms, key, fl + 1);
            } else {
                size_t sl;
                const char *stem = tm_stem_word(st, fold, fl, &sl);
                if (!stem) return -1;
                char key[sizeof fold + 1];
                if (sl > sizeof fold) sl = sizeof fold;
                key[0] = 'S';
                memcpy(key + 1, stem, sl);
                sym = strtab_intern(&lex->arena, &lex->syms, key, sl + 1);
            }
            if (!sym) return -1;
            syms[n] = sym;
            modes[n] = mode;
            n++;
        }
        i += k;
    }
    uint32_t *sv = tm_arena_alloc(&lex->arena, (size_t)(n ? n : 1) * sizeof *sv);
    uint8_t *mv = tm_arena_alloc(&lex->arena, (size_t)(n ? n : 1));
    if (!sv || !mv) return -1;
    memcpy(sv, syms, (size_t)n * sizeof *sv);
    memcpy(mv, modes, (size_t)n);
    e->syms = sv;
    e->modes = mv;
    e->nwords = (uint16_t)n;
    return n;
}

/* ---- regex prefilter: a literal every match needs (tag.c) ----
 *
 * PCRE2 JIT starts an attempt at every position its start bitmap allows (for
 * the place and organisation patterns: every capital letter), and each
 * attempt costs a few hundred instructions. Most patterns need a literal
 * that is rare in the text ("Street", "Council", "lack" of [Bb]lack), at a
 * bounded distance from where the match starts, counted in characters that
 * are not ASCII letters: `(?=(?:[A-Z][a-z]+(?:'s)? ){1,3}(?:Street|Road))`
 * reaches "Street" or "Road" past at most 6 of them (`'` and a space three
 * times). The tagger then tries only the starts near an occurrence of one
 * of the literals. This walks the pattern and derives that; anything it does
 * not understand (options, back references, \Q, callouts...) means "no
 * prefilter", so the pattern is run over the whole text as before. */

#define RX_INF 1000000
#define RX_MAXLITS 64
#define RX_MAXLEN 32
#define RX_MINLEN 3 /* shorter literals occur everywhere: not worth it */

typedef struct rx_cand {
    int n;   /* literals; 0 = no candidate */
    int gap; /* max non-letter characters between the match start and the literal */
    int minlen;
    char s[RX_MAXLITS][RX_MAXLEN];
    uint8_t len[RX_MAXLITS];
} rx_cand;

typedef struct rx_node {
    int nl; /* max non-letter characters consumed, RX_INF if unbounded */
    rx_cand c;
} rx_node;

typedef struct rx_parser {
    const char *p;
    int bad;
    int depth;
} rx_parser;

static int rx_add(int a, int b)
{
    return a >= RX_INF || b >= RX_INF ? RX_INF : a + b;
}

static int rx_letter(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* Is candidate `a` a better filter than `b`? Longer literals are rarer. */
static int rx_better(const rx_cand *a, const rx_cand *b)
{
    if (!a->n || a->gap >= RX_INF || a->minlen < RX_MINLEN) return 0;
    if (!b->n) return 1;
    if (a->minlen != b->minlen) return a->minlen > b->minlen;
    if (a->n != b->n) return a->n < b->n;
    return a->gap < b->gap;
}

/* `c` moved `shift` non-letters further from the match start. */
static void rx_offer(rx_cand *best, const rx_cand *c, int shift)
{
    if (!c->n) return;
    rx_cand t = *c;
    t.gap = rx_add(t.gap, shift);
    if (rx_better(&t, best)) *best = t;
}

static void rx_alt(rx_parser *ps, rx_node *out);

/* A character class; returns 0 if it only matches ASCII letters, else 1. */
static int rx_class(rx_parser *ps)
{
    const char *p = ps->p; /* after '[' */
    int letters = 1;
    if (*p == '^') {
        letters = 0;
        p++;
    }
    int first = 1;
    while (*p && (*p != ']' || first)) {
        first = 0;
        unsigned char c = (unsigned char)*p;
        if (c == '[' && p[1] == ':') {
            ps->bad = 1; /* POSIX classes: not worth understanding */
            return 1;
        }
        if (c == '\\') {
            if (!p[1]) break;
            letters = 0;
            p += 2;
            continue;
        }
        if (p[1] == '-' && p[2] && p[2] != ']') {
            unsigned char hi = (unsigned char)p[2];
            if (!((c >= 'A' && hi <= 'Z' && c <= hi) || (c >= 'a' && hi <= 'z' && c <= hi)))
                letters = 0;
            p += 3;
            continue;
        }
        if (!rx_letter(c)) letters = 0;
        p++;
    }
    if (*p != ']') {
        ps->bad = 1;
        return 1;
    }
    ps->p = p + 1;
    return letters ? 0 : 1;
}

/* Quantifier after an atom: {min,max}, max -1 for unbounded. */
static void rx_quant(rx_parser *ps, int *min, int *max)
{
    *min = *max = 1;
    const char *p = ps->p;
    if (*p == '?') {
        *min = 0;
        p++;
    } else if (*p == '*') {
        *min = 0;
        *max = -1;
        p++;
    } else if (*p == '+') {
        *max = -1;
        p++;
    } else if (*p == '{') {
        char *e;
        long a = strtol(p + 1, &e, 10), b = a;
        if (e == p + 1) {
            ps->bad = 1; /* a literal '{': rare, not handled */
            return;
        }
        if (*e == ',') {
            const char *f = e + 1;
            b = strtol(f, &e, 10);
            if (e == f) b = -1;
        }
        if (*e != '}' || a > 1000 || b > 1000) {
            ps->bad = 1;
            return;
        }
        *min = (int)a;
        *max = (int)b;
        p = e + 1;
    } else {
        return;
    }
    if (*p == '?' || *p == '+') p++; /* lazy or possessive: the same text */
    ps->p = p;
}

/* One sequence of items up to '|', ')' or the end. */
static void rx_seq(rx_parser *ps, rx_node *out)
{
    memset(out, 0, sizeof *out);
    int nl = 0;     /* non-letters consumed before the current item */
    rx_cand run;    /* the literal run being collected */
    int run_at = 0; /* nl where the run started */
    run.n = 0;
    run.len[0] = 0;
    rx_node *inner = tm_malloc(sizeof *inner);
    if (!inner) {
        ps->bad = 1;
        return;
    }
    for (;;) {
        const char *p = ps->p;
        unsigned char c = (unsigned char)*p;
        if (!c || c == '|' || c == ')' || ps->bad) break;
        int lit = -1;    /* a literal byte, or -1 */
        int item_nl = 0; /* non-letters one occurrence of the atom consumes */
        int zero = 0;    /* a zero-width assertion */
        rx_cand *cand = NULL;
        if (c == '(') {
            int kind = 0; /* 0 group, 1 lookahead, 2 negative or lookbehind */
            p++;
            if (*p == '?') {
                if (p[1] == ':' || p[1] == '>') {
                    p += 2;
                } else if (p[1] == '=') {
                    kind = 1;
                    p += 2;
                } else if (p[1] == '!') {
                    kind = 2;
                    p += 2;
                } else if (p[1] == '<' && (p[2] == '=' || p[2] == '!')) {
                    kind = 2;
                    p += 3;
                } else {
                    ps->bad = 1; /* options, names, conditions, comments */
                    break;
                }
            } else if (*p == '*') {
                ps->bad = 1; /* verbs */
                break;
            }
            ps->p = p;
            if (++ps->depth > 50) {
                ps->bad = 1;
                break;
            }
            rx_alt(ps, inner);
            ps->depth--;
            if (ps->bad || *ps->p != ')') {
                ps->bad = 1;
                break;
            }
            ps->p++;
            if (kind) {
                zero = 1;
                if (kind == 1) cand = &inner->c;
            } else {
                item_nl = inner->nl;
                cand = &inner->c;
            }
        } else if (c == '[') {
            ps->p = p + 1;
            item_nl = rx_class(ps);
        } else if (c == '\\') {
            unsigned char e = (unsigned char)p[1];
            ps->p = p + 2;
            if (strchr("bBAzZG", e) && e) {
                zero = 1;
            } else if (e && strchr("dDsSwWhHvVN", e)) {
                item_nl = 1;
            } else if (e == 'R') {
                item_nl = 2; /* CR LF */
            } else if (e == 'p' || e == 'P') {
                item_nl = 1;
                if (p[2] == '{') {
                    const char *q = strchr(p + 2, '}');
                    if (!q) {
                        ps->bad = 1;
                        break;
                    }
                    ps->p = q + 1;
                } else if (p[2]) {
                    ps->p = p + 3;
                }
            } else if (e && e < 0x80 && !isalnum(e)) {
                lit = e;
            } else {
                ps->bad = 1; /* back references, \Q, \K, \x, \c, ... */
                break;
            }
        } else if (c == '.') {
            ps->p = p + 1;
            item_nl = 1;
        } else if (c == '^' || c == '$') {
            ps->p = p + 1;
            zero = 1;
        } else if (c == '{' || c == '*' || c == '+' || c == '?') {
            ps->bad = 1;
            break;
        } else if (c >= 0x80) {
            /* one non-ASCII character: a non-letter, never part of a literal here */
            p++;
            while ((unsigned char)*p >= 0x80 && (unsigned char)*p < 0xC0)
                p++;
            ps->p = p;
            item_nl = 1;
        } else {
            ps->p = p + 1;
            lit = c;
        }
        int min, max;
        rx_quant(ps, &min, &max);
        if (ps->bad) break;
        if (zero && (min != 1 || max != 1)) {
            ps->bad = 1; /* a quantified assertion: legal, pointless, not handled */
            break;
        }
        if (lit >= 0 && min == 1 && max == 1) {
            if (!run.n) {
                run.n = 1;
                run.len[0] = 0;
                run_at = nl;
            }
            if (run.len[0] < RX_MAXLEN - 1) run.s[0][run.len[0]++] = (char)lit;
            nl = rx_add(nl, rx_letter((unsigned char)lit) ? 0 : 1);
            continue;
        }
        /* anything else ends a literal run */
        if (run.n) {
            run.minlen = run.len[0];
            run.gap = 0;
            rx_offer(&out->c, &run, run_at);
            run.n = 0;
        }
        if (lit >= 0) item_nl = rx_letter((unsigned char)lit) ? 0 : 1;
        if (cand && min >= 1) rx_offer(&out->c, cand, nl);
        int total;
        if (zero || item_nl == 0)
            total = 0;
        else if (max < 0)
            total = RX_INF;
        else
            total = item_nl >= RX_INF ? RX_INF : item_nl * max;
        nl = rx_add(nl, total);
    }
    if (run.n && !ps->bad) {
        run.minlen = run.len[0];
        run.gap = 0;
        rx_offer(&out->c, &run, run_at);
    }
    out->nl = nl;
    tm_free(inner);
}

/* Alternatives: every one must offer a literal for the group to have one. */
static void rx_alt(rx_parser *ps, rx_node *out)
{
    rx_node *alt = tm_malloc(sizeof *alt);
    if (!alt) {
        ps->bad = 1;
        return;
    }
    rx_seq(ps, out);
    int all = out->c.n > 0;
    while (!ps->bad && *ps->p == '|') {
        ps->p++;
        rx_seq(ps, alt);
        if (alt->nl > out->nl) out->nl = alt->nl;
        if (!all || !alt->c.n || out->c.n + alt->c.n > RX_MAXLITS) {
            all = 0;
            continue;
        }
        for (int i = 0; i < alt->c.n; i++) {
            memcpy(out->c.s[out->c.n], alt->c.s[i], alt->c.len[i]);
            out->c.len[out->c.n++] = alt->c.len[i];
        }
        if (alt->c.gap > out->c.gap) out->c.gap = alt->c.gap;
        if (alt->c.minlen < out->c.minlen) out->c.minlen = alt->c.minlen;
    }
    if (!all) out->c.n = 0;
    tm_free(alt);
}

/* Fills e->lits / e->lit_gap from the pattern (see above); leaves nlits 0
 * when the pattern has no usable literal. Returns the PCRE2 options the
 * pattern needs for it (the tagger limits where an attempt may start). */
static uint32_t prefilter(tm_lexicon *lex, tm_lex_entry *e)
{
    rx_parser ps = {e->surface, 0, 0};
    rx_node *top = tm_malloc(sizeof *top);
    if (!top) return 0;
    rx_alt(&ps, top);
    uint32_t opts = 0;
    if (!ps.bad && !*ps.p && top->c.n && top->c.gap < RX_INF && top->c.minlen >= RX_MINLEN) {
        const char **lits = tm_arena_alloc(&lex->arena, (size_t)top->c.n * sizeof *lits);
        uint8_t *lens = tm_arena_alloc(&lex->arena, (size_t)top->c.n);
        int ok = lits && lens;
        for (int i = 0; ok && i < top->c.n; i++) {
            lits[i] = tm_arena_strndup(&lex->arena, top->c.s[i], top->c.len[i]);
            lens[i] = top->c.len[i];
            ok = lits[i] != NULL;
        }
        if (ok) {
            e->lits = lits;
            e->lit_lens = lens;
            e->nlits = (uint16_t)top->c.n;
            e->lit_gap = top->c.gap;
            opts = PCRE2_USE_OFFSET_LIMIT;
        }
    }
    tm_free(top);
    return opts;
}

static void compile_regex(tm_lexicon *lex, tm_lex_entry *e)
{
    int code;
    PCRE2_SIZE off;
    uint32_t opts = prefilter(lex, e);
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)e->surface, PCRE2_ZERO_TERMINATED, PCRE2_UTF | opts,
                                   &code, &off, NULL);
    if (!re) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(code, msg, sizeof msg);
        problem(lex, "%s:%d: invalid regex at offset %zu: %s", e->file, e->line, (size_t)off,
                (const char *)msg);
        return;
    }
    pcre2_jit_compile(re, PCRE2_JIT_COMPLETE); /* falls back to the interpreter if JIT is absent */
    e->re = re;
}

static void parse_entries(tm_lexicon *lex, char *data, const char *file, tm_stemmer *st)
{
    int lineno = 0, seen_header = 0;
    char *cursor = data, *line;
    while ((line = next_line(&cursor, &lineno))) {
        char *l = trim(line);
        if (!*l || *l == '#') continue;
        char *f[8];
        size_t nf = split_tabs(l, f, 6);
        if (!seen_header) {
            seen_header = 1;
            if (nf < 5 || strcmp(trim(f[0]), "category") || strcmp(trim(f[2]), "surface"))
                problem(lex,
                        "%s:%d: header must be: category, identifier, surface, kind, weight, "
                        "notes (tab-separated)",
                        file, lineno);
            continue;
        }
        if (nf < 5 || nf > 6) {
            problem(lex, "%s:%d: expected 6 tab-separated columns, found %zu", file, lineno, nf);
            continue;
        }
        for (size_t i = 0; i < nf; i++)
            f[i] = trim(f[i]);
        tm_category cat;
        if (tm_category_from_name(&cat, f[0], strlen(f[0])) != 0) {
            problem(lex,
                    "%s:%d: unknown category \"%s\" (community, theme, incident, place, "
                    "organisation, indicator, cue, tone)",
                    file, lineno, f[0]);
            continue;
        }
        int is_regex = 0;
        if (!strcmp(f[3], "regex"))
            is_regex = 1;
        else if (strcmp(f[3], "phrase")) {
            problem(lex, "%s:%d: kind \"%s\" must be phrase or regex", file, lineno, f[3]);
            continue;
        }
        if (!*f[2]) {
            problem(lex, "%s:%d: empty surface form", file, lineno);
            continue;
        }
        const tm_lex_ident *ident = NULL;
        if (cat == TM_CAT_PLACE) {
            if (!*f[1]) {
                problem(lex, "%s:%d: a place needs its canonical name as identifier", file, lineno);
                continue;
            }
        } else if (cat == TM_CAT_ORGANISATION) {
            if (!(is_regex && !strcmp(f[1], "*")) && !is_ident(f[1])) {
                problem(
                    lex,
                    "%s:%d: organisation identifier \"%s\" must be lower-case words joined by _",
                    file, lineno, f[1]);
                continue;
            }
        } else {
            ident = tm_lexicon_ident(lex, cat, f[1]);
            if (!ident) {
                problem(lex, "%s:%d: identifier %s/%s is not registered in identifiers.tsv", file,
                        lineno, f[0], f[1]);
                continue;
            }
        }
        if (!strcmp(f[1], "*") && !is_regex) {
            problem(lex, "%s:%d: identifier * (the matched text) needs kind regex", file, lineno);
            continue;
        }
        char *end = NULL;
        double w = *f[4] ? strtod(f[4], &end) : 1.0;
        if ((*f[4] && (!end || *end)) || !(w > 0 && w <= 100)) {
            problem(lex, "%s:%d: weight \"%s\" must be a number above 0 and at most 100", file,
                    lineno, f[4]);
            continue;
        }
        tm_lex_entry *e = TM_VEC_PUSH(&lex->arena, lex->entries);
        if (!e) return;
        e->cat = cat;
        e->id = tm_arena_strdup(&lex->arena, f[1]);
        e->surface = tm_arena_strdup(&lex->arena, f[2]);
        e->is_regex = is_regex;
        e->weight = (float)w;
        e->file = tm_arena_strdup(&lex->arena, file);
        e->line = lineno;
        e->ident = ident;
        if (is_regex) {
            compile_regex(lex, e);
        } else {
            int nw = compile_phrase(lex, e, st);
            if (nw == 0)
                problem(lex, "%s:%d: surface \"%s\" has no words", file, lineno, f[2]);
            else if (nw < 0)
                problem(lex, "%s:%d: surface \"%s\" is too long (64 words at most)", file, lineno,
                        f[2]);
        }
    }
}

static void parse_wordlist(tm_lexicon *lex, strtab *into, char *data)
{
    int lineno = 0;
    char fold[TM_TOKEN_MAX * 2 + 8];
    char *cursor = data, *line;
    while ((line = next_line(&cursor, &lineno))) {
        char *l = trim(line);
        if (!*l || *l == '#') continue;
        char *tab = strchr(l, '\t');
        if (tab) *tab = '\0';
        size_t n = tm_stem_fold(fold, sizeof fold, l, strlen(l));
        strtab_intern(&lex->arena, into, fold, n);
    }
}

static uint64_t ident_hash(tm_category cat, const char *id)
{
    return tm_hash(id, strlen(id), (uint64_t)cat + 1);
}

/* An index of the registry: signals look an identifier up for every pair
 * of mentions they consider, and a linear search with strcmp was 1% of
 * extract. */
static int build_ident_index(tm_lexicon *lex)
{
    size_t slots = 16;
    while (slots < 2 * lex->idents.n)
        slots *= 2;
    uint32_t *t = tm_arena_alloc(&lex->arena, slots * sizeof *t);
    if (!t) return -1;
    for (size_t i = 0; i < lex->idents.n; i++) {
        const tm_lex_ident *x = &lex->idents.v[i];
        size_t j = ident_hash(x->cat, x->id) & (slots - 1);
        int dup = 0;
        for (; t[j]; j = (j + 1) & (slots - 1)) {
            const tm_lex_ident *y = &lex->idents.v[t[j] - 1];
            if (y->cat == x->cat && !strcmp(y->id, x->id)) dup = 1;
        }
        if (!dup) t[j] = (uint32_t)i + 1; /* the first one wins, as in the search */
    }
    lex->ident_mask = slots - 1;
    lex->ident_slots = t;
    return 0;
}

/* Builds, per first symbol, the list of phrases, longest first. */
static int build_index(tm_lexicon *lex)
{
    if (build_ident_index(lex) != 0) return -1;
    lex->entry_flags = tm_arena_alloc(&lex->arena, lex->entries.n + 1);
    if (!lex->entry_flags) return -1;
    for (size_t i = 0; i < lex->entries.n; i++) {
        const tm_lex_entry *e = &lex->entries.v[i];
        lex->entry_flags[i] =
            (uint8_t)((e->needs_context ? TM_LEXF_NEEDS_CONTEXT : 0) |
                      (e->file && !strcmp(e->file, "geonames") ? TM_LEXF_GAZETTEER : 0));
    }
    size_t nsym = lex->syms.strs.n + 1;
    lex->starts = tm_arena_alloc(&lex->arena, nsym * sizeof *lex->starts);
    if (!lex->starts) return -1;
    size_t total = 0;
    for (size_t i = 0; i < lex->entries.n; i++) {
        tm_lex_entry *e = &lex->entries.v[i];
        if (e->is_regex) {
            if (e->re) {
                uint32_t *r = TM_VEC_PUSH(&lex->arena, lex->regexes);
                if (!r) return -1;
                *r = (uint32_t)i;
            }
            continue;
        }
        if (e->nwords) {
            lex->starts[e->syms[0]].count++;
            total++;
        }
    }
    uint32_t at = 0;
    for (size_t s = 0; s < nsym; s++) {
        lex->starts[s].start = at;
        at += lex->starts[s].count;
        lex->starts[s].count = 0;
    }
    if (tm_arena_grow(&lex->arena, (void **)&lex->start_ix.v, &lex->start_ix.cap, total + 1,
                      sizeof(tm_lex_start)) != 0)
        return -1;
    lex->start_ix.n = total;
    for (size_t i = 0; i < lex->entries.n; i++) {
        tm_lex_entry *e = &lex->entries.v[i];
        if (e->is_regex || !e->nwords) continue;
        range *r = &lex->starts[e->syms[0]];
        /* insertion keeping longest first, then file order */
        tm_lex_start *v = lex->start_ix.v + r->start;
        size_t j = r->count++;
        while (j > 0 && v[j - 1].nwords < e->nwords) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = (tm_lex_start){.entry = (uint32_t)i,
                              .next_sym = e->nwords > 1 ? e->syms[1] : 0,
                              .mode0 = e->modes[0],
                              .next_mode = e->nwords > 1 ? e->modes[1] : 0,
                              .nwords = e->nwords,
                              .cat = (uint8_t)e->cat,
                              .weight = e->weight,
                              .id = e->id};
    }
    return 0;
}

/* Adds every GB town and city of the geonames gazetteer not already listed. */
static void add_gazetteer(tm_lexicon *lex, tm_stemmer *st, tm_sha256 *h)
{
    strtab listed = {0};
    char fold[512];
    for (size_t i = 0; i < lex->entries.n; i++) {
        const tm_lex_entry *e = &lex->entries.v[i];
        if (e->cat == TM_CAT_PLACE && !e->is_regex)
            strtab_intern(&lex->arena, &listed, fold,
                          tm_stem_fold(fold, sizeof fold, e->surface, strlen(e->surface)));
    }
    int n = geonames_get_n_cities();
    for (int i = 0; i < n; i++) {
        GeonamesCity *city = geonames_get_city(i);
        if (!city) continue;
        /* the name only for British towns: reading it costs as much as the
         * country code, and nine in ten are elsewhere */
        const char *cc = geonames_city_get_country_code(city);
        const char *name = cc && !strcmp(cc, "GB") ? geonames_city_get_name(city) : NULL;
        if (name) {
            size_t fl = tm_stem_fold(fold, sizeof fold, name, strlen(name));
            if (!strtab_find(&listed, fold, fl, NULL)) {
                tm_sha256_update(h, name, strlen(name) + 1); /* the gazetteer is lexicon too */
                tm_lex_entry *e = TM_VEC_PUSH(&lex->arena, lex->entries);
                if (e) {
                    e->cat = TM_CAT_PLACE;
                    e->id = tm_arena_strdup(&lex->arena, name);
                    e->surface = e->id;
                    e->weight = 1.0f;
                    e->file = "geonames";
                    e->line = i + 1;
                    if (compile_phrase(lex, e, st) <= 0) lex->entries.n--;
                }
            }
        }
        geonames_city_free(city);
    }
}

/* Single-word places that are also common words need a locative context. */
static void mark_ambiguous(tm_lexicon *lex)
{
    char fold[512];
    for (size_t i = 0; i < lex->entries.n; i++) {
        tm_lex_entry *e = &lex->entries.v[i];
        if (e->cat != TM_CAT_PLACE || e->is_regex || e->nwords != 1) continue;
        size_t fl = tm_stem_fold(fold, sizeof fold, e->surface, strlen(e->surface));
        e->needs_context = strtab_find(&lex->ambiguous, fold, fl, NULL) != 0;
    }
}

static int read_whole(char **out, size_t *n, const char *path, tm_err *err)
{
    return tm_read_file(out, n, path, 64u * 1024 * 1024, err);
}

int tm_lexicon_load(tm_lexicon **out, const char *dir, tm_lexicon_problem_fn on_problem,
                    void *payload, tm_err *err)
{
    *out = NULL;
    tm_lexicon *lex = tm_calloc(1, sizeof *lex);
    char **names = NULL;
    size_t nnames = 0, cap = 0;
    tm_stemmer *st = NULL;
    tm_sha256 h = {0};
    int rc = TM_OK;
    if (!lex) return tm_err_set(err, TM_ENOMEM, "lexicon: out of memory");
    tm_arena_init(&lex->arena);
    lex->on_problem = on_problem;
    lex->payload = payload;
    lex->err = err;
    lex->dir = tm_arena_strdup(&lex->arena, dir);

    DIR *d = opendir(dir);
    if (!d) {
        rc = tm_err_set(err, TM_EIO,
                        "%s: cannot open the lexicon directory: %s (give one with --lexicons DIR)",
                        dir, strerror(errno));
        goto cleanup;
    }
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t l = strlen(de->d_name);
        int tsv = l > 4 && !strcmp(de->d_name + l - 4, ".tsv");
        if (!tsv && strcmp(de->d_name, "protected.txt") && strcmp(de->d_name, "VERSION") &&
            strcmp(de->d_name, "ambiguous.txt") && strcmp(de->d_name, "stopwords.txt"))
            continue;
        if (nnames == cap) {
            cap = cap ? cap * 2 : 16;
            char **nn = tm_realloc(names, cap * sizeof *nn);
            if (!nn) {
                closedir(d);
                rc = tm_err_set(err, TM_ENOMEM, "lexicon: out of memory");
                goto cleanup;
            }
            names = nn;
        }
        names[nnames++] = tm_arena_strdup(&lex->arena, de->d_name);
    }
    closedir(d);
    if (nnames) qsort(names, nnames, sizeof *names, name_cmp);

    rc = tm_stemmer_new(&st, NULL, err);
    if (rc) goto cleanup;

    /* Read everything first: the hash covers all files, the registry and the
     * protected words must be known before any entry is compiled. */
    char **data = tm_arena_alloc(&lex->arena, (nnames ? nnames : 1) * sizeof *data);
    if (!data) {
        rc = tm_err_set(err, TM_ENOMEM, "lexicon: out of memory");
        goto cleanup;
    }
    if (tm_sha256_init(&h) != 0) {
        rc = tm_err_set(err, TM_ENOMEM, "lexicon: out of memory");
        goto cleanup;
    }
    int have_ids = 0;
    for (size_t i = 0; i < nnames; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        char *buf;
        size_t n;
        rc = read_whole(&buf, &n, path, err);
        if (rc) goto cleanup;
        tm_sha256_update(&h, names[i], strlen(names[i]) + 1);
        tm_sha256_update(&h, buf, n);
        data[i] = tm_arena_strndup(&lex->arena, buf, n);
        tm_free(buf);
        if (!data[i]) {
            rc = tm_err_set(err, TM_ENOMEM, "lexicon: out of memory");
            goto cleanup;
        }
        have_ids |= !strcmp(names[i], "identifiers.tsv");
    }
    if (!have_ids) {
        problem(lex, "%s/identifiers.tsv: missing: the lexicon needs its identifier registry", dir);
        rc = TM_ELEXICON;
        goto cleanup;
    }
    snprintf(lex->version, sizeof lex->version, "unversioned");
    for (size_t i = 0; i < nnames; i++) {
        if (!strcmp(names[i], "identifiers.tsv"))
            parse_identifiers(lex, data[i], names[i]);
        else if (!strcmp(names[i], "protected.txt"))
            parse_wordlist(lex, &lex->protect, data[i]);
        else if (!strcmp(names[i], "ambiguous.txt"))
            parse_wordlist(lex, &lex->ambiguous, data[i]);
        else if (!strcmp(names[i], "stopwords.txt"))
            parse_wordlist(lex, &lex->stop, data[i]);
        else if (!strcmp(names[i], "VERSION")) {
            char *v = trim(data[i]);
            char *nl = strchr(v, '\n');
            if (nl) *nl = '\0';
            snprintf(lex->version, sizeof lex->version, "%s", v);
        }
    }
    for (size_t i = 0; i < nnames; i++) {
        size_t l = strlen(names[i]);
        /* scale.tsv is the report's tension scale (levels.h), not entries;
         * it is hashed with the rest so a report names the scale it used */
        if (l > 4 && !strcmp(names[i] + l - 4, ".tsv") && strcmp(names[i], "identifiers.tsv") &&
            strcmp(names[i], "scale.tsv"))
            parse_entries(lex, data[i], names[i], st);
    }
    add_gazetteer(lex, st, &h);
    mark_ambiguous(lex);
    if (tm_sha256_final_hex(&h, lex->hash) != 0 || lex->arena.failed) {
        rc = tm_err_set(err, TM_ENOMEM, "lexicon: out of memory");
        goto cleanup;
    }
    if (lex->problems) {
        rc = TM_ELEXICON;
        goto cleanup;
    }
    if (build_index(lex) != 0) {
        rc = tm_err_set(err, TM_ENOMEM, "lexicon: out of memory");
        goto cleanup;
    }
    lex->on_problem = NULL;
    lex->err = NULL;

cleanup:
    tm_sha256_discard(&h);
    tm_stemmer_free(st);
    tm_free(names);
    if (rc != TM_OK) {
        tm_lexicon_free(lex);
        return rc;
    }
    *out = lex;
    return TM_OK;
}

void tm_lexicon_free(tm_lexicon *lex)
{
    if (!lex) return;
    for (size_t i = 0; i < lex->entries.n; i++)
        pcre2_code_free(lex->entries.v[i].re);
    tm_arena_dispose(&lex->arena);
    tm_free(lex);
}

const char *tm_lexicon_dir(const tm_lexicon *lex)
{
    return lex->dir;
}

const char *tm_lexicon_version(const tm_lexicon *lex)
{
    return lex->version;
}

const char *tm_lexicon_hash(const tm_lexicon *lex)
{
    return lex->hash;
}

size_t tm_lexicon_entry_count(const tm_lexicon *lex)
{
    return lex->entries.n;
}

const tm_lex_entry *tm_lexicon_entry(const tm_lexicon *lex, size_t i)
{
    return &lex->entries.v[i];
}

const tm_lex_ident *tm_lexicon_ident(const tm_lexicon *lex, tm_category cat, const char *id)
{
    if (lex->ident_slots) {
        for (size_t j = ident_hash(cat, id) & lex->ident_mask; lex->ident_slots[j];
             j = (j + 1) & lex->ident_mask) {
            const tm_lex_ident *x = &lex->idents.v[lex->ident_slots[j] - 1];
            if (x->cat == cat && !strcmp(x->id, id)) return x;
        }
        return NULL;
    }
    for (size_t i = 0; i < lex->idents.n; i++)
        if (lex->idents.v[i].cat == cat && !strcmp(lex->idents.v[i].id, id))
            return &lex->idents.v[i];
    return NULL;
}

unsigned tm_lexicon_entry_flags(const tm_lexicon *lex, size_t i)
{
    return lex->entry_flags[i];
}

size_t tm_lexicon_ident_count(const tm_lexicon *lex)
{
    return lex->idents.n;
}

const tm_lex_ident *tm_lexicon_ident_at(const tm_lexicon *lex, size_t i)
{
    return &lex->idents.v[i];
}

uint32_t tm_lexicon_sym(const tm_lexicon *lex, int surface, const char *s, size_t n)
{
    char key[TM_TOKEN_MAX * 2 + 16];
    if (n + 1 > sizeof key) return 0;
    key[0] = surface ? 'W' : 'S';
    memcpy(key + 1, s, n);
    return strtab_find(&lex->syms, key, n + 1, NULL);
}

const char *tm_lexicon_sym_text(const tm_lexicon *lex, uint32_t sym)
{
    if (sym == 0 || sym > lex->syms.strs.n) return "";
    return lex->syms.strs.v[sym - 1] + 1;
}

const tm_lex_start *tm_lexicon_starting(const tm_lexicon *lex, int surface, uint32_t sym, size_t *n)
{
    (void)surface; /* symbols are namespaced already */
    if (sym == 0 || sym > lex->syms.strs.n || !lex->starts) {
        *n = 0;
        return NULL;
    }
    *n = lex->starts[sym].count;
    return lex->start_ix.v + lex->starts[sym].start;
}

const uint32_t *tm_lexicon_regexes(const tm_lexicon *lex, size_t *n)
{
    *n = lex->regexes.n;
    return lex->regexes.v;
}

int tm_lexicon_is_protected(const tm_lexicon *lex, const char *word, size_t n)
{
    return strtab_find(&lex->protect, word, n, NULL) != 0;
}

int tm_lexicon_is_stopword(const tm_lexicon *lex, const char *word, size_t n)
{
    return strtab_find(&lex->stop, word, n, NULL) != 0;
}
