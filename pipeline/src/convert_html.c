/*
 * convert_html.c: HTML to text with libxml2's forgiving HTML parser.
 *
 * Only what a reader sees: script, style, head, templates and elements
 * marked hidden are skipped. Block elements become paragraphs, h1..h6 get
 * '#' per level, list items "- ", table rows one line of TAB-separated
 * cells; white space is folded as a browser does, except inside <pre>.
 */
#include "convert_int.h"
#include "tm/utf8.h"

#include <libxml/HTMLparser.h>
#include <string.h>
#include <strings.h>

typedef struct hctx {
    tm_tb *tb;
    int pre, depth, cells;
} hctx;

static int name_in(const char *name, const char *const *list)
{
    for (size_t i = 0; list[i]; i++)
        if (!strcasecmp(name, list[i])) return 1;
    return 0;
}

static const char *const skipped[] = {
    "script", "style", "head",   "title",    "noscript", "template", "iframe", "object", "embed",
    "svg",    "math",  "select", "textarea", "button",   "map",      "canvas", NULL};
static const char *const blocks[] = {
    "p",    "div",   "blockquote", "section", "article",    "header", "footer",   "main",
    "nav",  "aside", "address",    "figure",  "figcaption", "form",   "fieldset", "dl",
    "dt",   "dd",    "ul",         "ol",      "pre",        "hr",     "center",   "caption",
    "body", "html",  "details",    "summary", "legend",     NULL};

static int hidden(const xmlNode *n)
{
    if (xmlHasProp(n, (const xmlChar *)"hidden")) return 1;
    xmlChar *style = xmlGetProp(n, (const xmlChar *)"style");
    int h = 0;
    if (style) {
        char buf[256];
        size_t k = 0;
        for (const xmlChar *p = style; *p && k + 1 < sizeof buf; p++)
            if (*p != ' ' && *p != '\t') buf[k++] = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
        buf[k] = '\0';
        h = strstr(buf, "display:none") != NULL || strstr(buf, "visibility:hidden") != NULL;
        xmlFree(style);
    }
    return h;
}

static const char *const hashes[] = {"# ", "## ", "### ", "#### ", "##### ", "###### "};

static void walk(hctx *c, const xmlNode *parent)
{
    if (++c->depth > 256) { /* browsers cap nesting too; the rest is dropped */
        c->depth--;
        return;
    }
    for (const xmlNode *n = parent->children; n; n = n->next) {
        if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
            if (n->content)
                tm_tb_put(c->tb, (const char *)n->content, strlen((const char *)n->content),
                          !c->pre);
            continue;
        }
        if (n->type != XML_ELEMENT_NODE || !n->name) continue;
        const char *name = (const char *)n->name;
        if (name_in(name, skipped) || hidden(n)) continue;
        if (!strcasecmp(name, "br")) {
            tm_tb_break(c->tb, TB_LINE);
        } else if ((name[0] == 'h' || name[0] == 'H') && name[1] >= '1' && name[1] <= '6' &&
                   !name[2]) {
            tm_tb_break(c->tb, TB_PARA);
            tm_tb_prefix(c->tb, hashes[name[1] - '1']);
            walk(c, n);
            c->tb->prefix = NULL;
            tm_tb_break(c->tb, TB_PARA);
        } else if (!strcasecmp(name, "li")) {
            tm_tb_break(c->tb, TB_ROW);
            tm_tb_prefix(c->tb, "- ");
            walk(c, n);
            c->tb->prefix = NULL;
            tm_tb_break(c->tb, TB_ROW);
        } else if (!strcasecmp(name, "tr")) {
            tm_tb_break(c->tb, TB_ROW);
            int was = c->cells;
            c->cells = 0;
            walk(c, n);
            c->cells = was;
            tm_tb_break(c->tb, TB_ROW);
        } else if (!strcasecmp(name, "td") || !strcasecmp(name, "th")) {
            if (c->cells++) tm_tb_cell(c->tb);
            walk(c, n);
        } else if (!strcasecmp(name, "table")) {
            tm_tb_break(c->tb, TB_PARA);
            walk(c, n);
            tm_tb_break(c->tb, TB_PARA);
        } else if (name_in(name, blocks)) {
            int pre = !strcasecmp(name, "pre");
            tm_tb_break(c->tb, TB_PARA);
            c->pre += pre;
            walk(c, n);
            c->pre -= pre;
            tm_tb_break(c->tb, TB_PARA);
        } else {
            walk(c, n);
        }
    }
    c->depth--;
}

/* UTF-8 bytes are read as UTF-8 whatever a <meta> claims; anything else is
 * left to libxml2, which honours <meta charset> and falls back to Latin-1. */
static int valid_utf8(const char *p, size_t n)
{
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t k = tm_utf8_decode((const unsigned char *)p + i, n - i, &cp);
        if (!k) return 0;
        i += k;
    }
    return 1;
}

int tm_convert__html_into(tm_tb *tb, const char *html, size_t n)
{
    tm_convert__xml_init();
    if (n > (size_t)0x7fffffff) return -1;
    htmlDocPtr h = htmlReadMemory(html, (int)n, NULL, valid_utf8(html, n) ? "UTF-8" : NULL,
                                  HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                                      HTML_PARSE_NONET | HTML_PARSE_NOIMPLIED);
    if (!h) return -1;
    hctx c = {tb, 0, 0, 0};
    walk(&c, (const xmlNode *)h);
    xmlFreeDoc(h);
    return 0;
}

int tm_convert__html(tm_doc *doc, const char *html, size_t n, tm_format fmt, tm_err *err)
{
    tm_tb tb;
    tm_tb_init(&tb, doc);
    if (tm_convert__html_into(&tb, html, n) != 0) {
        tm_tb_dispose(&tb);
        return tm_err_set(err, TM_EFORMAT,
                          "%s: the HTML could not be parsed; save the page as text", doc->path);
    }
    return tm_tb_finish(&tb, fmt, fmt == TM_FMT_EML ? "e-mail" : "HTML page", err);
}
