/*
 * convert_zip.c: Word (.docx) and OpenDocument text (.odt), both ZIP
 * archives of XML, read with libzip from memory and libxml2.
 *
 * Word: word/document.xml in order; paragraphs styled as headings (by the
 * style's name in word/styles.xml, or an outline level) get '#' per level;
 * list paragraphs "- "; tables become rows of TAB-separated cells. Deleted
 * tracked changes, field codes, footnote and comment references are left
 * out (footnotes.xml and comments.xml are never read). OpenDocument:
 * content.xml's office:text with text:h, text:p, text:list and table:table;
 * notes, annotations, tracked changes and indexes are left out.
 *
 * Members are read with a size cap, so a ZIP bomb ends in one message.
 */
#include "convert_int.h"

#include <ctype.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zip.h>

#define W_NS "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
#define MC_NS "http://schemas.openxmlformats.org/markup-compatibility/2006"
#define TEXT_NS "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
#define TABLE_NS "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
#define OFFICE_NS "urn:oasis:names:tc:opendocument:xmlns:office:1.0"

enum { MEMBER_MISSING = 1 };

/* Reads a member into a heap buffer (NUL-terminated); MEMBER_MISSING if it
 * is not there. */
static int read_member(zip_t *za, const char *name, char **out, size_t *len, const char *path,
                       tm_err *err)
{
    *out = NULL;
    zip_int64_t idx = zip_name_locate(za, name, 0);
    if (idx < 0) return MEMBER_MISSING;
    zip_file_t *zf = zip_fopen_index(za, (zip_uint64_t)idx, 0);
    if (!zf)
        return tm_err_set(err, TM_EFORMAT,
                          "%s: damaged document: cannot open %s in the archive (%s)", path, name,
                          zip_strerror(za));
    size_t n = 0, cap = 65536;
    char *buf = tm_malloc(cap);
    int rc = TM_OK;
    if (!buf) {
        rc = tm_err_set(err, TM_ENOMEM, "%s: out of memory reading %s", path, name);
        goto cleanup;
    }
    for (;;) {
        if (cap - n < 65536) {
            if (cap >= TM_CONVERT_MAX_TEXT) {
                rc = tm_err_set(err, TM_EFORMAT, "%s: %s unpacks to more than %zu MB: refused",
                                path, name, TM_CONVERT_MAX_TEXT >> 20);
                goto cleanup;
            }
            char *nb = tm_realloc(buf, cap * 2);
            if (!nb) {
                rc = tm_err_set(err, TM_ENOMEM, "%s: out of memory reading %s", path, name);
                goto cleanup;
            }
            buf = nb;
            cap *= 2;
        }
        zip_int64_t got = zip_fread(zf, buf + n, cap - n - 1);
        if (got < 0) {
            rc = tm_err_set(err, TM_EFORMAT, "%s: damaged document: %s cannot be unpacked (%s)",
                            path, name, zip_file_strerror(zf));
            goto cleanup;
        }
        if (got == 0) break;
        n += (size_t)got;
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    buf = NULL;
cleanup:
    tm_free(buf);
    zip_fclose(zf);
    return rc;
}

static xmlDocPtr parse_xml(const char *buf, size_t n)
{
    if (n > (size_t)0x7fffffff) return NULL;
    /* no network, no entity expansion (no XXE), no messages on stderr */
    return xmlReadMemory(buf, (int)n, NULL, NULL,
                         XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
                             XML_PARSE_HUGE);
}

static int is(const xmlNode *n, const char *ns, const char *name)
{
    return n->type == XML_ELEMENT_NODE && n->ns && n->ns->href &&
           !strcmp((const char *)n->ns->href, ns) && !strcmp((const char *)n->name, name);
}

static const char *attr(const xmlNode *n, const char *ns, const char *name, char *buf, size_t cap)
{
    xmlChar *v = xmlGetNsProp(n, (const xmlChar *)name, (const xmlChar *)ns);
    if (!v) return NULL;
    snprintf(buf, cap, "%s", (const char *)v);
    xmlFree(v);
    return buf;
}

static const xmlNode *child(const xmlNode *n, const char *ns, const char *name)
{
    for (const xmlNode *c = n ? n->children : NULL; c; c = c->next)
        if (is(c, ns, name)) return c;
    return NULL;
}

static const char *const hashes[] = {"# ", "## ", "### ", "#### ", "##### ", "###### "};

static const char *heading_prefix(int level)
{
    if (level < 1) level = 1;
    if (level > 6) level = 6;
    return hashes[level - 1];
}

/* ------------------------------------------------------------------ Word */

#define MAX_STYLES 512

typedef struct wstyle {
    char id[64];
    int level; /* heading level, 0 for body text, -1 for a table of contents entry */
} wstyle;

typedef struct wctx {
    tm_tb *tb;
    wstyle *styles;
    size_t nstyles;
    int in_cell, depth;
} wctx;

static int level_from_name(const char *name)
{
    if (!strncasecmp(name, "heading", 7)) {
        const char *p = name + 7;
        while (*p == ' ')
            p++;
        return isdigit((unsigned char)*p) ? atoi(p) : 1;
    }
    if (!strcasecmp(name, "title")) return 1;
    if (!strncasecmp(name, "toc", 3)) return -1;
    return 0;
}

static void load_styles(wctx *c, xmlDocPtr sdoc)
{
    xmlNode *root = xmlDocGetRootElement(sdoc);
    for (xmlNode *s = root ? root->children : NULL; s && c->nstyles < MAX_STYLES; s = s->next) {
        char type[32], id[64], name[128], lvl[16];
        if (!is(s, W_NS, "style") || !attr(s, W_NS, "type", type, sizeof type) ||
            strcmp(type, "paragraph") || !attr(s, W_NS, "styleId", id, sizeof id))
            continue;
        int level = 0;
        const xmlNode *nm = child(s, W_NS, "name");
        if (nm && attr(nm, W_NS, "val", name, sizeof name)) level = level_from_name(name);
        const xmlNode *ol = child(child(s, W_NS, "pPr"), W_NS, "outlineLvl");
        if (!level && ol && attr(ol, W_NS, "val", lvl, sizeof lvl) && atoi(lvl) < 9)
            level = atoi(lvl) + 1;
        wstyle *w = &c->styles[c->nstyles++];
        snprintf(w->id, sizeof w->id, "%s", id);
        w->level = level;
    }
}

static int style_level(const wctx *c, const char *id)
{
    for (size_t i = 0; i < c->nstyles; i++)
        if (!strcmp(c->styles[i].id, id)) return c->styles[i].level;
    return level_from_name(id); /* no styles.xml: "Heading1", "Title" */
}

/* The text of a paragraph's runs, hyperlinks, inserted changes, fields and
 * content controls, in order. */
static void w_runs(wctx *c, const xmlNode *parent)
{
    if (++c->depth > 200) { /* hostile nesting: stop descending, keep what we have */
        c->depth--;
        return;
    }
    for (const xmlNode *n = parent->children; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE) continue;
        const char *name = (const char *)n->name;
        int w = n->ns && n->ns->href && !strcmp((const char *)n->ns->href, W_NS);
        if (w && !strcmp(name, "t")) {
            xmlChar *s = xmlNodeGetContent(n);
            if (s) {
                tm_tb_put(c->tb, (const char *)s, strlen((const char *)s), 0);
                xmlFree(s);
            }
        } else if (w && !strcmp(name, "tab")) {
            tm_tb_put(c->tb, "\t", 1, 0);
        } else if (w && (!strcmp(name, "br") || !strcmp(name, "cr"))) {
            if (c->in_cell)
                tm_tb_put(c->tb, " ", 1, 0);
            else
                tm_tb_break(c->tb, TB_LINE);
        } else if (w && !strcmp(name, "noBreakHyphen")) {
            tm_tb_put(c->tb, "-", 1, 0);
        } else if (w && !strcmp(name, "p")) {
            /* a text box's paragraph inside a run: a line of its own */
            if (!c->in_cell) tm_tb_break(c->tb, TB_LINE);
            w_runs(c, n);
        } else if ((w && (!strcmp(name, "del") || !strcmp(name, "moveFrom") ||
                          !strcmp(name, "delText") || !strcmp(name, "instrText") ||
                          !strcmp(name, "pPr") || !strcmp(name, "rPr") ||
                          !strcmp(name, "footnoteReference") || !strcmp(name, "endnoteReference") ||
                          !strcmp(name, "commentReference"))) ||
                   is(n, MC_NS, "Fallback")) {
            continue;
        } else {
            w_runs(c, n);
        }
    }
    c->depth--;
}

