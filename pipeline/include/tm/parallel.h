/*
 * parallel.h: documents processed by worker threads, consumed in order.
 *
 * `jobs` worker threads each own a tm_pipeline (stemmer, tagger) and one
 * tm_doc; they take the next path, run `work` on it, and wait until the
 * calling thread has run `consume` on their document, which happens strictly
 * in the order of `paths`. So output is identical for any number of jobs,
 * and at most `jobs` documents are in memory at once, whatever the corpus.
 * With jobs == 1 no thread is started.
 */
#ifndef TM_PARALLEL_H
#define TM_PARALLEL_H

#include <stddef.h>

#include "tm/common.h"
#include "tm/doc.h"
#include "tm/pipeline.h"

/* Runs in a worker: fills `doc` (already reset) from `path`. Returns TM_OK or
 * an error code with `err` set; the error goes to `consume` unchanged. */
typedef int (*tm_par_work_fn)(tm_pipeline *pl, tm_doc *doc, size_t index, const char *path,
                              tm_err *err, void *payload);

/* Runs in the calling thread, in path order. Returns 0 to go on, non-zero
 * to stop the run (no further documents are consumed). */
typedef int (*tm_par_consume_fn)(tm_doc *doc, size_t index, const char *path, int rc,
                                 const tm_err *err, void *payload);

/* Returns TM_OK, or an error if threads or pipelines could not be created,
 * or the value that made `consume` stop. */
int tm_par_run(const tm_lexicon *lex, const char *const *paths, size_t n, int jobs,
               tm_par_work_fn work, tm_par_consume_fn consume, void *payload, tm_err *err);

/* The number of online processors (at least 1). */
int tm_par_cores(void);

#endif
