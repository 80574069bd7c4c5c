/*
 * signals.c: pairing communities with themes sentence by sentence, and
 * picking out incidents.
 */
#include "tm/signals.h"
#include "tm/dates.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct cues {
    int hedge, experience, evidence, anaphora;
} cues;

static int theme_like(const tm_mention *m)
{
    return m->cat == TM_CAT_THEME || m->cat == TM_CAT_INDICATOR;
}

/* Appends the signal of one (community, theme) pair. No search for an
 * earlier signal of the same pair in the sentence: pair_up() pairs two
 * lists of distinct identifiers, and the paragraph pairing runs only for a
 * sentence that names no community, so a pair never comes twice (a search
 * here made a dense sentence cost pairs squared). */
static tm_signal *add_signal(tm_doc *doc, const tm_lexicon *lex, const tm_mention *c,
                             const tm_mention *t, uint32_t sent, const cues *cu, int via_paragraph)
{
    tm_signal *s = TM_VEC_PUSH(&doc->arena, doc->signals);
    if (!s) return NULL;
    const tm_lex_ident *ti = tm_lexicon_ident(lex, t->cat, t->id);
    s->community = c->id;
    s->theme = t->id;
    s->theme_cat = t->cat;
    s->polarity = ti ? ti->polarity : TM_POL_CONCERN;
    s->eep = cu->hedge ? TM_EEP_POTENTIAL : cu->experience ? TM_EEP_EXPERIENCED : TM_EEP_EVIDENCED;
    s->negated = c->negated || t->negated || (doc->sentences.v[sent].flags & TM_SENT_DEFERRED) != 0;
    s->via_paragraph = (uint8_t)via_paragraph;
    s->weight = c->weight * t->weight * (via_paragraph ? 0.5f : 1.0f);
    s->sent = sent;
    return s;
}

static int add_incident(tm_doc *doc, const char *theme, uint32_t sent, const tm_mention *ms,
                        size_t nm, int negated)
{
    for (size_t i = doc->incidents.n; i-- > 0;) {
        if (doc->incidents.v[i].sent != sent) break;
        if (!strcmp(doc->incidents.v[i].theme, theme)) return 0;
    }
    tm_incident *inc = TM_VEC_PUSH(&doc->arena, doc->incidents);
    if (!inc) return -1;
    inc->theme = theme;
    inc->sent = sent;
    inc->negated = (uint8_t)negated;
    for (size_t i = 0; i < nm; i++) {
        if (ms[i].cat == TM_CAT_PLACE && !ms[i].dropped) {
            inc->place = ms[i].canon;
            break;
        }
    }
    const tm_sentence *s = &doc->sentences.v[sent];
    tm_date d;
    int ref = doc->date[0] ? atoi(doc->date) : 0;
    if (tm_date_find(&d, doc->text + s->off, s->end - s->off, ref)) {
        char buf[11];
        tm_date_format(buf, &d);
        if (d.precision == TM_DATE_MONTH) buf[7] = '\0';
        inc->date = tm_arena_strdup(&doc->arena, buf);
    }
    return 0;
}

/* One identifier of a sentence: its first mention, and whether any mention
 * of it is not negated. Pairs are made between distinct identifiers, not
 * mentions, so a sentence naming a community 10,000 times costs 10,000
 * steps, not 10,000 squared. */
typedef struct distinct {
    const tm_mention *first;
    int any_plain; /* some mention of the identifier is not negated */
} distinct;

typedef TM_VEC(distinct) distinct_vec;

/* Adds m to the list of distinct identifiers. Lists stay short (the
 * lexicon's identifiers), so a linear search is enough. */
static int distinct_add(tm_arena *a, distinct_vec *v, const tm_mention *m)
{
    for (size_t i = 0; i < v->n; i++) {
        if (v->v[i].first->id == m->id || !strcmp(v->v[i].first->id, m->id)) {
            v->v[i].any_plain |= !m->negated;
            return 0;
        }
    }
    distinct *d = TM_VEC_PUSH(a, *v);
    if (!d) return -1;
    d->first = m;
    d->any_plain = !m->negated;
    return 0;
}

