/*
 * extract.c: the per-document JSON of `tension extract --jsonl`.
 */
#include "tm/extract.h"
#include "tm/utf8.h"

#include <stdlib.h>
#include <string.h>

static void count(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    json_object_set_new(obj, key, json_integer(v ? json_integer_value(v) + 1 : 1));
}

static int valid_utf8(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t k = tm_utf8_decode(p + i, n - i, &cp);
        if (!k || cp == 0) return 0;
        i += k;
    }
    return 1;
}

json_t *tm_extract_sentence_text(const tm_doc *doc, uint32_t sent)
{
    const tm_sentence *s = &doc->sentences.v[sent];
    if (doc->format != TM_FMT_TEXT) /* converted: the file's bytes are not text */
        return json_stringn(doc->text + s->off, s->end - s->off);
    size_t rs = tm_doc_raw_offset(doc, s->off), re = tm_doc_raw_offset(doc, s->end);
    if (re >= rs && re <= doc->raw_len && valid_utf8(doc->raw + rs, re - rs))
        return json_stringn((const char *)doc->raw + rs, re - rs);
    return json_stringn(doc->text + s->off, s->end - s->off);
}

/* Converted documents: where the text offset `off` came from. Their
 * start/end are offsets into the extracted text (doc.h). */
static void locate(json_t *o, const tm_doc *doc, uint32_t off)
{
    const tm_block *b = tm_doc_block_of(doc, off);
    if (!b) return;
    if (b->page) json_object_set_new(o, "page", json_integer(b->page));
    json_object_set_new(o, "paragraph", json_integer(b->para));
}

static json_t *evidence(const tm_doc *doc, uint32_t sent)
{
    const tm_sentence *s = &doc->sentences.v[sent];
    json_t *e = json_object();
    const char *section = s->section >= 0 ? doc->sections.v[s->section].title : NULL;
    /* the enclosing numbered item names the place in the agenda */
    if (s->section >= 0) {
        int p = s->section;
        while (p >= 0 && !doc->sections.v[p].number[0] && doc->sections.v[p].parent >= 0)
            p = doc->sections.v[p].parent;
        section = doc->sections.v[p].title;
    }
    json_object_set_new(e, "section", section ? json_string(section) : json_null());
    json_object_set_new(e, "sentence", json_integer(sent));
    json_object_set_new(e, "start", json_integer((json_int_t)tm_doc_raw_offset(doc, s->off)));
    json_object_set_new(e, "end", json_integer((json_int_t)tm_doc_raw_offset(doc, s->end)));
    const tm_speaker *sp = s->speaker >= 0 ? &doc->speakers.v[s->speaker] : NULL;
    json_object_set_new(e, "speaker", sp ? json_string(sp->initials) : json_null());
    json_object_set_new(e, "role", sp && sp->role ? json_string(sp->role) : json_null());
    json_object_set_new(e, "text", tm_extract_sentence_text(doc, sent));
    locate(e, doc, s->off);
    return e;
}

static int signal_key_cmp(const tm_signal *a, const tm_signal *b)
{
    int c = strcmp(a->community, b->community);
    if (!c) c = strcmp(a->theme, b->theme);
    if (!c) c = (int)a->polarity - (int)b->polarity;
    if (!c) c = (int)a->eep - (int)b->eep;
    if (!c) c = (int)a->negated - (int)b->negated;
    return c;
}

static json_t *signals_json(const tm_doc *doc)
{
    /* Group sentence-level signals by (community, theme, polarity, eep,
     * negated), groups in order of first appearance, evidence in sentence
     * order: a linear scan per new group keeps it simple and allocation-free. */
    json_t *arr = json_array();
    size_t n = doc->signals.n;
    unsigned char *done = n ? calloc(n, 1) : NULL;
    if (n && !done) return arr;
    for (size_t i = 0; i < n; i++) {
        if (done[i]) continue;
        const tm_signal *s = &doc->signals.v[i];
        json_t *g = json_object();
        json_t *evs = json_array();
        json_int_t count = 0;
        double weight = 0;
        for (size_t j = i; j < n; j++) {
            const tm_signal *t = &doc->signals.v[j];
            if (done[j] || signal_key_cmp(s, t) != 0) continue;
            done[j] = 1;
            count++;
            weight += t->weight;
            json_t *ev = evidence(doc, t->sent);
            if (t->via_paragraph) json_object_set_new(ev, "via_paragraph", json_true());
            json_array_append_new(evs, ev);
        }
        json_object_set_new(g, "community", json_string(s->community));
        json_object_set_new(g, "theme", json_string(s->theme));
        json_object_set_new(g, "category", json_string(tm_category_name(s->theme_cat)));
        json_object_set_new(g, "polarity", json_string(tm_polarity_name(s->polarity)));
        json_object_set_new(g, "eep", json_string(tm_eep_name(s->eep)));
        json_object_set_new(g, "negated", json_boolean(s->negated));
        json_object_set_new(g, "count", json_integer(count));
        json_object_set_new(g, "weight", json_real(weight));
        json_object_set_new(g, "evidence", evs);
        json_array_append_new(arr, g);
    }
    free(done);
    return arr;
}

