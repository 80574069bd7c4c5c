/*
 * test_arena.c: the per-document chunk allocator: alignment of every block,
 * zeroed memory (also when a chunk is reused after a reset), strndup,
 * tm_arena_grow keeping the old elements, TM_VEC_PUSH, reset and dispose
 * leaving a usable arena, blocks larger than a chunk, and sticky failure.
 */
#include "tm/arena.h"
#include "tm/common.h"
#include "tm_test.h"

#include <stdalign.h>
#include <stdint.h>
#include <unistd.h>

#define ALIGNMENT alignof(max_align_t)

static int aligned(const void *p)
{
    return (uintptr_t)p % ALIGNMENT == 0;
}

static int all_zero(const void *p, size_t n)
{
    const unsigned char *c = p;
    for (size_t i = 0; i < n; i++)
        if (c[i]) return 0;
    return 1;
}

static void test_alignment(void)
{
    tm_arena a;
    tm_arena_init(&a);
    static const size_t sizes[] = {1, 3, 7, 8, 13, 16, 17, 31, 100, 1, 2, 4095, 5};
    char *prev = NULL;
    size_t prev_n = 0;
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        char *p = tm_arena_alloc(&a, sizes[i]);
        TM_CHECK(p != NULL);
        TM_CHECK(aligned(p));
        /* blocks never overlap the previous one */
        if (prev && p > prev) TM_CHECK(p >= prev + prev_n);
        memset(p, 0x5A, sizes[i]);
        prev = p;
        prev_n = sizes[i];
    }
    /* a double and a long double stored at every returned address */
    long double *ld = tm_arena_alloc(&a, sizeof *ld * 3);
    TM_CHECK(aligned(ld));
    ld[0] = 1.5L;
    ld[2] = -2.25L;
    TM_CHECK(ld[0] == 1.5L && ld[1] == 0.0L && ld[2] == -2.25L);
    TM_CHECK_INT(a.failed, 0);
#ifndef TM_ARENA_DEBUG
    /* bytes are counted in whole alignment units */
    TM_CHECK_INT(a.bytes % ALIGNMENT, 0);
#endif
    tm_arena_dispose(&a);
}

static void test_zeroed(void)
{
    tm_arena a;
    tm_arena_init(&a);
    unsigned char *p = tm_arena_alloc(&a, 1000);
    TM_CHECK(p != NULL);
    TM_CHECK(all_zero(p, 1000));
    memset(p, 0xFF, 1000);
    /* after a reset the same memory is handed out again: still zeroed */
    tm_arena_reset(&a);
    unsigned char *q = tm_arena_alloc(&a, 1000);
    TM_CHECK(q != NULL);
#ifndef TM_ARENA_DEBUG
    TM_CHECK(q == p); /* the kept chunk is reused from its start */
#endif
    TM_CHECK(all_zero(q, 1000));
    /* zero-size allocations are valid, distinct from NULL */
    TM_CHECK(tm_arena_alloc(&a, 0) != NULL);
    tm_arena_dispose(&a);
}

static void test_strndup(void)
{
    tm_arena a;
    tm_arena_init(&a);
    const char src[] = "community safety";
    char *s = tm_arena_strndup(&a, src, 9);
    TM_CHECK_STR(s, "community");
    TM_CHECK_INT(s[9], 0);
    TM_CHECK(s != src);
    char *e = tm_arena_strndup(&a, src, 0);
    TM_CHECK_STR(e, "");
    /* copies embedded NULs byte for byte, then terminates */
    char *z = tm_arena_strndup(&a, "a\0b", 3);
    TM_CHECK(z && z[0] == 'a' && z[1] == '\0' && z[2] == 'b' && z[3] == '\0');
    char *d = tm_arena_strdup(&a, "IAG Chair");
    TM_CHECK_STR(d, "IAG Chair");
    TM_CHECK(aligned(s) && aligned(e) && aligned(z) && aligned(d));
    tm_arena_dispose(&a);
}

static void test_grow_preserves(void)
{
    tm_arena a;
    tm_arena_init(&a);
    int *v = NULL;
    size_t cap = 0;
    TM_CHECK_INT(tm_arena_grow(&a, (void **)&v, &cap, 5, sizeof *v), 0);
    TM_CHECK_INT(cap, 16); /* first capacity */
    TM_CHECK(v != NULL);
    for (int i = 0; i < 16; i++)
        v[i] = i * 7;
    int *old = v;
    /* no growth needed: nothing moves */
    TM_CHECK_INT(tm_arena_grow(&a, (void **)&v, &cap, 16, sizeof *v), 0);
    TM_CHECK(v == old);
    TM_CHECK_INT(cap, 16);
    /* doubles until large enough and copies the old elements */
    TM_CHECK_INT(tm_arena_grow(&a, (void **)&v, &cap, 100, sizeof *v), 0);
    TM_CHECK_INT(cap, 128);
    TM_CHECK(v != old);
    int same = 1;
    for (int i = 0; i < 16; i++)
        same &= v[i] == i * 7;
    TM_CHECK(same);
    TM_CHECK(all_zero(v + 16, (128 - 16) * sizeof *v));
    TM_CHECK(aligned(v));
    tm_arena_dispose(&a);
}

