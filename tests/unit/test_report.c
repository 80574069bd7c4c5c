/*
 * test_report.c: the JSON report over a hand-made store with documents in
 * March and April 2025 and one undated: counts per period, negated signals
 * left out, evidence present and ordered, ranges clipping periods,
 * byte-identical output on a rebuild, atomic writing, and validation of the
 * written file against reports/schema/report.schema.json with Python's
 * jsonschema (a deliberately broken report must fail it).
 */
#include "tm/render.h"
#include "tm/report.h"
#include "tm_test.h"

#include <math.h>

#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char schema_path[] = TM_SOURCE_DIR "/reports/schema/report.schema.json";

/* ------------------------------------------------------------ fixture */

static void doc_start(tm_doc *d, const char *path, const char *date, const char *text, size_t words)
{
    tm_doc_init(d);
    d->path = path;
    d->text_len = strlen(text);
    d->text = tm_arena_strndup(&d->arena, text, d->text_len);
    snprintf(d->sha256, sizeof d->sha256, "%064d", 1);
    snprintf(d->date, sizeof d->date, "%s", date);
    snprintf(d->period_date, sizeof d->period_date, "%s", date);
    d->kind = TM_KIND_MINUTES;
    d->words = words;
}

static int add_speaker(tm_doc *d, const char *initials, const char *role)
{
    tm_speaker *k = TM_VEC_PUSH(&d->arena, d->speakers);
    k->initials = initials;
    k->role = role;
    k->in_table = role != NULL;
    return (int)d->speakers.n - 1;
}

static int add_section(tm_doc *d, const char *title)
{
    tm_section *s = TM_VEC_PUSH(&d->arena, d->sections);
    s->title = title;
    s->number = "";
    s->parent = -1;
    s->end = (uint32_t)d->text_len;
    return (int)d->sections.n - 1;
}

static uint32_t add_sentence(tm_doc *d, const char *text, int section, int speaker)
{
    const char *at = strstr(d->text, text);
    TM_CHECK(at != NULL);
    tm_sentence *s = TM_VEC_PUSH(&d->arena, d->sentences);
    s->off = (uint32_t)(at - d->text);
    s->end = s->off + (uint32_t)strlen(text);
    s->section = section;
    s->speaker = speaker;
    return (uint32_t)d->sentences.n - 1;
}

static void add_mention(tm_doc *d, uint32_t sent, tm_category cat, const char *id,
                        const char *canon, int negated)
{
    tm_mention *m = TM_VEC_PUSH(&d->arena, d->mentions);
    m->sent = sent;
    m->off = d->sentences.v[sent].off;
    m->end = m->off + 1;
    m->cat = cat;
    m->id = id;
    m->canon = canon ? canon : id;
    m->weight = 1;
    m->negated = (uint8_t)negated;
}

static void add_signal(tm_doc *d, uint32_t sent, const char *community, const char *theme,
                       tm_polarity pol, tm_eep eep, int negated, int via_paragraph)
{
    tm_signal *g = TM_VEC_PUSH(&d->arena, d->signals);
    g->community = community;
    g->theme = theme;
    g->theme_cat = TM_CAT_THEME;
    g->polarity = pol;
    g->eep = eep;
    g->negated = (uint8_t)negated;
    g->via_paragraph = (uint8_t)via_paragraph;
    g->weight = via_paragraph ? 0.5f : 1.0f;
    g->sent = sent;
}

/* The texts, so tests can find offsets. */
static const char text1[] = "Somali families fear hate crime. "
                            "No hate crime against Somali residents was reported. "
                            "Young people carry knives, officers found. "
                            "They also fear hate crime online.";
static const char text2[] = "Somali elders fear hate crime at the mosque. "
                            "Muslim leaders praised the engagement work in Fishermead.";
static const char text3[] = "Ukrainian families worry about a planned march. "
                            "There were no Polish community tensions.";
static const char text4[] = "Somali youths reported antisocial behaviour.";

static void store(tm_store *st, tm_doc *d, const char *lexhash)
{
    tm_err err = {0};
    tm_store_meta meta = {"1.0", lexhash, (int64_t)d->text_len};
    TM_CHECK_INT(tm_store_doc(st, d, &meta, &err), TM_OK);
    if (err.code) fprintf(stderr, "  %s\n", err.msg);
    tm_doc_dispose(d);
}

