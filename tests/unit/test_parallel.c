/*
 * test_parallel.c: workers process documents in any order, the consumer sees
 * them in input order, for any number of jobs; a consumer can stop the run.
 */
#include "tm/lexicon.h"
#include "tm/parallel.h"
#include "tm_test.h"

#include <unistd.h>

typedef struct seen {
    size_t order[64];
    size_t n;
    size_t stop_at; /* 0 = never */
} seen;

static int work(tm_pipeline *pl, tm_doc *doc, size_t index, const char *path, tm_err *err,
                void *payload)
{
    (void)payload;
    /* later documents finish first, to shake the order */
    usleep((useconds_t)((20 - index % 20) * 300));
    char text[128];
    snprintf(text, sizeof text, "Document %zu: the Somali community raised tension.", index);
    if (index == 5) return tm_err_set(err, TM_EFORMAT, "%s: broken on purpose", path);
    return tm_pipeline_bytes(pl, doc, path, text, strlen(text), err);
}

static int consume(tm_doc *doc, size_t index, const char *path, int rc, const tm_err *err,
                   void *payload)
{
    seen *s = payload;
    s->order[s->n++] = index;
    if (index == 5) {
        TM_CHECK_INT(rc, TM_EFORMAT);
        TM_CHECK(strstr(err->msg, "broken on purpose") != NULL);
    } else {
        TM_CHECK_INT(rc, TM_OK);
        TM_CHECK(strstr(doc->text, "Document") != NULL);
        TM_CHECK_STR(doc->path, path);
        TM_CHECK_INT((long long)doc->signals.n, 1);
    }
    return s->stop_at && index + 1 == s->stop_at ? 7 : 0;
}

static void run_jobs(int jobs)
{
    tm_lexicon *lex = NULL;
    tm_err err = {0};
    TM_CHECK_INT(tm_lexicon_load(&lex, TM_SOURCE_DIR "/tests/fixtures/lexicon", NULL, NULL, &err),
                 TM_OK);
    const char *paths[40];
    char names[40][16];
    for (int i = 0; i < 40; i++) {
        snprintf(names[i], sizeof names[i], "doc-%02d.txt", i);
        paths[i] = names[i];
    }
    seen s = {0};
    TM_CHECK_INT(tm_par_run(lex, paths, 40, jobs, work, consume, &s, &err), TM_OK);
    TM_CHECK_INT((long long)s.n, 40);
    for (size_t i = 0; i < s.n; i++)
        TM_CHECK_INT((long long)s.order[i], (long long)i);
    /* a consumer that says stop ends the run after that document */
    seen t = {0};
    t.stop_at = 12;
    TM_CHECK_INT(tm_par_run(lex, paths, 40, jobs, work, consume, &t, &err), 7);
    TM_CHECK_INT((long long)t.n, 12);
    tm_lexicon_free(lex);
}

static void test_one_job(void)
{
    run_jobs(1);
}

static void test_three_jobs(void)
{
    run_jobs(3);
}

static void test_more_jobs_than_paths(void)
{
    run_jobs(64);
}

static const tm_test_case cases[] = {{"one_job", test_one_job},
                                     {"three_jobs", test_three_jobs},
                                     {"more_jobs_than_paths", test_more_jobs_than_paths},
                                     {NULL, NULL}};

TM_TEST_MAIN(cases)
