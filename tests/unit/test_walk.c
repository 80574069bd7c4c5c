/*
 * test_walk.c: enumeration of input files over a temporary tree: nested
 * folders in name order, hidden entries skipped, symbolic links to folders
 * followed but loops reported (not followed forever), a FIFO reported and
 * never opened, broken links and missing paths reported, a single file,
 * a trailing slash, and on_file stopping the walk.
 */
#include "tm/walk.h"
#include "tm_test.h"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

/* ------------------------------------------------------------ recorder */

typedef struct rec {
    char files[64][512];
    size_t nfiles;
    char problems[64][512];
    char messages[64][256];
    size_t nproblems;
    size_t stop_after; /* on_file returns 7 at this count; 0 = never */
} rec;

static const char *root; /* the temporary tree */
static size_t root_len;

/* Paths relative to the tree, for readable expectations. */
static const char *rel(const char *path)
{
    return strncmp(path, root, root_len) == 0 ? path + root_len : path;
}

static int on_file(const char *path, void *payload)
{
    rec *r = payload;
    if (r->nfiles < 64) snprintf(r->files[r->nfiles], sizeof r->files[0], "%s", rel(path));
    r->nfiles++;
    return r->stop_after && r->nfiles == r->stop_after ? 7 : 0;
}

static void on_problem(const char *path, const char *message, void *payload)
{
    rec *r = payload;
    if (r->nproblems < 64) {
        snprintf(r->problems[r->nproblems], sizeof r->problems[0], "%s", rel(path));
        snprintf(r->messages[r->nproblems], sizeof r->messages[0], "%s", message);
    }
    r->nproblems++;
}

static const char *joined(char list[][512], size_t n)
{
    static char buf[8192];
    size_t o = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n && i < 64; i++)
        o += (size_t)snprintf(buf + o, sizeof buf - o, "%s%s", i ? " " : "", list[i]);
    return buf;
}

/* Message of the problem reported for `relpath`, or NULL. */
static const char *problem_for(const rec *r, const char *relpath)
{
    for (size_t i = 0; i < r->nproblems && i < 64; i++)
        if (strcmp(r->problems[i], relpath) == 0) return r->messages[i];
    return NULL;
}

/* ------------------------------------------------------------ the tree */

static char tree[64] = "/tmp/tm-test-walk-XXXXXX";
static char tree_slash[80];

static void touch(const char *relpath)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", tree, relpath);
    FILE *f = fopen(p, "w");
    TM_CHECK(f != NULL);
    if (f) {
        fputs("text\n", f);
        fclose(f);
    }
}

static void mkdir_rel(const char *relpath)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", tree, relpath);
    TM_CHECK_INT(mkdir(p, 0755), 0);
}

static void symlink_rel(const char *target, const char *relpath)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", tree, relpath);
    TM_CHECK_INT(symlink(target, p), 0);
}

/*
 *  tree/
 *    b.txt  a.txt  .hidden.txt  .hiddendir/x.txt
 *    sub/z.txt  sub/deeper/m.txt  sub/deeper/up -> ../..   (a loop)
 *    sub2/c.txt
 *    sublink -> sub                                        (not a loop)
 *    loop -> .                                             (a loop)
 *    self -> self                                          (ELOOP)
 *    broken -> nowhere
 *    fifo                                                  (a FIFO)
 */
static int make_tree(void)
{
    if (!mkdtemp(tree)) {
        TM_CHECK(!"mkdtemp");
        return -1;
    }
    snprintf(tree_slash, sizeof tree_slash, "%s/", tree);
    root = tree_slash;
    root_len = strlen(tree_slash);
    touch("b.txt");
    touch("a.txt");
    touch(".hidden.txt");
    mkdir_rel(".hiddendir");
    touch(".hiddendir/x.txt");
    mkdir_rel("sub");
    touch("sub/z.txt");
    mkdir_rel("sub/deeper");
    touch("sub/deeper/m.txt");
    symlink_rel("../..", "sub/deeper/up");
    mkdir_rel("sub2");
    touch("sub2/c.txt");
    symlink_rel("sub", "sublink");
    symlink_rel(".", "loop");
    symlink_rel("self", "self");
    symlink_rel("nowhere", "broken");
    char p[512];
    snprintf(p, sizeof p, "%s/fifo", tree);
    TM_CHECK_INT(mkfifo(p, 0600), 0);
    return 0;
}

static void remove_tree(void)
{
    static const char *const files[] = {"b.txt",         "a.txt",
                                        ".hidden.txt",   ".hiddendir/x.txt",
                                        "sub/z.txt",     "sub/deeper/m.txt",
                                        "sub/deeper/up", "sub2/c.txt",
                                        "sublink",       "loop",
                                        "self",          "broken",
                                        "fifo"};
    static const char *const dirs[] = {".hiddendir", "sub/deeper", "sub", "sub2"};
    char p[512];
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(p, sizeof p, "%s/%s", tree, files[i]);
        unlink(p);
    }
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        snprintf(p, sizeof p, "%s/%s", tree, dirs[i]);
        rmdir(p);
    }
    rmdir(tree);
}

/* ------------------------------------------------------------ cases */

