/*
 * test_tag.c: lexicon loading, stem/surface matching, the context rules and
 * signals, on the fixture lexicon in tests/fixtures/lexicon.
 */
#include "tm/extract.h"
#include "tm/lexicon.h"
#include "tm/pipeline.h"
#include "tm/tag.h"
#include "tm_test.h"

static tm_lexicon *lex;
static tm_pipeline *pl;
static tm_doc doc;

static void setup(void)
{
    tm_err err = {0};
    if (!lex) {
        if (tm_lexicon_load(&lex, TM_SOURCE_DIR "/tests/fixtures/lexicon", NULL, NULL, &err) !=
            TM_OK) {
            fprintf(stderr, "fixture lexicon: %s\n", err.msg);
            exit(1);
        }
        if (tm_pipeline_new(&pl, lex, &err) != TM_OK) exit(1);
        tm_doc_init(&doc);
    }
}

/* Runs the pipeline on `text`; returns the doc. */
static tm_doc *run(const char *text)
{
    tm_err err = {0};
    setup();
    tm_doc_reset(&doc);
    int rc = tm_pipeline_bytes(pl, &doc, "t.txt", text, strlen(text), &err);
    if (rc != TM_OK) fprintf(stderr, "  pipeline: %s\n", err.msg);
    return &doc;
}

/* Counts live (not dropped) mentions of `id` in category `cat`; `negated`
 * counts only negated (1) or only non-negated (0) ones, -1 both. */
static int count(const tm_doc *d, tm_category cat, const char *id, int negated)
{
    int n = 0;
    for (size_t i = 0; i < d->mentions.n; i++) {
        const tm_mention *m = &d->mentions.v[i];
        if (m->cat == cat && !m->dropped && !strcmp(m->canon, id) &&
            (negated < 0 || m->negated == negated))
            n++;
    }
    return n;
}

static const tm_signal *signal_of(const tm_doc *d, const char *community, const char *theme)
{
    for (size_t i = 0; i < d->signals.n; i++)
        if (!strcmp(d->signals.v[i].community, community) && !strcmp(d->signals.v[i].theme, theme))
            return &d->signals.v[i];
    return NULL;
}

static void test_whole_words(void)
{
    tm_doc *d = run("The Caucasian and Romanian residents met Asian and Roma families.");
    TM_CHECK_INT(count(d, TM_CAT_COMMUNITY, "asian", -1), 1);
    TM_CHECK_INT(count(d, TM_CAT_COMMUNITY, "gypsy_traveller", -1), 1);
    TM_CHECK_INT(count(d, TM_CAT_COMMUNITY, "romanian", -1), 1);
    /* the one "Asian" is the word at offset of "Asian", not inside "Caucasian" */
    for (size_t i = 0; i < d->mentions.n; i++)
        if (!strcmp(d->mentions.v[i].id, "asian"))
            TM_CHECK_MEM(d->text + d->mentions.v[i].off,
                         d->mentions.v[i].end - d->mentions.v[i].off, "Asian");
}

static void test_longest_wins_in_category(void)
{
    tm_doc *d = run("Knife crimes and crime in general were discussed.");
    TM_CHECK_INT(count(d, TM_CAT_THEME, "knife_crime", -1), 1);
    TM_CHECK_INT(count(d, TM_CAT_THEME, "violence", -1), 1); /* only the second "crime" */
}

static void test_categories_overlap(void)
{
    tm_doc *d = run("She works with Afghan evacuees.");
    TM_CHECK_INT(count(d, TM_CAT_COMMUNITY, "afghan", -1), 1);
    TM_CHECK_INT(count(d, TM_CAT_COMMUNITY, "refugees", -1), 1);
}

static void test_one_identifier_per_span(void)
{
    /* "Somali" and "Somali community" both name somali: counted once */
    tm_doc *d = run("The Somali community was consulted.");
    TM_CHECK_INT(count(d, TM_CAT_COMMUNITY, "somali", -1), 1);
}

