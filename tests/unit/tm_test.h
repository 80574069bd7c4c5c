/*
 * tm_test.h: a tiny table-driven test harness (redis testhelp.h in spirit).
 *
 * Each tests/unit/test_<module>.c defines `static void test_<case>(void)`
 * functions, lists them in a tm_test_case table and ends with
 * TM_TEST_MAIN(cases). Run a binary with a case name to run only that case.
 * Failures print file:line and the values compared; the exit status is the
 * number of failed cases (capped at 1).
 */
#ifndef TM_TEST_H
#define TM_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct tm_test_case {
    const char *name;
    void (*fn)(void);
} tm_test_case;

static int tm_test_failures_;

#define TM_CHECK(cond)                                                                             \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "  %s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);             \
            tm_test_failures_++;                                                                   \
        }                                                                                          \
    } while (0)

#define TM_CHECK_INT(a, b)                                                                         \
    do {                                                                                           \
        long long a_ = (long long)(a), b_ = (long long)(b);                                        \
        if (a_ != b_) {                                                                            \
            fprintf(stderr, "  %s:%d: %s == %lld, expected %s == %lld\n", __FILE__, __LINE__, #a,  \
                    a_, #b, b_);                                                                   \
            tm_test_failures_++;                                                                   \
        }                                                                                          \
    } while (0)

#define TM_CHECK_STR(a, b)                                                                         \
    do {                                                                                           \
        const char *a_ = (a), *b_ = (b);                                                           \
        if (!a_ || !b_ || strcmp(a_, b_) != 0) {                                                   \
            fprintf(stderr, "  %s:%d: %s == \"%s\", expected \"%s\"\n", __FILE__, __LINE__, #a,    \
                    a_ ? a_ : "(null)", b_ ? b_ : "(null)");                                       \
            tm_test_failures_++;                                                                   \
        }                                                                                          \
    } while (0)

/* Compares a non-terminated byte range with a C string. */
#define TM_CHECK_MEM(p, n, s)                                                                      \
    do {                                                                                           \
        const char *p_ = (const char *)(p), *s_ = (s);                                             \
        size_t n_ = (size_t)(n);                                                                   \
        if (n_ != strlen(s_) || memcmp(p_, s_, n_) != 0) {                                         \
            fprintf(stderr, "  %s:%d: %s == \"%.*s\", expected \"%s\"\n", __FILE__, __LINE__, #p,  \
                    (int)n_, p_, s_);                                                              \
            tm_test_failures_++;                                                                   \
        }                                                                                          \
    } while (0)

static inline int tm_test_run(int argc, char **argv, const tm_test_case *cases)
{
    int failed = 0, ran = 0;
    for (const tm_test_case *c = cases; c->name; c++) {
        if (argc > 1 && strcmp(argv[1], c->name) != 0) continue;
        int before = tm_test_failures_;
        c->fn();
        ran++;
        if (tm_test_failures_ != before) {
            failed++;
            fprintf(stderr, "FAIL %s\n", c->name);
        } else {
            printf("ok   %s\n", c->name);
        }
    }
    printf("%d passed, %d failed\n", ran - failed, failed);
    return failed ? 1 : (ran ? 0 : 1);
}

#define TM_TEST_MAIN(cases)                                                                        \
    int main(int argc, char **argv)                                                                \
    {                                                                                              \
        return tm_test_run(argc, argv, cases);                                                     \
    }

/* The repository root, for fixtures; set by CMake. */
#ifndef TM_SOURCE_DIR
#define TM_SOURCE_DIR "."
#endif

#endif
