/*
 * report_analytics.c: what the report judges, beyond what it counts: rates,
 * trends with the rising test, tone, distinct incidents, upcoming events,
 * emerging terms and the 1-6 tension levels with their reasons.
 *
 * Trends, levels and incidents look back before --from (the baseline of the
 * first reported periods, an incident first seen earlier), so they read the
 * "history" range: the report's range and slices with the lower bound open.
 * Every list is built in a fixed order (sorted keys, document order), so the
 * report stays byte-identical for the same database.
 */
#include "report_int.h"
#include "tm/dates.h"
#include "tm/stem.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ------------------------------------------------------------ helpers */

static int oom(tm_report__ctx *c, const char *where)
{
    return tm_err_set(c->err, TM_ENOMEM, "report: out of memory building %s", where);
}

static double round4(double v)
{
    double r = round(v * 10000.0) / 10000.0;
    return r == 0.0 ? 0.0 : r; /* no "-0.0" in the output */
}

static json_t *rate_of(int64_t count, int64_t words)
{
    if (words <= 0) return json_null();
    return json_real(round4((double)count * 10000.0 / (double)words));
}

static int put(json_t *obj, const char *key, json_t *v)
{
    return v ? json_object_set_new(obj, key, v) : -1;
}

static json_t *jstr(const char *s)
{
    return s ? json_string(s) : json_null();
}

