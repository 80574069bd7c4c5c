/*
 * test_dates.c: the date forms officers write (weekday and ordinal, "of",
 * month first, numeric day-first, ISO, a month alone, a day without a year
 * completed by a reference year), with exact start/end offsets; invalid and
 * false dates refused; financial years; month names; formatting; validity.
 */
#include "tm/dates.h"
#include "tm_test.h"

typedef struct dcase {
    const char *s;
    int ref_year;
    int found;
    const char *ymd; /* tm_date_format of the result */
    tm_date_precision prec;
    size_t start, end;
} dcase;

static void run_cases(const dcase *v, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        tm_date d;
        memset(&d, 0x55, sizeof d);
        int found = tm_date_find(&d, v[i].s, strlen(v[i].s), v[i].ref_year);
        if (found != v[i].found)
            fprintf(stderr, "  \"%s\" (ref %d): found %d\n", v[i].s, v[i].ref_year, found);
        TM_CHECK_INT(found, v[i].found);
        if (!found || !v[i].found) continue;
        char out[11];
        tm_date_format(out, &d);
        if (strcmp(out, v[i].ymd) != 0 || d.start != v[i].start || d.end != v[i].end ||
            d.precision != v[i].prec)
            fprintf(stderr, "  \"%s\": %s [%zu,%zu) prec %d\n", v[i].s, out, d.start, d.end,
                    (int)d.precision);
        TM_CHECK_STR(out, v[i].ymd);
        TM_CHECK_INT(d.precision, v[i].prec);
        TM_CHECK_INT(d.start, v[i].start);
        TM_CHECK_INT(d.end, v[i].end);
    }
}

static void test_written_forms(void)
{
    static const dcase v[] = {
        /* the weekday is not part of the date expression */
        {"Wednesday 2nd March 2022", 0, 1, "2022-03-02", TM_DATE_DAY, 10, 24},
        {"2 March 2022", 0, 1, "2022-03-02", TM_DATE_DAY, 0, 12},
        {"2nd of March, 2022", 0, 1, "2022-03-02", TM_DATE_DAY, 0, 18},
        {"March 2nd 2022", 0, 1, "2022-03-02", TM_DATE_DAY, 0, 14},
        {"March 2nd, 2022", 0, 1, "2022-03-02", TM_DATE_DAY, 0, 15},
        {"DATE: Thursday 31st March 2022 at 6pm", 0, 1, "2022-03-31", TM_DATE_DAY, 15, 30},
        {"held on 1st Sept 2021.", 0, 1, "2021-09-01", TM_DATE_DAY, 8, 21},
        {"3RD JULY 2025", 0, 1, "2025-07-03", TM_DATE_DAY, 0, 13},
        {"29 February 2024", 0, 1, "2024-02-29", TM_DATE_DAY, 0, 16},
        {"12 dec 2019", 0, 1, "2019-12-12", TM_DATE_DAY, 0, 11},
    };
    run_cases(v, sizeof v / sizeof v[0]);
}

static void test_numeric_forms(void)
{
    static const dcase v[] = {
        {"02/03/2022", 0, 1, "2022-03-02", TM_DATE_DAY, 0, 10}, /* day first */
        {"2/3/22", 0, 1, "2022-03-02", TM_DATE_DAY, 0, 6},
        {"2022-03-02", 0, 1, "2022-03-02", TM_DATE_DAY, 0, 10},
        {"02.03.2022", 0, 1, "2022-03-02", TM_DATE_DAY, 0, 10},
        {"Date: 10/06/2025", 0, 1, "2025-06-10", TM_DATE_DAY, 6, 16},
        {"on 31/12/2021.", 0, 1, "2021-12-31", TM_DATE_DAY, 3, 13},
        {"29/02/2024", 0, 1, "2024-02-29", TM_DATE_DAY, 0, 10},
    };
    run_cases(v, sizeof v / sizeof v[0]);
}

