/*
 * test_aggregate.c: period keys and bounds against hand-computed dates (ISO
 * week 53, week-years, financial years, quarters), against glibc's own ISO
 * week for every day of 1970-2100, and the GROUP BY queries on a small
 * hand-made store (negated and dropped rows never count; range bounds are
 * inclusive; undated documents only on request).
 */
#include "tm/aggregate.h"
#include "tm/store.h"
#include "tm_test.h"

#include <sqlite3.h>
#include <time.h>

/* --------------------------------------------------------------- keys */

typedef struct key_case {
    const char *date;
    tm_period period;
    const char *key;
} key_case;

/* Computed by hand (and checked against Python's date.isocalendar()). */
static const key_case key_cases[] = {
    /* ISO weeks: week 53 and the week-year at both ends of a year */
    {"2020-12-31", TM_PERIOD_WEEK, "2020-W53"}, /* Thursday */
    {"2021-01-03", TM_PERIOD_WEEK, "2020-W53"}, /* Sunday: still 2020's week-year */
    {"2021-01-04", TM_PERIOD_WEEK, "2021-W01"}, /* Monday */
    {"2024-12-30", TM_PERIOD_WEEK, "2025-W01"}, /* Monday in 2025's week 1 */
    {"2024-12-29", TM_PERIOD_WEEK, "2024-W52"},
    {"2026-12-31", TM_PERIOD_WEEK, "2026-W53"}, /* 2026 begins on a Thursday */
    {"2027-01-03", TM_PERIOD_WEEK, "2026-W53"},
    {"2008-12-29", TM_PERIOD_WEEK, "2009-W01"},
    {"2010-01-03", TM_PERIOD_WEEK, "2009-W53"},
    {"2015-12-31", TM_PERIOD_WEEK, "2015-W53"},
    {"2025-01-01", TM_PERIOD_WEEK, "2025-W01"},
    {"2025-06-15", TM_PERIOD_WEEK, "2025-W24"},
    {"2024-02-29", TM_PERIOD_WEEK, "2024-W09"},
    /* months */
    {"2025-04-30", TM_PERIOD_MONTH, "2025-04"},
    {"2024-02-29", TM_PERIOD_MONTH, "2024-02"},
    {"2025-12-01", TM_PERIOD_MONTH, "2025-12"},
    /* quarters */
    {"2025-03-31", TM_PERIOD_QUARTER, "2025-Q1"},
    {"2025-04-01", TM_PERIOD_QUARTER, "2025-Q2"},
    {"2025-06-30", TM_PERIOD_QUARTER, "2025-Q2"},
    {"2025-07-01", TM_PERIOD_QUARTER, "2025-Q3"},
    {"2025-12-31", TM_PERIOD_QUARTER, "2025-Q4"},
    {"2025-01-01", TM_PERIOD_QUARTER, "2025-Q1"},
    /* UK financial years start on 1 April */
    {"2025-03-31", TM_PERIOD_FYEAR, "FY2024/25"},
    {"2025-04-01", TM_PERIOD_FYEAR, "FY2025/26"},
    {"2025-01-15", TM_PERIOD_FYEAR, "FY2024/25"},
    {"2025-12-31", TM_PERIOD_FYEAR, "FY2025/26"},
    {"1999-04-01", TM_PERIOD_FYEAR, "FY1999/00"},
    {"2000-03-31", TM_PERIOD_FYEAR, "FY1999/00"},
    {NULL, 0, NULL},
};

static void test_period_keys(void)
{
    for (const key_case *c = key_cases; c->date; c++) {
        char out[16] = "junk";
        int rc = tm_period_key(out, c->date, c->period);
        if (rc != TM_OK || strcmp(out, c->key) != 0)
            fprintf(stderr, "  %s as %s\n", c->date, tm_period_name(c->period));
        TM_CHECK_INT(rc, TM_OK);
        TM_CHECK_STR(out, c->key);
    }
}

typedef struct bounds_case {
    const char *date;
    tm_period period;
    const char *start, *end;
} bounds_case;