/* Days since 1970-01-01 of "YYYY-MM-DD" (a valid date: tm_date_str_valid). */
static long day_of(const char *s)
{
    int y = atoi(s), m = atoi(s + 5), d = atoi(s + 8);
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153L * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

/* Built-in lists for callers without a lexicon: the taxonomy's tones. */
static const char *const default_reassuring[] = {"reassurance", "trust", "praise", NULL};

/* ------------------------------------------------------- history periods */

typedef struct hperiod {
    char key[16];
    char first[11], last[11]; /* its earliest and latest period date; "" when undated */
    int64_t words, documents;
    int undated;
} hperiod;

typedef struct ana {
    tm_report__ctx *c;
    tm_agg_range hist;
    hperiod *p;
    size_t np, pcap;
    json_t *pindex; /* key -> index in p */
    tm_trend_test trend;
    const tm_scale *scale;
    const char **reassuring; /* NULL-terminated tone identifiers */
    int64_t *new_incidents;  /* per period */
    json_t **new_by_theme;   /* per period: theme -> new incidents */
    struct trends_state *tr; /* build_trends: the series */
    struct inc_state *inc;   /* build_incidents: clusters and hits */
    struct lvl_state *lv;    /* build_levels: signal groups and the previous levels */
} ana;

static int on_hperiod(const tm_agg_period *row, void *payload)
{
    ana *a = payload;
    if (a->np == a->pcap) {
        size_t nc = a->pcap ? a->pcap * 2 : 64;
        hperiod *np = tm_realloc(a->p, nc * sizeof *np);
        if (!np) return oom(a->c, "periods");
        a->p = np;
        a->pcap = nc;
    }
    hperiod *h = &a->p[a->np];
    snprintf(h->key, sizeof h->key, "%s", row->period);
    h->words = row->words;
    h->documents = row->documents;
    h->undated = row->first == NULL;
    snprintf(h->first, sizeof h->first, "%s", row->first ? row->first : "");
    snprintf(h->last, sizeof h->last, "%s", row->last ? row->last : "");
    if (json_object_set_new(a->pindex, h->key, json_integer((json_int_t)a->np)))
        return oom(a->c, "periods");
    a->np++;
    return TM_OK;
}

static long pidx_of(const ana *a, const char *key)
{
    json_t *v = json_object_get(a->pindex, key);
    return v ? (long)json_integer_value(v) : -1;
}

/* The period before i with documents, or -1 (the undated pseudo-period has
 * no predecessor, and nothing follows it). */
static long prev_of(const ana *a, long i)
{
    if (i <= 0 || a->p[i].undated) return -1;
    return i - 1;
}

/* ---------------------------------------------------------------- series */

/* One count per history period and series: 32 bits, as a period's count of
 * one pair or theme never comes near 2^31 (series_add refuses it), and ten
 * years of weeks times a few thousand series made the 64-bit counts 11 MB. */
typedef struct series {
    char *a, *b; /* community, theme; or theme, NULL */
    int32_t *counts;
} series;

typedef struct series_set {
    series *v;
    size_t n, cap, np;
    json_t *index;
    ana *an;
    int pairs;
} series_set;

static void series_free(series_set *s)
{
    for (size_t i = 0; i < s->n; i++) {
        tm_free(s->v[i].a);
        tm_free(s->v[i].b);
        tm_free(s->v[i].counts);
    }
    tm_free(s->v);
    json_decref(s->index);
}

static int series_add(series_set *s, const char *a, const char *b, const char *period,
                      int64_t count)
{
    char key[512];
    snprintf(key, sizeof key, "%s\x1f%s", a, b ? b : "");
    long pi = pidx_of(s->an, period);
    if (pi < 0) return TM_OK; /* a period outside the history: cannot happen */
    json_t *v = json_object_get(s->index, key);
    size_t i;
    if (v) {
        i = (size_t)json_integer_value(v);
    } else {
        if (s->n == s->cap) {
            size_t nc = s->cap ? s->cap * 2 : 64;
            series *nv = tm_realloc(s->v, nc * sizeof *nv);
            if (!nv) return TM_ENOMEM;
            s->v = nv;
            s->cap = nc;
        }
        series *x = &s->v[s->n];
        x->a = tm_strndup(a, strlen(a));
        x->b = b ? tm_strndup(b, strlen(b)) : NULL;
        x->counts = tm_calloc(s->np ? s->np : 1, sizeof *x->counts);
        if (!x->a || (b && !x->b) || !x->counts) {
            tm_free(x->a);
            tm_free(x->b);
            tm_free(x->counts);
            return TM_ENOMEM;
        }
        if (json_object_set_new(s->index, key, json_integer((json_int_t)s->n))) return TM_ENOMEM;
        i = s->n++;
    }
    int64_t sum = (int64_t)s->v[i].counts[pi] + count;
    if (sum > INT32_MAX || sum < 0) return TM_EDB;
    s->v[i].counts[pi] = (int32_t)sum;
    return TM_OK;
}

/* The error of a failed series_add(). */
static int series_fail(series_set *s, int rc)
{
    if (rc == TM_EDB)
        return tm_err_set(s->an->c->err, TM_EDB, "report: a count of 2^31 or more in one period");
    return oom(s->an->c, "trends");
}

static int on_pair_series(const tm_agg_pair *row, void *payload)
{
    series_set *s = payload;
    int rc = series_add(s, row->community, row->theme, row->period, row->count);
    return rc == TM_OK ? TM_OK : series_fail(s, rc);
}

static int on_count_series(const tm_agg_count *row, void *payload)
{
    series_set *s = payload;
    int rc = series_add(s, row->key, NULL, row->period, row->count);
    return rc == TM_OK ? TM_OK : series_fail(s, rc);
}

static int series_cmp(const void *pa, const void *pb)
{
    const series *a = pa, *b = pb;
    int c = strcmp(a->a, b->a);
    if (c) return c;
    return strcmp(a->b ? a->b : "", b->b ? b->b : "");
}

/* One trend entry of series x in period i. */
static json_t *trend_entry(ana *a, const series *x, long i)
{
    const hperiod *h = &a->p[i];
    long prev = prev_of(a, i);
    int64_t cnt = x->counts[i];
    int64_t b = 0, wb = 0;
    int used = 0;
    for (long k = prev; k >= 0 && used < a->trend.baseline_periods; k--, used++) {
        b += x->counts[k];
        wb += a->p[k].words;
    }
    double p = tm_trend_poisson_p(cnt, h->words, b, wb);
    json_t *o = json_object();
    if (!o) return NULL;
    int bad = 0;
    if (x->b) {
        bad |= put(o, "community", json_string(x->a));
        bad |= put(o, "theme", json_string(x->b));
    } else {
        bad |= put(o, "theme", json_string(x->a));
    }
    bad |= put(o, "count", json_integer(cnt));
    bad |= put(o, "rate_per_10k_words", rate_of(cnt, h->words));
    if (prev >= 0) {
        int64_t pc = x->counts[prev];
        json_t *pr = rate_of(pc, a->p[prev].words), *nr = rate_of(cnt, h->words);
        bad |= put(o, "previous_period", json_string(a->p[prev].key));
        bad |= put(o, "previous_count", json_integer(pc));
        bad |= put(o, "change", json_integer(cnt - pc));
        if (json_is_real(pr) && json_is_real(nr))
            bad |=
                put(o, "rate_change", json_real(round4(json_real_value(nr) - json_real_value(pr))));
        else
            bad |= put(o, "rate_change", json_null());
        json_decref(pr);
        json_decref(nr);
    } else {
        bad |= put(o, "previous_period", json_null());
        bad |= put(o, "previous_count", json_null());
        bad |= put(o, "change", json_null());
        bad |= put(o, "rate_change", json_null());
    }
    bad |= put(o, "baseline_periods", json_integer(used));
    bad |= put(o, "baseline_count", json_integer(b));
    bad |= put(o, "baseline_words", json_integer(wb));
    bad |= put(o, "p_value", p < 0 ? json_null() : json_real(round(p * 1e8) / 1e8));
    /* tm_trend_rising() with the p-value computed once: the tail sum is
     * O(baseline count) and the report asks for it per series and period */
    bad |=
        put(o, "rising", json_boolean(cnt >= a->trend.min_count && p >= 0.0 && p < a->trend.alpha));
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

typedef struct trends_state {
    series_set pairs, themes;
} trends_state;

static void trends_free(trends_state *t)
{
    if (!t) return;
    series_free(&t->pairs);
    series_free(&t->themes);
    tm_free(t);
}

/* Reads the series of every history period (compact: one count per period
 * and series); the JSON is made one period at a time by trends_period(). */
static int build_trends(ana *a, tm_store *st)
{
    tm_report__ctx *c = a->c;
    trends_state *t = a->tr = tm_calloc(1, sizeof *t);
    if (!t) return oom(c, "trends");
    t->pairs = (series_set){.np = a->np, .index = json_object(), .an = a, .pairs = 1};
    t->themes = (series_set){.np = a->np, .index = json_object(), .an = a};
    int rc = TM_OK;
    if (!t->pairs.index || !t->themes.index) return oom(c, "trends");
    if (!c->range->from && c->pairs && c->themes) {
        /* no lower bound: the history is the report's range, whose pairs
         * and theme counts are read already (two passes over the signals
         * and theme mentions saved) */
        if ((rc = c->pairs(c->fill_payload, on_pair_series, &t->pairs)) != TM_OK ||
            (rc = c->themes(c->fill_payload, on_count_series, &t->themes)) != TM_OK)
            return rc;
    } else if ((rc = tm_agg_community_theme(st, &a->hist, on_pair_series, &t->pairs, c->err)) !=
                   TM_OK ||
               (rc = tm_agg_counts(st, &a->hist, TM_CAT_THEME, on_count_series, &t->themes,
                                   c->err)) != TM_OK) {
        return rc;
    }
    /* sorting moves the series: the index is not used after this */
    json_decref(t->pairs.index);
    json_decref(t->themes.index);
    t->pairs.index = t->themes.index = NULL;
    if (t->pairs.n) qsort(t->pairs.v, t->pairs.n, sizeof *t->pairs.v, series_cmp);
    if (t->themes.n) qsort(t->themes.v, t->themes.n, sizeof *t->themes.v, series_cmp);
    return TM_OK;
}

/* Fills trends.{community_theme,themes} of history period i, reported as `per`. */
static int trends_period(ana *a, long i, json_t *per)
{
    tm_report__ctx *c = a->c;
    json_t *tr = json_object(), *ct = json_array(), *th = json_array();
    if (!tr || !ct || !th || put(tr, "community_theme", ct) || put(tr, "themes", th) ||
        put(per, "trends", tr))
        return oom(c, "trends");
    long prev = prev_of(a, i);
    series_set *sets[2] = {&a->tr->pairs, &a->tr->themes};
    json_t *arrs[2] = {ct, th};
    for (int s = 0; s < 2; s++) {
        for (size_t k = 0; k < sets[s]->n; k++) {
            const series *x = &sets[s]->v[k];
            if (!x->counts[i] && (prev < 0 || !x->counts[prev])) continue;
            /* community x theme pairs below the test's minimum count now and
             * before cannot be rising: left out, or a long report would list
             * thousands of single mentions */
            if (s == 0 && x->counts[i] < a->trend.min_count &&
                (prev < 0 || x->counts[prev] < a->trend.min_count))
                continue;
            json_t *e = trend_entry(a, x, i);
            if (!e || json_array_append_new(arrs[s], e)) return oom(c, "trends");
        }
    }
    return TM_OK;
}

/* ----------------------------------------------------------------- rates */

/* The rates of one reported period, made in the period loop just before
 * the period is handed out: made for every period up front they were 6 MB
 * of a 120-month report, held until the end. */
static int rates_period(tm_report__ctx *c, json_t *per)
{
    static const char *const members[][2] = {{"communities", "community_rates"},
                                             {"themes", "theme_rates"},
                                             {"places", "place_rates"},
                                             {"organisations", "organisation_rates"},
                                             {"tone", "tone_rates"}};
    int64_t words = json_integer_value(json_object_get(per, "words"));
    for (size_t m = 0; m < sizeof members / sizeof *members; m++) {
        json_t *src = json_object_get(per, members[m][0]), *dst = json_object();
        if (!dst || put(per, members[m][1], dst)) return oom(c, "rates");
        const char *k;
        json_t *v;
        json_object_foreach(src, k, v)
        {
            if (put(dst, k, rate_of(json_integer_value(v), words))) return oom(c, "rates");
        }
    }
    return TM_OK;
}

/* ------------------------------------------------------------------ tone */

static int on_tone(const tm_agg_count *row, void *payload)
{
    tm_report__ctx *c = payload;
    json_t *per = json_object_get(c->by_period, row->period);
    json_t *tone = per ? json_object_get(per, "tone") : NULL;
    if (!tone) return TM_OK;
    return put(tone, row->key, json_integer(row->count)) ? oom(c, "tone") : TM_OK;
}

static int is_reassuring(const ana *a, const char *id)
{
    for (size_t i = 0; a->reassuring[i]; i++)
        if (!strcmp(a->reassuring[i], id)) return 1;
    return 0;
}

static int build_tone(ana *a, tm_store *st)
{
    tm_report__ctx *c = a->c;
    const char *pkey;
    json_t *per;
    json_object_foreach(c->by_period, pkey, per)
    {
        if (put(per, "tone", json_object())) return oom(c, "tone");
    }
    int rc = tm_agg_counts(st, c->range, TM_CAT_TONE, on_tone, c, c->err);
    if (rc != TM_OK) return rc;
    json_object_foreach(c->by_period, pkey, per)
    {
        int64_t concern = 0, reass = 0;
        const char *k;
        json_t *v;
        json_object_foreach(json_object_get(per, "tone"), k, v)
        {
            if (is_reassuring(a, k))
                reass += json_integer_value(v);
            else
                concern += json_integer_value(v);
        }
        json_t *tb = json_object();
        if (!tb || put(tb, "concern", json_integer(concern)) ||
            put(tb, "reassurance", json_integer(reass)) ||
            put(tb, "balance",
                concern + reass
                    ? json_real(round4((double)(reass - concern) / (double)(concern + reass)))
                    : json_null()) ||
            put(per, "tone_balance", tb))
            return oom(c, "tone");
    }
    return TM_OK;
}

/* ------------------------------------------------------------- incidents */

/* One per incident, so kept small: the theme and place point into
 * interned copies, the first and last seen dates are indexes into
 * inc_ctx.dates, the id is formatted when written (cluster_id) and what
 * only the clustering needs (word sets, last day and document) lives in
 * the cluster's aentry while it is within the window. With those inline a
 * cluster was 152 bytes, 47 MB of the 100 MB corpus's report. A cluster
 * that leaves the window is final and goes to the cluster file
 * (inc_ctx.cfd), pointers and all: the file is this process's scratch. */
typedef struct cluster {
    const char *theme, *place; /* interned (inc_ctx); place NULL if none */
    char date[11];             /* the incident date the text states, or "" */
    int32_t seq;               /* the id's number among incidents of its first_seen and theme */
    uint32_t first_seen, last_seen; /* in inc_ctx.dates */
    int32_t first_pidx;
    uint32_t documents; /* a cluster is a handful of sentences: 32 bits is plenty */
    uint32_t mentions;
    uint32_t in_period; /* its hits in the period being written (period_clusters) */
} cluster;

/* A period date of the history, "YYYY-MM-DD" as the rows give it. */
typedef struct pdate {
    char s[11];
} pdate;

/* An active cluster: the cluster itself and its index (its record in the
 * cluster file), its place beside it, so that the clusters of other places
 * are passed over without reading them; the word_mask() of its first and
 * last word sets, the sets themselves and what the window and the document
 * count compare with. Written out and freed with its sets once the cluster
 * leaves the window. */
typedef struct aentry {
    cluster k;
    size_t idx;
    const char *place; /* interned, or NULL */
    uint64_t first_mask, last_mask;
    uint64_t *first_set, *last_set;
    size_t nfirst, nlast;
    long last_day;
    int64_t last_doc;
} aentry;

/* Clusters of one theme seen within the window, oldest first: a row is only
 * ever compared with its own theme's clusters. */
typedef struct tbucket {
    char *theme;
    aentry *active;
    size_t nactive, cap;
    int pruned; /* the window was applied on pruned_day */
    long pruned_day;
} tbucket;

/* What word_set() decided for one lower-cased word: libstemmer costs more
 * than everything else of a word, and incident sentences repeat their
 * words. Direct-mapped; words longer than the key are not cached. */
enum { WORD_CACHE_SLOTS = 4096, WORD_CACHE_KEY = 31 };
typedef struct word_memo {
    uint8_t len; /* 0: empty */
    uint8_t stop;
    char word[WORD_CACHE_KEY];
    uint64_t stem_hash;
} word_memo;

typedef struct inc_ctx {
    ana *a;
    tm_stemmer *stem;
    word_memo *memo; /* WORD_CACHE_SLOTS, or NULL: no cache */
    const tm_lexicon *lex;
    size_t n;         /* clusters made: the next one's index */
    tbucket *buckets; /* per theme: clusters seen within the window */
    size_t nbuckets;
    /* The clusters and hits of the whole history outgrow memory on a dense
     * corpus (a cluster's final counts and last_seen are reported in every
     * period it was hit in, and some clusters last the whole history), so
     * they go to two unlinked temporary files: the clusters that left the
     * window, a fixed-size record at each index (cfd), and each hit's
     * cluster index, in row order (hits; the hits of history period i are
     * [hit0[i], hit1[i])). The page cache holds them, not the report. */
    int cfd;
    FILE *cfile, *hits;
    size_t nhits, *hit0, *hit1;
    long hit_pidx; /* the period of the last hit */
    int io_errno;  /* the errno of a failed write, else 0 */
    long window;
    json_t *ids;      /* "first_seen-theme" -> count, for ids, of ids_day only */
    char ids_day[11]; /* the period date the ids are counted for */
    json_t *places;   /* place -> the same place: the interned copies */
    pdate *dates;     /* the distinct period dates of the rows, in order */
    size_t ndates, dates_cap;
} inc_ctx;

/* "first_seen-theme-seq", cut where the ids were always cut (the key at 63
 * bytes, the id at 95). */
static void cluster_id(const inc_ctx *x, const cluster *k, char out[96])
{
    char idkey[64];
    snprintf(idkey, sizeof idkey, "%s-%s", x->dates[k->first_seen].s, k->theme);
    snprintf(out, 96, "%s-%lld", idkey, (long long)k->seq);
}

/* The interned copy of a place name (bytes as stored: no UTF-8 check, the
 * writer fixes them). NULL when out of memory. */
static const char *intern_place(inc_ctx *x, const char *place)
{
    json_t *v = json_object_get(x->places, place);
    if (!v && (json_object_set_new_nocheck(x->places, place, json_string_nocheck(place)) ||
               !(v = json_object_get(x->places, place))))
        return NULL;
    return json_string_value(v);
}

static int u64_cmp(const void *pa, const void *pb)
{
    uint64_t a = *(const uint64_t *)pa, b = *(const uint64_t *)pb;
    return (a > b) - (a < b);
}

/* Built-in stop words for the incident word sets and emerging terms when no
 * lexicon is given. */
int tm_report__builtin_stop(const char *w, size_t n)
{
    static const char *const words[] = {
        "the",  "and",  "for",  "was", "were",  "has",   "have",  "had",   "that", "this",
        "with", "from", "been", "are", "which", "their", "there", "they",  "also", "who",
        "its",  "not",  "but",  "all", "any",   "into",  "over",  "after", NULL};
    for (size_t i = 0; words[i]; i++)
        if (strlen(words[i]) == n && !memcmp(words[i], w, n)) return 1;
    return 0;
}

/* The sorted, distinct hashes of the content-word stems of `text`: words
 * of three letters or more that are not stop words. */
static int word_set(inc_ctx *x, const char *text, uint64_t **out, size_t *nout)
{
    size_t len = strlen(text), n = 0, cap = 32;
    uint64_t *v = tm_malloc(cap * sizeof *v);
    if (!v) return TM_ENOMEM;
    char low[128];
    for (size_t i = 0; i < len;) {
        if (!isalpha((unsigned char)text[i])) {
            i++;
            continue;
        }
        size_t j = i;
        while (j < len && isalpha((unsigned char)text[j]))
            j++;
        size_t wl = j - i;
        if (wl >= 3 && wl < sizeof low) {
            for (size_t k = 0; k < wl; k++)
                low[k] = (char)tolower((unsigned char)text[i + k]);
            word_memo *m = NULL;
            int cached = 0;
            if (x->memo && wl <= WORD_CACHE_KEY) {
                m = &x->memo[tm_hash(low, wl, 0) & (WORD_CACHE_SLOTS - 1)];
                cached = m->len == wl && !memcmp(m->word, low, wl);
            }
            int stop;
            uint64_t h = 0;
            if (cached) {
                stop = m->stop;
                h = m->stem_hash;
            } else {
                stop = x->lex ? tm_lexicon_is_stopword(x->lex, low, wl)
                              : tm_report__builtin_stop(low, wl);
                if (!stop) {
                    size_t sl = wl;
                    const char *s = x->stem ? tm_stem_word(x->stem, low, wl, &sl) : low;
                    if (!s) s = low, sl = wl;
                    h = tm_hash(s, sl, 11);
                }
                if (m) {
                    m->len = (uint8_t)wl;
                    m->stop = (uint8_t)stop;
                    memcpy(m->word, low, wl);
                    m->stem_hash = h;
                }
            }
            if (!stop) {
                if (n == cap) {
                    uint64_t *nv = tm_realloc(v, (cap *= 2) * sizeof *nv);
                    if (!nv) {
                        tm_free(v);
                        return TM_ENOMEM;
                    }
                    v = nv;
                }
                v[n++] = h;
            }
        }
        i = j;
    }
    if (n) qsort(v, n, sizeof *v, u64_cmp);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!k || v[k - 1] != v[i]) v[k++] = v[i];
    *out = v;
    *nout = k;
    return TM_OK;
}

/* Whether a candidate whose Jaccard index is at most `ub` can never be
 * chosen: below the threshold (unless the stated day is the same), or no
 * better than the best so far. */
typedef struct pick {
    int same_day;
    long best;
    double best_j;
} pick;

static int cannot_win(const pick *p, double ub)
{
    return (!p->same_day && ub < TM_REPORT_INCIDENT_JACCARD) || (p->best >= 0 && ub <= p->best_j);
}

/* The Jaccard index of two sorted sets, or -1 as soon as the overlap still
 * possible makes it one that cannot win (exact: the index only falls as
 * the walk goes, and the bound is the index the largest overlap would give,
 * so a rounded division never puts it on the wrong side). */
static double jaccard(const uint64_t *a, size_t na, const uint64_t *b, size_t nb, const pick *p)
{
    if (!na && !nb) return 1.0;
    size_t i = 0, j = 0, both = 0, step = 0;
    while (i < na && j < nb) {
        if (a[i] == b[j])
            both++, i++, j++;
        else if (a[i] < b[j])
            i++;
        else
            j++;
        if ((++step & 7) == 0) {
            size_t more = na - i < nb - j ? na - i : nb - j, most = both + more;
            if (cannot_win(p, (double)most / (double)(na + nb - most))) return -1.0;
        }
    }
    return (double)both / (double)(na + nb - both);
}

/* One bit per word hash: the bits of a word set. */
static unsigned mask_bit(uint64_t h)
{
    return (unsigned)((h ^ (h >> 29) ^ (h >> 47)) & 63);
}

static uint64_t word_mask(const uint64_t *v, size_t n)
{
    uint64_t m = 0;
    for (size_t i = 0; i < n; i++)
        m |= (uint64_t)1 << mask_bit(v[i]);
    return m;
}

/* The largest Jaccard index of `a` and a set of `nb` words whose mask is
 * `mb`: a word of `a` whose bit is not in `mb` is not in that set. Costs a
 * bit test per word where the merge walk costs a branch per word of both. */
static double jaccard_mask_bound(const uint64_t *a, size_t na, size_t nb, uint64_t mb)
{
    if (!na && !nb) return 1.0;
    size_t most = 0;
    for (size_t i = 0; i < na; i++)
        most += (size_t)((mb >> mask_bit(a[i])) & 1);
    if (most > nb) most = nb;
    return (double)most / (double)(na + nb - most);
}

/* The largest Jaccard index two sets of these sizes can have. */
static double jaccard_bound(size_t na, size_t nb)
{
    if (!na && !nb) return 1.0;
    return na < nb ? (double)na / (double)nb : (double)nb / (double)na;
}

/* Whether two interned places (or NULL, no place) can be one incident's:
 * interned, the same name is the same pointer. */
static int same_place(const char *a, const char *b)
{
    return !a || !b || a == b;
}

static void aentry_free(aentry *e)
{
    tm_free(e->first_set);
    if (e->last_set != e->first_set) tm_free(e->last_set);
    e->first_set = e->last_set = NULL;
}

/* Writes a cluster that is final (out of the window, or the rows are all
 * read) to its record in the cluster file. TM_OK, or TM_EIO (errno kept). */
static int cluster_spill(inc_ctx *x, const aentry *e)
{
    off_t at = (off_t)e->idx * (off_t)sizeof e->k;
    ssize_t w = pwrite(x->cfd, &e->k, sizeof e->k, at);
    if (w == (ssize_t)sizeof e->k) return TM_OK;
    x->io_errno = w < 0 ? errno : ENOSPC;
    return TM_EIO;
}

static int spill_fail(inc_ctx *x)
{
    return tm_err_set(x->a->c->err, TM_EIO,
                      "report: cannot write the incidents' temporary file: %s",
                      strerror(x->io_errno ? x->io_errno : EIO));
}

static int on_incident(const tm_agg_incident *row, void *payload)
{
    inc_ctx *x = payload;
    tm_report__ctx *c = x->a->c;
    if (!row->period_date) return TM_OK; /* undated documents cannot be placed in time */
    long pidx = pidx_of(x->a, row->period);
    long day = day_of(row->period_date);
    /* the period date, cut to 10 bytes as the ids always were, in the
     * table of distinct dates (rows come in period-date order) */
    char pd[11];
    snprintf(pd, sizeof pd, "%s", row->period_date);
    if (!x->ndates || strcmp(x->dates[x->ndates - 1].s, pd)) {
        if (x->ndates == x->dates_cap) {
            size_t nc = x->dates_cap ? x->dates_cap * 2 : 256;
            pdate *nd = tm_realloc(x->dates, nc * sizeof *nd);
            if (!nd) return oom(c, "incidents");
            x->dates = nd;
            x->dates_cap = nc;
        }
        memcpy(x->dates[x->ndates++].s, pd, sizeof pd);
    }
    uint32_t dix = (uint32_t)(x->ndates - 1);
    tbucket *b = NULL;
    for (size_t i = 0; i < x->nbuckets && !b; i++)
        if (!strcmp(x->buckets[i].theme, row->theme)) b = &x->buckets[i];
    if (!b) {
        tbucket *nb = tm_realloc(x->buckets, (x->nbuckets + 1) * sizeof *nb);
        if (!nb) return oom(c, "incidents");
        x->buckets = nb;
        b = &x->buckets[x->nbuckets];
        memset(b, 0, sizeof *b);
        if (!(b->theme = tm_strndup(row->theme, strlen(row->theme)))) return oom(c, "incidents");
        x->nbuckets++;
    }
    /* forget clusters not seen within the window (rows come in date order):
     * once per day, as a cluster kept on a day stays within the window that
     * day, and the clusters the day makes or hits have that day as their last */
    if (!b->pruned || b->pruned_day != day) {
        size_t keep = 0;
        int spilled = TM_OK;
        for (size_t i = 0; i < b->nactive; i++) {
            if (day - b->active[i].last_day <= x->window) {
                b->active[keep++] = b->active[i];
            } else {
                /* out of the window for good: final */
                if (cluster_spill(x, &b->active[i]) != TM_OK) spilled = TM_EIO;
                aentry_free(&b->active[i]);
            }
        }
        b->nactive = keep;
        b->pruned = 1;
        b->pruned_day = day;
        if (spilled != TM_OK) return spill_fail(x);
    }
    /* interned once per row: each active cluster is then compared by pointer */
    const char *place = row->place ? intern_place(x, row->place) : NULL;
    if (row->place && !place) return oom(c, "incidents");
    uint64_t *set = NULL;
    size_t nset = 0;
    if (word_set(x, row->text, &set, &nset) != TM_OK) return oom(c, "incidents");
    const char *date = row->date && strlen(row->date) == 10 ? row->date : NULL;
    long best = -1;
    double best_j = 0.0;
    size_t best_i = 0; /* best's place in b->active */
    for (size_t i = 0; i < b->nactive; i++) {
        if (!same_place(b->active[i].place, place)) continue;
        const cluster *k = &b->active[i].k;
        /* two different stated days are two incidents, whatever the words */
        if (k->date[0] && date && strcmp(k->date, date)) continue;
        int same_day = k->date[0] && date && !strcmp(k->date, date);
        /* the sizes bound the overlap: skip the merge walk when even a
         * full overlap could not be chosen (exact: j <= the bound) */
        const aentry *e = &b->active[i];
        double ub1 = jaccard_bound(e->nfirst, nset), ub2 = jaccard_bound(e->nlast, nset);
        double ub = ub1 > ub2 ? ub1 : ub2;
        pick p = {same_day, best, best_j};
        if (cannot_win(&p, ub)) continue;
        /* a set that cannot win counts as -1, as jaccard() says of it: the
         * larger of the two indexes wins or neither does */
        double j1 = cannot_win(&p, jaccard_mask_bound(set, nset, e->nfirst, e->first_mask))
                        ? -1.0
                        : jaccard(e->first_set, e->nfirst, set, nset, &p);
        double j2 = e->last_set == e->first_set ? j1
                    : cannot_win(&p, jaccard_mask_bound(set, nset, e->nlast, e->last_mask))
                        ? -1.0
                        : jaccard(e->last_set, e->nlast, set, nset, &p);
        double j = j1 > j2 ? j1 : j2;
        if ((j >= TM_REPORT_INCIDENT_JACCARD || same_day) && (best < 0 || j > best_j)) {
            best = (long)b->active[i].idx;
            best_i = i;
            best_j = j;
        }
    }
    if (best < 0) {
        if (x->n >= UINT32_MAX) {
            tm_free(set);
            return oom(c, "incidents");
        }
        if (b->nactive == b->cap) {
            size_t nc = b->cap ? b->cap * 2 : 64;
            aentry *na = tm_realloc(b->active, nc * sizeof *na);
            if (!na) {
                tm_free(set);
                return oom(c, "incidents");
            }
            b->active = na;
            b->cap = nc;
        }
        cluster nk, *k = &nk;
        memset(k, 0, sizeof *k);
        k->theme = b->theme;
        k->place = place;
        if (date) memcpy(k->date, date, 11);
        k->first_seen = dix;
        k->first_pidx = (int32_t)pidx;
        /* rows come in period-date order: the ids of earlier days are
         * never counted again, so only this day's are kept */
        const char *first_seen = x->dates[dix].s;
        if (strcmp(x->ids_day, first_seen)) {
            json_object_clear(x->ids);
            memcpy(x->ids_day, first_seen, sizeof x->ids_day);
        }
        char idkey[64];
        snprintf(idkey, sizeof idkey, "%s-%s", first_seen, row->theme);
        json_int_t seq = json_integer_value(json_object_get(x->ids, idkey)) + 1;
        if (json_object_set_new(x->ids, idkey, json_integer(seq))) {
            tm_free(set);
            return oom(c, "incidents");
        }
        k->seq = (int32_t)seq;
        uint64_t m = word_mask(set, nset);
        best_i = b->nactive++;
        b->active[best_i] = (aentry){nk, x->n, place, m, m, set, set, nset, nset, day, -1};
        best = (long)x->n++;
        /* a cluster is new in the period of its first hit, this one */
        if (pidx >= 0) {
            x->a->new_incidents[pidx]++;
            json_t *nt = x->a->new_by_theme[pidx];
            if (json_object_set_new(
                    nt, k->theme,
                    json_integer(json_integer_value(json_object_get(nt, k->theme)) + 1)))
                return oom(c, "incidents");
        }
    } else {
        aentry *e = &b->active[best_i];
        cluster *k = &e->k;
        if (e->last_set != e->first_set) tm_free(e->last_set);
        e->last_set = set;
        e->nlast = nset;
        e->last_mask = word_mask(set, nset);
        if (!k->date[0] && date) memcpy(k->date, date, 11);
    }
    aentry *e = &b->active[best_i];
    cluster *k = &e->k;
    k->last_seen = dix;
    e->last_day = day;
    k->mentions++;
    if (e->last_doc != row->doc_id) {
        k->documents++;
        e->last_doc = row->doc_id;
    }
    /* rows come in date order, so each period's hits are contiguous */
    if (pidx >= 0) {
        uint32_t ci = (uint32_t)best;
        if (pidx != x->hit_pidx) {
            x->hit0[pidx] = x->nhits;
            x->hit_pidx = pidx;
        }
        if (fwrite(&ci, sizeof ci, 1, x->hits) != 1) {
            x->io_errno = errno;
            return spill_fail(x);
        }
        x->hit1[pidx] = ++x->nhits;
    }
    return TM_OK;
}

/* Incidents listed per period: new ones first, then the most mentioned, at
 * most TM_REPORT_MAX_INCIDENTS; `incidents_total` says how many there were. */
#define TM_REPORT_MAX_INCIDENTS 50

/* The clustering's state, kept from build_incidents() to the period loop:
 * by then every cluster is in the cluster file. */
typedef struct inc_state {
    inc_ctx x;
    long pidx; /* the period incident_cmp ranks for */
} inc_state;

static void inc_free(inc_state *s)
{
    if (!s) return;
    inc_ctx *x = &s->x;
    tm_free(x->dates);
    for (size_t i = 0; i < x->nbuckets; i++) {
        for (size_t j = 0; j < x->buckets[i].nactive; j++)
            aentry_free(&x->buckets[i].active[j]);
        tm_free(x->buckets[i].theme);
        tm_free(x->buckets[i].active);
    }
    tm_free(x->buckets);
    if (x->cfile) fclose(x->cfile);
    if (x->hits) fclose(x->hits);
    json_decref(x->ids);
    json_decref(x->places);
    tm_stemmer_free(x->stem);
    tm_free(x->memo);
    tm_free(x->hit0);
    tm_free(x->hit1);
    tm_free(s);
}

/* An anonymous scratch file in $TMPDIR, or /tmp, where SQLite puts its own
 * (tmpfile() ignores TMPDIR, so a user could not move the spill off a small
 * /tmp). Created 0600 and unlinked at once: it holds place names of the
 * minutes and must not outlive the report. NULL with errno set; *dir says
 * where it was tried. */
static FILE *scratch_file(const char **dir)
{
    const char *d = getenv("TMPDIR");
    *dir = d && *d ? d : "/tmp";
    char path[4096];
    if (snprintf(path, sizeof path, "%s/tension-report-XXXXXX", *dir) >= (int)sizeof path) {
        errno = ENAMETOOLONG;
        return NULL;
    }
    int fd = mkstemp(path);
    if (fd < 0) return NULL;
    unlink(path);
    FILE *f = fdopen(fd, "w+b");
    if (!f) {
        int e = errno;
        close(fd);
        errno = e;
    }
    return f;
}

/* Reads and clusters every incident of the history into the cluster and
 * hit files and counts the new ones per period (the levels need them); the
 * JSON is made per period by incidents_period(). */
static int build_incidents(ana *a, tm_store *st)
{
    tm_report__ctx *c = a->c;
    inc_state *s = a->inc = tm_calloc(1, sizeof *s);
    if (!s) return oom(c, "incidents");
    inc_ctx *x = &s->x;
    *x = (inc_ctx){.a = a,
                   .lex = c->opts->lexicon,
                   .ids = json_object(),
                   .places = json_object(),
                   .cfd = -1,
                   .hit_pidx = -1};
    x->window = c->opts->incident_window_days > 0 ? c->opts->incident_window_days
                                                  : TM_REPORT_INCIDENT_WINDOW;
    x->hit0 = tm_calloc(a->np ? a->np : 1, sizeof *x->hit0);
    x->hit1 = tm_calloc(a->np ? a->np : 1, sizeof *x->hit1);
    if (!x->ids || !x->places || !x->hit0 || !x->hit1) return oom(c, "incidents");
    const char *dir = NULL;
    if (!(x->cfile = scratch_file(&dir)) || !(x->hits = scratch_file(&dir)))
        return tm_err_set(c->err, TM_EIO,
                          "report: cannot create a temporary file for the incidents in %s: %s"
                          " (set TMPDIR to a writable directory)",
                          dir, strerror(errno));
    x->cfd = fileno(x->cfile);
    tm_err ignored = {0};
    if (tm_stemmer_new(&x->stem, NULL, &ignored) != TM_OK) x->stem = NULL; /* words unstemmed */
    x->memo = tm_calloc(WORD_CACHE_SLOTS, sizeof *x->memo); /* NULL: no cache, same sets */
    int rc = tm_agg_incidents(st, &a->hist, on_incident, x, c->err);
    if (rc != TM_OK) return rc;
    /* every row is read: the clusters still in the window are final too */
    for (size_t i = 0; i < x->nbuckets; i++) {
        tbucket *b = &x->buckets[i];
        for (size_t j = 0; j < b->nactive; j++) {
            if (cluster_spill(x, &b->active[j]) != TM_OK) rc = TM_EIO;
            aentry_free(&b->active[j]);
        }
        b->nactive = 0;
    }
    if (rc != TM_OK) return spill_fail(x);
    if (fflush(x->hits) != 0) {
        x->io_errno = errno;
        return spill_fail(x);
    }
    /* the word sets and stems are not needed again */
    tm_stemmer_free(x->stem);
    x->stem = NULL;
    tm_free(x->memo);
    x->memo = NULL;
    return TM_OK;
}

/* Reads n bytes at `at` of a temporary file. TM_OK or TM_EIO. */
static int read_at(inc_ctx *x, int fd, void *buf, size_t n, off_t at)
{
    char *p = buf;
    while (n) {
        ssize_t r = pread(fd, p, n, at);
        if (r <= 0) {
            if (r < 0 && errno == EINTR) continue;
            return tm_err_set(x->a->c->err, TM_EIO,
                              "report: cannot read the incidents' temporary file: %s",
                              r < 0 ? strerror(errno) : "short file");
        }
        p += r;
        n -= (size_t)r;
        at += r;
    }
    return TM_OK;
}

/* A cluster being ranked, with its id made once: formatting both ids in
 * every comparison was 5% of a month report. */
typedef struct ranked {
    size_t v; /* the cluster's index */
    const cluster *cl;
    char id[96];
} ranked;

static const inc_state *cmp_state; /* qsort has no payload: the ranking's state */

static int incident_cmp(const void *pa, const void *pb)
{
    const ranked *ra = pa, *rb = pb;
    const cluster *a = ra->cl, *b = rb->cl;
    long p = cmp_state->pidx;
    int na = a->first_pidx == p, nb = b->first_pidx == p;
    if (na != nb) return nb - na;
    if (a->in_period != b->in_period) return a->in_period > b->in_period ? -1 : 1;
    if (a->mentions != b->mentions) return a->mentions > b->mentions ? -1 : 1;
    return strcmp(ra->id, rb->id);
}

/* Clusters read from the cluster file a block at a time: a period's
 * clusters, taken in index order, are mostly a run of recent ones. */
#define CLUSTER_BLOCK 256

/* The clusters hit in history period pidx, in order of first hit, each
 * with its hits in the period (in_period), into *out (owned; NULL if none). */
static int period_clusters(inc_ctx *x, long pidx, cluster **out, size_t *nout)
{
    *out = NULL;
    *nout = 0;
    size_t h0 = x->hit0[pidx], h1 = x->hit1[pidx], m = h1 - h0, n = 0;
    if (!m) return TM_OK;
    uint32_t *hv = tm_malloc(m * sizeof *hv);
    uint64_t *key = tm_malloc(m * sizeof *key);
    cluster *cl = tm_malloc(m * sizeof *cl), *blk = tm_malloc(CLUSTER_BLOCK * sizeof *blk);
    int rc = TM_OK;
    if (!hv || !key || !cl || !blk) {
        rc = oom(x->a->c, "incidents");
        goto done;
    }
    if ((rc = read_at(x, fileno(x->hits), hv, m * sizeof *hv, (off_t)(h0 * sizeof *hv))) != TM_OK)
        goto done;
    /* by cluster, then position: a run is one cluster, its first entry its
     * first hit */
    for (size_t i = 0; i < m; i++)
        key[i] = (uint64_t)hv[i] << 32 | (uint64_t)i;
    qsort(key, m, sizeof *key, u64_cmp);
    size_t blk_lo = 0, blk_n = 0;
    for (size_t i = 0; i < m;) {
        uint32_t ci = (uint32_t)(key[i] >> 32);
        size_t j = i;
        while (j < m && (uint32_t)(key[j] >> 32) == ci)
            j++;
        if (ci < blk_lo || ci >= blk_lo + blk_n) {
            size_t want = x->n - ci < CLUSTER_BLOCK ? x->n - ci : CLUSTER_BLOCK;
            if ((rc = read_at(x, x->cfd, blk, want * sizeof *blk,
                              (off_t)ci * (off_t)sizeof *blk)) != TM_OK)
                goto done;
            blk_lo = ci;
            blk_n = want;
        }
        cl[n] = blk[ci - blk_lo];
        cl[n].in_period = (uint32_t)(j - i);
        /* the first hit's position, and where the cluster is in cl */
        hv[n] = (uint32_t)(key[i] & 0xffffffffu);
        key[n] = (uint64_t)hv[n] << 32 | (uint64_t)n;
        n++;
        i = j;
    }
    /* in order of first hit */
    qsort(key, n, sizeof *key, u64_cmp);
    cluster *sorted = tm_malloc(n * sizeof *sorted);
    if (!sorted) {
        rc = oom(x->a->c, "incidents");
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        sorted[i] = cl[key[i] & 0xffffffffu];
    *out = sorted;
    *nout = n;
done:
    tm_free(hv);
    tm_free(key);
    tm_free(cl);
    tm_free(blk);
    return rc;
}

/* incidents and incidents_total of history period pidx: one entry per
 * cluster with the mentions it had in the period, in order of first hit;
 * past TM_REPORT_MAX_INCIDENTS, the top ones by incident_cmp. */
static int incidents_period(ana *a, long pidx, json_t *per)
{
    tm_report__ctx *c = a->c;
    inc_state *s = a->inc;
    inc_ctx *x = &s->x;
    json_t *arr = json_array();
    if (!arr || put(per, "incidents", arr)) return oom(c, "incidents");
    cluster *cls = NULL;
    size_t n = 0;
    int rc = period_clusters(x, pidx, &cls, &n);
    if (rc != TM_OK) return rc;
    size_t *v = n ? tm_malloc(n * sizeof *v) : NULL;
    if (n && !v) {
        tm_free(cls);
        return oom(c, "incidents");
    }
    for (size_t i = 0; i < n; i++)
        v[i] = i;
    if (put(per, "incidents_total", json_integer((json_int_t)n))) rc = oom(c, "incidents");
    if (rc == TM_OK && n > TM_REPORT_MAX_INCIDENTS) {
        ranked *r = tm_malloc(n * sizeof *r);
        if (!r) {
            tm_free(v);
            tm_free(cls);
            return oom(c, "incidents");
        }
        for (size_t i = 0; i < n; i++) {
            r[i].v = v[i];
            r[i].cl = &cls[v[i]];
            cluster_id(x, r[i].cl, r[i].id);
        }
        s->pidx = pidx;
        cmp_state = s;
        qsort(r, n, sizeof *r, incident_cmp);
        n = TM_REPORT_MAX_INCIDENTS;
        for (size_t i = 0; i < n; i++)
            v[i] = r[i].v;
        tm_free(r);
    }
    for (size_t i = 0; rc == TM_OK && i < n; i++) {
        const cluster *cl = &cls[v[i]];
        char id[96];
        cluster_id(x, cl, id);
        json_t *o = json_object();
        if (!o || put(o, "id", json_string(id)) || put(o, "theme", json_string(cl->theme)) ||
            put(o, "place", jstr(cl->place)) ||
            put(o, "date", jstr(cl->date[0] ? cl->date : NULL)) ||
            put(o, "first_seen", json_string(x->dates[cl->first_seen].s)) ||
            put(o, "last_seen", json_string(x->dates[cl->last_seen].s)) ||
            put(o, "documents", json_integer(cl->documents)) ||
            put(o, "mentions", json_integer(cl->mentions)) ||
            put(o, "period_mentions", json_integer(cl->in_period)) ||
            put(o, "new", json_boolean(cl->first_pidx == pidx)) || json_array_append_new(arr, o))
            rc = oom(c, "incidents");
    }
    tm_free(v);
    tm_free(cls);
    return rc;
}

/* ---------------------------------------------------------------- events */

static int on_event(const tm_agg_event *row, void *payload)
{
    tm_report__ctx *c = payload;
    json_t *per = json_object_get(c->by_period, row->period);
    json_t *arr = per ? json_object_get(per, "upcoming_events") : NULL;
    if (!arr || !row->date) return TM_OK;
    tm_date d;
    if (!tm_date_find_ahead(&d, row->text, strlen(row->text), row->date)) return TM_OK;
    char when[11];
    tm_date_format(when, &d);
    /* only what lies ahead of the meeting: a month counts while it lasts */
    char ref_month[11];
    memcpy(ref_month, row->date, 8);
    memcpy(ref_month + 8, "01", 3);
    if (d.precision == TM_DATE_DAY ? strcmp(when, row->date) < 0 : strcmp(when, ref_month) < 0)
        return TM_OK;
    if (d.precision == TM_DATE_YEAR || d.precision == TM_DATE_NONE) return TM_OK;
    /* "in July" in September is more often the July gone than the next one:
     * only the coming TM_REPORT_EVENT_HORIZON days count as ahead */
    if (day_of(when) - day_of(row->date) > TM_REPORT_EVENT_HORIZON) return TM_OK;
    size_t tl = strlen(row->text);
    char event[128];
    if (row->word_start >= 0 && row->word_end > row->word_start && (size_t)row->word_end <= tl &&
        row->end - row->start == (int64_t)tl)
        snprintf(event, sizeof event, "%.*s", (int)(row->word_end - row->word_start),
                 row->text + row->word_start);
    else
        snprintf(event, sizeof event, "event");
    json_t *o = json_object();
    if (!o || put(o, "date", json_string(when)) ||
        put(o, "precision", json_string(d.precision == TM_DATE_DAY ? "day" : "month")) ||
        put(o, "event", json_string(event)) || put(o, "text", json_string(row->text)) ||
        put(o, "doc", json_string(row->doc)) || put(o, "doc_date", json_string(row->date)) ||
        put(o, "start", json_integer(row->start)) || put(o, "end", json_integer(row->end)) ||
        put(o, "eep", json_string("potential")) || json_array_append_new(arr, o))
        return oom(c, "upcoming_events");
    return TM_OK;
}

static int build_events(tm_report__ctx *c, tm_store *st)
{
    const char *pkey;
    json_t *per;
    json_object_foreach(c->by_period, pkey, per)
    {
        if (put(per, "upcoming_events", json_array())) return oom(c, "upcoming_events");
    }
    return tm_agg_events(st, c->range, on_event, c, c->err);
}

/* ---------------------------------------------------------------- levels */

/* One per signal group of the whole history (hundreds of thousands on ten
 * dense years), so kept small: theme, polarity and eep share one interned
 * "theme\0polarity\0eep" (a few hundred such triples); read them with
 * g_theme(), g_pol() and g_eep(). Four name pointers and a long made 56
 * bytes a group, 29 MB of a 1 GB database's report. */
typedef struct group {
    uint32_t community; /* in g_names: interned in lvl_ctx.strings */
    uint32_t tpe;       /* in g_names: interned in lvl_ctx.triples */
    uint32_t count;     /* signals of one period, community and triple */
    int32_t pidx;
    double raw; /* sum of weight x eep x polarity x tone */
} group;

/* The interned names the groups' indexes stand for (lvl_ctx.names): 24
 * bytes a group instead of 40 with two pointers and a 64-bit count, where
 * the groups of ten years of weeks are a million. File-wide because the
 * qsort comparators have no payload, as cmp_state; one report at a time. */
static const char *const *g_names;

static const char *g_comm(const group *g)
{
    return g_names[g->community];
}

static const char *g_theme(const group *g)
{
    return g_names[g->tpe];
}

static const char *g_pol(const group *g)
{
    const char *t = g_theme(g);
    return t + strlen(t) + 1;
}

static const char *g_eep(const group *g)
{
    const char *p = g_pol(g);
    return p + strlen(p) + 1;
}

/* Groups are found by (period, community, theme, polarity, eep) with the
 * four names interned: a few hundred distinct names, hundreds of thousands
 * of groups, so a group holds pointers into `strings`, not copies. */
typedef struct lvl_ctx {
    ana *a;
    group *v;
    size_t n, cap;
    uint32_t *slots; /* open addressing: group index + 1; 0 = empty */
    size_t nslots;
    const char **names; /* index -> interned community or triple (g_names) */
    size_t *name_len;   /* index -> bytes of the name (a triple's with its NULs) */
    size_t nnames, names_cap;
    uint32_t *rank; /* index -> place of the name in sorted order (sort_groups) */
    size_t nranked; /* the names rank covers */
    group *tmp;     /* sort_groups' merge buffer */
    size_t tmp_cap;
    struct reason *rs, *rs_tmp; /* level_object's reasons and merge buffer */
    size_t rs_cap;
    json_t *ix;            /* interned name or triple bytes -> its index in names */
    const char *last_comm; /* the previous row's community and triple, and their indexes */
    const char *last_tpe_ix;
    uint32_t last_comm_i, last_tpe_i;
    json_t *strings;                       /* name -> the same name: the interned copies */
    json_t *triples;                       /* "theme\0polarity\0eep" -> the same: interned copies */
    const char *last[4];                   /* the previous row's names: rows repeat them */
    const char *last_tpe, *last_tpe_of[3]; /* the previous triple and its names */
    const char *last_period;
    long last_pidx;
    long want_lo, want_hi; /* the history periods being read: rows of others are passed over */
    int64_t (*eep)[3];     /* per period: evidenced, experienced, potential */
} lvl_ctx;

static const char *intern(lvl_ctx *x, int field, const char *s)
{
    if (x->last[field] && !strcmp(x->last[field], s)) return x->last[field];
    json_t *v = json_object_get(x->strings, s);
    if (!v && (json_object_set_new(x->strings, s, json_string(s)) ||
               !(v = json_object_get(x->strings, s))))
        return NULL;
    return x->last[field] = json_string_value(v);
}

/* The interned "theme\0polarity\0eep" of a row (the names interned by
 * intern() already, so the previous row's triple is found by pointers). */
static const char *intern_tpe(lvl_ctx *x, const char *theme, const char *pol, const char *eep)
{
    if (x->last_tpe && x->last_tpe_of[0] == theme && x->last_tpe_of[1] == pol &&
        x->last_tpe_of[2] == eep)
        return x->last_tpe;
    size_t lt = strlen(theme), lp = strlen(pol), le = strlen(eep), n = lt + lp + le + 2;
    char *key = tm_malloc(n + 1);
    if (!key) return NULL;
    memcpy(key, theme, lt + 1);
    memcpy(key + lt + 1, pol, lp + 1);
    memcpy(key + lt + lp + 2, eep, le + 1);
    json_t *v = json_object_getn(x->triples, key, n);
    if (!v && (json_object_setn_new_nocheck(x->triples, key, n, json_stringn_nocheck(key, n)) ||
               !(v = json_object_getn(x->triples, key, n)))) {
        tm_free(key);
        return NULL;
    }
    tm_free(key);
    x->last_tpe_of[0] = theme;
    x->last_tpe_of[1] = pol;
    x->last_tpe_of[2] = eep;
    return x->last_tpe = json_string_value(v);
}

/* The index in x->names of an interned community (len: strlen) or triple
 * (len: its bytes with the two NULs). UINT32_MAX when out of memory. */
static uint32_t name_index(lvl_ctx *x, const char *p, size_t len)
{
    json_t *v = json_object_getn(x->ix, p, len);
    if (v) return (uint32_t)json_integer_value(v);
    if (x->nnames == x->names_cap) {
        size_t nc = x->names_cap ? x->names_cap * 2 : 64;
        const char **nn = tm_realloc(x->names, nc * sizeof *nn);
        if (!nn) return UINT32_MAX;
        x->names = nn;
        size_t *nl = tm_realloc(x->name_len, nc * sizeof *nl);
        if (!nl) return UINT32_MAX;
        x->name_len = nl;
        x->names_cap = nc;
    }
    if (json_object_setn_new_nocheck(x->ix, p, len, json_integer((json_int_t)x->nnames)))
        return UINT32_MAX;
    x->names[x->nnames] = p;
    x->name_len[x->nnames] = len;
    g_names = x->names;
    return (uint32_t)x->nnames++;
}

static uint64_t group_hash(long pidx, uint32_t community, uint32_t tpe)
{
    uint64_t h = (uint64_t)pidx * 0x9e3779b97f4a7c15u;
    h = (h ^ community) * 0x100000001b3u;
    h = (h ^ tpe) * 0x100000001b3u;
    return h ^ (h >> 29);
}

static int lvl_grow(lvl_ctx *x)
{
    size_t ncap = x->nslots ? x->nslots * 2 : 1024;
    uint32_t *ns = tm_calloc(ncap, sizeof *ns);
    if (!ns) return TM_ENOMEM;
    for (size_t i = 0; i < x->n; i++) {
        const group *g = &x->v[i];
        size_t j = (size_t)group_hash(g->pidx, g->community, g->tpe) & (ncap - 1);
        while (ns[j])
            j = (j + 1) & (ncap - 1);
        ns[j] = (uint32_t)(i + 1);
    }
    tm_free(x->slots);
    x->slots = ns;
    x->nslots = ncap;
    return TM_OK;
}

/* The history period of a row (-1: none), the previous row's remembered. */
static long row_pidx(lvl_ctx *x, const tm_agg_weighted *row)
{
    if (!x->last_period || strcmp(x->last_period, row->period)) {
        x->last_pidx = pidx_of(x->a, row->period);
        x->last_period = x->last_pidx >= 0 ? x->a->p[x->last_pidx].key : NULL;
    }
    return x->last_pidx;
}

static int on_weighted(const tm_agg_weighted *row, void *payload)
{
    lvl_ctx *x = payload;
    long pidx = row_pidx(x, row);
    if (pidx < x->want_lo || pidx >= x->want_hi) return TM_OK;
    int e = !strcmp(row->eep, "evidenced") ? 0 : !strcmp(row->eep, "experienced") ? 1 : 2;
    x->eep[pidx][e]++;
    const char *f[4] = {intern(x, 0, row->community), intern(x, 1, row->theme),
                        intern(x, 2, row->polarity), intern(x, 3, row->eep)};
    if (!f[0] || !f[1] || !f[2] || !f[3]) return oom(x->a->c, "levels");
    const char *tpe = intern_tpe(x, f[1], f[2], f[3]);
    if (!tpe) return oom(x->a->c, "levels");
    if (f[0] != x->last_comm) {
        if ((x->last_comm_i = name_index(x, f[0], strlen(f[0]))) == UINT32_MAX)
            return oom(x->a->c, "levels");
        x->last_comm = f[0];
    }
    if (tpe != x->last_tpe_ix) {
        size_t lt = strlen(tpe), lp = strlen(tpe + lt + 1);
        size_t tl = lt + lp + strlen(tpe + lt + lp + 2) + 2;
        if ((x->last_tpe_i = name_index(x, tpe, tl)) == UINT32_MAX) return oom(x->a->c, "levels");
        x->last_tpe_ix = tpe;
    }
    uint32_t ci = x->last_comm_i, ti = x->last_tpe_i;
    if ((x->n + 1) * 10 > x->nslots * 7 && lvl_grow(x) != TM_OK) return oom(x->a->c, "levels");
    size_t j = (size_t)group_hash(pidx, ci, ti) & (x->nslots - 1), i;
    for (;; j = (j + 1) & (x->nslots - 1)) {
        if (!x->slots[j]) break;
        const group *g = &x->v[x->slots[j] - 1];
        if (g->pidx == pidx && g->community == ci && g->tpe == ti) break;
    }
    if (x->slots[j]) {
        i = x->slots[j] - 1;
    } else {
        if (x->n >= UINT32_MAX - 1) return oom(x->a->c, "levels");
        if (x->n == x->cap) {
            size_t nc = x->cap ? x->cap * 2 : 256;
            group *nv = tm_realloc(x->v, nc * sizeof *nv);
            if (!nv) return oom(x->a->c, "levels");
            x->v = nv;
            x->cap = nc;
        }
        group *g = &x->v[x->n];
        memset(g, 0, sizeof *g);
        g->pidx = (int32_t)pidx;
        g->community = ci;
        g->tpe = ti;
        i = x->n++;
        x->slots[j] = (uint32_t)x->n;
    }
    group *g = &x->v[i];
    g->count++;
    g->raw += row->weight * tm_level_eep_factor(row->eep) *
              tm_level_polarity_factor(row->polarity) *
              tm_level_tone_factor(row->polarity, row->tone_concern, row->tone_reassure);
    return TM_OK;
}

/* Name order: bytes, shorter first when one is the start of the other. A
 * triple's NULs sort below every other byte, so that is theme, then
 * polarity, then eep, each as strcmp; a community name has no NUL, so it is
 * strcmp. (Communities and triples share the index space but are never
 * compared with each other.) */
static int name_before(const void *pa, const void *pb, const void *ctx)
{
    const lvl_ctx *x = ctx;
    uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
    size_t la = x->name_len[a], lb = x->name_len[b];
    int c = memcmp(x->names[a], x->names[b], la < lb ? la : lb);
    return c ? c < 0 : la < lb;
}

/* Sorts the n elements of `size` bytes at v by `before` (a before b, given
 * ctx), stably: a bottom-up merge sort through tmp (room for n elements), a
 * buffer the caller keeps between periods. qsort allocated its buffer on
 * every call, once per period, and glibc's malloc consolidated the heap each
 * time (4% of a month report); and its comparator takes no context. */
static void merge_sort(void *v, void *tmp, size_t n, size_t size,
                       int (*before)(const void *a, const void *b, const void *ctx),
                       const void *ctx)
{
    char *src = v, *dst = tmp;
    for (size_t w = 1; w < n; w *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * w) {
            size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi) {
                size_t from = before(src + j * size, src + i * size, ctx) ? j++ : i++;
                memcpy(dst + k++ * size, src + from * size, size);
            }
            memcpy(dst + k * size, src + i * size, (mid - i) * size);
            k += mid - i;
            memcpy(dst + k * size, src + j * size, (hi - j) * size);
        }
        char *t = src;
        src = dst;
        dst = t;
    }
    if (src != (char *)v) memcpy(v, src, n * size);
}

