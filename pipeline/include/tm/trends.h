/*
 * trends.h: the statistics behind the report's trends and emerging terms.
 * Pure functions, no allocation, no errors: callers pass counts and word
 * exposures, they get p-values and scores.
 *
 * Rising (per count series, e.g. one community x theme):
 *   x  = count in the period,          w  = words in the period
 *   b  = count in the baseline,        wb = words in the baseline (the K
 *                                           previous periods with documents)
 * Under "no change in rate" the x + b events fall in the period with
 * probability p0 = w / (w + wb) each, so (conditional binomial test of two
 * Poisson rates, exact):
 *   p = P(X >= x | X ~ Binomial(n = x + b, p0)) = sum_{k=x..n} C(n,k) p0^k (1-p0)^(n-k)
 * and the series is rising when x >= min_count and p < alpha. There is no
 * test (p undefined) when w = 0 or wb = 0: no words, no rate to compare.
 *
 * Emerging terms: Dunning's log-likelihood ratio G2 of a term seen a times
 * in c words of the period and b times in d words of the baseline:
 *   E1 = c (a + b) / (c + d),  E2 = d (a + b) / (c + d)
 *   G2 = 2 (a ln(a / E1) + b ln(b / E2))      (0 ln 0 = 0)
 */
#ifndef TM_TRENDS_H
#define TM_TRENDS_H

#include <stdint.h>

/* Parameters of the rising test, written into the report as trend_test. */
typedef struct tm_trend_test {
    int baseline_periods; /* K previous periods with documents */
    int64_t min_count;    /* a series below this count is never rising */
    double alpha;         /* one-sided significance level */
} tm_trend_test;

#define TM_TREND_DEFAULT_BASELINE 4
#define TM_TREND_DEFAULT_MIN_COUNT 3
#define TM_TREND_DEFAULT_ALPHA 0.05

/* The one-sided p-value above, in [0, 1]; -1 when it is undefined (w <= 0,
 * wb <= 0, or a negative count). x = 0 gives 1. */
double tm_trend_poisson_p(int64_t x, int64_t w, int64_t b, int64_t wb);

/* 1 if the series is rising under `t` (p defined, x >= min_count, p < alpha). */
int tm_trend_rising(const tm_trend_test *t, int64_t x, int64_t w, int64_t b, int64_t wb);

/* Dunning's G2 as above; 0 when c <= 0 or d <= 0 or a + b = 0. */
double tm_trend_g2(int64_t a, int64_t b, int64_t c, int64_t d);

#endif
