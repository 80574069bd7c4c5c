/*
 * dates.c: a small scanner over words and numbers for the date forms found
 * in minutes and reports. It reads day-first numeric dates because the
 * documents are British.
 */
#include "tm/dates.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

typedef struct word {
    size_t start, end;
    int is_num;
    int num;     /* value if is_num */
    int ordinal; /* "2nd" */
} word;

static const char *const months[] = {"january",   "february", "march",    "april",
                                     "may",       "june",     "july",     "august",
                                     "september", "october",  "november", "december"};

int tm_month_from_name(const char *s, size_t n)
{
    if (n < 3 || n > 9) return 0;
    /* the first three letters, folded, pick the only month it can be */
    char a = (char)(s[0] | 0x20), b = (char)(s[1] | 0x20), c = (char)(s[2] | 0x20);
    for (int m = 0; m < 12; m++) {
        const char *name = months[m];
        if (name[0] != a || name[1] != b || name[2] != c) continue;
        size_t ml = strlen(name);
        if (n == ml && strncasecmp(s, name, n) == 0) return m + 1;
        /* three-letter abbreviations, plus "Sept" */
        if ((n == 3 || (m == 8 && n == 4)) && strncasecmp(s, name, n) == 0) return m + 1;
        return 0;
    }
    return 0;
}

int tm_date_valid(int y, int m, int d)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1) return 0;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d <= mdays[m - 1] + (m == 2 && leap);
}

void tm_date_format(char out[11], const tm_date *d)
{
    unsigned y = (unsigned)d->year % 10000u, m = (unsigned)d->month % 100u;
    unsigned dd = d->precision == TM_DATE_DAY ? (unsigned)d->day % 100u : 1u;
    char buf[32];
    snprintf(buf, sizeof buf, "%04u-%02u-%02u", y, m, dd);
    memcpy(out, buf, 10);
    out[10] = '\0';
}

/* Splits into words: alphanumeric runs; numbers keep an ordinal suffix. */
static size_t words_of(word *w, size_t max, const char *s, size_t n)
{
    size_t k = 0, i = 0;
    while (i < n && k < max) {
        unsigned char c = (unsigned char)s[i];
        if (!isalnum(c)) {
            i++;
            continue;
        }
        size_t j = i;
        while (j < n && isalnum((unsigned char)s[j]))
            j++;
        word x = {i, j, 0, 0, 0};
        size_t d = i;
        while (d < j && isdigit((unsigned char)s[d]))
            d++;
        if (d > i && d - i <= 4) {
            const char *suf = s + d;
            size_t sl = j - d;
            if (sl == 0 ||
                (sl == 2 && (!strncasecmp(suf, "st", 2) || !strncasecmp(suf, "nd", 2) ||
                             !strncasecmp(suf, "rd", 2) || !strncasecmp(suf, "th", 2)))) {
                x.is_num = 1;
                x.ordinal = sl == 2;
                for (size_t q = i; q < d; q++)
                    x.num = x.num * 10 + (s[q] - '0');
            }
        }
        w[k++] = x;
        i = j;
    }
    return k;
}

static int month_of(const char *s, const word *w)
{
    return w->is_num ? 0 : tm_month_from_name(s + w->start, w->end - w->start);
}

static int is_year(const word *w)
{
    return w->is_num && !w->ordinal && w->end - w->start == 4 && w->num >= 1900 && w->num <= 2200;
}

/* Numeric forms: 02/03/2022, 2/3/22, 2022-03-02, 02.03.2022 */
static int numeric_date(tm_date *out, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]) || (i > 0 && isalnum((unsigned char)s[i - 1]))) continue;
        int a = 0, b = 0, c = 0;
        size_t j = i, la = 0, lb = 0, lc = 0;
        while (j < n && isdigit((unsigned char)s[j]) && la < 5)
            a = a * 10 + (s[j++] - '0'), la++;
        if (j >= n || (s[j] != '/' && s[j] != '-' && s[j] != '.')) continue;
        char sep = s[j++];
        while (j < n && isdigit((unsigned char)s[j]) && lb < 3)
            b = b * 10 + (s[j++] - '0'), lb++;
        if (j >= n || s[j] != sep) continue;
        j++;
        while (j < n && isdigit((unsigned char)s[j]) && lc < 5)
            c = c * 10 + (s[j++] - '0'), lc++;
        if (j < n && isalnum((unsigned char)s[j])) continue;
        int y, m, d;
        if (la == 4 && sep == '-') {
            y = a, m = b, d = c;
        } else if (la <= 2 && (lc == 4 || lc == 2)) {
            d = a, m = b, y = lc == 2 ? 2000 + c : c;
        } else {
            continue;
        }
        if (!tm_date_valid(y, m, d)) continue;
        *out = (tm_date){y, m, d, TM_DATE_DAY, i, j};
        return 1;
    }
    return 0;
}