static void test_stems_and_acronym_case(void)
{
    tm_doc *d = run("Young people's engagement was good. DA cases rose; da capo is music.");
    TM_CHECK_INT(count(d, TM_CAT_COMMUNITY, "young_people", -1), 1);
    TM_CHECK_INT(count(d, TM_CAT_THEME, "engagement", -1), 1);
    TM_CHECK_INT(count(d, TM_CAT_THEME, "domestic_abuse", -1), 1);
    d = run("Officers engaged with stop and searches.");
    TM_CHECK_INT(count(d, TM_CAT_THEME, "engagement", -1), 1);
    TM_CHECK_INT(count(d, TM_CAT_THEME, "stop_and_search", -1), 1);
}

static void test_protected_word_case(void)
{
    /* "Polish" is protected: the verb "polish" is neither stemmed onto it nor a community */
    tm_doc *d = run("They polish the floors. Polish families arrived.");
    TM_CHECK_INT(count(d, TM_CAT_COMMUNITY, "polish", -1), 1);
}

static void test_object_noun(void)
{
    tm_doc *d = run("Windows were broken at a Polish shop. Polish residents were worried.");
    TM_CHECK_INT(count(d, TM_CAT_COMMUNITY, "polish", -1), 1);
}

static void test_person_names(void)
{
    tm_doc *d = run("Mr Pride from the council spoke. The Pride event is in July. "
                    "She worked with Alfie Pride on the project.");
    TM_CHECK_INT(count(d, TM_CAT_COMMUNITY, "lgbtq", -1), 1);
}

static void test_initials_are_speakers(void)
{
    /* DA is somebody's initials in this meeting: the attendee table decides */
    tm_doc *d =
        run("Init\tPosition\nDA\tIAG Member\nAB\tIAG Chair\n\nDA said that AB thanked DA.\n");
    TM_CHECK_INT(count(d, TM_CAT_THEME, "domestic_abuse", -1), 0);
    TM_CHECK_INT((long long)d->speakers.n, 2);
    /* where nobody has those initials, DA is domestic abuse */
    d = run(
        "Init\tPosition\nCD\tIAG Member\nAB\tIAG Chair\n\nCD said that DA cases were rising.\n");
    TM_CHECK_INT(count(d, TM_CAT_THEME, "domestic_abuse", -1), 1);
}

static void test_negation(void)
{
    tm_doc *d = run("No tension was reported. PC was not aware of any knife crime. "
                    "There is tension in Milton Keynes.");
    TM_CHECK_INT(count(d, TM_CAT_THEME, "community_tension", 1), 1);
    TM_CHECK_INT(count(d, TM_CAT_THEME, "community_tension", 0), 1);
    TM_CHECK_INT(count(d, TM_CAT_THEME, "knife_crime", 1), 1);
}

static void test_deferred_item(void)
{
    tm_doc *d = run("1. Welcome\nAll\n\nAB welcomed everyone.\n\n"
                    "2. Stop and Search Data\nAll\n\nDeferred to the next meeting.\n\n"
                    "3. AOB\n\nAB said stop and search was discussed with young people.\n");
    TM_CHECK_INT((long long)d->sections.n, 3);
    TM_CHECK_INT(d->sections.v[1].deferred, 1);
    TM_CHECK_INT(d->sections.v[0].deferred, 0);
    TM_CHECK_INT(d->sections.v[2].deferred, 0);
    TM_CHECK_INT(count(d, TM_CAT_THEME, "stop_and_search", 1), 1); /* the title */
    TM_CHECK_INT(count(d, TM_CAT_THEME, "stop_and_search", 0), 1);
}

static void test_places(void)
{
    tm_doc *d =
        run("Thames Valley Police met residents of Elm Street in Milton Keynes and the Thames "
            "Valley. We met in March 2022 and in Bath; Bath was quiet.");
    TM_CHECK_INT(count(d, TM_CAT_ORGANISATION, "thames_valley_police", -1), 1);
    TM_CHECK_INT(count(d, TM_CAT_PLACE, "Thames Valley", -1), 1); /* not the one inside the name */
    TM_CHECK_INT(count(d, TM_CAT_PLACE, "Elm Street", -1), 1);
    TM_CHECK_INT(count(d, TM_CAT_PLACE, "Milton Keynes", -1), 1);
    TM_CHECK_INT(count(d, TM_CAT_PLACE, "March", -1), 0);
    TM_CHECK_INT(count(d, TM_CAT_PLACE, "Bath", -1), 1);
}

