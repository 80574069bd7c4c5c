/*
 * tag.c: finding lexicon entries in a tokenised document and applying the
 * context rules that decide what each mention means.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "tm/tag.h"
#include "tm/dates.h"

#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

/* A literal of a regex prefilter (lexicon.h), in the order of its first byte. */
typedef struct pf_lit {
    const char *s;
    uint32_t len;  /* at least 3 */
    uint32_t head; /* the first three bytes, little-end first: most candidates fail on them */
    uint32_t rx;   /* index into the lexicon's regexes */
} pf_lit;

static uint32_t head3(const char *p)
{
    const unsigned char *u = (const unsigned char *)p;
    return (uint32_t)u[0] | (uint32_t)u[1] << 8 | (uint32_t)u[2] << 16;
}

/* Where the literals of one regex occur in the current document. */
typedef struct pf_occ {
    uint32_t *v;
    size_t n, cap;
} pf_occ;

struct tm_tagger {
    const tm_lexicon *lex;
    pcre2_match_data *md;
    pcre2_match_context *mctx;
    pcre2_jit_stack *jit;
    /* regex prefilters: literals by first byte, and a bit per first two bytes */
    pf_lit *lits;
    size_t nlits;
    uint32_t lit_from[257]; /* lits[lit_from[b] .. lit_from[b+1]) start with byte b */
    uint8_t pair[65536];    /* by first two bytes, little-endian; a byte each: one load */
    pf_occ *occ;            /* per regex */
    int full_scan;          /* tm_tagger_set_full_scan */
};

static int by_first_byte(const void *pa, const void *pb)
{
    const pf_lit *a = pa, *b = pb;
    unsigned char x = (unsigned char)a->s[0], y = (unsigned char)b->s[0];
    if (x != y) return x < y ? -1 : 1;
    return a->rx < b->rx ? -1 : a->rx > b->rx;
}

static int build_prefilters(tm_tagger *tg)
{
    size_t nre, total = 0;
    const uint32_t *res = tm_lexicon_regexes(tg->lex, &nre);
    for (size_t r = 0; r < nre; r++)
        total += tm_lexicon_entry(tg->lex, res[r])->nlits;
    tg->occ = tm_calloc(nre ? nre : 1, sizeof *tg->occ);
    tg->lits = tm_calloc(total ? total : 1, sizeof *tg->lits);
    if (!tg->occ || !tg->lits) return -1;
    for (size_t r = 0; r < nre; r++) {
        const tm_lex_entry *e = tm_lexicon_entry(tg->lex, res[r]);
        for (size_t i = 0; i < e->nlits; i++) {
            pf_lit *l = &tg->lits[tg->nlits++];
            l->s = e->lits[i];
            l->len = e->lit_lens[i];
            l->rx = (uint32_t)r;
            l->head = head3(l->s);
            unsigned k = (unsigned char)l->s[0] | (unsigned)(unsigned char)l->s[1] << 8;
            tg->pair[k] = 1;
        }
    }
    qsort(tg->lits, tg->nlits, sizeof *tg->lits, by_first_byte);
    size_t j = 0;
    for (unsigned b = 0; b <= 256; b++) {
        while (j < tg->nlits && (unsigned char)tg->lits[j].s[0] < b)
            j++;
        tg->lit_from[b] = (uint32_t)j;
    }
    return 0;
}

int tm_tagger_new(tm_tagger **out, const tm_lexicon *lex, tm_err *err)
{
    *out = NULL;
    tm_tagger *tg = tm_calloc(1, sizeof *tg);
    if (!tg) return tm_err_set(err, TM_ENOMEM, "tagger: out of memory");
    tg->lex = lex;
    tg->md = pcre2_match_data_create(16, NULL);
    tg->mctx = pcre2_match_context_create(NULL);
    tg->jit = pcre2_jit_stack_create(32 * 1024, 512 * 1024, NULL);
    if (!tg->md || !tg->mctx || !tg->jit || build_prefilters(tg) != 0) {
        tm_tagger_free(tg);
        return tm_err_set(err, TM_ENOMEM, "tagger: out of memory");
    }
    /* a pattern that backtracks catastrophically stops here, not the run */
    pcre2_set_match_limit(tg->mctx, 1000000);
    pcre2_set_depth_limit(tg->mctx, 10000);
    pcre2_jit_stack_assign(tg->mctx, NULL, tg->jit);
    *out = tg;
    return TM_OK;
}

