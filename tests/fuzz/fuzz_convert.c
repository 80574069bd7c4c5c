/*
 * fuzz_convert.c: libFuzzer target for the format parsers (Word and
 * OpenDocument ZIP/XML, PDF, HTML, e-mail) behind tm_ingest_bytes, and for
 * the e-mail attachment walk that `tension` uses to expand messages.
 *
 * Build (clang): see tests/fuzz/README.md. The input's content decides the
 * format, exactly as for a file; seeds for each format are written by
 * tests/e2e/docfixtures.py.
 */
#include "tm/convert.h"
#include "tm/ingest.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int count_part(unsigned index, const char *name, const unsigned char *bytes, size_t n,
                      void *payload)
{
    (void)index, (void)name;
    /* every attachment goes through ingest, as `tension` does */
    tm_doc doc;
    tm_err err = {0};
    tm_doc_init(&doc);
    tm_ingest_bytes(&doc, "fuzz.eml#1:part", bytes, n, &err);
    tm_doc_dispose(&doc);
    ++*(size_t *)payload;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tm_doc doc;
    tm_err err = {0};
    tm_doc_init(&doc);
    if (tm_ingest_bytes(&doc, "fuzz", data, size, &err) == TM_OK) {
        /* the contract the later stages rely on */
        if (!doc.text || doc.text[doc.text_len] != '\0') __builtin_trap();
        for (size_t i = 1; i < doc.blocks.n; i++)
            if (doc.blocks.v[i].off < doc.blocks.v[i - 1].off || doc.blocks.v[i].off > doc.text_len)
                __builtin_trap();
    }
    tm_doc_dispose(&doc);
    if (tm_convert_sniff(data, size) == TM_FMT_EML) {
        size_t parts = 0;
        tm_err e2 = {0};
        tm_convert_eml_attachments(data, size, NULL, count_part, &parts, &e2);
    }
    return 0;
}