static const bounds_case bounds_cases[] = {
    {"2021-01-03", TM_PERIOD_WEEK, "2020-12-28", "2021-01-03"},
    {"2020-12-31", TM_PERIOD_WEEK, "2020-12-28", "2021-01-03"},
    {"2024-12-30", TM_PERIOD_WEEK, "2024-12-30", "2025-01-05"},
    {"2024-02-10", TM_PERIOD_MONTH, "2024-02-01", "2024-02-29"},
    {"2023-02-10", TM_PERIOD_MONTH, "2023-02-01", "2023-02-28"},
    {"2025-12-31", TM_PERIOD_MONTH, "2025-12-01", "2025-12-31"},
    {"2025-05-05", TM_PERIOD_QUARTER, "2025-04-01", "2025-06-30"},
    {"2025-11-30", TM_PERIOD_QUARTER, "2025-10-01", "2025-12-31"},
    {"2025-03-31", TM_PERIOD_FYEAR, "2024-04-01", "2025-03-31"},
    {"2025-04-01", TM_PERIOD_FYEAR, "2025-04-01", "2026-03-31"},
    {NULL, 0, NULL, NULL},
};

static void test_period_bounds(void)
{
    for (const bounds_case *c = bounds_cases; c->date; c++) {
        char s[11], e[11];
        TM_CHECK_INT(tm_period_bounds(s, e, c->date, c->period), TM_OK);
        TM_CHECK_STR(s, c->start);
        TM_CHECK_STR(e, c->end);
    }
}

/* glibc's strftime("%G-W%V") is an independent ISO-8601 implementation:
 * every day of 1970..2100 must agree, and every week must run Monday to
 * Sunday with the day inside its bounds. */
static void test_weeks_match_libc(void)
{
    int bad = 0;
    for (time_t t = 0; t < (time_t)4102444800 && bad < 5; t += 86400) { /* to 2100-01-01 */
        struct tm tmv;
        gmtime_r(&t, &tmv);
        char date[16], want[16], got[16], s[11], e[11];
        strftime(date, sizeof date, "%Y-%m-%d", &tmv);
        strftime(want, sizeof want, "%G-W%V", &tmv);
        if (tm_period_key(got, date, TM_PERIOD_WEEK) != TM_OK || strcmp(got, want) != 0) {
            fprintf(stderr, "  %s: got %s, libc says %s\n", date, got, want);
            bad++;
        }
        tm_period_bounds(s, e, date, TM_PERIOD_WEEK);
        int wday = tmv.tm_wday == 0 ? 7 : tmv.tm_wday;
        time_t monday = t - (time_t)(wday - 1) * 86400, sunday = monday + 6 * 86400;
        struct tm mt, st;
        char ms[16], ss[16];
        gmtime_r(&monday, &mt);
        gmtime_r(&sunday, &st);
        strftime(ms, sizeof ms, "%Y-%m-%d", &mt);
        strftime(ss, sizeof ss, "%Y-%m-%d", &st);
        if (strcmp(s, ms) != 0 || strcmp(e, ss) != 0) {
            fprintf(stderr, "  %s: week %s..%s, expected %s..%s\n", date, s, e, ms, ss);
            bad++;
        }
    }
    TM_CHECK_INT(bad, 0);
}

static void test_dates_validated(void)
{
    static const char *const good[] = {"2024-02-29", "2000-02-29", "2025-12-31", "1000-01-01",
                                       NULL};
    static const char *const bad[] = {"2023-02-29", "1900-02-29", "2025-13-01", "2025-00-10",
                                      "2025-04-31", "2025-4-01",  "2025/04/01", "2025-04-01x",
                                      "",           "25-04-01",   "2025-04-0a", "9999-12-31",
                                      NULL};
    for (int i = 0; good[i]; i++)
        TM_CHECK(tm_date_str_valid(good[i]));
    for (int i = 0; bad[i]; i++) {
        char out[16] = "junk";
        if (tm_date_str_valid(bad[i])) fprintf(stderr, "  accepted \"%s\"\n", bad[i]);
        TM_CHECK(!tm_date_str_valid(bad[i]));
        TM_CHECK_INT(tm_period_key(out, bad[i], TM_PERIOD_MONTH), TM_EINVAL);
        TM_CHECK_STR(out, "");
    }
    TM_CHECK(!tm_date_str_valid(NULL));
}