void tm_tagger_set_full_scan(tm_tagger *tg, int on)
{
    tg->full_scan = on;
}

void tm_tagger_free(tm_tagger *tg)
{
    if (!tg) return;
    pcre2_match_data_free(tg->md);
    pcre2_match_context_free(tg->mctx);
    pcre2_jit_stack_free(tg->jit);
    if (tg->occ) {
        size_t nre;
        tm_lexicon_regexes(tg->lex, &nre);
        for (size_t r = 0; r < nre; r++)
            tm_free(tg->occ[r].v);
    }
    tm_free(tg->occ);
    tm_free(tg->lits);
    tm_free(tg);
}

static int token_matches(const tm_token *tok, uint32_t sym, uint8_t mode)
{
    if (mode & TM_LEXW_SURFACE) {
        if (tok->word_sym != sym) return 0;
    } else if (tok->stem_sym != sym) {
        return 0;
    }
    if ((mode & TM_LEXW_UPPER) && !(tok->flags & TM_TOK_UPPER)) return 0;
    if ((mode & TM_LEXW_CAP) && !(tok->flags & TM_TOK_CAP)) return 0;
    return 1;
}

static tm_mention *add_mention_as(tm_doc *doc, tm_category cat, float weight, uint32_t entry,
                                  uint32_t first, uint32_t count, const char *id, const char *canon)
{
    tm_mention *m = TM_VEC_PUSH(&doc->arena, doc->mentions);
    if (!m) return NULL;
    const tm_token *a = &doc->tokens.v[first], *b = &doc->tokens.v[first + count - 1];
    m->tok_first = first;
    m->tok_count = count;
    m->off = a->off;
    m->end = b->off + b->len;
    m->sent = a->sent;
    m->cat = cat;
    m->id = id;
    m->canon = canon;
    m->weight = weight;
    m->entry = entry;
    return m;
}

static tm_mention *add_mention(tm_doc *doc, const tm_lex_entry *e, uint32_t entry, uint32_t first,
                               uint32_t count, const char *id, const char *canon)
{
    return add_mention_as(doc, e->cat, e->weight, entry, first, count, id, canon);
}

static void match_phrases(tm_tagger *tg, tm_doc *doc)
{
    const tm_lexicon *lex = tg->lex;
    for (size_t s = 0; s < doc->sentences.n; s++) {
        const tm_sentence *sent = &doc->sentences.v[s];
        uint32_t end = sent->tok_first + sent->tok_count;
        for (uint32_t i = sent->tok_first; i < end; i++) {
            const tm_token *tok = &doc->tokens.v[i];
            uint32_t keys[2] = {tok->stem_sym, tok->word_sym};
            for (int k = 0; k < 2; k++) {
                size_t n;
                const tm_lex_start *list = tm_lexicon_starting(lex, k, keys[k], &n);
                for (size_t c = 0; c < n; c++) {
                    const tm_lex_start *st = &list[c];
                    if (st->nwords > end - i || !token_matches(tok, keys[k], st->mode0)) continue;
                    if (st->nwords > 1) {
                        const tm_token *t1 = &doc->tokens.v[i + 1];
                        if (t1->gap || !token_matches(t1, st->next_sym, st->next_mode)) continue;
                    }
                    int ok = 1;
                    if (st->nwords > 2) {
                        const tm_lex_entry *e = tm_lexicon_entry(lex, st->entry);
                        for (uint32_t j = 2; ok && j < e->nwords; j++) {
                            const tm_token *t2 = &doc->tokens.v[i + j];
                            ok = !t2->gap && token_matches(t2, e->syms[j], e->modes[j]);
                        }
                    }
                    if (ok && !add_mention_as(doc, (tm_category)st->cat, st->weight, st->entry, i,
                                              st->nwords, st->id, st->id))
                        return;
                }
            }
        }
    }
}

/* Index of the token starting at byte `off`, or -1. */
static long token_at(const tm_doc *doc, uint32_t off, int want_end)
{
    size_t lo = 0, hi = doc->tokens.n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        const tm_token *t = &doc->tokens.v[mid];
        uint32_t key = want_end ? t->off + t->len : t->off;
        if (key < off)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < doc->tokens.n) {
        const tm_token *t = &doc->tokens.v[lo];
        if ((want_end ? t->off + t->len : t->off) == off) return (long)lo;
    }
    return -1;
}

