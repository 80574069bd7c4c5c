/*
 * levels.c: loading the tension scale and the rubric's factors (levels.h).
 *
 * The scale is small and read once per report, so it is parsed into one
 * malloc'd copy of the text whose lines are cut in place.
 */
#include "tm/levels.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct tm_scale {
    char *text;   /* the file, cut into cells */
    char *source; /* path or "built-in" */
    tm_scale_level levels[TM_SCALE_LEVELS];
};

static const char default_scale[] = TM_SCALE_HEADER
    "\n"
    "1\tnormal\tNormal\tBusiness as usual: no or few concern signals, reassurance outweighs"
    " concern\t0\n"
    "2\tnormal\tNormal, watch\tIsolated concerns raised; no sign of tension spreading\t60\n"
    "3\televated\tElevated\tRepeated concerns or a new incident tied to communities\t140\n"
    "4\televated\tElevated, rising\tSeveral communities or themes affected, evidenced or"
    " experienced tension\t220\n"
    "5\thigh\tHigh\tWidespread experienced tension, new incidents, planned events that may"
    " escalate\t300\n"
    "6\thigh\tCritical\tSerious incidents or disorder with communities directly affected\t380\n";

void tm_scale_free(tm_scale *sc)
{
    if (!sc) return;
    tm_free(sc->text);
    tm_free(sc->source);
    tm_free(sc);
}

/* Splits `line` at tabs into at most `max` cells; returns the count. */
static int split_tabs(char *line, char **cells, int max)
{
    int n = 0;
    cells[n++] = line;
    for (char *p = line; *p; p++) {
        if (*p == '\t') {
            *p = '\0';
            if (n == max) return max + 1;
            cells[n++] = p + 1;
        }
    }
    return n;
}

int tm_scale_parse(tm_scale **out, const char *text, size_t len, const char *name, tm_err *err)
{
    *out = NULL;
    int rc = TM_OK;
    tm_scale *sc = tm_calloc(1, sizeof *sc);
    if (!sc || !(sc->text = tm_strndup(text, len)) ||
        !(sc->source = tm_strndup(name, strlen(name)))) {
        tm_scale_free(sc);
        return tm_err_set(err, TM_ENOMEM, "%s: out of memory reading the scale", name);
    }
    char *cursor = sc->text;
    int lineno = 0, seen = 0, header = 0;
    while (cursor && *cursor) {
        char *line = cursor;
        char *nl = strchr(line, '\n');
        cursor = nl ? nl + 1 : NULL;
        if (nl) *nl = '\0';
        size_t ll = strlen(line);
        if (ll && line[ll - 1] == '\r') line[--ll] = '\0';
        lineno++;
        if (!header) {
            if (strcmp(line, TM_SCALE_HEADER) != 0) {
                rc = tm_err_set(err, TM_ELEXICON,
                                "%s:%d: the first line must be the header \"level<TAB>tier<TAB>"
                                "label<TAB>description<TAB>min_score\"",
                                name, lineno);
                goto cleanup;
            }
            header = 1;
            continue;
        }
        if (!*line || *line == '#') continue;
        char *c[6];
        int nc = split_tabs(line, c, 5);
        if (nc != 5) {
            rc = tm_err_set(err, TM_ELEXICON,
                            "%s:%d: %d columns, expected 5 (level, tier, label, description,"
                            " min_score) separated by tabs",
                            name, lineno, nc > 5 ? 6 : nc);
            goto cleanup;
        }
        if (seen == TM_SCALE_LEVELS) {
            rc = tm_err_set(err, TM_ELEXICON,
                            "%s:%d: more than %d levels: the scale has levels 1 to %d", name,
                            lineno, TM_SCALE_LEVELS, TM_SCALE_LEVELS);
            goto cleanup;
        }
        char *end;
        long level = strtol(c[0], &end, 10);
        if (end == c[0] || *end || level != seen + 1) {
            rc = tm_err_set(err, TM_ELEXICON,
                            "%s:%d: level \"%s\": expected %d (levels 1 to %d, in order)", name,
                            lineno, c[0], seen + 1, TM_SCALE_LEVELS);
            goto cleanup;
        }
        if (!*c[1] || !*c[2]) {
            rc = tm_err_set(err, TM_ELEXICON, "%s:%d: level %ld needs a tier and a label", name,
                            lineno, level);
            goto cleanup;
        }
        errno = 0;
        double min = strtod(c[4], &end);
        if (end == c[4] || *end || errno || min != min || min < 0) {
            rc = tm_err_set(err, TM_ELEXICON, "%s:%d: min_score \"%s\" is not a number >= 0", name,
                            lineno, c[4]);
            goto cleanup;
        }
        if (seen == 0 && min != 0) {
            rc = tm_err_set(err, TM_ELEXICON,
                            "%s:%d: level 1 must have min_score 0 (it is the floor)", name, lineno);
            goto cleanup;
        }
        if (seen > 0 && min <= sc->levels[seen - 1].min_score) {
            rc = tm_err_set(err, TM_ELEXICON,
                            "%s:%d: min_score %s of level %ld must be above level %d's (%g)", name,
                            lineno, c[4], level, seen, sc->levels[seen - 1].min_score);
            goto cleanup;
        }
        sc->levels[seen] = (tm_scale_level){(int)level, c[1], c[2], c[3], min};
        seen++;
    }
    if (!header) {
        rc = tm_err_set(err, TM_ELEXICON, "%s: empty: the scale needs a header and %d levels", name,
                        TM_SCALE_LEVELS);
        goto cleanup;
    }
    if (seen != TM_SCALE_LEVELS) {
        rc = tm_err_set(err, TM_ELEXICON, "%s:%d: only %d levels: the scale needs levels 1 to %d",
                        name, lineno, seen, TM_SCALE_LEVELS);
        goto cleanup;
    }
    *out = sc;
    sc = NULL;
cleanup:
    tm_scale_free(sc);
    return rc;
}

