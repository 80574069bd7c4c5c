/*
 * parallel.c: a fixed pool of workers feeding an in-order consumer. Each
 * worker has a slot (its doc and input); the consumer waits for the slot of
 * index `next_consume`, consumes it, and releases the worker to take another
 * input. Inputs are taken from `next` one at a time (under `take`, so their
 * indexes are the order `next` gave them), never listed up front: memory
 * does not grow with the number of inputs.
 */
#include "tm/parallel.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct slot {
    tm_doc doc;
    tm_pipeline *pl; /* made when the worker takes its first input */
    tm_par_item item;
    int state; /* 0 free, 1 ready for the consumer */
    int rc;
    tm_err err;
} slot;

typedef struct pool {
    pthread_mutex_t mu;         /* slots' state, the counters, stop */
    pthread_mutex_t take;       /* calls of `next`, with next_take */
    pthread_cond_t ready;       /* a slot became ready, or the inputs ended */
    pthread_cond_t released;    /* a slot was consumed */
    size_t next_take;           /* under take */
    int exhausted;              /* under take: `next` said there are no more (or failed) */
    size_t next_consume, taken; /* under mu: taken counts the inputs handed to workers */
    int ended;                  /* under mu: exhausted */
    int stop;
    /* waiters, so a handover wakes a thread only when one waits for it */
    int consumer_waits, workers_wait;
    int fail; /* a worker could not make its pipeline, or `next` failed */
    tm_err fail_err;
    const tm_lexicon *lex;
    tm_par_next_fn next;
    tm_par_work_fn work;
    void *payload;
    slot *slots;
    int jobs;
} pool;

typedef struct worker_arg {
    pool *p;
    slot *s;
} worker_arg;

static void item_free(tm_par_item *it)
{
    free(it->path);
    free(it->note);
    memset(it, 0, sizeof *it);
}

/* Ends the run early from a worker with `rc` and its message. */
static void fail_locked(pool *p, int rc, const tm_err *err)
{
    if (!p->fail) {
        p->fail = rc;
        p->fail_err = *err;
    }
    p->stop = 1;
    pthread_cond_broadcast(&p->ready);
    pthread_cond_broadcast(&p->released);
}

/* Takes the next input into `it`: 1, 0 at the end, or an error (err set).
 * `taken` and `ended` change under `mu` while `take` is held, so when the
 * consumer sees `ended` every input taken before is counted in `taken`. */
static int take(pool *p, tm_par_item *it, tm_err *err)
{
    pthread_mutex_lock(&p->take);
    memset(it, 0, sizeof *it);
    it->index = p->next_take;
    int r = p->exhausted ? 0 : p->next(it, p->payload);
    if (r == 1 && !it->path) r = tm_err_set(err, TM_ENOMEM, "out of memory listing the inputs");
    if (r < 0 && err->code == TM_OK) tm_err_set(err, r, "cannot list the inputs");
    pthread_mutex_lock(&p->mu);
    if (r == 1) {
        p->next_take++;
        p->taken++;
    } else {
        p->exhausted = 1;
        p->ended = 1;
        /* with `ended`, or the consumer could finish without the error */
        if (r < 0) fail_locked(p, r, err);
        pthread_cond_broadcast(&p->ready);
    }
    pthread_mutex_unlock(&p->mu);
    pthread_mutex_unlock(&p->take);
    if (r != 1) item_free(it);
    return r;
}

static void *worker(void *arg)
{
    worker_arg *wa = arg;
    pool *p = wa->p;
    slot *s = wa->s;
    for (;;) {
        pthread_mutex_lock(&p->mu);
        while (s->state == 1 && !p->stop) {
            p->workers_wait++;
            pthread_cond_wait(&p->released, &p->mu);
            p->workers_wait--;
        }
        int done = p->stop || p->ended;
        pthread_mutex_unlock(&p->mu);
        if (done) return NULL;

        tm_err_clear(&s->err);
        item_free(&s->item);
        int r = take(p, &s->item, &s->err);
        if (r <= 0) return NULL;
        /* a worker that never gets an input never pays for a tagger */
        if (!s->pl) {
            int rc = tm_pipeline_new(&s->pl, p->lex, &s->err);
            if (rc != TM_OK) {
                pthread_mutex_lock(&p->mu);
                fail_locked(p, rc, &s->err);
                pthread_mutex_unlock(&p->mu);
                return NULL;
            }
        }
        tm_doc_reset(&s->doc);
        int rc = p->work(s->pl, &s->doc, &s->item, &s->err, p->payload);

        pthread_mutex_lock(&p->mu);
        s->rc = rc;
        s->state = 1;
        if (p->consumer_waits) pthread_cond_signal(&p->ready);
        pthread_mutex_unlock(&p->mu);
    }
}

