/*
 * cmd_search.c: `tension search`: full-text search over stored sentences,
 * printed as readable evidence or as JSON lines.
 */
#include "cli.h"
#include "tm/lexicon.h"
#include "tm/redact.h"
#include "tm/search.h"
#include "tm/store.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void tm_cmd_search_help(FILE *out)
{
    fprintf(out,
            "usage: tension search [--db PATH] [--community ID] [--theme ID] [--from D] [--to D]\n"
            "                      [--limit N] [--jsonl] [--redact] QUERY\n\n"
            "Finds stored sentences that match QUERY, best match first (bm25), and prints each\n"
            "with where it came from: document, date, section, speaker role and byte offsets.\n\n"
            "QUERY is SQLite FTS5 syntax: words (matched on their stem: 'search' finds\n"
            "'searches'), \"exact phrases\", AND, OR, NOT (capitals), prefix*, NEAR(a b, 5).\n"
            "Quote anything with punctuation: '\"s.60\"'. Examples:\n"
            "  tension search 'mosque AND graffiti'\n"
            "  tension search --community somali --theme section_60 'video'\n\n"
            "  --db PATH        database (default: tension.db)\n"
            "  --community ID   only sentences that mention this community (e.g. somali)\n"
            "  --theme ID       only sentences that mention this theme or indicator\n"
            "  --from D         first document date (YYYY-MM-DD)\n"
            "  --to D           last document date (inclusive)\n"
            "  --limit N        at most N results (default %d; 0 = no limit)\n"
            "  --jsonl          one JSON object per line instead of text\n"
            "  --redact         names become [name], initials roles, paths kind and date\n"
            "  --lexicons DIR   lexicon folder (used by --redact)\n"
            "  -h, --help       show this help\n",
            TM_SEARCH_DEFAULT_LIMIT);
}

typedef struct out_ctx {
    int jsonl;
    tm_redactor *red; /* NULL unless --redact */
    json_t *docs;
    tm_err *err;
    int64_t hits;
} out_ctx;

/* A redacted copy of the hit's text, with its document's speakers. */
static char *redact_hit(out_ctx *o, const tm_search_hit *h, const char *text)
{
    const json_t *sp = json_object_get(json_object_get(o->docs, h->doc), "speakers");
    size_t n = 0;
    tm_redact_speaker *v = calloc(json_object_size(sp) + 1, sizeof *v);
    char *red = NULL;
    if (!v) return NULL;
    const char *k;
    json_t *role;
    json_object_foreach((json_t *)sp, k, role)
    {
        v[n].initials = k;
        v[n].role = json_string_value(role);
        n++;
    }
    tm_redact_text(&red, o->red, text, v, n, o->err);
    free(v);
    return red;
}

static int print_hit(const tm_search_hit *h, void *payload)
{
    out_ctx *o = payload;
    char *text = NULL, *section = NULL, label[96];
    const char *doc = h->doc;
    o->hits++;
    if (o->red) {
        text = redact_hit(o, h, h->text ? h->text : "");
        section = h->section ? redact_hit(o, h, h->section) : NULL;
        if (!text || (h->section && !section)) {
            free(text);
            free(section);
            return tm_err_set(o->err, TM_ENOMEM, "search: out of memory");
        }
        tm_redact_doc_label(label, sizeof label, h->kind, h->date);
        doc = label;
    }
    const char *t = text ? text : h->text, *sec = o->red ? section : h->section;
    int rc = TM_OK;
    if (o->jsonl) {
        json_t *j = json_object();
        if (j) {
            json_object_set_new(j, "rank", json_integer(h->rank));
            json_object_set_new(j, "score", json_real(h->score));
            json_object_set_new(j, "doc", json_string(doc));
            json_object_set_new(j, "kind", json_string(h->kind ? h->kind : "other"));
            json_object_set_new(j, "date", h->date ? json_string(h->date) : json_null());
            json_object_set_new(j, "section", sec ? json_string(sec) : json_null());
            json_object_set_new(j, "speaker_role", h->role ? json_string(h->role) : json_null());
            if (!o->red)
                json_object_set_new(j, "speaker",
                                    h->speaker ? json_string(h->speaker) : json_null());
            json_object_set_new(j, "start", json_integer(h->start));
            json_object_set_new(j, "end", json_integer(h->end));
            json_object_set_new(j, "text", json_string(t ? t : ""));
        }
        char *line =
            j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(6)) : NULL;
        if (line)
            printf("%s\n", line);
        else
            rc = tm_err_set(o->err, TM_ENOMEM, "search: out of memory");
        free(line);
        json_decref(j);
    } else {
        printf("%lld. %s", (long long)h->rank, doc);
        if (h->date && !o->red) printf(" (%s)", h->date);
        if (sec) printf(", section \"%s\"", sec);
        if (h->role || h->speaker) {
            printf(", %s", h->role ? h->role : "speaker");
            if (h->speaker && !o->red) printf(" (%s)", h->speaker);
        }
        printf(", bytes %lld-%lld\n   %s\n\n", (long long)h->start, (long long)h->end, t ? t : "");
    }
    free(text);
    free(section);
    return rc;
}