int tm_date_find(tm_date *out, const char *s, size_t n, int ref_year)
{
    word w[256];
    size_t start = 0;
    tm_date num = {0};
    int have_num = numeric_date(&num, s, n);
    /* scan in windows so long strings are covered */
    while (start < n) {
        size_t k = words_of(w, 256, s + start, n - start);
        for (size_t i = 0; i < k; i++) {
            w[i].start += start;
            w[i].end += start;
        }
        /* a date is at most four words ("2nd of March 2022"): in a full
         * window the last three words start the next window instead */
        size_t last = k < 256 ? k : 256 - 3;
        for (size_t i = 0; i < last; i++) {
            tm_date d = {0};
            int m;
            /* D [of] MONTH [,] [YYYY], and "D and D MONTH" (the first day) */
            if (w[i].is_num && w[i].num >= 1 && w[i].num <= 31 && w[i].end - w[i].start <= 4) {
                size_t j = i + 1;
                if (j + 1 < k && w[j + 1].is_num && w[j + 1].num >= 1 && w[j + 1].num <= 31 &&
                    ((w[j].end - w[j].start == 3 && !strncasecmp(s + w[j].start, "and", 3)) ||
                     (w[j].end - w[j].start == 2 && !strncasecmp(s + w[j].start, "to", 2))))
                    j += 2;
                if (j < k && w[j].end - w[j].start == 2 && !strncasecmp(s + w[j].start, "of", 2))
                    j++;
                if (j < k && (m = month_of(s, &w[j]))) {
                    if (j + 1 < k && is_year(&w[j + 1])) {
                        d = (tm_date){w[j + 1].num, m,          w[i].num,
                                      TM_DATE_DAY,  w[i].start, w[j + 1].end};
                    } else if (ref_year) {
                        d = (tm_date){ref_year, m, w[i].num, TM_DATE_DAY, w[i].start, w[j].end};
                    }
                }
            }
            /* MONTH D[,] YYYY and MONTH YYYY */
            if (!d.precision && (m = month_of(s, &w[i]))) {
                if (i + 2 < k && w[i + 1].is_num && w[i + 1].num >= 1 && w[i + 1].num <= 31 &&
                    w[i + 1].end - w[i + 1].start <= 4 && is_year(&w[i + 2]))
                    d = (tm_date){w[i + 2].num, m,          w[i + 1].num,
                                  TM_DATE_DAY,  w[i].start, w[i + 2].end};
                else if (i + 1 < k && is_year(&w[i + 1]) && w[i].end - w[i].start >= 3)
                    d = (tm_date){w[i + 1].num, m, 0, TM_DATE_MONTH, w[i].start, w[i + 1].end};
            }
            if (d.precision &&
                (d.precision != TM_DATE_DAY || tm_date_valid(d.year, d.month, d.day))) {
                if (have_num && num.start < d.start)
                    *out = num;
                else
                    *out = d;
                return 1;
            }
        }
        if (k < 256) break;
        start = w[256 - 3].start;
        if (start == 0) break;
    }
    if (have_num) {
        *out = num;
        return 1;
    }
    return 0;
}

int tm_date_find_fyear(int *start_year, const char *s, size_t n)
{
    for (size_t i = 0; i + 7 <= n; i++) {
        if (i > 0 && isalnum((unsigned char)s[i - 1])) continue;
        if (!(isdigit((unsigned char)s[i]) && isdigit((unsigned char)s[i + 1]) &&
              isdigit((unsigned char)s[i + 2]) && isdigit((unsigned char)s[i + 3])))
            continue;
        if (s[i + 4] != '/' && s[i + 4] != '-') continue;
        int y =
            (s[i] - '0') * 1000 + (s[i + 1] - '0') * 100 + (s[i + 2] - '0') * 10 + (s[i + 3] - '0');
        size_t j = i + 5, l = 0;
        int v = 0;
        while (j < n && isdigit((unsigned char)s[j]) && l < 4)
            v = v * 10 + (s[j++] - '0'), l++;
        if (j < n && isalnum((unsigned char)s[j])) continue;
        if (y < 1990 || y > 2100) continue;
        if ((l == 2 && v == (y + 1) % 100) || (l == 4 && v == y + 1)) {
            *start_year = y;
            return 1;
        }
    }
    return 0;
}

/* ------------------------------------------------------ relative dates */