int tm_par_cores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : (int)n;
}

static int run_one(const tm_lexicon *lex, tm_par_next_fn next, tm_par_work_fn work,
                   tm_par_consume_fn consume, void *payload, tm_err *err)
{
    tm_pipeline *pl = NULL;
    int rc = tm_pipeline_new(&pl, lex, err);
    if (rc != TM_OK) return rc;
    tm_doc doc;
    tm_doc_init(&doc);
    int stop = 0;
    for (size_t i = 0; !stop; i++) {
        tm_par_item it = {.index = i};
        int r = next(&it, payload);
        if (r == 1 && !it.path) r = tm_err_set(err, TM_ENOMEM, "out of memory listing the inputs");
        if (r < 0 && err->code == TM_OK) tm_err_set(err, r, "cannot list the inputs");
        if (r != 1) {
            item_free(&it);
            if (r < 0) stop = r;
            break;
        }
        tm_err e = {0};
        tm_doc_reset(&doc);
        int w = work(pl, &doc, &it, &e, payload);
        stop = consume(&doc, &it, w, &e, payload);
        item_free(&it);
    }
    tm_doc_dispose(&doc);
    tm_pipeline_free(pl);
    return stop;
}

int tm_par_run(const tm_lexicon *lex, tm_par_next_fn next, int jobs, tm_par_work_fn work,
               tm_par_consume_fn consume, void *payload, tm_err *err)
{
    if (jobs < 1) jobs = 1;
    if (jobs == 1) return run_one(lex, next, work, consume, payload, err);

    pool p;
    memset(&p, 0, sizeof p);
    pthread_mutex_init(&p.mu, NULL);
    pthread_mutex_init(&p.take, NULL);
    pthread_cond_init(&p.ready, NULL);
    pthread_cond_init(&p.released, NULL);
    p.lex = lex;
    p.next = next;
    p.work = work;
    p.payload = payload;
    p.jobs = jobs;
    p.slots = tm_calloc((size_t)jobs, sizeof *p.slots);
    pthread_t *threads = tm_calloc((size_t)jobs, sizeof *threads);
    worker_arg *args = tm_calloc((size_t)jobs, sizeof *args);
    int started = 0, rc = TM_OK;
    if (!p.slots || !threads || !args) {
        rc = tm_err_set(err, TM_ENOMEM, "out of memory starting %d workers", jobs);
        goto cleanup;
    }
    for (int j = 0; j < jobs; j++)
        tm_doc_init(&p.slots[j].doc);
    for (int j = 0; j < jobs; j++) {
        args[j] = (worker_arg){&p, &p.slots[j]};
        if (pthread_create(&threads[j], NULL, worker, &args[j]) != 0) {
            rc = tm_err_set(err, TM_ENOMEM, "cannot start worker thread %d", j + 1);
            break;
        }
        started++;
    }
    /* the consumer: this thread, strictly in input order */
    pthread_mutex_lock(&p.mu);
    while (started > 0 && !p.stop) {
        slot *s = NULL;
        for (int j = 0; j < jobs; j++)
            if (p.slots[j].state == 1 && p.slots[j].item.index == p.next_consume) s = &p.slots[j];
        if (!s) {
            if (p.ended && p.next_consume == p.taken) break;
            p.consumer_waits = 1;
            pthread_cond_wait(&p.ready, &p.mu);
            p.consumer_waits = 0;
            continue;
        }
        pthread_mutex_unlock(&p.mu);
        int stop = consume(&s->doc, &s->item, s->rc, &s->err, payload);
        pthread_mutex_lock(&p.mu);
        if (stop) {
            p.stop = 1;
            if (rc == TM_OK) rc = stop;
        }
        s->state = 0;
        p.next_consume++;
        if (p.workers_wait) pthread_cond_broadcast(&p.released);
    }
    if (p.fail && rc == TM_OK) {
        rc = p.fail;
        *err = p.fail_err;
    }
    p.stop = 1;
    pthread_cond_broadcast(&p.released);
    pthread_mutex_unlock(&p.mu);
    for (int j = 0; j < started; j++)
        pthread_join(threads[j], NULL);
cleanup:
    if (p.slots) {
        for (int j = 0; j < jobs; j++) {
            tm_doc_dispose(&p.slots[j].doc);
            tm_pipeline_free(p.slots[j].pl);
            item_free(&p.slots[j].item);
        }
    }
    tm_free(p.slots);
    tm_free(threads);
    tm_free(args);
    pthread_mutex_destroy(&p.mu);
    pthread_mutex_destroy(&p.take);
    pthread_cond_destroy(&p.ready);
    pthread_cond_destroy(&p.released);
    return rc;
}
