/*
 * signals.h: mentions -> signals and incidents.
 *
 * A signal is a community and a theme (or indicator) that one sentence ties
 * together; with half the weight, a theme in a sentence that points back
 * ("these communities", "they") ties to the communities of the paragraph's
 * previous sentences. Each signal carries its polarity (from the theme's
 * registry entry), EEP (potential when the sentence hedges, experienced when
 * it reports feelings or experiences, else evidenced) and negation.
 *
 * An incident is a concrete event: an `incident` entry ("murder", "burglary
 * series"), or a theme that can be an event in a sentence that reports
 * recorded events ("reports of", "arrests"). Hedged sentences yield none.
 *
 * Also counts doc->words, the denominator for rates.
 */
#ifndef TM_SIGNALS_H
#define TM_SIGNALS_H

#include "tm/common.h"
#include "tm/doc.h"
#include "tm/lexicon.h"

int tm_signals_doc(const tm_lexicon *lex, tm_doc *doc, tm_err *err);

#endif