static tm_store *fixture(void)
{
    tm_store *st = NULL;
    tm_err err = {0};
    if (tm_store_open(&st, ":memory:", &err) != TM_OK) {
        fprintf(stderr, "  %s\n", err.msg);
        return NULL;
    }
    tm_doc d;
    /* March: two documents */
    doc_start(&d, "corpora/iag-2025-03-10.txt", "2025-03-10", text1, 400);
    int chair = add_speaker(&d, "AK", "IAG Chair"), anon = add_speaker(&d, "ZZ", NULL);
    int sec = add_section(&d, "Hate crime");
    uint32_t s0 = add_sentence(&d, "Somali families fear hate crime.", sec, chair),
             s1 = add_sentence(&d, "No hate crime against Somali residents was reported.", sec,
                               chair),
             s2 = add_sentence(&d, "Young people carry knives, officers found.", -1, anon),
             s3 = add_sentence(&d, "They also fear hate crime online.", sec, -1);
    add_mention(&d, s0, TM_CAT_COMMUNITY, "somali", NULL, 0);
    add_mention(&d, s0, TM_CAT_THEME, "hate_crime", NULL, 0);
    add_mention(&d, s1, TM_CAT_COMMUNITY, "somali", NULL, 1); /* negated */
    add_mention(&d, s1, TM_CAT_THEME, "hate_crime", NULL, 1); /* negated */
    add_mention(&d, s2, TM_CAT_COMMUNITY, "young_people", NULL, 0);
    add_mention(&d, s2, TM_CAT_THEME, "knife_crime", NULL, 0);
    add_mention(&d, s2, TM_CAT_ORGANISATION, "thames_valley_police", "officers", 0);
    add_signal(&d, s0, "somali", "hate_crime", TM_POL_CONCERN, TM_EEP_EXPERIENCED, 0, 0);
    add_signal(&d, s1, "somali", "hate_crime", TM_POL_CONCERN, TM_EEP_EXPERIENCED, 1, 0);
    add_signal(&d, s2, "young_people", "knife_crime", TM_POL_CONCERN, TM_EEP_EVIDENCED, 0, 0);
    add_signal(&d, s3, "somali", "hate_crime", TM_POL_CONCERN, TM_EEP_EXPERIENCED, 0, 1);
    store(st, &d, "lex-A");

    doc_start(&d, "corpora/iag-2025-03-24.txt", "2025-03-24", text2, 600);
    int officer = add_speaker(&d, "JH", "TVP Community & Diversity Officer");
    s0 = add_sentence(&d, "Somali elders fear hate crime at the mosque.", -1, officer);
    s1 = add_sentence(&d, "Muslim leaders praised the engagement work in Fishermead.", -1, -1);
    add_mention(&d, s0, TM_CAT_COMMUNITY, "somali", NULL, 0);
    add_mention(&d, s0, TM_CAT_COMMUNITY, "muslim", NULL, 0);
    add_mention(&d, s1, TM_CAT_COMMUNITY, "muslim", NULL, 0);
    add_mention(&d, s1, TM_CAT_PLACE, "fishermead", "Fishermead", 0);
    add_signal(&d, s0, "somali", "hate_crime", TM_POL_CONCERN, TM_EEP_EXPERIENCED, 0, 0);
    add_signal(&d, s1, "muslim", "engagement", TM_POL_REASSURANCE, TM_EEP_EVIDENCED, 0, 0);
    store(st, &d, "lex-A");

    /* April: one document, tagged with another lexicon */
    doc_start(&d, "corpora/report-2025-04.txt", "2025-04-02", text3, 250);
    s0 = add_sentence(&d, "Ukrainian families worry about a planned march.", -1, -1);
    s1 = add_sentence(&d, "There were no Polish community tensions.", -1, -1);
    add_mention(&d, s0, TM_CAT_COMMUNITY, "ukrainian", NULL, 0);
    add_mention(&d, s1, TM_CAT_COMMUNITY, "polish", NULL, 1);
    add_signal(&d, s0, "ukrainian", "protest", TM_POL_CONCERN, TM_EEP_POTENTIAL, 0, 0);
    add_signal(&d, s1, "polish", "community_tension", TM_POL_CONCERN, TM_EEP_EVIDENCED, 1, 0);
    store(st, &d, "lex-B");

    /* no date at all */
    doc_start(&d, "corpora/undated.txt", "", text4, 50);
    s0 = add_sentence(&d, "Somali youths reported antisocial behaviour.", -1, -1);
    add_mention(&d, s0, TM_CAT_COMMUNITY, "somali", NULL, 0);
    add_signal(&d, s0, "somali", "asb", TM_POL_CONCERN, TM_EEP_EXPERIENCED, 0, 0);
    store(st, &d, "lex-A");
    return st;
}

/* ------------------------------------------------------------ helpers */

static json_t *period(json_t *rep, size_t i)
{
    return json_array_get(json_object_get(rep, "periods"), i);
}

static long long jint(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    if (!json_is_integer(v)) {
        fprintf(stderr, "  \"%s\" is not an integer\n", key);
        return -999;
    }
    return json_integer_value(v);
}

static const char *jstr_of(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    return json_is_string(v) ? json_string_value(v) : json_is_null(v) ? "(null)" : "(missing)";
}

/* Finds the community_theme entry of a pair, or NULL. */
static json_t *pair(json_t *per, const char *community, const char *theme)
{
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(per, "community_theme"), i, e)
    {
        if (strcmp(jstr_of(e, "community"), community) == 0 &&
            strcmp(jstr_of(e, "theme"), theme) == 0)
            return e;
    }
    return NULL;
}

static json_t *build(tm_store *st, tm_report_opts *o)
{
    json_t *rep = NULL;
    tm_err err = {0};
    int rc = tm_report_build(&rep, st, o, &err);
    TM_CHECK_INT(rc, TM_OK);
    if (rc != TM_OK) fprintf(stderr, "  %s\n", err.msg);
    return rep;
}

static char *slurp(const char *path, size_t *len)
{
    char *buf = NULL;
    tm_err err = {0};
    if (tm_read_file(&buf, len, path, 1 << 24, &err) != TM_OK) fprintf(stderr, "  %s\n", err.msg);
    return buf;
}

static char tmpdir[64];

static void make_tmpdir(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/tm_report_XXXXXX");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        exit(1);
    }
}

static void remove_tmpdir(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0) fprintf(stderr, "  could not remove %s\n", tmpdir);
}

static int has_jsonschema(void)
{
    int rc = system("/usr/bin/python3 -c 'import jsonschema' 2>/dev/null");
    return rc != -1 && WIFEXITED(rc) && WEXITSTATUS(rc) == 0;
}

