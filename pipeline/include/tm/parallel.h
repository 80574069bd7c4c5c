/*
 * parallel.h: documents processed by worker threads, consumed in order.
 *
 * `jobs` worker threads each own a tm_pipeline (stemmer, tagger) and one
 * tm_doc; they take the next input from `next`, run `work` on it, and wait
 * until the calling thread has run `consume` on their document, which
 * happens strictly in the order `next` gave the inputs. So output is
 * identical for any number of jobs, and at most `jobs` documents and inputs
 * are in memory at once, whatever the corpus: the inputs are produced as
 * they are taken (a folder walk, a query), never listed up front. With
 * jobs == 1 no thread is started.
 */
#ifndef TM_PARALLEL_H
#define TM_PARALLEL_H

#include <stddef.h>
#include <stdint.h>

#include "tm/common.h"
#include "tm/doc.h"
#include "tm/pipeline.h"

/* One input of a run. */
typedef struct tm_par_item {
    size_t index;  /* its position in the input order, from 0 */
    char *path;    /* malloc'd by `next`, freed by the run */
    char *note;    /* malloc'd by `next` or NULL (a problem found listing it); freed by the run */
    int64_t value; /* 0 from `next`; `work` may set it for `consume` */
} tm_par_item;

/* Gives the next input: sets item->path (and item->note) and returns 1, or
 * returns 0 when there are no more, or a negative TM_E* code (the run stops
 * with it). Called by one thread at a time, in input order. */
typedef int (*tm_par_next_fn)(tm_par_item *item, void *payload);

/* Runs in a worker: fills `doc` (already reset) from the item. Returns TM_OK
 * (or any value >= 0 for the consumer) or an error code with `err` set; the
 * value and `err` go to `consume` unchanged. */
typedef int (*tm_par_work_fn)(tm_pipeline *pl, tm_doc *doc, tm_par_item *item, tm_err *err,
                              void *payload);

/* Runs in the calling thread, in input order. Returns 0 to go on, non-zero
 * to stop the run (no further documents are consumed). */
typedef int (*tm_par_consume_fn)(tm_doc *doc, const tm_par_item *item, int rc, const tm_err *err,
                                 void *payload);

/* Returns TM_OK, or an error if threads or pipelines could not be created
 * or `next` failed, or the value that made `consume` stop. */
int tm_par_run(const tm_lexicon *lex, tm_par_next_fn next, int jobs, tm_par_work_fn work,
               tm_par_consume_fn consume, void *payload, tm_err *err);

/* The number of online processors (at least 1). */
int tm_par_cores(void);

#endif
