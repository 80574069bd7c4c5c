/*
 * test_segment.c: document structure from small fictional fixtures written
 * here: the attendee table (tab, space and dash separated; a repeated
 * initial keeps its first role), numbered and Markdown headings with levels
 * and parents, sentence splitting around abbreviations, numbers, money,
 * times, URLs and initials, paragraphs re-joined across a blank line,
 * speaker attribution, and metadata (kind, date forms, financial year,
 * next meeting, location).
 */
#include "tm/ingest.h"
#include "tm/segment.h"
#include "tm_test.h"

/* ------------------------------------------------------------ helpers */

static int seg(tm_doc *doc, const char *text)
{
    tm_err err = {0};
    tm_doc_init(doc);
    int rc = tm_ingest_bytes(doc, "t.txt", text, strlen(text), &err);
    if (rc == TM_OK) rc = tm_segment_doc(doc, &err);
    if (rc != TM_OK) fprintf(stderr, "  segment failed: %d %s\n", rc, err.msg);
    TM_CHECK_INT(rc, TM_OK);
    return rc;
}

static const char *sent_text(const tm_doc *doc, size_t i)
{
    static char buf[2][1024];
    static int which;
    which ^= 1;
    if (i >= doc->sentences.n) return "(no such sentence)";
    const tm_sentence *s = &doc->sentences.v[i];
    snprintf(buf[which], sizeof buf[which], "%.*s", (int)(s->end - s->off), doc->text + s->off);
    return buf[which];
}

/* Index of the sentence that starts with `prefix`, or -1. */
static int sent_at(const tm_doc *doc, const char *prefix)
{
    size_t n = strlen(prefix);
    for (size_t i = 0; i < doc->sentences.n; i++)
        if (doc->sentences.v[i].end - doc->sentences.v[i].off >= n &&
            memcmp(doc->text + doc->sentences.v[i].off, prefix, n) == 0)
            return (int)i;
    fprintf(stderr, "  no sentence starts with \"%s\"\n", prefix);
    TM_CHECK(!"sentence found");
    return -1;
}

/* The speaker's initials/name of the sentence starting with `prefix`. */
static const char *speaker_of(const tm_doc *doc, const char *prefix)
{
    int i = sent_at(doc, prefix);
    if (i < 0) return "(no sentence)";
    int sp = doc->sentences.v[i].speaker;
    if (sp < 0) return "(none)";
    if ((size_t)sp >= doc->speakers.n) return "(bad index)";
    return doc->speakers.v[sp].initials;
}

static int speaker_index(const tm_doc *doc, const char *initials)
{
    for (size_t i = 0; i < doc->speakers.n; i++)
        if (strcmp(doc->speakers.v[i].initials, initials) == 0) return (int)i;
    return -1;
}

/* Checks the sentences, in order, joined by " | ". */
static void check_sentences(const char *text, const char *want)
{
    tm_doc doc;
    if (seg(&doc, text) == TM_OK) {
        static char buf[4096];
        size_t o = 0;
        buf[0] = '\0';
        for (size_t i = 0; i < doc.sentences.n && o < sizeof buf - 1; i++)
            o += (size_t)snprintf(buf + o, sizeof buf - o, "%s%s", i ? " | " : "",
                                  sent_text(&doc, i));
        TM_CHECK_STR(buf, want);
    }
    tm_doc_dispose(&doc);
}

/* ------------------------------------------------------------ fixtures */

/* Fictional minutes: a tab-separated attendee table with a header, numbered
 * items, a Markdown heading, speakers by initials and by title. */
