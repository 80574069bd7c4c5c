/*
 * inputs.c: the inputs walked by a thread of their own while the workers
 * take them, through a small queue, so the walk's order (which fixes the
 * output order and the document ids) stays that of tm_walk while memory
 * holds one folder's names, not the corpus's.
 */
#include "inputs.h"
#include "tm/ingest.h"
#include "tm/parallel.h"
#include "tm/walk.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* Entries walked ahead of the workers: enough that a worker never waits for
 * the walk (a stat and a 64 KB e-mail sniff per file), few enough not to
 * matter. */
#define TM_INPUTS_AHEAD 64

typedef struct entry {
    char *path, *note;
} entry;

enum { QUEUE = 0, COUNT = 1, ABANDON = 2 }; /* what the walk does with an entry */

struct tm_inputs {
    pthread_t thread;
    pthread_mutex_t mu;
    /* a waiter is woken only when there is one, and the walk only when the
     * queue is half empty: a handover per file costs more than reading an
     * unchanged one */
    pthread_cond_t changed; /* for the walk: room in the queue, or the mode changed */
    pthread_cond_t queued;  /* for the taker: an entry was queued, or the walk ended */
    int walk_waits, taker_waits;
    entry q[TM_INPUTS_AHEAD];
    size_t head, len;
    int mode;
    int done; /* the walk has ended */
    size_t given, counted;
    const char *const *args;
    size_t nargs;
    FILE *list;
};

static int push(tm_inputs *in, const char *path, const char *note)
{
    pthread_mutex_lock(&in->mu);
    while (in->mode == QUEUE && in->len == TM_INPUTS_AHEAD) {
        in->walk_waits = 1;
        pthread_cond_wait(&in->changed, &in->mu);
        in->walk_waits = 0;
    }
    int rc = 0;
    if (in->mode == COUNT) {
        in->counted++;
    } else if (in->mode == ABANDON) {
        rc = 1; /* stops the walk */
    } else {
        entry e = {strdup(path), note ? strdup(note) : NULL};
        if (e.path) { /* out of memory: the entry is lost, as it always was */
            in->q[(in->head + in->len) % TM_INPUTS_AHEAD] = e;
            in->len++;
            if (in->taker_waits) pthread_cond_signal(&in->queued);
        } else {
            free(e.note);
        }
    }
    pthread_mutex_unlock(&in->mu);
    return rc;
}

static int on_path(const char *path, void *payload)
{
    return push(payload, path, NULL);
}

/* An e-mail stands for its body and each readable attachment. */
static int on_file(const char *path, void *payload)
{
    return tm_ingest_expand(path, on_path, payload);
}

static void on_problem(const char *path, const char *message, void *payload)
{
    push(payload, path, message);
}

static int abandoned(tm_inputs *in)
{
    pthread_mutex_lock(&in->mu);
    int a = in->mode == ABANDON;
    pthread_mutex_unlock(&in->mu);
    return a;
}

static void *walk_all(void *arg)
{
    tm_inputs *in = arg;
    if (in->list) {
        char *line = NULL;
        size_t cap = 0;
        ssize_t n;
        while (!abandoned(in) && (n = getline(&line, &cap, in->list)) > 0) {
            while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
                line[--n] = '\0';
            /* Hadoop Streaming may prefix a key and a tab: the path is the last field */
            char *tab = strrchr(line, '\t');
            const char *path = tab ? tab + 1 : line;
            if (*path && tm_walk(path, on_file, on_problem, in)) break;
        }
        free(line);
    } else {
        for (size_t i = 0; i < in->nargs; i++)
            if (tm_walk(in->args[i], on_file, on_problem, in)) break;
    }
    pthread_mutex_lock(&in->mu);
    in->done = 1;
    pthread_cond_broadcast(&in->changed);
    pthread_cond_broadcast(&in->queued);
    pthread_mutex_unlock(&in->mu);
    return NULL;
}

int tm_inputs_start(tm_inputs **out, const char *const *args, size_t n, FILE *list, tm_err *err)
{
    tm_inputs *in = calloc(1, sizeof *in);
    *out = NULL;
    if (!in) return tm_err_set(err, TM_ENOMEM, "out of memory listing the inputs");
    in->args = args;
    in->nargs = n;
    in->list = list;
    pthread_mutex_init(&in->mu, NULL);
    pthread_cond_init(&in->changed, NULL);
    pthread_cond_init(&in->queued, NULL);
    if (pthread_create(&in->thread, NULL, walk_all, in) != 0) {
        pthread_mutex_destroy(&in->mu);
        pthread_cond_destroy(&in->changed);
        pthread_cond_destroy(&in->queued);
        free(in);
        return tm_err_set(err, TM_ENOMEM, "cannot start the thread listing the inputs");
    }
    *out = in;
    return TM_OK;
}

int tm_inputs_next(tm_par_item *item, void *inputs)
{
    tm_inputs *in = inputs;
    pthread_mutex_lock(&in->mu);
    while (in->len == 0 && !in->done && in->mode == QUEUE) {
        in->taker_waits++;
        pthread_cond_wait(&in->queued, &in->mu);
        in->taker_waits--;
    }
    if (in->len == 0 || in->mode != QUEUE) {
        pthread_mutex_unlock(&in->mu);
        return 0;
    }
    entry e = in->q[in->head];
    in->head = (in->head + 1) % TM_INPUTS_AHEAD;
    in->len--;
    in->given++;
    if (in->walk_waits && in->len <= TM_INPUTS_AHEAD / 2) pthread_cond_signal(&in->changed);
    pthread_mutex_unlock(&in->mu);
    item->path = e.path;
    item->note = e.note;
    return 1;
}

/* Frees the queued entries; `mu` held. */
static void drop_queue(tm_inputs *in)
{
    for (; in->len; in->len--, in->head = (in->head + 1) % TM_INPUTS_AHEAD) {
        free(in->q[in->head].path);
        free(in->q[in->head].note);
    }
}

size_t tm_inputs_rest(tm_inputs *in)
{
    pthread_mutex_lock(&in->mu);
    if (in->mode == QUEUE) {
        in->mode = COUNT;
        in->counted += in->len;
        drop_queue(in);
        pthread_cond_broadcast(&in->changed);
        pthread_cond_broadcast(&in->queued);
    }
    while (!in->done)
        pthread_cond_wait(&in->changed, &in->mu);
    size_t n = in->counted;
    pthread_mutex_unlock(&in->mu);
    return n;
}

size_t tm_inputs_given(tm_inputs *in)
{
    pthread_mutex_lock(&in->mu);
    size_t n = in->given;
    pthread_mutex_unlock(&in->mu);
    return n;
}

void tm_inputs_free(tm_inputs *in)
{
    if (!in) return;
    pthread_mutex_lock(&in->mu);
    if (!in->done) in->mode = ABANDON;
    pthread_cond_broadcast(&in->changed);
    pthread_mutex_unlock(&in->mu);
    pthread_join(in->thread, NULL);
    drop_queue(in);
    pthread_mutex_destroy(&in->mu);
    pthread_cond_destroy(&in->changed);
    pthread_cond_destroy(&in->queued);
    free(in);
}

int tm_cli_parse_jobs(const char *s)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (*s == '\0' || *end || v < 0 || v > 256) return -1;
    return v == 0 ? tm_par_cores() : (int)v;
}