/* Ranks the names interned since the last call, with all the others. */
static int rank_names(lvl_ctx *x)
{
    if (x->nranked == x->nnames) return TM_OK;
    uint32_t *idx = tm_malloc(2 * x->nnames * sizeof *idx);
    uint32_t *rank = tm_realloc(x->rank, x->names_cap * sizeof *rank);
    if (!idx || !rank) {
        tm_free(idx);
        if (rank) x->rank = rank;
        return TM_ENOMEM;
    }
    x->rank = rank;
    for (size_t k = 0; k < x->nnames; k++)
        idx[k] = (uint32_t)k;
    merge_sort(idx, idx + x->nnames, x->nnames, sizeof *idx, name_before, x);
    for (size_t k = 0; k < x->nnames; k++)
        rank[idx[k]] = (uint32_t)k;
    tm_free(idx);
    x->nranked = x->nnames;
    return TM_OK;
}

/* a before b: period, then community, theme, polarity and eep by name. */
static int group_before(const uint32_t *rank, const group *a, const group *b)
{
    if (a->pidx != b->pidx) return a->pidx < b->pidx;
    if (a->community != b->community) return rank[a->community] < rank[b->community];
    return rank[a->tpe] < rank[b->tpe];
}

static int group_before_v(const void *a, const void *b, const void *rank)
{
    return group_before(rank, a, b);
}