static void test_period_names(void)
{
    tm_period p = TM_PERIOD_WEEK;
    tm_err err = {0};
    TM_CHECK_INT(tm_period_from_name(&p, "quarter", &err), TM_OK);
    TM_CHECK_INT(p, TM_PERIOD_QUARTER);
    TM_CHECK_INT(tm_period_from_name(&p, "fyear", &err), TM_OK);
    TM_CHECK_INT(p, TM_PERIOD_FYEAR);
    TM_CHECK_INT(tm_period_from_name(&p, "financial-year", &err), TM_OK);
    TM_CHECK_INT(p, TM_PERIOD_FYEAR);
    TM_CHECK_INT(tm_period_from_name(&p, "fortnight", &err), TM_EINVAL);
    TM_CHECK(strstr(err.msg, "fortnight") != NULL);
    TM_CHECK(strstr(err.msg, "month") != NULL); /* says what to use */
    for (int i = 0; i < TM_PERIOD__COUNT; i++) {
        tm_period q;
        TM_CHECK_INT(tm_period_from_name(&q, tm_period_name((tm_period)i), NULL), TM_OK);
        TM_CHECK_INT(q, i);
    }
}

static void test_range_checked(void)
{
    tm_err err = {0};
    tm_agg_range r = {.period = TM_PERIOD_MONTH, .from = "2025-04-01", .to = "2025-03-01"};
    TM_CHECK_INT(tm_agg_range_check(&r, &err), TM_EINVAL);
    TM_CHECK(strstr(err.msg, "after") != NULL);
    tm_err_clear(&err);
    r.to = "2025-02-30";
    TM_CHECK_INT(tm_agg_range_check(&r, &err), TM_EINVAL);
    TM_CHECK(strstr(err.msg, "2025-02-30") != NULL);
    r.from = r.to = "2025-04-01";
    TM_CHECK_INT(tm_agg_range_check(&r, NULL), TM_OK);
    r.from = r.to = NULL;
    TM_CHECK_INT(tm_agg_range_check(&r, NULL), TM_OK);
    r.period = TM_PERIOD__COUNT;
    TM_CHECK_INT(tm_agg_range_check(&r, NULL), TM_EINVAL);
}

/* ------------------------------------------------------------ queries */

/* A hand-made document: sentences are found by their text. */
static void doc_start(tm_doc *d, const char *path, const char *date, const char *text)
{
    tm_doc_init(d);
    d->path = path;
    d->text_len = strlen(text);
    d->text = tm_arena_strndup(&d->arena, text, d->text_len);
    snprintf(d->sha256, sizeof d->sha256, "%064d", 0);
    snprintf(d->date, sizeof d->date, "%s", date);
    snprintf(d->period_date, sizeof d->period_date, "%s", date);
    d->words = 100;
    d->kind = TM_KIND_MINUTES;
}

static uint32_t sent(tm_doc *d, const char *needle)
{
    const char *at = strstr(d->text, needle);
    TM_CHECK(at != NULL);
    tm_sentence *s = TM_VEC_PUSH(&d->arena, d->sentences);
    s->off = (uint32_t)(at - d->text);
    s->end = s->off + (uint32_t)strlen(needle);
    s->section = -1;
    s->speaker = -1;
    return (uint32_t)(d->sentences.n - 1);
}

