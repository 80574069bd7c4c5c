/*
 * render_html.c: the report as one self-contained HTML page for Community &
 * Diversity Officers: inline CSS, inline SVG charts, no script and nothing
 * fetched, so it opens from a USB stick or an email attachment and prints.
 *
 * Everything taken from the report goes through esc(): evidence quotes
 * minutes, and minutes can hold anything, including "<script>".
 * Sections missing from a report (levels, trends, incidents... in reports
 * written before those fields existed) are said to be absent, not drawn
 * empty.
 */
#include "tm/render.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ helpers */

static void esc_n(tm_buf *b, const char *s, size_t n)
{
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        const char *rep = NULL;
        switch (s[i]) {
        case '&':
            rep = "&amp;";
            break;
        case '<':
            rep = "&lt;";
            break;
        case '>':
            rep = "&gt;";
            break;
        case '"':
            rep = "&quot;";
            break;
        case '\'':
            rep = "&#39;";
            break;
        default:
            break;
        }
        if (!rep) continue;
        tm_buf_append(b, s + run, i - run);
        tm_buf_puts(b, rep);
        run = i + 1;
    }
    tm_buf_append(b, s + run, n - run);
}

static void esc(tm_buf *b, const char *s)
{
    if (s) esc_n(b, s, strlen(s));
}

/* An identifier as words: "knife_crime" -> "Knife crime", "asb" -> "ASB". */
static void label(tm_buf *b, const char *id)
{
    static const char *const acronyms[] = {"asb", "bame", "lgbtq", "grt", "cse", "vawg", NULL};
    if (!id) return;
    for (size_t i = 0; acronyms[i]; i++) {
        if (!strcmp(id, acronyms[i])) {
            for (const char *p = id; *p; p++)
                tm_buf_printf(b, "%c", *p - 'a' + 'A');
            return;
        }
    }
    tm_buf l;
    tm_buf_init(&l);
    tm_buf_puts(&l, id);
    if (l.p) {
        for (char *p = l.p; *p; p++)
            if (*p == '_') *p = ' ';
        if (l.p[0] >= 'a' && l.p[0] <= 'z') l.p[0] = (char)(l.p[0] - 'a' + 'A');
        esc(b, l.p);
    }
    if (l.oom) b->oom = 1;
    tm_buf_dispose(&l);
}