static void test_tree(void)
{
    if (make_tree() != 0) return;
    static rec r;
    memset(&r, 0, sizeof r);
    alarm(20); /* a loop followed forever or a FIFO opened would hang: fail instead */
    TM_CHECK_INT(tm_walk(tree, on_file, on_problem, &r), 0);
    alarm(0);
    /* sorted by name at every level, hidden entries skipped, the link to a
     * sibling folder followed */
    TM_CHECK_STR(joined(r.files, r.nfiles),
                 "a.txt b.txt sub/deeper/m.txt sub/z.txt sub2/c.txt sublink/deeper/m.txt "
                 "sublink/z.txt");
    TM_CHECK_INT(r.nfiles, 7);
    TM_CHECK_STR(joined(r.problems, r.nproblems),
                 "broken fifo loop self sub/deeper/up sublink/deeper/up");
    TM_CHECK_INT(r.nproblems, 6);
    const char *m;
    m = problem_for(&r, "broken");
    TM_CHECK_STR(m, "broken symbolic link: skipped");
    m = problem_for(&r, "fifo");
    TM_CHECK_STR(m, "not a regular file (FIFO, socket or device): skipped without opening");
    m = problem_for(&r, "loop");
    TM_CHECK_STR(m, "symbolic link loop (folder already being read): skipped");
    m = problem_for(&r, "sub/deeper/up");
    TM_CHECK_STR(m, "symbolic link loop (folder already being read): skipped");
    m = problem_for(&r, "self");
    TM_CHECK_STR(m, "symbolic link loop: skipped");
    /* nothing hidden was reported either */
    for (size_t i = 0; i < r.nfiles && i < 64; i++)
        TM_CHECK(strstr(r.files[i], "hidden") == NULL);

    /* a trailing slash does not double the separator */
    memset(&r, 0, sizeof r);
    alarm(20);
    TM_CHECK_INT(tm_walk(tree_slash, on_file, on_problem, &r), 0);
    alarm(0);
    TM_CHECK_INT(r.nfiles, 7);
    TM_CHECK_STR(joined(r.files, r.nfiles),
                 "a.txt b.txt sub/deeper/m.txt sub/z.txt sub2/c.txt sublink/deeper/m.txt "
                 "sublink/z.txt");
    TM_CHECK(strstr(r.files[0], "//") == NULL);

    /* on_file's non-zero value stops the walk and is returned */
    memset(&r, 0, sizeof r);
    r.stop_after = 3;
    TM_CHECK_INT(tm_walk(tree, on_file, on_problem, &r), 7);
    TM_CHECK_INT(r.nfiles, 3);
    TM_CHECK_STR(joined(r.files, r.nfiles), "a.txt b.txt sub/deeper/m.txt");

    /* a folder given explicitly is walked even if hidden */
    memset(&r, 0, sizeof r);
    char hidden[512];
    snprintf(hidden, sizeof hidden, "%s/.hiddendir", tree);
    TM_CHECK_INT(tm_walk(hidden, on_file, on_problem, &r), 0);
    TM_CHECK_STR(joined(r.files, r.nfiles), ".hiddendir/x.txt");

    /* a single file, and a FIFO given directly */
    memset(&r, 0, sizeof r);
    char one[512];
    snprintf(one, sizeof one, "%s/sub2/c.txt", tree);
    TM_CHECK_INT(tm_walk(one, on_file, on_problem, &r), 0);
    TM_CHECK_STR(joined(r.files, r.nfiles), "sub2/c.txt");
    TM_CHECK_INT(r.nproblems, 0);
    memset(&r, 0, sizeof r);
    snprintf(one, sizeof one, "%s/fifo", tree);
    alarm(20);
    TM_CHECK_INT(tm_walk(one, on_file, on_problem, &r), 0);
    alarm(0);
    TM_CHECK_INT(r.nfiles, 0);
    TM_CHECK_STR(joined(r.problems, r.nproblems), "fifo");
    remove_tree();
}

static void test_nonexistent(void)
{
    static rec r;
    memset(&r, 0, sizeof r);
    root = "";
    root_len = 0;
    const char *path = "/tmp/tm-test-walk-does-not-exist/minutes";
    TM_CHECK_INT(tm_walk(path, on_file, on_problem, &r), 0);
    TM_CHECK_INT(r.nfiles, 0);
    TM_CHECK_INT(r.nproblems, 1);
    TM_CHECK_STR(r.problems[0], path);
    TM_CHECK_STR(r.messages[0], "No such file or directory");
}

static void test_empty_folder(void)
{
    char dir[] = "/tmp/tm-test-walk-XXXXXX";
    TM_CHECK(mkdtemp(dir) != NULL);
    static rec r;
    memset(&r, 0, sizeof r);
    root = dir;
    root_len = strlen(dir);
    TM_CHECK_INT(tm_walk(dir, on_file, on_problem, &r), 0);
    TM_CHECK_INT(r.nfiles, 0);
    TM_CHECK_INT(r.nproblems, 0);
    rmdir(dir);
}

static const tm_test_case cases[] = {
    {"tree", test_tree},
    {"nonexistent", test_nonexistent},
    {"empty_folder", test_empty_folder},
    {NULL, NULL},
};

TM_TEST_MAIN(cases)
