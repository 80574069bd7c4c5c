/*
 * pipeline.c: the stage table and the per-document driver.
 */
#include "tm/pipeline.h"
#include "tm/ingest.h"
#include "tm/segment.h"
#include "tm/signals.h"
#include "tm/stem.h"
#include "tm/tag.h"
#include "tm/tokenise.h"

#include <string.h>

struct tm_pipeline {
    const tm_lexicon *lex;
    tm_stemmer *stemmer;
    tm_tagger *tagger;
};

typedef struct stage {
    const char *name;
    int (*run)(tm_pipeline *pl, tm_doc *doc, tm_err *err);
} stage;

static int run_segment(tm_pipeline *pl, tm_doc *doc, tm_err *err)
{
    (void)pl;
    int rc = tm_segment_doc(doc, err);
    /* an e-mail and its attachments are dated by the message when the text is not */
    if (rc == TM_OK && doc->mail_date[0] && !doc->date[0]) {
        memcpy(doc->date, doc->mail_date, sizeof doc->date);
        if (!doc->period_date[0]) memcpy(doc->period_date, doc->mail_date, sizeof doc->period_date);
    }
    return rc;
}

static int run_tokenise(tm_pipeline *pl, tm_doc *doc, tm_err *err)
{
    (void)pl;
    return tm_tokenise_doc(doc, err);
}

static int run_stem(tm_pipeline *pl, tm_doc *doc, tm_err *err)
{
    return tm_stem_doc(pl->stemmer, doc, err);
}

static int run_tag(tm_pipeline *pl, tm_doc *doc, tm_err *err)
{
    return tm_tag_doc(pl->tagger, doc, err);
}

static int run_signals(tm_pipeline *pl, tm_doc *doc, tm_err *err)
{
    return tm_signals_doc(pl->lex, doc, err);
}

/* One fixed order: normalise (ingest) -> segment -> tokenise -> stem -> tag. */
static const stage doc_stages[] = {
    {"segment", run_segment}, {"tokenise", run_tokenise}, {"stem", run_stem},
    {"tag", run_tag},         {"signals", run_signals},
};

int tm_pipeline_new(tm_pipeline **out, const tm_lexicon *lex, tm_err *err)
{
    *out = NULL;
    tm_pipeline *pl = tm_calloc(1, sizeof *pl);
    if (!pl) return tm_err_set(err, TM_ENOMEM, "pipeline: out of memory");
    pl->lex = lex;
    int rc = tm_stemmer_new(&pl->stemmer, lex, err);
    if (rc == TM_OK) rc = tm_tagger_new(&pl->tagger, lex, err);
    if (rc != TM_OK) {
        tm_pipeline_free(pl);
        return rc;
    }
    *out = pl;
    return TM_OK;
}

void tm_pipeline_free(tm_pipeline *pl)
{
    if (!pl) return;
    tm_stemmer_free(pl->stemmer);
    tm_tagger_free(pl->tagger);
    tm_free(pl);
}

int tm_pipeline_process(tm_pipeline *pl, tm_doc *doc, tm_err *err)
{
    for (size_t i = 0; i < sizeof doc_stages / sizeof doc_stages[0]; i++) {
        int rc = doc_stages[i].run(pl, doc, err);
        if (rc != TM_OK) return rc;
    }
    return TM_OK;
}

int tm_pipeline_file(tm_pipeline *pl, tm_doc *doc, const char *path, tm_err *err)
{
    int rc = tm_ingest_file(doc, path, err);
    return rc != TM_OK ? rc : tm_pipeline_process(pl, doc, err);
}

int tm_pipeline_bytes(tm_pipeline *pl, tm_doc *doc, const char *path, const void *bytes, size_t n,
                      tm_err *err)
{
    int rc = tm_ingest_bytes(doc, path, bytes, n, err);
    return rc != TM_OK ? rc : tm_pipeline_process(pl, doc, err);
}

const tm_lexicon *tm_pipeline_lexicon(const tm_pipeline *pl)
{
    return pl->lex;
}