/* Every (community, theme) pair of two distinct lists; the first mentions
 * give the weights, and the pair is negated only if no pair of mentions is
 * free of negation (as if every mention pair had been tried). */
static int pair_up(tm_doc *doc, const tm_lexicon *lex, const distinct_vec *comm,
                   const distinct_vec *theme, uint32_t sent, const cues *cu, int via_paragraph)
{
    for (size_t i = 0; i < comm->n; i++) {
        for (size_t j = 0; j < theme->n; j++) {
            const tm_mention *c = comm->v[i].first, *t = theme->v[j].first;
            tm_signal *g = add_signal(doc, lex, c, t, sent, cu, via_paragraph);
            if (!g) return -1;
            if (comm->v[i].any_plain && theme->v[j].any_plain) g->negated = 0;
        }
    }
    return 0;
}

int tm_signals_doc(const tm_lexicon *lex, tm_doc *doc, tm_err *err)
{
    size_t mi = 0;
    distinct_vec last_comm = {0}; /* communities of the paragraph so far */
    int last_para = -1;
    doc->words = 0;
    for (uint32_t s = 0; s < doc->sentences.n; s++) {
        const tm_sentence *sent = &doc->sentences.v[s];
        size_t first = mi;
        while (mi < doc->mentions.n && doc->mentions.v[mi].sent == s)
            mi++;
        size_t nm = mi - first;
        /* no mentions at all: mentions.v is NULL, and NULL + 0 is undefined */
        const tm_mention *ms = nm ? doc->mentions.v + first : NULL;
        if (!(sent->flags & (TM_SENT_TABLE | TM_SENT_BOILER))) doc->words += sent->tok_count;
        if (sent->paragraph != last_para) {
            last_para = sent->paragraph;
            last_comm.n = 0;
        }
        if (sent->flags & TM_SENT_TABLE) continue;
        cues cu = {0};
        int ncomm = 0, ntheme = 0;
        for (size_t i = 0; i < nm; i++) {
            const tm_mention *m = &ms[i];
            if (m->dropped) continue;
            if (m->cat == TM_CAT_CUE && !m->negated) {
                cu.hedge |= !strcmp(m->id, "hedge");
                cu.experience |= !strcmp(m->id, "experience");
                cu.evidence |= !strcmp(m->id, "evidence");
                cu.anaphora |= !strcmp(m->id, "anaphora");
            }
            ncomm += m->cat == TM_CAT_COMMUNITY;
            ntheme += theme_like(m);
        }
        distinct_vec comm = {0}, theme = {0};
        for (size_t i = 0; i < nm; i++) {
            if (ms[i].dropped) continue;
            if (ms[i].cat == TM_CAT_COMMUNITY && distinct_add(&doc->arena, &comm, &ms[i]) != 0)
                goto oom;
            if (theme_like(&ms[i]) && distinct_add(&doc->arena, &theme, &ms[i]) != 0) goto oom;
        }
        if (pair_up(doc, lex, &comm, &theme, s, &cu, 0) != 0) goto oom;
        /* "these communities ..." ties the theme to the paragraph's communities */
        if (ntheme && cu.anaphora && !ncomm && last_comm.n &&
            pair_up(doc, lex, &last_comm, &theme, s, &cu, 1) != 0)
            goto oom;
        if (ncomm) last_comm = comm;
        /* incidents: reported events, not headings, titles or what may happen */
        if (cu.hedge || (sent->flags & TM_SENT_HEADING)) continue;
        for (size_t i = 0; i < nm; i++) {
            const tm_mention *m = &ms[i];
            if (m->dropped) continue;
            int is_event = m->cat == TM_CAT_INCIDENT;
            if (!is_event && cu.evidence && m->cat == TM_CAT_THEME) {
                const tm_lex_ident *ti = tm_lexicon_ident(lex, TM_CAT_THEME, m->id);
                is_event = ti && ti->incident;
            }
            if (is_event && add_incident(doc, m->id, s, ms, nm, m->negated) != 0) goto oom;
        }
    }
    if (doc->arena.failed) goto oom;
    return TM_OK;
oom:
    return tm_err_set(err, TM_ENOMEM, "%s: out of memory building signals", doc->path);
}