json_t *tm_extract_mentions_json(const tm_doc *doc)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < doc->mentions.n; i++) {
        const tm_mention *m = &doc->mentions.v[i];
        json_t *x = json_object();
        json_object_set_new(x, "category", json_string(tm_category_name(m->cat)));
        json_object_set_new(x, "id", json_string(m->canon));
        json_object_set_new(x, "sentence", json_integer(m->sent));
        json_object_set_new(x, "start", json_integer((json_int_t)tm_doc_raw_offset(doc, m->off)));
        json_object_set_new(x, "end", json_integer((json_int_t)tm_doc_raw_offset(doc, m->end)));
        json_object_set_new(x, "text", json_stringn(doc->text + m->off, m->end - m->off));
        json_object_set_new(x, "negated", json_boolean(m->negated));
        json_object_set_new(x, "dropped", json_boolean(m->dropped));
        locate(x, doc, m->off);
        json_array_append_new(arr, x);
    }
    return arr;
}

json_t *tm_extract_sentences_json(const tm_doc *doc)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < doc->sentences.n; i++) {
        const tm_sentence *s = &doc->sentences.v[i];
        json_t *x = json_object();
        const tm_speaker *sp = s->speaker >= 0 ? &doc->speakers.v[s->speaker] : NULL;
        json_object_set_new(x, "sentence", json_integer((json_int_t)i));
        json_object_set_new(x, "section",
                            s->section >= 0 ? json_string(doc->sections.v[s->section].title)
                                            : json_null());
        json_object_set_new(x, "paragraph", json_integer(s->paragraph));
        json_object_set_new(x, "speaker", sp ? json_string(sp->initials) : json_null());
        json_object_set_new(x, "heading", json_boolean(s->flags & TM_SENT_HEADING));
        json_object_set_new(x, "deferred", json_boolean(s->flags & TM_SENT_DEFERRED));
        json_object_set_new(x, "boilerplate", json_boolean(s->flags & TM_SENT_BOILER));
        json_object_set_new(x, "start", json_integer((json_int_t)tm_doc_raw_offset(doc, s->off)));
        json_object_set_new(x, "end", json_integer((json_int_t)tm_doc_raw_offset(doc, s->end)));
        json_object_set_new(x, "text", tm_extract_sentence_text(doc, (uint32_t)i));
        locate(x, doc, s->off);
        json_array_append_new(arr, x);
    }
    return arr;
}

