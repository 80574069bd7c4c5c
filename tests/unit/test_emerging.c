/*
 * test_emerging.c: the report's emerging terms over a hand-made store of two
 * months with the repository's lexicons. A word no lexicon uses, said five
 * times in March and never before, comes first with baseline 0; its bigram
 * is counted; a lexicon word ("knife") and stop words never show; a word as
 * frequent in February as in March is not listed; a heading is not read;
 * the baseline before --from still counts; without a lexicon only stop
 * words are dropped.
 */
#include "tm/report.h"
#include "tm_test.h"

#include <math.h>

/* ------------------------------------------------------------ fixture */

/* 30 words in each month, heading excluded; "parking" 3 times in each. */
static const char feb[] = "Parking was discussed. Parking was discussed. Parking was discussed. "
                          "One two three four five six seven. One two three four five six seven. "
                          "One two three four five six seven.";
static const char mar[] = "Vaping\n"
                          "Parking was discussed. Parking was discussed. Parking was discussed. "
                          "Vaping dens and knife crime. Vaping dens and knife crime. "
                          "Vaping dens and knife crime. Knife vaping again. Knife vaping again.";

/* Stores `text` as one document whose sentences are split at ". " (a first
 * line without a full stop is a heading). */
static void store_doc(tm_store *st, const char *path, const char *date, const char *text)
{
    tm_doc d;
    tm_doc_init(&d);
    d.path = path;
    d.text_len = strlen(text);
    d.text = tm_arena_strndup(&d.arena, text, d.text_len);
    snprintf(d.sha256, sizeof d.sha256, "%064d", (int)strlen(path));
    snprintf(d.date, sizeof d.date, "%s", date);
    snprintf(d.period_date, sizeof d.period_date, "%s", date);
    d.kind = TM_KIND_MINUTES;
    d.words = 30;
    size_t off = 0;
    while (off < d.text_len) {
        const char *nl = strchr(d.text + off, '\n'), *dot = strstr(d.text + off, ". ");
        tm_sentence *s = TM_VEC_PUSH(&d.arena, d.sentences);
        s->off = (uint32_t)off;
        s->section = -1;
        s->speaker = -1;
        if (nl && (!dot || nl < dot)) {
            s->end = (uint32_t)(nl - d.text);
            s->flags = TM_SENT_HEADING;
            off = s->end + 1;
        } else {
            s->end = dot ? (uint32_t)(dot - d.text + 1) : (uint32_t)d.text_len;
            off = dot ? s->end + 1 : d.text_len;
        }
    }
    tm_err err = {0};
    tm_store_meta meta = {"1.0", "lex", (int64_t)d.text_len};
    TM_CHECK_INT(tm_store_doc(st, &d, &meta, &err), TM_OK);
    if (err.code) fprintf(stderr, "  %s\n", err.msg);
    tm_doc_dispose(&d);
}

static tm_store *fixture(void)
{
    tm_store *st = NULL;
    tm_err err = {0};
    if (tm_store_open(&st, ":memory:", &err) != TM_OK) {
        fprintf(stderr, "  %s\n", err.msg);
        return NULL;
    }
    store_doc(st, "corpora/csp-2025-02.txt", "2025-02-12", feb);
    store_doc(st, "corpora/csp-2025-03.txt", "2025-03-12", mar);
    return st;
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

static json_t *terms_of(json_t *rep, const char *key)
{
    json_t *per;
    size_t i;
    json_array_foreach(json_object_get(rep, "periods"), i, per)
    {
        if (!strcmp(json_string_value(json_object_get(per, "period")), key))
            return json_object_get(per, "emerging_terms");
    }
    return NULL;
}

static void check_term(json_t *arr, size_t i, const char *term, long long count, long long base,
                       double ll)
{
    json_t *t = json_array_get(arr, i);
    TM_CHECK(t != NULL);
    if (!t) return;
    TM_CHECK_STR(json_string_value(json_object_get(t, "term")), term);
    TM_CHECK_INT(json_integer_value(json_object_get(t, "count")), count);
    TM_CHECK_INT(json_integer_value(json_object_get(t, "baseline_count")), base);
    TM_CHECK(fabs(json_real_value(json_object_get(t, "log_likelihood")) - ll) < 1e-9);
}

/* ------------------------------------------------------------- cases */

static void test_emerging__with_lexicon(void)
{
    tm_lexicon *lex = NULL;
    tm_err err = {0};
    TM_CHECK_INT(tm_lexicon_load(&lex, TM_SOURCE_DIR "/lexicons", NULL, NULL, &err), TM_OK);
    tm_store *st = fixture();
    TM_CHECK(st && lex);
    if (!st || !lex) goto cleanup;
    /* the whole history, then March alone: February is its baseline either way */
    const char *froms[2] = {NULL, "2025-03-01"};
    for (int f = 0; f < 2; f++) {
        tm_report_opts o = {.period = TM_PERIOD_MONTH, .from = froms[f], .lexicon = lex};
        json_t *rep = build(st, &o);
        if (!rep) continue;
        json_t *m = terms_of(rep, "2025-03");
        TM_CHECK(json_is_array(m));
        /* G2 = 2 a ln(a / E1), E1 = a * 30 / 60: 10 ln 2 and 6 ln 2. "knife"
         * and "crime" are lexicon words, "and"/"was"/"again" stop words,
         * "parking" is 3 in 30 words in both months, the heading "Vaping"
         * is not read (else 6) */
        TM_CHECK_INT(json_array_size(m), 3);
        check_term(m, 0, "vaping", 5, 0, 6.9315);
        check_term(m, 1, "dens", 3, 0, 4.1589);
        check_term(m, 2, "vaping dens", 3, 0, 4.1589);
        /* the first month has no baseline: nothing can stand out */
        if (!froms[f]) TM_CHECK_INT(json_array_size(terms_of(rep, "2025-02")), 0);
        json_decref(rep);
    }
cleanup:
    tm_store_close(st);
    tm_lexicon_free(lex);
}

static void test_emerging__without_lexicon(void)
{
    tm_store *st = fixture();
    TM_CHECK(st != NULL);
    if (!st) return;
    tm_report_opts o = {.period = TM_PERIOD_MONTH};
    json_t *rep = build(st, &o);
    json_t *m = rep ? terms_of(rep, "2025-03") : NULL;
    TM_CHECK(json_is_array(m));
    /* no lexicon filter: knife and crime count; the built-in stop words
     * ("and", "was") still go; "again" is not one of them but only twice */
    TM_CHECK_INT(json_array_size(m), 6);
    check_term(m, 0, "knife", 5, 0, 6.9315);
    check_term(m, 1, "vaping", 5, 0, 6.9315);
    check_term(m, 2, "crime", 3, 0, 4.1589);
    check_term(m, 3, "dens", 3, 0, 4.1589);
    check_term(m, 4, "knife crime", 3, 0, 4.1589);
    check_term(m, 5, "vaping dens", 3, 0, 4.1589);
    /* "discussed" is no lexicon word now, but as frequent as in February */
    for (size_t i = 0; i < json_array_size(m); i++) {
        const char *t = json_string_value(json_object_get(json_array_get(m, i), "term"));
        TM_CHECK(strcmp(t, "parking") != 0 && strcmp(t, "discussed") != 0);
    }
    json_decref(rep);
    tm_store_close(st);
}

static const tm_test_case cases[] = {
    {"with_lexicon", test_emerging__with_lexicon},
    {"without_lexicon", test_emerging__without_lexicon},
    {NULL, NULL},
};

TM_TEST_MAIN(cases)
