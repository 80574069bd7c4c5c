/*
 * walk.h: the files named on a command line, folders included.
 *
 * Each argument is a file or a folder; folders are walked recursively in
 * name order (so runs are reproducible), hidden entries skipped, symlink
 * loops detected (a folder already on the current path is not entered
 * again). Only regular files reach `on_file`; a FIFO, socket or device is
 * never opened and goes to `on_problem` with a message, as does a path that
 * does not exist or cannot be read.
 */
#ifndef TM_WALK_H
#define TM_WALK_H

typedef int (*tm_walk_file_fn)(const char *path, void *payload);
typedef void (*tm_walk_problem_fn)(const char *path, const char *message, void *payload);

/* Returns the first non-zero value `on_file` returned (the walk stops then),
 * else 0. */
int tm_walk(const char *path, tm_walk_file_fn on_file, tm_walk_problem_fn on_problem,
            void *payload);

#endif