static void test_month_precision(void)
{
    static const dcase v[] = {
        {"March 2022", 0, 1, "2022-03-01", TM_DATE_MONTH, 0, 10},
        {"Quarterly update July 2025", 0, 1, "2025-07-01", TM_DATE_MONTH, 17, 26},
        {"Sept 2019 to Jan 2020", 0, 1, "2019-09-01", TM_DATE_MONTH, 0, 9},
    };
    run_cases(v, sizeof v / sizeof v[0]);
    tm_date d;
    TM_CHECK(tm_date_find(&d, "March 2022", 10, 0));
    TM_CHECK_INT(d.day, 0);
    TM_CHECK_INT(d.month, 3);
    TM_CHECK_INT(d.year, 2022);
}

static void test_reference_year(void)
{
    static const dcase v[] = {
        {"12th March", 2022, 1, "2022-03-12", TM_DATE_DAY, 0, 10},
        {"12th March", 0, 0, "", TM_DATE_NONE, 0, 0},
        {"Next meeting: 13th of April", 2022, 1, "2022-04-13", TM_DATE_DAY, 14, 27},
        /* a stated year wins over the reference */
        {"12th March 2021", 2022, 1, "2021-03-12", TM_DATE_DAY, 0, 15},
        /* 30 February does not exist in any year */
        {"30th February", 2022, 0, "", TM_DATE_NONE, 0, 0},
    };
    run_cases(v, sizeof v / sizeof v[0]);
}

static void test_not_dates(void)
{
    static const dcase v[] = {
        {"31/02/2022", 0, 0, "", TM_DATE_NONE, 0, 0},
        {"29/02/2023", 0, 0, "", TM_DATE_NONE, 0, 0},
        {"2022-13-01", 0, 0, "", TM_DATE_NONE, 0, 0},
        {"the march was peaceful", 0, 0, "", TM_DATE_NONE, 0, 0},
        {"the march was peaceful", 2022, 0, "", TM_DATE_NONE, 0, 0},
        {"item 3.1 and 4.2", 0, 0, "", TM_DATE_NONE, 0, 0},
        {"version 1.2.3", 0, 0, "", TM_DATE_NONE, 0, 0},
        {"12/03/2022x", 0, 0, "", TM_DATE_NONE, 0, 0},
        {"Call 0118 953 6000", 0, 0, "", TM_DATE_NONE, 0, 0},
        {"in 2022 alone", 0, 0, "", TM_DATE_NONE, 0, 0},
        {"", 0, 0, "", TM_DATE_NONE, 0, 0},
    };
    run_cases(v, sizeof v / sizeof v[0]);
}

static void test_first_date_wins(void)
{
    static const dcase v[] = {
        {"met on 3 March 2022 and again on 01/04/2022", 0, 1, "2022-03-03", TM_DATE_DAY, 7, 19},
        {"met on 01/04/2022 and again on 3 March 2022", 0, 1, "2022-04-01", TM_DATE_DAY, 7, 17},
        /* an invalid numeric date does not hide a later written one */
        {"ref 31/02/2022, held 4 May 2022", 0, 1, "2022-05-04", TM_DATE_DAY, 21, 31},
    };
    run_cases(v, sizeof v / sizeof v[0]);
}

/* Long strings are scanned in windows of words: a date straddling a window
 * boundary must still be read whole, wherever the boundary falls. */
static void test_long_string_windows(void)
{
    static const char *const dates[] = {"2nd of March 2022", "March 2nd 2022", "2 March 2022"};
    static char buf[8192];
    for (size_t d = 0; d < sizeof dates / sizeof dates[0]; d++) {
        for (int filler = 248; filler <= 260; filler++) {
            size_t o = 0;
            for (int w = 0; w < filler; w++)
                o += (size_t)snprintf(buf + o, sizeof buf - o, "w%d ", w % 10);
            size_t start = o;
            o += (size_t)snprintf(buf + o, sizeof buf - o, "%s and more words", dates[d]);
            tm_date got;
            /* a reference year must not complete a date whose year is
             * merely in the next window */
            int found = tm_date_find(&got, buf, o, 2019);
            char out[11] = "";
            if (found) tm_date_format(out, &got);
            if (!found || strcmp(out, "2022-03-02") != 0 || got.start != start ||
                got.precision != TM_DATE_DAY)
                fprintf(stderr, "  \"%s\" after %d words: found %d %s at %zu\n", dates[d], filler,
                        found, out, found ? got.start : 0);
            TM_CHECK_INT(found, 1);
            TM_CHECK_STR(out, "2022-03-02");
            TM_CHECK_INT(got.precision, TM_DATE_DAY);
            TM_CHECK_INT(got.start, start);
            TM_CHECK_INT(got.end, start + strlen(dates[d]));
        }
    }
}

