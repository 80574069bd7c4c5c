/*
 * trends.c: the exact Poisson rate test and Dunning's G2 (see trends.h).
 *
 * The binomial tail is summed in log space from the mode outwards, so it
 * stays exact to double precision for counts in the tens of thousands and
 * never overflows: each term is exp(lgamma(...) + k ln p0 + ...).
 */
#include "tm/trends.h"

#include <math.h>

/* ln C(n, k) */
static double log_choose(int64_t n, int64_t k)
{
    return lgamma((double)n + 1.0) - lgamma((double)k + 1.0) - lgamma((double)(n - k) + 1.0);
}

double tm_trend_poisson_p(int64_t x, int64_t w, int64_t b, int64_t wb)
{
    if (w <= 0 || wb <= 0 || x < 0 || b < 0) return -1.0;
    if (x == 0) return 1.0;
    int64_t n = x + b;
    double p0 = (double)w / ((double)w + (double)wb);
    double lp = log(p0), lq = log1p(-p0);
    /* sum the tail k = x..n; terms fall off fast on both sides of the mode,
     * so summing every term costs O(b) and loses nothing */
    double sum = 0.0;
    for (int64_t k = x; k <= n; k++) {
        double t = exp(log_choose(n, k) + (double)k * lp + (double)(n - k) * lq);
        sum += t;
        if (k > x && t < sum * 1e-17 && (double)k > (double)n * p0) break;
    }
    return sum > 1.0 ? 1.0 : sum;
}

int tm_trend_rising(const tm_trend_test *t, int64_t x, int64_t w, int64_t b, int64_t wb)
{
    if (x < t->min_count) return 0;
    double p = tm_trend_poisson_p(x, w, b, wb);
    return p >= 0.0 && p < t->alpha;
}

static double xlogx_over(double a, double e)
{
    return a > 0.0 ? a * log(a / e) : 0.0;
}

double tm_trend_g2(int64_t a, int64_t b, int64_t c, int64_t d)
{
    if (c <= 0 || d <= 0 || a + b <= 0 || a < 0 || b < 0) return 0.0;
    double total = (double)c + (double)d, ab = (double)a + (double)b;
    double e1 = (double)c * ab / total, e2 = (double)d * ab / total;
    return 2.0 * (xlogx_over((double)a, e1) + xlogx_over((double)b, e2));
}
