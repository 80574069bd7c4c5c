/*
 * inputs.c: collecting inputs before processing, so workers can take them
 * in order and problems are reported where the file stood.
 */
#include "inputs.h"
#include "tm/common.h"
#include "tm/ingest.h"
#include "tm/parallel.h"
#include "tm/walk.h"

#include <stdlib.h>
#include <string.h>

static int push(tm_inputs *in, const char *path, const char *problem)
{
    if (in->n == in->cap) {
        size_t cap = in->cap ? in->cap * 2 : 64;
        char **np = realloc(in->paths, cap * sizeof *np);
        if (!np) return -1;
        in->paths = np;
        char **nq = realloc(in->problems, cap * sizeof *nq);
        if (!nq) return -1;
        in->problems = nq;
        in->cap = cap;
    }
    in->paths[in->n] = strdup(path);
    in->problems[in->n] = problem ? strdup(problem) : NULL;
    if (!in->paths[in->n]) return -1;
    in->n++;
    return 0;
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

int tm_inputs_add(tm_inputs *in, const char *arg)
{
    return tm_walk(arg, on_file, on_problem, in);
}

void tm_inputs_free(tm_inputs *in)
{
    for (size_t i = 0; i < in->n; i++) {
        free(in->paths[i]);
        free(in->problems[i]);
    }
    free(in->paths);
    free(in->problems);
    memset(in, 0, sizeof *in);
}

int tm_cli_parse_jobs(const char *s)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (*s == '\0' || *end || v < 0 || v > 256) return -1;
    return v == 0 ? tm_par_cores() : (int)v;
}