static void w_paragraph(wctx *c, const xmlNode *p)
{
    const xmlNode *ppr = child(p, W_NS, "pPr");
    const xmlNode *ps = child(ppr, W_NS, "pStyle"), *ol = child(ppr, W_NS, "outlineLvl");
    char v[64];
    int level = 0;
    if (ps && attr(ps, W_NS, "val", v, sizeof v)) level = style_level(c, v);
    if (!level && ol && attr(ol, W_NS, "val", v, sizeof v) && atoi(v) < 9) level = atoi(v) + 1;
    if (level < 0) return; /* a table of contents line repeats a heading */
    if (c->in_cell) {
        tm_tb_put(c->tb, " ", 1, 1);
        w_runs(c, p);
        return;
    }
    tm_tb_break(c->tb, TB_PARA);
    if (level > 0)
        tm_tb_prefix(c->tb, heading_prefix(level));
    else if (child(ppr, W_NS, "numPr"))
        tm_tb_prefix(c->tb, "- ");
    w_runs(c, p);
    c->tb->prefix = NULL; /* an empty paragraph leaves no marker behind */
    tm_tb_break(c->tb, TB_PARA);
}

static void w_block(wctx *c, const xmlNode *parent);

static void w_table(wctx *c, const xmlNode *tbl)
{
    int outer = !c->in_cell;
    if (outer) tm_tb_break(c->tb, TB_PARA);
    for (const xmlNode *tr = tbl->children; tr; tr = tr->next) {
        if (!is(tr, W_NS, "tr")) continue;
        if (outer) tm_tb_break(c->tb, TB_ROW);
        int cell = 0, was = c->in_cell;
        c->in_cell = 1;
        for (const xmlNode *tc = tr->children; tc; tc = tc->next) {
            if (!is(tc, W_NS, "tc")) continue;
            if (cell++) {
                if (outer)
                    tm_tb_cell(c->tb);
                else
                    tm_tb_put(c->tb, " ", 1, 1);
            }
            w_block(c, tc);
        }
        c->in_cell = was;
    }
    if (outer) tm_tb_break(c->tb, TB_PARA);
}