static void test_financial_year(void)
{
    static const struct {
        const char *s;
        int found, year;
    } v[] = {
        {"2019/20", 1, 2019},
        {"2019-2020", 1, 2019},
        {"2019/2020", 1, 2019},
        {"2019-20", 1, 2019},
        {"Performance in 2021/22 was", 1, 2021},
        {"1999/00", 1, 1999},
        {"2019/21", 0, 0},
        {"2019/2021", 0, 0},
        {"2019/201", 0, 0},
        {"12019/20", 0, 0},
        {"2019/20x", 0, 0},
        {"2022-03-02", 0, 0},
        {"2019", 0, 0},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        int y = -1;
        int found = tm_date_find_fyear(&y, v[i].s, strlen(v[i].s));
        if (found != v[i].found) fprintf(stderr, "  \"%s\"\n", v[i].s);
        TM_CHECK_INT(found, v[i].found);
        TM_CHECK_INT(y, v[i].found ? v[i].year : -1);
    }
}

static void test_month_names(void)
{
    static const struct {
        const char *s;
        int m;
    } v[] = {
        {"Sept", 9}, {"sep", 9},       {"mar", 3},    {"March", 3}, {"MARCH", 3},
        {"jan", 1},  {"December", 12}, {"may", 5},    {"June", 6},  {"Jun", 6},
        {"Ma", 0},   {"Marc", 0},      {"Marchx", 0}, {"Septe", 0}, {"Octo", 0},
        {"", 0},     {"Wednesday", 0}, {"Mon", 0},    {"Augu", 0},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        int m = tm_month_from_name(v[i].s, strlen(v[i].s));
        if (m != v[i].m) fprintf(stderr, "  \"%s\"\n", v[i].s);
        TM_CHECK_INT(m, v[i].m);
    }
    /* only the first n bytes count */
    TM_CHECK_INT(tm_month_from_name("marching", 3), 3);
}

static void test_format(void)
{
    char out[11];
    memset(out, 'X', sizeof out);
    tm_date d = {2022, 3, 2, TM_DATE_DAY, 0, 0};
    tm_date_format(out, &d);
    TM_CHECK_STR(out, "2022-03-02");
    d = (tm_date){2025, 7, 0, TM_DATE_MONTH, 0, 0};
    tm_date_format(out, &d);
    TM_CHECK_STR(out, "2025-07-01");
    d = (tm_date){1999, 12, 31, TM_DATE_DAY, 0, 0};
    tm_date_format(out, &d);
    TM_CHECK_STR(out, "1999-12-31");
    /* a day is ignored unless the precision is DAY */
    d = (tm_date){2020, 11, 17, TM_DATE_MONTH, 0, 0};
    tm_date_format(out, &d);
    TM_CHECK_STR(out, "2020-11-01");
}

static void test_valid(void)
{
    TM_CHECK_INT(tm_date_valid(2024, 2, 29), 1);
    TM_CHECK_INT(tm_date_valid(2023, 2, 29), 0);
    TM_CHECK_INT(tm_date_valid(2000, 2, 29), 1);
    TM_CHECK_INT(tm_date_valid(2100, 2, 29), 0);
    TM_CHECK_INT(tm_date_valid(2022, 4, 30), 1);
    TM_CHECK_INT(tm_date_valid(2022, 4, 31), 0);
    TM_CHECK_INT(tm_date_valid(2022, 12, 31), 1);
    TM_CHECK_INT(tm_date_valid(2022, 13, 1), 0);
    TM_CHECK_INT(tm_date_valid(2022, 0, 1), 0);
    TM_CHECK_INT(tm_date_valid(2022, 1, 0), 0);
    TM_CHECK_INT(tm_date_valid(1899, 1, 1), 0);
}

/* tm_date_find_ahead: relative forms resolved against the meeting's date,
 * Tuesday 9 December 2025 unless a case says otherwise. */