static const char minutes[] =
    "Independent Advisory Group Minutes\n"
    "DATE: Wednesday 2nd March 2022\n"
    "TIME: 6pm\n"
    "LOCATION: Riverside Community Hall, Room 2\n"
    "\n"
    "Init\tPosition and Area\n"
    "AB\tIAG Chair\n"
    "CD\tTVP Community & Diversity Officer\n"
    "EF\tYouth Worker\n"
    "GH\tLocal Resident\n"
    "AB\tDeputy Chair\n"
    "\n"
    "1. Welcome and Introductions:\n"
    "AB welcomed everyone to the meeting. CD said that the new officer starts next week. "
    "He said the team is now full.\n"
    "\n"
    "Apologies were received from two members. He said nothing more.\n"
    "\n"
    "2. Minutes of the last meeting\n"
    "EF/1 Welcomed the update on youth provision.\n"
    "GH expressed concern about parking near the school.\n"
    "Cllr Jones asked about the funding timetable.\n"
    "XY reported that the survey closes on Friday.\n"
    "\n"
    "3. Chairs Report:**IAG Chair**\n"
    "3.1 Violence\n"
    "AB spoke about the knife crime figures.\n"
    "\n"
    "#### 4. Funding\n"
    "The bid was submitted.\n"
    "\n"
    "11. Next Meeting Dates: 13th April 2022\n";

/* ------------------------------------------------------------ table */

static void test_table_tab_separated(void)
{
    tm_doc doc;
    if (seg(&doc, minutes) != TM_OK) {
        tm_doc_dispose(&doc);
        return;
    }
    static const struct {
        const char *ini, *role;
    } want[] = {{"AB", "IAG Chair"},
                {"CD", "TVP Community & Diversity Officer"},
                {"EF", "Youth Worker"},
                {"GH", "Local Resident"}};
    for (size_t i = 0; i < 4; i++) {
        int k = speaker_index(&doc, want[i].ini);
        TM_CHECK(k >= 0);
        if (k < 0) continue;
        TM_CHECK_STR(doc.speakers.v[k].role, want[i].role);
        TM_CHECK_INT(doc.speakers.v[k].in_table, 1);
        TM_CHECK_INT(k, i); /* in table order */
    }
    /* the repeated "AB" row adds no speaker and keeps the first role */
    int ab = 0;
    for (size_t i = 0; i < doc.speakers.n; i++)
        ab += strcmp(doc.speakers.v[i].initials, "AB") == 0;
    TM_CHECK_INT(ab, 1);
    /* the header and rows are table lines, not prose */
    int h = sent_at(&doc, "Init\tPosition");
    int r = sent_at(&doc, "CD\tTVP");
    TM_CHECK(h >= 0 && r >= 0);
    if (h >= 0 && r >= 0) {
        TM_CHECK_INT(doc.sentences.v[h].flags, TM_SENT_TABLE);
        TM_CHECK_INT(doc.sentences.v[r].flags, TM_SENT_TABLE);
        TM_CHECK_INT(doc.sentences.v[r].speaker, -1);
    }
    TM_CHECK_INT(doc.kind, TM_KIND_MINUTES);
    tm_doc_dispose(&doc);
}

static void test_table_space_separated(void)
{
    /* two or more spaces between initials and role, no header */
    const char *text = "Attendees\n"
                       "AB  IAG Chair\n"
                       "CD  Police Sergeant\n"
                       "EF  Youth Worker\n"
                       "\n"
                       "CD reported two incidents in the town centre.\n";
    tm_doc doc;
    if (seg(&doc, text) == TM_OK) {
        TM_CHECK_INT(doc.speakers.n, 3);
        if (doc.speakers.n == 3) {
            TM_CHECK_STR(doc.speakers.v[0].initials, "AB");
            TM_CHECK_STR(doc.speakers.v[0].role, "IAG Chair");
            TM_CHECK_STR(doc.speakers.v[1].role, "Police Sergeant");
            TM_CHECK_STR(doc.speakers.v[2].role, "Youth Worker");
            TM_CHECK_INT(doc.speakers.v[1].sentences, 1);
        }
        TM_CHECK_STR(speaker_of(&doc, "CD reported"), "CD");
        TM_CHECK_INT(doc.kind, TM_KIND_MINUTES);
    }
    tm_doc_dispose(&doc);

    /* after a header one space is enough */
    text = "Initials Position\n"
           "AB IAG Chair\n"
           "CD Police Sergeant\n"
           "\n"
           "AB said that the meeting was quorate.\n";
    if (seg(&doc, text) == TM_OK) {
        TM_CHECK_INT(doc.speakers.n, 2);
        if (doc.speakers.n == 2) {
            TM_CHECK_STR(doc.speakers.v[0].role, "IAG Chair");
            TM_CHECK_STR(doc.speakers.v[1].role, "Police Sergeant");
        }
        TM_CHECK_STR(speaker_of(&doc, "AB said"), "AB");
    }
    tm_doc_dispose(&doc);

    /* dashes, en dashes included */
    text = "AB \xE2\x80\x93 IAG Chair\n"
           "CD \xE2\x80\x93 Police Sergeant\n"
           "EF - Youth Worker\n"
           "\n"
           "EF said that the youth club reopens soon.\n";
    if (seg(&doc, text) == TM_OK) {
        TM_CHECK_INT(doc.speakers.n, 3);
        if (doc.speakers.n == 3) {
            TM_CHECK_STR(doc.speakers.v[0].role, "IAG Chair");
            TM_CHECK_STR(doc.speakers.v[1].role, "Police Sergeant");
            TM_CHECK_STR(doc.speakers.v[2].role, "Youth Worker");
        }
    }
    tm_doc_dispose(&doc);
}

