/*
 * arena.h: the per-document chunk allocator.
 *
 * Everything a document needs while it flows through the stages (decoded
 * text, tokens, sentences, mentions, signals, strings) is carved out of one
 * arena and released with a single tm_arena_reset() once the document has
 * been stored or printed. Nothing in the hot path frees individually.
 *
 * Allocation failure is sticky: `failed` is set and every later allocation
 * returns NULL, so a stage may check once at its end (SQLite's mallocFailed).
 *
 * Usage:
 *     tm_arena a;
 *     tm_arena_init(&a);
 *     char *s = tm_arena_strndup(&a, "text", 4);
 *     ...
 *     tm_arena_dispose(&a);   // or tm_arena_reset(&a) to reuse it
 *
 * Built with -DTM_ARENA_DEBUG every allocation is a separate malloc, so ASan
 * and valgrind see overflows between objects.
 */
#ifndef TM_ARENA_H
#define TM_ARENA_H

#include <stddef.h>

typedef struct tm_arena_chunk tm_arena_chunk;

typedef struct tm_arena {
    tm_arena_chunk *head; /* newest chunk first */
    size_t bytes;         /* bytes handed out since the last reset */
    int failed;           /* sticky: an allocation failed */
} tm_arena;

void tm_arena_init(tm_arena *a);

/* Frees every chunk but keeps the arena usable. Keeps one chunk of moderate
 * size so the next document does not start from malloc. */
void tm_arena_reset(tm_arena *a);

/* Frees everything. The arena may be initialised again. */
void tm_arena_dispose(tm_arena *a);

/* Returns `n` zeroed bytes aligned for any type, or NULL (and sets failed). */
void *tm_arena_alloc(tm_arena *a, size_t n);

/* Copies `n` bytes and appends a NUL. */
char *tm_arena_strndup(tm_arena *a, const char *s, size_t n);
char *tm_arena_strdup(tm_arena *a, const char *s);

/* Grows an array that lives in the arena to hold at least `need` elements of
 * `elem` bytes; `*cap` is updated. The old block is abandoned to the arena.
 * Returns 0 or -1 on allocation failure. */
int tm_arena_grow(tm_arena *a, void **v, size_t *cap, size_t need, size_t elem);

/* A growable array in an arena: `TM_VEC(tm_token) toks;`. */
#define TM_VEC(T)                                                                                  \
    struct {                                                                                       \
        T *v;                                                                                      \
        size_t n, cap;                                                                             \
    }

/* Returns a pointer to a new zeroed last element, or NULL on failure. */
#define TM_VEC_PUSH(arena, vec)                                                                    \
    (((vec).n < (vec).cap ||                                                                       \
      tm_arena_grow((arena), (void **)&(vec).v, &(vec).cap, (vec).n + 1, sizeof *(vec).v) == 0)    \
         ? &(vec).v[(vec).n++]                                                                     \
         : NULL)

#endif
