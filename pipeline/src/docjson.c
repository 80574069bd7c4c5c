/*
 * docjson.c: the "full" object of `extract --full` and its loader for
 * `ingest --from-jsonl` (see docjson.h). Records are objects with short
 * field names; bytes that need not be UTF-8 (the source) travel as base64.
 */
#include "tm/docjson.h"
#include "tm/ingest.h"
#include "tm/source.h"

#include <math.h>
#include <string.h>

/* ---------------------------------------------------------------- base64 */

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static char *b64_encode(const unsigned char *p, size_t n, size_t *outn)
{
    size_t m = (n + 2) / 3 * 4;
    char *o = tm_malloc(m + 1);
    if (!o) return NULL;
    size_t w = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0) |
                     (i + 2 < n ? p[i + 2] : 0);
        o[w++] = b64[v >> 18 & 63];
        o[w++] = b64[v >> 12 & 63];
        o[w++] = i + 1 < n ? b64[v >> 6 & 63] : '=';
        o[w++] = i + 2 < n ? b64[v & 63] : '=';
    }
    o[w] = '\0';
    *outn = w;
    return o;
}

static int b64_value(char c)
{
    const char *q = c ? strchr(b64, c) : NULL;
    return q ? (int)(q - b64) : -1;
}

/* Returns 0, or -1 on a malformed string or no memory (*out NULL). */
static int b64_decode(unsigned char **out, size_t *outn, const char *s, size_t n)
{
    *out = NULL;
    if (n % 4) return -1;
    unsigned char *o = tm_malloc(n / 4 * 3 + 1);
    if (!o) return -1;
    size_t w = 0;
    for (size_t i = 0; i < n; i += 4) {
        int a = b64_value(s[i]), b = b64_value(s[i + 1]);
        int pad2 = s[i + 2] == '=', pad3 = s[i + 3] == '=';
        int c = pad2 ? 0 : b64_value(s[i + 2]), d = pad3 ? 0 : b64_value(s[i + 3]);
        if (a < 0 || b < 0 || c < 0 || d < 0 || (pad2 && !pad3) || ((pad2 || pad3) && i + 4 != n)) {
            tm_free(o);
            return -1;
        }
        uint32_t v = (uint32_t)a << 18 | (uint32_t)b << 12 | (uint32_t)c << 6 | (uint32_t)d;
        o[w++] = (unsigned char)(v >> 16);
        if (!pad2) o[w++] = (unsigned char)(v >> 8 & 0xff);
        if (!pad3) o[w++] = (unsigned char)(v & 0xff);
    }
    *out = o;
    *outn = w;
    return 0;
}

/* ------------------------------------------------------------------ emit */

/* The "full" object was a jansson tree; these keep its bytes. A top-level
 * string jansson refused (NULL, not UTF-8) became null; a record whose
 * json_pack() failed on such a string (or on a weight that is not finite)
 * was left out of its array. */

static int str_ok(const char *s)
{
    return s && tm_jw_utf8_valid(s, strlen(s));
}

/* str_or_null(): NULL and "" are null; else the string, which must be valid. */
static int opt_ok(const char *s)
{
    return !s || !*s || str_ok(s);
}

static void opt_str(tm_jw *w, const char *k, const char *s)
{
    if (s && *s)
        tm_jw_kstr(w, k, s);
    else
        tm_jw_knull(w, k);
}

/* A top-level member: null when jansson would have refused the string. */
static void str_else_null(tm_jw *w, const char *k, const char *s)
{
    if (str_ok(s))
        tm_jw_kstr(w, k, s);
    else
        tm_jw_knull(w, k);
}

static void opt_else_null(tm_jw *w, const char *k, const char *s)
{
    if (opt_ok(s))
        opt_str(w, k, s);
    else
        tm_jw_knull(w, k);
}