int tm_scale_load(tm_scale **out, const char *path, tm_err *err)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return tm_err_set(err, TM_EIO, "%s: cannot read the tension scale: %s", path,
                          strerror(errno));
    char *buf = NULL;
    size_t len = 0, cap = 0;
    int rc = TM_OK;
    for (;;) {
        if (len + 4096 > cap) {
            cap = cap ? cap * 2 : 8192;
            char *nb = tm_realloc(buf, cap);
            if (!nb) {
                rc = tm_err_set(err, TM_ENOMEM, "%s: out of memory", path);
                goto cleanup;
            }
            buf = nb;
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0) break;
    }
    if (ferror(f)) {
        rc = tm_err_set(err, TM_EIO, "%s: cannot read the tension scale", path);
        goto cleanup;
    }
    if (memchr(buf, '\0', len)) {
        rc = tm_err_set(err, TM_ELEXICON, "%s: not a text file (NUL byte)", path);
        goto cleanup;
    }
    rc = tm_scale_parse(out, buf, len, path, err);
cleanup:
    fclose(f);
    tm_free(buf);
    return rc;
}

int tm_scale_default(tm_scale **out, tm_err *err)
{
    return tm_scale_parse(out, default_scale, sizeof default_scale - 1, "built-in", err);
}

const char *tm_scale_source(const tm_scale *sc)
{
    return sc->source;
}

const tm_scale_level *tm_scale_at(const tm_scale *sc, size_t i)
{
    return i < TM_SCALE_LEVELS ? &sc->levels[i] : NULL;
}

const tm_scale_level *tm_scale_level_for(const tm_scale *sc, double score)
{
    const tm_scale_level *best = &sc->levels[0];
    for (int i = 1; i < TM_SCALE_LEVELS; i++)
        if (score >= sc->levels[i].min_score) best = &sc->levels[i];
    return best;
}

double tm_level_eep_factor(const char *eep)
{
    if (!eep) return 0.0;
    if (!strcmp(eep, "evidenced")) return 1.0;
    if (!strcmp(eep, "experienced")) return 0.8;
    if (!strcmp(eep, "potential")) return 0.6;
    return 0.0;
}

double tm_level_polarity_factor(const char *polarity)
{
    if (!polarity) return 0.0;
    if (!strcmp(polarity, "concern")) return 1.0;
    if (!strcmp(polarity, "reassurance")) return -0.5;
    return 0.0;
}

double tm_level_tone_factor(const char *polarity, int concern, int reassure)
{
    int agree, against;
    if (polarity && !strcmp(polarity, "reassurance")) {
        agree = reassure > 0 && concern == 0;
        against = concern > 0 && reassure == 0;
    } else {
        agree = concern > 0 && reassure == 0;
        against = reassure > 0 && concern == 0;
    }
    return agree ? 1.5 : against ? 0.5 : 1.0;
}