/* Sorts the groups read (x->v) by group_before: a bottom-up merge sort on
 * the names' ranks into a buffer kept between periods. qsort with strcmp
 * on the names allocated its buffer on every call, once per period, and
 * glibc's malloc consolidated the heap each time (4% of a month report). */
static int sort_groups(lvl_ctx *x)
{
    if (x->n < 2) return TM_OK;
    if (rank_names(x) != TM_OK) return TM_ENOMEM;
    if (x->tmp_cap < x->n) {
        group *nt = tm_realloc(x->tmp, x->n * sizeof *nt);
        if (!nt) return TM_ENOMEM;
        x->tmp = nt;
        x->tmp_cap = x->n;
    }
    merge_sort(x->v, x->tmp, x->n, sizeof *x->v, group_before_v, x->rank);
    return TM_OK;
}

/* Reasons sort: largest contribution first (by size), then the group keys. */
typedef struct reason {
    const group *g;
    double contribution;
} reason;

/* a before b: the largest contribution first (by size), then the group
 * keys, compared through the names' ranks (rank_names). The groups of one
 * period are distinct, so this is a strict total order and any correct sort
 * gives the same sequence. */
static int reason_before(const void *pa, const void *pb, const void *rank)
{
    const reason *a = pa, *b = pb;
    double x = fabs(a->contribution), y = fabs(b->contribution);
    if (x != y) return x > y;
    return group_before(rank, a->g, b->g);
}

