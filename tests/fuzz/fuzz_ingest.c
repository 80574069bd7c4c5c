/*
 * fuzz_ingest.c: arbitrary bytes through ingest (encoding detection,
 * conversion, normalisation) and segment (lines, metadata, sections,
 * sentences, speakers). Checks the tm_doc contract on what comes out.
 */
#include "fuzz.h"
#include "tm/doc.h"
#include "tm/ingest.h"
#include "tm/segment.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tm_doc doc;
    tm_doc_init(&doc);
    tm_err err = {0};
    if (tm_ingest_bytes(&doc, "fuzz.txt", data, size, &err) == TM_OK) {
        TM_FUZZ_CHECK(doc.text && doc.text[doc.text_len] == '\0');
        TM_FUZZ_CHECK(strlen(doc.sha256) == 64);
        for (size_t i = 0; i <= doc.text_len; i++)
            TM_FUZZ_CHECK(tm_doc_raw_offset(&doc, i) <= size);
        tm_err_clear(&err);
        if (tm_segment_doc(&doc, &err) == TM_OK) {
            for (size_t i = 0; i < doc.sentences.n; i++) {
                const tm_sentence *s = &doc.sentences.v[i];
                TM_FUZZ_CHECK(s->off < s->end && s->end <= doc.text_len);
                TM_FUZZ_CHECK(s->section >= -1 && s->section < (int)doc.sections.n);
                TM_FUZZ_CHECK(s->speaker >= -1 && s->speaker < (int)doc.speakers.n);
            }
            for (size_t i = 0; i < doc.sections.n; i++)
                TM_FUZZ_CHECK(doc.sections.v[i].off <= doc.sections.v[i].end &&
                              doc.sections.v[i].end <= doc.text_len);
        }
    } else {
        TM_FUZZ_CHECK(err.code != TM_OK && strstr(err.msg, "fuzz.txt"));
    }
    tm_doc_dispose(&doc);
    return 0;
}