static char *slugify(tm_arena *a, const char *s, size_t n)
{
    char *out = tm_arena_alloc(a, n + 1);
    if (!out) return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z') c = (char)(c + 32);
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
            out[k++] = c;
        else if (k && out[k - 1] != '_')
            out[k++] = '_';
    }
    while (k && out[k - 1] == '_')
        k--;
    out[k] = '\0';
    return out;
}

/* Every occurrence of a prefilter literal in the text, per regex, in order.
 * Literals have at least three bytes; a table of their first two rejects
 * almost every position with one load. Returns -1 when out of memory. */
static int find_literals(tm_tagger *tg, const tm_doc *doc, size_t nre)
{
    for (size_t r = 0; r < nre; r++)
        tg->occ[r].n = 0;
    if (!tg->nlits) return 0;
    const unsigned char *t = (const unsigned char *)doc->text;
    size_t len = doc->text_len;
    const uint8_t *pair = tg->pair;
    for (size_t i = 0; i + 1 < len; i++) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        /* seven positions per 8-byte load while none can start a literal */
        while (i + 8 <= len) {
            uint64_t x;
            memcpy(&x, t + i, 8);
            if (pair[x & 0xFFFF] | pair[x >> 8 & 0xFFFF] | pair[x >> 16 & 0xFFFF] |
                pair[x >> 24 & 0xFFFF] | pair[x >> 32 & 0xFFFF] | pair[x >> 40 & 0xFFFF] |
                pair[x >> 48 & 0xFFFF])
                break;
            i += 7;
        }
#endif
        if (!pair[t[i] | (unsigned)t[i + 1] << 8]) continue;
        for (uint32_t j = tg->lit_from[t[i]]; j < tg->lit_from[t[i] + 1]; j++) {
            const pf_lit *l = &tg->lits[j];
            if (l->len > len - i || head3((const char *)t + i) != l->head ||
                memcmp(t + i + 3, l->s + 3, l->len - 3) != 0)
                continue;
            pf_occ *o = &tg->occ[l->rx];
            if (o->n && o->v[o->n - 1] == i) continue;
            if (o->n == o->cap) {
                size_t cap = o->cap ? o->cap * 2 : 256;
                uint32_t *v = tm_realloc(o->v, cap * sizeof *v);
                if (!v) return -1;
                o->v = v;
                o->cap = cap;
            }
            o->v[o->n++] = (uint32_t)i;
        }
    }
    return 0;
}