typedef struct acase {
    const char *s;
    const char *ref;
    const char *ymd;
    tm_date_precision prec;
    size_t start, end;
} acase;

static void test_ahead(void)
{
    static const acase v[] = {
        {"Pride on 14th and 15th May", "2025-12-09", "2026-05-14", TM_DATE_DAY, 9, 26},
        {"14th and 15th May 2026", "2025-12-09", "2026-05-14", TM_DATE_DAY, 0, 22},
        {"the march next Friday", "2025-12-09", "2025-12-12", TM_DATE_DAY, 10, 21},
        {"on Tuesday", "2025-12-09", "2025-12-16", TM_DATE_DAY, 0, 10},
        {"this Sunday", "2025-12-09", "2025-12-14", TM_DATE_DAY, 0, 11},
        {"in September", "2025-12-09", "2026-09-01", TM_DATE_MONTH, 0, 12},
        {"during December", "2025-12-09", "2025-12-01", TM_DATE_MONTH, 0, 15},
        {"a vigil tomorrow", "2025-12-09", "2025-12-10", TM_DATE_DAY, 8, 16},
        {"next week", "2025-12-09", "2025-12-15", TM_DATE_DAY, 0, 9},
        {"next month", "2025-12-09", "2026-01-01", TM_DATE_MONTH, 0, 10},
        {"this weekend", "2025-12-09", "2025-12-13", TM_DATE_DAY, 0, 12},
        {"12th March 2026", "2025-12-09", "2026-03-12", TM_DATE_DAY, 0, 15},
        {"12th March", "2025-02-01", "2025-03-12", TM_DATE_DAY, 0, 10},
        {"12th March", "2025-12-09", "2026-03-12", TM_DATE_DAY, 0, 10},
        {"Eid in March 2026", "2025-12-09", "2026-03-01", TM_DATE_MONTH, 7, 17},
        /* the earliest expression wins */
        {"next Friday, not 20th December", "2025-12-09", "2025-12-12", TM_DATE_DAY, 0, 11},
        {"on 20th December, not next Friday", "2025-12-09", "2025-12-20", TM_DATE_DAY, 3, 16},
        /* leap day without a year rolls to the next real one only if valid */
        {"29th February", "2024-01-10", "2024-02-29", TM_DATE_DAY, 0, 13},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        tm_date d;
        memset(&d, 0x55, sizeof d);
        int found = tm_date_find_ahead(&d, v[i].s, strlen(v[i].s), v[i].ref);
        TM_CHECK_INT(found, 1);
        if (!found) continue;
        char out[11];
        tm_date_format(out, &d);
        if (strcmp(out, v[i].ymd) != 0 || d.start != v[i].start || d.end != v[i].end)
            fprintf(stderr, "  \"%s\": %s [%zu,%zu)\n", v[i].s, out, d.start, d.end);
        TM_CHECK_STR(out, v[i].ymd);
        TM_CHECK_INT(d.precision, v[i].prec);
        TM_CHECK_INT(d.start, v[i].start);
        TM_CHECK_INT(d.end, v[i].end);
    }
    tm_date d;
    /* no date at all; a bad reference falls back to dates with a year */
    TM_CHECK_INT(tm_date_find_ahead(&d, "on the next occasion", 20, "2025-12-09"), 0);
    TM_CHECK_INT(tm_date_find_ahead(&d, "next Friday", 11, "2025-13-40"), 0);
    TM_CHECK_INT(tm_date_find_ahead(&d, "2 May 2026", 10, NULL), 1);
}

static const tm_test_case cases[] = {
    {"ahead", test_ahead},
    {"written_forms", test_written_forms},
    {"numeric_forms", test_numeric_forms},
    {"month_precision", test_month_precision},
    {"reference_year", test_reference_year},
    {"not_dates", test_not_dates},
    {"first_date_wins", test_first_date_wins},
    {"long_string_windows", test_long_string_windows},
    {"financial_year", test_financial_year},
    {"month_names", test_month_names},
    {"format", test_format},
    {"valid", test_valid},
    {NULL, NULL},
};

TM_TEST_MAIN(cases)
