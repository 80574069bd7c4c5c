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

static int add_signal(tm_doc *doc, const tm_lexicon *lex, const tm_mention *c, const tm_mention *t,
                      uint32_t sent, const cues *cu, int via_paragraph)
{
    for (size_t i = doc->signals.n; i-- > 0;) {
        tm_signal *s = &doc->signals.v[i];
        if (s->sent != sent)
            break;
        if (!strcmp(s->community, c->id) && !strcmp(s->theme, t->id)) {
            /* one pair per sentence; a non-negated mention of it wins */
            if (s->negated && !(c->negated || t->negated))
                s->negated = 0;
            return 0;
        }
    }
    tm_signal *s = TM_VEC_PUSH(&doc->arena, doc->signals);
    if (!s)
        return -1;
    const tm_lex_ident *ti = tm_lexicon_ident(lex, t->cat, t->id);
    s->community = c->id;
    s->theme = t->id;
    s->theme_cat = t->cat;
    s->polarity = ti ? ti->polarity : TM_POL_CONCERN;
    s->eep = cu->hedge ? TM_EEP_POTENTIAL : cu->experience ? TM_EEP_EXPERIENCED : TM_EEP_EVIDENCED;
    s->negated = c->negated || t->negated ||
                 (doc->sentences.v[sent].flags & TM_SENT_DEFERRED) != 0;
    s->via_paragraph = (uint8_t)via_paragraph;
    s->weight = c->weight * t->weight * (via_paragraph ? 0.5f : 1.0f);
    s->sent = sent;
    return 0;
}

static int add_incident(tm_doc *doc, const char *theme, uint32_t sent, const tm_mention *ms,
                        size_t nm, int negated)
{
    for (size_t i = doc->incidents.n; i-- > 0;) {
        if (doc->incidents.v[i].sent != sent)
            break;
        if (!strcmp(doc->incidents.v[i].theme, theme))
            return 0;
    }
    tm_incident *inc = TM_VEC_PUSH(&doc->arena, doc->incidents);
    if (!inc)
        return -1;
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
        if (d.precision == TM_DATE_MONTH)
            buf[7] = '\0';
        inc->date = tm_arena_strdup(&doc->arena, buf);
    }
    return 0;
}

int tm_signals_doc(const tm_lexicon *lex, tm_doc *doc, tm_err *err)
{
    size_t mi = 0;
    size_t last_comm_first = 0, last_comm_n = 0; /* communities of the paragraph so far */
    int last_para = -1;
    doc->words = 0;
    for (uint32_t s = 0; s < doc->sentences.n; s++) {
        const tm_sentence *sent = &doc->sentences.v[s];
        size_t first = mi;
        while (mi < doc->mentions.n && doc->mentions.v[mi].sent == s)
            mi++;
        const tm_mention *ms = doc->mentions.v + first;
        size_t nm = mi - first;
        if (!(sent->flags & (TM_SENT_TABLE | TM_SENT_BOILER)))
            doc->words += sent->tok_count;
        if (sent->paragraph != last_para) {
            last_para = sent->paragraph;
            last_comm_n = 0;
        }
        if (sent->flags & TM_SENT_TABLE)
            continue;
        cues cu = {0};
        int ncomm = 0, ntheme = 0;
        for (size_t i = 0; i < nm; i++) {
            const tm_mention *m = &ms[i];
            if (m->dropped)
                continue;
            if (m->cat == TM_CAT_CUE && !m->negated) {
                cu.hedge |= !strcmp(m->id, "hedge");
                cu.experience |= !strcmp(m->id, "experience");
                cu.evidence |= !strcmp(m->id, "evidence");
                cu.anaphora |= !strcmp(m->id, "anaphora");
            }
            ncomm += m->cat == TM_CAT_COMMUNITY;
            ntheme += theme_like(m);
        }
        for (size_t i = 0; i < nm; i++) {
            if (ms[i].cat != TM_CAT_COMMUNITY || ms[i].dropped)
                continue;
            for (size_t j = 0; j < nm; j++)
                if (theme_like(&ms[j]) && !ms[j].dropped &&
                    add_signal(doc, lex, &ms[i], &ms[j], s, &cu, 0) != 0)
                    goto oom;
        }
        /* "these communities ..." ties the theme to the paragraph's communities */
        if (ntheme && cu.anaphora && !ncomm && last_comm_n) {
            for (size_t i = last_comm_first; i < last_comm_first + last_comm_n; i++) {
                const tm_mention *c = &doc->mentions.v[i];
                if (c->cat != TM_CAT_COMMUNITY || c->dropped)
                    continue;
                for (size_t j = 0; j < nm; j++)
                    if (theme_like(&ms[j]) && !ms[j].dropped &&
                        add_signal(doc, lex, c, &ms[j], s, &cu, 1) != 0)
                        goto oom;
            }
        }
        if (ncomm) {
            last_comm_first = first;
            last_comm_n = nm;
        }
        /* incidents: reported events, not headings, titles or what may happen */
        if (cu.hedge || (sent->flags & TM_SENT_HEADING))
            continue;
        for (size_t i = 0; i < nm; i++) {
            const tm_mention *m = &ms[i];
            if (m->dropped)
                continue;
            int is_event = m->cat == TM_CAT_INCIDENT;
            if (!is_event && cu.evidence && m->cat == TM_CAT_THEME) {
                const tm_lex_ident *ti = tm_lexicon_ident(lex, TM_CAT_THEME, m->id);
                is_event = ti && ti->incident;
            }
            if (is_event && add_incident(doc, m->id, s, ms, nm, m->negated) != 0)
                goto oom;
        }
    }
    if (doc->arena.failed)
        goto oom;
    return TM_OK;
oom:
    return tm_err_set(err, TM_ENOMEM, "%s: out of memory building signals", doc->path);
}