static int ascii_letter(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* The first position from which a match could reach a literal at `q` past
 * at most `gap` characters that are not ASCII letters (a character
 * boundary: PCRE2 starts attempts only there). */
static size_t window_start(const char *text, size_t q, int gap)
{
    const unsigned char *t = (const unsigned char *)text;
    size_t p = q;
    int n = 0;
    while (p > 0) {
        unsigned char c = t[p - 1];
        if (!ascii_letter(c) && (c & 0xC0) != 0x80) {
            if (n == gap) break;
            n++;
        }
        p--;
    }
    while (p < q && (t[p] & 0xC0) == 0x80)
        p++;
    return p;
}

static void match_regexes(tm_tagger *tg, tm_doc *doc)
{
    size_t nre;
    const uint32_t *res = tm_lexicon_regexes(tg->lex, &nre);
    if (find_literals(tg, doc, nre) != 0) {
        doc->arena.failed = 1; /* reported by tm_tag_doc as out of memory */
        return;
    }
    for (size_t r = 0; r < nre; r++) {
        const tm_lex_entry *e = tm_lexicon_entry(tg->lex, res[r]);
        const pf_occ *occ = &tg->occ[r];
        int filtered = e->nlits && !tg->full_scan;
        size_t qi = 0;
        PCRE2_SIZE at = 0;
        while (at < doc->text_len) {
            PCRE2_SIZE from = at, limit = PCRE2_UNSET;
            if (filtered) {
                /* A match starting at s has a literal at some q >= s, within
                 * lit_gap non-letters of s. So no match starts before the
                 * window of the first literal at or after `at`, and a search
                 * from there that finds nothing up to that literal can skip
                 * to the next one: the attempts PCRE2 would make elsewhere
                 * (at every capital letter, say) cannot succeed. */
                while (qi < occ->n && occ->v[qi] < at)
                    qi++;
                if (qi == occ->n) break;
                size_t w = window_start(doc->text, occ->v[qi], e->lit_gap);
                if (w > from) from = w;
                limit = occ->v[qi];
            }
            pcre2_set_offset_limit(tg->mctx, limit);
            /* ingest guarantees valid UTF-8; without this flag PCRE2 re-validates
             * the rest of the text on every call, which is quadratic */
            int rc = pcre2_match(e->re, (PCRE2_SPTR)doc->text, doc->text_len, from,
                                 PCRE2_NO_UTF_CHECK, tg->md, tg->mctx);
            if (rc == PCRE2_ERROR_NOMATCH) {
                if (!filtered) break;
                at = (PCRE2_SIZE)occ->v[qi] + 1;
                continue;
            }
            if (rc < 0) {
                PCRE2_UCHAR msg[256];
                pcre2_get_error_message(rc, msg, sizeof msg);
                tm_doc_add_error(doc, "%s: pattern %s:%d skipped for this document: %s", doc->path,
                                 e->file, e->line, (const char *)msg);
                break;
            }
            PCRE2_SIZE *ov = pcre2_get_ovector_pointer(tg->md);
            size_t ms = ov[0], me = ov[1];
            at = me > ms ? me : ms + 1;
            /* a pattern may put context in lookarounds and the mention in group 1 */
            if (rc > 1 && ov[2] != PCRE2_UNSET) {
                ms = ov[2];
                me = ov[3];
            }
            long a = token_at(doc, (uint32_t)ms, 0), b = token_at(doc, (uint32_t)me, 1);
            if (a < 0 || b < a || doc->tokens.v[a].sent != doc->tokens.v[b].sent) continue;
            const char *id = e->id, *canon = e->id;
            if (!strcmp(e->id, "*")) {
                size_t cs = ms, ce = me;
                canon = tm_arena_strndup(&doc->arena, doc->text + cs, ce - cs);
                id = e->cat == TM_CAT_ORGANISATION ? slugify(&doc->arena, doc->text + cs, ce - cs)
                                                   : canon;
                if (!canon || !id) return;
                if (!*id) continue; /* a name with no ASCII letter has no identifier */
            }
            add_mention(doc, e, res[r], (uint32_t)a, (uint32_t)(b - a + 1), id, canon);
        }
    }
    pcre2_set_offset_limit(tg->mctx, PCRE2_UNSET);
}

/* Cues conflict only with cues of the same identifier, so they are grouped
 * by identifier; every other category is one group. */
static int same_group(const tm_mention *a, const tm_mention *b)
{
    return a->cat == b->cat && (a->cat != TM_CAT_CUE || !strcmp(a->id, b->id));
}

static int by_length_then_position(const void *pa, const void *pb)
{
    const tm_mention *a = pa, *b = pb;
    if (a->cat != b->cat) return (int)a->cat - (int)b->cat;
    if (a->cat == TM_CAT_CUE && a->id != b->id) {
        int c = strcmp(a->id, b->id);
        if (c) return c;
    }
    if (a->tok_count != b->tok_count) return a->tok_count > b->tok_count ? -1 : 1;
    if (a->tok_first != b->tok_first) return a->tok_first < b->tok_first ? -1 : 1;
    return a->entry < b->entry ? -1 : a->entry > b->entry;
}

static int by_position(const void *pa, const void *pb)
{
    const tm_mention *a = pa, *b = pb;
    if (a->tok_first != b->tok_first) return a->tok_first < b->tok_first ? -1 : 1;
    if (a->cat != b->cat) return (int)a->cat - (int)b->cat;
    if (a->tok_count != b->tok_count) return a->tok_count > b->tok_count ? -1 : 1;
    return a->entry < b->entry ? -1 : a->entry > b->entry;
}

/* The two orders below as integers, so that sorting compares keys rather
 * than calling a comparator on 56-byte mentions (qsort with
 * by_length_then_position and by_position was ~6% of extract):
 * `k` then `entry` orders exactly as the comparator does. */
typedef struct mkey {
    uint64_t k;
    uint32_t entry, idx;
} mkey;

static int mkey_less(const mkey *a, const mkey *b)
{
    return a->k < b->k || (a->k == b->k && a->entry < b->entry);
}

/* Bottom-up merge sort: insertion-sorted runs of 16, then merges between
 * `v` and `tmp`. The result is in `v`. */
static void mkey_sort(mkey *v, mkey *tmp, size_t n)
{
    const size_t run = 16;
    for (size_t lo = 0; lo < n; lo += run) {
        size_t hi = lo + run < n ? lo + run : n;
        for (size_t i = lo + 1; i < hi; i++) {
            mkey x = v[i];
            size_t j = i;
            while (j > lo && mkey_less(&x, &v[j - 1])) {
                v[j] = v[j - 1];
                j--;
            }
            v[j] = x;
        }
    }
    mkey *src = v, *dst = tmp;
    for (size_t width = run; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n;
            size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi)
                dst[k++] = mkey_less(&src[j], &src[i]) ? src[j++] : src[i++];
            while (i < mid)
                dst[k++] = src[i++];
            while (j < hi)
                dst[k++] = src[j++];
        }
        mkey *t = src;
        src = dst;
        dst = t;
    }
    if (src != v) memcpy(v, src, n * sizeof *v);
}

