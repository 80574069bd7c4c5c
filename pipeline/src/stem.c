/*
 * stem.c: libstemmer behind a cache of lower-cased word -> lexicon symbols.
 * Stemming every token costs ~30 MB/s; with the cache a repeated word costs a
 * hash probe, which keeps the pipeline near tokeniser speed.
 */
#include "tm/stem.h"
#include "tm/tokenise.h"

#include <libstemmer.h>
#include <string.h>

typedef struct slot {
    uint64_t hash;    /* 0 = empty */
    uint32_t key_off; /* into pool */
    uint32_t key_len;
    uint32_t word_sym, stem_sym;
} slot;

struct tm_stemmer {
    struct sb_stemmer *sb;
    const tm_lexicon *lex;
    slot *slots;
    size_t cap, used; /* cap is a power of two */
    char *pool;
    size_t pool_n, pool_cap;
};

int tm_stemmer_new(tm_stemmer **out, const tm_lexicon *lex, tm_err *err)
{
    *out = NULL;
    tm_stemmer *st = tm_calloc(1, sizeof *st);
    if (!st) return tm_err_set(err, TM_ENOMEM, "stemmer: out of memory");
    st->sb = sb_stemmer_new("english", "UTF_8");
    if (!st->sb) {
        tm_free(st);
        return tm_err_set(err, TM_ENOMEM,
                          "stemmer: libstemmer has no English UTF-8 stemmer (or out of memory)");
    }
    st->lex = lex;
    *out = st;
    return TM_OK;
}

void tm_stemmer_free(tm_stemmer *st)
{
    if (!st) return;
    sb_stemmer_delete(st->sb);
    tm_free(st->slots);
    tm_free(st->pool);
    tm_free(st);
}

size_t tm_stem_fold(char *out, size_t cap, const char *word, size_t n)
{
    if (cap == 0) return 0;
    /* ASCII first, branch-free: most words are nothing else */
    size_t k = 0, lim = n < cap - 1 ? n : cap - 1;
    for (; k < lim && (unsigned char)word[k] < 0x80; k++) {
        unsigned char c = (unsigned char)word[k];
        out[k] = (char)(c + 32 * ((unsigned char)(c - 'A') < 26));
    }
    for (size_t i = k; i < n && k + 1 < cap; i++) {
        unsigned char c = (unsigned char)word[i];
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c + 32);
        else if (c == 0xC3 && i + 1 < n && k + 2 < cap) {
            unsigned char d = (unsigned char)word[i + 1];
            if (d >= 0x80 && d <= 0x9E && d != 0x97) d = (unsigned char)(d + 0x20);
            out[k++] = (char)c;
            out[k++] = (char)d;
            i++;
            continue;
        } else if (c == 0xE2 && i + 2 < n && (unsigned char)word[i + 1] == 0x80 &&
                   (unsigned char)word[i + 2] == 0x99) {
            c = '\''; /* typographic apostrophe */
            i += 2;
        }
        out[k++] = (char)c;
    }
    out[k] = '\0';
    return k;
}

size_t tm_stem_key(char *out, size_t cap, const char *word, size_t n)
{
    size_t k = tm_stem_fold(out, cap, word, n);
    /* "Police's" is the word "police" for every lexicon purpose */
    if (k >= 5 && out[k - 2] == '\'' && out[k - 1] == 's') out[k -= 2] = '\0';
    return k;
}

const char *tm_stem_word(tm_stemmer *st, const char *lower, size_t n, size_t *out_len)
{
    const sb_symbol *s = sb_stemmer_stem(st->sb, (const sb_symbol *)lower, (int)n);
    if (!s) return NULL;
    *out_len = (size_t)sb_stemmer_length(st->sb);
    return (const char *)s;
}

static int cache_grow(tm_stemmer *st)
{
    size_t ncap = st->cap ? st->cap * 2 : 4096;
    slot *ns = tm_calloc(ncap, sizeof *ns);
    if (!ns) return -1;
    for (size_t i = 0; i < st->cap; i++) {
        slot *o = &st->slots[i];
        if (!o->hash) continue;
        size_t j = o->hash & (ncap - 1);
        while (ns[j].hash)
            j = (j + 1) & (ncap - 1);
        ns[j] = *o;
    }
    tm_free(st->slots);
    st->slots = ns;
    st->cap = ncap;
    return 0;
}

static void cache_clear(tm_stemmer *st)
{
    memset(st->slots, 0, st->cap * sizeof *st->slots);
    st->used = 0;
    st->pool_n = 0;
}

