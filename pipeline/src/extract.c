/*
 * extract.c: the per-document JSON of `tension extract --jsonl`, streamed
 * with jsonw.h. Members are written in the order the contract has always
 * had them; where a value is only known after its children (a signal's
 * count and weight) it is computed in a first pass.
 */
#include "tm/extract.h"
#include "tm/common.h"

#include <stdlib.h>
#include <string.h>

/* "text": the sentence's bytes in the file when they are UTF-8 (extract.h),
 * else the converted text; left out if even that is not UTF-8. */
static void sentence_text(tm_jw *w, const tm_doc *doc, uint32_t sent)
{
    const tm_sentence *s = &doc->sentences.v[sent];
    size_t rs = tm_doc_raw_offset(doc, s->off), re = tm_doc_raw_offset(doc, s->end);
    /* converted formats: the file's bytes are not text */
    if (doc->format == TM_FMT_TEXT && re >= rs && re <= doc->raw_len) {
        const char *raw = (const char *)doc->raw + rs;
        size_t n = re - rs;
        /* UTF-8 without NUL: the file's bytes may stand as the text */
        if (tm_jw_utf8_valid(raw, n) && !(n && memchr(raw, 0, n))) {
            tm_jw_key(w, "text");
            tm_jw_str(w, raw, n);
            return;
        }
    }
    tm_jw_kstrn(w, "text", doc->text + s->off, s->end - s->off);
}

static void offsets(tm_jw *w, const tm_doc *doc, uint32_t off, uint32_t end)
{
    tm_jw_kint(w, "start", (long long)tm_doc_raw_offset(doc, off));
    tm_jw_kint(w, "end", (long long)tm_doc_raw_offset(doc, end));
}

/* Converted documents: where the text offset `off` came from. Their
 * start/end are offsets into the extracted text (doc.h). */
static void locate(tm_jw *w, const tm_doc *doc, uint32_t off)
{
    const tm_block *b = tm_doc_block_of(doc, off);
    if (!b) return;
    if (b->page) tm_jw_kint(w, "page", b->page);
    tm_jw_kint(w, "paragraph", b->para);
}

static void evidence(tm_jw *w, const tm_doc *doc, const tm_signal *t)
{
    const tm_sentence *s = &doc->sentences.v[t->sent];
    const char *section = NULL;
    /* the enclosing numbered item names the place in the agenda */
    if (s->section >= 0) {
        int p = s->section;
        while (p >= 0 && !doc->sections.v[p].number[0] && doc->sections.v[p].parent >= 0)
            p = doc->sections.v[p].parent;
        section = doc->sections.v[p].title;
    }
    const tm_speaker *sp = s->speaker >= 0 ? &doc->speakers.v[s->speaker] : NULL;
    tm_jw_open_object(w);
    tm_jw_kstr_or_null(w, "section", section);
    tm_jw_kint(w, "sentence", t->sent);
    offsets(w, doc, s->off, s->end);
    if (sp)
        tm_jw_kstr(w, "speaker", sp->initials);
    else
        tm_jw_knull(w, "speaker");
    tm_jw_kstr_or_null(w, "role", sp ? sp->role : NULL);
    sentence_text(w, doc, t->sent);
    locate(w, doc, s->off);
    if (t->via_paragraph) tm_jw_kbool(w, "via_paragraph", 1);
    tm_jw_close_object(w);
}

static int same_signal(const tm_signal *a, const tm_signal *b)
{
    /* identifiers are mostly the lexicon's own strings: pointers first */
    return a->polarity == b->polarity && a->eep == b->eep && a->negated == b->negated &&
           (a->community == b->community || !strcmp(a->community, b->community)) &&
           (a->theme == b->theme || !strcmp(a->theme, b->theme));
}