static const char *direction(int level, int prev)
{
    if (prev <= 0) return "stable";
    return level > prev ? "up" : level < prev ? "down" : "stable";
}

/* One level object: level, tier, label, direction, previous_level, score,
 * words, reasons. `community` NULL = the area. */
static json_t *level_object(ana *a, lvl_ctx *x, const group *gs, size_t ng, const char *community,
                            long pidx, int prev_level, int *level_out)
{
    int64_t words = a->p[pidx].words;
    /* the buffers stay from period to period: a fresh one for every period
     * had glibc's malloc consolidate the heap each time */
    if (x->rs_cap < ng + 1) {
        reason *n1 = tm_realloc(x->rs, (ng + 1) * sizeof *n1);
        if (n1) x->rs = n1;
        reason *n2 = n1 ? tm_realloc(x->rs_tmp, (ng + 1) * sizeof *n2) : NULL;
        if (n2) x->rs_tmp = n2;
        if (!n1 || !n2) return NULL;
        x->rs_cap = ng + 1;
    }
    reason *rs = x->rs;
    json_t *o = json_object(), *arr = json_array();
    if (!o || !arr) goto fail;
    size_t nr = 0;
    double score = 0.0;
    for (size_t i = 0; i < ng; i++) {
        if (community && strcmp(g_comm(&gs[i]), community)) continue;
        double contrib = words > 0 ? round4(gs[i].raw * 10000.0 / (double)words) : 0.0;
        rs[nr++] = (reason){&gs[i], contrib};
        score += contrib;
    }
    merge_sort(x->rs, x->rs_tmp, nr, sizeof *x->rs, reason_before, x->rank);
    /* the largest reasons by name; the long tail summed, so that reasons and
     * other_reasons still add up to the score and the report stays readable
     * (and bounded) however many documents a period holds */
    size_t shown = nr < TM_LEVEL_MAX_REASONS ? nr : TM_LEVEL_MAX_REASONS;
    if (nr > shown) {
        double rest = 0.0;
        int64_t rest_count = 0;
        for (size_t i = shown; i < nr; i++) {
            rest += rs[i].contribution;
            rest_count += rs[i].g->count;
        }
        json_t *other = json_object();
        if (!other || put(other, "reasons", json_integer((json_int_t)(nr - shown))) ||
            put(other, "count", json_integer(rest_count)) ||
            put(other, "contribution", json_real(round4(rest))) || put(o, "other_reasons", other))
            goto fail;
    }
    for (size_t i = 0; i < shown; i++) {
        json_t *r = json_object();
        if (!r || put(r, "kind", json_string("signal")) ||
            put(r, "community", json_string(g_comm(rs[i].g))) ||
            put(r, "theme", json_string(g_theme(rs[i].g))) ||
            put(r, "eep", json_string(g_eep(rs[i].g))) ||
            put(r, "polarity", json_string(g_pol(rs[i].g))) ||
            put(r, "count", json_integer(rs[i].g->count)) ||
            put(r, "contribution", json_real(rs[i].contribution)) || json_array_append_new(arr, r))
            goto fail;
    }
    if (!community) {
        /* distinct new incidents, by theme: each adds TM_LEVEL_INCIDENT_POINTS */
        const char *theme;
        json_t *n;
        json_object_foreach(a->new_by_theme[pidx], theme, n)
        {
            double contrib = round4((double)json_integer_value(n) * TM_LEVEL_INCIDENT_POINTS);
            score += contrib;
            json_t *r = json_object();
            if (!r || put(r, "kind", json_string("incident")) || put(r, "community", json_null()) ||
                put(r, "theme", json_string(theme)) || put(r, "eep", json_string("evidenced")) ||
                put(r, "polarity", json_string("concern")) ||
                put(r, "count", json_integer(json_integer_value(n))) ||
                put(r, "contribution", json_real(contrib)) || json_array_append_new(arr, r))
                goto fail;
        }
    }
    score = round4(score);
    const tm_scale_level *lv = tm_scale_level_for(a->scale, score);
    *level_out = lv->level;
    if (put(o, "level", json_integer(lv->level)) || put(o, "tier", json_string(lv->tier)) ||
        put(o, "label", json_string(lv->label)) ||
        put(o, "direction", json_string(direction(lv->level, prev_level))) ||
        put(o, "previous_level", prev_level > 0 ? json_integer(prev_level) : json_null()) ||
        put(o, "score", json_real(score)) || put(o, "reasons", arr)) {
        arr = NULL;
        goto fail;
    }
    return o;
fail:
    json_decref(arr);
    json_decref(o);
    return NULL;
}

