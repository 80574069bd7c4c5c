/*
 * test_stem.c: folding, Snowball stems, the per-thread cache and the symbols
 * it writes into tokens.
 */
#include "tm/ingest.h"
#include "tm/lexicon.h"
#include "tm/segment.h"
#include "tm/stem.h"
#include "tm/tokenise.h"
#include "tm_test.h"

static void test_fold(void)
{
    char out[64];
    size_t n = tm_stem_fold(out, sizeof out, "SOMALI\xC3\x89t\xC3\xA9", 11);
    TM_CHECK_MEM(out, n, "somali\xC3\xA9t\xC3\xA9"); /* É folds to é */
    n = tm_stem_fold(out, sizeof out, "Don\xE2\x80\x99t", 7);
    TM_CHECK_MEM(out, n, "don't"); /* the typographic apostrophe becomes ' */
    n = tm_stem_key(out, sizeof out, "Police's", 8);
    TM_CHECK_MEM(out, n, "police");
    n = tm_stem_key(out, sizeof out, "it's", 4); /* too short to be a possessive */
    TM_CHECK_MEM(out, n, "it's");
    n = tm_stem_fold(out, 4, "abcdef", 6); /* truncated to the buffer */
    TM_CHECK_MEM(out, n, "abc");
}

static void test_snowball(void)
{
    tm_stemmer *st = NULL;
    tm_err err = {0};
    TM_CHECK_INT(tm_stemmer_new(&st, NULL, &err), TM_OK);
    static const struct {
        const char *word, *stem;
    } cases[] = {{"engagement", "engag"},
                 {"engaging", "engag"},
                 {"knives", "knive"},
                 {"people", "peopl"},
                 {"tensions", "tension"},
                 {"burglaries", "burglari"},
                 {"disproportionate", "disproportion"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t n;
        const char *s = tm_stem_word(st, cases[i].word, strlen(cases[i].word), &n);
        TM_CHECK(s != NULL);
        if (s) TM_CHECK_MEM(s, n, cases[i].stem);
    }
    tm_stemmer_free(st);
}

static void test_doc_symbols_and_cache(void)
{
    tm_lexicon *lex = NULL;
    tm_err err = {0};
    TM_CHECK_INT(tm_lexicon_load(&lex, TM_SOURCE_DIR "/tests/fixtures/lexicon", NULL, NULL, &err),
                 TM_OK);
    if (!lex) return;
    tm_stemmer *st = NULL;
    TM_CHECK_INT(tm_stemmer_new(&st, lex, &err), TM_OK);
    const char *text = "Engaging young people. Engagement with Thames Valley Police's team.";
    for (int round = 0; round < 2; round++) { /* the second round is served by the cache */
        tm_doc doc;
        tm_doc_init(&doc);
        TM_CHECK_INT(tm_ingest_bytes(&doc, "t.txt", text, strlen(text), &err), TM_OK);
        TM_CHECK_INT(tm_segment_doc(&doc, &err), TM_OK);
        TM_CHECK_INT(tm_tokenise_doc(&doc, &err), TM_OK);
        TM_CHECK_INT(tm_stem_doc(st, &doc, &err), TM_OK);
        TM_CHECK_INT((long long)doc.tokens.n, 9);
        uint32_t engag = tm_lexicon_sym(lex, 0, "engag", 5);
        TM_CHECK(engag != 0);
        TM_CHECK_INT(doc.tokens.v[0].stem_sym, engag); /* Engaging */
        TM_CHECK_INT(doc.tokens.v[3].stem_sym, engag); /* Engagement */
        /* "Police's" carries the surface symbol of "police" */
        TM_CHECK_INT(doc.tokens.v[7].word_sym, tm_lexicon_sym(lex, 1, "police", 6));
        TM_CHECK(doc.tokens.v[7].word_sym != 0);
        /* a word no entry uses has no symbols */
        TM_CHECK_INT(doc.tokens.v[4].word_sym, 0); /* with */
        TM_CHECK_INT(doc.tokens.v[4].stem_sym, 0);
        tm_doc_dispose(&doc);
    }
    tm_stemmer_free(st);
    tm_lexicon_free(lex);
}

static const tm_test_case cases[] = {{"fold", test_fold},
                                     {"snowball", test_snowball},
                                     {"doc_symbols_and_cache", test_doc_symbols_and_cache},
                                     {NULL, NULL}};

TM_TEST_MAIN(cases)
