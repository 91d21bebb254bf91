/* SPDX-License-Identifier: MIT */
/* test_words.c — the words a clerk may type for enumerated values
 * (common/view/words.c): each table well formed (words folded, none twice,
 * none another value's name), every enumeration a clerk types covered, the
 * Vietnamese words and the short forms matched in any case with or without
 * diacritics, what is no word refused, cb_ops_prepare signing the canonical
 * value, and docs/OPERATIONS.md listing every word. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops.h"
#include "text.h"
#include "words.h"

/* Call fn(table, value, word) for every word of every table. */
static void
each_word(void (*fn)(const struct cb_word_table *, const char *, const char *))
{
	for (size_t i = 0; i < cb_word_table_count; i++) {
		const struct cb_word_table *t = &cb_word_tables[i];

		for (const struct cb_word *w = t->words; w->value; w++) {
			const char *p = w->words;

			while (p) {
				const char *bar = strchr(p, '|');
				size_t n = bar ? (size_t)(bar - p) : strlen(p);
				char *word = strndup(p, n);

				assert_non_null(word);
				fn(t, w->value, word);
				free(word);
				p = bar ? bar + 1 : NULL;
			}
		}
	}
}

static void
word_is_well_formed(const struct cb_word_table *t, const char *value,
                    const char *word)
{
	char *folded = NULL;
	int seen = 0;

	/* folded, as the match compares it */
	assert_int_equal(cb_text_fold(word, &folded, NULL), CB_OK);
	if (strcmp(folded, word) || strchr(word, '-') || !*word)
		fail_msg("%s: '%s' is not folded", t->field, word);
	free(folded);
	/* one value only, and not the name of another */
	for (const struct cb_word *w = t->words; w->value; w++) {
		const char *p = w->words;
		size_t n = strlen(word);

		if (strcmp(w->value, value) && !strcmp(w->value, word))
			fail_msg("%s: '%s' names another value", t->field,
			         word);
		while ((p = strstr(p, word))) {
			if ((p == w->words || p[-1] == '|') &&
			    (p[n] == 0 || p[n] == '|'))
				seen++;
			p += n;
		}
	}
	if (seen != 1)
		fail_msg("%s: '%s' is listed %d times", t->field, word, seen);
}

static void
test_tables_well_formed(void **state)
{
	(void)state;
	each_word(word_is_well_formed);
}

/* Every value of values matches itself, in capitals too, through a table
 * that covers values. */
static void
expect_covered(const char *const *values)
{
	for (const char *const *v = values; *v; v++) {
		char upper[64];
		size_t i;

		assert_ptr_equal(cb_words_match(values, *v), *v);
		for (i = 0; (*v)[i] && i < sizeof(upper) - 1; i++)
			upper[i] = (char)((*v)[i] >= 'a' && (*v)[i] <= 'z'
			                          ? (*v)[i] - 32
			                          : (*v)[i]);
		upper[i] = 0;
		if (cb_words_match(values, upper) != *v)
			fail_msg("'%s' has no table", *v);
	}
}

static void
test_every_typed_enumeration_covered(void **state)
{
	(void)state;
	expect_covered(cb_cell_kinds);
	expect_covered(cb_member_statuses);
	expect_covered(cb_work_categories);
	expect_covered(cb_attendance_marks);
	expect_covered(cb_meeting_kinds);
	expect_covered(cb_rating_levels);
	expect_covered(cb_rating_stages);
	expect_covered(cb_temporary_purposes);
}

static void
expect_word(const char *const *values, const char *typed, const char *want)
{
	const char *got = cb_words_match(values, typed);

	if (!want && got)
		fail_msg("'%s' matched '%s'", typed, got);
	if (want && (!got || strcmp(got, want)))
		fail_msg("'%s' matched '%s', not '%s'", typed,
		         got ? got : "nothing", want);
}

static void
test_vietnamese_words(void **state)
{
	static const char *const sexes[] = { "male", "female", NULL };

	(void)state;
	expect_word(sexes, "nam", "male");
	expect_word(sexes, "Nam", "male");
	expect_word(sexes, "nữ", "female");
	expect_word(sexes, "NỮ", "female");
	expect_word(sexes, "nu", "female");
	expect_word(sexes, " Nữ ", "female");
	expect_word(sexes, "Female", "female");
	expect_word(cb_rating_levels, "Hoàn thành xuất sắc nhiệm vụ",
	            "outstanding");
	expect_word(cb_rating_levels, "hoan thanh tot nhiem vu", "good");
	expect_word(cb_rating_levels, "Hoàn thành nhiệm vụ", "completed");
	expect_word(cb_rating_levels, "Không hoàn thành nhiệm vụ",
	            "not-completed");
	expect_word(cb_rating_levels, "xuất sắc", "outstanding");
	expect_word(cb_rating_levels, "Tốt", "good");
	expect_word(cb_rating_levels, "hoàn thành", "completed");
	expect_word(cb_rating_levels, "không hoàn thành", "not-completed");
	expect_word(cb_rating_levels, "not completed", "not-completed");
	expect_word(cb_rating_levels, "NOT_COMPLETED", "not-completed");
	expect_word(cb_member_statuses, "Dự bị", "probationary");
	expect_word(cb_member_statuses, "chính thức", "official");
	expect_word(cb_member_statuses, "Miễn sinh hoạt", "exempt");
	expect_word(cb_member_statuses, "từ trần", "deceased");
	expect_word(cb_member_statuses, "xoá tên", "struck-off"); /* old */
	expect_word(cb_member_statuses, "xóa tên", "struck-off"); /* new */
	expect_word(cb_cell_kinds, "Thôn", "residential");
	expect_word(cb_cell_kinds, "trường học", "school");
	expect_word(cb_meeting_kinds, "Thường kỳ", "regular");
	expect_word(cb_meeting_kinds, "chuyên đề", "thematic");
	expect_word(cb_meeting_kinds, "đột xuất", "extraordinary");
	expect_word(cb_attendance_marks, "Có mặt", "present");
	expect_word(cb_attendance_marks, "vắng có phép", "excused");
	expect_word(cb_attendance_marks, "Vắng không phép", "unexcused");
	expect_word(cb_attendance_marks, "miễn", "exempt");
	expect_word(cb_work_categories, "Cán bộ xã", "commune-cadre");
	expect_word(cb_work_categories, "nghỉ hưu", "retired");
	expect_word(cb_rating_stages, "tự đánh giá", "self");
	expect_word(cb_temporary_purposes, "học tập", "study");

	/* refused: no word, a word of another field, or an empty one */
	expect_word(sexes, "x", NULL);
	expect_word(sexes, "", NULL);
	expect_word(sexes, "nam nữ", NULL);
	expect_word(cb_member_statuses, "nam", NULL);
	expect_word(cb_rating_levels, "khá", NULL);  /* a meeting's rating */
	expect_word(cb_meeting_kinds, "thôn", NULL); /* a cell's kind */
	expect_word(cb_rating_levels, "\xff", NULL); /* not UTF-8 */
	expect_word(cb_member_statuses, "vắng", NULL);
	/* an enumeration no table covers takes its values exactly */
	expect_word((const char *const[]){ "member", "org", NULL }, "member",
	            "member");
	expect_word((const char *const[]){ "member", "org", NULL }, "Member",
	            NULL);
}

