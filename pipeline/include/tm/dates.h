/*
 * dates.h: dates as officers write them.
 *
 * Recognises "Wednesday 2nd March 2022", "2 March 2022", "2nd of March,
 * 2022", "March 2nd 2022", "02/03/2022" (day first, as in the UK),
 * "2/3/22", "2022-03-02", "March 2022" (a month) and, with a reference
 * year, "12th March" (a day without a year). Financial years ("2019/20")
 * are found separately. Pure functions, no allocation.
 */
#ifndef TM_DATES_H
#define TM_DATES_H

#include <stddef.h>

typedef enum tm_date_precision {
    TM_DATE_NONE = 0,
    TM_DATE_YEAR,
    TM_DATE_MONTH,
    TM_DATE_DAY
} tm_date_precision;

typedef struct tm_date {
    int year, month, day; /* day 0 when precision is MONTH */
    tm_date_precision precision;
    size_t start, end; /* bytes of the expression in the scanned string */
} tm_date;

/* Finds the first date in s[0..n). `ref_year` (0 = none) completes a day
 * and month written without a year. Returns 1 if found. */
int tm_date_find(tm_date *out, const char *s, size_t n, int ref_year);

/* Like tm_date_find(), resolved against the document's date `ref`
 * ("YYYY-MM-DD"; NULL or invalid = plain tm_date_find without a year) and
 * looking forward, for events ahead of a meeting:
 *   "12th March" (no year)          the next 12 March on or after ref
 *   "14th and 15th May"             14 May (the first day)
 *   "next/this/on/coming Friday"    the first Friday after ref (never ref itself)
 *   "tomorrow"                      ref + 1
 *   "this/next weekend"             the first Saturday after ref
 *   "next week"                     the Monday of the week after ref's
 *   "next month"                    the month after ref's (precision MONTH)
 *   "in/during/by/until September"  the next September, ref's month included
 *                                   (precision MONTH)
 * Dates with a year are returned as written. The earliest expression in the
 * string wins. Returns 1 if found. */
int tm_date_find_ahead(tm_date *out, const char *s, size_t n, const char *ref);

/* Finds a UK financial year "2019/20" or "2019-20" or "2019/2020"; writes
 * its first calendar year. Returns 1 if found. */
int tm_date_find_fyear(int *start_year, const char *s, size_t n);

/* 1 if y-m-d is a real calendar date. */
int tm_date_valid(int y, int m, int d);

/* Writes "YYYY-MM-DD" (day 1 for a month) into out[11]. */
void tm_date_format(char out[11], const tm_date *d);

/* Days since 1970-01-01 of a proleptic Gregorian date, and back (Howard
 * Hinnant's civil-day algorithms): the arithmetic behind weeks, periods and
 * "next Friday". */
long tm_date_days(int y, int m, int d);
void tm_date_from_days(long days, int *y, int *m, int *d);

/* Month number for an English month name or abbreviation ("Sept"), 0 if none. */
int tm_month_from_name(const char *s, size_t n);

#endif