static void records(tm_jw *w, const tm_doc *doc)
{
    tm_jw_key(w, "sections");
    tm_jw_open_array(w);
    for (size_t i = 0; i < doc->sections.n; i++) {
        const tm_section *s = &doc->sections.v[i];
        const char *number = s->number ? s->number : "", *title = s->title ? s->title : "";
        if (!str_ok(number) || !str_ok(title)) continue;
        tm_jw_open_object(w);
        tm_jw_kint(w, "off", s->off);
        tm_jw_kint(w, "end", s->end);
        tm_jw_kstr(w, "number", number);
        tm_jw_kstr(w, "title", title);
        tm_jw_kint(w, "level", s->level);
        tm_jw_kint(w, "parent", s->parent);
        tm_jw_kint(w, "deferred", s->deferred);
        tm_jw_kint(w, "title_off", s->title_off);
        tm_jw_kint(w, "title_end", s->title_end);
        tm_jw_close_object(w);
    }
    tm_jw_close_array(w);

    tm_jw_key(w, "speakers");
    tm_jw_open_array(w);
    for (size_t i = 0; i < doc->speakers.n; i++) {
        const tm_speaker *s = &doc->speakers.v[i];
        if (!str_ok(s->initials) || !opt_ok(s->role)) continue;
        tm_jw_open_object(w);
        tm_jw_kstr(w, "initials", s->initials);
        opt_str(w, "role", s->role);
        tm_jw_kint(w, "sentences", s->sentences);
        tm_jw_kint(w, "in_table", s->in_table);
        tm_jw_close_object(w);
    }
    tm_jw_close_array(w);

    tm_jw_key(w, "sentences");
    tm_jw_open_array(w);
    for (size_t i = 0; i < doc->sentences.n; i++) {
        const tm_sentence *s = &doc->sentences.v[i];
        tm_jw_open_object(w);
        tm_jw_kint(w, "off", s->off);
        tm_jw_kint(w, "end", s->end);
        tm_jw_kint(w, "section", s->section);
        tm_jw_kint(w, "paragraph", s->paragraph);
        tm_jw_kint(w, "speaker", s->speaker);
        tm_jw_kint(w, "flags", s->flags);
        tm_jw_close_object(w);
    }
    tm_jw_close_array(w);

    tm_jw_key(w, "mentions");
    tm_jw_open_array(w);
    for (size_t i = 0; i < doc->mentions.n; i++) {
        const tm_mention *m = &doc->mentions.v[i];
        if (!str_ok(m->id) || !opt_ok(m->canon) || !isfinite(m->weight)) continue;
        tm_jw_open_object(w);
        tm_jw_kstr(w, "cat", tm_category_name(m->cat));
        tm_jw_kstr(w, "id", m->id);
        opt_str(w, "canon", m->canon);
        tm_jw_kint(w, "off", m->off);
        tm_jw_kint(w, "end", m->end);
        tm_jw_kint(w, "sent", m->sent);
        tm_jw_kbool(w, "negated", m->negated);
        tm_jw_kbool(w, "dropped", m->dropped);
        tm_jw_kreal(w, "weight", (double)m->weight);
        tm_jw_close_object(w);
    }
    tm_jw_close_array(w);

    tm_jw_key(w, "signals");
    tm_jw_open_array(w);
    for (size_t i = 0; i < doc->signals.n; i++) {
        const tm_signal *g = &doc->signals.v[i];
        if (!str_ok(g->community) || !str_ok(g->theme) || !isfinite(g->weight)) continue;
        tm_jw_open_object(w);
        tm_jw_kstr(w, "community", g->community);
        tm_jw_kstr(w, "theme", g->theme);
        tm_jw_kstr(w, "cat", tm_category_name(g->theme_cat));
        tm_jw_kstr(w, "polarity", tm_polarity_name(g->polarity));
        tm_jw_kstr(w, "eep", tm_eep_name(g->eep));
        tm_jw_kbool(w, "negated", g->negated);
        tm_jw_kbool(w, "via_paragraph", g->via_paragraph);
        tm_jw_kreal(w, "weight", (double)g->weight);
        tm_jw_kint(w, "sent", g->sent);
        tm_jw_close_object(w);
    }
    tm_jw_close_array(w);

    tm_jw_key(w, "incidents");
    tm_jw_open_array(w);
    for (size_t i = 0; i < doc->incidents.n; i++) {
        const tm_incident *c = &doc->incidents.v[i];
        if (!str_ok(c->theme) || !opt_ok(c->date) || !opt_ok(c->place)) continue;
        tm_jw_open_object(w);
        tm_jw_kstr(w, "theme", c->theme);
        tm_jw_kint(w, "sent", c->sent);
        opt_str(w, "date", c->date);
        opt_str(w, "place", c->place);
        tm_jw_kbool(w, "negated", c->negated);
        tm_jw_close_object(w);
    }
    tm_jw_close_array(w);

    tm_jw_key(w, "errors");
    tm_jw_open_array(w);
    for (size_t i = 0; i < doc->errors.n; i++)
        tm_jw_elem_str(w, doc->errors.v[i] ? doc->errors.v[i] : "");
    tm_jw_close_array(w);
}