/* Body-level content: paragraphs, tables, content controls. */
static void w_block(wctx *c, const xmlNode *parent)
{
    if (++c->depth > 200) {
        c->depth--;
        return;
    }
    for (const xmlNode *n = parent->children; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE) continue;
        if (is(n, W_NS, "p"))
            w_paragraph(c, n);
        else if (is(n, W_NS, "tbl"))
            w_table(c, n);
        else if (is(n, W_NS, "sectPr") || is(n, W_NS, "del") || is(n, MC_NS, "Fallback"))
            continue;
        else
            w_block(c, n);
    }
    c->depth--;
}

static int convert_docx(tm_doc *doc, zip_t *za, tm_err *err)
{
    char *xml = NULL, *sxml = NULL;
    size_t n = 0, sn = 0;
    xmlDocPtr x = NULL, sx = NULL;
    wstyle *styles = NULL;
    tm_tb tb;
    tm_tb_init(&tb, doc);
    int rc = read_member(za, "word/document.xml", &xml, &n, doc->path, err);
    if (rc != TM_OK) goto cleanup;
    int src = read_member(za, "word/styles.xml", &sxml, &sn, doc->path, err);
    if (src < 0) {
        rc = src;
        goto cleanup;
    }
    x = parse_xml(xml, n);
    if (!x || !xmlDocGetRootElement(x)) {
        const xmlError *e = xmlGetLastError();
        rc = tm_err_set(err, TM_EFORMAT,
                        "%s: damaged Word document: word/document.xml is not XML%s%s", doc->path,
                        e && e->message ? ": " : "", e && e->message ? e->message : "");
        goto cleanup;
    }
    wctx c = {&tb, NULL, 0, 0, 0};
    if (sxml && (sx = parse_xml(sxml, sn)) != NULL) {
        styles = tm_calloc(MAX_STYLES, sizeof *styles);
        if (!styles) {
            rc = tm_err_set(err, TM_ENOMEM, "%s: out of memory", doc->path);
            goto cleanup;
        }
        c.styles = styles;
        load_styles(&c, sx);
    }
    const xmlNode *body = child(xmlDocGetRootElement(x), W_NS, "body");
    if (!body) {
        rc = tm_err_set(err, TM_EFORMAT, "%s: damaged Word document: word/document.xml has no body",
                        doc->path);
        goto cleanup;
    }
    w_block(&c, body);
    rc = tm_tb_finish(&tb, TM_FMT_DOCX, "Word document", err);
cleanup:
    tm_tb_dispose(&tb);
    tm_free(styles);
    if (x) xmlFreeDoc(x);
    if (sx) xmlFreeDoc(sx);
    tm_free(xml);
    tm_free(sxml);
    return rc;
}

