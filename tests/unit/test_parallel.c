/*
 * test_parallel.c: workers process documents in any order, the consumer sees
 * them in input order, for any number of jobs; a consumer can stop the run;
 * inputs come from a producer one at a time (at most one per worker ahead of
 * the consumer), with a note and a value passed along; a failing producer
 * stops the run.
 */
#include "tm/lexicon.h"
#include "tm/parallel.h"
#include "tm_test.h"

#include <stdatomic.h>
#include <unistd.h>

typedef struct seen {
    size_t order[64];
    size_t n;
    size_t stop_at;         /* 0 = never */
    size_t given;           /* inputs handed out by next() */
    size_t total;           /* inputs next() has */
    size_t ahead;           /* the most handed out and not yet consumed */
    int fail_at;            /* next() fails at this input (1-based); 0 = never */
    atomic_size_t consumed; /* read by next() in the workers */
} seen;

/* The inputs as a producer hands them out: one at a time, never listed. */
static int next(tm_par_item *item, void *payload)
{
    seen *s = payload;
    TM_CHECK_INT((long long)item->index, (long long)s->given);
    if (s->fail_at && s->given + 1 == (size_t)s->fail_at) return TM_EIO;
    if (s->given == s->total) return 0;
    char name[32];
    snprintf(name, sizeof name, "doc-%02zu.txt", s->given);
    item->path = strdup(name);
    if (s->given == 9) item->note = strdup("a note from the producer");
    s->given++;
    size_t c = atomic_load(&s->consumed);
    if (s->given - c > s->ahead) s->ahead = s->given - c;
    return 1;
}

static int work(tm_pipeline *pl, tm_doc *doc, tm_par_item *item, tm_err *err, void *payload)
{
    (void)payload;
    size_t index = item->index;
    const char *path = item->path;
    item->value = (int64_t)index * 10;
    /* later documents finish first, to shake the order */
    usleep((useconds_t)((20 - index % 20) * 300));
    char text[128];
    snprintf(text, sizeof text, "Document %zu: the Somali community raised tension.", index);
    if (index == 5) return tm_err_set(err, TM_EFORMAT, "%s: broken on purpose", path);
    return tm_pipeline_bytes(pl, doc, path, text, strlen(text), err);
}

static int consume(tm_doc *doc, const tm_par_item *item, int rc, const tm_err *err, void *payload)
{
    seen *s = payload;
    size_t index = item->index;
    const char *path = item->path;
    s->order[s->n++] = index;
    atomic_fetch_add(&s->consumed, 1);
    TM_CHECK_INT((long long)item->value, (long long)index * 10);
    TM_CHECK(index == 9 ? item->note && !strcmp(item->note, "a note from the producer")
                        : item->note == NULL);
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
    seen s = {.total = 40};
    TM_CHECK_INT(tm_par_run(lex, next, jobs, work, consume, &s, &err), TM_OK);
    TM_CHECK_INT((long long)s.n, 40);
    for (size_t i = 0; i < s.n; i++)
        TM_CHECK_INT((long long)s.order[i], (long long)i);
    /* inputs are taken as workers free up: at most one per worker ahead of
     * the consumer, so memory does not grow with the number of inputs */
    TM_CHECK(s.ahead <= (size_t)(jobs < 40 ? jobs : 40));
    /* a consumer that says stop ends the run after that document */
    seen t = {.total = 40, .stop_at = 12};
    TM_CHECK_INT(tm_par_run(lex, next, jobs, work, consume, &t, &err), 7);
    TM_CHECK_INT((long long)t.n, 12);
    /* a producer that fails ends the run with its error, after the inputs
     * before it are consumed in order */
    seen f = {.total = 40, .fail_at = 20};
    tm_err_clear(&err);
    TM_CHECK_INT(tm_par_run(lex, next, jobs, work, consume, &f, &err), TM_EIO);
    TM_CHECK(f.n <= 19);
    for (size_t i = 0; i < f.n; i++)
        TM_CHECK_INT((long long)f.order[i], (long long)i);
    /* no inputs at all */
    seen e = {.total = 0};
    TM_CHECK_INT(tm_par_run(lex, next, jobs, work, consume, &e, &err), TM_OK);
    TM_CHECK_INT((long long)e.n, 0);
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