/* 0 if `report` validates against the schema; prints the first error. */
static int validate(const char *report)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 -c 'import json, sys, jsonschema\n"
             "schema = json.load(open(sys.argv[1]))\n"
             "jsonschema.Draft202012Validator.check_schema(schema)\n"
             "v = jsonschema.Draft202012Validator(schema)\n"
             "errs = sorted(v.iter_errors(json.load(open(sys.argv[2]))), key=str)\n"
             "[print(\"  schema:\", list(e.absolute_path), e.message, file=sys.stderr)"
             " for e in errs[:3]]\n"
             "sys.exit(1 if errs else 0)' '%s' '%s'",
             schema_path, report);
    int rc = system(cmd);
    return rc != -1 && WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

/* -------------------------------------------------------------- cases */

static void test_counts_per_month(void)
{
    tm_store *st = fixture();
    TM_CHECK(st != NULL);
    if (!st) return;
    tm_report_opts o = {
        .period = TM_PERIOD_MONTH, .lexicon_version = "1.0", .lexicon_hash = "lex-A"};
    json_t *rep = build(st, &o);
    if (!rep) {
        tm_store_close(st);
        return;
    }
    TM_CHECK_STR(jstr_of(rep, "schema_version"), TM_REPORT_SCHEMA_VERSION);
    json_t *tool = json_object_get(rep, "tool");
    TM_CHECK_STR(jstr_of(tool, "name"), "tension");
    TM_CHECK_STR(jstr_of(tool, "version"), TM_VERSION);
    json_t *lex = json_object_get(rep, "lexicon");
    TM_CHECK_STR(jstr_of(lex, "hash"), "lex-A");
    TM_CHECK_INT(jint(lex, "other_documents"), 1); /* April's lex-B */
    json_t *gen = json_object_get(rep, "generated_from");
    TM_CHECK_INT(jint(gen, "documents"), 4);
    TM_CHECK_INT(jint(gen, "undated_documents"), 1);
    TM_CHECK_INT(jint(gen, "words"), 400 + 600 + 250 + 50);
    TM_CHECK_STR(jstr_of(gen, "period"), "month");
    TM_CHECK_STR(jstr_of(gen, "from"), "(null)");

    TM_CHECK_INT(json_array_size(json_object_get(rep, "periods")), 2);
    json_t *mar = period(rep, 0), *apr = period(rep, 1);
    TM_CHECK_STR(jstr_of(mar, "period"), "2025-03");
    TM_CHECK_STR(jstr_of(mar, "start"), "2025-03-01");
    TM_CHECK_STR(jstr_of(mar, "end"), "2025-03-31");
    TM_CHECK_INT(jint(mar, "documents"), 2);
    TM_CHECK_INT(jint(mar, "words"), 1000);
    json_t *com = json_object_get(mar, "communities");
    TM_CHECK_INT(jint(com, "somali"), 2); /* the negated mention does not count */
    TM_CHECK_INT(jint(com, "muslim"), 2);
    TM_CHECK_INT(jint(com, "young_people"), 1);
    TM_CHECK_INT(json_object_size(com), 3);
    TM_CHECK_INT(jint(json_object_get(mar, "themes"), "hate_crime"), 1);
    TM_CHECK_INT(jint(json_object_get(mar, "places"), "Fishermead"), 1);
    /* organisations count by identifier, places by canonical name */
    TM_CHECK_INT(jint(json_object_get(mar, "organisations"), "thames_valley_police"), 1);
    TM_CHECK_INT(json_object_size(json_object_get(mar, "organisations")), 1);

    /* 3 live somali/hate_crime signals over 1000 words; the negated one is out */
    json_t *sh = pair(mar, "somali", "hate_crime");
    TM_CHECK(sh != NULL);
    TM_CHECK_INT(jint(sh, "count"), 3);
    TM_CHECK(json_real_value(json_object_get(sh, "rate_per_10k_words")) == 30.0);
    TM_CHECK(pair(mar, "muslim", "engagement") != NULL);
    TM_CHECK_INT(json_array_size(json_object_get(mar, "community_theme")), 3);
    /* ordered by community, then theme */
    TM_CHECK_STR(jstr_of(json_array_get(json_object_get(mar, "community_theme"), 0), "community"),
                 "muslim");

    /* top signals: somali/hate_crime first, with its evidence */
    json_t *top = json_object_get(mar, "top_signals");
    TM_CHECK_INT(json_array_size(top), 3);
    json_t *first = json_array_get(top, 0);
    TM_CHECK_STR(jstr_of(first, "community"), "somali");
    TM_CHECK_STR(jstr_of(first, "theme"), "hate_crime");
    TM_CHECK_STR(jstr_of(first, "polarity"), "concern");
    TM_CHECK_STR(jstr_of(first, "eep"), "experienced");
    TM_CHECK_INT(jint(first, "count"), 3);
    TM_CHECK_INT(jint(first, "documents"), 2);
    TM_CHECK_INT(jint(first, "rank"), 1);
    json_t *ev = json_object_get(first, "evidence");
    TM_CHECK_INT(json_array_size(ev), 3);
    json_t *e0 = json_array_get(ev, 0), *e1 = json_array_get(ev, 1), *e2 = json_array_get(ev, 2);
    /* direct ties first, most recent document first; "they" last */
    TM_CHECK_STR(jstr_of(e0, "text"), "Somali elders fear hate crime at the mosque.");
    TM_CHECK_STR(jstr_of(e0, "doc"), "corpora/iag-2025-03-24.txt");
    TM_CHECK_STR(jstr_of(e0, "speaker_role"), "TVP Community & Diversity Officer");
    TM_CHECK_STR(jstr_of(e0, "section"), "(null)");
    TM_CHECK_STR(jstr_of(e0, "date"), "2025-03-24");
    TM_CHECK_STR(jstr_of(e1, "text"), "Somali families fear hate crime.");
    TM_CHECK_STR(jstr_of(e1, "section"), "Hate crime");
    TM_CHECK_STR(jstr_of(e1, "speaker_role"), "IAG Chair");
    TM_CHECK_INT(jint(e1, "start"), 0);
    TM_CHECK_INT(jint(e1, "end"), strlen("Somali families fear hate crime."));
    TM_CHECK_STR(jstr_of(e2, "text"), "They also fear hate crime online.");
    TM_CHECK_INT(jint(e2, "start"), strstr(text1, "They also") - text1);
    TM_CHECK_STR(jstr_of(e2, "speaker_role"), "(null)");
    /* the negated sentence is never evidence */
    size_t i, j;
    json_t *g, *e;
    json_array_foreach(top, i, g)
    {
        json_array_foreach(json_object_get(g, "evidence"), j, e)
        {
            TM_CHECK(strstr(jstr_of(e, "text"), "No hate crime") == NULL);
        }
    }

    /* April: only the negated polish signal besides ukrainian/protest */
    TM_CHECK_STR(jstr_of(apr, "period"), "2025-04");
    TM_CHECK_INT(jint(apr, "documents"), 1);
    TM_CHECK(json_object_get(json_object_get(apr, "communities"), "polish") == NULL);
    TM_CHECK(pair(apr, "polish", "community_tension") == NULL);
    TM_CHECK_INT(json_array_size(json_object_get(apr, "community_theme")), 1);
    TM_CHECK_INT(json_array_size(json_object_get(apr, "top_signals")), 1);
    TM_CHECK_STR(jstr_of(json_array_get(json_object_get(apr, "top_signals"), 0), "eep"),
                 "potential");

    /* undated is reported apart, with an open range */
    json_t *und = json_object_get(rep, "undated");
    TM_CHECK(json_is_object(und));
    TM_CHECK_STR(jstr_of(und, "period"), "undated");
    TM_CHECK_STR(jstr_of(und, "start"), "(null)");
    TM_CHECK_INT(jint(und, "documents"), 1);
    TM_CHECK_INT(jint(json_object_get(und, "communities"), "somali"), 1);
    TM_CHECK_INT(json_array_size(json_object_get(
                     json_array_get(json_object_get(und, "top_signals"), 0), "evidence")),
                 1);
    json_decref(rep);
    tm_store_close(st);
}

