/*
 * outfile.c: the growable text buffer and the atomic writer behind every
 * rendered output. Writing goes through a temporary file in the target's
 * directory and rename(), so a half-written CSV or HTML file never replaces
 * a good one.
 */
#include "tm/outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void tm_buf_init(tm_buf *b)
{
    b->p = NULL;
    b->n = b->cap = 0;
    b->oom = 0;
}

void tm_buf_dispose(tm_buf *b)
{
    tm_free(b->p);
    tm_buf_init(b);
}

/* Makes room for `extra` more bytes plus the NUL; 0 or -1 (oom set). */
static int reserve(tm_buf *b, size_t extra)
{
    if (b->oom) return -1;
    if (b->n + extra + 1 <= b->cap) return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->n + extra + 1)
        cap *= 2;
    char *p = tm_realloc(b->p, cap);
    if (!p) {
        b->oom = 1;
        return -1;
    }
    b->p = p;
    b->cap = cap;
    return 0;
}

void tm_buf_append(tm_buf *b, const char *s, size_t n)
{
    if (reserve(b, n) != 0) return;
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

void tm_buf_puts(tm_buf *b, const char *s)
{
    tm_buf_append(b, s, strlen(s));
}

void tm_buf_printf(tm_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || reserve(b, (size_t)n) != 0) return;
    va_start(ap, fmt);
    vsnprintf(b->p + b->n, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->n += (size_t)n;
}

int tm_write_file(const char *path, const char *data, size_t n, tm_err *err)
{
    tm_outfile *f;
    int rc = tm_outfile_open(&f, path, err);
    if (rc != TM_OK) return rc;
    tm_outfile_write(f, data, n);
    return tm_outfile_commit(f, err);
}

/*
 * Three kinds of target: standard output ("-"), an existing file that is not
 * a regular file (a device such as /dev/null, a FIFO), written in place
 * because renaming over it would replace the device itself (as root, that
 * turns /dev/null into a plain file), and everything else, replaced
 * atomically through `tmp`.
 */
enum outfile_kind { OUT_STDOUT, OUT_IN_PLACE, OUT_ATOMIC };

struct tm_outfile {
    FILE *f;
    char *path, *tmp; /* tmp: only for OUT_ATOMIC */
    enum outfile_kind kind;
    int failed; /* errno of the first failed write, or 0 */
};

static void outfile_free(tm_outfile *o)
{
    tm_free(o->tmp);
    tm_free(o->path);
    tm_free(o);
}

int tm_outfile_open(tm_outfile **out, const char *path, tm_err *err)
{
    *out = NULL;
    tm_outfile *o = tm_calloc(1, sizeof *o);
    size_t plen = strlen(path);
    if (!o || !(o->path = tm_strndup(path, plen))) {
        tm_free(o);
        return tm_err_set(err, TM_ENOMEM, "%s: out of memory", path);
    }
    if (strcmp(path, "-") == 0) {
        o->kind = OUT_STDOUT;
        o->f = stdout;
        *out = o;
        return TM_OK;
    }
    struct stat old;
    int exists = stat(path, &old) == 0;
    int fd = -1;
    if (exists && !S_ISREG(old.st_mode) && !S_ISDIR(old.st_mode)) {
        o->kind = OUT_IN_PLACE;
        fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0) {
            int rc = tm_err_set(err, TM_EIO, "%s: cannot open it for writing: %s", path,
                                strerror(errno));
            outfile_free(o);
            return rc;
        }
    } else {
        o->kind = OUT_ATOMIC;
        if ((o->tmp = tm_malloc(plen + 16)) != NULL) {
            snprintf(o->tmp, plen + 16, "%s.tmp.XXXXXX", path);
            fd = mkstemp(o->tmp); /* mode 0600 */
        }
        if (fd < 0) {
            int rc = tm_err_set(
                err, o->tmp ? TM_EIO : TM_ENOMEM,
                "%s: cannot create a file there: %s (check the folder exists and is writable)",
                path, strerror(errno));
            outfile_free(o);
            return rc;
        }
        if (exists && S_ISREG(old.st_mode))
            (void)fchmod(fd, old.st_mode & 07777); /* a replaced output keeps its mode */
    }
    if (!(o->f = fdopen(fd, "wb"))) {
        int rc = tm_err_set(err, TM_EIO, "%s: cannot write: %s", path, strerror(errno));
        close(fd);
        if (o->tmp) unlink(o->tmp);
        outfile_free(o);
        return rc;
    }
    *out = o;
    return TM_OK;
}

void tm_outfile_write(tm_outfile *f, const char *data, size_t n)
{
    if (!f->failed && n && fwrite(data, 1, n, f->f) != n) f->failed = errno ? errno : EIO;
}

void tm_outfile_abort(tm_outfile *f)
{
    if (!f) return;
    if (f->kind != OUT_STDOUT && f->f) fclose(f->f);
    if (f->tmp) unlink(f->tmp);
    outfile_free(f);
}

int tm_outfile_commit(tm_outfile *f, tm_err *err)
{
    int rc = TM_OK;
    if (fflush(f->f) != 0 && !f->failed) f->failed = errno;
    if (f->kind == OUT_STDOUT) {
        if (f->failed)
            rc =
                tm_err_set(err, TM_EIO, "cannot write to standard output: %s", strerror(f->failed));
        tm_outfile_abort(f);
        return rc;
    }
    /* a device or FIFO cannot be synced (EINVAL): only a file we replace is */
    if (!f->failed && f->kind == OUT_ATOMIC && fsync(fileno(f->f)) != 0) f->failed = errno;
    if (fclose(f->f) != 0 && !f->failed) f->failed = errno;
    f->f = NULL;
    if (f->failed)
        rc = tm_err_set(err, TM_EIO, "%s: cannot write: %s", f->path, strerror(f->failed));
    else if (f->kind == OUT_ATOMIC && rename(f->tmp, f->path) != 0)
        rc = tm_err_set(err, TM_EIO, "%s: cannot replace the file: %s", f->path, strerror(errno));
    if (rc == TM_OK) {
        tm_free(f->tmp);
        f->tmp = NULL;
    }
    tm_outfile_abort(f);
    return rc;
}

int tm_make_dirs(const char *dir, tm_err *err)
{
    size_t n = strlen(dir);
    char *buf = tm_strndup(dir, n);
    if (!buf) return tm_err_set(err, TM_ENOMEM, "%s: out of memory", dir);
    int rc = TM_OK;
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(buf, 0755) != 0 && errno != EEXIST) {
            rc = tm_err_set(err, TM_EIO, "%s: cannot create the folder: %s", buf, strerror(errno));
            goto cleanup;
        }
        *p = '/';
    }
    struct stat st;
    if (mkdir(buf, 0755) != 0 && (errno != EEXIST || stat(buf, &st) != 0 || !S_ISDIR(st.st_mode)))
        rc = tm_err_set(err, TM_EIO, "%s: cannot create the folder: %s", buf,
                        errno == EEXIST ? "a file of that name is in the way" : strerror(errno));
cleanup:
    tm_free(buf);
    return rc;
}
