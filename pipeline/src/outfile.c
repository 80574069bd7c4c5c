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

static int write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

int tm_write_file(const char *path, const char *data, size_t n, tm_err *err)
{
    if (strcmp(path, "-") == 0) {
        if ((n && fwrite(data, 1, n, stdout) != n) || fflush(stdout) != 0)
            return tm_err_set(err, TM_EIO, "cannot write to standard output: %s", strerror(errno));
        return TM_OK;
    }
    size_t plen = strlen(path);
    char *tmp = tm_malloc(plen + 16);
    if (!tmp) return tm_err_set(err, TM_ENOMEM, "%s: out of memory", path);
    snprintf(tmp, plen + 16, "%s.tmp.XXXXXX", path);
    int rc = TM_OK, fd = mkstemp(tmp); /* mode 0600 */
    if (fd < 0) {
        rc = tm_err_set(
            err, TM_EIO,
            "%s: cannot create a file there: %s (check the folder exists and is writable)", path,
            strerror(errno));
        tm_free(tmp);
        return rc;
    }
    struct stat old;
    if (stat(path, &old) == 0 && S_ISREG(old.st_mode))
        (void)fchmod(fd, old.st_mode & 07777); /* a replaced output keeps its mode */
    if (write_all(fd, data, n) != 0 || fsync(fd) != 0) {
        rc = tm_err_set(err, TM_EIO, "%s: cannot write: %s", path, strerror(errno));
        close(fd);
        goto fail;
    }
    if (close(fd) != 0) {
        rc = tm_err_set(err, TM_EIO, "%s: cannot write: %s", path, strerror(errno));
        goto fail;
    }
    if (rename(tmp, path) != 0) {
        rc = tm_err_set(err, TM_EIO, "%s: cannot replace the file: %s", path, strerror(errno));
        goto fail;
    }
    tm_free(tmp);
    return TM_OK;
fail:
    unlink(tmp);
    tm_free(tmp);
    return rc;
}

struct tm_outfile {
    FILE *f;
    char *path, *tmp; /* tmp NULL: standard output */
    int failed;       /* errno of the first failed write, or 0 */
};

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
        o->f = stdout;
        *out = o;
        return TM_OK;
    }
    int fd = -1;
    if ((o->tmp = tm_malloc(plen + 16)) != NULL) {
        snprintf(o->tmp, plen + 16, "%s.tmp.XXXXXX", path);
        fd = mkstemp(o->tmp); /* mode 0600 */
    }
    if (fd < 0) {
        int rc = tm_err_set(
            err, o->tmp ? TM_EIO : TM_ENOMEM,
            "%s: cannot create a file there: %s (check the folder exists and is writable)", path,
            strerror(errno));
        tm_free(o->tmp);
        tm_free(o->path);
        tm_free(o);
        return rc;
    }
    struct stat old;
    if (stat(path, &old) == 0 && S_ISREG(old.st_mode))
        (void)fchmod(fd, old.st_mode & 07777); /* a replaced output keeps its mode */
    if (!(o->f = fdopen(fd, "wb"))) {
        close(fd);
        tm_outfile_abort(o);
        return tm_err_set(err, TM_EIO, "%s: cannot write: %s", path, strerror(errno));
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
    if (f->tmp) {
        if (f->f) fclose(f->f);
        unlink(f->tmp);
    }
    tm_free(f->tmp);
    tm_free(f->path);
    tm_free(f);
}

int tm_outfile_commit(tm_outfile *f, tm_err *err)
{
    int rc = TM_OK;
    if (fflush(f->f) != 0 && !f->failed) f->failed = errno;
    if (!f->tmp) {
        if (f->failed)
            rc =
                tm_err_set(err, TM_EIO, "cannot write to standard output: %s", strerror(f->failed));
        tm_outfile_abort(f);
        return rc;
    }
    if (!f->failed && fsync(fileno(f->f)) != 0) f->failed = errno;
    if (fclose(f->f) != 0 && !f->failed) f->failed = errno;
    f->f = NULL;
    if (f->failed)
        rc = tm_err_set(err, TM_EIO, "%s: cannot write: %s", f->path, strerror(f->failed));
    else if (rename(f->tmp, f->path) != 0)
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