static void test_signals_eep_polarity(void)
{
    tm_doc *d =
        run("There could be tension among young people. "
            "Young people feel knife crime is everywhere. "
            "There were reports of a stabbing near young people in Elm Street on 3 May 2025. "
            "Engagement with young people was good.");
    const tm_signal *s = signal_of(d, "young_people", "community_tension");
    TM_CHECK(s && s->eep == TM_EEP_POTENTIAL && s->polarity == TM_POL_CONCERN);
    s = signal_of(d, "young_people", "knife_crime");
    TM_CHECK(s && s->eep == TM_EEP_EXPERIENCED);
    s = signal_of(d, "young_people", "engagement");
    TM_CHECK(s && s->eep == TM_EEP_EVIDENCED && s->polarity == TM_POL_REASSURANCE);
    TM_CHECK_INT((long long)d->incidents.n, 1);
    if (d->incidents.n) {
        TM_CHECK_STR(d->incidents.v[0].theme, "violence");
        TM_CHECK_STR(d->incidents.v[0].place, "Elm Street");
        TM_CHECK_STR(d->incidents.v[0].date, "2025-05-03");
    }
}

static void test_anaphora(void)
{
    tm_doc *d =
        run("AB met the Somali and Afghan families. AB said these communities feel tension.");
    const tm_signal *s = signal_of(d, "somali", "community_tension");
    TM_CHECK(s && s->via_paragraph && s->weight < 1.0f);
    TM_CHECK(signal_of(d, "afghan", "community_tension") != NULL);
}

static void test_negated_signal(void)
{
    tm_doc *d = run("No tension was reported in the Somali community.");
    const tm_signal *s = signal_of(d, "somali", "community_tension");
    TM_CHECK(s && s->negated);
}

/* Mentions found after normalisation (BOM, CRLF, Markdown residue, a change
 * of encoding), on surface forms (the acronym) and on stems (the plural),
 * point at the original bytes. */
static const tm_mention *find(const tm_doc *d, const char *id)
{
    for (size_t i = 0; i < d->mentions.n; i++)
        if (!strcmp(d->mentions.v[i].id, id)) return &d->mentions.v[i];
    return NULL;
}

static void test_offsets_point_at_original_bytes(void)
{
    const char *utf8 = "\xEF\xBB\xBF**Update**\r\nDA cases and knife crimes rose.\r\n";
    tm_doc *d = run(utf8);
    const tm_mention *da = find(d, "domestic_abuse"), *kc = find(d, "knife_crime");
    TM_CHECK(da && kc);
    if (da && kc) {
        const char *at = strstr(utf8, "DA cases");
        TM_CHECK_INT(tm_doc_raw_offset(d, da->off), at - utf8);
        TM_CHECK_INT(tm_doc_raw_offset(d, da->end), at - utf8 + 2);
        at = strstr(utf8, "knife crimes");
        TM_CHECK_INT(tm_doc_raw_offset(d, kc->off), at - utf8);
        TM_CHECK_INT(tm_doc_raw_offset(d, kc->end), at - utf8 + 12);
    }
    /* Windows-1252: curly quotes are one byte in the file, three in the text */
    const char *cp = "The \x93Somali community\x94 and DA cases.\n";
    d = run(cp);
    TM_CHECK_INT(d->encoding, TM_ENC_CP1252);
    const tm_mention *so = find(d, "somali");
    da = find(d, "domestic_abuse");
    TM_CHECK(so && da);
    if (so && da) {
        TM_CHECK_INT(tm_doc_raw_offset(d, so->off), 5);
        TM_CHECK_INT(tm_doc_raw_offset(d, so->end), 5 + strlen("Somali community"));
        TM_CHECK_INT(tm_doc_raw_offset(d, da->off), strstr(cp, "DA") - cp);
    }
}