static void test_ranges_and_periods(void)
{
    tm_store *st = fixture();
    TM_CHECK(st != NULL);
    if (!st) return;
    /* a range clips the periods' bounds and drops undated documents */
    tm_report_opts o = {.period = TM_PERIOD_MONTH, .from = "2025-03-15", .to = "2025-04-01"};
    json_t *rep = build(st, &o);
    if (rep) {
        TM_CHECK_INT(json_array_size(json_object_get(rep, "periods")), 1);
        json_t *mar = period(rep, 0);
        TM_CHECK_STR(jstr_of(mar, "start"), "2025-03-15");
        TM_CHECK_STR(jstr_of(mar, "end"), "2025-03-31");
        TM_CHECK_INT(jint(mar, "documents"), 1); /* only the 24 March minutes */
        TM_CHECK_INT(jint(json_object_get(mar, "communities"), "somali"), 1);
        TM_CHECK(json_is_null(json_object_get(rep, "undated")));
        json_t *gen = json_object_get(rep, "generated_from");
        TM_CHECK_STR(jstr_of(gen, "from"), "2025-03-15");
        TM_CHECK_STR(jstr_of(gen, "to"), "2025-04-01");
        TM_CHECK_INT(jint(gen, "documents"), 1);
        /* no lexicon given: the most common one is described */
        TM_CHECK_STR(jstr_of(json_object_get(rep, "lexicon"), "hash"), "lex-A");
        TM_CHECK_INT(jint(json_object_get(rep, "lexicon"), "other_documents"), 0);
        json_decref(rep);
    }
    o.from = "2025-04-01";
    o.to = "2025-04-20";
    rep = build(st, &o);
    if (rep) {
        json_t *apr = period(rep, 0);
        TM_CHECK_STR(jstr_of(apr, "period"), "2025-04");
        TM_CHECK_STR(jstr_of(apr, "start"), "2025-04-01");
        TM_CHECK_STR(jstr_of(apr, "end"), "2025-04-20");
        json_decref(rep);
    }

    /* the same data by financial year, quarter and week */
    tm_report_opts f = {.period = TM_PERIOD_FYEAR, .top = -1, .evidence = 1};
    rep = build(st, &f);
    if (rep) {
        TM_CHECK_STR(jstr_of(period(rep, 0), "period"), "FY2024/25");
        TM_CHECK_STR(jstr_of(period(rep, 0), "start"), "2024-04-01");
        TM_CHECK_STR(jstr_of(period(rep, 0), "end"), "2025-03-31");
        TM_CHECK_STR(jstr_of(period(rep, 1), "period"), "FY2025/26");
        TM_CHECK_STR(jstr_of(json_object_get(rep, "generated_from"), "period"), "fyear");
        json_t *first = json_array_get(json_object_get(period(rep, 0), "top_signals"), 0);
        TM_CHECK_INT(json_array_size(json_object_get(first, "evidence")), 1);
        json_decref(rep);
    }
    tm_report_opts q = {.period = TM_PERIOD_QUARTER, .top = 1};
    rep = build(st, &q);
    if (rep) {
        TM_CHECK_STR(jstr_of(period(rep, 0), "period"), "2025-Q1");
        TM_CHECK_STR(jstr_of(period(rep, 1), "period"), "2025-Q2");
        TM_CHECK_INT(json_array_size(json_object_get(period(rep, 0), "top_signals")), 1);
        json_decref(rep);
    }
    tm_report_opts w = {.period = TM_PERIOD_WEEK, .evidence = -1};
    rep = build(st, &w);
    if (rep) {
        TM_CHECK_INT(json_array_size(json_object_get(rep, "periods")), 3);
        TM_CHECK_STR(jstr_of(period(rep, 0), "period"), "2025-W11");
        TM_CHECK_STR(jstr_of(period(rep, 0), "start"), "2025-03-10");
        TM_CHECK_STR(jstr_of(period(rep, 0), "end"), "2025-03-16");
        json_t *first = json_array_get(json_object_get(period(rep, 0), "top_signals"), 0);
        TM_CHECK_INT(json_array_size(json_object_get(first, "evidence")), 0);
        json_decref(rep);
    }

    /* the report reads in one transaction and leaves none open; inside a
     * caller's batch it reads that batch's view and leaves it open */
    TM_CHECK_INT(sqlite3_get_autocommit(tm_store_db(st)), 1);
    tm_err berr = {0};
    TM_CHECK_INT(tm_store_begin(st, &berr), TM_OK);
    TM_CHECK_INT(tm_store_remove(st, "corpora/report-2025-04.txt", &berr), TM_OK);
    rep = build(st, &q);
    if (rep) {
        TM_CHECK_INT(json_array_size(json_object_get(rep, "periods")), 1);
        json_decref(rep);
    }
    TM_CHECK_INT(sqlite3_get_autocommit(tm_store_db(st)), 0);
    tm_store_rollback(st);
    TM_CHECK_INT(sqlite3_get_autocommit(tm_store_db(st)), 1);

    /* bad options are refused with a message */
    tm_report_opts bad = {.period = TM_PERIOD_MONTH, .from = "2025-13-01"};
    json_t *none = (json_t *)1;
    tm_err err = {0};
    TM_CHECK_INT(tm_report_build(&none, st, &bad, &err), TM_EINVAL);
    TM_CHECK(none == NULL);
    TM_CHECK(strstr(err.msg, "2025-13-01") != NULL);
    tm_store_close(st);
}

