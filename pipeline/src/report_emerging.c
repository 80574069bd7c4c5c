/*
 * report_emerging.c: the report's emerging terms. Words and two-word phrases
 * that no lexicon entry uses, counted in the stored sentences of each period
 * and compared with the K periods before it by Dunning's G2, so that a new
 * concern shows up before anyone adds it to a lexicon (reports/README.md,
 * "Emerging terms").
 *
 * Sentences stream in period order and only K + 1 term counts are alive at
 * any time (the period being read and its baseline), each an open-addressing
 * table of term -> count over a string pool: memory follows the largest
 * period, never the corpus, and no jansson object is built per term.
 */
#include "report_int.h"
#include "tm/stem.h"
#include "tm/tokenise.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Words whose keep/drop verdict is cached before the cache starts over: the
 * vocabulary of a corpus is far below this, a stream of junk is not. */
#define VERDICT_CACHE_MAX (1u << 20)

enum { VERDICT_KEEP = 1, VERDICT_DROP = 2 };

/* ------------------------------------------------------------- term map */

typedef struct term_slot {
    uint64_t hash; /* 0 = empty (real hashes have the low bit set) */
    size_t off;    /* the term in the pool, NUL-terminated */
    uint32_t len;
    int64_t count;
} term_slot;

typedef struct term_map {
    term_slot *slots; /* cap is a power of two, at most half full */
    size_t cap, n;
    char *pool;
    size_t pool_n, pool_cap;
} term_map;

static void map_dispose(term_map *m)
{
    tm_free(m->slots);
    tm_free(m->pool);
    memset(m, 0, sizeof *m);
}

/* Empties the map but keeps its memory: the next period is about as big. */
static void map_reset(term_map *m)
{
    if (m->slots) memset(m->slots, 0, m->cap * sizeof *m->slots);
    m->n = 0;
    m->pool_n = 0;
}

static uint64_t term_hash(const char *s, size_t n)
{
    return tm_hash(s, n, 0) | 1;
}

static term_slot *map_find(const term_map *m, const char *s, size_t n, uint64_t h)
{
    if (!m->cap) return NULL;
    for (size_t j = h & (m->cap - 1);; j = (j + 1) & (m->cap - 1)) {
        term_slot *e = &m->slots[j];
        if (!e->hash) return NULL;
        if (e->hash == h && e->len == n && !memcmp(m->pool + e->off, s, n)) return e;
    }
}

static int map_grow(term_map *m)
{
    size_t ncap = m->cap ? m->cap * 2 : 1024;
    term_slot *ns = tm_calloc(ncap, sizeof *ns);
    if (!ns) return TM_ENOMEM;
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->slots[i].hash) continue;
        size_t j = m->slots[i].hash & (ncap - 1);
        while (ns[j].hash)
            j = (j + 1) & (ncap - 1);
        ns[j] = m->slots[i];
    }
    tm_free(m->slots);
    m->slots = ns;
    m->cap = ncap;
    return TM_OK;
}

/* The slot of term s[0..n), created with count 0 if new; NULL when out of
 * memory. */
static term_slot *map_slot(term_map *m, const char *s, size_t n, uint64_t h)
{
    term_slot *e = map_find(m, s, n, h);
    if (e) return e;
    if ((m->n + 1) * 2 > m->cap && map_grow(m) != TM_OK) return NULL;
    if (m->pool_n + n + 1 > m->pool_cap) {
        size_t ncap = m->pool_cap ? m->pool_cap * 2 : 16384;
        while (ncap < m->pool_n + n + 1)
            ncap *= 2;
        char *np = tm_realloc(m->pool, ncap);
        if (!np) return NULL;
        m->pool = np;
        m->pool_cap = ncap;
    }
    memcpy(m->pool + m->pool_n, s, n);
    m->pool[m->pool_n + n] = '\0';
    size_t j = h & (m->cap - 1);
    while (m->slots[j].hash)
        j = (j + 1) & (m->cap - 1);
    m->slots[j] = (term_slot){h, m->pool_n, (uint32_t)n, 0};
    m->pool_n += n + 1;
    m->n++;
    return &m->slots[j];
}

/* --------------------------------------------------------------- scanner */