static void test_table_repeated_initial(void)
{
    const char *text = "Init\tPosition\n"
                       "MK\tNeighbourhood Inspector\n"
                       "RT\tCommunity Member\n"
                       "MK\tYouth Forum Lead\n"
                       "\n"
                       "MK said that patrols continue.\n";
    tm_doc doc;
    if (seg(&doc, text) == TM_OK) {
        TM_CHECK_INT(doc.speakers.n, 2);
        int mk = speaker_index(&doc, "MK");
        TM_CHECK_INT(mk, 0);
        if (mk >= 0) TM_CHECK_STR(doc.speakers.v[mk].role, "Neighbourhood Inspector");
        TM_CHECK_STR(speaker_of(&doc, "MK said"), "MK");
    }
    tm_doc_dispose(&doc);
}

/* ------------------------------------------------------------ headings */

static void test_numbered_headings(void)
{
    tm_doc doc;
    if (seg(&doc, minutes) != TM_OK) {
        tm_doc_dispose(&doc);
        return;
    }
    static const struct {
        const char *number, *title;
        int level, parent;
    } want[] = {
        {"1", "Welcome and Introductions", 1, -1},
        {"2", "Minutes of the last meeting", 1, -1},
        {"3", "Chairs Report", 1, -1},
        {"3.1", "Violence", 2, 2},
        {"4", "Funding", 1, -1},
        {"11", "Next Meeting Dates", 1, -1},
    };
    TM_CHECK_INT(doc.sections.n, 6);
    for (size_t i = 0; i < doc.sections.n && i < 6; i++) {
        const tm_section *s = &doc.sections.v[i];
        TM_CHECK_STR(s->number, want[i].number);
        TM_CHECK_STR(s->title, want[i].title);
        TM_CHECK_INT(s->level, want[i].level);
        TM_CHECK_INT(s->parent, want[i].parent);
        /* title offsets point at the title's bytes */
        TM_CHECK_MEM(doc.text + s->title_off, s->title_end - s->title_off, want[i].title);
        /* sections tile the text from the first heading */
        if (i + 1 < doc.sections.n)
            TM_CHECK_INT(s->end, doc.sections.v[i + 1].off);
        else
            TM_CHECK_INT(s->end, doc.text_len);
    }
    /* a section starts at its heading line */
    if (doc.sections.n >= 5) {
        TM_CHECK_MEM(doc.text + doc.sections.v[0].off, 3, "1. ");
        TM_CHECK_MEM(doc.text + doc.sections.v[4].off, 4, "    "); /* the blanked "####" */
    }
    /* headings are flagged sentences of their own section */
    int h = sent_at(&doc, "3.1 Violence");
    if (h >= 0) {
        TM_CHECK_INT(doc.sentences.v[h].flags, TM_SENT_HEADING);
        TM_CHECK_INT(doc.sentences.v[h].section, 3);
        TM_CHECK_STR(sent_text(&doc, (size_t)h), "3.1 Violence");
    }
    int b = sent_at(&doc, "AB spoke");
    if (b >= 0) TM_CHECK_INT(doc.sentences.v[b].section, 3);
    int f = sent_at(&doc, "The bid");
    if (f >= 0) TM_CHECK_INT(doc.sentences.v[f].section, 4);
    int pre = sent_at(&doc, "Independent Advisory");
    if (pre >= 0) TM_CHECK_INT(doc.sentences.v[pre].section, -1);
    tm_doc_dispose(&doc);
}