static void test_write_validates_and_is_stable(void)
{
    tm_store *st = fixture();
    TM_CHECK(st != NULL);
    if (!st) return;
    make_tmpdir();
    char a[128], b[128], broken[128];
    snprintf(a, sizeof a, "%s/a.json", tmpdir);
    snprintf(b, sizeof b, "%s/b.json", tmpdir);
    snprintf(broken, sizeof broken, "%s/broken.json", tmpdir);
    tm_report_opts o = {
        .period = TM_PERIOD_MONTH, .lexicon_version = "1.0", .lexicon_hash = "lex-A"};
    tm_err err = {0};

    /* two builds, two files, same bytes */
    json_t *r1 = build(st, &o), *r2 = build(st, &o);
    TM_CHECK_INT(tm_report_write(r1, a, &err), TM_OK);
    TM_CHECK_INT(tm_report_write(r2, b, &err), TM_OK);
    size_t la = 0, lb = 0;
    char *ta = slurp(a, &la), *tb = slurp(b, &lb);
    TM_CHECK(ta && tb && la == lb && memcmp(ta, tb, la) == 0);
    TM_CHECK(la > 0 && ta && ta[la - 1] == '\n');
    /* what was written reads back as the same JSON */
    json_error_t jerr;
    json_t *back = ta ? json_loads(ta, 0, &jerr) : NULL;
    TM_CHECK(back != NULL && json_equal(back, r1));
    json_decref(back);

    struct stat sb;
    TM_CHECK_INT(stat(a, &sb), 0);
    TM_CHECK_INT(sb.st_mode & 0777, 0600);
    /* replacing keeps the target's mode and leaves no temporary behind */
    chmod(a, 0640);
    TM_CHECK_INT(tm_report_write(r1, a, &err), TM_OK);
    TM_CHECK_INT(stat(a, &sb), 0);
    TM_CHECK_INT(sb.st_mode & 0777, 0640);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "test $(ls -A '%s' | wc -l) -eq 2", tmpdir);
    TM_CHECK_INT(system(cmd), 0);

    /* an unwritable place fails cleanly with the path in the message */
    tm_err_clear(&err);
    TM_CHECK_INT(tm_report_write(r1, "/nonexistent-dir/r.json", &err), TM_EIO);
    TM_CHECK(strstr(err.msg, "/nonexistent-dir/r.json") != NULL);

    if (!has_jsonschema()) {
        printf("SKIP schema validation: /usr/bin/python3 has no jsonschema module"
               " (apt-get install python3-jsonschema)\n");
    } else {
        TM_CHECK_INT(validate(a), 0);
        /* the validator is not a rubber stamp: a wrong report fails it */
        json_t *bad = json_deep_copy(r1);
        json_object_set_new(
            json_object_get(json_array_get(json_object_get(bad, "periods"), 0), "communities"),
            "somali", json_integer(-1));
        TM_CHECK_INT(tm_report_write(bad, broken, &err), TM_OK);
        printf("  (a schema error is expected next)\n");
        TM_CHECK_INT(validate(broken), 1);
        json_decref(bad);

        /* a report with no documents validates too */
        tm_report_opts empty = {.period = TM_PERIOD_WEEK, .from = "1999-01-01", .to = "1999-12-31"};
        json_t *r3 = build(st, &empty);
        if (r3) {
            TM_CHECK_INT(json_array_size(json_object_get(r3, "periods")), 0);
            TM_CHECK_INT(tm_report_write(r3, b, &err), TM_OK);
            TM_CHECK_INT(validate(b), 0);
        }
        json_decref(r3);
    }
    free(ta);
    free(tb);
    json_decref(r1);
    json_decref(r2);
    remove_tmpdir();
    tm_store_close(st);
}