/* Ranks of the cue identifiers of a document in strcmp order (equal strings,
 * equal rank), for the key of by_length_then_position. Returns the number
 * of distinct identifiers, or 0 when there are too many for the key's 12
 * bits (the caller then sorts with the comparator). */
#define CUE_RANKS 4095
typedef struct cue_rank {
    const char *id;
    uint32_t rank;
} cue_rank;

static size_t rank_cues(const tm_mention *m, size_t n, cue_rank *r)
{
    size_t nr = 0;
    for (size_t i = 0; i < n; i++) {
        if (m[i].cat != TM_CAT_CUE) continue;
        size_t j = 0;
        while (j < nr && r[j].id != m[i].id)
            j++;
        if (j < nr) continue;
        if (nr == CUE_RANKS) return 0;
        /* insertion in strcmp order; pointers are distinct, strings may not be */
        size_t at = nr;
        while (at > 0 && strcmp(r[at - 1].id, m[i].id) > 0) {
            r[at] = r[at - 1];
            at--;
        }
        r[at].id = m[i].id;
        nr++;
    }
    for (size_t j = 0; j < nr; j++)
        r[j].rank = j && !strcmp(r[j - 1].id, r[j].id) ? r[j - 1].rank : (uint32_t)j;
    return nr ? nr : 1;
}

static uint32_t cue_rank_of(const cue_rank *r, size_t nr, const char *id)
{
    for (size_t j = 0; j < nr; j++)
        if (r[j].id == id) return r[j].rank;
    return 0; /* not reached: every cue's pointer was ranked */
}

/* Longest wins inside a category (cues: inside an identifier); the same
 * identifier on the same words counts once. Candidates are visited longest
 * first; `stamp[t] == group` marks token t as taken in the current group, so
 * the check costs the candidate's length, not the number of kept mentions
 * (a 100 MB document has millions of them). */
static void resolve_overlaps(tm_doc *doc)
{
    tm_mention *m = doc->mentions.v;
    size_t n = doc->mentions.n;
    if (!n) return;
    uint32_t *stamp = tm_arena_alloc(&doc->arena, doc->tokens.n * sizeof *stamp);
    if (!stamp) return; /* arena.failed is set: tm_tag_doc reports it */
    mkey *key = tm_arena_alloc(&doc->arena, 2 * n * sizeof *key);
    cue_rank *ranks = tm_arena_alloc(&doc->arena, (n < CUE_RANKS ? n : CUE_RANKS) * sizeof *ranks);
    tm_mention *sorted = tm_arena_alloc(&doc->arena, n * sizeof *sorted);
    if (!key || !ranks || !sorted) return;
    size_t nr = rank_cues(m, n, ranks);
    int keyed = nr > 0 && TM_CAT__COUNT <= 16;
    for (size_t i = 0; keyed && i < n; i++) {
        if (m[i].tok_count >= 0xFFFF) keyed = 0; /* does not fit the key */
        uint64_t rank = m[i].cat == TM_CAT_CUE ? cue_rank_of(ranks, nr, m[i].id) : 0;
        key[i].k = (uint64_t)m[i].cat << 60 | rank << 48 |
                   (uint64_t)(0xFFFF - m[i].tok_count) << 32 | m[i].tok_first;
        key[i].entry = m[i].entry;
        key[i].idx = (uint32_t)i;
    }
    if (!keyed) {
        qsort(m, n, sizeof *m, by_length_then_position);
        for (size_t i = 0; i < n; i++)
            key[i].idx = (uint32_t)i;
    } else {
        mkey_sort(key, key + n, n);
    }
    /* candidates in key order, kept ones copied to `sorted` */
    size_t kept = 0;
    uint32_t group = 0;
    const tm_mention *prev = NULL;
    for (size_t i = 0; i < n; i++) {
        const tm_mention *c = &m[key[i].idx];
        if (!prev || !same_group(c, prev)) group++;
        prev = c;
        uint32_t a = c->tok_first, b = a + c->tok_count;
        int keep = 1;
        for (uint32_t t = a; t < b && keep; t++)
            keep = stamp[t] != group;
        if (!keep) continue;
        for (uint32_t t = a; t < b; t++)
            stamp[t] = group;
        sorted[kept++] = *c;
    }
    doc->mentions.n = kept;
    if (!keyed) {
        memcpy(m, sorted, kept * sizeof *m);
        qsort(m, kept, sizeof *m, by_position);
        return;
    }
    for (size_t i = 0; i < kept; i++) {
        key[i].k = (uint64_t)sorted[i].tok_first << 32 | (uint64_t)sorted[i].cat << 16 |
                   (0xFFFF - sorted[i].tok_count);
        key[i].entry = sorted[i].entry;
        key[i].idx = (uint32_t)i;
    }
    mkey_sort(key, key + n, kept);
    for (size_t i = 0; i < kept; i++)
        m[i] = sorted[key[i].idx];
}