int tm_docjson_write_full(tm_jw *w, const char *key, const tm_doc *doc, int64_t size,
                          const char *lexicon_version, const char *lexicon_hash, tm_err *err)
{
    /* the source first: if it cannot be encoded nothing is written */
    unsigned char *data = NULL;
    size_t dn = 0, en = 0;
    char *enc = NULL;
    tm_source_kind kind;
    int rc = tm_source_encode(&data, &dn, &kind, doc, err);
    if (rc != TM_OK) return rc;
    if (kind != TM_SOURCE_NONE && !(enc = b64_encode(data, dn, &en))) {
        tm_free(data);
        return tm_err_set(err, TM_ENOMEM, "%s: out of memory keeping the source", doc->path);
    }
    tm_free(data);

    tm_jw_key(w, key);
    tm_jw_open_object(w);
    tm_jw_kint(w, "version", TM_DOCJSON_VERSION);
    str_else_null(w, "path", doc->path);
    tm_jw_kint(w, "size", size);
    tm_jw_kint(w, "mtime", doc->mtime);
    str_else_null(w, "sha256", doc->sha256);
    str_else_null(w, "kind", tm_kind_name(doc->kind));
    opt_else_null(w, "date", doc->date);
    opt_else_null(w, "period_date", doc->period_date);
    opt_else_null(w, "next_meeting", doc->next_meeting);
    opt_else_null(w, "title", doc->title);
    opt_else_null(w, "location", doc->location);
    tm_jw_kint(w, "words", (long long)doc->words);
    opt_else_null(w, "lexicon_version", lexicon_version);
    opt_else_null(w, "lexicon_hash", lexicon_hash);
    const char *text = doc->text ? doc->text : "";
    tm_jw_key(w, "text");
    if (tm_jw_utf8_valid(text, doc->text_len))
        tm_jw_str(w, text, doc->text_len);
    else
        tm_jw_null(w);
    if (kind == TM_SOURCE_NONE) {
        tm_jw_knull(w, "source");
    } else {
        tm_jw_key(w, "source");
        tm_jw_open_object(w);
        tm_jw_kstr(w, "kind", tm_source_kind_name(kind));
        tm_jw_kstrn(w, "data", enc, en);
        tm_jw_close_object(w);
    }
    tm_free(enc);
    records(w, doc);
    tm_jw_close_object(w);
    return w->failed ? tm_err_set(err, TM_ENOMEM, "%s: out of memory writing its JSON", doc->path)
                     : TM_OK;
}

/* ------------------------------------------------------------------ load */

typedef struct loader {
    tm_doc *doc;
    const char *what;
    tm_err *err;
    const char *field; /* for the message */
    int bad;
} loader;

static const json_t *field(loader *l, const json_t *o, const char *k, int type)
{
    const json_t *v = json_object_get(o, k);
    if (!v ||
        (type >= 0 && (int)json_typeof(v) != type && !(type == JSON_TRUE && json_is_boolean(v)) &&
         !(type == JSON_REAL && json_is_number(v)))) {
        if (!l->bad)
            tm_err_set(l->err, TM_EFORMAT,
                       "%s: \"full\" object: %s%s\"%s\" missing or of the wrong"
                       " type: give the output of 'tension extract --jsonl --full'",
                       l->what, l->field ? l->field : "", l->field ? " " : "", k);
        l->bad = 1;
        return NULL;
    }
    return v;
}

static int64_t get_int(loader *l, const json_t *o, const char *k)
{
    const json_t *v = field(l, o, k, JSON_INTEGER);
    return v ? (int64_t)json_integer_value(v) : 0;
}

