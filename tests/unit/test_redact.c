/*
 * test_redact.c: names and initials out, places, organisations, lexicon
 * words and ordinary capitalised words kept; with the real lexicon and
 * without one; the report walker (paths to labels, initials dropped).
 */
#include "tm/redact.h"
#include "tm_test.h"

static tm_lexicon *lex;
static tm_redactor *red;

static const tm_redact_speaker speakers[] = {
    {"RA", "IAG Chair"}, {"BW", "Youth Worker"}, {"PC", "TVP LPA Commander"}, {"XY", NULL}};

static void check_case(const char *in, const char *want)
{
    char *out = NULL;
    tm_err err = {0};
    TM_CHECK_INT(tm_redact_text(&out, red, in, speakers, 4, &err), TM_OK);
    TM_CHECK_STR(out, want);
    tm_free(out);
}

static void setup(void)
{
    if (lex) return;
    tm_err err = {0};
    TM_CHECK_INT(tm_lexicon_load(&lex, TM_SOURCE_DIR "/lexicons", NULL, NULL, &err), TM_OK);
    TM_CHECK_INT(tm_redactor_new(&red, lex, &err), TM_OK);
}

static void test_redact__names(void)
{
    setup();
    static const struct {
        const char *in, *want;
    } cases[] = {
        {"RA said that Denise Harlow, the victim's mother, spoke at the vigil.",
         "[IAG Chair] said that [name], the victim's mother, spoke at the vigil."},
        {"Mr Patel and Cllr Jones met PC Smith in Fishermead.",
         "Mr [name] and Cllr [name] met PC [name] in Fishermead."},
        {"Mrs Grace Whitfield saw it.", "Mrs [name] saw it."},
        {"Patel said it was calm.", "[name] said it was calm."},
        {"TJL said the Somali community in Bletchley feels targeted.",
         "[name] said the Somali community in Bletchley feels targeted."},
        {"The meeting thanked AB for the update.", "The meeting thanked [name] for the update."},
        {"AB and CD said no more.", "[name] and [name] said no more."},
        {"BW's talk was well received.", "[Youth Worker]'s talk was well received."},
        {"XY said so.", "[name] said so."},
        {"J. Smith attended.", "[name] attended."},
        {"Élise Dubois spoke.", "[name] spoke."},
        {"He said Marcus Okafor's car was hit.", "He said [name]'s car was hit."},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        check_case(cases[i].in, cases[i].want);
}

static void test_redact__keeps(void)
{
    setup();
    static const char *const keep[] = {
        "Parents in Fishermead and Springfield met at Campbell Park.",
        "TVP said ASB fell in Milton Keynes.",
        "The Somali and Polish communities met Thames Valley Police on Monday 12 May.",
        "A video on Snapchat went viral near the shops on Elm Street.",
        "Members said the Section 60 in Conniburrow was handled badly.",
        "The meeting was held at Willowbank Centre.",
        "",
    };
    for (size_t i = 0; i < sizeof keep / sizeof *keep; i++)
        check_case(keep[i], keep[i]);
}

static void test_redact__no_lexicon(void)
{
    /* without a lexicon, names still go (more is removed, nothing leaks) */
    tm_redactor *r = NULL;
    tm_err err = {0};
    char *out = NULL;
    TM_CHECK_INT(tm_redactor_new(&r, NULL, &err), TM_OK);
    TM_CHECK_INT(tm_redact_text(&out, r, "Cllr Jones said Denise Harlow left.", NULL, 0, &err),
                 TM_OK);
    TM_CHECK_STR(out, "Cllr [name] said [name] left.");
    tm_free(out);
    tm_redactor_free(r);
}

static void test_redact__report(void)
{
    setup();
    json_error_t jerr;
    json_t *rep = json_loads(
        "{\"periods\":[{\"top_signals\":[{\"evidence\":[{\"doc\":\"corpora/"
        "a.txt\",\"speaker\":\"RA\","
        "\"section\":\"Update from Cllr Jones\",\"text\":\"RA said Denise Harlow called.\"}]}],"
        "\"incidents\":[{\"documents\":[\"corpora/a.txt\",\"elsewhere/b.txt\"]}],"
        "\"upcoming_events\":[{\"doc\":\"x/y/unknown.txt\",\"text\":\"Mr Patel plans a "
        "march.\"}]}]}",
        0, &jerr);
    json_t *docs =
        json_loads("{\"corpora/a.txt\":{\"label\":\"Minutes 2025-05-13\",\"kind\":\"minutes\","
                   "\"date\":\"2025-05-13\",\"speakers\":{\"RA\":\"IAG Chair\"}}}",
                   0, &jerr);
    TM_CHECK(rep && docs);
    tm_err err = {0};
    TM_CHECK_INT(tm_redact_report(rep, red, docs, &err), TM_OK);
    char *s = json_dumps(rep, JSON_SORT_KEYS | JSON_COMPACT);
    TM_CHECK_STR(
        s,
        "{\"periods\":[{\"incidents\":[{\"documents\":[\"Minutes 2025-05-13\",\"b.txt\"]}],"
        "\"top_signals\":[{\"evidence\":[{\"doc\":\"Minutes 2025-05-13\","
        "\"section\":\"Update from Cllr [name]\",\"text\":\"[IAG Chair] said [name] called.\"}]}],"
        "\"upcoming_events\":[{\"doc\":\"unknown.txt\",\"text\":\"Mr [name] plans a march.\"}]}]}");
    free(s);
    json_decref(rep);
    json_decref(docs);
}

static void test_redact__label(void)
{
    char b[64];
    tm_redact_doc_label(b, sizeof b, "minutes", "2025-05-13");
    TM_CHECK_STR(b, "Minutes 2025-05-13");
    tm_redact_doc_label(b, sizeof b, "report", NULL);
    TM_CHECK_STR(b, "Report undated");
    tm_redact_doc_label(b, sizeof b, "other", "2024-01-02");
    TM_CHECK_STR(b, "Document 2024-01-02");
}

static void test_redact__cleanup(void)
{
    tm_redactor_free(red);
    tm_lexicon_free(lex);
    red = NULL;
    lex = NULL;
}

static const tm_test_case cases[] = {{"names", test_redact__names},
                                     {"keeps", test_redact__keeps},
                                     {"no_lexicon", test_redact__no_lexicon},
                                     {"report", test_redact__report},
                                     {"label", test_redact__label},
                                     {"cleanup", test_redact__cleanup},
                                     {NULL, NULL}};

TM_TEST_MAIN(cases)