typedef struct hp {
    char key[16];
    char first[11]; /* earliest period_date; "" when undated */
    int64_t docs;
} hp;

typedef struct em {
    tm_report__ctx *c;
    const tm_lexicon *lex;
    tm_stemmer *stem; /* only with a lexicon */
    tm_trend_test t;
    hp *p; /* the history's periods, key order */
    size_t np, pcap;
    size_t start;          /* first period counted: K before the first reported one */
    size_t cur;            /* the period being read */
    term_map *ring;        /* K + 1 maps: period i uses ring[(i - start) % (K + 1)] */
    int64_t *words;        /* idem: word tokens read in that period */
    const term_map **base; /* K slots: the baseline maps of the period finished */
    term_map verdict;      /* lower-cased word -> VERDICT_* */
} em;

static int em_oom(em *e)
{
    return tm_err_set(e->c->err, TM_ENOMEM, "report: out of memory counting emerging terms");
}

static int on_period(const tm_agg_period *row, void *payload)
{
    em *e = payload;
    if (e->np == e->pcap) {
        size_t nc = e->pcap ? e->pcap * 2 : 64;
        hp *np = tm_realloc(e->p, nc * sizeof *np);
        if (!np) return em_oom(e);
        e->p = np;
        e->pcap = nc;
    }
    hp *h = &e->p[e->np++];
    snprintf(h->key, sizeof h->key, "%s", row->period);
    snprintf(h->first, sizeof h->first, "%s", row->first ? row->first : "");
    h->docs = row->documents;
    return TM_OK;
}

/* 1 if w[0..n) (lower-cased) can be an emerging term: three bytes or more,
 * letters and no digit, not a stop word, and no lexicon entry uses the word
 * or its stem (what a lexicon names is reported as a signal already). */
static int judge(em *e, const char *w, size_t n, const unsigned char *raw, size_t rawn)
{
    if (n < 3) return 0;
    unsigned f = tm_tok_flags(raw, rawn);
    if (!(f & TM_TOK_ALPHA) || (f & TM_TOK_DIGIT)) return 0;
    if (e->lex ? tm_lexicon_is_stopword(e->lex, w, n) : tm_report__builtin_stop(w, n)) return 0;
    if (!e->lex) return 1;
    if (tm_lexicon_sym(e->lex, 1, w, n)) return 0;
    size_t sl;
    const char *s = tm_stem_word(e->stem, w, n, &sl);
    if (!s) return -1;
    return tm_lexicon_sym(e->lex, 0, s, sl) == 0;
}

/* Cached judge(): stemming every token would cost more than the rest. */
static int keep_word(em *e, const char *w, size_t n, const unsigned char *raw, size_t rawn)
{
    /* "AJM said": two to four capitals are a speaker's initials or an acronym
     * far more often than a new concern (and initials must not leave in a
     * report); the lower-case word itself is judged as usual */
    if (rawn <= 4 && (tm_tok_flags(raw, rawn) & TM_TOK_UPPER)) return 0;
    uint64_t h = term_hash(w, n);
    term_slot *v = map_find(&e->verdict, w, n, h);
    if (v) return v->count == VERDICT_KEEP;
    int k = judge(e, w, n, raw, rawn);
    if (k < 0) return -1;
    if (e->verdict.n >= VERDICT_CACHE_MAX) map_reset(&e->verdict);
    if (!(v = map_slot(&e->verdict, w, n, h))) return -1;
    v->count = k ? VERDICT_KEEP : VERDICT_DROP;
    return k;
}

/* Punctuation that ends a clause: no phrase spans it (the tagger's rule). */
static int clause_break(const unsigned char *t, size_t len)
{
    unsigned char c = t[0];
    if (c == ',' || c == ';' || c == ':' || c == '(' || c == ')' || c == '"' || c == '?' ||
        c == '!' || c == '|' || (c >= 0x80 && c != 0xE2))
        return 1;
    return c == 0xE2 && len == 3 && t[1] == 0x80 &&
           (t[2] == 0x9C || t[2] == 0x9D || t[2] == 0x93 || t[2] == 0x94);
}

static int count_term(term_map *m, const char *s, size_t n)
{
    term_slot *e = map_slot(m, s, n, term_hash(s, n));
    if (!e) return TM_ENOMEM;
    e->count++;
    return TM_OK;
}