static double get_real(loader *l, const json_t *o, const char *k)
{
    const json_t *v = field(l, o, k, JSON_REAL);
    return v ? json_number_value(v) : 0;
}

static int get_bool(loader *l, const json_t *o, const char *k)
{
    const json_t *v = field(l, o, k, JSON_TRUE);
    return v ? json_is_true(v) : 0;
}

/* An arena copy of a string field; NULL for JSON null (or "" when !nullable). */
static const char *get_str(loader *l, const json_t *o, const char *k, int nullable)
{
    const json_t *v = field(l, o, k, -1);
    if (!v) return NULL;
    if (json_is_null(v) && nullable) return NULL;
    if (!json_is_string(v)) {
        field(l, o, k, JSON_STRING);
        return NULL;
    }
    char *s = tm_arena_strndup(&l->doc->arena, json_string_value(v), json_string_length(v));
    if (!s && !l->bad) {
        tm_err_set(l->err, TM_ENOMEM, "%s: out of memory", l->what);
        l->bad = 1;
    }
    return s;
}

static void get_date(loader *l, char out[11], const json_t *o, const char *k)
{
    const char *s = get_str(l, o, k, 1);
    out[0] = '\0';
    if (s && strlen(s) == 10)
        memcpy(out, s, 11);
    else if (s && !l->bad) {
        tm_err_set(l->err, TM_EFORMAT, "%s: \"full\" object: \"%s\" is not YYYY-MM-DD", l->what, k);
        l->bad = 1;
    }
}

static const json_t *get_array(loader *l, const json_t *o, const char *k)
{
    return field(l, o, k, JSON_ARRAY);
}

static int enum_of(loader *l, const char *const *names, int n, const char *v, const char *k)
{
    for (int i = 0; v && i < n; i++)
        if (!strcmp(names[i], v)) return i;
    if (!l->bad)
        tm_err_set(l->err, TM_EFORMAT, "%s: \"full\" object: %s \"%s\" unknown", l->what, k,
                   v ? v : "null");
    l->bad = 1;
    return 0;
}

/* Grows `vec` to n elements, zeroed. */
#define RESERVE(l, vec, count)                                                                     \
    do {                                                                                           \
        if ((count) && tm_arena_grow(&(l)->doc->arena, (void **)&(vec).v, &(vec).cap, (count),     \
                                     sizeof *(vec).v) != 0) {                                      \
            (l)->bad = 1;                                                                          \
            tm_err_set((l)->err, TM_ENOMEM, "%s: out of memory", (l)->what);                       \
        } else if (count) {                                                                        \
            memset((vec).v, 0, (count) * sizeof *(vec).v);                                         \
            (vec).n = (count);                                                                     \
        }                                                                                          \
    } while (0)

static const char *const kinds[] = {"other", "minutes", "report"};
static const char *const pols[] = {"concern", "reassurance"};
static const char *const eeps[] = {"evidenced", "experienced", "potential"};

static tm_category cat_of(loader *l, const char *name)
{
    tm_category c = TM_CAT_COMMUNITY;
    if (name && tm_category_from_name(&c, name, strlen(name)) == 0) return c;
    if (!l->bad)
        tm_err_set(l->err, TM_EFORMAT, "%s: \"full\" object: category \"%s\" unknown", l->what,
                   name ? name : "null");
    l->bad = 1;
    return c;
}