/* Looks a folded word up, computing and caching its symbols on a miss. */
/* The cache's own hash, eight bytes at a time: FNV-1a's byte-serial
 * multiplies were a third of stemming once the slots were prefetched. The
 * eight bytes after w[n - 1] must be readable and zero (the caller pads). */
static uint64_t key_hash(const char *w, size_t n)
{
    uint64_t h = 0x9E3779B97F4A7C15u ^ n;
    for (size_t i = 0; i < n; i += 8) {
        uint64_t x;
        memcpy(&x, w + i, 8);
        h = (h ^ x) * 0xFF51AFD7ED558CCDu;
        h ^= h >> 32;
    }
    /* the slot is the low bits: mix the high ones down */
    h ^= h >> 29;
    h *= 0xC4CEB9FE1A85EC53u;
    h ^= h >> 32;
    return h | 1;
}

static int lookup(tm_stemmer *st, const char *w, size_t n, uint64_t h, uint32_t *word_sym,
                  uint32_t *stem_sym)
{
    if (st->cap) {
        size_t j = h & (st->cap - 1);
        while (st->slots[j].hash) {
            slot *s = &st->slots[j];
            if (s->hash == h && s->key_len == n && memcmp(st->pool + s->key_off, w, n) == 0) {
                *word_sym = s->word_sym;
                *stem_sym = s->stem_sym;
                return 0;
            }
            j = (j + 1) & (st->cap - 1);
        }
    }
    uint32_t ws = 0, ss = 0;
    if (st->lex) {
        ws = tm_lexicon_sym(st->lex, 1, w, n);
        size_t sl;
        const char *stem = tm_stem_word(st, w, n, &sl);
        if (!stem) return -1;
        ss = tm_lexicon_sym(st->lex, 0, stem, sl);
    }
    *word_sym = ws;
    *stem_sym = ss;
    if (st->used >= TM_STEM_CACHE_MAX) cache_clear(st);
    if ((st->used + 1) * 2 > st->cap && cache_grow(st) != 0) return -1;
    if (st->pool_n + n > st->pool_cap) {
        size_t ncap = st->pool_cap ? st->pool_cap * 2 : 65536;
        while (ncap < st->pool_n + n)
            ncap *= 2;
        char *np = tm_realloc(st->pool, ncap);
        if (!np) return -1;
        st->pool = np;
        st->pool_cap = ncap;
    }
    memcpy(st->pool + st->pool_n, w, n);
    size_t j = h & (st->cap - 1);
    while (st->slots[j].hash)
        j = (j + 1) & (st->cap - 1);
    st->slots[j] = (slot){h, (uint32_t)st->pool_n, (uint32_t)n, ws, ss};
    st->pool_n += n;
    st->used++;
    return 0;
}

int tm_stem_doc(tm_stemmer *st, tm_doc *doc, tm_err *err)
{
    /* On a large corpus the cache outgrows the CPU's caches and a token's
     * slot was a miss nearly every time (over half of stemming): keys are
     * folded and hashed AHEAD tokens before they are looked up, and their
     * slots fetched meanwhile. (A prefetch is only a hint: a slot array
     * grown or cleared in between costs a miss, not a wrong answer.) */
    enum { AHEAD = 4 };
    enum { KEY_CAP = TM_TOKEN_MAX * 2 + 8 };
    char buf[AHEAD][KEY_CAP + 8]; /* + 8: the zeros key_hash reads */
    size_t len[AHEAD];
    uint64_t hash[AHEAD];
    size_t n = doc->tokens.n;
    for (size_t i = 0; i < n + AHEAD; i++) {
        size_t r = i % AHEAD;
        if (i >= AHEAD) { /* token i - AHEAD, whose key is in buf[r] */
            tm_token *t = &doc->tokens.v[i - AHEAD];
            if (lookup(st, buf[r], len[r], hash[r], &t->word_sym, &t->stem_sym) != 0)
                return tm_err_set(err, TM_ENOMEM, "%s: out of memory stemming", doc->path);
        }
        if (i < n) {
            const tm_token *t = &doc->tokens.v[i];
            len[r] = tm_stem_key(buf[r], KEY_CAP, doc->text + t->off, t->len);
            memset(buf[r] + len[r], 0, 8);
            hash[r] = key_hash(buf[r], len[r]);
            if (st->cap) __builtin_prefetch(&st->slots[hash[r] & (st->cap - 1)]);
        }
    }
    return TM_OK;
}