/* ---------------------------------------------------------- OpenDocument */

typedef struct octx {
    tm_tb *tb;
    int in_cell, in_list, depth;
} octx;

static void o_block(octx *c, const xmlNode *parent);

static int o_skipped(const xmlNode *n)
{
    return is(n, TEXT_NS, "note") || is(n, OFFICE_NS, "annotation") ||
           is(n, OFFICE_NS, "annotation-end") || is(n, TEXT_NS, "tracked-changes") ||
           is(n, TEXT_NS, "table-of-content") || is(n, TEXT_NS, "alphabetical-index") ||
           is(n, TEXT_NS, "illustration-index") || is(n, TEXT_NS, "table-index") ||
           is(n, TEXT_NS, "sequence-decls") || is(n, TEXT_NS, "variable-decls") ||
           is(n, OFFICE_NS, "forms");
}

static void o_inline(octx *c, const xmlNode *parent)
{
    if (++c->depth > 200) {
        c->depth--;
        return;
    }
    for (const xmlNode *n = parent->children; n; n = n->next) {
        if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
            if (n->content)
                tm_tb_put(c->tb, (const char *)n->content, strlen((const char *)n->content), 1);
        } else if (n->type != XML_ELEMENT_NODE || o_skipped(n)) {
            continue;
        } else if (is(n, TEXT_NS, "s")) {
            char v[16];
            int k = attr(n, TEXT_NS, "c", v, sizeof v) ? atoi(v) : 1;
            for (int i = 0; i < k && i < 64; i++)
                tm_tb_put(c->tb, " ", 1, 0);
        } else if (is(n, TEXT_NS, "tab")) {
            tm_tb_put(c->tb, "\t", 1, 0);
        } else if (is(n, TEXT_NS, "line-break")) {
            if (c->in_cell)
                tm_tb_put(c->tb, " ", 1, 1);
            else
                tm_tb_break(c->tb, TB_LINE);
        } else if (is(n, TEXT_NS, "p") || is(n, TEXT_NS, "h")) {
            /* a frame's text box inside a paragraph: a line of its own */
            if (!c->in_cell) tm_tb_break(c->tb, TB_LINE);
            o_inline(c, n);
        } else {
            o_inline(c, n);
        }
    }
    c->depth--;
}

static void o_table(octx *c, const xmlNode *parent, int outer)
{
    for (const xmlNode *n = parent->children; n; n = n->next) {
        if (is(n, TABLE_NS, "table-row")) {
            if (outer) tm_tb_break(c->tb, TB_ROW);
            int cell = 0, was = c->in_cell;
            c->in_cell = 1;
            for (const xmlNode *tc = n->children; tc; tc = tc->next) {
                if (!is(tc, TABLE_NS, "table-cell")) continue;
                if (cell++) {
                    if (outer)
                        tm_tb_cell(c->tb);
                    else
                        tm_tb_put(c->tb, " ", 1, 1);
                }
                o_block(c, tc);
            }
            c->in_cell = was;
        } else if (is(n, TABLE_NS, "table-header-rows") || is(n, TABLE_NS, "table-rows") ||
                   is(n, TABLE_NS, "table-row-group")) {
            o_table(c, n, outer);
        }
    }
}

