/*
 * cmd_lexicon.c: `tension lexicon check [DIR]` validates the tables and
 * self-tests every phrase (its own surface, read as a document, must match
 * it); `tension lexicon stems [DIR]` prints the symbols each phrase compiles
 * to, for review of what the stemmer does to names and places.
 */
#include "cli.h"
#include "tm/pipeline.h"

#include <string.h>

void tm_cmd_lexicon_help(FILE *out)
{
    fprintf(out,
            "usage: tension lexicon check [DIR]\n"
            "       tension lexicon stems [DIR]\n\n"
            "check  loads and validates every lexicon file (errors as file:line), then reads\n"
            "       each phrase's own surface text through the same tokeniser and stemmer as a\n"
            "       document and fails if the phrase does not match it.\n"
            "stems  prints each phrase entry with the symbols it is matched on: w:word for a\n"
            "       word matched as written (protected words, places, organisations,\n"
            "       acronyms, with ^ when it must be capitalised and ^^ when all capitals),\n"
            "       s:stem for a Snowball stem.\n\n"
            "DIR defaults to $TENSION_LEXICONS, else ./lexicons.\n"
            "Exit status: 0 all good, 1 problems found, 2 usage error, 3 could not load.\n");
}

/* Does the entry's own surface, read as a document, produce its mention? */
static int selftest_entry(tm_pipeline *pl, tm_doc *doc, const tm_lex_entry *e, size_t index)
{
    tm_err err = {0};
    tm_doc_reset(doc);
    if (tm_pipeline_bytes(pl, doc, e->file, e->surface, strlen(e->surface), &err) != TM_OK)
        return 0;
    for (size_t i = 0; i < doc->mentions.n; i++) {
        const tm_mention *m = &doc->mentions.v[i];
        if (m->entry == index) return 1;
        if (m->cat == e->cat && !strcmp(m->id, e->id) && m->tok_count == doc->tokens.n) return 1;
    }
    /* a longer entry of the same category may legitimately win */
    for (size_t i = 0; i < doc->mentions.n; i++) {
        const tm_mention *m = &doc->mentions.v[i];
        if (m->cat == e->cat && m->tok_count > e->nwords) return 1;
    }
    return 0;
}

static int check(const char *dir)
{
    tm_lexicon *lex = tm_cli_load_lexicon(dir);
    if (!lex) return TM_EXIT_SKIPPED;
    tm_pipeline *pl = NULL;
    tm_err err = {0};
    if (tm_pipeline_new(&pl, lex, &err) != TM_OK) {
        tm_cli_error("%s", err.msg);
        tm_lexicon_free(lex);
        return TM_EXIT_ERROR;
    }
    tm_doc doc;
    tm_doc_init(&doc);
    size_t n = tm_lexicon_entry_count(lex), failed = 0, phrases = 0, regexes = 0;
    for (size_t i = 0; i < n; i++) {
        const tm_lex_entry *e = tm_lexicon_entry(lex, i);
        if (e->is_regex) {
            regexes++;
            continue;
        }
        phrases++;
        if (!selftest_entry(pl, &doc, e, i)) {
            failed++;
            fprintf(stderr, "%s:%d: %s/%s \"%s\" does not match its own text\n", e->file, e->line,
                    tm_category_name(e->cat), e->id, e->surface);
        }
    }
    tm_doc_dispose(&doc);
    tm_pipeline_free(pl);
    printf("%s: version %s, hash %s\n", dir, tm_lexicon_version(lex), tm_lexicon_hash(lex));
    printf("%zu identifiers, %zu phrases, %zu patterns; %zu phrase(s) fail the self-test\n",
           tm_lexicon_ident_count(lex), phrases, regexes, failed);
    tm_lexicon_free(lex);
    if (tm_cli_close_stdout() != 0) return TM_EXIT_ERROR;
    return failed ? TM_EXIT_SKIPPED : TM_EXIT_OK;
}

static int stems(const char *dir)
{
    tm_lexicon *lex = tm_cli_load_lexicon(dir);
    if (!lex) return TM_EXIT_ERROR;
    size_t n = tm_lexicon_entry_count(lex);
    for (size_t i = 0; i < n; i++) {
        const tm_lex_entry *e = tm_lexicon_entry(lex, i);
        printf("%s:%d\t%s\t%s\t%s\t", e->file, e->line, tm_category_name(e->cat), e->id,
               e->surface);
        if (e->is_regex) {
            printf("(regex)\n");
            continue;
        }
        for (size_t w = 0; w < e->nwords; w++) {
            uint8_t m = e->modes[w];
            printf("%s%s:%s%s", w ? " " : "", (m & TM_LEXW_SURFACE) ? "w" : "s",
                   tm_lexicon_sym_text(lex, e->syms[w]),
                   (m & TM_LEXW_UPPER) ? "^^"
                   : (m & TM_LEXW_CAP) ? "^"
                                       : "");
        }
        putchar('\n');
    }
    tm_lexicon_free(lex);
    return tm_cli_close_stdout() != 0 ? TM_EXIT_ERROR : TM_EXIT_OK;
}

int tm_cmd_lexicon(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
        tm_cmd_lexicon_help(argc < 2 ? stderr : stdout);
        return argc < 2 ? TM_EXIT_USAGE : TM_EXIT_OK;
    }
    if (argc > 3) {
        tm_cmd_lexicon_help(stderr);
        return TM_EXIT_USAGE;
    }
    const char *dir = tm_cli_lexicon_dir(argc == 3 ? argv[2] : NULL);
    if (!strcmp(argv[1], "check")) return check(dir);
    if (!strcmp(argv[1], "stems")) return stems(dir);
    tm_cli_error("unknown lexicon command '%s' (check or stems)", argv[1]);
    return TM_EXIT_USAGE;
}
