/*
 * standalone.c: a main() for the fuzz targets when libFuzzer is not there
 * (gcc builds). Each argument is a file or a folder of files; every file is
 * given to LLVMFuzzerTestOneInput once. A crash or a broken invariant aborts
 * the process, which fails the ctest that runs it on tests/fuzz/corpus/.
 */
#include "fuzz.h"
#include "tm/common.h"
#include "tm/walk.h"

static size_t replayed;

static int replay(const char *path, void *payload)
{
    (void)payload;
    char *buf = NULL;
    size_t n = 0;
    tm_err err = {0};
    if (tm_read_file(&buf, &n, path, (size_t)64 << 20, &err) != TM_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    LLVMFuzzerTestOneInput((const uint8_t *)buf, n);
    tm_free(buf);
    replayed++;
    return 0;
}

static void problem(const char *path, const char *message, void *payload)
{
    (void)payload;
    fprintf(stderr, "%s: %s\n", path, message);
    exit(1);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE_OR_FOLDER...\n", argv[0]);
        return 2;
    }
    for (int i = 1; i < argc; i++)
        if (tm_walk(argv[i], replay, problem, NULL) != 0) return 1;
    if (!replayed) {
        fprintf(stderr, "%s: no input files\n", argv[0]);
        return 1;
    }
    printf("%zu inputs replayed\n", replayed);
    return 0;
}
