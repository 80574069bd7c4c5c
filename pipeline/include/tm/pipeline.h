/*
 * pipeline.h: the document stages run in order on one tm_doc.
 *
 * A tm_pipeline belongs to one thread: it owns a stemmer (libstemmer state
 * and stem cache) and a tagger (PCRE2 match data) and borrows the lexicon,
 * which any number of pipelines may share.
 *
 * Usage:
 *     tm_pipeline *pl;
 *     tm_pipeline_new(&pl, lex, &err);
 *     tm_doc doc; tm_doc_init(&doc);
 *     for each path: tm_doc_reset(&doc); tm_pipeline_file(pl, &doc, path, &err); ...
 *     tm_doc_dispose(&doc); tm_pipeline_free(pl);
 */
#ifndef TM_PIPELINE_H
#define TM_PIPELINE_H

#include "tm/common.h"
#include "tm/doc.h"
#include "tm/lexicon.h"

typedef struct tm_pipeline tm_pipeline;

int tm_pipeline_new(tm_pipeline **out, const tm_lexicon *lex, tm_err *err);
void tm_pipeline_free(tm_pipeline *pl);

/* Segment, tokenise, stem, tag and signals on a doc that ingest filled. */
int tm_pipeline_process(tm_pipeline *pl, tm_doc *doc, tm_err *err);

/* Ingest `path` into a reset doc, then process it. On error the doc must not
 * be stored; `err` names the file and the problem. */
int tm_pipeline_file(tm_pipeline *pl, tm_doc *doc, const char *path, tm_err *err);

/* The same for bytes already in memory. */
int tm_pipeline_bytes(tm_pipeline *pl, tm_doc *doc, const char *path, const void *bytes, size_t n,
                      tm_err *err);

const tm_lexicon *tm_pipeline_lexicon(const tm_pipeline *pl);

#endif
