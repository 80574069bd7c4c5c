/*
 * test_outfile.c: the writer behind every rendered output. A regular file is
 * replaced atomically (new files 0600, a replaced file keeps its mode, no
 * temporary file left behind); an existing FIFO (standing in for /dev/null,
 * which a test must not risk) is written in place and stays a FIFO; a
 * folder that does not exist gives a message naming the path.
 */
#include "tm/common.h"
#include "tm/outfile.h"
#include "tm_test.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64];

static void make_dir(void)
{
    snprintf(dir, sizeof dir, "/tmp/tm-outfile-XXXXXX");
    TM_CHECK(mkdtemp(dir) != NULL);
}

static void remove_dir(void)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[384];
    while (d && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        unlink(path);
    }
    if (d) closedir(d);
    rmdir(dir);
}

static int entries(void)
{
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL)
        n += e->d_name[0] != '.';
    if (d) closedir(d);
    return n;
}

static void test_regular_file_replaced(void)
{
    make_dir();
    char path[128];
    snprintf(path, sizeof path, "%s/out.csv", dir);
    tm_err err = {0};
    TM_CHECK_INT(tm_write_file(path, "one\n", 4, &err), TM_OK);
    struct stat st;
    TM_CHECK(stat(path, &st) == 0 && S_ISREG(st.st_mode));
    TM_CHECK_INT(st.st_mode & 0777, 0600);
    TM_CHECK(chmod(path, 0644) == 0);
    TM_CHECK_INT(tm_write_file(path, "second\n", 7, &err), TM_OK);
    TM_CHECK(stat(path, &st) == 0);
    TM_CHECK_INT(st.st_mode & 0777, 0644);
    TM_CHECK_INT(st.st_size, 7);
    TM_CHECK_INT(entries(), 1); /* no temporary file left */

    tm_outfile *f;
    TM_CHECK_INT(tm_outfile_open(&f, path, &err), TM_OK);
    tm_outfile_write(f, "half", 4);
    tm_outfile_abort(f); /* the old contents stay */
    TM_CHECK(stat(path, &st) == 0);
    TM_CHECK_INT(st.st_size, 7);
    TM_CHECK_INT(entries(), 1);
    remove_dir();
}

static void test_fifo_written_in_place(void)
{
    make_dir();
    char path[128];
    snprintf(path, sizeof path, "%s/pipe", dir);
    TM_CHECK(mkfifo(path, 0600) == 0);
    /* the reader end first, non-blocking: the writer's open then succeeds, the
     * bytes fit in the pipe, and a regression (a rename over the FIFO) reads
     * nothing instead of hanging */
    int fd = open(path, O_RDONLY | O_NONBLOCK);
    TM_CHECK(fd >= 0);
    tm_err err = {0};
    TM_CHECK_INT(tm_write_file(path, "through the pipe", 16, &err), TM_OK);
    char got[64];
    ssize_t n = read(fd, got, sizeof got);
    close(fd);
    TM_CHECK_MEM(got, n > 0 ? (size_t)n : 0, "through the pipe");
    struct stat st;
    TM_CHECK(lstat(path, &st) == 0 && S_ISFIFO(st.st_mode));
    TM_CHECK_INT(entries(), 1);
    remove_dir();
}

static void test_missing_folder(void)
{
    tm_err err = {0};
    const char *path = "/nonexistent-tm-folder/out.json";
    TM_CHECK(tm_write_file(path, "x", 1, &err) != TM_OK);
    TM_CHECK(strstr(err.msg, path) != NULL);
}

static const tm_test_case cases[] = {
    {"regular_file_replaced", test_regular_file_replaced},
    {"fifo_written_in_place", test_fifo_written_in_place},
    {"missing_folder", test_missing_folder},
    {NULL, NULL},
};

TM_TEST_MAIN(cases)
