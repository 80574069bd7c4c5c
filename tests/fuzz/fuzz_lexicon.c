/*
 * fuzz_lexicon.c: the lexicon loader on a random file. The fixture lexicon
 * (tests/fixtures/lexicon) is written to a temporary folder, then the
 * input replaces one of its files: the first byte chooses which (an extra
 * entry file, identifiers.tsv, protected.txt, ambiguous.txt or VERSION) and
 * the rest is its content. Loading must succeed or fail with TM_ELEXICON /
 * TM_EIO and a message; every problem line names a file.
 */
#include "fuzz.h"
#include "tm/common.h"
#include "tm/lexicon.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef TM_SOURCE_DIR
#error "TM_SOURCE_DIR must name the repository root"
#endif

static const char *const files[] = {"communities.tsv", "identifiers.tsv", "places.tsv",
                                    "protected.txt",   "ambiguous.txt",   "VERSION"};
#define NFILES (sizeof files / sizeof files[0])
static char dir[64];
static char *orig[NFILES];
static size_t orig_n[NFILES];

static void write_file(const char *name, const void *p, size_t n)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || (n && fwrite(p, 1, n, f) != n) || fclose(f) != 0) {
        fprintf(stderr, "fuzz_lexicon: cannot write %s\n", path);
        abort();
    }
}

static void cleanup(void)
{
    char path[256];
    for (size_t i = 0; i < NFILES; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        unlink(path);
        free(orig[i]);
    }
    rmdir(dir);
}

static void setup(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/tm-fuzz-lexicon-XXXXXX", tmp && strlen(tmp) < 30 ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        perror("fuzz_lexicon: mkdtemp");
        abort();
    }
    for (size_t i = 0; i < NFILES; i++) {
        char path[512];
        tm_err err = {0};
        snprintf(path, sizeof path, "%s/tests/fixtures/lexicon/%s", TM_SOURCE_DIR, files[i]);
        if (tm_read_file(&orig[i], &orig_n[i], path, 1 << 20, &err) != TM_OK) {
            fprintf(stderr, "fuzz_lexicon: %s\n", err.msg);
            abort();
        }
        write_file(files[i], orig[i], orig_n[i]);
    }
    atexit(cleanup);
}

static void on_problem(const char *problem, void *payload)
{
    (void)payload;
    TM_FUZZ_CHECK(problem && *problem && !strchr(problem, '\n'));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!dir[0]) setup();
    if (size == 0) return 0;
    size_t which = data[0] % NFILES;
    write_file(files[which], data + 1, size - 1);
    tm_lexicon *lex = NULL;
    tm_err err = {0};
    int rc = tm_lexicon_load(&lex, dir, on_problem, NULL, &err);
    if (rc == TM_OK) {
        TM_FUZZ_CHECK(lex && tm_lexicon_hash(lex) && strlen(tm_lexicon_hash(lex)) == 64);
        for (size_t i = 0; i < tm_lexicon_entry_count(lex); i++)
            TM_FUZZ_CHECK(tm_lexicon_entry(lex, i)->id && tm_lexicon_entry(lex, i)->file);
    } else {
        TM_FUZZ_CHECK(!lex && err.code == rc && err.msg[0]);
        TM_FUZZ_CHECK(rc == TM_ELEXICON || rc == TM_EIO);
    }
    tm_lexicon_free(lex);
    write_file(files[which], orig[which], orig_n[which]);
    return 0;
}