static const tm_mention *cue_at(const tm_doc *doc, uint32_t tok, const char *cue)
{
    /* mentions are sorted by first token: binary search, then scan the ties */
    size_t lo = 0, hi = doc->mentions.n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (doc->mentions.v[mid].tok_first < tok)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t i = lo; i < doc->mentions.n && doc->mentions.v[i].tok_first == tok; i++)
        if (doc->mentions.v[i].cat == TM_CAT_CUE && !strcmp(doc->mentions.v[i].id, cue))
            return &doc->mentions.v[i];
    return NULL;
}

static int token_is(const tm_doc *doc, const tm_token *t, const char *s)
{
    return strlen(s) == t->len && memcmp(doc->text + t->off, s, t->len) == 0;
}

/* Per-token facts the context rules look up, built once per document so
 * that no rule scans the other mentions of a sentence (one 100 MB sentence
 * would make that quadratic). Kept mentions of one category never overlap,
 * so each token is covered by at most one organisation and ends at most one
 * negation cue. */
enum { CS_PERSON_TITLE = 1, CS_OBJECT_NOUN = 2 };

typedef struct tok_index {
    uint8_t *covered;   /* some non-cue mention covers the token */
    uint8_t *cue_start; /* CS_*: a cue of that id starts at the token (cue_at's
                         * search per rule and mention was 2-3% of extract) */
    uint32_t *org_len;  /* tokens of the organisation covering it, 0 if none */
    uint32_t *neg_end;  /* 1 + index of the negation cue ending just before it, 0 if none */
} tok_index;

static int build_tok_index(tok_index *ix, tm_doc *doc)
{
    size_t nt = doc->tokens.n + 1;
    ix->covered = tm_arena_alloc(&doc->arena, nt);
    ix->org_len = tm_arena_alloc(&doc->arena, nt * sizeof *ix->org_len);
    ix->neg_end = tm_arena_alloc(&doc->arena, nt * sizeof *ix->neg_end);
    ix->cue_start = tm_arena_alloc(&doc->arena, nt);
    if (!ix->covered || !ix->org_len || !ix->neg_end || !ix->cue_start) return -1;
    for (size_t i = 0; i < doc->mentions.n; i++) {
        const tm_mention *m = &doc->mentions.v[i];
        uint32_t a = m->tok_first, b = a + m->tok_count;
        if (m->cat == TM_CAT_CUE) {
            if (!strcmp(m->id, "negation") && m->tok_count) ix->neg_end[b] = (uint32_t)i + 1;
            if (!strcmp(m->id, "person_title")) ix->cue_start[a] |= CS_PERSON_TITLE;
            if (!strcmp(m->id, "object_noun")) ix->cue_start[a] |= CS_OBJECT_NOUN;
            continue;
        }
        for (uint32_t t = a; t < b; t++) {
            ix->covered[t] = 1;
            if (m->cat == TM_CAT_ORGANISATION && m->tok_count > ix->org_len[t])
                ix->org_len[t] = m->tok_count;
        }
    }
    return 0;
}