static void signals(tm_jw *w, const tm_doc *doc)
{
    /* Group sentence-level signals by (community, theme, polarity, eep,
     * negated), groups in order of first appearance, evidence in sentence
     * order. A group's count and weight come before its evidence, so one
     * pass finds each signal's group (a hash index over the groups: the scan
     * of every later signal for every group was quadratic) and chains the
     * members; a second writes the groups. */
    size_t n = doc->signals.n, slots = 16;
    while (slots < 2 * n)
        slots *= 2;
    /* per signal: its group key's hash and the next member of its group;
     * per group: its first and last member, count and weight */
    uint64_t *key = malloc(n * sizeof *key + 1);
    uint32_t *next = malloc(n * sizeof *next + 1), *first = malloc(n * sizeof *first + 1);
    uint32_t *last = malloc(n * sizeof *last + 1), *slot = calloc(slots, sizeof *slot);
    long long *count = malloc(n * sizeof *count + 1);
    double *weight = malloc(n * sizeof *weight + 1);
    size_t ng = 0;
    tm_jw_open_array(w);
    if (!key || !next || !first || !last || !slot || !count || !weight) {
        w->failed = 1;
        n = 0;
    }
    for (size_t i = 0; i < n; i++) {
        const tm_signal *g = &doc->signals.v[i];
        uint64_t h = tm_hash(g->community, strlen(g->community), 0);
        h = tm_hash(g->theme, strlen(g->theme), h);
        key[i] = h ^ ((uint64_t)g->polarity << 1 | (uint64_t)g->eep << 3 | (uint64_t)g->negated);
        next[i] = UINT32_MAX;
        size_t j = (size_t)(key[i] ^ key[i] >> 32) & (slots - 1);
        for (; slot[j]; j = (j + 1) & (slots - 1)) {
            uint32_t k = slot[j] - 1, f = first[k];
            if (key[f] == key[i] && same_signal(&doc->signals.v[f], g)) break;
        }
        if (!slot[j]) { /* a new group */
            first[ng] = last[ng] = (uint32_t)i;
            count[ng] = 1;
            weight[ng] = 0.0 + g->weight; /* a sum from 0, as it always was (-0 is 0) */
            slot[j] = (uint32_t)++ng;
            continue;
        }
        uint32_t k = slot[j] - 1;
        next[last[k]] = (uint32_t)i;
        last[k] = (uint32_t)i;
        count[k]++;
        weight[k] += g->weight; /* in signal order, as the sum always was */
    }
    for (size_t k = 0; k < ng; k++) {
        const tm_signal *s = &doc->signals.v[first[k]];
        tm_jw_open_object(w);
        tm_jw_kstr(w, "community", s->community);
        tm_jw_kstr(w, "theme", s->theme);
        tm_jw_kstr(w, "category", tm_category_name(s->theme_cat));
        tm_jw_kstr(w, "polarity", tm_polarity_name(s->polarity));
        tm_jw_kstr(w, "eep", tm_eep_name(s->eep));
        tm_jw_kbool(w, "negated", s->negated);
        tm_jw_kint(w, "count", count[k]);
        tm_jw_kreal(w, "weight", weight[k]);
        tm_jw_key(w, "evidence");
        tm_jw_open_array(w);
        for (uint32_t j = first[k]; j != UINT32_MAX; j = next[j])
            evidence(w, doc, &doc->signals.v[j]);
        tm_jw_close_array(w);
        tm_jw_close_object(w);
    }
    tm_jw_close_array(w);
    free(key);
    free(next);
    free(first);
    free(last);
    free(slot);
    free(count);
    free(weight);
}

/* Keys counted for one of the objects below, in order of first occurrence,
 * with an open-addressing index over them (a document has hundreds of
 * distinct places: a linear search cost more than the rest of the line). */
typedef struct tally {
    size_t n, cap; /* keys; cap >= every mention */
    size_t mask;   /* slots - 1, slots a power of two >= 2 * cap */
    const char **key;
    long long *count;
    uint32_t *slot; /* index + 1 into key/count, 0 if empty */
} tally;