static void mention(tm_doc *d, uint32_t si, tm_category cat, const char *id, int negated,
                    int dropped)
{
    tm_mention *m = TM_VEC_PUSH(&d->arena, d->mentions);
    m->sent = si;
    m->off = d->sentences.v[si].off;
    m->end = m->off + 1;
    m->cat = cat;
    m->id = m->canon = id;
    m->weight = 1;
    m->negated = (uint8_t)negated;
    m->dropped = (uint8_t)dropped;
}

static void add_signal(tm_doc *d, uint32_t si, const char *community, const char *theme,
                       tm_polarity pol, int negated, int via_paragraph)
{
    tm_signal *g = TM_VEC_PUSH(&d->arena, d->signals);
    g->community = community;
    g->theme = theme;
    g->theme_cat = TM_CAT_THEME;
    g->polarity = pol;
    g->eep = TM_EEP_EXPERIENCED;
    g->negated = (uint8_t)negated;
    g->via_paragraph = (uint8_t)via_paragraph;
    g->weight = 1.0f; /* equal weights: order must come from via_paragraph */
    g->sent = si;
}

static tm_store *fixture(void)
{
    tm_store *st = NULL;
    tm_err err = {0};
    if (tm_store_open(&st, ":memory:", &err) != TM_OK) {
        fprintf(stderr, "  %s\n", err.msg);
        return NULL;
    }
    tm_doc d;
    /* 2025-03-31: last day of Q1 and FY2024/25 */
    doc_start(&d, "a.txt", "2025-03-31",
              "They fear hate crime too. Somali families fear hate crime. No Somali tension. "
              "Polish shop.");
    uint32_t s0 = sent(&d, "Somali families fear hate crime."), s1 = sent(&d, "No Somali tension."),
             s2 = sent(&d, "Polish shop."), s3 = sent(&d, "They fear hate crime too.");
    mention(&d, s0, TM_CAT_COMMUNITY, "somali", 0, 0);
    mention(&d, s0, TM_CAT_THEME, "hate_crime", 0, 0);
    mention(&d, s1, TM_CAT_COMMUNITY, "somali", 1, 0); /* negated */
    mention(&d, s2, TM_CAT_COMMUNITY, "polish", 0, 1); /* dropped */
    add_signal(&d, s0, "somali", "hate_crime", TM_POL_CONCERN, 0, 0);
    add_signal(&d, s0, "somali", "hate_crime", TM_POL_CONCERN, 0, 0); /* same sentence again */
    add_signal(&d, s1, "somali", "community_tension", TM_POL_CONCERN, 1, 0); /* negated */
    /* tied through "they": listed after direct ties though it comes first */
    add_signal(&d, s3, "somali", "hate_crime", TM_POL_CONCERN, 0, 1);
    TM_CHECK_INT(tm_store_doc(st, &d, NULL, &err), TM_OK);
    tm_doc_dispose(&d);

    /* 2025-04-01: first day of Q2 and FY2025/26 */
    doc_start(&d, "b.txt", "2025-04-01", "Muslim residents praised engagement. Somali youth.");
    s0 = sent(&d, "Muslim residents praised engagement.");
    s1 = sent(&d, "Somali youth.");
    mention(&d, s0, TM_CAT_COMMUNITY, "muslim", 0, 0);
    mention(&d, s1, TM_CAT_COMMUNITY, "somali", 0, 0);
    add_signal(&d, s0, "muslim", "engagement", TM_POL_REASSURANCE, 0, 0);
    TM_CHECK_INT(tm_store_doc(st, &d, NULL, &err), TM_OK);
    tm_doc_dispose(&d);

    /* undated */
    doc_start(&d, "c.txt", "", "Somali elders met.");
    s0 = sent(&d, "Somali elders met.");
    mention(&d, s0, TM_CAT_COMMUNITY, "somali", 0, 0);
    add_signal(&d, s0, "somali", "engagement", TM_POL_REASSURANCE, 0, 0);
    TM_CHECK_INT(tm_store_doc(st, &d, NULL, &err), TM_OK);
    tm_doc_dispose(&d);
    if (err.code) fprintf(stderr, "  %s\n", err.msg);
    return st;
}

