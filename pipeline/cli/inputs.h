/*
 * inputs.h: the command line's files and folders as one ordered list, each
 * entry a readable file or a problem to report in its place.
 */
#ifndef TM_CLI_INPUTS_H
#define TM_CLI_INPUTS_H

#include <stddef.h>

typedef struct tm_inputs {
    char **paths;    /* owned */
    char **problems; /* owned; NULL where the path is a regular file */
    size_t n, cap;
} tm_inputs;

/* Walks each argument (folders recursively, sorted) and appends to `in`. */
int tm_inputs_add(tm_inputs *in, const char *arg);
void tm_inputs_free(tm_inputs *in);

/* --jobs: a number from 1 to 256, or 0 for the number of cores. */
int tm_cli_parse_jobs(const char *s);

#endif
