/*
 * inputs.h: the command line's files and folders as one ordered stream,
 * each entry a readable file or a problem to report in its place.
 *
 * A thread walks the arguments (folders recursively, each folder sorted,
 * depth first: tm_walk's order) and e-mails' attachments (tm_ingest_expand)
 * a few entries ahead of the workers, so the paths are never all in memory:
 * a run over a million files holds what it holds over a hundred.
 */
#ifndef TM_CLI_INPUTS_H
#define TM_CLI_INPUTS_H

#include <stddef.h>
#include <stdio.h>

#include "tm/common.h"
#include "tm/parallel.h"

typedef struct tm_inputs tm_inputs;

/* Starts walking the `n` arguments, or, when `list` is not NULL, the paths
 * read from it one per line (a path may follow a key and a tab, as Hadoop
 * Streaming writes them; empty lines are skipped). */
int tm_inputs_start(tm_inputs **out, const char *const *args, size_t n, FILE *list, tm_err *err);

/* The next entry, in order, for tm_par_run (a tm_par_next_fn whose payload
 * is the tm_inputs): item->note is the problem when it is not a readable
 * regular file. */
int tm_inputs_next(tm_par_item *item, void *inputs);

/* Stops handing out entries and counts those not handed out yet (the walk
 * goes on to its end, counting): what a stopped run did not process. */
size_t tm_inputs_rest(tm_inputs *in);

/* The entries handed out so far. */
size_t tm_inputs_given(tm_inputs *in);

/* Stops the walk (if it is still going) and frees everything. */
void tm_inputs_free(tm_inputs *in);

/* --jobs: a number from 1 to 256, or 0 for the number of cores. */
int tm_cli_parse_jobs(const char *s);

#endif