static void test_lexicon_errors(void)
{
    char dir[] = "/tmp/tm_lexXXXXXX";
    TM_CHECK(mkdtemp(dir) != NULL);
    char path[256];
    snprintf(path, sizeof path, "%s/identifiers.tsv", dir);
    FILE *f = fopen(path, "w");
    fputs("category\tidentifier\tlabel\tpolarity\tstrand\tincident\tnotes\n"
          "theme\tknife_crime\tKnife\tconcern\t-\tyes\t\n"
          "theme\tknife_crime\tKnife again\tconcern\t-\tyes\t\n"
          "colour\tred\tRed\t-\t-\t-\t\n",
          f);
    fclose(f);
    snprintf(path, sizeof path, "%s/bad.tsv", dir);
    f = fopen(path, "w");
    fputs("category\tidentifier\tsurface\tkind\tweight\tnotes\n"
          "theme\tknife_crime\t(a+)+$\tregex\t1\t\n"
          "theme\tknife_crime\t[unclosed\tregex\t1\t\n"
          "theme\tknife_crime\t\tphrase\t1\t\n",
          f);
    fclose(f);
    tm_lexicon *bad = NULL;
    tm_err err = {0};
    TM_CHECK_INT(tm_lexicon_load(&bad, dir, NULL, NULL, &err), TM_ELEXICON);
    TM_CHECK(bad == NULL);
    TM_CHECK(strstr(err.msg, "identifiers.tsv:3: duplicate identifier theme/knife_crime") != NULL);
    snprintf(path, sizeof path, "rm -rf %s", dir);
    TM_CHECK_INT(system(path), 0);
}

/* The regex prefilters (a literal each match needs, near its start) must
 * not change what the patterns find: random text made of the lexicons' own
 * place and organisation words, tagged with the prefilters and with every
 * regex run over the whole text, gives the same mentions. */
static void untag(tm_doc *d)
{
    /* the tagger fills new mentions in zeroed slots */
    if (d->mentions.cap) memset(d->mentions.v, 0, d->mentions.cap * sizeof *d->mentions.v);
    d->mentions.n = 0;
    for (size_t i = 0; i < d->sentences.n; i++)
        d->sentences.v[i].flags &= ~(TM_SENT_DEFERRED | TM_SENT_BOILER);
    for (size_t i = 0; i < d->sections.n; i++)
        d->sections.v[i].deferred = 0;
}

/* Tags the processed document `d` with `filtered`, then with `full`, and
 * compares the mentions (all their fields). Returns 1 when they agree;
 * `*regex_hits` += the mentions found by entry `only` (or by any regex
 * entry when `only` is UINT32_MAX). */
static int same_with_and_without_prefilters(const tm_lexicon *lx, tm_tagger *filtered,
                                            tm_tagger *full, tm_doc *d, uint32_t only,
                                            size_t *regex_hits)
{
    tm_err err = {0};
    untag(d);
    TM_CHECK_INT(tm_tag_doc(filtered, d, &err), TM_OK);
    size_t nm = d->mentions.n;
    tm_mention *kept = malloc((nm + 1) * sizeof *kept);
    if (!kept) return 0;
    if (nm) memcpy(kept, d->mentions.v, nm * sizeof *kept); /* v is NULL when there are none */
    untag(d);
    TM_CHECK_INT(tm_tag_doc(full, d, &err), TM_OK);
    int same = d->mentions.n == nm;
    for (size_t i = 0; same && i < nm; i++) {
        const tm_mention *a = &kept[i], *b = &d->mentions.v[i];
        same = a->off == b->off && a->end == b->end && a->cat == b->cat && a->entry == b->entry &&
               !strcmp(a->canon, b->canon) && a->dropped == b->dropped && a->negated == b->negated;
        *regex_hits +=
            only == UINT32_MAX ? tm_lexicon_entry(lx, a->entry)->is_regex : a->entry == only;
    }
    free(kept);
    return same;
}