/* Counts the kept words and bigrams of one sentence into `m`. */
static int scan_sentence(em *e, term_map *m, int64_t *words, const char *text, size_t len)
{
    const unsigned char *z = (const unsigned char *)text;
    char cur[TM_TOKEN_MAX * 2 + 8], pair[2 * sizeof cur];
    size_t prevn = 0; /* the previous kept word sits in pair[0..prevn); 0 = none */
    for (size_t i = 0; i < len;) {
        tm_tok_kind kind;
        size_t n = tm_tok_scan(z + i, len - i, &kind);
        if (kind == TM_TK_WORD) {
            (*words)++;
            size_t wn = tm_stem_key(cur, sizeof cur, text + i, n);
            int k = keep_word(e, cur, wn, z + i, n);
            if (k < 0) return TM_ENOMEM;
            if (k) {
                if (count_term(m, cur, wn) != TM_OK) return TM_ENOMEM;
                if (prevn) {
                    pair[prevn] = ' ';
                    memcpy(pair + prevn + 1, cur, wn);
                    if (count_term(m, pair, prevn + 1 + wn) != TM_OK) return TM_ENOMEM;
                }
                memcpy(pair, cur, wn);
                prevn = wn;
            } else {
                prevn = 0; /* a dropped word between two kept ones: no phrase */
            }
        } else if (kind == TM_TK_PUNCT && clause_break(z + i, n)) {
            prevn = 0;
        }
        i += n;
    }
    return TM_OK;
}

/* ------------------------------------------------------------ the lists */

typedef struct cand {
    const term_slot *s;
    const char *term;
    int64_t baseline;
    double g2;
} cand;

static int cand_cmp(const void *pa, const void *pb)
{
    const cand *a = pa, *b = pb;
    if (a->g2 != b->g2) return a->g2 > b->g2 ? -1 : 1;
    return strcmp(a->term, b->term);
}

static size_t ring_of(const em *e, size_t i)
{
    return (i - e->start) % (size_t)(e->t.baseline_periods + 1);
}

/* Writes emerging_terms of period i (a reported one) from its map and the
 * maps of the K periods before it. */
static int finish_period(em *e, size_t i)
{
    json_t *per = json_object_get(e->c->by_period, e->p[i].key);
    if (!per) return TM_OK;
    json_t *arr = json_array();
    if (!arr || json_object_set_new(per, "emerging_terms", arr)) return em_oom(e);
    /* the undated pseudo-period has no predecessor (as in trends) */
    if (!e->p[i].first[0]) return TM_OK;
    const term_map *m = &e->ring[ring_of(e, i)];
    int64_t wp = e->words[ring_of(e, i)], wb = 0;
    const term_map **base = e->base;
    size_t nb = 0;
    for (size_t k = i; k > e->start && nb < (size_t)e->t.baseline_periods; k--) {
        base[nb++] = &e->ring[ring_of(e, k - 1)];
        wb += e->words[ring_of(e, k - 1)];
    }
    if (wp <= 0 || wb <= 0) return TM_OK; /* no rate to compare with */
    cand *cs = NULL;
    size_t nc = 0, cap = 0;
    int rc = TM_OK;
    for (size_t j = 0; j < m->cap; j++) {
        const term_slot *s = &m->slots[j];
        if (!s->hash || s->count < e->t.min_count) continue;
        const char *term = m->pool + s->off;
        int64_t b = 0;
        for (size_t k = 0; k < nb; k++) {
            const term_slot *o = map_find(base[k], term, s->len, s->hash);
            if (o) b += o->count;
        }
        /* a rate in the period above the baseline's: cp / wp > b / wb */
        if ((double)s->count * (double)wb <= (double)b * (double)wp) continue;
        if (nc == cap) {
            size_t ncap = cap ? cap * 2 : 256;
            cand *n2 = tm_realloc(cs, ncap * sizeof *n2);
            if (!n2) {
                rc = em_oom(e);
                goto cleanup;
            }
            cs = n2;
            cap = ncap;
        }
        cs[nc++] = (cand){s, term, b, tm_trend_g2(s->count, b, wp, wb)};
    }
    if (nc) qsort(cs, nc, sizeof *cs, cand_cmp);
    for (size_t k = 0; k < nc && k < TM_REPORT_EMERGING_TOP; k++) {
        double ll = round(cs[k].g2 * 10000.0) / 10000.0;
        json_t *o = json_object();
        if (!o || json_object_set_new(o, "term", json_string(cs[k].term)) ||
            json_object_set_new(o, "count", json_integer(cs[k].s->count)) ||
            json_object_set_new(o, "baseline_count", json_integer(cs[k].baseline)) ||
            json_object_set_new(o, "log_likelihood", json_real(ll == 0.0 ? 0.0 : ll)) ||
            json_array_append_new(arr, o)) {
            rc = em_oom(e);
            goto cleanup;
        }
    }
cleanup:
    tm_free(cs);
    return rc;
}