static void context_rules(const tm_lexicon *lex, tm_doc *doc)
{
    tm_mention *m = doc->mentions.v;
    size_t n = doc->mentions.n;
    tok_index ix;
    if (!n || build_tok_index(&ix, doc) != 0)
        return; /* nothing to do, or arena.failed is set and reported */
    for (size_t i = 0; i < n; i++) {
        tm_mention *x = &m[i];
        const tm_token *first = &doc->tokens.v[x->tok_first];
        const tm_sentence *sent = &doc->sentences.v[x->sent];
        if (x->cat == TM_CAT_CUE) continue;
        /* a speaker's initials ("MK said") are a person, not a place or a word */
        if (x->tok_count == 1 && (first->flags & TM_TOK_UPPER)) {
            for (size_t s = 0; s < doc->speakers.n; s++)
                if (token_is(doc, first, doc->speakers.v[s].initials)) x->dropped = 1;
        }
        /* "Mr Pride", "Cllr Black": a person's name */
        if (x->tok_first > sent->tok_first && (first->flags & TM_TOK_CAP) &&
            x->cat != TM_CAT_ORGANISATION) {
            uint32_t p = x->tok_first - 1;
            if ((ix.cue_start[p] & CS_PERSON_TITLE) ||
                (p > sent->tok_first && (ix.cue_start[p - 1] & CS_PERSON_TITLE) &&
                 (doc->tokens.v[p].flags & TM_TOK_CAP)))
                x->dropped = 1;
            /* "worked with Alfie Pride": a capitalised first name before a
             * single capitalised word makes it a surname */
            const tm_token *prev = &doc->tokens.v[p];
            if (x->tok_count == 1 && p > sent->tok_first && !first->gap &&
                (prev->flags & TM_TOK_CAP) && !(prev->flags & TM_TOK_UPPER) &&
                !(prev->flags & TM_TOK_DIGIT) &&
                !(sent->flags & (TM_SENT_HEADING | TM_SENT_TABLE)) && !ix.covered[p] &&
                !(doc->tokens.v[p - 1].flags & TM_TOK_CAP) &&
                (x->cat != TM_CAT_PLACE ||
                 (tm_lexicon_entry_flags(lex, x->entry) & TM_LEXF_GAZETTEER)))
                x->dropped = 1;
        }
        /* "a Polish shop": a nationality word about a thing */
        if (x->cat == TM_CAT_COMMUNITY) {
            uint32_t after = x->tok_first + x->tok_count;
            if (after < sent->tok_first + sent->tok_count && !doc->tokens.v[after].gap &&
                (ix.cue_start[after] & CS_OBJECT_NOUN))
                x->dropped = 1;
        }
        /* "March", "Deal", "Bath": a place only "in", "at", "near" ... it */
        if (x->cat == TM_CAT_PLACE &&
            (tm_lexicon_entry_flags(lex, x->entry) & TM_LEXF_NEEDS_CONTEXT)) {
            static const char *const locative[] = {
                "in",      "at",     "from",    "near",    "around", "to",         "of", "across",
                "outside", "within", "towards", "between", "into",   "throughout", NULL};
            int ok = 0;
            if (x->tok_first > sent->tok_first && !first->gap) {
                const tm_token *prev = &doc->tokens.v[x->tok_first - 1];
                for (size_t k = 0; locative[k] && !ok; k++)
                    ok = token_is(doc, prev, locative[k]);
            }
            uint32_t after = x->tok_first + x->tok_count;
            if (after < sent->tok_first + sent->tok_count &&
                (doc->tokens.v[after].flags & TM_TOK_DIGIT))
                ok = 0; /* "in March 2022" is a date */
            if (tm_month_from_name(doc->text + first->off, first->len))
                ok = 0; /* "in March" is a date far more often than the town */
            if (!ok) x->dropped = 1;
        }
        /* "England Illegal Money Lending Team": the place is part of a name */
        if (x->cat == TM_CAT_PLACE) {
            for (uint32_t t = x->tok_first; t < x->tok_first + x->tok_count; t++)
                if (ix.org_len[t] > x->tok_count) x->dropped = 1;
        }
    }
    /* negation: a cue up to two words before the mention, same clause */
    for (size_t i = 0; i < n; i++) {
        tm_mention *x = &m[i];
        if (x->cat == TM_CAT_CUE || x->dropped) continue;
        const tm_sentence *sent = &doc->sentences.v[x->sent];
        /* the cue ends 0, 1 or 2 words before the mention */
        for (uint32_t d = 0; d <= 2 && d <= x->tok_first && !x->negated; d++) {
            uint32_t k1 = ix.neg_end[x->tok_first - d];
            if (!k1) continue;
            const tm_mention *c = &m[k1 - 1];
            uint32_t cend = c->tok_first + c->tok_count;
            if (c->sent != x->sent || c->tok_first < sent->tok_first) continue;
            int clause_break = 0;
            for (uint32_t t = cend; t <= x->tok_first; t++)
                clause_break |= doc->tokens.v[t].gap;
            if (!clause_break) x->negated = 1;
        }
    }
}

