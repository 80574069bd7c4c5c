/*
 * arena.c: a chunk allocator for everything one document needs. Chunks grow
 * geometrically; reset keeps the first chunk for the next document.
 */
#include "tm/arena.h"
#include "tm/common.h"

#include <string.h>

struct tm_arena_chunk {
    tm_arena_chunk *next;
    size_t cap, used;
    max_align_t data[]; /* aligned storage */
};

enum { CHUNK_MIN = 64 * 1024, KEEP_MAX = 1024 * 1024 };
#define ALIGN (sizeof(max_align_t))

void tm_arena_init(tm_arena *a)
{
    a->head = NULL;
    a->bytes = 0;
    a->failed = 0;
}

static void free_chunks(tm_arena_chunk *c, tm_arena_chunk *keep)
{
    while (c) {
        tm_arena_chunk *next = c->next;
        if (c != keep) tm_free(c);
        c = next;
    }
}

void tm_arena_reset(tm_arena *a)
{
    /* keep the oldest chunk when it is small, so steady state is malloc-free */
    tm_arena_chunk *oldest = a->head, *keep = NULL;
    while (oldest && oldest->next)
        oldest = oldest->next;
    if (oldest && oldest->cap <= KEEP_MAX) keep = oldest;
    free_chunks(a->head, keep);
    a->head = keep;
    if (keep) {
        keep->next = NULL;
        keep->used = 0;
    }
    a->bytes = 0;
    a->failed = 0;
}

void tm_arena_dispose(tm_arena *a)
{
    free_chunks(a->head, NULL);
    tm_arena_init(a);
}

/* n bytes, not zeroed: for callers that write every byte at once. */
static void *arena_take(tm_arena *a, size_t n)
{
    if (a->failed) return NULL;
    size_t need = (n + ALIGN - 1) / ALIGN * ALIGN;
    if (need < n) {
        a->failed = 1;
        return NULL;
    }
#ifdef TM_ARENA_DEBUG
    /* one chunk per allocation so sanitizers see each object's bounds */
    tm_arena_chunk *c = tm_malloc(sizeof *c + (n ? n : 1));
    if (!c) {
        a->failed = 1;
        return NULL;
    }
    c->cap = c->used = n;
    c->next = a->head;
    a->head = c;
    a->bytes += n;
    return c->data;
#else
    tm_arena_chunk *c = a->head;
    if (!c || c->cap - c->used < need) {
        size_t cap = c ? c->cap * 2 : CHUNK_MIN;
        if (cap < need) cap = need;
        if (cap > (size_t)1 << 28 && need < (size_t)1 << 28)
            cap = (size_t)1 << 28 > need * 2 ? need * 2 : (size_t)1 << 28;
        tm_arena_chunk *nc = tm_malloc(sizeof *nc + cap);
        if (!nc) {
            a->failed = 1;
            return NULL;
        }
        nc->cap = cap;
        nc->used = 0;
        nc->next = c;
        a->head = c = nc;
    }
    void *p = (char *)c->data + c->used;
    c->used += need;
    a->bytes += need;
    return p;
#endif
}

void *tm_arena_alloc(tm_arena *a, size_t n)
{
    void *p = arena_take(a, n);
    if (p) memset(p, 0, n);
    return p;
}

char *tm_arena_strndup(tm_arena *a, const char *s, size_t n)
{
    char *d = arena_take(a, n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

char *tm_arena_strdup(tm_arena *a, const char *s)
{
    return tm_arena_strndup(a, s, strlen(s));
}

int tm_arena_grow(tm_arena *a, void **v, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap) return 0;
    size_t ncap = *cap ? *cap * 2 : 16;
    while (ncap < need && ncap <= SIZE_MAX / 2)
        ncap *= 2;
    if (ncap < need || ncap > SIZE_MAX / elem) {
        a->failed = 1;
        return -1;
    }
    /* only the new part is zeroed: the old part is copied over */
    void *nv = arena_take(a, ncap * elem);
    if (!nv) return -1;
    size_t old = *v ? *cap * elem : 0;
    if (old) memcpy(nv, *v, old);
    memset((char *)nv + old, 0, ncap * elem - old);
    *v = nv;
    *cap = ncap;
    return 0;
}