/* Paths need not be UTF-8; the report must still be valid JSON. */
static void test_non_utf8_path(void)
{
    tm_store *st = NULL;
    tm_err err = {0};
    TM_CHECK_INT(tm_store_open(&st, ":memory:", &err), TM_OK);
    if (!st) return;
    tm_doc d;
    doc_start(&d, "corpora/caf\xe9.txt", "2025-05-05", text4, 10);
    uint32_t s0 = add_sentence(&d, "Somali youths reported antisocial behaviour.", -1, -1);
    add_signal(&d, s0, "somali", "asb", TM_POL_CONCERN, TM_EEP_EXPERIENCED, 0, 0);
    store(st, &d, NULL);
    tm_report_opts o = {.period = TM_PERIOD_MONTH};
    json_t *rep = build(st, &o);
    if (rep) {
        json_t *ev = json_array_get(
            json_object_get(json_array_get(json_object_get(period(rep, 0), "top_signals"), 0),
                            "evidence"),
            0);
        TM_CHECK_STR(jstr_of(ev, "doc"), "corpora/caf\xef\xbf\xbd.txt");
        TM_CHECK(json_is_null(json_object_get(json_object_get(rep, "lexicon"), "hash")));
        char *text = json_dumps(rep, JSON_SORT_KEYS);
        TM_CHECK(text != NULL);
        free(text);
    }
    json_decref(rep);
    tm_store_close(st);
}

/* A hand-built database whose levels are computed below by hand from the
 * rubric (reports/README.md), with a scale of thresholds 0/10/30/60/120/240.
 *   March, 1,000 words: somali x hate_crime concern evidenced x2 (20),
 *     concern experienced x1 in a sentence with fear (0.8 x 1.5 = 1.2 -> 12),
 *     one new knife_crime incident (10): area 42 -> level 3, somali 32 -> 3.
 *   April, 2,000 words: muslim x cohesion reassurance evidenced with praise
 *     (-0.5 x 1.5 = -0.75 -> -3.75), somali x hate_crime concern potential
 *     (0.6 -> 3); the March incident carried forward is not new:
 *     area -0.75 -> level 1, down from 3; somali 3 -> 1, down; muslim 1. */
static const char lv1[] = "Somali families fear hate crime. Hate crime against Somali pupils. "
                          "Somali residents were frightened by hate crime. "
                          "A youth was stabbed outside the Fishermead shops on Friday.";
static const char lv2[] =
    "Muslim leaders praised cohesion work. Somali elders may face hate crime. "
    "Update: the youth stabbed outside the Fishermead shops is recovering.";