static void load_records(loader *l, const json_t *full)
{
    tm_doc *d = l->doc;
    const json_t *a, *o;
    size_t i;
    if ((a = get_array(l, full, "sections"))) {
        RESERVE(l, d->sections, json_array_size(a));
        l->field = "section";
        json_array_foreach(a, i, o)
        {
            if (l->bad) break;
            tm_section *s = &d->sections.v[i];
            s->off = (uint32_t)get_int(l, o, "off");
            s->end = (uint32_t)get_int(l, o, "end");
            s->number = get_str(l, o, "number", 0);
            s->title = get_str(l, o, "title", 0);
            s->level = (int)get_int(l, o, "level");
            s->parent = (int)get_int(l, o, "parent");
            s->deferred = (int)get_int(l, o, "deferred");
            s->title_off = (uint32_t)get_int(l, o, "title_off");
            s->title_end = (uint32_t)get_int(l, o, "title_end");
        }
    }
    if (!l->bad && (a = get_array(l, full, "speakers"))) {
        RESERVE(l, d->speakers, json_array_size(a));
        l->field = "speaker";
        json_array_foreach(a, i, o)
        {
            if (l->bad) break;
            tm_speaker *s = &d->speakers.v[i];
            s->initials = get_str(l, o, "initials", 0);
            s->role = get_str(l, o, "role", 1);
            s->sentences = (uint32_t)get_int(l, o, "sentences");
            s->in_table = (int)get_int(l, o, "in_table");
        }
    }
    if (!l->bad && (a = get_array(l, full, "sentences"))) {
        RESERVE(l, d->sentences, json_array_size(a));
        l->field = "sentence";
        json_array_foreach(a, i, o)
        {
            if (l->bad) break;
            tm_sentence *s = &d->sentences.v[i];
            s->off = (uint32_t)get_int(l, o, "off");
            s->end = (uint32_t)get_int(l, o, "end");
            s->section = (int)get_int(l, o, "section");
            s->paragraph = (int)get_int(l, o, "paragraph");
            s->speaker = (int)get_int(l, o, "speaker");
            s->flags = (uint32_t)get_int(l, o, "flags");
        }
    }
    if (!l->bad && (a = get_array(l, full, "mentions"))) {
        RESERVE(l, d->mentions, json_array_size(a));
        l->field = "mention";
        json_array_foreach(a, i, o)
        {
            if (l->bad) break;
            tm_mention *m = &d->mentions.v[i];
            m->cat = cat_of(l, json_string_value(json_object_get(o, "cat")));
            m->id = get_str(l, o, "id", 0);
            m->canon = get_str(l, o, "canon", 1);
            m->off = (uint32_t)get_int(l, o, "off");
            m->end = (uint32_t)get_int(l, o, "end");
            m->sent = (uint32_t)get_int(l, o, "sent");
            m->negated = (uint8_t)get_bool(l, o, "negated");
            m->dropped = (uint8_t)get_bool(l, o, "dropped");
            m->weight = (float)get_real(l, o, "weight");
        }
    }
    if (!l->bad && (a = get_array(l, full, "signals"))) {
        RESERVE(l, d->signals, json_array_size(a));
        l->field = "signal";
        json_array_foreach(a, i, o)
        {
            if (l->bad) break;
            tm_signal *g = &d->signals.v[i];
            g->community = get_str(l, o, "community", 0);
            g->theme = get_str(l, o, "theme", 0);
            g->theme_cat = cat_of(l, json_string_value(json_object_get(o, "cat")));
            g->polarity = (tm_polarity)enum_of(
                l, pols, 2, json_string_value(json_object_get(o, "polarity")), "polarity");
            g->eep =
                (tm_eep)enum_of(l, eeps, 3, json_string_value(json_object_get(o, "eep")), "eep");
            g->negated = (uint8_t)get_bool(l, o, "negated");
            g->via_paragraph = (uint8_t)get_bool(l, o, "via_paragraph");
            g->weight = (float)get_real(l, o, "weight");
            g->sent = (uint32_t)get_int(l, o, "sent");
        }
    }
    if (!l->bad && (a = get_array(l, full, "incidents"))) {
        RESERVE(l, d->incidents, json_array_size(a));
        l->field = "incident";
        json_array_foreach(a, i, o)
        {
            if (l->bad) break;
            tm_incident *c = &d->incidents.v[i];
            c->theme = get_str(l, o, "theme", 0);
            c->sent = (uint32_t)get_int(l, o, "sent");
            c->date = get_str(l, o, "date", 1);
            c->place = get_str(l, o, "place", 1);
            c->negated = (uint8_t)get_bool(l, o, "negated");
        }
    }
    l->field = NULL;
    if (!l->bad && (a = get_array(l, full, "errors"))) {
        d->errors.n = 0;
        RESERVE(l, d->errors, json_array_size(a));
        json_array_foreach(a, i, o)
        {
            if (l->bad) break;
            if (!json_is_string(o)) {
                tm_err_set(l->err, TM_EFORMAT, "%s: \"full\" object: errors[%zu] is not a string",
                           l->what, i);
                l->bad = 1;
                break;
            }
            d->errors.v[i] = tm_arena_strdup(&d->arena, json_string_value(o));
        }
    }
}

