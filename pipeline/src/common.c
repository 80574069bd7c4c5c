/*
 * common.c: the error record, heap wrappers and whole-file reading shared by
 * every stage.
 */
#include "tm/common.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

int tm_err_set(tm_err *err, int code, const char *fmt, ...)
{
    if (err && err->code == TM_OK) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
        err->code = code;
    }
    return code;
}

void tm_err_clear(tm_err *err)
{
    if (err) {
        err->code = TM_OK;
        err->msg[0] = '\0';
    }
}

void *tm_malloc(size_t n)
{
    return malloc(n ? n : 1);
}

void *tm_calloc(size_t count, size_t size)
{
    return calloc(count ? count : 1, size ? size : 1);
}

void *tm_realloc(void *p, size_t n)
{
    return realloc(p, n ? n : 1);
}

void tm_free(void *p)
{
    free(p);
}

char *tm_strndup(const char *s, size_t n)
{
    char *d = tm_malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

int tm_read_file(char **out, size_t *len, const char *path, size_t max_bytes, tm_err *err)
{
    *out = NULL;
    *len = 0;
    /* O_NONBLOCK so that a FIFO given by mistake never blocks the open;
     * the fstat below then refuses it without reading. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return tm_err_set(err, TM_EIO, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return tm_err_set(err, TM_EIO, "%s: cannot stat: %s", path, strerror(e));
    }
    if (S_ISDIR(st.st_mode)) {
        close(fd);
        return tm_err_set(err, TM_ESKIP, "%s: is a directory", path);
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return tm_err_set(err, TM_ESKIP, "%s: not a regular file (FIFO, socket or device): skipped",
                          path);
    }
    if ((size_t)st.st_size > max_bytes) {
        close(fd);
        return tm_err_set(err, TM_EFORMAT,
                          "%s: %lld bytes is larger than the %zu-byte limit for one document", path,
                          (long long)st.st_size, max_bytes);
    }
    size_t cap = (size_t)st.st_size + 1, n = 0;
    char *buf = tm_malloc(cap);
    if (!buf) {
        close(fd);
        return tm_err_set(err, TM_ENOMEM, "%s: out of memory reading %zu bytes", path, cap);
    }
    for (;;) {
        if (n + 1 >= cap) {
            /* the file grew while we read it: take what is there, up to the limit */
            if (cap > max_bytes) break;
            char *nb = tm_realloc(buf, cap * 2);
            if (!nb) {
                tm_free(buf);
                close(fd);
                return tm_err_set(err, TM_ENOMEM, "%s: out of memory", path);
            }
            buf = nb;
            cap *= 2;
        }
        ssize_t r = read(fd, buf + n, cap - 1 - n);
        if (r < 0) {
            if (errno == EINTR) continue;
            int e = errno;
            tm_free(buf);
            close(fd);
            return tm_err_set(err, TM_EIO, "%s: read failed at byte %zu: %s", path, n, strerror(e));
        }
        if (r == 0) break;
        n += (size_t)r;
    }
    close(fd);
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return TM_OK;
}