static int tally_init(tally *t, size_t mentions)
{
    size_t slots = 16;
    while (slots < 2 * mentions)
        slots *= 2;
    memset(t, 0, sizeof *t);
    t->cap = mentions;
    t->mask = slots - 1;
    t->key = malloc(mentions * sizeof *t->key + 1);
    t->count = malloc(mentions * sizeof *t->count + 1);
    t->slot = malloc(slots * sizeof *t->slot);
    return t->key && t->count && t->slot ? 0 : -1;
}

static void tally_free(tally *t)
{
    free(t->key);
    free(t->count);
    free(t->slot);
}

static void tally_add(tally *t, const char *key)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    size_t len = 0;
    for (; key[len]; len++)
        h = (h ^ (unsigned char)key[len]) * 16777619u;
    size_t i = h & t->mask;
    for (; t->slot[i]; i = (i + 1) & t->mask) {
        size_t k = t->slot[i] - 1;
        if (t->key[k] == key || !strcmp(t->key[k], key)) {
            t->count[k]++;
            return;
        }
    }
    if (!tm_jw_utf8_valid(key, len)) return;
    t->key[t->n] = key;
    t->count[t->n] = 1;
    t->slot[i] = (uint32_t)++t->n;
}

/* An object of how often each key occurs among the kept mentions of one
 * group (e.g. communities): the `n` mentions listed in `idx`, in document
 * order. Keys jansson would refuse (NULL, not UTF-8) are left out, as
 * json_object_set_new() left them out. */
static void counts(tm_jw *w, const char *name, const tm_doc *doc, const uint32_t *idx, size_t n,
                   int by_canon, tally *t)
{
    /* the index only as large as this group needs: clearing it is the cost */
    size_t slots = 16;
    while (slots < 2 * n)
        slots *= 2;
    t->mask = slots - 1;
    t->n = 0;
    memset(t->slot, 0, slots * sizeof *t->slot);
    for (size_t i = 0; i < n; i++) {
        const tm_mention *m = &doc->mentions.v[idx[i]];
        const char *key = by_canon ? m->canon : m->id;
        if (key) tally_add(t, key);
    }
    tm_jw_key(w, name);
    tm_jw_open_object(w);
    for (size_t j = 0; j < t->n; j++)
        tm_jw_kint(w, t->key[j], t->count[j]);
    tm_jw_close_object(w);
}

/* The six count objects. Each kept mention belongs to at most one of them;
 * one pass sorts the mentions into their groups (in document order). */
enum { G_COMMUNITIES, G_THEMES, G_PLACES, G_ORGANISATIONS, G_INDICATORS, G_NEGATED, G__COUNT };

static int group_of(const tm_mention *m)
{
    if (m->dropped) return -1;
    if (m->negated) return m->cat == TM_CAT_COMMUNITY || m->cat == TM_CAT_THEME ? G_NEGATED : -1;
    switch (m->cat) {
    case TM_CAT_COMMUNITY:
        return G_COMMUNITIES;
    case TM_CAT_THEME:
        return G_THEMES;
    case TM_CAT_PLACE:
        return G_PLACES;
    case TM_CAT_ORGANISATION:
        return G_ORGANISATIONS;
    case TM_CAT_INDICATOR:
        return G_INDICATORS;
    default:
        return -1;
    }
}

static int all_counts(tm_jw *w, const tm_doc *doc, tally *t)
{
    size_t n = doc->mentions.n, at[G__COUNT + 1] = {0};
    uint32_t *idx = malloc(n * sizeof *idx + 1);
    signed char *g = malloc(n + 1);
    if (!idx || !g) {
        free(idx);
        free(g);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        g[i] = (signed char)group_of(&doc->mentions.v[i]);
        if (g[i] >= 0) at[g[i] + 1]++;
    }
    for (int k = 0; k < G__COUNT; k++)
        at[k + 1] += at[k];
    size_t fill[G__COUNT];
    memcpy(fill, at, sizeof fill);
    for (size_t i = 0; i < n; i++)
        if (g[i] >= 0) idx[fill[g[i]]++] = (uint32_t)i;
    static const char *const names[G__COUNT] = {"communities",   "themes",     "places",
                                                "organisations", "indicators", "negated"};
    for (int k = 0; k < G__COUNT; k++)
        counts(w, names[k], doc, idx + at[k], at[k + 1] - at[k], k == G_PLACES, t);
    free(idx);
    free(g);
    return 0;
}