int tm_cmd_search(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                         {"community", required_argument, NULL, 'c'},
                                         {"theme", required_argument, NULL, 'T'},
                                         {"from", required_argument, NULL, 'f'},
                                         {"to", required_argument, NULL, 't'},
                                         {"limit", required_argument, NULL, 'n'},
                                         {"jsonl", no_argument, NULL, 'j'},
                                         {"redact", no_argument, NULL, 'R'},
                                         {"lexicons", required_argument, NULL, 'L'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *db = "tension.db", *lexdir = NULL;
    tm_search_opts so = {0};
    int jsonl = 0, redact = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "hd:c:T:f:t:n:jRL:", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            db = optarg;
            break;
        case 'c':
            so.community = optarg;
            break;
        case 'T':
            so.theme = optarg;
            break;
        case 'f':
            so.from = optarg;
            break;
        case 't':
            so.to = optarg;
            break;
        case 'n': {
            char *end;
            long long n = strtoll(optarg, &end, 10);
            if (*end || n < 0) {
                tm_cli_error("--limit %s: not a count (0 or more)", optarg);
                return TM_EXIT_USAGE;
            }
            so.limit = n == 0 ? -1 : n;
            break;
        }
        case 'j':
            jsonl = 1;
            break;
        case 'R':
            redact = 1;
            break;
        case 'L':
            lexdir = optarg;
            break;
        case 'h':
            tm_cmd_search_help(stdout);
            return TM_EXIT_OK;
        default:
            tm_cmd_search_help(stderr);
            return TM_EXIT_USAGE;
        }
    }
    if (argc - optind != 1) {
        tm_cli_error("search needs one QUERY (quote it: tension search 'knife AND video'); "
                     "see 'tension search --help'");
        return TM_EXIT_USAGE;
    }
    so.query = argv[optind];
    if (tm_cli_need_db(db)) return TM_EXIT_ERROR;
    tm_err err = {0};
    tm_lexicon *lex = NULL;
    tm_store *st = NULL;
    out_ctx o = {jsonl, NULL, NULL, &err, 0};
    int rc = TM_EXIT_OK;
    if (redact && !(lex = tm_cli_load_lexicon(tm_cli_lexicon_dir(lexdir)))) return TM_EXIT_ERROR;
    int trc = tm_store_open(&st, db, &err);
    if (trc == TM_OK && redact) {
        trc = tm_redactor_new(&o.red, lex, &err);
        if (trc == TM_OK) trc = tm_redact_docs_load(&o.docs, st, &err);
    }
    if (trc == TM_OK) trc = tm_search(st, &so, print_hit, &o, &err);
    if (trc != TM_OK) {
        tm_cli_error("%s", err.msg);
        rc = trc == TM_EINVAL ? TM_EXIT_USAGE : TM_EXIT_ERROR;
    } else if (!jsonl && o.hits == 0) {
        fprintf(stderr, "tension: no sentence matches '%s'\n", so.query);
    }
    if (tm_cli_close_stdout() != 0) rc = TM_EXIT_ERROR;
    tm_redactor_free(o.red);
    json_decref(o.docs);
    tm_store_close(st);
    tm_lexicon_free(lex);
    return rc;
}