static void test_heading_not_numbered_sentence(void)
{
    /* a long numbered sentence ending in a full stop is a paragraph of a
     * report, not a heading */
    const char *text = "1. Welcome and Introductions:\n"
                       "2. Members noted that the new lighting scheme in the park has reduced "
                       "complaints from residents.\n";
    tm_doc doc;
    if (seg(&doc, text) == TM_OK) {
        TM_CHECK_INT(doc.sections.n, 1);
        if (doc.sections.n) TM_CHECK_STR(doc.sections.v[0].title, "Welcome and Introductions");
        TM_CHECK_INT(doc.sentences.n, 2);
        /* the paragraph number is a marker, not part of (or a) sentence */
        int s = sent_at(&doc, "Members noted");
        if (s >= 0) {
            TM_CHECK_INT(doc.sentences.v[s].flags, 0);
            TM_CHECK_INT(doc.sentences.v[s].section, 0);
            TM_CHECK_INT(doc.sentences.v[s].off, 33);
        }
    }
    tm_doc_dispose(&doc);
}

/* ------------------------------------------------------------ sentences */

static void test_sentence_no_split(void)
{
    check_sentences(
        "Cllr. Jones opened the session. We discussed items e.g. this one and that. "
        "The event at St. Mary's Church went well. Dr. Smith attended. "
        "See No. 3 on the list. Section 3.1 applies. "
        "A grant of \xC2\xA3"
        "12,500.50 was agreed. Open 11am \xE2\x80\x93 3pm daily. "
        "Details at https://example.org/a.b today. A talk by J. K. Rowling was held. "
        "Final point here.\n",
        "Cllr. Jones opened the session. | We discussed items e.g. this one and that. | "
        "The event at St. Mary's Church went well. | Dr. Smith attended. | "
        "See No. 3 on the list. | Section 3.1 applies. | "
        "A grant of \xC2\xA3"
        "12,500.50 was agreed. | Open 11am \xE2\x80\x93 3pm daily. | "
        "Details at https://example.org/a.b today. | A talk by J. K. Rowling was held. | "
        "Final point here.");
}

static void test_sentence_split(void)
{
    check_sentences("Patrols increased. Residents felt safer! Was it enough? Nobody knew.\n",
                    "Patrols increased. | Residents felt safer! | Was it enough? | Nobody knew.");
    /* a full stop before a lower-case word or a digit does not split */
    check_sentences("The figure was 3. the lowest yet. Next item.\n",
                    "The figure was 3. the lowest yet. | Next item.");
    /* closing quotes and brackets stay with their sentence */
    check_sentences("AB said \"It is fine.\" CD agreed (mostly.) The end.\n",
                    "AB said \"It is fine.\" | CD agreed (mostly.) | The end.");
    /* curly closing quote */
    check_sentences("She said \xE2\x80\x9Cwe will.\xE2\x80\x9D Then left.\n",
                    "She said \xE2\x80\x9Cwe will.\xE2\x80\x9D | Then left.");
}

static void test_numbered_paragraphs(void)
{
    /* paragraph numbers open a sentence but are not one; a full stop after a
     * number inside a sentence still ends it */
    check_sentences("1. This report sets out the work of the partnership during the year and "
                    "its priorities.\n"
                    "2. Hate crime reports rose by ten per cent over the same period last year.\n"
                    "3.1. Members are asked to note the contents of this report today.\n"
                    "4.\nMembers agreed. There were 3. The rest left.\n",
                    "This report sets out the work of the partnership during the year and its "
                    "priorities. | Hate crime reports rose by ten per cent over the same period "
                    "last year. | Members are asked to note the contents of this report today. | "
                    "Members agreed. | There were 3. | The rest left.");
    /* two-level numbers on consecutive lines of one paragraph */
    check_sentences(
        "2.1 Recorded hate crime rose by a fifth.\n2.2 Officers attended fourteen reports.\n",
        "Recorded hate crime rose by a fifth. | Officers attended fourteen reports.");
    /* a number that is a count, not a paragraph number, stays */
    check_sentences("2 men were arrested.\n", "2 men were arrested.");
    /* a numbered paragraph of speech is still attributed */
    const char *text = "2. AB said that the meeting was quorate and that everyone was present.\n";
    tm_doc doc;
    if (seg(&doc, text) == TM_OK) {
        TM_CHECK_INT(doc.sentences.n, 1);
        TM_CHECK_STR(speaker_of(&doc, "AB said"), "AB");
    }
    tm_doc_dispose(&doc);
}

