/*
 * parallel.c: a fixed pool of workers feeding an in-order consumer. Each
 * worker has a slot (its doc); the consumer waits for slot of index `next`,
 * consumes it, and releases the worker to take another path.
 */
#include "tm/parallel.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct slot {
    tm_doc doc;
    tm_pipeline *pl;
    size_t index; /* the path it holds */
    int state;    /* 0 free, 1 ready for the consumer */
    int rc;
    tm_err err;
} slot;

typedef struct pool {
    pthread_mutex_t mu;
    pthread_cond_t ready;    /* a slot became ready */
    pthread_cond_t released; /* a slot was consumed */
    const char *const *paths;
    size_t n, next_take, next_consume;
    int stop;
    tm_par_work_fn work;
    void *payload;
    slot *slots;
    int jobs;
} pool;

typedef struct worker_arg {
    pool *p;
    slot *s;
} worker_arg;

static void *worker(void *arg)
{
    worker_arg *wa = arg;
    pool *p = wa->p;
    slot *s = wa->s;
    for (;;) {
        pthread_mutex_lock(&p->mu);
        while (s->state == 1 && !p->stop)
            pthread_cond_wait(&p->released, &p->mu);
        if (p->stop || p->next_take >= p->n) {
            pthread_mutex_unlock(&p->mu);
            return NULL;
        }
        size_t i = p->next_take++;
        pthread_mutex_unlock(&p->mu);

        tm_doc_reset(&s->doc);
        tm_err_clear(&s->err);
        int rc = p->work(s->pl, &s->doc, i, p->paths[i], &s->err, p->payload);

        pthread_mutex_lock(&p->mu);
        s->index = i;
        s->rc = rc;
        s->state = 1;
        pthread_cond_broadcast(&p->ready);
        pthread_mutex_unlock(&p->mu);
    }
}

int tm_par_cores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : (int)n;
}

int tm_par_run(const tm_lexicon *lex, const char *const *paths, size_t n, int jobs,
               tm_par_work_fn work, tm_par_consume_fn consume, void *payload, tm_err *err)
{
    if (jobs < 1) jobs = 1;
    if ((size_t)jobs > n && n > 0) jobs = (int)n;
    if (jobs == 1) {
        tm_pipeline *pl = NULL;
        int rc = tm_pipeline_new(&pl, lex, err);
        if (rc != TM_OK) return rc;
        tm_doc doc;
        tm_doc_init(&doc);
        int stop = 0;
        for (size_t i = 0; i < n && !stop; i++) {
            tm_err e = {0};
            tm_doc_reset(&doc);
            int r = work(pl, &doc, i, paths[i], &e, payload);
            stop = consume(&doc, i, paths[i], r, &e, payload);
        }
        tm_doc_dispose(&doc);
        tm_pipeline_free(pl);
        return stop;
    }

    pool p;
    memset(&p, 0, sizeof p);
    pthread_mutex_init(&p.mu, NULL);
    pthread_cond_init(&p.ready, NULL);
    pthread_cond_init(&p.released, NULL);
    p.paths = paths;
    p.n = n;
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
    for (int j = 0; j < jobs; j++) {
        tm_doc_init(&p.slots[j].doc);
        rc = tm_pipeline_new(&p.slots[j].pl, lex, err);
        if (rc != TM_OK) goto cleanup;
    }
    for (int j = 0; j < jobs; j++) {
        args[j] = (worker_arg){&p, &p.slots[j]};
        if (pthread_create(&threads[j], NULL, worker, &args[j]) != 0) {
            rc = tm_err_set(err, TM_ENOMEM, "cannot start worker thread %d", j + 1);
            break;
        }
        started++;
    }
    /* the consumer: this thread, strictly in path order */
    pthread_mutex_lock(&p.mu);
    while (started > 0 && p.next_consume < n && !p.stop) {
        slot *s = NULL;
        for (int j = 0; j < jobs; j++)
            if (p.slots[j].state == 1 && p.slots[j].index == p.next_consume) s = &p.slots[j];
        if (!s) {
            pthread_cond_wait(&p.ready, &p.mu);
            continue;
        }
        pthread_mutex_unlock(&p.mu);
        int stop = consume(&s->doc, s->index, paths[s->index], s->rc, &s->err, payload);
        pthread_mutex_lock(&p.mu);
        if (stop) {
            p.stop = 1;
            if (rc == TM_OK) rc = stop;
        }
        s->state = 0;
        p.next_consume++;
        pthread_cond_broadcast(&p.released);
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
        }
    }
    tm_free(p.slots);
    tm_free(threads);
    tm_free(args);
    pthread_mutex_destroy(&p.mu);
    pthread_cond_destroy(&p.ready);
    pthread_cond_destroy(&p.released);
    return rc;
}