static void test_vec_push(void)
{
    tm_arena a;
    tm_arena_init(&a);
    typedef struct {
        uint32_t off;
        double w;
        char tag[5];
    } item;
    TM_VEC(item) vec = {0};
    for (uint32_t i = 0; i < 5000; i++) {
        item *it = TM_VEC_PUSH(&a, vec);
        TM_CHECK(it != NULL);
        if (!it) break;
        TM_CHECK(it->off == 0 && it->w == 0.0 && it->tag[0] == 0); /* new element zeroed */
        it->off = i;
        it->w = i / 2.0;
        snprintf(it->tag, sizeof it->tag, "%u", i % 10000);
    }
    TM_CHECK_INT(vec.n, 5000);
    TM_CHECK(vec.cap >= 5000);
    int ok = 1;
    for (uint32_t i = 0; i < vec.n; i++) {
        char want[5];
        snprintf(want, sizeof want, "%u", i);
        ok &= vec.v[i].off == i && vec.v[i].w == i / 2.0 && strcmp(vec.v[i].tag, want) == 0;
    }
    TM_CHECK(ok);
    TM_CHECK(aligned(vec.v));
    tm_arena_dispose(&a);
}

static void test_reset_keeps_working(void)
{
    tm_arena a;
    tm_arena_init(&a);
    for (int round = 0; round < 4; round++) {
        /* fill several chunks, then reset */
        char *first = NULL;
        for (int i = 0; i < 300; i++) {
            char *p = tm_arena_alloc(&a, 1000);
            TM_CHECK(p != NULL);
            if (!p) break;
            TM_CHECK(all_zero(p, 1000));
            memset(p, 'x', 1000);
            if (!first) first = p;
        }
        TM_CHECK(a.bytes >= 300 * 1000);
        char *s = tm_arena_strdup(&a, "still works");
        TM_CHECK_STR(s, "still works");
        TM_CHECK(first != NULL && first[0] == 'x' && first[999] == 'x'); /* not overwritten */
        tm_arena_reset(&a);
        TM_CHECK_INT(a.bytes, 0);
        TM_CHECK_INT(a.failed, 0);
    }
#ifndef TM_ARENA_DEBUG
    /* reset keeps one small chunk so the next document starts malloc-free */
    TM_CHECK(a.head != NULL);
#endif
    tm_arena_dispose(&a);
    TM_CHECK(a.head == NULL);
    TM_CHECK_INT(a.bytes, 0);
    /* a disposed arena can be used again */
    TM_CHECK_STR(tm_arena_strdup(&a, "again"), "again");
    tm_arena_dispose(&a);
}

static void test_large_allocation(void)
{
    tm_arena a;
    tm_arena_init(&a);
    char *small = tm_arena_strdup(&a, "before");
    size_t big_n = 3 * 1024 * 1024 + 5; /* well above the 64 KB first chunk */
    unsigned char *big = tm_arena_alloc(&a, big_n);
    TM_CHECK(big != NULL);
    if (big) {
        TM_CHECK(aligned(big));
        TM_CHECK(all_zero(big, big_n));
        for (size_t i = 0; i < big_n; i++)
            big[i] = (unsigned char)(i * 31);
    }
    char *after = tm_arena_strdup(&a, "after");
    TM_CHECK_STR(small, "before"); /* earlier blocks untouched */
    TM_CHECK_STR(after, "after");
    if (big) {
        int ok = 1;
        for (size_t i = 0; i < big_n; i++)
            ok &= big[i] == (unsigned char)(i * 31);
        TM_CHECK(ok);
    }
    TM_CHECK(a.bytes >= big_n + 7 + 6);
    /* reset drops the big chunk and the arena keeps working */
    tm_arena_reset(&a);
    char *again = tm_arena_alloc(&a, 100);
    TM_CHECK(again != NULL && all_zero(again, 100));
    tm_arena_dispose(&a);
}

static void test_failure_is_sticky(void)
{
    tm_arena a;
    tm_arena_init(&a);
    TM_CHECK(tm_arena_strdup(&a, "ok") != NULL);
    /* a size whose rounding overflows cannot be served */
    TM_CHECK(tm_arena_alloc(&a, SIZE_MAX - 3) == NULL);
    TM_CHECK_INT(a.failed, 1);
    TM_CHECK(tm_arena_alloc(&a, 8) == NULL); /* sticky */
    /* grow refuses element counts that overflow, without looping: the alarm
     * turns a hang into a failure */
    alarm(10);
    tm_arena_reset(&a);
    TM_CHECK_INT(a.failed, 0);
    void *v = NULL;
    size_t cap = 0;
    TM_CHECK_INT(tm_arena_grow(&a, &v, &cap, SIZE_MAX / 4, 64), -1);
    TM_CHECK_INT(a.failed, 1);
    TM_CHECK(v == NULL);
    TM_CHECK_INT(cap, 0);
    tm_arena_reset(&a);
    TM_CHECK_INT(tm_arena_grow(&a, &v, &cap, SIZE_MAX, 1), -1);
    TM_CHECK(v == NULL);
    TM_CHECK_INT(cap, 0);
    alarm(0);
    tm_arena_reset(&a);
    TM_CHECK(tm_arena_alloc(&a, 8) != NULL); /* reset clears the failure */
    tm_arena_dispose(&a);
}

static const tm_test_case cases[] = {
    {"alignment", test_alignment},
    {"zeroed", test_zeroed},
    {"strndup", test_strndup},
    {"grow_preserves", test_grow_preserves},
    {"vec_push", test_vec_push},
    {"reset_keeps_working", test_reset_keeps_working},
    {"large_allocation", test_large_allocation},
    {"failure_is_sticky", test_failure_is_sticky},
    {NULL, NULL},
};

TM_TEST_MAIN(cases)