static void o_block(octx *c, const xmlNode *parent)
{
    if (++c->depth > 200) {
        c->depth--;
        return;
    }
    for (const xmlNode *n = parent->children; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE || o_skipped(n)) continue;
        int h = is(n, TEXT_NS, "h");
        if (h || is(n, TEXT_NS, "p")) {
            if (c->in_cell) {
                tm_tb_put(c->tb, " ", 1, 1);
                o_inline(c, n);
                continue;
            }
            tm_tb_break(c->tb, c->in_list ? TB_ROW : TB_PARA);
            char v[16];
            if (h)
                tm_tb_prefix(
                    c->tb,
                    heading_prefix(attr(n, TEXT_NS, "outline-level", v, sizeof v) ? atoi(v) : 1));
            else if (c->in_list)
                tm_tb_prefix(c->tb, "- ");
            o_inline(c, n);
            c->tb->prefix = NULL;
            tm_tb_break(c->tb, c->in_list ? TB_ROW : TB_PARA);
        } else if (is(n, TEXT_NS, "list")) {
            c->in_list++;
            o_block(c, n);
            c->in_list--;
            if (!c->in_list) tm_tb_break(c->tb, TB_PARA);
        } else if (is(n, TABLE_NS, "table")) {
            int outer = !c->in_cell;
            if (outer) tm_tb_break(c->tb, TB_PARA);
            o_table(c, n, outer);
            if (outer) tm_tb_break(c->tb, TB_PARA);
        } else {
            o_block(c, n);
        }
    }
    c->depth--;
}

static int convert_odt(tm_doc *doc, zip_t *za, tm_err *err)
{
    char *xml = NULL;
    size_t n = 0;
    xmlDocPtr x = NULL;
    tm_tb tb;
    tm_tb_init(&tb, doc);
    int rc = read_member(za, "content.xml", &xml, &n, doc->path, err);
    if (rc != TM_OK) goto cleanup;
    x = parse_xml(xml, n);
    const xmlNode *body = x ? child(xmlDocGetRootElement(x), OFFICE_NS, "body") : NULL;
    const xmlNode *text = child(body, OFFICE_NS, "text");
    if (!text) {
        rc = tm_err_set(err, TM_EFORMAT,
                        "%s: damaged OpenDocument file: content.xml has no text body", doc->path);
        goto cleanup;
    }
    octx c = {&tb, 0, 0, 0};
    o_block(&c, text);
    rc = tm_tb_finish(&tb, TM_FMT_ODT, "OpenDocument text", err);
cleanup:
    tm_tb_dispose(&tb);
    if (x) xmlFreeDoc(x);
    tm_free(xml);
    return rc;
}

/* ------------------------------------------------------------- dispatch */

int tm_convert__zip(tm_doc *doc, tm_err *err)
{
    tm_convert__xml_init();
    zip_error_t ze;
    zip_error_init(&ze);
    zip_t *za = NULL;
    char *mime = NULL;
    size_t mn = 0;
    int rc;
    zip_source_t *src = zip_source_buffer_create(doc->raw, doc->raw_len, 0, &ze);
    if (!src) {
        rc = tm_err_set(err, TM_ENOMEM, "%s: out of memory opening the ZIP archive", doc->path);
        goto cleanup;
    }
    za = zip_open_from_source(src, ZIP_RDONLY, &ze);
    if (!za) {
        zip_source_free(src);
        rc = tm_err_set(err, TM_EFORMAT,
                        "%s: damaged ZIP archive (Word or OpenDocument file?): %s; save it again "
                        "or ask the sender for a fresh copy",
                        doc->path, zip_error_strerror(&ze));
        goto cleanup;
    }
    if (zip_name_locate(za, "word/document.xml", 0) >= 0) {
        rc = convert_docx(doc, za, err);
    } else if (zip_name_locate(za, "content.xml", 0) >= 0) {
        rc = read_member(za, "mimetype", &mime, &mn, doc->path, err);
        if (rc < 0) goto cleanup;
        if (mime && strncmp(mime, "application/vnd.oasis.opendocument.text", 39) != 0)
            rc = tm_err_set(err, TM_EFORMAT,
                            "%s: an OpenDocument file that is not a text document (%.60s): "
                            "export it as .odt, .docx or PDF",
                            doc->path, mime);
        else
            rc = convert_odt(doc, za, err);
    } else {
        rc = tm_err_set(err, TM_EFORMAT,
                        "%s: a ZIP archive that is neither a Word (.docx) nor an OpenDocument "
                        "text (.odt) document: unpack it and give the documents inside",
                        doc->path);
    }
cleanup:
    tm_free(mime);
    if (za) zip_discard(za);
    zip_error_fini(&ze);
    return rc;
}
