/* SPDX-License-Identifier: MIT */
/* words.h — the words a clerk may type for an enumerated value (a sex, a
 * member's status, a cell's or a meeting's kind, an attendance mark, a work
 * category, a rating level or stage, a meeting's rating, the purpose of a
 * temporary transfer): the canonical English value in any case, or a
 * Vietnamese word, with or without diacritics. One table per field, in
 * words.c; docs/OPERATIONS.md ("Words for values") lists them. What is
 * signed is always the canonical value: the words change no entry. */
#ifndef CB_WORDS_H
#define CB_WORDS_H

#include <stddef.h>

/* A value and the words for it: folded (cb_text_fold: no diacritics,
 * lower case), '|' between them. */
struct cb_word {
	const char *value;
	const char *words;
};

/* The words of one field; its values are those of its words. */
struct cb_word_table {
	const char *field; /* "sex", "status", … for docs and tests */
	const struct cb_word *words; /* ends with a NULL value */
};

extern const struct cb_word_table cb_word_tables[];
extern const size_t cb_word_table_count;

/* The value of values (an enumeration of op_table.c, NULL-ended) that
 * typed names: the value itself, or a word of the table whose values
 * include all of values, compared after folding (case and diacritics
 * ignored, '-' and '_' as spaces). NULL when typed names none of them
 * (also for an enumeration no table covers, unless typed is a value
 * exactly). The result is one of values' strings. */
const char *cb_words_match(const char *const *values, const char *typed);

/* A value as a person reads it: its translation in field ("status",
 * "cell kind", "rating level", … and "org kind", "org level", "stay kind",
 * "subject kind", "state"), e.g. "official" -> "chính thức" under a
 * Vietnamese locale; the value itself when it is not one of the field's
 * or in English. */
const char *cb_words_label(const char *field, const char *value);

/* The same for a value in a query's column (cb_query_col.name: "status",
 * "kind", "level", "stage", "rating", "mark", "work_category", "state",
 * "sex", "purpose"); other columns' values are returned as they are. */
const char *cb_words_show(const char *column, const char *value);

#endif