long tm_date_days(int y, int m, int d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153L * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

void tm_date_from_days(long z, int *y, int *m, int *d)
{
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

static const char *const weekdays[] = {"monday", "tuesday",  "wednesday", "thursday",
                                       "friday", "saturday", "sunday"};

/* ISO weekday 1..7 of an English day name or abbreviation, 0 if none. */
static int weekday_of(const char *s, size_t n)
{
    for (int i = 0; i < 7; i++) {
        size_t l = strlen(weekdays[i]);
        if ((n == l || n == 3) && strncasecmp(s, weekdays[i], n) == 0) return i + 1;
    }
    return 0;
}

static int word_is(const char *s, const word *w, const char *lit)
{
    size_t l = strlen(lit);
    return !w->is_num && w->end - w->start == l && strncasecmp(s + w->start, lit, l) == 0;
}

static void set_day(tm_date *d, long days, size_t start, size_t end)
{
    tm_date_from_days(days, &d->year, &d->month, &d->day);
    d->precision = TM_DATE_DAY;
    d->start = start;
    d->end = end;
}

/* 1 if the date expression s[d->start..d->end) writes a year. */
static int writes_year(const char *s, const tm_date *d)
{
    size_t digits = 0;
    for (size_t i = d->start; i < d->end; i++) {
        digits = isdigit((unsigned char)s[i]) ? digits + 1 : 0;
        if (digits == 4) return 1;
    }
    /* numeric dates (2/3/22) always carry one */
    for (size_t i = d->start; i < d->end; i++)
        if (s[i] == '/' || s[i] == '.') return 1;
    return 0;
}

int tm_date_find_ahead(tm_date *out, const char *s, size_t n, const char *ref)
{
    int ry, rm, rd;
    if (!ref || sscanf(ref, "%4d-%2d-%2d", &ry, &rm, &rd) != 3 || !tm_date_valid(ry, rm, rd))
        return tm_date_find(out, s, n, 0);
    long today = tm_date_days(ry, rm, rd);
    tm_date best = {0};
    int have = tm_date_find(&best, s, n, ry);
    if (have && best.precision == TM_DATE_DAY && !writes_year(s, &best) &&
        tm_date_days(best.year, best.month, best.day) < today) {
        /* "12th March" said in December means next March */
        if (tm_date_valid(best.year + 1, best.month, best.day)) best.year++;
    }
    word w[256];
    size_t k = words_of(w, 256, s, n);
    for (size_t i = 0; i < k; i++) {
        if (have && w[i].start >= best.start) break; /* the earliest expression wins */
        tm_date d = {0};
        int wd, m;
        int lead = word_is(s, &w[i], "next") || word_is(s, &w[i], "this") ||
                   word_is(s, &w[i], "on") || word_is(s, &w[i], "coming");
        if (word_is(s, &w[i], "tomorrow")) {
            set_day(&d, today + 1, w[i].start, w[i].end);
        } else if (lead && i + 1 < k &&
                   (wd = weekday_of(s + w[i + 1].start, w[i + 1].end - w[i + 1].start))) {
            /* "next Friday", "this Friday", "on Friday": the first such day after
             * the meeting (a weekday followed by a date is that date, found above) */
            int today_wd = (int)(((today % 7) + 7 + 3) % 7) + 1;
            int ahead = (wd - today_wd + 7) % 7;
            set_day(&d, today + (ahead ? ahead : 7), w[i].start, w[i + 1].end);
        } else if ((word_is(s, &w[i], "next") || word_is(s, &w[i], "this")) && i + 1 < k &&
                   word_is(s, &w[i + 1], "weekend")) {
            int today_wd = (int)(((today % 7) + 7 + 3) % 7) + 1;
            int ahead = (6 - today_wd + 7) % 7;
            set_day(&d, today + (ahead ? ahead : 7), w[i].start, w[i + 1].end);
        } else if (word_is(s, &w[i], "next") && i + 1 < k && word_is(s, &w[i + 1], "week")) {
            int today_wd = (int)(((today % 7) + 7 + 3) % 7) + 1;
            set_day(&d, today + 8 - today_wd, w[i].start, w[i + 1].end); /* its Monday */
        } else if (word_is(s, &w[i], "next") && i + 1 < k && word_is(s, &w[i + 1], "month")) {
            d = (tm_date){rm == 12 ? ry + 1 : ry,
                          rm == 12 ? 1 : rm + 1,
                          0,
                          TM_DATE_MONTH,
                          w[i].start,
                          w[i + 1].end};
        } else if ((word_is(s, &w[i], "in") || word_is(s, &w[i], "during") || lead ||
                    word_is(s, &w[i], "until") || word_is(s, &w[i], "by")) &&
                   i + 1 < k && (m = month_of(s, &w[i + 1])) &&
                   w[i + 1].end - w[i + 1].start >= 3 && !(i + 2 < k && is_year(&w[i + 2]))) {
            /* "in September": the next September, this month included */
            d = (tm_date){m >= rm ? ry : ry + 1, m, 0, TM_DATE_MONTH, w[i].start, w[i + 1].end};
        }
        if (d.precision) {
            *out = d;
            return 1;
        }
    }
    if (have) *out = best;
    return have;
}
