/*
 * test_levels.c: the tension scale file (valid scales, every error with its
 * file:line) and the rubric's factors and thresholds.
 */
#include "tm/levels.h"
#include "tm_test.h"

#define HDR TM_SCALE_HEADER "\n"
#define ROWS                                                                                       \
    "1\tnormal\tNormal\td1\t0\n2\tnormal\tWatch\td2\t10\n3\televated\tElevated\td3\t30\n"          \
    "4\televated\tRising\td4\t60\n5\thigh\tHigh\td5\t120\n6\thigh\tCritical\td6\t240\n"

static void test_valid_scale(void)
{
    tm_scale *sc = NULL;
    tm_err err = {0};
    const char text[] = HDR "# a comment\n\n" ROWS;
    TM_CHECK_INT(tm_scale_parse(&sc, text, sizeof text - 1, "s.tsv", &err), TM_OK);
    if (!sc) return;
    TM_CHECK_INT(tm_scale_level_for(sc, -5)->level, 1);
    TM_CHECK_INT(tm_scale_level_for(sc, 9.99)->level, 1);
    TM_CHECK_INT(tm_scale_level_for(sc, 10)->level, 2);
    TM_CHECK_INT(tm_scale_level_for(sc, 59.9)->level, 3);
    TM_CHECK_INT(tm_scale_level_for(sc, 240)->level, 6);
    TM_CHECK_STR(tm_scale_level_for(sc, 61)->tier, "elevated");
    TM_CHECK_STR(tm_scale_level_for(sc, 61)->label, "Rising");
    TM_CHECK_STR(tm_scale_at(sc, 5)->description, "d6");
    tm_scale_free(sc);
    /* the shipped file and the built-in copy load */
    TM_CHECK_INT(tm_scale_load(&sc, TM_SOURCE_DIR "/lexicons/scale.tsv", &err), TM_OK);
    tm_scale *def = NULL;
    TM_CHECK_INT(tm_scale_default(&def, &err), TM_OK);
    for (size_t i = 0; sc && def && i < TM_SCALE_LEVELS; i++) {
        TM_CHECK_STR(tm_scale_at(sc, i)->label, tm_scale_at(def, i)->label);
        TM_CHECK(tm_scale_at(sc, i)->min_score == tm_scale_at(def, i)->min_score);
    }
    tm_scale_free(sc);
    tm_scale_free(def);
}

typedef struct bad {
    const char *text;
    const char *msg; /* a substring of the error */
} bad;

static void test_scale_errors(void)
{
    static const bad v[] = {
        {"level\ttier\n" ROWS, "s.tsv:1: the first line must be the header"},
        {HDR "1\tnormal\tNormal\t0\n", "s.tsv:2: 4 columns, expected 5"},
        {HDR "2\tnormal\tNormal\td\t0\n", "s.tsv:2: level \"2\": expected 1"},
        {HDR "1\tnormal\tNormal\td\t5\n", "s.tsv:2: level 1 must have min_score 0"},
        {HDR "1\tnormal\tNormal\td\t0\n2\tnormal\tWatch\td\tten\n",
         "s.tsv:3: min_score \"ten\" is not a number"},
        {HDR "1\tnormal\tNormal\td\t0\n2\tnormal\tWatch\td\t10\n3\tx\tY\td\t10\n",
         "s.tsv:4: min_score 10 of level 3 must be above level 2's"},
        {HDR "1\tnormal\t\td\t0\n", "s.tsv:2: level 1 needs a tier and a label"},
        {HDR "1\tnormal\tNormal\td\t0\n", "s.tsv:2: only 1 levels"},
        {HDR ROWS "7\thigh\tWorse\td\t500\n", "s.tsv:8: more than 6 levels"},
        {"", "s.tsv: empty"},
    };
    for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
        tm_scale *sc = (tm_scale *)1;
        tm_err err = {0};
        int rc = tm_scale_parse(&sc, v[i].text, strlen(v[i].text), "s.tsv", &err);
        TM_CHECK(rc != TM_OK);
        TM_CHECK(sc == NULL);
        if (!strstr(err.msg, v[i].msg)) {
            fprintf(stderr, "  case %zu: \"%s\" lacks \"%s\"\n", i, err.msg, v[i].msg);
            TM_CHECK(0);
        }
    }
    tm_scale *sc = NULL;
    tm_err err = {0};
    TM_CHECK_INT(tm_scale_load(&sc, "/nonexistent/scale.tsv", &err), TM_EIO);
    TM_CHECK(strstr(err.msg, "/nonexistent/scale.tsv: cannot read") != NULL);
}

static void test_factors(void)
{
    TM_CHECK(tm_level_eep_factor("evidenced") == 1.0);
    TM_CHECK(tm_level_eep_factor("experienced") == 0.8);
    TM_CHECK(tm_level_eep_factor("potential") == 0.6);
    TM_CHECK(tm_level_eep_factor("other") == 0.0);
    TM_CHECK(tm_level_polarity_factor("concern") == 1.0);
    TM_CHECK(tm_level_polarity_factor("reassurance") == -0.5);
    TM_CHECK(tm_level_tone_factor("concern", 1, 0) == 1.5);
    TM_CHECK(tm_level_tone_factor("concern", 0, 2) == 0.5);
    TM_CHECK(tm_level_tone_factor("concern", 1, 1) == 1.0);
    TM_CHECK(tm_level_tone_factor("concern", 0, 0) == 1.0);
    TM_CHECK(tm_level_tone_factor("reassurance", 0, 1) == 1.5);
    TM_CHECK(tm_level_tone_factor("reassurance", 1, 0) == 0.5);
}

static const tm_test_case cases[] = {
    {"valid_scale", test_valid_scale},
    {"scale_errors", test_scale_errors},
    {"factors", test_factors},
    {NULL, NULL},
};

TM_TEST_MAIN(cases)