json_t *tm_extract_json(const tm_doc *doc)
{
    json_t *o = json_object();
    if (!o) return NULL;
    json_object_set_new(o, "doc", json_string(doc->path));
    json_object_set_new(o, "sha256", json_string(doc->sha256));
    json_object_set_new(o, "kind", json_string(tm_kind_name(doc->kind)));
    json_object_set_new(o, "date", doc->date[0] ? json_string(doc->date) : json_null());
    json_object_set_new(o, "period_date",
                        doc->period_date[0] ? json_string(doc->period_date) : json_null());
    json_object_set_new(o, "next_meeting",
                        doc->next_meeting[0] ? json_string(doc->next_meeting) : json_null());
    json_object_set_new(o, "title", doc->title ? json_string(doc->title) : json_null());
    json_object_set_new(o, "location", doc->location ? json_string(doc->location) : json_null());
    static const char *const enc[] = {"utf-8", "utf-8-bom", "windows-1252", "utf-16le", "utf-16be"};
    json_object_set_new(o, "encoding", json_string(enc[doc->encoding]));
    /* "text": offsets are file offsets; otherwise offsets into the extracted text */
    json_object_set_new(o, "format", json_string(tm_format_name(doc->format)));
    json_object_set_new(o, "words", json_integer((json_int_t)doc->words));

    json_t *comm = json_object(), *themes = json_object(), *places = json_object(),
           *orgs = json_object(), *indicators = json_object(), *negated = json_object();
    for (size_t i = 0; i < doc->mentions.n; i++) {
        const tm_mention *m = &doc->mentions.v[i];
        if (m->dropped) continue;
        if (m->negated) {
            if (m->cat == TM_CAT_COMMUNITY || m->cat == TM_CAT_THEME) count(negated, m->id);
            continue;
        }
        switch (m->cat) {
        case TM_CAT_COMMUNITY:
            count(comm, m->id);
            break;
        case TM_CAT_THEME:
            count(themes, m->id);
            break;
        case TM_CAT_PLACE:
            count(places, m->canon);
            break;
        case TM_CAT_ORGANISATION:
            count(orgs, m->id);
            break;
        case TM_CAT_INDICATOR:
            count(indicators, m->id);
            break;
        default:
            break;
        }
    }
    json_object_set_new(o, "communities", comm);
    json_object_set_new(o, "themes", themes);
    json_object_set_new(o, "places", places);
    json_object_set_new(o, "organisations", orgs);
    json_object_set_new(o, "indicators", indicators);
    json_object_set_new(o, "negated", negated);

    json_t *incidents = json_array();
    for (size_t i = 0; i < doc->incidents.n; i++) {
        const tm_incident *inc = &doc->incidents.v[i];
        const tm_sentence *s = &doc->sentences.v[inc->sent];
        json_t *x = json_object();
        json_object_set_new(x, "theme", json_string(inc->theme));
        json_object_set_new(x, "text", tm_extract_sentence_text(doc, inc->sent));
        json_object_set_new(x, "date", inc->date ? json_string(inc->date) : json_null());
        json_object_set_new(x, "place", inc->place ? json_string(inc->place) : json_null());
        json_object_set_new(x, "sentence", json_integer(inc->sent));
        json_object_set_new(x, "start", json_integer((json_int_t)tm_doc_raw_offset(doc, s->off)));
        json_object_set_new(x, "end", json_integer((json_int_t)tm_doc_raw_offset(doc, s->end)));
        json_object_set_new(x, "negated", json_boolean(inc->negated));
        locate(x, doc, s->off);
        json_array_append_new(incidents, x);
    }
    json_object_set_new(o, "incidents", incidents);
    json_object_set_new(o, "signals", signals_json(doc));

    json_t *speakers = json_object();
    for (size_t i = 0; i < doc->speakers.n; i++) {
        const tm_speaker *sp = &doc->speakers.v[i];
        json_t *x = json_object();
        json_object_set_new(x, "role", sp->role ? json_string(sp->role) : json_null());
        json_object_set_new(x, "sentences", json_integer(sp->sentences));
        json_object_set_new(x, "in_table", json_boolean(sp->in_table));
        json_object_set_new(speakers, sp->initials, x);
    }
    json_object_set_new(o, "speakers", speakers);

    json_t *sections = json_array(), *deferred = json_array();
    for (size_t i = 0; i < doc->sections.n; i++) {
        const tm_section *s = &doc->sections.v[i];
        json_t *x = json_object();
        json_object_set_new(x, "number", json_string(s->number));
        json_object_set_new(x, "title", json_string(s->title));
        json_object_set_new(x, "level", json_integer(s->level));
        json_object_set_new(x, "deferred", json_boolean(s->deferred));
        json_array_append_new(sections, x);
        if (s->deferred) json_array_append_new(deferred, json_string(s->title));
    }
    json_object_set_new(o, "sections", sections);
    json_object_set_new(o, "deferred_sections", deferred);

    json_t *errors = json_array();
    for (size_t i = 0; i < doc->errors.n; i++)
        json_array_append_new(errors, json_string(doc->errors.v[i]));
    json_object_set_new(o, "errors", errors);
    return o;
}

json_t *tm_extract_error_json(const char *path, const char *message)
{
    json_t *o = json_object();
    if (!o) return NULL;
    json_object_set_new(o, "doc", json_string(path));
    json_t *errors = json_array();
    json_array_append_new(errors, json_string(message));
    json_object_set_new(o, "errors", errors);
    return o;
}