static void test_regex_prefilter_is_exact(void)
{
    static const char *const words[] = {
        "Mill",   "Street",  "Road",   "Streets", "King's", "the",       "The",    "of",
        "of the", "for",     "Park",   "Centre",  "Team",   "Council",   "Youth",  "estate",
        "Estate", "ward",    "Ward",   "Black",   "black",  "community", "Church", "church",
        "Hall",   "Village", "older",  "people",  "White",  "British",   "Café",   "Élan",
        "St",     "Grid",    "Square", "Lane",    "Temple", "Mr",        "Police", "Service"};
    static const char *const seps[] = {" ", " ", " ", " ", "  ", ", ", ".\n", "\n\n", " - ", "'s "};
    tm_lexicon *real = NULL;
    tm_pipeline *p = NULL;
    tm_tagger *full = NULL, *filtered = NULL;
    tm_err err = {0};
    TM_CHECK_INT(tm_lexicon_load(&real, TM_SOURCE_DIR "/lexicons", NULL, NULL, &err), TM_OK);
    if (!real) return;
    TM_CHECK_INT(tm_pipeline_new(&p, real, &err), TM_OK);
    TM_CHECK_INT(tm_tagger_new(&full, real, &err), TM_OK);
    TM_CHECK_INT(tm_tagger_new(&filtered, real, &err), TM_OK);
    if (!p || !full || !filtered) return;
    tm_tagger_set_full_scan(full, 1);
    tm_doc d;
    tm_doc_init(&d);
    uint32_t seed = 12345;
    size_t found = 0;
    char text[8192];
    for (int round = 0; round < 300; round++) {
        size_t n = 0;
        for (int w = 0; w < 120; w++) {
            seed = seed * 1103515245u + 12345u;
            const char *word = words[(seed >> 8) % (sizeof words / sizeof *words)];
            seed = seed * 1103515245u + 12345u;
            const char *sep = seps[(seed >> 8) % (sizeof seps / sizeof *seps)];
            n += (size_t)snprintf(text + n, sizeof text - n, "%s%s", word, sep);
        }
        tm_doc_reset(&d);
        TM_CHECK_INT(tm_pipeline_bytes(p, &d, "t.txt", text, n, &err), TM_OK);
        /* both taggers on the same processed document, in the same way */
        TM_CHECK(same_with_and_without_prefilters(real, filtered, full, &d, UINT32_MAX, &found));
    }
    TM_CHECK(found > 1000); /* the text does exercise the patterns */
    tm_doc_dispose(&d);
    tm_tagger_free(full);
    tm_tagger_free(filtered);
    tm_pipeline_free(p);
    tm_lexicon_free(real);
}

/* The prefilter's reading of a pattern must be sound for any pattern a
 * lexicon editor writes, not only the shipped ones: random patterns built
 * from the constructs it reasons about (literal runs, letter-only and other
 * classes, escapes, '.', quantified groups, alternation, lookarounds, \b,
 * non-ASCII characters) and from some it must give up on, each in a lexicon
 * of its own, tagged with and without prefilters over random text. */
static uint32_t rnd(uint32_t *seed, uint32_t n)
{
    *seed = *seed * 1103515245u + 12345u;
    return (*seed >> 8) % n;
}

/* What a lexicon editor puts between words: mostly a space. */
static const char *random_sep(uint32_t *seed)
{
    static const char *const seps[] = {" ",  " ", " ",        " ",          "\\s+", " ?",
                                       ", ", "-", "(?:'s)? ", "(?: | of )", ""};
    return seps[rnd(seed, sizeof seps / sizeof *seps)];
}

static void random_atom(uint32_t *seed, char *out, size_t cap, int depth)
{
    static const char *const lits[] = {"Street", "Road", "Park",   "Council", "lack", "Mill's",
                                       "é",      "St.",  "of the", "Team",    "Ward", "-on-"};
    static const char *const simple[] = {
        "[A-Z][a-z]+", "[a-z]+",  "\\w+",         "\\s",      " ",          ".",
        "\\d+",        "[^ ]+",   "'s",           "\\b",      "[A-Za-zé]+", ",",
        "\\.",         "\\p{Lu}", "[[:alpha:]]+", "(?i)park", "\\x41"};
    static const char *const quants[] = {"", "", "", "?", "*", "+", "{1,3}", "{0,2}", "{2}"};
    uint32_t k = rnd(seed, depth < 2 ? 6 : 4);
    char inner[512] = "", b[256];
    if (k <= 1) {
        snprintf(out, cap, "%s", lits[rnd(seed, sizeof lits / sizeof *lits)]);
        return;
    }
    if (k <= 3) {
        const char *a = simple[rnd(seed, sizeof simple / sizeof *simple)];
        const char *q = quants[rnd(seed, sizeof quants / sizeof *quants)];
        /* an assertion or (?i) takes no quantifier */
        if (!strcmp(a, "\\b") || a[0] == '(') q = "";
        snprintf(out, cap, "%s%s", a, q);
        return;
    }
    /* a group of 1-3 atoms, maybe with alternatives */
    size_t n = 0;
    int nalt = 1 + (int)rnd(seed, 2);
    for (int alt = 0; alt < nalt; alt++) {
        if (alt) n += (size_t)snprintf(inner + n, sizeof inner - n, "|");
        int items = 1 + (int)rnd(seed, 3);
        for (int i = 0; i < items && n < sizeof inner - 300; i++) {
            random_atom(seed, b, sizeof b, depth + 1);
            n +=
                (size_t)snprintf(inner + n, sizeof inner - n, "%s%s", i ? random_sep(seed) : "", b);
        }
    }
    static const char *const opens[] = {"(?:", "(?:", "(?=", "(?!", "(?<!Old )", "(?<=the )"};
    const char *open = opens[rnd(seed, sizeof opens / sizeof *opens)];
    int look = open[1] == '?' && open[2] != ':';
    if (open[2] == '<') {
        snprintf(out, cap, "%s", open); /* a fixed-length lookbehind */
        return;
    }
    const char *q = look ? "" : quants[rnd(seed, sizeof quants / sizeof *quants)];
    snprintf(out, cap, "%s%s)%s", open, inner, q);
}

