/*
 * test_trends.c: the exact Poisson rate test and Dunning's G2 against values
 * computed by hand from the formulas in trends.h (Python, exact binomial
 * sums with math.comb): small counts, zero baseline, zero words, large
 * counts.
 */
#include "tm/trends.h"
#include "tm_test.h"

#include <math.h>

#define TM_CHECK_NEAR(a, b)                                                                        \
    do {                                                                                           \
        double a_ = (a), b_ = (b);                                                                 \
        if (fabs(a_ - b_) > 1e-6) {                                                                \
            fprintf(stderr, "  %s:%d: %s == %.10g, expected %.10g\n", __FILE__, __LINE__, #a, a_,  \
                    b_);                                                                           \
            tm_test_failures_++;                                                                   \
        }                                                                                          \
    } while (0)

static void test_poisson_p(void)
{
    /* x, w, b, wb -> p = P(X >= x), X ~ Bin(x + b, w / (w + wb)) */
    /* zero baseline: all 3 events in the period, p0 = 0.2: 0.2^3 */
    TM_CHECK_NEAR(tm_trend_poisson_p(3, 1000, 0, 4000), 0.008);
    /* n = 7, p0 = 0.2: P(X >= 5) = 21*.2^5*.8^2 + 7*.2^6*.8 + .2^7 */
    TM_CHECK_NEAR(tm_trend_poisson_p(5, 1000, 2, 4000), 0.004672);
    /* equal exposure, n = 4: P(X >= 3) = 5/16 */
    TM_CHECK_NEAR(tm_trend_poisson_p(3, 1000, 1, 1000), 0.3125);
    TM_CHECK_NEAR(tm_trend_poisson_p(10, 2000, 10, 8000), 0.0025948274006740205);
    TM_CHECK_NEAR(tm_trend_poisson_p(1, 500, 0, 500), 0.5);
    TM_CHECK_NEAR(tm_trend_poisson_p(12, 10000, 30, 40000), 0.1181783937776625);
    TM_CHECK_NEAR(tm_trend_poisson_p(4, 3000, 20, 9000), 0.8849816294804604);
    TM_CHECK_NEAR(tm_trend_poisson_p(200, 50000, 500, 200000), 3.687342012109334e-08);
    /* nothing observed: certainly not rising */
    TM_CHECK_NEAR(tm_trend_poisson_p(0, 100, 5, 100), 1.0);
    /* zero words now or in the baseline: no test */
    TM_CHECK(tm_trend_poisson_p(3, 0, 2, 1000) < 0);
    TM_CHECK(tm_trend_poisson_p(3, 1000, 0, 0) < 0);
    TM_CHECK(tm_trend_poisson_p(-1, 1000, 0, 10) < 0);
}

static void test_rising(void)
{
    tm_trend_test t = {4, 3, 0.05};
    TM_CHECK_INT(tm_trend_rising(&t, 3, 1000, 0, 4000), 1); /* p = 0.008 */
    TM_CHECK_INT(tm_trend_rising(&t, 2, 1000, 0, 4000), 0); /* below min_count */
    TM_CHECK_INT(tm_trend_rising(&t, 3, 1000, 1, 1000), 0); /* p = 0.3125 */
    TM_CHECK_INT(tm_trend_rising(&t, 10, 0, 0, 4000), 0);   /* no words: no test */
    TM_CHECK_INT(tm_trend_rising(&t, 10, 1000, 0, 0), 0);   /* no baseline words */
    t.alpha = 0.005;
    TM_CHECK_INT(tm_trend_rising(&t, 5, 1000, 2, 4000), 1); /* p = 0.004672 */
    t.alpha = 0.004;
    TM_CHECK_INT(tm_trend_rising(&t, 5, 1000, 2, 4000), 0);
}

static void test_g2(void)
{
    /* G2 = 2 (a ln(a/E1) + b ln(b/E2)), E1 = c(a+b)/(c+d), E2 = d(a+b)/(c+d) */
    TM_CHECK_NEAR(tm_trend_g2(10, 0, 1000, 4000), 32.18875824868201);
    TM_CHECK_NEAR(tm_trend_g2(5, 2, 1000, 4000), 8.611179089404242);
    TM_CHECK_NEAR(tm_trend_g2(3, 30, 1000, 4000), 2.93925812840748);
    TM_CHECK_NEAR(tm_trend_g2(8, 8, 1000, 1000), 0.0);
    TM_CHECK_NEAR(tm_trend_g2(0, 0, 1000, 1000), 0.0);
    TM_CHECK_NEAR(tm_trend_g2(4, 1, 0, 1000), 0.0);
}

static const tm_test_case cases[] = {
    {"poisson_p", test_poisson_p},
    {"rising", test_rising},
    {"g2", test_g2},
    {NULL, NULL},
};

TM_TEST_MAIN(cases)
