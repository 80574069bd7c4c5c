/*
 * cmd_extract.c: `tension extract --jsonl PATH...`, the contract of
 * ../shared/spec/extract.md. No database is touched. With no PATH (or "-")
 * the paths are read from standard input, one per line, so the command runs
 * unchanged as a Hadoop Streaming or Spark pipe() mapper. Documents are read
 * by --jobs worker threads and printed in input order.
 */
#include "cli.h"
#include "inputs.h"
#include "tm/docjson.h"
#include "tm/extract.h"
#include "tm/ingest.h"
#include "tm/parallel.h"

#include <string.h>

typedef struct extract_run {
    tm_inputs *in;
    int failed;
    int mentions;
    int sentences;
    int full; /* --full: what ingest --from-jsonl needs */
    const tm_lexicon *lex;
} extract_run;

/* Renders one JSON line into the doc's arena (doc->rendered). */
static int render(tm_doc *doc, const char *path, const extract_run *r, tm_err *err)
{
    tm_jw w;
    if (tm_jw_init(&w) != TM_OK)
        return tm_err_set(err, TM_ENOMEM, "%s: out of memory writing its JSON", path);
    /* the line is about 3.4 times the file (more with the options) */
    if (tm_jw_reserve(&w, doc->raw_len * 4 + 4096) != TM_OK) w.failed = 1;
    int rc = TM_OK;
    tm_jw_open_object(&w);
    tm_extract_write(&w, doc);
    if (r->mentions) {
        tm_jw_key(&w, "mentions");
        tm_extract_write_mentions(&w, doc);
    }
    if (r->sentences) {
        tm_jw_key(&w, "sentences");
        tm_extract_write_sentences(&w, doc);
    }
    if (r->full)
        rc = tm_docjson_write_full(&w, "full", doc, (int64_t)doc->raw_len,
                                   tm_lexicon_version(r->lex), tm_lexicon_hash(r->lex), err);
    tm_jw_close_object(&w);
    char *line = rc == TM_OK && !w.failed ? tm_arena_alloc(&doc->arena, w.len + 1) : NULL;
    if (line) {
        memcpy(line, w.buf, w.len);
        line[w.len] = '\n';
        doc->rendered = line;
        doc->rendered_len = w.len + 1;
    } else if (rc == TM_OK) {
        rc = tm_err_set(err, TM_ENOMEM, "%s: out of memory writing its JSON", path);
    }
    tm_jw_dispose(&w);
    return rc;
}

static int extract_next(tm_par_item *item, void *payload)
{
    return tm_inputs_next(item, ((extract_run *)payload)->in);
}

/* Runs in a worker: the document is read, processed and rendered to its
 * JSON line there, so the consumer only writes lines in order. */
static int extract_work(tm_pipeline *pl, tm_doc *doc, tm_par_item *item, tm_err *err, void *payload)
{
    extract_run *r = payload;
    const char *path = item->path;
    if (item->note) return tm_err_set(err, TM_ESKIP, "%s: %s", path, item->note);
    int rc = tm_pipeline_file(pl, doc, path, err);
    return rc == TM_OK ? render(doc, path, r, err) : rc;
}

static int extract_consume(tm_doc *doc, const tm_par_item *item, int rc, const tm_err *err,
                           void *payload)
{
    extract_run *r = payload;
    const char *path = item->path;
    if (rc != TM_OK) {
        fprintf(stderr, "tension: %s\n", err->msg);
        tm_jw w;
        if (tm_jw_init(&w) == TM_OK) {
            tm_extract_write_error(&w, path, err->msg);
            if (!w.failed) {
                fwrite(w.buf, 1, w.len, stdout);
                fputc('\n', stdout);
            }
            tm_jw_dispose(&w);
        }
        r->failed = 1;
        return 0;
    }
    fwrite(doc->rendered, 1, doc->rendered_len, stdout);
    return 0;
}

void tm_cmd_extract_help(FILE *out)
{
    fprintf(out,
            "usage: tension extract [--jsonl] [--jobs N] [--lexicons DIR] [PATH...]\n\n"
            "Reads each file (folders recursively) through the whole pipeline and prints one\n"
            "JSON object per document on standard output, in the order given. No database is\n"
            "used. Diagnostics go to standard error. With no PATH, or PATH '-', reads the\n"
            "paths from standard input, one per line (for Hadoop Streaming / Spark pipe()).\n\n"
            "  --jsonl          one compact JSON object per line (the default and only format)\n"
            "  -j, --jobs N     worker threads (default: the number of cores; output is the\n"
            "                   same for any N)\n"
            "  --lexicons DIR   lexicon folder (default: $TENSION_LEXICONS, ./lexicons)\n"
            "  --mentions       add every mention (cues, negated and dropped ones too) for review\n"
            "  --sentences      add every sentence with its section, speaker and offsets\n"
            "  --full           add \"full\": the text and every derived record, for\n"
            "                   'tension ingest --from-jsonl' (distributed runs)\n"
            "  -h, --help       show this help\n\n"
            "Exit status: 0, or 1 if any file could not be read (it still gets a line with\n"
            "'doc' and 'errors').\n");
}

int tm_cmd_extract(int argc, char **argv)
{
    static const struct option opts[] = {
        {"jsonl", no_argument, NULL, 'J'},          {"jobs", required_argument, NULL, 'j'},
        {"lexicons", required_argument, NULL, 'L'}, {"mentions", no_argument, NULL, 'm'},
        {"sentences", no_argument, NULL, 's'},      {"full", no_argument, NULL, 'F'},
        {"help", no_argument, NULL, 'h'},           {NULL, 0, NULL, 0}};
    const char *lexdir = NULL;
    int c, jobs = tm_par_cores();
    extract_run r = {0};
    optind = 1;
    while ((c = getopt_long(argc, argv, "hj:L:", opts, NULL)) != -1) {
        switch (c) {
        case 'J':
            break;
        case 'j':
            if ((jobs = tm_cli_parse_jobs(optarg)) < 0) {
                tm_cli_error("--jobs %s: give a number from 0 (all cores) to 256", optarg);
                return TM_EXIT_USAGE;
            }
            break;
        case 'L':
            lexdir = optarg;
            break;
        case 'm':
            r.mentions = 1;
            break;
        case 's':
            r.sentences = 1;
            break;
        case 'F':
            r.full = 1;
            break;
        case 'h':
            tm_cmd_extract_help(stdout);
            return TM_EXIT_OK;
        default:
            tm_cmd_extract_help(stderr);
            return TM_EXIT_USAGE;
        }
    }
    tm_lexicon *lex = tm_cli_load_lexicon(tm_cli_lexicon_dir(lexdir));
    if (!lex) return TM_EXIT_ERROR;
    int from_stdin = optind >= argc || (optind + 1 == argc && !strcmp(argv[optind], "-"));
    tm_err err = {0};
    tm_inputs *in = NULL;
    int rc =
        tm_inputs_start(&in, (const char *const *)argv + optind,
                        from_stdin ? 0 : (size_t)(argc - optind), from_stdin ? stdin : NULL, &err);
    r.in = in;
    r.lex = lex;
    if (rc == TM_OK)
        rc = tm_par_run(lex, extract_next, jobs, extract_work, extract_consume, &r, &err);
    if (rc != TM_OK) tm_cli_error("%s", err.msg);
    tm_inputs_free(in);
    tm_lexicon_free(lex);
    if (tm_cli_close_stdout() != 0 || rc != TM_OK) return TM_EXIT_ERROR;
    return r.failed ? TM_EXIT_SKIPPED : TM_EXIT_OK;
}