static void incidents(tm_jw *w, const tm_doc *doc)
{
    tm_jw_open_array(w);
    for (size_t i = 0; i < doc->incidents.n; i++) {
        const tm_incident *inc = &doc->incidents.v[i];
        const tm_sentence *s = &doc->sentences.v[inc->sent];
        tm_jw_open_object(w);
        tm_jw_kstr(w, "theme", inc->theme);
        sentence_text(w, doc, inc->sent);
        tm_jw_kstr_or_null(w, "date", inc->date);
        tm_jw_kstr_or_null(w, "place", inc->place);
        tm_jw_kint(w, "sentence", inc->sent);
        offsets(w, doc, s->off, s->end);
        tm_jw_kbool(w, "negated", inc->negated);
        locate(w, doc, s->off);
        tm_jw_close_object(w);
    }
    tm_jw_close_array(w);
}

static int same_initials(const tm_speaker *a, const char *key)
{
    return a->initials && !strcmp(a->initials, key);
}

/* Speakers by initials. Like a jansson object, a repeated key keeps its
 * first place and takes the last value. */
static void speakers(tm_jw *w, const tm_doc *doc)
{
    tm_jw_open_object(w);
    for (size_t i = 0; i < doc->speakers.n; i++) {
        const char *key = doc->speakers.v[i].initials;
        if (!key || !tm_jw_utf8_valid(key, strlen(key))) continue;
        size_t j = 0, last = i;
        while (j < i && !same_initials(&doc->speakers.v[j], key))
            j++;
        if (j < i) continue; /* written at its first place */
        for (j = i + 1; j < doc->speakers.n; j++)
            if (same_initials(&doc->speakers.v[j], key)) last = j;
        const tm_speaker *sp = &doc->speakers.v[last];
        tm_jw_key(w, key);
        tm_jw_open_object(w);
        tm_jw_kstr_or_null(w, "role", sp->role);
        tm_jw_kint(w, "sentences", sp->sentences);
        tm_jw_kbool(w, "in_table", sp->in_table);
        tm_jw_close_object(w);
    }
    tm_jw_close_object(w);
}

void tm_extract_write(tm_jw *w, const tm_doc *doc)
{
    tm_jw_kstr(w, "doc", doc->path);
    tm_jw_kstr(w, "sha256", doc->sha256);
    tm_jw_kstr(w, "kind", tm_kind_name(doc->kind));
    tm_jw_kstr_or_null(w, "date", doc->date[0] ? doc->date : NULL);
    tm_jw_kstr_or_null(w, "period_date", doc->period_date[0] ? doc->period_date : NULL);
    tm_jw_kstr_or_null(w, "next_meeting", doc->next_meeting[0] ? doc->next_meeting : NULL);
    tm_jw_kstr_or_null(w, "title", doc->title);
    tm_jw_kstr_or_null(w, "location", doc->location);
    static const char *const enc[] = {"utf-8", "utf-8-bom", "windows-1252", "utf-16le", "utf-16be"};
    tm_jw_kstr(w, "encoding", enc[doc->encoding]);
    /* "text": offsets are file offsets; otherwise offsets into the extracted text */
    tm_jw_kstr(w, "format", tm_format_name(doc->format));
    tm_jw_kint(w, "words", (long long)doc->words);

    tally t;
    if (tally_init(&t, doc->mentions.n) != 0) {
        tally_free(&t);
        w->failed = 1;
        return;
    }
    if (all_counts(w, doc, &t) != 0) w->failed = 1;
    tally_free(&t);

    tm_jw_key(w, "incidents");
    incidents(w, doc);
    tm_jw_key(w, "signals");
    signals(w, doc);
    tm_jw_key(w, "speakers");
    speakers(w, doc);

    tm_jw_key(w, "sections");
    tm_jw_open_array(w);
    for (size_t i = 0; i < doc->sections.n; i++) {
        const tm_section *s = &doc->sections.v[i];
        tm_jw_open_object(w);
        tm_jw_kstr(w, "number", s->number);
        tm_jw_kstr(w, "title", s->title);
        tm_jw_kint(w, "level", s->level);
        tm_jw_kbool(w, "deferred", s->deferred);
        tm_jw_close_object(w);
    }
    tm_jw_close_array(w);
    tm_jw_key(w, "deferred_sections");
    tm_jw_open_array(w);
    for (size_t i = 0; i < doc->sections.n; i++)
        if (doc->sections.v[i].deferred) tm_jw_elem_str(w, doc->sections.v[i].title);
    tm_jw_close_array(w);

    tm_jw_key(w, "errors");
    tm_jw_open_array(w);
    for (size_t i = 0; i < doc->errors.n; i++)
        tm_jw_elem_str(w, doc->errors.v[i]);
    tm_jw_close_array(w);
}

