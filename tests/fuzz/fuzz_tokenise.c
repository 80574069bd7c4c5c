/*
 * fuzz_tokenise.c: the word scanner on arbitrary bytes. Every token has a
 * length of at least 1 that stays in the buffer, words are at most
 * TM_TOKEN_MAX bytes, and a word never ends inside a valid UTF-8 character.
 * The stem keys of each word are computed too (case folding on raw bytes).
 */
#include "fuzz.h"
#include "tm/stem.h"
#include "tm/tokenise.h"
#include "tm/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t i = 0;
    while (i < size) {
        tm_tok_kind kind;
        size_t len = tm_tok_scan(data + i, size - i, &kind);
        TM_FUZZ_CHECK(len >= 1 && len <= size - i);
        TM_FUZZ_CHECK(kind == TM_TK_WORD || kind == TM_TK_SPACE || kind == TM_TK_PUNCT);
        if (kind == TM_TK_WORD) {
            TM_FUZZ_CHECK(len <= TM_TOKEN_MAX);
            (void)tm_tok_flags(data + i, len);
            char key[4 * TM_TOKEN_MAX + 8];
            size_t k = tm_stem_key(key, sizeof key, (const char *)data + i, len);
            TM_FUZZ_CHECK(k < sizeof key);
            k = tm_stem_fold(key, sizeof key, (const char *)data + i, len);
            TM_FUZZ_CHECK(k < sizeof key);
            /* the next byte is not a UTF-8 continuation of the last character */
            if (i + len < size) {
                uint32_t cp;
                size_t back = len;
                while (back > 0 && (data[i + back - 1] & 0xC0) == 0x80)
                    back--;
                if (back > 0 && data[i + back - 1] >= 0xC0 &&
                    tm_utf8_decode(data + i + back - 1, size - i - back + 1, &cp) > len - back + 1)
                    TM_FUZZ_CHECK(!"a word cut a UTF-8 character");
            }
        }
        i += len;
    }
    return 0;
}
