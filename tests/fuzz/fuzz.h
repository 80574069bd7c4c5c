/*
 * fuzz.h: what every fuzz target shares. Each target defines
 * LLVMFuzzerTestOneInput; under clang it links with libFuzzer
 * (-fsanitize=fuzzer), under gcc with standalone.c, which replays a corpus
 * folder so the seed inputs run as ordinary ctests.
 *
 * TM_FUZZ_CHECK aborts (a crash the fuzzer reports) when an invariant of
 * the module's contract is broken, so the targets find wrong answers, not
 * only memory errors.
 */
#ifndef TM_FUZZ_H
#define TM_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define TM_FUZZ_CHECK(cond)                                                                        \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__, #cond);           \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

#endif