static void begin_period(em *e, size_t i)
{
    map_reset(&e->ring[ring_of(e, i)]);
    e->words[ring_of(e, i)] = 0;
}

static int on_sentence(const tm_agg_sentence *row, void *payload)
{
    em *e = payload;
    /* rows arrive in period order: a new key closes the periods before it */
    while (e->cur < e->np && strcmp(e->p[e->cur].key, row->period) != 0) {
        int rc = finish_period(e, e->cur);
        if (rc != TM_OK) return rc;
        if (++e->cur < e->np) begin_period(e, e->cur);
    }
    if (e->cur >= e->np) return TM_OK; /* not a history period: cannot happen */
    size_t r = ring_of(e, e->cur);
    if (scan_sentence(e, &e->ring[r], &e->words[r], row->text, row->len) != TM_OK) return em_oom(e);
    return TM_OK;
}

int tm_report__emerging(tm_report__ctx *c, tm_store *st, const tm_agg_range *hist,
                        const tm_trend_test *t)
{
    em e = {.c = c, .lex = c->opts->lexicon, .t = *t};
    int rc = TM_OK;
    size_t k1 = (size_t)t->baseline_periods + 1;
    assert(t->baseline_periods >= 1);
    if ((rc = tm_agg_periods(st, hist, on_period, &e, c->err)) != TM_OK) goto cleanup;
    /* counting starts K periods before the first reported one: nothing
     * earlier is anyone's baseline */
    size_t first = e.np;
    for (size_t i = 0; i < e.np && first == e.np; i++)
        if (json_object_get(c->by_period, e.p[i].key)) first = i;
    if (first == e.np || !e.p[first].first[0]) {
        /* nothing reported, or only the undated pseudo-period: no baseline */
        for (size_t i = 0; i < e.np; i++)
            if ((rc = finish_period(&e, i)) != TM_OK) goto cleanup;
        goto cleanup;
    }
    e.start = first > (size_t)t->baseline_periods ? first - (size_t)t->baseline_periods : 0;
    e.cur = e.start;
    e.ring = tm_calloc(k1, sizeof *e.ring);
    e.words = tm_calloc(k1, sizeof *e.words);
    e.base = tm_calloc(k1, sizeof *e.base);
    if (!e.ring || !e.words || !e.base) {
        rc = em_oom(&e);
        goto cleanup;
    }
    if (e.lex && (rc = tm_stemmer_new(&e.stem, e.lex, c->err)) != TM_OK) goto cleanup;
    tm_agg_range r = *hist;
    r.from = e.p[e.start].first;
    r.undated = 0; /* undated sentences have no baseline to stand out from */
    begin_period(&e, e.start);
    if ((rc = tm_agg_sentences(st, &r, on_sentence, &e, c->err)) != TM_OK) goto cleanup;
    /* the last period read, and any after it without a sentence left */
    for (; e.cur < e.np; e.cur++) {
        if ((rc = finish_period(&e, e.cur)) != TM_OK) goto cleanup;
        if (e.cur + 1 < e.np) begin_period(&e, e.cur + 1);
    }
cleanup:
    if (e.ring)
        for (size_t i = 0; i < k1; i++)
            map_dispose(&e.ring[i]);
    tm_free(e.ring);
    tm_free(e.words);
    tm_free(e.base);
    map_dispose(&e.verdict);
    tm_stemmer_free(e.stem);
    tm_free(e.p);
    return rc;
}