static void test_sentence_offsets(void)
{
    const char *text = "  Patrols increased.  Residents felt safer.\n";
    tm_doc doc;
    if (seg(&doc, text) == TM_OK) {
        TM_CHECK_INT(doc.sentences.n, 2);
        if (doc.sentences.n == 2) {
            TM_CHECK_INT(doc.sentences.v[0].off, 2);
            TM_CHECK_INT(doc.sentences.v[0].end, 20);
            TM_CHECK_INT(doc.sentences.v[1].off, 22);
            TM_CHECK_INT(doc.sentences.v[1].end, 43);
            TM_CHECK_INT(doc.sentences.v[0].paragraph, 0);
            TM_CHECK_INT(doc.sentences.v[1].paragraph, 0);
        }
        TM_CHECK_INT(doc.paragraphs.n, 1);
        if (doc.paragraphs.n) {
            TM_CHECK_INT(doc.paragraphs.v[0].off, 2);
            TM_CHECK_INT(doc.paragraphs.v[0].end, 43);
            TM_CHECK_INT(doc.paragraphs.v[0].section, -1);
        }
    }
    tm_doc_dispose(&doc);
}

static void test_paragraph_broken_across_blank_line(void)
{
    const char *text = "Young people raised concerns about gaps in the curriculum and\n"
                       "\n"
                       "PSHE lessons. The school will review this.\n"
                       "\n"
                       "A separate paragraph here.\n";
    tm_doc doc;
    if (seg(&doc, text) == TM_OK) {
        TM_CHECK_INT(doc.sentences.n, 3);
        TM_CHECK_STR(
            sent_text(&doc, 0),
            "Young people raised concerns about gaps in the curriculum and\n\nPSHE lessons.");
        TM_CHECK_STR(sent_text(&doc, 1), "The school will review this.");
        TM_CHECK_STR(sent_text(&doc, 2), "A separate paragraph here.");
        TM_CHECK_INT(doc.paragraphs.n, 2);
        if (doc.sentences.n == 3) {
            TM_CHECK_INT(doc.sentences.v[0].paragraph, 0);
            TM_CHECK_INT(doc.sentences.v[1].paragraph, 0);
            TM_CHECK_INT(doc.sentences.v[2].paragraph, 1);
        }
    }
    tm_doc_dispose(&doc);
    /* a blank line after a finished sentence starts a new paragraph */
    check_sentences("The meeting closed.\n\nPSHE lessons resume in May.\n",
                    "The meeting closed. | PSHE lessons resume in May.");
    /* a lower-case continuation is joined whatever the last word */
    check_sentences("Officers visited the estate\n\nbefore the summer.\n",
                    "Officers visited the estate\n\nbefore the summer.");
}

/* ------------------------------------------------------------ speakers */

