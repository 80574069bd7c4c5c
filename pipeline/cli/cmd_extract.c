/*
 * cmd_extract.c: `tension extract --jsonl PATH...`, the contract of
 * ../shared/spec/extract.md. No database is touched. With no PATH (or "-")
 * the paths are read from standard input, one per line, so the command runs
 * unchanged as a Hadoop Streaming or Spark pipe() mapper.
 */
#include "cli.h"
#include "tm/extract.h"
#include "tm/pipeline.h"
#include "tm/walk.h"

#include <jansson.h>
#include <string.h>

typedef struct extract_run {
    tm_pipeline *pl;
    tm_doc doc;
    int failed;
    int mentions;
    int sentences;
} extract_run;

static void emit(json_t *o)
{
    if (!o)
        return;
    char *s = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII * 0);
    if (s) {
        fputs(s, stdout);
        fputc('\n', stdout);
        free(s);
    }
    json_decref(o);
}

static int extract_file(const char *path, void *payload)
{
    extract_run *r = payload;
    tm_err err = {0};
    tm_doc_reset(&r->doc);
    if (tm_pipeline_file(r->pl, &r->doc, path, &err) != TM_OK) {
        fprintf(stderr, "tension: %s\n", err.msg);
        emit(tm_extract_error_json(path, err.msg));
        r->failed = 1;
        return 0;
    }
    json_t *o = tm_extract_json(&r->doc);
    if (o && r->mentions)
        json_object_set_new(o, "mentions", tm_extract_mentions_json(&r->doc));
    if (o && r->sentences)
        json_object_set_new(o, "sentences", tm_extract_sentences_json(&r->doc));
    emit(o);
    return 0;
}

static void extract_problem(const char *path, const char *message, void *payload)
{
    extract_run *r = payload;
    char msg[1024];
    snprintf(msg, sizeof msg, "%s: %s", path, message);
    fprintf(stderr, "tension: %s\n", msg);
    emit(tm_extract_error_json(path, msg));
    r->failed = 1;
}

void tm_cmd_extract_help(FILE *out)
{
    fprintf(out,
            "usage: tension extract [--jsonl] [--lexicons DIR] [PATH...]\n\n"
            "Reads each file (folders recursively) through the whole pipeline and prints one\n"
            "JSON object per document on standard output, in the order given. No database is\n"
            "used. Diagnostics go to standard error. With no PATH, or PATH '-', reads the\n"
            "paths from standard input, one per line (for Hadoop Streaming / Spark pipe()).\n\n"
            "  --jsonl          one compact JSON object per line (the default and only format)\n"
            "  --lexicons DIR   lexicon folder (default: $TENSION_LEXICONS, ./lexicons)\n"
            "  --mentions       add every mention (cues, negated and dropped ones too) for review\n"
            "  --sentences      add every sentence with its section, speaker and offsets\n"
            "  -h, --help       show this help\n\n"
            "Exit status: 0, or 1 if any file could not be read (it still gets a line with\n"
            "'doc' and 'errors').\n");
}

int tm_cmd_extract(int argc, char **argv)
{
    static const struct option opts[] = {{"jsonl", no_argument, NULL, 'j'},
                                         {"lexicons", required_argument, NULL, 'L'},
                                         {"mentions", no_argument, NULL, 'm'},
                                         {"sentences", no_argument, NULL, 's'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *lexdir = NULL;
    int c, mentions = 0, sentences = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "hL:", opts, NULL)) != -1) {
        switch (c) {
        case 'j': break;
        case 'm': mentions = 1; break;
        case 's': sentences = 1; break;
        case 'L': lexdir = optarg; break;
        case 'h': tm_cmd_extract_help(stdout); return TM_EXIT_OK;
        default: tm_cmd_extract_help(stderr); return TM_EXIT_USAGE;
        }
    }
    tm_lexicon *lex = tm_cli_load_lexicon(tm_cli_lexicon_dir(lexdir));
    if (!lex)
        return TM_EXIT_ERROR;
    extract_run r = {0};
    r.mentions = mentions;
    r.sentences = sentences;
    tm_err err = {0};
    if (tm_pipeline_new(&r.pl, lex, &err) != TM_OK) {
        tm_cli_error("%s", err.msg);
        tm_lexicon_free(lex);
        return TM_EXIT_ERROR;
    }
    tm_doc_init(&r.doc);
    int from_stdin = optind >= argc || (optind + 1 == argc && !strcmp(argv[optind], "-"));
    if (from_stdin) {
        char *line = NULL;
        size_t cap = 0;
        ssize_t n;
        while ((n = getline(&line, &cap, stdin)) > 0) {
            while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
                line[--n] = '\0';
            /* Hadoop Streaming may prefix a key and a tab: the path is the last field */
            char *tab = strrchr(line, '\t');
            const char *path = tab ? tab + 1 : line;
            if (*path)
                tm_walk(path, extract_file, extract_problem, &r);
        }
        free(line);
    } else {
        for (int i = optind; i < argc; i++)
            tm_walk(argv[i], extract_file, extract_problem, &r);
    }
    tm_doc_dispose(&r.doc);
    tm_pipeline_free(r.pl);
    tm_lexicon_free(lex);
    if (tm_cli_close_stdout() != 0)
        return TM_EXIT_ERROR;
    return r.failed ? TM_EXIT_SKIPPED : TM_EXIT_OK;
}