/* An agenda item whose body is only "Deferred to the next meeting" or
 * "Nothing of note" (after an optional role line such as "All"). One pass
 * over the sentences with a state per section. */
typedef struct deferral {
    int body, deferred, heading_says;
} deferral;

static void mark_deferred(tm_doc *doc)
{
    size_t ns = doc->sections.n;
    if (!ns) return;
    deferral *d = tm_arena_alloc(&doc->arena, ns * sizeof *d);
    if (!d) return; /* arena.failed is set: tm_tag_doc reports it */
    for (size_t i = 0; i < doc->sentences.n; i++) {
        const tm_sentence *st = &doc->sentences.v[i];
        if (st->section < 0 || (size_t)st->section >= ns) continue;
        deferral *f = &d[st->section];
        if (st->flags & TM_SENT_HEADING) {
            for (uint32_t t = st->tok_first; t < st->tok_first + st->tok_count; t++)
                f->heading_says |= cue_at(doc, t, "deferral") != NULL;
            continue;
        }
        char last = doc->text[st->end - 1];
        if (st->tok_count <= 3 && last != '.' && !f->body)
            continue; /* the role line under the title */
        f->body++;
        if (f->body == 1)
            for (uint32_t t = st->tok_first;
                 t < st->tok_first + st->tok_count && t < st->tok_first + 2; t++)
                f->deferred |= cue_at(doc, t, "deferral") != NULL;
    }
    for (size_t s = 0; s < ns; s++) {
        tm_section *sec = &doc->sections.v[s];
        deferral *f = &d[s];
        /* sub-sections belong to the item too: any one makes it a real item */
        if (s + 1 < ns && doc->sections.v[s + 1].level > sec->level) f->body += 3;
        if ((f->deferred && f->body <= 2) || (f->heading_says && f->body == 0)) sec->deferred = 1;
    }
    for (size_t i = 0; i < doc->sentences.n; i++) {
        tm_sentence *st = &doc->sentences.v[i];
        if (st->section >= 0 && doc->sections.v[st->section].deferred)
            st->flags |= TM_SENT_DEFERRED;
    }
    for (size_t i = 0; i < doc->mentions.n; i++)
        if (doc->sentences.v[doc->mentions.v[i].sent].flags & TM_SENT_DEFERRED)
            doc->mentions.v[i].negated = 1;
}

/* A sentence that starts with a boilerplate cue ("Apologies were received",
 * "AOB", "Minutes of the last meeting were agreed") is procedure. The cue
 * may follow a reference or an item number ("RA/1 Welcomed everyone",
 * "9. AOB"), so it counts within the first three words; later in a sentence
 * the same words can be part of real business ("... the apologies the
 * council offered"). Such a sentence is flagged TM_SENT_BOILER (its words
 * leave the rate denominator) and every other mention in it is dropped:
 * kept in the database for review, never counted, never a signal. */
static void mark_boilerplate(tm_doc *doc)
{
    tm_mention *m = doc->mentions.v;
    size_t n = doc->mentions.n;
    for (size_t i = 0; i < n; i++) {
        if (m[i].cat != TM_CAT_CUE || m[i].dropped || strcmp(m[i].id, "boilerplate") != 0) continue;
        tm_sentence *sent = &doc->sentences.v[m[i].sent];
        if (m[i].tok_first - sent->tok_first < 3) sent->flags |= TM_SENT_BOILER;
    }
    for (size_t i = 0; i < n; i++)
        if ((doc->sentences.v[m[i].sent].flags & TM_SENT_BOILER) &&
            !(m[i].cat == TM_CAT_CUE && !strcmp(m[i].id, "boilerplate")))
            m[i].dropped = 1;
}

int tm_tag_doc(tm_tagger *tg, tm_doc *doc, tm_err *err)
{
    match_phrases(tg, doc);
    match_regexes(tg, doc);
    if (doc->arena.failed)
        return tm_err_set(err, TM_ENOMEM, "%s: out of memory tagging", doc->path);
    resolve_overlaps(doc);
    context_rules(tg->lex, doc);
    mark_deferred(doc);
    mark_boilerplate(doc);
    if (doc->arena.failed)
        return tm_err_set(err, TM_ENOMEM, "%s: out of memory tagging", doc->path);
    return TM_OK;
}