static void test_levels_explained(void)
{
    tm_store *st = NULL;
    tm_err err = {0};
    if (tm_store_open(&st, ":memory:", &err) != TM_OK) return;
    tm_doc d;
    doc_start(&d, "a.txt", "2025-03-10", lv1, 1000);
    uint32_t a0 = add_sentence(&d, "Somali families fear hate crime.", -1, -1),
             a1 = add_sentence(&d, "Hate crime against Somali pupils.", -1, -1),
             a2 = add_sentence(&d, "Somali residents were frightened by hate crime.", -1, -1),
             a3 = add_sentence(&d, "A youth was stabbed outside the Fishermead shops on Friday.",
                               -1, -1);
    add_mention(&d, a2, TM_CAT_TONE, "fear", NULL, 0);
    add_signal(&d, a0, "somali", "hate_crime", TM_POL_CONCERN, TM_EEP_EVIDENCED, 0, 0);
    add_signal(&d, a1, "somali", "hate_crime", TM_POL_CONCERN, TM_EEP_EVIDENCED, 0, 0);
    add_signal(&d, a2, "somali", "hate_crime", TM_POL_CONCERN, TM_EEP_EXPERIENCED, 0, 0);
    /* a negated signal never counts */
    add_signal(&d, a1, "somali", "knife_crime", TM_POL_CONCERN, TM_EEP_EVIDENCED, 1, 0);
    tm_incident *inc = TM_VEC_PUSH(&d.arena, d.incidents);
    inc->theme = "knife_crime";
    inc->sent = a3;
    inc->place = "Fishermead";
    store(st, &d, "lex-A");
    doc_start(&d, "b.txt", "2025-04-14", lv2, 2000);
    uint32_t b0 = add_sentence(&d, "Muslim leaders praised cohesion work.", -1, -1),
             b1 = add_sentence(&d, "Somali elders may face hate crime.", -1, -1),
             b2 = add_sentence(
                 &d, "Update: the youth stabbed outside the Fishermead shops is recovering.", -1,
                 -1);
    add_mention(&d, b0, TM_CAT_TONE, "praise", NULL, 0);
    add_mention(&d, b0, TM_CAT_COMMUNITY, "muslim", NULL, 0);
    add_signal(&d, b0, "muslim", "cohesion", TM_POL_REASSURANCE, TM_EEP_EVIDENCED, 0, 0);
    add_signal(&d, b1, "somali", "hate_crime", TM_POL_CONCERN, TM_EEP_POTENTIAL, 0, 0);
    inc = TM_VEC_PUSH(&d.arena, d.incidents);
    inc->theme = "knife_crime";
    inc->sent = b2;
    inc->place = "Fishermead";
    store(st, &d, "lex-A");

    /* the thresholds this test's arithmetic uses, independent of the shipped scale */
    tm_scale *hand = NULL;
    const char hand_scale[] =
        TM_SCALE_HEADER "\n1\tnormal\tNormal\t\t0\n2\tnormal\tWatch\t\t10\n"
                        "3\televated\tElevated\t\t30\n4\televated\tRising\t\t60\n"
                        "5\thigh\tHigh\t\t120\n6\thigh\tCritical\t\t240\n";
    TM_CHECK_INT(tm_scale_parse(&hand, hand_scale, sizeof hand_scale - 1, "hand.tsv", &err), TM_OK);
    tm_report_opts o = {.period = TM_PERIOD_MONTH, .scale = hand};
    json_t *rep = build(st, &o);
    if (!rep) {
        tm_scale_free(hand);
        tm_store_close(st);
        return;
    }
    json_t *mar = period(rep, 0), *apr = period(rep, 1);
    json_t *ma = json_object_get(json_object_get(mar, "levels"), "area");
    json_t *aa = json_object_get(json_object_get(apr, "levels"), "area");
    TM_CHECK(fabs(json_real_value(json_object_get(ma, "score")) - 42.0) < 1e-6);
    TM_CHECK_INT(jint(ma, "level"), 3);
    TM_CHECK_STR(jstr_of(ma, "tier"), "elevated");
    TM_CHECK_STR(jstr_of(ma, "direction"), "stable");
    TM_CHECK(fabs(json_real_value(json_object_get(aa, "score")) + 0.75) < 1e-6);
    TM_CHECK_INT(jint(aa, "level"), 1);
    TM_CHECK_STR(jstr_of(aa, "direction"), "down");
    TM_CHECK_INT(jint(aa, "previous_level"), 3);
    /* every level's reasons add up to its score */
    json_t *levels[2] = {ma, aa};
    for (int i = 0; i < 2; i++) {
        double sum = 0;
        size_t k;
        json_t *r;
        json_array_foreach(json_object_get(levels[i], "reasons"), k, r)
        {
            sum += json_real_value(json_object_get(r, "contribution"));
        }
        TM_CHECK(fabs(sum - json_real_value(json_object_get(levels[i], "score"))) < 1e-6);
    }
    /* the largest reason first: the two evidenced signals, then the incident */
    json_t *r0 = json_array_get(json_object_get(ma, "reasons"), 0);
    TM_CHECK_STR(jstr_of(r0, "eep"), "evidenced");
    TM_CHECK_INT(jint(r0, "count"), 2);
    TM_CHECK(fabs(json_real_value(json_object_get(r0, "contribution")) - 20.0) < 1e-6);
    json_t *somali_apr =
        json_object_get(json_object_get(json_object_get(apr, "levels"), "communities"), "somali");
    TM_CHECK_INT(jint(somali_apr, "level"), 1);
    TM_CHECK_STR(jstr_of(somali_apr, "direction"), "down");
    TM_CHECK(fabs(json_real_value(json_object_get(somali_apr, "score")) - 3.0) < 1e-6);
    /* one distinct incident: new in March, carried forward in April */
    TM_CHECK_INT(jint(mar, "new_incidents"), 1);
    TM_CHECK_INT(jint(apr, "new_incidents"), 0);
    json_t *ia = json_array_get(json_object_get(apr, "incidents"), 0);
    TM_CHECK(json_is_false(json_object_get(ia, "new")));
    TM_CHECK_INT(jint(ia, "documents"), 2);
    TM_CHECK_STR(jstr_of(ia, "first_seen"), "2025-03-10");
    /* eep counts of live signals; tone per period */
    TM_CHECK_INT(jint(json_object_get(mar, "eep"), "evidenced"), 2);
    TM_CHECK_INT(jint(json_object_get(mar, "eep"), "experienced"), 1);
    TM_CHECK_INT(jint(json_object_get(apr, "tone_balance"), "reassurance"), 1);
    /* with a one-level-lower scale threshold the level moves: the scale is data */
    json_decref(rep);
    tm_scale *sc = NULL;
    const char scale[] =
        TM_SCALE_HEADER "\n1\tn\tA\t\t0\n2\tn\tB\t\t1\n3\te\tC\t\t2\n4\te\tD\t\t3\n"
                        "5\th\tE\t\t4\n6\th\tF\t\t41\n";
    TM_CHECK_INT(tm_scale_parse(&sc, scale, sizeof scale - 1, "t.tsv", &err), TM_OK);
    o.scale = sc;
    rep = build(st, &o);
    if (rep) {
        json_t *m2 = json_object_get(json_object_get(period(rep, 0), "levels"), "area");
        TM_CHECK_INT(jint(m2, "level"), 6);
        TM_CHECK_STR(jstr_of(m2, "label"), "F");
    }
    json_decref(rep);
    tm_scale_free(sc);
    tm_scale_free(hand);
    /* a slice: only documents and signals of the muslim community */
    tm_report_opts so = {.period = TM_PERIOD_MONTH, .community = "muslim"};
    rep = build(st, &so);
    if (rep) {
        TM_CHECK_INT(json_array_size(json_object_get(rep, "periods")), 1);
        TM_CHECK_STR(jstr_of(period(rep, 0), "period"), "2025-04");
        TM_CHECK_INT(json_array_size(json_object_get(period(rep, 0), "community_theme")), 1);
    }
    json_decref(rep);
    tm_store_close(st);
}

