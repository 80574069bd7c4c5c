/*
 * fuzz_tag.c: the whole document pipeline (ingest, segment, tokenise, stem,
 * tag, signals) on arbitrary text with the fixture lexicon
 * (tests/fixtures/lexicon, which has phrases, protected words, ambiguous
 * places and a regex), then store into an in-memory database. The store
 * checks every index and offset of the doc before writing, so a pipeline
 * bug shows as TM_EINVAL and aborts here.
 */
#include "fuzz.h"
#include "tm/lexicon.h"
#include "tm/pipeline.h"
#include "tm/store.h"

#include <string.h>

#ifndef TM_SOURCE_DIR
#error "TM_SOURCE_DIR must name the repository root"
#endif

static tm_lexicon *lex;
static tm_pipeline *pl;
static tm_store *store;

static void setup(void)
{
    tm_err err = {0};
    if (tm_lexicon_load(&lex, TM_SOURCE_DIR "/tests/fixtures/lexicon", NULL, NULL, &err) != TM_OK ||
        tm_pipeline_new(&pl, lex, &err) != TM_OK ||
        tm_store_open(&store, ":memory:", &err) != TM_OK) {
        fprintf(stderr, "fuzz_tag: setup failed: %s\n", err.msg);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!lex) setup();
    tm_doc doc;
    tm_doc_init(&doc);
    tm_err err = {0};
    int rc = tm_pipeline_bytes(pl, &doc, "fuzz.txt", data, size, &err);
    if (rc == TM_OK) {
        for (size_t i = 0; i < doc.mentions.n; i++) {
            const tm_mention *m = &doc.mentions.v[i];
            TM_FUZZ_CHECK(m->tok_count >= 1 && m->tok_first + m->tok_count <= doc.tokens.n);
            TM_FUZZ_CHECK(m->off < m->end && m->end <= doc.text_len && m->sent < doc.sentences.n);
            TM_FUZZ_CHECK(i == 0 || doc.mentions.v[i - 1].tok_first <= m->tok_first);
        }
        tm_store_meta meta = {tm_lexicon_version(lex), tm_lexicon_hash(lex), (int64_t)size};
        rc = tm_store_doc(store, &doc, &meta, &err);
        if (rc != TM_OK) fprintf(stderr, "fuzz_tag: %s\n", err.msg);
        TM_FUZZ_CHECK(rc == TM_OK);
    } else {
        TM_FUZZ_CHECK(rc == TM_EFORMAT && strstr(err.msg, "fuzz.txt"));
    }
    tm_doc_dispose(&doc);
    return 0;
}
