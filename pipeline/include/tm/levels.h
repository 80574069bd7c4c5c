/*
 * levels.h: the tension scale (lexicons/scale.tsv) and the rubric that turns
 * a period's signals and new incidents into a 1-6 level with its reasons.
 *
 * The scale file is data a force can replace:
 *     level	tier	label	description	min_score
 *     1	normal	Normal	Business as usual	0
 *     ...
 * Six data lines, levels 1..6 in order, min_score 0 for level 1 and rising
 * strictly with the level; '#' lines and blank lines are ignored. A score
 * maps to the highest level whose min_score it reaches.
 *
 * The rubric (reports/README.md has the worked example):
 *     contribution of a signal = weight x eep x polarity x tone x 10000 / words
 *         eep:      evidenced 1.0, experienced 0.8, potential 0.6
 *         polarity: concern +1, reassurance -0.5
 *         tone:     the tone mentions of the signal's sentence agree with its
 *                   polarity 1.5, contradict it 0.5, neither (none, or both
 *                   kinds) 1.0
 *     contribution of a distinct new incident = TM_LEVEL_INCIDENT_POINTS
 *     score = max(0, sum of contributions)
 * Negated and dropped signals never reach the rubric.
 *
 * Errors: tm_scale_load/parse return TM_EIO (cannot read), TM_ELEXICON
 * ("scale.tsv:4: min_score \"x\" is not a number: ...") or TM_ENOMEM.
 */
#ifndef TM_LEVELS_H
#define TM_LEVELS_H

#include <stddef.h>

#include "tm/common.h"

#define TM_SCALE_LEVELS 6
#define TM_LEVEL_MAX_REASONS 12       /* reasons named per level; the rest are summed */
#define TM_LEVEL_INCIDENT_POINTS 10.0 /* one evidenced concern signal in 1,000 words */
#define TM_SCALE_HEADER "level\ttier\tlabel\tdescription\tmin_score"

typedef struct tm_scale_level {
    int level;               /* 1..6 */
    const char *tier;        /* "normal", "elevated", "high" */
    const char *label;       /* "Elevated, rising" */
    const char *description; /* what the level means, for readers */
    double min_score;        /* lowest score that reaches it */
} tm_scale_level;

typedef struct tm_scale tm_scale;

/* Reads and validates a scale file. `path` is used in messages.
 * @param[out] out  owned; free with tm_scale_free(). NULL on failure. */
int tm_scale_load(tm_scale **out, const char *path, tm_err *err);

/* Validates scale text (`name` for messages: "name:line: ..."). */
int tm_scale_parse(tm_scale **out, const char *text, size_t len, const char *name, tm_err *err);

/* The scale shipped in lexicons/scale.tsv, built in for callers without one. */
int tm_scale_default(tm_scale **out, tm_err *err);

void tm_scale_free(tm_scale *sc);

/* Where the scale came from ("lexicons/scale.tsv" or "built-in"); borrowed. */
const char *tm_scale_source(const tm_scale *sc);

/* Level i (0-based, i < TM_SCALE_LEVELS); borrowed while sc lives. */
const tm_scale_level *tm_scale_at(const tm_scale *sc, size_t i);

/* The highest level whose min_score <= score (level 1 for anything lower). */
const tm_scale_level *tm_scale_level_for(const tm_scale *sc, double score);

/* Rubric factors; unknown names give 0 (they add nothing). */
double tm_level_eep_factor(const char *eep);
double tm_level_polarity_factor(const char *polarity);

/* Tone factor of a signal of `polarity` in a sentence with `concern` and
 * `reassure` live tone mentions. */
double tm_level_tone_factor(const char *polarity, int concern, int reassure);

#endif