/* The signal groups of the history sorted by period, and the levels of the
 * period before the one being made (its direction compares with them). */
typedef struct lvl_state {
    lvl_ctx x;
    int *area_level;   /* per history period */
    json_t *prev_comm; /* community -> level in the previous period */
    tm_store *st;
    size_t g0;           /* the first group of the next period */
    long read_hi;        /* the groups read are those of the periods before it */
    tm_agg_wstream *ws;  /* the history's signals in period order; NULL once read */
    tm_agg_weighted row; /* read from ws, not yet tallied (have_row) */
    int have_row;
} lvl_state;

static void lvl_free(lvl_state *s)
{
    if (!s) return;
    tm_agg_wstream_close(s->ws);
    tm_free(s->x.v);
    tm_free(s->x.slots);
    tm_free(s->x.eep);
    tm_free(s->area_level);
    json_decref(s->x.strings);
    json_decref(s->x.triples);
    json_decref(s->x.ix);
    tm_free(s->x.names);
    tm_free(s->x.name_len);
    tm_free(s->x.rank);
    tm_free(s->x.tmp);
    tm_free(s->x.rs);
    tm_free(s->x.rs_tmp);
    g_names = NULL;
    json_decref(s->prev_comm);
    tm_free(s);
}

static int build_levels(ana *a, tm_store *st)
{
    tm_report__ctx *c = a->c;
    lvl_state *s = a->lv = tm_calloc(1, sizeof *s);
    if (!s) return oom(c, "levels");
    s->x =
        (lvl_ctx){.a = a, .strings = json_object(), .triples = json_object(), .ix = json_object()};
    s->x.eep = tm_calloc(a->np ? a->np : 1, sizeof *s->x.eep);
    s->area_level = tm_calloc(a->np ? a->np : 1, sizeof *s->area_level);
    s->prev_comm = json_object();
    if (!s->x.strings || !s->x.triples || !s->x.ix || !s->x.eep || !s->area_level || !s->prev_comm)
        return oom(c, "levels");
    s->st = st;
    return tm_agg_wstream_open(&s->ws, st, &a->hist, a->reassuring, c->err);
}