/* Collects rows as "period key count" lines. */
typedef struct lines {
    char buf[2048];
} lines;

static void add_line(lines *l, const char *fmt1, const char *a, const char *b, long long n)
{
    size_t len = strlen(l->buf);
    snprintf(l->buf + len, sizeof l->buf - len, "%s %s %lld%s", a, b ? b : "-", n, fmt1);
}

static int on_period(const tm_agg_period *row, void *payload)
{
    add_line(payload, ";", row->period, row->first, row->documents);
    return TM_OK;
}

static int on_count(const tm_agg_count *row, void *payload)
{
    add_line(payload, ";", row->period, row->key, row->count);
    return TM_OK;
}

static int on_pair(const tm_agg_pair *row, void *payload)
{
    char key[128];
    snprintf(key, sizeof key, "%s/%s", row->community, row->theme);
    add_line(payload, ";", row->period, key, row->count);
    return TM_OK;
}

static void test_queries_count_only_live_rows(void)
{
    tm_store *st = fixture();
    TM_CHECK(st != NULL);
    if (!st) return;
    tm_err err = {0};
    lines l = {{0}};
    tm_agg_range r = {.period = TM_PERIOD_MONTH, .undated = 1};

    TM_CHECK_INT(tm_agg_periods(st, &r, on_period, &l, &err), TM_OK);
    TM_CHECK_STR(l.buf, "2025-03 2025-03-31 1;2025-04 2025-04-01 1;undated - 1;");

    l.buf[0] = '\0';
    TM_CHECK_INT(tm_agg_counts(st, &r, TM_CAT_COMMUNITY, on_count, &l, &err), TM_OK);
    /* negated somali and dropped polish in March count nothing */
    TM_CHECK_STR(l.buf, "2025-03 somali 1;2025-04 muslim 1;2025-04 somali 1;undated somali 1;");

    l.buf[0] = '\0';
    TM_CHECK_INT(tm_agg_community_theme(st, &r, on_pair, &l, &err), TM_OK);
    TM_CHECK_STR(l.buf, "2025-03 somali/hate_crime 3;2025-04 muslim/engagement 1;"
                        "undated somali/engagement 1;");

    /* quarters and financial years split between 31 March and 1 April */
    r.period = TM_PERIOD_QUARTER;
    r.undated = 0;
    l.buf[0] = '\0';
    TM_CHECK_INT(tm_agg_periods(st, &r, on_period, &l, &err), TM_OK);
    TM_CHECK_STR(l.buf, "2025-Q1 2025-03-31 1;2025-Q2 2025-04-01 1;");
    r.period = TM_PERIOD_FYEAR;
    l.buf[0] = '\0';
    TM_CHECK_INT(tm_agg_periods(st, &r, on_period, &l, &err), TM_OK);
    TM_CHECK_STR(l.buf, "FY2024/25 2025-03-31 1;FY2025/26 2025-04-01 1;");

    /* bounds are inclusive */
    r.period = TM_PERIOD_MONTH;
    r.from = "2025-04-01";
    r.to = "2025-04-01";
    l.buf[0] = '\0';
    TM_CHECK_INT(tm_agg_periods(st, &r, on_period, &l, &err), TM_OK);
    TM_CHECK_STR(l.buf, "2025-04 2025-04-01 1;");
    r.from = NULL;
    r.to = "2025-03-31";
    l.buf[0] = '\0';
    TM_CHECK_INT(tm_agg_counts(st, &r, TM_CAT_THEME, on_count, &l, &err), TM_OK);
    TM_CHECK_STR(l.buf, "2025-03 hate_crime 1;");

    /* a bad range is refused before any SQL runs */
    r.from = "2025-31-12";
    TM_CHECK_INT(tm_agg_periods(st, &r, on_period, &l, &err), TM_EINVAL);
    if (err.code && err.code != TM_EINVAL) fprintf(stderr, "  %s\n", err.msg);
    tm_store_close(st);
}

typedef struct sig_rows {
    tm_agg_signal v[8];
    char strings[8][5][32];
    int n;
} sig_rows;