static const char *str(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* A JSON scalar as text (numbers as jansson prints them); "" for null. */
static void scalar(tm_buf *b, const json_t *v)
{
    if (!v || json_is_null(v)) {
        tm_buf_puts(b, "&ndash;");
        return;
    }
    if (json_is_string(v)) {
        esc(b, json_string_value(v));
        return;
    }
    if (json_is_real(v)) {
        tm_buf_printf(b, "%.3g", json_real_value(v));
        return;
    }
    char *t = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
    if (t)
        esc(b, t);
    else
        b->oom = 1;
    free(t);
}

static double num(const json_t *v)
{
    return json_is_number(v) ? json_number_value(v) : 0.0;
}

/* ---------------------------------------------------------------- CSS */

static const char css[] =
    ":root{--ink:#1d2733;--muted:#5b6675;--line:#d5dbe3;--bg:#ffffff;--panel:#f5f7fa;"
    "--accent:#1f4e79;--warn:#8a4b00;--warnbg:#fff4e0;--up:#b3261e;--down:#1b6e3a}"
    "*{box-sizing:border-box}"
    "body{margin:0;font:15px/1.5 'Segoe UI','Helvetica Neue',Arial,sans-serif;color:var(--ink);"
    "background:var(--bg)}"
    "header{background:var(--accent);color:#fff;padding:24px 40px}"
    "header h1{margin:0 0 4px;font-size:26px;font-weight:600}"
    "header p{margin:0;opacity:.9}"
    "main{padding:8px 40px 40px;max-width:1400px}"
    "h2{font-size:20px;margin:32px 0 8px;padding-bottom:4px;border-bottom:2px solid var(--accent);"
    "color:var(--accent)}"
    "h3{font-size:16px;margin:20px 0 6px}"
    "p.note{color:var(--muted);margin:4px 0 12px}"
    ".advisory{background:var(--warnbg);border-left:6px solid var(--warn);padding:12px 18px;"
    "margin:20px 0}"
    ".advisory h2{border:0;margin:0 0 4px;color:var(--warn);font-size:17px}"
    ".cards{display:flex;flex-wrap:wrap;gap:12px;margin:16px 0}"
    ".card{background:var(--panel);border:1px solid var(--line);border-radius:6px;padding:10px "
    "16px;"
    "min-width:150px}"
    ".card b{display:block;font-size:24px;color:var(--accent)}"
    ".card span{color:var(--muted);font-size:13px}"
    "table{border-collapse:collapse;margin:8px 0 16px;font-size:14px}"
    "th,td{border:1px solid var(--line);padding:5px 8px;text-align:left;vertical-align:top}"
    "thead th{background:var(--panel)}"
    "td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}"
    ".lvl{display:inline-block;min-width:26px;text-align:center;border-radius:4px;color:#fff;"
    "font-weight:600;padding:0 6px}"
    ".l1{background:#2e7d32}.l2{background:#689f38}.l3{background:#f9a825;color:#222}"
    ".l4{background:#ef6c00}.l5{background:#d84315}.l6{background:#b71c1c}"
    ".dir-rising{color:var(--up);font-weight:600}.dir-falling{color:var(--down);font-weight:600}"
    "ul.reasons{margin:0;padding-left:18px}"
    ".charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(300px,1fr));gap:14px}"
    "figure{margin:0;background:var(--panel);border:1px solid var(--line);border-radius:6px;"
    "padding:8px}"
    "figcaption{font-weight:600;font-size:14px}"
    "figcaption .badge{font-weight:600;font-size:11px;color:#fff;background:var(--up);"
    "border-radius:3px;padding:1px 5px;margin-left:6px}"
    "svg.chart{width:100%;height:auto;display:block}"
    "svg text{font:11px 'Segoe UI',Arial,sans-serif;fill:var(--muted)}"
    ".scroll{overflow-x:auto}"
    "table.heat{font-size:12px}"
    "table.heat th.col{writing-mode:vertical-rl;transform:rotate(180deg);white-space:nowrap;"
    "font-weight:500;padding:6px 2px}"
    "table.heat td{width:30px;min-width:30px;height:24px;text-align:center;padding:0;"
    "vertical-align:middle}caption{text-align:left}"
    ".legend{display:flex;align-items:center;gap:8px;font-size:12px;color:var(--muted)}"
    "blockquote{margin:6px 0 10px;padding:6px 12px;border-left:4px solid var(--line);"
    "background:var(--panel)}"
    "blockquote p{margin:0}"
    "blockquote footer{color:var(--muted);font-size:12.5px;margin-top:3px}"
    ".group{margin:10px 0 16px}"
    ".group h4{margin:0 0 2px;font-size:14.5px}"
    ".tag{display:inline-block;font-size:12px;border:1px solid var(--line);border-radius:3px;"
    "padding:0 5px;margin-right:4px;background:#fff}"
    ".concern{border-color:#e0a39c;color:#8c1d18}.reassurance{border-color:#9cc9a9;color:#1b5e20}"
    "footer.page{color:var(--muted);font-size:12.5px;border-top:1px solid var(--line);"
    "padding:12px 40px}"
    "@media print{header{background:#fff;color:var(--ink);border-bottom:3px solid var(--accent);"
    "padding:0 0 "
    "8px}main{padding:0}body{font-size:10.5pt}.charts{grid-template-columns:repeat(3,1fr)}"
    "figure,table,blockquote,.group{break-inside:avoid}h2{break-after:avoid}"
    "*{-webkit-print-color-adjust:exact;print-color-adjust:exact}}";

/* ------------------------------------------------------------ periods */

typedef struct view {
    const json_t *report;
    const json_t **periods; /* dated periods in time order, then undated */
    size_t np, ndated;
    int redacted; /* say that names and paths were removed */
} view;

static const char *period_key(const json_t *p)
{
    const char *k = str(p, "period");
    return k ? k : "";
}

/* The last dated period that has `member`, else the undated one, else NULL. */
static const json_t *latest_with(const view *v, const char *member)
{
    for (size_t i = v->ndated; i-- > 0;)
        if (json_object_get(v->periods[i], member)) return v->periods[i];
    if (v->np > v->ndated && json_object_get(v->periods[v->ndated], member))
        return v->periods[v->ndated];
    return NULL;
}

/* ------------------------------------------------------------ header */

static void page_header(tm_buf *b, const view *v)
{
    const json_t *g = json_object_get(v->report, "generated_from");
    tm_buf_puts(b, "<header><h1>Community tension report</h1><p>");
    const char *kind = str(g, "period");
    tm_buf_puts(b, "By ");
    esc(b, kind ? kind : "period");
    if (v->ndated) {
        tm_buf_puts(b, ", ");
        esc(b, period_key(v->periods[0]));
        if (v->ndated > 1) {
            tm_buf_puts(b, " to ");
            esc(b, period_key(v->periods[v->ndated - 1]));
        }
    }
    tm_buf_puts(b, " &middot; ");
    scalar(b, json_object_get(g, "documents"));
    tm_buf_puts(b, " documents, ");
    scalar(b, json_object_get(g, "words"));
    tm_buf_puts(b, " words");
    if (v->redacted) tm_buf_puts(b, " &middot; redacted: names, initials and file paths removed");
    tm_buf_puts(b, "</p></header>\n<main>\n");
}

static void advisory(tm_buf *b, const view *v)
{
    const char *a = str(v->report, "advisory");
    if (!a || !*a) return;
    tm_buf_puts(b, "<aside class=\"advisory\" role=\"note\" aria-labelledby=\"advisory-h\">"
                   "<h2 id=\"advisory-h\">Advisory note</h2><p>");
    esc(b, a);
    tm_buf_puts(b, "</p></aside>\n");
}

static void cards(tm_buf *b, const view *v)
{
    const json_t *g = json_object_get(v->report, "generated_from");
    tm_buf_puts(b, "<section aria-label=\"Key figures\"><div class=\"cards\">");
    tm_buf_printf(b, "<div class=\"card\"><b>%zu</b><span>periods with documents</span></div>",
                  v->ndated);
    tm_buf_puts(b, "<div class=\"card\"><b>");
    scalar(b, json_object_get(g, "documents"));
    tm_buf_puts(b, "</b><span>documents</span></div>");
    const json_t *lp = latest_with(v, "levels");
    const json_t *area = lp ? json_object_get(json_object_get(lp, "levels"), "area") : NULL;
    if (area) {
        tm_buf_puts(b, "<div class=\"card\"><b>");
        scalar(b, json_object_get(area, "level"));
        tm_buf_puts(b, "</b><span>area tension level (");
        esc(b, period_key(lp));
        tm_buf_puts(b, "): ");
        esc(b, str(area, "label"));
        tm_buf_puts(b, "</span></div>");
    }
    const json_t *ep = latest_with(v, "eep");
    if (ep) {
        const json_t *e = json_object_get(ep, "eep");
        static const char *const k[] = {"evidenced", "experienced", "potential"};
        for (int i = 0; i < 3; i++) {
            tm_buf_puts(b, "<div class=\"card\"><b>");
            scalar(b, json_object_get(e, k[i]));
            tm_buf_printf(b, "</b><span>%s (", k[i]);
            esc(b, period_key(ep));
            tm_buf_puts(b, ")</span></div>");
        }
    }
    tm_buf_puts(b, "</div></section>\n");
}

/* ------------------------------------------------------------- levels */

static void level_badge(tm_buf *b, const json_t *lv)
{
    json_int_t n = json_integer_value(json_object_get(lv, "level"));
    tm_buf_printf(b, "<span class=\"lvl l%d\" title=\"level %lld of 6\">%lld</span>",
                  n >= 1 && n <= 6 ? (int)n : 3, (long long)n, (long long)n);
}

static void direction(tm_buf *b, const char *d)
{
    if (!d) {
        tm_buf_puts(b, "&ndash;");
        return;
    }
    const char *arrow = !strcmp(d, "rising")    ? "&#8593; "
                        : !strcmp(d, "falling") ? "&#8595; "
                                                : "&#8594; ";
    tm_buf_puts(b, "<span class=\"dir-");
    esc(b, d);
    tm_buf_printf(b, "\">%s", arrow);
    esc(b, d);
    tm_buf_puts(b, "</span>");
}

static void level_row(tm_buf *b, const char *scope, const json_t *lv)
{
    tm_buf_puts(b, "<tr><th scope=\"row\">");
    label(b, scope);
    tm_buf_puts(b, "</th><td>");
    level_badge(b, lv);
    tm_buf_puts(b, "</td><td>");
    scalar(b, json_object_get(lv, "tier"));
    tm_buf_puts(b, "</td><td>");
    scalar(b, json_object_get(lv, "label"));
    tm_buf_puts(b, "</td><td>");
    direction(b, str(lv, "direction"));
    tm_buf_puts(b, "</td><td class=\"n\">");
    scalar(b, json_object_get(lv, "score"));
    tm_buf_puts(b, "</td><td>");
    const json_t *rs = json_object_get(lv, "reasons");
    if (json_array_size(rs)) {
        tm_buf_puts(b, "<ul class=\"reasons\">");
        size_t i;
        const json_t *r;
        json_array_foreach(rs, i, r)
        {
            tm_buf_puts(b, "<li>");
            label(b, str(r, "community"));
            tm_buf_puts(b, " &middot; ");
            label(b, str(r, "theme"));
            tm_buf_puts(b, " &middot; ");
            esc(b, str(r, "eep"));
            tm_buf_puts(b, " ");
            esc(b, str(r, "polarity"));
            tm_buf_puts(b, ": ");
            scalar(b, json_object_get(r, "count"));
            tm_buf_puts(b, " signals, contribution <b>");
            scalar(b, json_object_get(r, "contribution"));
            tm_buf_puts(b, "</b></li>");
        }
        tm_buf_puts(b, "</ul>");
    } else {
        tm_buf_puts(b, "no signals");
    }
    tm_buf_puts(b, "</td></tr>\n");
}

static void levels(tm_buf *b, const view *v)
{
    tm_buf_puts(b, "<section id=\"levels\"><h2>Tension levels</h2>");
    const json_t *lp = latest_with(v, "levels");
    if (!lp) {
        tm_buf_puts(b, "<p class=\"note\">This report carries no tension levels.</p></section>\n");
        return;
    }
    const json_t *lv = json_object_get(lp, "levels");
    tm_buf_puts(b, "<p class=\"note\">Latest period, ");
    esc(b, period_key(lp));
    tm_buf_puts(b, ". Level 1 is normal, 6 the worst; each reason shows how much it adds to the "
                   "score.</p>");
    tm_buf_puts(b,
                "<table><caption class=\"note\">Tension level per area and community, with reasons"
                "</caption><thead><tr><th scope=\"col\">Scope</th><th scope=\"col\">Level</th>"
                "<th scope=\"col\">Tier</th><th scope=\"col\">Label</th>"
                "<th scope=\"col\">Direction</th><th scope=\"col\" class=\"n\">Score</th>"
                "<th scope=\"col\">Reasons (community &middot; theme &middot; EEP: signals, "
                "contribution)</th></tr></thead><tbody>\n");
    const json_t *area = json_object_get(lv, "area");
    if (json_is_object(area)) level_row(b, "area", area);
    const char *k;
    const json_t *c;
    json_object_foreach(json_object_get(lv, "communities"), k, c) level_row(b, k, c);
    tm_buf_puts(b, "</tbody></table>");
    /* the area level over time, when more than one period has it */
    size_t with = 0;
    for (size_t i = 0; i < v->ndated; i++)
        with += json_object_get(json_object_get(v->periods[i], "levels"), "area") != NULL;
    if (with > 1) {
        tm_buf_puts(b, "<h3>Area level by period</h3><table><thead><tr><th scope=\"col\">Period"
                       "</th><th scope=\"col\">Level</th><th scope=\"col\">Label</th>"
                       "<th scope=\"col\">Direction</th></tr></thead><tbody>");
        for (size_t i = 0; i < v->ndated; i++) {
            const json_t *a = json_object_get(json_object_get(v->periods[i], "levels"), "area");
            if (!a) continue;
            tm_buf_puts(b, "<tr><th scope=\"row\">");
            esc(b, period_key(v->periods[i]));
            tm_buf_puts(b, "</th><td>");
            level_badge(b, a);
            tm_buf_puts(b, "</td><td>");
            scalar(b, json_object_get(a, "label"));
            tm_buf_puts(b, "</td><td>");
            direction(b, str(a, "direction"));
            tm_buf_puts(b, "</td></tr>");
        }
        tm_buf_puts(b, "</tbody></table>");
    }
    tm_buf_puts(b, "</section>\n");
}

/* ------------------------------------------------------------- charts */

typedef struct keytotal {
    const char *key;
    double total;
} keytotal;

static int by_total(const void *a, const void *b)
{
    const keytotal *x = a, *y = b;
    if (x->total != y->total) return x->total < y->total ? 1 : -1;
    return strcmp(x->key, y->key);
}

/* The keys of member `member` (an object of counts) over the dated periods,
 * most counted first. Owned array; *n entries. */
static keytotal *collect_keys(const view *v, const char *member, size_t *n)
{
    json_t *seen = json_object();
    keytotal *out = NULL;
    *n = 0;
    if (!seen) return NULL;
    for (size_t i = 0; i < v->ndated; i++) {
        const char *k;
        const json_t *c;
        json_object_foreach(json_object_get(v->periods[i], member), k, c)
        {
            json_t *t = json_object_get(seen, k);
            double prev = t ? json_real_value(t) : 0.0;
            json_object_set_new(seen, k, json_real(prev + num(c)));
        }
    }
    size_t cap = json_object_size(seen);
    out = tm_calloc(cap ? cap : 1, sizeof *out);
    if (out) {
        const char *k;
        json_t *t;
        json_object_foreach(seen, k, t)
        {
            /* keys stay valid: `seen` is kept alive below via the caller's
             * copy of the report keys (they are the same strings) */
            for (size_t i = 0; i < v->ndated; i++) {
                json_t *owner = json_object_get(v->periods[i], member);
                const char *kk;
                json_t *cc;
                int found = 0;
                json_object_foreach(owner, kk, cc)
                {
                    if (!strcmp(kk, k)) {
                        out[*n].key = kk; /* borrowed from the report */
                        found = 1;
                        break;
                    }
                }
                if (found) break;
            }
            out[*n].total = json_real_value(t);
            (*n)++;
        }
        qsort(out, *n, sizeof *out, by_total);
    }
    json_decref(seen);
    return out;
}

/* 1, 2, 5 x 10^k at or above x (axis maximum). */
static double nice_max(double x)
{
    if (x <= 0) return 1.0;
    double e = pow(10.0, floor(log10(x)));
    double m = x / e;
    double s = m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10;
    return s * e;
}

/* Is theme `t` rising (area-wide trend, community null) in period `p`? */
static int rising(const json_t *p, const char *t)
{
    size_t i;
    const json_t *tr;
    json_array_foreach(json_object_get(p, "trends"), i, tr)
    {
        const json_t *c = json_object_get(tr, "community");
        if ((!c || json_is_null(c)) && str(tr, "theme") && !strcmp(str(tr, "theme"), t) &&
            json_is_true(json_object_get(tr, "rising")))
            return 1;
    }
    return 0;
}

static void theme_chart(tm_buf *b, const view *v, const char *theme, size_t idx)
{
    enum { W = 300, H = 170, L = 44, R = 12, T = 12, B = 34 };
    double *rates = tm_calloc(v->ndated ? v->ndated : 1, sizeof *rates);
    if (!rates) {
        b->oom = 1;
        return;
    }
    double max = 0;
    for (size_t i = 0; i < v->ndated; i++) {
        const json_t *p = v->periods[i];
        double words = num(json_object_get(p, "words"));
        double c = num(json_object_get(json_object_get(p, "themes"), theme));
        rates[i] = words > 0 ? c * 10000.0 / words : 0.0;
        if (rates[i] > max) max = rates[i];
    }
    double ymax = nice_max(max);
    const json_t *last = v->ndated ? v->periods[v->ndated - 1] : NULL;
    tm_buf_puts(b, "<figure data-theme=\"");
    esc(b, theme);
    tm_buf_puts(b, "\"><figcaption>");
    label(b, theme);
    if (last && rising(last, theme)) tm_buf_puts(b, "<span class=\"badge\">rising</span>");
    tm_buf_printf(b,
                  "</figcaption><svg class=\"chart\" width=\"%d\" height=\"%d\" "
                  "viewBox=\"0 0 %d %d\" role=\"img\" aria-labelledby=\"ct%zu cd%zu\">"
                  "<title id=\"ct%zu\">",
                  W, H, W, H, idx, idx, idx);
    label(b, theme);
    tm_buf_printf(b, ": mentions per 10,000 words by period</title><desc id=\"cd%zu\">", idx);
    for (size_t i = 0; i < v->ndated; i++) {
        esc(b, period_key(v->periods[i]));
        tm_buf_printf(b, " %.2f%s", rates[i], i + 1 < v->ndated ? "; " : "");
    }
    tm_buf_puts(b, "</desc>");
    double pw = W - L - R, ph = H - T - B;
    /* grid and axes */
    for (int g = 0; g <= 2; g++) {
        double y = T + ph - ph * g / 2.0;
        tm_buf_printf(b, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"%s\"/>", L, y,
                      W - R, y, g ? "#e3e7ed" : "#8a94a3");
        tm_buf_printf(b, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%g</text>", L - 5, y + 4,
                      ymax * g / 2.0);
    }
    tm_buf_printf(b, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#8a94a3\"/>", L, T, L,
                  T + (int)ph);
    tm_buf_printf(b,
                  "<text x=\"12\" y=\"%.1f\" transform=\"rotate(-90 12 %.1f)\" "
                  "text-anchor=\"middle\">per 10k words</text>",
                  T + ph / 2, T + ph / 2);
    /* x labels: first, last, and the middle when there is room */
    size_t n = v->ndated;
    for (size_t i = 0; i < n; i++) {
        if (!(i == 0 || i == n - 1 || (n > 4 && i == (n - 1) / 2))) continue;
        double x = n > 1 ? L + pw * (double)i / (double)(n - 1) : L + pw / 2;
        const char *anchor = n == 1 ? "middle" : i == 0 ? "start" : i == n - 1 ? "end" : "middle";
        tm_buf_printf(b, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"%s\">", x, H - 16, anchor);
        esc(b, period_key(v->periods[i]));
        tm_buf_puts(b, "</text>");
    }
    tm_buf_printf(b, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">period</text>", L + pw / 2,
                  H - 3);
    /* the line and its points */
    tm_buf_puts(b, "<polyline fill=\"none\" stroke=\"#1f4e79\" stroke-width=\"2\" "
                   "stroke-linejoin=\"round\" points=\"");
    for (size_t i = 0; i < n; i++) {
        double x = n > 1 ? L + pw * (double)i / (double)(n - 1) : L + pw / 2;
        double y = T + ph - ph * rates[i] / ymax;
        tm_buf_printf(b, "%s%.1f,%.1f", i ? " " : "", x, y);
    }
    tm_buf_puts(b, "\"/>");
    for (size_t i = 0; i < n; i++) {
        double x = n > 1 ? L + pw * (double)i / (double)(n - 1) : L + pw / 2;
        double y = T + ph - ph * rates[i] / ymax;
        tm_buf_printf(b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.6\" fill=\"#1f4e79\"><title>", x,
                      y);
        esc(b, period_key(v->periods[i]));
        tm_buf_printf(b, ": %.0f mentions, %.2f per 10k words</title></circle>",
                      num(json_object_get(json_object_get(v->periods[i], "themes"), theme)),
                      rates[i]);
    }
    tm_buf_puts(b, "</svg></figure>\n");
    tm_free(rates);
}

static void charts(tm_buf *b, const view *v)
{
    tm_buf_puts(b, "<section id=\"trends\"><h2>Themes over time</h2>");
    size_t n = 0;
    keytotal *keys = collect_keys(v, "themes", &n);
    if (!keys) b->oom = 1;
    if (!n || !v->ndated) {
        tm_buf_puts(
            b, "<p class=\"note\">No theme was mentioned in a dated document.</p></section>\n");
        tm_free(keys);
        return;
    }
    tm_buf_puts(b, "<p class=\"note\">Mentions of each theme per 10,000 words of the period's "
                   "documents (rates, so that periods with more minutes compare fairly), most "
                   "mentioned theme first. Periods without documents are left out.</p>"
                   "<div class=\"charts\">\n");
    for (size_t i = 0; i < n; i++)
        theme_chart(b, v, keys[i].key, i);
    tm_buf_puts(b, "</div></section>\n");
    tm_free(keys);
}

/* ------------------------------------------------------------ heat map */

/* A colour from pale to deep blue for t in (0, 1]. */
static void heat_colour(char out[8], double t)
{
    static const int lo[3] = {0xde, 0xeb, 0xf7}, hi[3] = {0x08, 0x30, 0x6b};
    int c[3];
    for (int i = 0; i < 3; i++)
        c[i] = (int)lround(lo[i] + (hi[i] - lo[i]) * t);
    snprintf(out, 8, "#%02x%02x%02x", c[0], c[1], c[2]);
}

static void heatmap(tm_buf *b, const view *v)
{
    tm_buf_puts(b, "<section id=\"heatmap\"><h2>Communities and themes</h2>");
    /* totals per (community, theme) over every period, undated included */
    json_t *cells = json_object(), *crow = json_object(), *tcol = json_object();
    if (!cells || !crow || !tcol) b->oom = 1;
    double max = 0;
    for (size_t i = 0; i < v->np && !b->oom; i++) {
        size_t j;
        const json_t *ct;
        json_array_foreach(json_object_get(v->periods[i], "community_theme"), j, ct)
        {
            const char *c = str(ct, "community"), *t = str(ct, "theme");
            if (!c || !t) continue;
            double n = num(json_object_get(ct, "count"));
            tm_buf key;
            tm_buf_init(&key);
            tm_buf_printf(&key, "%s\x1f%s", c, t);
            if (key.oom) {
                b->oom = 1;
                break;
            }
            double sum = json_real_value(json_object_get(cells, key.p)) + n;
            json_object_set_new(cells, key.p, json_real(sum));
            if (sum > max) max = sum;
            json_object_set_new(crow, c, json_real(json_real_value(json_object_get(crow, c)) + n));
            json_object_set_new(tcol, t, json_real(json_real_value(json_object_get(tcol, t)) + n));
            tm_buf_dispose(&key);
        }
    }
    size_t nc = json_object_size(crow), nt = json_object_size(tcol);
    if (!nc || b->oom) {
        tm_buf_puts(b, "<p class=\"note\">No community was tied to a theme.</p></section>\n");
        goto cleanup;
    }
    keytotal *cs = tm_calloc(nc, sizeof *cs), *ts = tm_calloc(nt, sizeof *ts);
    if (!cs || !ts) {
        b->oom = 1;
        tm_free(cs);
        tm_free(ts);
        goto cleanup;
    }
    size_t i = 0;
    const char *k;
    json_t *x;
    json_object_foreach(crow, k, x) cs[i++] = (keytotal){k, json_real_value(x)};
    i = 0;
    json_object_foreach(tcol, k, x) ts[i++] = (keytotal){k, json_real_value(x)};
    qsort(cs, nc, sizeof *cs, by_total);
    qsort(ts, nt, sizeof *ts, by_total);
    char lo[8], hi[8];
    heat_colour(lo, 0.08);
    heat_colour(hi, 1.0);
    tm_buf_printf(b,
                  "<p class=\"note\">Signals tying a community to a theme in one sentence, all "
                  "periods together. Darker is more; hover a cell for its count.</p>"
                  "<div class=\"legend\" aria-hidden=\"true\">1<svg width=\"160\" height=\"12\">"
                  "<defs><linearGradient id=\"hg\"><stop offset=\"0\" stop-color=\"%s\"/>"
                  "<stop offset=\"1\" stop-color=\"%s\"/></linearGradient></defs>"
                  "<rect width=\"160\" height=\"12\" fill=\"url(#hg)\"/></svg>%.0f signals</div>",
                  lo, hi, max);
    tm_buf_puts(b, "<div class=\"scroll\"><table class=\"heat\"><caption class=\"note\">Community "
                   "(rows) by theme (columns): number of signals</caption><thead><tr>"
                   "<th scope=\"col\">Community</th>");
    for (size_t t = 0; t < nt; t++) {
        tm_buf_puts(b, "<th scope=\"col\" class=\"col\" data-theme=\"");
        esc(b, ts[t].key);
        tm_buf_puts(b, "\">");
        label(b, ts[t].key);
        tm_buf_puts(b, "</th>");
    }
    tm_buf_puts(b, "</tr></thead><tbody>\n");
    for (size_t c = 0; c < nc; c++) {
        tm_buf_puts(b, "<tr><th scope=\"row\" data-community=\"");
        esc(b, cs[c].key);
        tm_buf_puts(b, "\">");
        label(b, cs[c].key);
        tm_buf_puts(b, "</th>");
        for (size_t t = 0; t < nt; t++) {
            tm_buf key;
            tm_buf_init(&key);
            tm_buf_printf(&key, "%s\x1f%s", cs[c].key, ts[t].key);
            double n = key.p ? json_real_value(json_object_get(cells, key.p)) : 0;
            if (key.oom) b->oom = 1;
            tm_buf_dispose(&key);
            if (n <= 0) {
                tm_buf_puts(b, "<td></td>");
                continue;
            }
            char col[8];
            double tt = 0.15 + 0.85 * log1p(n) / log1p(max);
            heat_colour(col, tt);
            tm_buf_printf(b, "<td class=\"cell\" style=\"background:%s;color:%s\" title=\"", col,
                          tt > 0.55 ? "#fff" : "#1d2733");
            label(b, cs[c].key);
            tm_buf_puts(b, " &times; ");
            label(b, ts[t].key);
            tm_buf_printf(b, ": %.0f signals\">%.0f</td>", n, n);
        }
        tm_buf_puts(b, "</tr>\n");
    }
    tm_buf_puts(b, "</tbody></table></div></section>\n");
    tm_free(cs);
    tm_free(ts);
cleanup:
    json_decref(cells);
    json_decref(crow);
    json_decref(tcol);
}

/* -------------------------------------------------- optional tables */

/* A table of the array `member` of the latest period that has it. */
static void array_table(tm_buf *b, const view *v, const char *member, const char *title,
                        const char *intro, const char *const *cols, const char *const *heads)
{
    const json_t *p = latest_with(v, member);
    if (!p || !json_array_size(json_object_get(p, member))) return;
    tm_buf_printf(b, "<section id=\"%s\"><h2>%s</h2><p class=\"note\">%s Period ", member, title,
                  intro);
    esc(b, period_key(p));
    tm_buf_puts(b, ".</p><table><thead><tr>");
    for (size_t i = 0; cols[i]; i++)
        tm_buf_printf(b, "<th scope=\"col\">%s</th>", heads[i]);
    tm_buf_puts(b, "</tr></thead><tbody>\n");
    size_t i;
    const json_t *o;
    json_array_foreach(json_object_get(p, member), i, o)
    {
        tm_buf_puts(b, "<tr>");
        for (size_t c = 0; cols[c]; c++) {
            const json_t *x = json_object_get(o, cols[c]);
            tm_buf_puts(b, json_is_number(x) ? "<td class=\"n\">" : "<td>");
            if (json_is_array(x)) {
                size_t j;
                const json_t *e;
                json_array_foreach(x, j, e)
                {
                    if (j) tm_buf_puts(b, "<br>");
                    scalar(b, e);
                }
            } else if (json_is_boolean(x)) {
                tm_buf_puts(b, json_is_true(x) ? "yes" : "no");
            } else {
                scalar(b, x);
            }
            tm_buf_puts(b, "</td>");
        }
        tm_buf_puts(b, "</tr>\n");
    }
    tm_buf_puts(b, "</tbody></table></section>\n");
}

static void optional_tables(tm_buf *b, const view *v)
{
    static const char *const tc[] = {"community", "theme",  "count",         "rate_per_10k_words",
                                     "previous",  "change", "baseline_rate", "rising",
                                     "p_value",   NULL};
    static const char *const th[] = {"Community",     "Theme",    "Count",
                                     "Per 10k words", "Previous", "Change",
                                     "Baseline rate", "Rising",   "p-value"};
    array_table(b, v, "trends", "Trends",
                "Counts against the previous period and the baseline; a blank community means the "
                "whole area.",
                tc, th);
    static const char *const ic[] = {"id",        "theme",    "place", "first_seen", "last_seen",
                                     "documents", "mentions", "new",   NULL};
    static const char *const ih[] = {"Incident",  "Theme",     "Place",    "First seen",
                                     "Last seen", "Documents", "Mentions", "New"};
    array_table(b, v, "incidents", "Incidents", "Concrete events the documents name.", ic, ih);
    static const char *const ec[] = {"date", "event", "text", "doc", "eep", NULL};
    static const char *const eh[] = {"Date", "Event", "What the document says", "Document", "EEP"};
    array_table(b, v, "upcoming_events", "Upcoming events",
                "Dates ahead that the documents mention (potential tension).", ec, eh);
    static const char *const mc[] = {"term", "count", "baseline_count", "log_likelihood", NULL};
    static const char *const mh[] = {"Term", "Count", "Baseline count", "Log-likelihood"};
    array_table(b, v, "emerging_terms", "Emerging terms",
                "Words used far more than in earlier periods.", mc, mh);
    const json_t *tp = latest_with(v, "tone");
    if (tp && json_object_size(json_object_get(tp, "tone"))) {
        tm_buf_puts(b, "<section id=\"tone\"><h2>Tone</h2><p class=\"note\">Sentences by tone, "
                       "period ");
        esc(b, period_key(tp));
        tm_buf_puts(b, ".</p><table><thead><tr><th scope=\"col\">Tone</th><th scope=\"col\" "
                       "class=\"n\">Sentences</th></tr></thead><tbody>");
        const char *k;
        const json_t *x;
        json_object_foreach(json_object_get(tp, "tone"), k, x)
        {
            tm_buf_puts(b, "<tr><th scope=\"row\">");
            label(b, k);
            tm_buf_puts(b, "</th><td class=\"n\">");
            scalar(b, x);
            tm_buf_puts(b, "</td></tr>");
        }
        tm_buf_puts(b, "</tbody></table></section>\n");
    }
}

/* ------------------------------------------------------------ evidence */

static void evidence_item(tm_buf *b, const json_t *e)
{
    tm_buf_puts(b, "<blockquote><p>");
    esc(b, str(e, "text"));
    tm_buf_puts(b, "</p><footer>");
    const char *role = str(e, "speaker_role");
    esc(b, role ? role : "speaker not recorded");
    tm_buf_puts(b, " &middot; ");
    const char *sec = str(e, "section");
    if (sec) {
        tm_buf_puts(b, "section &ldquo;");
        esc(b, sec);
        tm_buf_puts(b, "&rdquo; &middot; ");
    }
    tm_buf_puts(b, "<cite>");
    esc(b, str(e, "doc"));
    tm_buf_puts(b, "</cite>");
    if (str(e, "date")) {
        tm_buf_puts(b, ", ");
        esc(b, str(e, "date"));
    }
    const json_t *s = json_object_get(e, "start"), *en = json_object_get(e, "end");
    if (json_is_integer(s) && json_is_integer(en))
        tm_buf_printf(b, " &middot; bytes %lld&ndash;%lld", (long long)json_integer_value(s),
                      (long long)json_integer_value(en));
    tm_buf_puts(b, "</footer></blockquote>\n");
}

static void evidence(tm_buf *b, const view *v)
{
    tm_buf_puts(b, "<section id=\"evidence\"><h2>Evidence</h2><p class=\"note\">The largest signal "
                   "groups of each period, newest period first, with the sentences that show them: "
                   "speaker role, section and document.</p>\n");
    int any = 0;
    for (size_t i = v->np; i-- > 0;) {
        const json_t *p = v->periods[i];
        const json_t *groups = json_object_get(p, "top_signals");
        if (!json_array_size(groups)) continue;
        any = 1;
        tm_buf_puts(b, "<h3>");
        esc(b, period_key(p));
        if (str(p, "start")) {
            tm_buf_puts(b, " <small>(");
            esc(b, str(p, "start"));
            tm_buf_puts(b, " to ");
            esc(b, str(p, "end"));
            tm_buf_puts(b, ")</small>");
        }
        tm_buf_puts(b, "</h3>\n");
        size_t j;
        const json_t *g;
        json_array_foreach(groups, j, g)
        {
            const char *pol = str(g, "polarity");
            tm_buf_puts(b, "<div class=\"group\"><h4>");
            scalar(b, json_object_get(g, "rank"));
            tm_buf_puts(b, ". ");
            label(b, str(g, "community"));
            tm_buf_puts(b, " &times; ");
            label(b, str(g, "theme"));
            tm_buf_puts(b, "</h4><span class=\"tag ");
            esc(b, pol && !strcmp(pol, "reassurance") ? "reassurance" : "concern");
            tm_buf_puts(b, "\">");
            esc(b, pol);
            tm_buf_puts(b, "</span><span class=\"tag\">");
            esc(b, str(g, "eep"));
            tm_buf_puts(b, "</span><span class=\"tag\">");
            scalar(b, json_object_get(g, "count"));
            tm_buf_puts(b, " signals in ");
            scalar(b, json_object_get(g, "documents"));
            tm_buf_puts(b, " documents</span>\n");
            size_t k;
            const json_t *e;
            json_array_foreach(json_object_get(g, "evidence"), k, e) evidence_item(b, e);
            tm_buf_puts(b, "</div>\n");
        }
    }
    if (!any) tm_buf_puts(b, "<p class=\"note\">No signals in these periods.</p>");
    tm_buf_puts(b, "</section>\n");
}

static void page_footer(tm_buf *b, const view *v)
{
    const json_t *lex = json_object_get(v->report, "lexicon");
    const json_t *tool = json_object_get(v->report, "tool");
    tm_buf_puts(b, "</main><footer class=\"page\">Written by ");
    esc(b, str(tool, "name"));
    tm_buf_puts(b, " ");
    esc(b, str(tool, "version"));
    tm_buf_puts(b, " &middot; report schema ");
    esc(b, str(v->report, "schema_version"));
    tm_buf_puts(b, " &middot; lexicon ");
    esc(b, str(lex, "version") ? str(lex, "version") : "unknown");
    if (str(lex, "hash")) {
        tm_buf_puts(b, " (");
        tm_buf_append(b, str(lex, "hash"), strnlen(str(lex, "hash"), 12));
        tm_buf_puts(b, "&hellip;)");
    }
    tm_buf_puts(b, ". Negated and deferred mentions are not counted. Sensitive: evidence quotes "
                   "community-safety documents.</footer>\n</body></html>\n");
}

int tm_render_html(const json_t *report, const char *path, int redacted, tm_err *err)
{
    const json_t *parr = json_object_get(report, "periods");
    if (!json_is_array(parr))
        return tm_err_set(err, TM_EINVAL, "html: the input is not a report (no \"periods\" array)");
    view v = {report, NULL, 0, 0, redacted};
    size_t cap = json_array_size(parr) + 1;
    v.periods = tm_calloc(cap, sizeof *v.periods);
    if (!v.periods) return tm_err_set(err, TM_ENOMEM, "html: out of memory");
    size_t i;
    const json_t *p;
    json_array_foreach(parr, i, p) v.periods[v.np++] = p;
    v.ndated = v.np;
    if (json_is_object(json_object_get(report, "undated")))
        v.periods[v.np++] = json_object_get(report, "undated");

    tm_buf b;
    tm_buf_init(&b);
    tm_buf_puts(&b, "<!DOCTYPE html>\n<html lang=\"en-GB\"><head><meta charset=\"utf-8\">"
                    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                    "<title>Community tension report");
    const char *kind = str(json_object_get(report, "generated_from"), "period");
    if (kind) {
        tm_buf_puts(&b, " by ");
        esc(&b, kind);
    }
    tm_buf_puts(&b, "</title><style>");
    tm_buf_puts(&b, css);
    tm_buf_puts(&b, "</style></head><body>\n");
    page_header(&b, &v);
    advisory(&b, &v);
    cards(&b, &v);
    levels(&b, &v);
    charts(&b, &v);
    heatmap(&b, &v);
    optional_tables(&b, &v);
    evidence(&b, &v);
    page_footer(&b, &v);
    int rc = b.oom ? tm_err_set(err, TM_ENOMEM, "html: out of memory rendering %s", path)
                   : tm_write_file(path, b.p, b.n, err);
    tm_buf_dispose(&b);
    tm_free(v.periods);
    return rc;
}