/* A filter that changes every part it is given, as redaction does: the
 * streamed report must apply it to each part exactly once. */
static int mark_part(json_t *part, void *payload)
{
    (*(int *)payload)++;
    json_object_set_new(part, "marked", json_true());
    return TM_OK;
}

typedef struct csv_each {
    tm_csv_stream *csv;
    tm_err *err;
} csv_each;

static int csv_period(json_t *period, void *payload)
{
    csv_each *x = payload;
    int rc = tm_csv_stream_period(x->csv, period, x->err);
    json_object_clear(period); /* the stream must not need it again */
    return rc;
}

static int same_file(const char *a, const char *b)
{
    size_t la = 0, lb = 0;
    char *ta = slurp(a, &la), *tb = slurp(b, &lb);
    int same = ta && tb && la == lb && memcmp(ta, tb, la) == 0;
    if (!same) fprintf(stderr, "  %s and %s differ\n", a, b);
    free(ta);
    free(tb);
    return same;
}

/* The report written one period at a time (tm_report_stream, the CSV
 * stream over tm_report_build_each) is byte for byte the tree's. */
static void test_streamed_equals_tree(void)
{
    tm_store *st = fixture();
    TM_CHECK(st != NULL);
    if (!st) return;
    make_tmpdir();
    tm_report_opts opts[] = {
        {.period = TM_PERIOD_MONTH, .lexicon_version = "1.0", .lexicon_hash = "lex-A"},
        {.period = TM_PERIOD_WEEK},
        {.period = TM_PERIOD_MONTH, .from = "2025-04-01"},
        {.period = TM_PERIOD_QUARTER, .community = "somali"},
        {.period = TM_PERIOD_WEEK, .from = "1999-01-01", .to = "1999-12-31"}, /* no period */
    };
    for (size_t i = 0; i < sizeof opts / sizeof *opts; i++) {
        tm_err err = {0};
        char a[128], b[128], ca[128], cb[128];
        snprintf(a, sizeof a, "%s/tree.json", tmpdir);
        snprintf(b, sizeof b, "%s/stream.json", tmpdir);
        snprintf(ca, sizeof ca, "%s/csv-tree", tmpdir);
        snprintf(cb, sizeof cb, "%s/csv-stream", tmpdir);
        json_t *tree = build(st, &opts[i]);
        if (!tree) continue;
        TM_CHECK_INT(tm_report_write(tree, a, &err), TM_OK);
        TM_CHECK_INT(tm_report_stream(st, &opts[i], b, NULL, NULL, &err), TM_OK);
        TM_CHECK(same_file(a, b));

        /* a filter sees the top-level parts and each period once */
        int calls = 0, tree_calls = 0;
        json_t *marked = json_deep_copy(tree);
        size_t k;
        json_t *p;
        json_array_foreach(json_object_get(marked, "periods"), k, p) mark_part(p, &tree_calls);
        /* the parts before and after "periods" are marked as one object each
         * (the undated period is among the latter: a recursive filter such
         * as redaction reaches it); "marked" sorts before "periods", so the
         * file shows it once, at the top */
        json_object_set_new(marked, "marked", json_true());
        TM_CHECK_INT(tm_report_write(marked, a, &err), TM_OK);
        TM_CHECK_INT(tm_report_stream(st, &opts[i], b, mark_part, &calls, &err), TM_OK);
        TM_CHECK_INT(calls, tree_calls + 2);
        TM_CHECK(same_file(a, b));
        json_decref(marked);

        TM_CHECK_INT(tm_render_csv(tree, ca, NULL, NULL, &err), TM_OK);
        csv_each x = {NULL, &err};
        json_t *rep = NULL;
        TM_CHECK_INT(tm_csv_stream_open(&x.csv, cb, &err), TM_OK);
        TM_CHECK_INT(tm_report_build_each(&rep, st, &opts[i], NULL, csv_period, &x, &err), TM_OK);
        if (json_is_object(json_object_get(rep, "undated")))
            TM_CHECK_INT(csv_period(json_object_get(rep, "undated"), &x), TM_OK);
        TM_CHECK_INT(tm_csv_stream_commit(x.csv, NULL, NULL, &err), TM_OK);
        json_decref(rep);
        char cmd[512];
        snprintf(cmd, sizeof cmd, "diff -r '%s' '%s'", ca, cb);
        TM_CHECK_INT(system(cmd), 0);
        snprintf(cmd, sizeof cmd, "rm -rf '%s' '%s'", ca, cb);
        TM_CHECK_INT(system(cmd), 0);
        json_decref(tree);
    }
    remove_tmpdir();
    tm_store_close(st);
}

static const tm_test_case cases[] = {
    {"streamed_equals_tree", test_streamed_equals_tree},
    {"levels_explained", test_levels_explained},
    {"counts_per_month", test_counts_per_month},
    {"ranges_and_periods", test_ranges_and_periods},
    {"write_validates_and_is_stable", test_write_validates_and_is_stable},
    {"non_utf8_path", test_non_utf8_path},
    {NULL, NULL},
};

TM_TEST_MAIN(cases)