void tm_extract_write_mentions(tm_jw *w, const tm_doc *doc)
{
    tm_jw_open_array(w);
    for (size_t i = 0; i < doc->mentions.n; i++) {
        const tm_mention *m = &doc->mentions.v[i];
        tm_jw_open_object(w);
        tm_jw_kstr(w, "category", tm_category_name(m->cat));
        tm_jw_kstr(w, "id", m->canon);
        tm_jw_kint(w, "sentence", m->sent);
        offsets(w, doc, m->off, m->end);
        tm_jw_kstrn(w, "text", doc->text + m->off, m->end - m->off);
        tm_jw_kbool(w, "negated", m->negated);
        tm_jw_kbool(w, "dropped", m->dropped);
        locate(w, doc, m->off);
        tm_jw_close_object(w);
    }
    tm_jw_close_array(w);
}

void tm_extract_write_sentences(tm_jw *w, const tm_doc *doc)
{
    tm_jw_open_array(w);
    for (size_t i = 0; i < doc->sentences.n; i++) {
        const tm_sentence *s = &doc->sentences.v[i];
        const tm_speaker *sp = s->speaker >= 0 ? &doc->speakers.v[s->speaker] : NULL;
        tm_jw_open_object(w);
        tm_jw_kint(w, "sentence", (long long)i);
        if (s->section >= 0)
            tm_jw_kstr(w, "section", doc->sections.v[s->section].title);
        else
            tm_jw_knull(w, "section");
        /* a converted document's block paragraph (locate) stands in its place */
        const tm_block *b = tm_doc_block_of(doc, s->off);
        tm_jw_kint(w, "paragraph", b ? (long long)b->para : s->paragraph);
        if (sp)
            tm_jw_kstr(w, "speaker", sp->initials);
        else
            tm_jw_knull(w, "speaker");
        tm_jw_kbool(w, "heading", s->flags & TM_SENT_HEADING);
        tm_jw_kbool(w, "deferred", s->flags & TM_SENT_DEFERRED);
        tm_jw_kbool(w, "boilerplate", s->flags & TM_SENT_BOILER);
        offsets(w, doc, s->off, s->end);
        sentence_text(w, doc, (uint32_t)i);
        if (b && b->page) tm_jw_kint(w, "page", b->page);
        tm_jw_close_object(w);
    }
    tm_jw_close_array(w);
}

void tm_extract_write_error(tm_jw *w, const char *path, const char *message)
{
    tm_jw_open_object(w);
    tm_jw_kstr(w, "doc", path);
    tm_jw_key(w, "errors");
    tm_jw_open_array(w);
    tm_jw_elem_str(w, message);
    tm_jw_close_array(w);
    tm_jw_close_object(w);
}