/* Reads the signal groups of history period i, sorted, from the one
 * period-ordered stream of the history's signals: the rows up to the first
 * of a later period, which waits in s->row for the next call. The groups
 * of the whole history, read at once (in document order), were the
 * report's largest holder: 12.6 MB on the 100 MB db, twice that and an
 * 8 MB index on a 1 GB one; read a block of periods at a time with a
 * narrowed range, each block scanned the documents table again (a cost
 * that grew with the square of the corpus). */
static int read_groups(ana *a, long i)
{
    lvl_state *s = a->lv;
    lvl_ctx *x = &s->x;
    x->n = 0;
    s->g0 = 0;
    if (x->slots) memset(x->slots, 0, x->nslots * sizeof *x->slots);
    x->want_lo = i;
    x->want_hi = s->read_hi = i + 1;
    int rc = TM_OK;
    while (rc == TM_OK && s->ws) {
        if (!s->have_row) {
            int n = tm_agg_wstream_next(s->ws, &s->row, a->c->err);
            if (n < 0) return n;
            if (n == 0) {
                tm_agg_wstream_close(s->ws);
                s->ws = NULL;
                break;
            }
            s->have_row = 1;
        }
        if (row_pidx(x, &s->row) > i) break; /* the next period's: it waits */
        s->have_row = 0;
        rc = on_weighted(&s->row, x);
    }
    if (rc == TM_OK && sort_groups(x) != TM_OK) rc = oom(a->c, "levels");
    return rc;
}

/* The levels of history period i (called for every period in order: each
 * period's direction needs the one before); `per` NULL when i is not
 * reported. */
