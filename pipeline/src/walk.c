/*
 * walk.c: recursive, sorted, loop-safe enumeration of input files.
 */
#include "tm/walk.h"
#include "tm/common.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct visited {
    dev_t dev;
    ino_t ino;
    const struct visited *up;
} visited;

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int walk_dir(const char *path, const visited *up, tm_walk_file_fn on_file,
                    tm_walk_problem_fn on_problem, void *payload);

static int walk_path(const char *path, const visited *up, tm_walk_file_fn on_file,
                     tm_walk_problem_fn on_problem, void *payload)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        char msg[256];
        struct stat lst;
        if (errno == ENOENT && lstat(path, &lst) == 0)
            snprintf(msg, sizeof msg, "broken symbolic link: skipped");
        else if (errno == ELOOP)
            snprintf(msg, sizeof msg, "symbolic link loop: skipped");
        else
            snprintf(msg, sizeof msg, "%s", strerror(errno));
        on_problem(path, msg, payload);
        return 0;
    }
    if (S_ISDIR(st.st_mode)) {
        for (const visited *v = up; v; v = v->up) {
            if (v->dev == st.st_dev && v->ino == st.st_ino) {
                on_problem(path, "symbolic link loop (folder already being read): skipped",
                           payload);
                return 0;
            }
        }
        visited me = {st.st_dev, st.st_ino, up};
        return walk_dir(path, &me, on_file, on_problem, payload);
    }
    if (!S_ISREG(st.st_mode)) {
        on_problem(path, "not a regular file (FIFO, socket or device): skipped without opening",
                   payload);
        return 0;
    }
    return on_file(path, payload);
}

static int walk_dir(const char *path, const visited *up, tm_walk_file_fn on_file,
                    tm_walk_problem_fn on_problem, void *payload)
{
    DIR *d = opendir(path);
    if (!d) {
        on_problem(path, strerror(errno), payload);
        return 0;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    int rc = 0;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.') continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 32;
            char **nn = realloc(names, cap * sizeof *nn);
            if (!nn) break;
            names = nn;
        }
        names[n] = strdup(de->d_name);
        if (names[n]) n++;
    }
    closedir(d);
    if (n) /* names is NULL for an empty folder: qsort(NULL, 0) is undefined */
        qsort(names, n, sizeof *names, cmp_names);
    for (size_t i = 0; i < n; i++) {
        if (rc == 0) {
            size_t len = strlen(path) + strlen(names[i]) + 2;
            char *child = malloc(len);
            if (child) {
                int slash = path[0] && path[strlen(path) - 1] == '/';
                snprintf(child, len, "%s%s%s", path, slash ? "" : "/", names[i]);
                rc = walk_path(child, up, on_file, on_problem, payload);
                free(child);
            }
        }
        free(names[i]);
    }
    free(names);
    return rc;
}

int tm_walk(const char *path, tm_walk_file_fn on_file, tm_walk_problem_fn on_problem, void *payload)
{
    return walk_path(path, NULL, on_file, on_problem, payload);
}