static void test_attribution(void)
{
    tm_doc doc;
    if (seg(&doc, minutes) != TM_OK) {
        tm_doc_dispose(&doc);
        return;
    }
    TM_CHECK_STR(speaker_of(&doc, "AB welcomed"), "AB");
    TM_CHECK_STR(speaker_of(&doc, "CD said that"), "CD");
    TM_CHECK_STR(speaker_of(&doc, "He said the team"), "CD"); /* carried in the paragraph */
    TM_CHECK_STR(speaker_of(&doc, "Apologies were"), "(none)");
    TM_CHECK_STR(speaker_of(&doc, "He said nothing"), "(none)"); /* not into the next paragraph */
    TM_CHECK_STR(speaker_of(&doc, "EF/1 Welcomed"), "EF");
    TM_CHECK_STR(speaker_of(&doc, "GH expressed"), "GH");
    TM_CHECK_STR(speaker_of(&doc, "Cllr Jones asked"), "Cllr Jones");
    TM_CHECK_STR(speaker_of(&doc, "XY reported"), "XY");
    TM_CHECK_STR(speaker_of(&doc, "AB spoke"), "AB");
    TM_CHECK_STR(speaker_of(&doc, "1. Welcome"), "(none)"); /* headings have no speaker */
    /* names and initials not in the table are speakers without a role */
    int xy = speaker_index(&doc, "XY"), cj = speaker_index(&doc, "Cllr Jones");
    TM_CHECK(xy >= 0 && cj >= 0);
    if (xy >= 0) {
        TM_CHECK(doc.speakers.v[xy].role == NULL);
        TM_CHECK_INT(doc.speakers.v[xy].in_table, 0);
        TM_CHECK_INT(doc.speakers.v[xy].sentences, 1);
    }
    if (cj >= 0) {
        TM_CHECK(doc.speakers.v[cj].role == NULL);
        TM_CHECK_INT(doc.speakers.v[cj].in_table, 0);
    }
    /* counts of attributed sentences */
    int ab = speaker_index(&doc, "AB"), cd = speaker_index(&doc, "CD");
    if (ab >= 0) TM_CHECK_INT(doc.speakers.v[ab].sentences, 2);
    if (cd >= 0) TM_CHECK_INT(doc.speakers.v[cd].sentences, 2);
    TM_CHECK_INT(doc.speakers.n, 6);
    tm_doc_dispose(&doc);
}

static void test_attribution_forms(void)
{
    const char *text = "AB reported that the hub opened.\n"
                       "\n"
                       "CD spoke about the new CCTV.\n"
                       "\n"
                       "EF \xE2\x80\x93 said the funding was agreed.\n"
                       "\n"
                       "GH also raised the bus route.\n"
                       "\n"
                       "Mr Patel said that the shop was targeted. She said it again.\n"
                       "\n"
                       "Insp. Green confirmed the figures.\n"
                       "\n"
                       "The IAG discussed the report.\n"
                       "\n"
                       "She said this without a speaker before.\n";
    tm_doc doc;
    if (seg(&doc, text) == TM_OK) {
        TM_CHECK_STR(speaker_of(&doc, "AB reported"), "AB");
        TM_CHECK_STR(speaker_of(&doc, "CD spoke"), "CD");
        TM_CHECK_STR(speaker_of(&doc, "EF \xE2\x80\x93 said"), "EF");
        TM_CHECK_STR(speaker_of(&doc, "GH also raised"), "GH");
        TM_CHECK_STR(speaker_of(&doc, "Mr Patel said"), "Mr Patel");
        TM_CHECK_STR(speaker_of(&doc, "She said it again"), "Mr Patel");
        /* the title's dot is dropped: "Insp. Green" and "Insp Green" are one speaker */
        TM_CHECK_STR(speaker_of(&doc, "Insp. Green"), "Insp Green");
        TM_CHECK_STR(speaker_of(&doc, "The IAG"), "(none)");
        TM_CHECK_STR(speaker_of(&doc, "She said this"), "(none)");
        int ab = speaker_index(&doc, "AB");
        TM_CHECK(ab >= 0);
        if (ab >= 0) {
            TM_CHECK(doc.speakers.v[ab].role == NULL);
            TM_CHECK_INT(doc.speakers.v[ab].in_table, 0);
        }
        /* four speakers by initials: minutes even without a table */
        TM_CHECK_INT(doc.kind, TM_KIND_MINUTES);
    }
    tm_doc_dispose(&doc);
}

/* ------------------------------------------------------------ metadata */

static void test_metadata_minutes(void)
{
    tm_doc doc;
    if (seg(&doc, minutes) == TM_OK) {
        TM_CHECK_INT(doc.kind, TM_KIND_MINUTES);
        TM_CHECK_STR(doc.date, "2022-03-02");
        TM_CHECK_STR(doc.period_date, "2022-03-02");
        TM_CHECK_STR(doc.next_meeting, "2022-04-13");
        TM_CHECK_STR(doc.location, "Riverside Community Hall, Room 2");
        TM_CHECK_STR(doc.title, "Independent Advisory Group Minutes");
        int d = sent_at(&doc, "DATE:");
        if (d >= 0) TM_CHECK_INT(doc.sentences.v[d].flags, TM_SENT_TABLE);
    }
    tm_doc_dispose(&doc);
}