static int on_signal(const tm_agg_signal *row, void *payload)
{
    sig_rows *s = payload;
    if (s->n >= 8) return TM_EINVAL;
    const char *src[5] = {row->period, row->community, row->theme, row->polarity, row->eep};
    for (int i = 0; i < 5; i++)
        snprintf(s->strings[s->n][i], 32, "%s", src[i]); /* rows are borrowed: copy */
    s->v[s->n] = *row;
    s->v[s->n].period = s->strings[s->n][0];
    s->v[s->n].community = s->strings[s->n][1];
    s->v[s->n].theme = s->strings[s->n][2];
    s->v[s->n].polarity = s->strings[s->n][3];
    s->v[s->n].eep = s->strings[s->n][4];
    s->n++;
    return TM_OK;
}

static int on_evidence(const tm_agg_evidence_row *row, void *payload)
{
    add_line(payload, ";", row->doc, row->text, row->start);
    return TM_OK;
}

static int on_evidence_group(const tm_agg_evidence_row *row, void *payload)
{
    char doc[64];
    snprintf(doc, sizeof doc, "%zu:%s", row->group, row->doc);
    add_line(payload, ";", doc, row->section, row->end - row->start);
    return TM_OK;
}

static int stop_at_first(const tm_agg_count *row, void *payload)
{
    (void)row;
    (*(int *)payload)++;
    return TM_EIO;
}

static void test_top_signals_and_evidence(void)
{
    tm_store *st = fixture();
    TM_CHECK(st != NULL);
    if (!st) return;
    tm_err err = {0};
    tm_agg_range r = {.period = TM_PERIOD_FYEAR};
    sig_rows s = {0};
    TM_CHECK_INT(tm_agg_top_signals(st, &r, 0, on_signal, &s, &err), TM_OK);
    TM_CHECK_INT(s.n, 2);
    if (s.n != 2) goto done;
    TM_CHECK_STR(s.v[0].period, "FY2024/25");
    TM_CHECK_STR(s.v[0].community, "somali");
    TM_CHECK_STR(s.v[0].theme, "hate_crime");
    TM_CHECK_STR(s.v[0].polarity, "concern");
    TM_CHECK_STR(s.v[0].eep, "experienced");
    TM_CHECK_INT(s.v[0].count, 3); /* the negated community_tension signal is not a group */
    TM_CHECK_INT(s.v[0].documents, 1);
    TM_CHECK_INT(s.v[0].rank, 1);
    TM_CHECK_STR(s.v[1].period, "FY2025/26");
    TM_CHECK_STR(s.v[1].polarity, "reassurance");

    /* the directly tied sentence comes before the one tied through "they";
     * the sentence with two signals of the group is listed once */
    lines l = {{0}};
    TM_CHECK_INT(tm_agg_evidence(st, &r, &s.v[0], 1, 5, on_evidence, &l, &err), TM_OK);
    TM_CHECK_STR(l.buf, "a.txt Somali families fear hate crime. 26;"
                        "a.txt They fear hate crime too. 0;");
    l.buf[0] = '\0';
    TM_CHECK_INT(tm_agg_evidence(st, &r, &s.v[0], 1, 1, on_evidence, &l, &err), TM_OK);
    TM_CHECK_STR(l.buf, "a.txt Somali families fear hate crime. 26;");

    /* top = 1 keeps the largest group of each period */
    s.n = 0;
    r.period = TM_PERIOD_MONTH;
    r.undated = 1;
    TM_CHECK_INT(tm_agg_top_signals(st, &r, 1, on_signal, &s, &err), TM_OK);
    TM_CHECK_INT(s.n, 3);
    if (s.n == 3) {
        TM_CHECK_STR(s.v[2].period, TM_PERIOD_UNDATED);
        l.buf[0] = '\0';
        TM_CHECK_INT(tm_agg_evidence(st, &r, &s.v[2], 1, 5, on_evidence, &l, &err), TM_OK);
        TM_CHECK_STR(l.buf, "c.txt Somali elders met. 0;");
    }

    /* every group at once: rows arrive group by group, tagged with the index */
    s.n = 0;
    TM_CHECK_INT(tm_agg_top_signals(st, &r, 0, on_signal, &s, &err), TM_OK);
    TM_CHECK_INT(s.n, 3);
    l.buf[0] = '\0';
    TM_CHECK_INT(tm_agg_evidence(st, &r, s.v, (size_t)s.n, 5, on_evidence_group, &l, &err), TM_OK);
    TM_CHECK_STR(l.buf, "0:a.txt - 32;0:a.txt - 25;1:b.txt - 36;2:c.txt - 18;");
    /* a group asked twice gets its rows twice; limit 0 none */
    tm_agg_signal twice[2] = {s.v[0], s.v[0]};
    l.buf[0] = '\0';
    TM_CHECK_INT(tm_agg_evidence(st, &r, twice, 2, 5, on_evidence_group, &l, &err), TM_OK);
    TM_CHECK_STR(l.buf, "0:a.txt - 32;0:a.txt - 25;1:a.txt - 32;1:a.txt - 25;");
    l.buf[0] = '\0';
    TM_CHECK_INT(tm_agg_evidence(st, &r, twice, 2, 0, on_evidence_group, &l, &err), TM_OK);
    TM_CHECK_STR(l.buf, "");
    /* no groups, no rows, no error */
    TM_CHECK_INT(tm_agg_evidence(st, &r, s.v, 0, 5, on_evidence_group, &l, &err), TM_OK);

    /* a callback's error stops the query and is returned */
    int calls = 0;
    TM_CHECK_INT(tm_agg_counts(st, &r, TM_CAT_COMMUNITY, stop_at_first, &calls, &err), TM_EIO);
    TM_CHECK_INT(calls, 1);
done:
    if (err.code) fprintf(stderr, "  %s\n", err.msg);
    tm_store_close(st);
}

