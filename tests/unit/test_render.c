/*
 * test_render.c: RFC 4180 quoting of one CSV field, format names, summary
 * count suppression, and the renderers refusing JSON that is not a report.
 */
#include "tm/render.h"
#include "tm/summary.h"
#include "tm_test.h"

static void field(const char *in, const char *want)
{
    tm_buf b;
    tm_buf_init(&b);
    tm_csv_field(&b, in, strlen(in));
    TM_CHECK_STR(b.p ? b.p : "", want);
    tm_buf_dispose(&b);
}

static void test_render__csv_field(void)
{
    field("plain", "plain");
    field("", "");
    field("a,b", "\"a,b\"");
    field("say \"hi\"", "\"say \"\"hi\"\"\"");
    field("two\nlines", "\"two\nlines\"");
    field("cr\rhere", "\"cr\rhere\"");
    field(" padded", "\" padded\"");
    field("Zoë – ok", "Zoë – ok");
}

static void test_render__format(void)
{
    tm_out_format f;
    tm_err err = {0};
    TM_CHECK_INT(tm_out_format_from_name(&f, "csv", &err), TM_OK);
    TM_CHECK_INT(f, TM_OUT_CSV);
    TM_CHECK_INT(tm_out_format_from_name(&f, "html", &err), TM_OK);
    TM_CHECK_INT(f, TM_OUT_HTML);
    TM_CHECK_INT(tm_out_format_from_name(&f, "xml", &err), TM_EINVAL);
    TM_CHECK(strstr(err.msg, "json, csv or html") != NULL);
}

static void test_render__suppression(void)
{
    static const struct {
        int64_t n;
        const char *want;
    } cases[] = {{0, "0"}, {1, "\"<5\""}, {4, "\"<5\""}, {5, "5"}, {123, "123"}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        json_t *v = tm_summary_count(cases[i].n);
        char *s = json_dumps(v, JSON_ENCODE_ANY);
        TM_CHECK_STR(s, cases[i].want);
        free(s);
        json_decref(v);
    }
}

static void test_render__not_a_report(void)
{
    json_t *j = json_pack("{s:i}", "x", 1);
    tm_err err = {0};
    TM_CHECK_INT(tm_render_html(j, "/nonexistent/x.html", 0, &err), TM_EINVAL);
    tm_err_clear(&err);
    TM_CHECK_INT(tm_render_csv(j, "/nonexistent/dir", NULL, NULL, &err), TM_EINVAL);
    json_decref(j);
}

static const tm_test_case cases[] = {{"csv_field", test_render__csv_field},
                                     {"format", test_render__format},
                                     {"suppression", test_render__suppression},
                                     {"not_a_report", test_render__not_a_report},
                                     {NULL, NULL}};

TM_TEST_MAIN(cases)