static void test_metadata_report(void)
{
    const char *text =
        "Community Safety Partnership\n"
        "Purpose of Report\n"
        "1. This report sets out the work of the partnership during the year and the priorities "
        "for the next one.\n"
        "2. Hate crime reports rose by ten per cent, and the partnership responded with more "
        "patrols in the town.\n"
        "3. Members are asked to note the contents of this report and the actions agreed.\n"
        "Performance in 2019/20 was steady.\n";
    tm_doc doc;
    if (seg(&doc, text) == TM_OK) {
        TM_CHECK_INT(doc.kind, TM_KIND_REPORT);
        TM_CHECK_STR(doc.date, "");
        TM_CHECK_STR(doc.period_date, "2019-04-01"); /* from the financial year */
        TM_CHECK_STR(doc.next_meeting, "");
        TM_CHECK_INT(doc.speakers.n, 0);
        TM_CHECK_INT(doc.sections.n, 0); /* numbered paragraphs are not headings */
        TM_CHECK_INT(doc.sentences.n, 6);
        TM_CHECK_STR(sent_text(&doc, 3), "Hate crime reports rose by ten per cent, and the "
                                         "partnership responded with more patrols in the town.");
        TM_CHECK(doc.location == NULL);
    }
    tm_doc_dispose(&doc);
}

static void test_metadata_other(void)
{
    const char *text = "The park was quiet over the summer and residents enjoyed the new benches. "
                       "Several families visited the library events.\n";
    tm_doc doc;
    if (seg(&doc, text) == TM_OK) {
        TM_CHECK_INT(doc.kind, TM_KIND_OTHER);
        TM_CHECK_STR(doc.date, "");
        TM_CHECK_STR(doc.period_date, "");
        TM_CHECK_STR(doc.next_meeting, "");
        TM_CHECK(doc.location == NULL);
        TM_CHECK_INT(doc.speakers.n, 0);
        TM_CHECK_INT(doc.sentences.n, 2);
    }
    tm_doc_dispose(&doc);
}

/* An undated report is placed by what it says: the latest date written with
 * its year; else the latest day-and-month in its financial year; else the
 * financial year's first day. */
static void test_period_date_of_undated_report(void)
{
    static const struct {
        const char *text, *period_date;
    } v[] = {
        {"Purpose of Report: update.\n\nTraining ran on 12 and 19 October 2019. "
         "An event will be held on 27 November.\n\nPriorities for 2019/20.\n",
         "2019-10-19"},
        {"Purpose of Report: update.\n\nPriorities for 2025/26. The week of action runs "
         "from 11th to 18th October. A review follows on 3rd March.\n",
         "2026-03-03"},
        {"Purpose of Report: update.\n\nPriorities for 2025/26.\n", "2025-04-01"},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        tm_doc doc;
        if (seg(&doc, v[i].text) == TM_OK) {
            TM_CHECK_STR(doc.date, "");
            TM_CHECK_STR(doc.period_date, v[i].period_date);
        }
        tm_doc_dispose(&doc);
    }
}

static void test_metadata_dates(void)
{
    static const struct {
        const char *first_line;
        const char *date;
    } v[] = {
        {"DATE: Wednesday 2nd March 2022", "2022-03-02"},
        {"Date: 10/06/2025", "2025-06-10"},
        {"Meeting held on Thursday 3rd July 2025", "2025-07-03"},
        {"July 2025", "2025-07-01"},
        {"Neighbourhood Forum", ""},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        char text[512];
        snprintf(text, sizeof text,
                 "%s\n\nResidents discussed the new play area and the lighting in the park.\n",
                 v[i].first_line);
        tm_doc doc;
        if (seg(&doc, text) == TM_OK) {
            if (strcmp(doc.date, v[i].date) != 0) fprintf(stderr, "  \"%s\"\n", v[i].first_line);
            TM_CHECK_STR(doc.date, v[i].date);
            TM_CHECK_STR(doc.period_date, v[i].date);
        }
        tm_doc_dispose(&doc);
    }
    /* a "next meeting" date is not the meeting's date */
    const char *text = "Forum notes\nNext meeting: 13th April 2022\n\nResidents spoke.\n";
    tm_doc doc;
    if (seg(&doc, text) == TM_OK) {
        TM_CHECK_STR(doc.next_meeting, "2022-04-13");
    }
    tm_doc_dispose(&doc);
}