typedef struct many_ctx {
    int n, sorted, total;
    char last[32];
} many_ctx;

static int on_many(const tm_agg_count *row, void *payload)
{
    many_ctx *c = payload;
    if (c->n && strcmp(c->last, row->key) >= 0) c->sorted = 0;
    snprintf(c->last, sizeof c->last, "%s", row->key);
    c->n++;
    c->total += (int)row->count;
    return TM_OK;
}

/* Thousands of distinct keys: the in-memory tally grows several times and
 * still emits every key once, sorted, with its count. */
static void test_many_keys(void)
{
    tm_store *st = NULL;
    tm_err err = {0};
    TM_CHECK_INT(tm_store_open(&st, ":memory:", &err), TM_OK);
    if (!st) return;
    tm_doc d;
    doc_start(&d, "many.txt", "2025-01-15", "Places were named.");
    uint32_t s0 = sent(&d, "Places were named.");
    enum { KEYS = 5000 };
    for (int i = 0; i < KEYS; i++) {
        char name[32];
        snprintf(name, sizeof name, "Place %05d", (i * 7919) % KEYS); /* not in order */
        const char *canon = tm_arena_strdup(&d.arena, name);
        mention(&d, s0, TM_CAT_PLACE, canon, 0, 0);
        if (i % 10 == 0) mention(&d, s0, TM_CAT_PLACE, canon, 0, 0); /* some twice */
    }
    TM_CHECK_INT(tm_store_doc(st, &d, NULL, &err), TM_OK);
    tm_doc_dispose(&d);
    tm_agg_range r = {.period = TM_PERIOD_MONTH};
    many_ctx c = {0, 1, 0, ""};
    TM_CHECK_INT(tm_agg_counts(st, &r, TM_CAT_PLACE, on_many, &c, &err), TM_OK);
    TM_CHECK_INT(c.n, KEYS);
    TM_CHECK_INT(c.total, KEYS + KEYS / 10);
    TM_CHECK(c.sorted);
    TM_CHECK_STR(c.last, "Place 04999");
    tm_store_close(st);
}