static int levels_period(ana *a, long i, json_t *per)
{
    tm_report__ctx *c = a->c;
    lvl_state *s = a->lv;
    lvl_ctx *x = &s->x;
    if (i >= s->read_hi) {
        int rc0 = read_groups(a, i);
        if (rc0 != TM_OK) return rc0;
    }
    size_t g0 = s->g0, g1 = g0;
    while (g1 < x->n && x->v[g1].pidx == i)
        g1++;
    s->g0 = g1;
    long prev = prev_of(a, i);
    int lv = 0;
    json_t *area =
        level_object(a, x, x->v + g0, g1 - g0, NULL, i, prev >= 0 ? s->area_level[prev] : 0, &lv);
    if (!area) return oom(c, "levels");
    s->area_level[i] = lv;
    /* communities with signals now or in the previous period */
    json_t *comms = json_object(), *now = json_object(), *next_comm = json_object();
    int rc = TM_OK;
    if (!comms || !now || !next_comm) {
        rc = oom(c, "levels");
        goto done;
    }
    for (size_t k = g0; k < g1; k++)
        json_object_set_new(now, g_comm(&x->v[k]), json_integer(0));
    const char *ck;
    json_t *cv;
    if (prev >= 0) {
        json_object_foreach(s->prev_comm, ck, cv)
        {
            if (!json_object_get(now, ck)) json_object_set_new(now, ck, json_integer(0));
        }
    }
    json_object_foreach(now, ck, cv)
    {
        int pl = prev >= 0 ? (int)json_integer_value(json_object_get(s->prev_comm, ck)) : 0;
        int cl = 0;
        /* the period's groups are sorted by community: hand over only this
         * community's run (the same groups in the same order as a filter
         * over all of them, so the same sums) */
        size_t lo = g0, hi = g1;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (strcmp(g_comm(&x->v[mid]), ck) < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        for (hi = lo; hi < g1 && !strcmp(g_comm(&x->v[hi]), ck); hi++)
            ;
        json_t *co = level_object(a, x, x->v + lo, hi - lo, ck, i, pl, &cl);
        if (!co || json_object_set_new(comms, ck, co) ||
            json_object_set_new(next_comm, ck, json_integer(cl))) {
            rc = oom(c, "levels");
            goto done;
        }
    }
    json_decref(s->prev_comm);
    s->prev_comm = next_comm;
    next_comm = NULL;
    if (per) {
        json_t *levels = json_object(), *eep = json_object();
        int bad = !levels || !eep;
        bad = bad || put(levels, "area", area);
        area = NULL;
        bad = bad || put(levels, "communities", comms);
        comms = NULL;
        if (bad || put(per, "levels", levels) ||
            put(eep, "evidenced", json_integer(x->eep[i][0])) ||
            put(eep, "experienced", json_integer(x->eep[i][1])) ||
            put(eep, "potential", json_integer(x->eep[i][2])) || put(per, "eep", eep) ||
            put(per, "new_incidents", json_integer(a->new_incidents[i])))
            rc = oom(c, "levels");
    }
done:
    json_decref(area);
    json_decref(comms);
    json_decref(now);
    json_decref(next_comm);
    return rc;
}

/* -------------------------------------------------------- top-level info */

static int build_meta(ana *a, json_t *rep)
{
    tm_report__ctx *c = a->c;
    json_t *tt = json_object(), *scale = json_object(), *lv = json_array(), *rub = json_object();
    json_t *eep = json_object(), *pol = json_object(), *tone = json_object();
    if (!tt || !scale || !lv || !rub || !eep || !pol || !tone) goto fail;
    if (put(tt, "method", json_string("poisson_exact_conditional")) ||
        put(tt, "baseline_periods", json_integer(a->trend.baseline_periods)) ||
        put(tt, "min_count", json_integer(a->trend.min_count)) ||
        put(tt, "alpha", json_real(a->trend.alpha)))
        goto fail;
    for (size_t i = 0; i < TM_SCALE_LEVELS; i++) {
        const tm_scale_level *l = tm_scale_at(a->scale, i);
        json_t *o = json_object();
        if (!o || put(o, "level", json_integer(l->level)) || put(o, "tier", json_string(l->tier)) ||
            put(o, "label", json_string(l->label)) ||
            put(o, "description", json_string(l->description)) ||
            put(o, "min_score", json_real(l->min_score)) || json_array_append_new(lv, o))
            goto fail;
    }
    /* the file's name, never its folder: reports leave the machine */
    const char *src = tm_scale_source(a->scale), *slash = strrchr(src, '/');
    if (put(scale, "source", json_string(slash ? slash + 1 : src)) || put(scale, "levels", lv)) {
        lv = NULL;
        goto fail;
    }
    lv = NULL;
    if (put(eep, "evidenced", json_real(tm_level_eep_factor("evidenced"))) ||
        put(eep, "experienced", json_real(tm_level_eep_factor("experienced"))) ||
        put(eep, "potential", json_real(tm_level_eep_factor("potential"))) ||
        put(pol, "concern", json_real(tm_level_polarity_factor("concern"))) ||
        put(pol, "reassurance", json_real(tm_level_polarity_factor("reassurance"))) ||
        put(tone, "agrees", json_real(1.5)) || put(tone, "contradicts", json_real(0.5)) ||
        put(tone, "neutral", json_real(1.0)))
        goto fail;
    int bad = put(rub, "eep_factor", eep);
    bad |= put(rub, "polarity_factor", pol);
    bad |= put(rub, "tone_factor", tone);
    eep = pol = tone = NULL;
    if (bad || put(rub, "per_words", json_integer(10000)) ||
        put(rub, "new_incident_points", json_real(TM_LEVEL_INCIDENT_POINTS)))
        goto fail;
    bad = put(rep, "trend_test", tt);
    bad |= put(rep, "scale", scale);
    bad |= put(rep, "rubric", rub);
    tt = scale = rub = NULL;
    if (bad || put(rep, "advisory", json_string(TM_REPORT_ADVISORY))) return oom(c, "the report");
    json_t *slices = json_object();
    const char *names[5] = {"community", "theme", "place", "organisation", "role"};
    const char *vals[5] = {c->opts->community, c->opts->theme, c->opts->place,
                           c->opts->organisation, c->opts->role};
    if (!slices) return oom(c, "the report");
    for (int i = 0; i < 5; i++)
        if (put(slices, names[i], jstr(vals[i]))) {
            json_decref(slices);
            return oom(c, "the report");
        }
    json_t *gf = json_object_get(rep, "generated_from");
    if (!gf || put(gf, "slice", slices)) return oom(c, "the report");
    return TM_OK;
fail:
    json_decref(tt);
    json_decref(scale);
    json_decref(lv);
    json_decref(rub);
    json_decref(eep);
    json_decref(pol);
    json_decref(tone);
    return oom(c, "the report");
}

/* ------------------------------------------------------------------ main */

int tm_report__analytics(tm_report__ctx *c, tm_store *st, json_t *rep)
{
    ana a = {.c = c, .pindex = json_object()};
    tm_scale *own_scale = NULL;
    const char **reass = NULL;
    int rc = TM_OK;
    if (!a.pindex) return oom(c, "the report");
    a.hist = *c->range;
    a.hist.from = NULL; /* trends and incidents look back before --from */
    a.trend.baseline_periods = c->opts->trend.baseline_periods > 0 ? c->opts->trend.baseline_periods
                                                                   : TM_TREND_DEFAULT_BASELINE;
    a.trend.min_count =
        c->opts->trend.min_count > 0 ? c->opts->trend.min_count : TM_TREND_DEFAULT_MIN_COUNT;
    a.trend.alpha = c->opts->trend.alpha > 0 ? c->opts->trend.alpha : TM_TREND_DEFAULT_ALPHA;
    a.scale = c->opts->scale;
    if (!a.scale) {
        if ((rc = tm_scale_default(&own_scale, c->err)) != TM_OK) goto cleanup;
        a.scale = own_scale;
    }
    /* tone polarity from the lexicon's registry when there is one */
    const tm_lexicon *lex = c->opts->lexicon;
    if (lex) {
        size_t n = tm_lexicon_ident_count(lex), k = 0;
        reass = tm_calloc(n + 1, sizeof *reass);
        if (!reass) {
            rc = oom(c, "the report");
            goto cleanup;
        }
        for (size_t i = 0; i < n; i++) {
            const tm_lex_ident *id = tm_lexicon_ident_at(lex, i);
            if (id->cat == TM_CAT_TONE && id->polarity == TM_POL_REASSURANCE) reass[k++] = id->id;
        }
        a.reassuring = reass;
    } else {
        a.reassuring = (const char **)default_reassuring;
    }
    if ((rc = tm_agg_periods(st, &a.hist, on_hperiod, &a, c->err)) != TM_OK) goto cleanup;
    a.new_incidents = tm_calloc(a.np ? a.np : 1, sizeof *a.new_incidents);
    a.new_by_theme = tm_calloc(a.np ? a.np : 1, sizeof *a.new_by_theme);
    if (!a.new_incidents || !a.new_by_theme) {
        rc = oom(c, "the report");
        goto cleanup;
    }
    for (size_t i = 0; i < a.np; i++)
        if (!(a.new_by_theme[i] = json_object())) {
            rc = oom(c, "the report");
            goto cleanup;
        }
    /* The events' sort reads first: it then never sits on top of the
     * series and signal groups kept for the period loop. */
    if ((rc = build_events(c, st)) != TM_OK || (rc = build_tone(&a, st)) != TM_OK ||
        (rc = build_incidents(&a, st)) != TM_OK || (rc = build_trends(&a, st)) != TM_OK ||
        (rc = build_levels(&a, st)) != TM_OK ||
        (rc = tm_report__emerging(c, st, &a.hist, &a.trend)) != TM_OK ||
        (rc = build_meta(&a, rep)) != TM_OK)
        goto cleanup;
    if (c->begin && (rc = c->begin(rep, c->payload)) != TM_OK) goto cleanup;
    /* The big members (trends, levels, incidents, community_theme) are made
     * one period at a time, in time order, and each finished period goes to
     * the sink, which may write and release it: the report never holds them
     * for every period at once. Levels need every history period in order
     * (a direction compares with the period before), reported or not. */
    for (size_t i = 0; i < a.np; i++) {
        json_t *per = json_object_get(c->by_period, a.p[i].key);
        if ((rc = levels_period(&a, (long)i, per)) != TM_OK) goto cleanup;
        if (!per) continue;
        /* fill first: it adds the counts the rates are made from */
        if ((c->fill && (rc = c->fill(per, c->fill_payload)) != TM_OK) ||
            (rc = rates_period(c, per)) != TM_OK ||
            (rc = trends_period(&a, (long)i, per)) != TM_OK ||
            (rc = incidents_period(&a, (long)i, per)) != TM_OK)
            goto cleanup;
        if (per != c->undated && c->each && (rc = c->each(per, c->payload)) != TM_OK) goto cleanup;
    }
cleanup:
    trends_free(a.tr);
    inc_free(a.inc);
    lvl_free(a.lv);
    if (a.new_by_theme)
        for (size_t i = 0; i < a.np; i++)
            json_decref(a.new_by_theme[i]);
    tm_free(a.new_by_theme);
    tm_free(a.new_incidents);
    tm_free(a.p);
    tm_free(reass);
    json_decref(a.pindex);
    tm_scale_free(own_scale);
    return rc;
}