static void test_regex_prefilter_any_pattern(void)
{
    static const char *const words[] = {"Mill",   "Street",   "Road", "Park", "Council",
                                        "lack",   "Black",    "Team", "Ward", "Old",
                                        "the",    "of",       "St",   "Café", "Élan",
                                        "Mill's", "12",       "park", "A",    "Stoke-on-Trent",
                                        "ROAD",   "Council's"};
    static const char *const seps[] = {" ",  " ",  " ",   " ",    " ", " ",  "  ",
                                       ", ", ". ", ".\n", "\n\n", "-", "'s "};
    static const char *const files[] = {"VERSION", "ambiguous.txt", "communities.tsv",
                                        "identifiers.tsv", "protected.txt"};
    char dir[] = "/tmp/tm_rxXXXXXX";
    TM_CHECK(mkdtemp(dir) != NULL);
    char path[256], cmd[512];
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        snprintf(cmd, sizeof cmd, "cp %s/tests/fixtures/lexicon/%s %s/", TM_SOURCE_DIR, files[i],
                 dir);
        TM_CHECK_INT(system(cmd), 0);
    }
    uint32_t seed = 777;
    int lexicons = 0, filtered_patterns = 0;
    size_t found = 0;
    tm_doc d;
    tm_doc_init(&d);
    char text[4096];
    for (int round = 0; round < 150; round++) {
        /* one pattern per lexicon: another pattern's mentions would hide a difference */
        char body[1024] = "";
        size_t n = 0;
        /* most start with words before the literal, as the place and
         * organisation patterns do (the prefilter's window must reach back
         * to them), then the literal or a random atom, then maybe more */
        static const char *const leads[] = {"[A-Z][a-z]+ ",
                                            "(?:[A-Z][a-z]+(?:'s)? ){1,3}",
                                            "\\w+[ ,-]",
                                            "(?:[A-Z][a-z]+ ){2}",
                                            "[A-Z][a-z]+ [A-Z][a-z]+ [a-z]+ ",
                                            "[A-Z]\\w*,? ",
                                            "(?:[A-Z][a-z]+ |of |the ){0,4}",
                                            "[A-Z][a-z]+(?:-on-[A-Z][a-z]+)? "};
        static const char *const cores[] = {"Street",
                                            "Road",
                                            "Team",
                                            "Council",
                                            "(?:Street|Road)",
                                            "(?:Team|Council|Park)",
                                            "(?=Street|Road)",
                                            "lack",
                                            "Park\\b"};
        if (rnd(&seed, 4))
            n += (size_t)snprintf(body, sizeof body, "%s",
                                  leads[rnd(&seed, sizeof leads / sizeof *leads)]);
        char a[600];
        if (rnd(&seed, 4))
            snprintf(a, sizeof a, "%s", cores[rnd(&seed, sizeof cores / sizeof *cores)]);
        else
            random_atom(&seed, a, sizeof a, 0);
        n += (size_t)snprintf(body + n, sizeof body - n, "%s", a);
        if (!rnd(&seed, 3)) {
            random_atom(&seed, a, sizeof a, 0);
            n += (size_t)snprintf(body + n, sizeof body - n, "%s%s", random_sep(&seed), a);
        }
        snprintf(path, sizeof path, "%s/places.tsv", dir);
        FILE *f = fopen(path, "w");
        if (!f) break;
        fprintf(f, "category\tidentifier\tsurface\tkind\tweight\tnotes\n");
        fprintf(f, "place\t*\t%s(%s)\tregex\t1\t\n", rnd(&seed, 2) ? "\\b" : "", body);
        fclose(f);
        tm_lexicon *lx = NULL;
        tm_pipeline *p = NULL;
        tm_tagger *full = NULL, *filtered = NULL;
        tm_err err = {0};
        if (tm_lexicon_load(&lx, dir, NULL, NULL, &err) != TM_OK) continue; /* PCRE2 refused it */
        lexicons++;
        size_t nre;
        const uint32_t *res = tm_lexicon_regexes(lx, &nre);
        int pf = nre == 1 && tm_lexicon_entry(lx, res[0])->nlits > 0;
        filtered_patterns += pf;
        TM_CHECK_INT(tm_pipeline_new(&p, lx, &err), TM_OK);
        TM_CHECK_INT(tm_tagger_new(&full, lx, &err), TM_OK);
        TM_CHECK_INT(tm_tagger_new(&filtered, lx, &err), TM_OK);
        if (p && full && filtered) {
            tm_tagger_set_full_scan(full, 1);
            for (int t = 0; t < 16; t++) {
                size_t tn = 0;
                for (int w = 0; w < 60; w++) {
                    const char *word = words[rnd(&seed, sizeof words / sizeof *words)];
                    const char *sep = seps[rnd(&seed, sizeof seps / sizeof *seps)];
                    tn += (size_t)snprintf(text + tn, sizeof text - tn, "%s%s", word, sep);
                }
                tm_doc_reset(&d);
                TM_CHECK_INT(tm_pipeline_bytes(p, &d, "t.txt", text, tn, &err), TM_OK);
                size_t hits = 0;
                if (!same_with_and_without_prefilters(lx, filtered, full, &d, res[0], &hits)) {
                    fprintf(stderr, "  pattern (%s): not the same mentions with the prefilter\n",
                            body);
                    TM_CHECK(0);
                }
                found += pf ? hits : 0;
            }
        }
        tm_tagger_free(full);
        tm_tagger_free(filtered);
        tm_pipeline_free(p);
        tm_lexicon_free(lx);
    }
    tm_doc_dispose(&d);
    /* the generator does produce loadable patterns, prefiltered ones, and
     * matches of those */
    TM_CHECK(lexicons > 100);
    TM_CHECK(filtered_patterns > 30);
    TM_CHECK(found > 500);
    fprintf(stderr, "  %d lexicons, %d prefiltered, %zu mentions of those\n", lexicons,
            filtered_patterns, found);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    TM_CHECK_INT(system(cmd), 0);
}