/* The weighted signals come in period order (undated last), then
 * document, then signal order, whatever order the documents were stored
 * in, with the tone tallies of their sentence. */
static void test_weighted_stream_in_period_order(void)
{
    tm_store *st = fixture();
    TM_CHECK(st != NULL);
    if (!st) return;
    tm_err err = {0};
    tm_doc d;
    /* stored last, dated first */
    doc_start(&d, "d.txt", "2024-01-05", "Somali fear and calm. Polish worry.");
    uint32_t s0 = sent(&d, "Somali fear and calm."), s1 = sent(&d, "Polish worry.");
    mention(&d, s0, TM_CAT_TONE, "fear", 0, 0);
    mention(&d, s0, TM_CAT_TONE, "calm", 0, 0);
    mention(&d, s0, TM_CAT_TONE, "calm", 0, 0);
    mention(&d, s1, TM_CAT_TONE, "worry", 1, 0); /* negated: no tone */
    add_signal(&d, s1, "polish", "community_tension", TM_POL_CONCERN, 0, 0);
    add_signal(&d, s0, "somali", "hate_crime", TM_POL_CONCERN, 0, 0);
    TM_CHECK_INT(tm_store_doc(st, &d, NULL, &err), TM_OK);
    tm_doc_dispose(&d);
    static const char *const reassuring[] = {"calm", NULL};
    tm_agg_range r = {.period = TM_PERIOD_MONTH, .undated = 1};
    tm_agg_wstream *w = NULL;
    TM_CHECK_INT(tm_agg_wstream_open(&w, st, &r, reassuring, &err), TM_OK);
    char got[1024] = "";
    tm_agg_weighted row;
    int n;
    while (w && (n = tm_agg_wstream_next(w, &row, &err)) == 1) {
        size_t len = strlen(got);
        snprintf(got + len, sizeof got - len, "%s %s/%s %g %d/%d;", row.period, row.community,
                 row.theme, row.weight, row.tone_concern, row.tone_reassure);
    }
    TM_CHECK_INT(n, 0);
    tm_agg_wstream_close(w);
    TM_CHECK_STR(got, "2024-01 polish/community_tension 1 0/0;2024-01 somali/hate_crime 1 1/2;"
                      "2025-03 somali/hate_crime 1 0/0;2025-03 somali/hate_crime 1 0/0;"
                      "2025-03 somali/hate_crime 1 0/0;2025-04 muslim/engagement 1 0/0;"
                      "undated somali/engagement 1 0/0;");
    /* a narrowed range, undated left out */
    r = (tm_agg_range){.period = TM_PERIOD_MONTH, .from = "2025-01-01"};
    TM_CHECK_INT(tm_agg_wstream_open(&w, st, &r, reassuring, &err), TM_OK);
    got[0] = '\0';
    while (w && (n = tm_agg_wstream_next(w, &row, &err)) == 1) {
        size_t len = strlen(got);
        snprintf(got + len, sizeof got - len, "%s %s;", row.period, row.community);
    }
    TM_CHECK_INT(n, 0);
    tm_agg_wstream_close(w);
    TM_CHECK_STR(got, "2025-03 somali;2025-03 somali;2025-03 somali;2025-04 muslim;");
    tm_store_close(st);
}

static const tm_test_case cases[] = {
    {"period_keys", test_period_keys},
    {"period_bounds", test_period_bounds},
    {"weeks_match_libc", test_weeks_match_libc},
    {"dates_validated", test_dates_validated},
    {"period_names", test_period_names},
    {"range_checked", test_range_checked},
    {"queries_count_only_live_rows", test_queries_count_only_live_rows},
    {"top_signals_and_evidence", test_top_signals_and_evidence},
    {"many_keys", test_many_keys},
    {"weighted_stream_in_period_order", test_weighted_stream_in_period_order},
    {NULL, NULL},
};

TM_TEST_MAIN(cases)