static void test_metadata_next_meeting(void)
{
    /* a day without a year takes the meeting's year; a date on the next line counts */
    const char *text = "DATE: 10/06/2025\n\nResidents spoke about lighting.\n\n"
                       "Next meeting: 9th September\n";
    tm_doc doc;
    if (seg(&doc, text) == TM_OK) {
        TM_CHECK_STR(doc.date, "2025-06-10");
        TM_CHECK_STR(doc.next_meeting, "2025-09-09");
    }
    tm_doc_dispose(&doc);
    text = "DATE: 10/06/2025\n\nResidents spoke about lighting.\n\n"
           "Date of next meeting\n\nTuesday 14th October 2025\n";
    if (seg(&doc, text) == TM_OK) TM_CHECK_STR(doc.next_meeting, "2025-10-14");
    tm_doc_dispose(&doc);
}

static void test_metadata_location(void)
{
    const char *text = "Neighbourhood Forum\nLOCATION: Online via Teams\n\n"
                       "Residents discussed the new play area.\n";
    tm_doc doc;
    if (seg(&doc, text) == TM_OK) {
        TM_CHECK_STR(doc.location, "Online via Teams");
        TM_CHECK_STR(doc.title, "Neighbourhood Forum");
    }
    tm_doc_dispose(&doc);
    text = "Neighbourhood Forum\nVenue: The Old Library\n\nResidents spoke.\n";
    if (seg(&doc, text) == TM_OK) TM_CHECK_STR(doc.location, "The Old Library");
    tm_doc_dispose(&doc);
}

static void test_converted_input(void)
{
    /* Windows-1252 minutes: structure is found on the converted text */
    const char text[] = "Init\tPosition\nAB\tChair\nCD\tCaf\xE9 Owner\n\n"
                        "1. Update\nCD said \x93sales are down\x94.\n";
    tm_doc doc;
    if (seg(&doc, text) == TM_OK) {
        TM_CHECK_INT(doc.encoding, TM_ENC_CP1252);
        int cd = speaker_index(&doc, "CD");
        TM_CHECK(cd >= 0);
        if (cd >= 0) TM_CHECK_STR(doc.speakers.v[cd].role, "Caf\xC3\xA9 Owner");
        TM_CHECK_STR(speaker_of(&doc, "CD said"), "CD");
        TM_CHECK_INT(doc.sections.n, 1);
        if (doc.sections.n) TM_CHECK_STR(doc.sections.v[0].title, "Update");
    }
    tm_doc_dispose(&doc);
}

static const tm_test_case cases[] = {
    {"table_tab_separated", test_table_tab_separated},
    {"table_space_separated", test_table_space_separated},
    {"table_repeated_initial", test_table_repeated_initial},
    {"numbered_headings", test_numbered_headings},
    {"heading_not_numbered_sentence", test_heading_not_numbered_sentence},
    {"sentence_no_split", test_sentence_no_split},
    {"sentence_split", test_sentence_split},
    {"numbered_paragraphs", test_numbered_paragraphs},
    {"sentence_offsets", test_sentence_offsets},
    {"paragraph_broken_across_blank_line", test_paragraph_broken_across_blank_line},
    {"attribution", test_attribution},
    {"attribution_forms", test_attribution_forms},
    {"metadata_minutes", test_metadata_minutes},
    {"metadata_report", test_metadata_report},
    {"metadata_other", test_metadata_other},
    {"metadata_dates", test_metadata_dates},
    {"period_date_of_undated_report", test_period_date_of_undated_report},
    {"metadata_next_meeting", test_metadata_next_meeting},
    {"metadata_location", test_metadata_location},
    {"converted_input", test_converted_input},
    {NULL, NULL},
};

TM_TEST_MAIN(cases)