int tm_docjson_load(tm_doc *doc, tm_docjson_meta *meta, const json_t *full, const char *what,
                    tm_err *err)
{
    loader l = {doc, what, err, NULL, 0};
    unsigned char *data = NULL, *raw = NULL;
    size_t dn = 0, rn = 0;
    int rc = TM_OK;
    memset(meta, 0, sizeof *meta);
    if (!json_is_object(full))
        return tm_err_set(
            err, TM_EFORMAT,
            "%s: no \"full\" object: give the output of 'tension extract --jsonl --full'", what);
    if (get_int(&l, full, "version") != TM_DOCJSON_VERSION && !l.bad) {
        return tm_err_set(err, TM_EFORMAT,
                          "%s: \"full\" version %lld, this tension reads %d: use"
                          " the same tension version for extract and ingest",
                          what, (long long)json_integer_value(json_object_get(full, "version")),
                          TM_DOCJSON_VERSION);
    }
    const json_t *path = field(&l, full, "path", JSON_STRING);
    const json_t *text = field(&l, full, "text", JSON_STRING);
    const json_t *sha = field(&l, full, "sha256", JSON_STRING);
    const json_t *src = field(&l, full, "source", -1);
    if (l.bad) return err->code;
    tm_source_kind kind = TM_SOURCE_NONE;
    if (json_is_object(src)) {
        const json_t *k = json_object_get(src, "kind"), *b = json_object_get(src, "data");
        if (!json_is_string(k) || tm_source_kind_from_name(&kind, json_string_value(k)) != 0 ||
            !json_is_string(b) ||
            b64_decode(&data, &dn, json_string_value(b), json_string_length(b)) != 0) {
            rc = tm_err_set(err, TM_EFORMAT, "%s: \"full\" object: malformed \"source\"", what);
            goto cleanup;
        }
    } else if (!json_is_null(src)) {
        rc = tm_err_set(err, TM_EFORMAT,
                        "%s: \"full\" object: \"source\" must be an object or null", what);
        goto cleanup;
    }
    if ((rc = tm_source_decode(&raw, &rn, json_string_value(text), json_string_length(text), kind,
                               data, dn, what, err)) != TM_OK)
        goto cleanup;
    if ((rc = tm_ingest_bytes(doc, json_string_value(path), raw, rn, err)) != TM_OK) goto cleanup;
    if (strcmp(doc->sha256, json_string_value(sha)) != 0) {
        rc = tm_err_set(err, TM_EFORMAT,
                        "%s: text and source do not rebuild the file with sha256 %s: the line"
                        " was altered or truncated",
                        what, json_string_value(sha));
        goto cleanup;
    }
    doc->mtime = get_int(&l, full, "mtime");
    meta->size = get_int(&l, full, "size");
    const char *k = json_string_value(json_object_get(full, "kind"));
    doc->kind = (tm_doc_kind)enum_of(&l, kinds, 3, k, "kind");
    get_date(&l, doc->date, full, "date");
    get_date(&l, doc->period_date, full, "period_date");
    get_date(&l, doc->next_meeting, full, "next_meeting");
    doc->title = get_str(&l, full, "title", 1);
    doc->location = get_str(&l, full, "location", 1);
    doc->words = (size_t)get_int(&l, full, "words");
    const json_t *lv = field(&l, full, "lexicon_version", -1);
    const json_t *lh = field(&l, full, "lexicon_hash", -1);
    meta->lexicon_version = json_string_value(lv);
    meta->lexicon_hash = json_string_value(lh);
    if (!l.bad) load_records(&l, full);
    if (l.bad || doc->arena.failed)
        rc = err->code ? err->code : tm_err_set(err, TM_ENOMEM, "%s: out of memory", what);
cleanup:
    tm_free(data);
    tm_free(raw);
    return rc;
}