static void test_teardown(void)
{
    tm_doc_dispose(&doc);
    tm_pipeline_free(pl);
    tm_lexicon_free(lex);
    lex = NULL;
}

static const tm_test_case cases[] = {
    {"whole_words", test_whole_words},
    {"longest_wins_in_category", test_longest_wins_in_category},
    {"categories_overlap", test_categories_overlap},
    {"one_identifier_per_span", test_one_identifier_per_span},
    {"stems_and_acronym_case", test_stems_and_acronym_case},
    {"protected_word_case", test_protected_word_case},
    {"object_noun", test_object_noun},
    {"person_names", test_person_names},
    {"initials_are_speakers", test_initials_are_speakers},
    {"negation", test_negation},
    {"deferred_item", test_deferred_item},
    {"places", test_places},
    {"signals_eep_polarity", test_signals_eep_polarity},
    {"anaphora", test_anaphora},
    {"negated_signal", test_negated_signal},
    {"offsets_point_at_original_bytes", test_offsets_point_at_original_bytes},
    {"lexicon_errors", test_lexicon_errors},
    {"regex_prefilter_is_exact", test_regex_prefilter_is_exact},
    {"regex_prefilter_any_pattern", test_regex_prefilter_any_pattern},
    {"teardown", test_teardown},
    {NULL, NULL}};

TM_TEST_MAIN(cases)