/* cb_ops_prepare signs the canonical value; a word of the field that the
 * op does not allow is refused with the values it does. */
static void
test_prepare_signs_canonical_values(void **state)
{
	struct cb_errbuf eb;
	json_t *in, *body = NULL;

	(void)state;
	in = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "full_name",
	               "Lê Văn An", "birth_date", "01/02/1970", "sex", "Nữ",
	               "admitted_on", "1/1/1995", "cell", "01", "status",
	               "dự bị", "work_category", "Cán bộ xã");
	if (cb_ops_prepare(NULL, "26734", "member.add", in, &body, &eb))
		fail_msg("%s", eb.msg);
	assert_string_equal(
		json_string_value(json_object_get(body, "birth_date")),
		"1970-02-01");
	assert_string_equal(json_string_value(json_object_get(body, "sex")),
	                    "female");
	assert_string_equal(json_string_value(json_object_get(body, "status")),
	                    "probationary");
	assert_string_equal(
		json_string_value(json_object_get(body, "work_category")),
		"commune-cadre");
	json_decref(body);
	json_object_set_new(in, "status", json_string("từ trần"));
	assert_int_equal(
		cb_ops_prepare(NULL, "26734", "member.add", in, &body, &eb),
		CB_EINVAL);
	assert_string_equal(eb.msg, "member.add: field 'status' is 'từ trần'; "
	                            "it must be probationary, official or "
	                            "exempt");
	json_object_set_new(in, "status", json_string("official"));
	json_object_set_new(in, "sex", json_string("x"));
	assert_int_equal(
		cb_ops_prepare(NULL, "26734", "member.add", in, &body, &eb),
		CB_EINVAL);
	assert_string_equal(eb.msg, "member.add: field 'sex' is 'x'; it must "
	                            "be male or female");
	json_decref(in);

	in = json_pack("{s:s, s:s, s:s}", "code", "03", "name", "Chi bộ Trường",
	               "kind", "Trường học");
	if (cb_ops_prepare(NULL, "26734", "cell.create", in, &body, &eb))
		fail_msg("%s", eb.msg);
	assert_string_equal(json_string_value(json_object_get(body, "kind")),
	                    "school");
	json_decref(body);
	json_decref(in);
}

/* The section "Words for values" of docs/OPERATIONS.md, folded. */
static char *docs;

static void
word_is_documented(const struct cb_word_table *t, const char *value,
                   const char *word)
{
	char quoted[128];

	snprintf(quoted, sizeof(quoted), "`%s`", word);
	if (!strstr(docs, quoted))
		fail_msg("docs/OPERATIONS.md does not list %s '%s' (%s)",
		         t->field, word, value);
}

static void
test_docs_list_every_word(void **state)
{
	const char *src = getenv("CHIBO_SOURCE_DIR");
	char path[1024], *text, *start, *end;
	FILE *fp;
	long n;

	(void)state;
	if (!src)
		skip();
	snprintf(path, sizeof(path), "%s/docs/OPERATIONS.md", src);
	assert_non_null(fp = fopen(path, "rb"));
	assert_int_equal(fseek(fp, 0, SEEK_END), 0);
	n = ftell(fp);
	rewind(fp);
	assert_non_null(text = calloc(1, (size_t)n + 1));
	assert_int_equal(fread(text, 1, (size_t)n, fp), (size_t)n);
	fclose(fp);
	assert_non_null(start = strstr(text, "\n### Words for values"));
	if ((end = strstr(start + 1, "\n## ")))
		*end = 0;
	assert_int_equal(cb_text_fold(start, &docs, NULL), CB_OK);
	each_word(word_is_documented);
	free(docs);
	free(text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tables_well_formed),
		cmocka_unit_test(test_every_typed_enumeration_covered),
		cmocka_unit_test(test_vietnamese_words),
		cmocka_unit_test(test_prepare_signs_canonical_values),
		cmocka_unit_test(test_docs_list_every_word),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
