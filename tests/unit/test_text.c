/* SPDX-License-Identifier: MIT */
/* test_text.c — UTF-8 validation, NFC, folding, name search and display
 * widths (common/text/text.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "text.h"

/* Nguyễn, ễ precomposed (U+1EC5) and as ê + combining tilde (U+0303). */
#define NGUYEN_NFC "Nguy\xE1\xBB\x85n"
#define NGUYEN_NFD "Nguy\xC3\xAA\xCC\x83n"

static void
expect_valid(const char *s, size_t n, bool want)
{
	if (cb_utf8_valid(s, n) != want)
		fail_msg("cb_utf8_valid(%zu bytes) should be %s", n,
		         want ? "true" : "false");
}

static void
test_utf8_valid(void **state)
{
	(void)state;
	expect_valid("", 0, true);
	expect_valid("abc", 3, true);
	expect_valid(NGUYEN_NFC, strlen(NGUYEN_NFC), true);
	expect_valid("\xC2\x80", 2, true);         /* U+0080 */
	expect_valid("\xDF\xBF", 2, true);         /* U+07FF */
	expect_valid("\xE0\xA0\x80", 3, true);     /* U+0800 */
	expect_valid("\xED\x9F\xBF", 3, true);     /* U+D7FF */
	expect_valid("\xEE\x80\x80", 3, true);     /* U+E000 */
	expect_valid("\xEF\xBF\xBF", 3, true);     /* U+FFFF */
	expect_valid("\xF0\x90\x80\x80", 4, true); /* U+10000 */
	expect_valid("\xF4\x8F\xBF\xBF", 4, true); /* U+10FFFF */

	expect_valid("\xC0\x80", 2, false);         /* overlong NUL */
	expect_valid("\xC1\xBF", 2, false);         /* overlong */
	expect_valid("\xE0\x9F\xBF", 3, false);     /* overlong */
	expect_valid("\xF0\x8F\xBF\xBF", 4, false); /* overlong */
	expect_valid("\xED\xA0\x80", 3, false);     /* U+D800 */
	expect_valid("\xED\xBF\xBF", 3, false);     /* U+DFFF */
	expect_valid("\xF4\x90\x80\x80", 4, false); /* U+110000 */
	expect_valid("\xF5\x80\x80\x80", 4, false);
	expect_valid("\xFF", 1, false);
	expect_valid("\x80", 1, false);         /* lone continuation */
	expect_valid("a\xC3", 2, false);        /* truncated */
	expect_valid("\xE1\xBB", 2, false);     /* truncated */
	expect_valid("\xF0\x90\x80", 3, false); /* truncated */
	expect_valid("\xC3\x41", 2, false);     /* bad continuation */
	expect_valid("\xE1\x41\x85", 3, false);
	expect_valid("a\0b", 3, false); /* NUL */
	/* Only the first n bytes count. */
	expect_valid("ab\xFF", 2, true);
	expect_valid("\xC3\xA1", 1, false);
}

static void
test_nfc(void **state)
{
	struct cb_errbuf eb;
	char *out = NULL;

	(void)state;
	assert_int_equal(cb_text_nfc(NGUYEN_NFD, &out, &eb), CB_OK);
	assert_string_equal(out, NGUYEN_NFC);
	free(out);
	out = NULL;
	assert_int_equal(cb_text_nfc(NGUYEN_NFC, &out, &eb), CB_OK);
	assert_string_equal(out, NGUYEN_NFC);
	free(out);
	out = NULL;
	/* Marks in the wrong canonical order: ợ written o + dot below + horn
	 * and o + horn + dot below both compose to U+1EE3. */
	assert_int_equal(cb_text_nfc("o\xCC\xA3\xCC\x9B", &out, &eb), CB_OK);
	assert_string_equal(out, "\xE1\xBB\xA3");
	free(out);
	out = NULL;
	assert_int_equal(cb_text_nfc("", &out, &eb), CB_OK);
	assert_string_equal(out, "");
	free(out);

	assert_true(cb_text_is_nfc(""));
	assert_true(cb_text_is_nfc("plain ascii"));
	assert_true(cb_text_is_nfc(NGUYEN_NFC));
	assert_false(cb_text_is_nfc(NGUYEN_NFD));
	assert_false(cb_text_is_nfc("\xCE\xA9\xE2\x84\xA6")); /* Ohm sign */
	assert_false(cb_text_is_nfc("abc\xFF"));
	/* dot below and circumflex in the wrong order: NFC reorders them */
	assert_false(cb_text_is_nfc("a\xCC\x82\xCC\xA3"));
	assert_true(cb_text_is_nfc_n(NGUYEN_NFC "x", strlen(NGUYEN_NFC)));
	assert_false(cb_text_is_nfc_n(NGUYEN_NFD "x", strlen(NGUYEN_NFD)));
}

/* The check without allocation (short strings) and the one that maps the
 * whole string (long ones) agree with NFC itself, on strings of base
 * letters, Vietnamese marks in any order, precomposed letters and
 * singletons (Ohm, Kelvin). */
static void
test_nfc_check_agrees(void **state)
{
	static const char *const parts[] = {
		"a",
		"o",
		"u",
		"e",
		" ",
		"\xCC\x82",
		"\xCC\x83",
		"\xCC\xA3",
		"\xCC\x9B",
		"\xCC\x81",
		"\xC6\xA1",
		"\xE1\xBB\x87",
		"\xE1\xBA\xA1",
		"\xE2\x84\xA6",
		"\xE2\x84\xAA",
		"\xC4\x91",
	};
	uint64_t r = 0x9e3779b97f4a7c15ull;
	struct cb_errbuf eb;

	(void)state;
	for (int round = 0; round < 20000; round++) {
		char s[1200] = "";
		char *nfc = NULL;
		int n = 1 + (int)(round % 7 == 0 ? 200 : r % 12);

		for (int i = 0; i < n; i++) {
			r ^= r << 13;
			r ^= r >> 7;
			r ^= r << 17;
			strcat(s, parts[r % 16]);
		}
		assert_int_equal(cb_text_nfc(s, &nfc, &eb), CB_OK);
		assert_int_equal(cb_text_is_nfc(s), strcmp(s, nfc) == 0);
		if (cb_text_is_nfc_n(nfc, strlen(nfc)) != true)
			fail_msg("NFC of '%s' is not NFC", s);
		free(nfc);
	}
}

static void
test_nfc_invalid(void **state)
{
	static const struct {
		const char *s;
		const char *msg;
	} cases[] = {
		{ "abcdefg\xC0\x80", "invalid UTF-8 at byte 7" },
		{ "\xED\xA0\x80", "invalid UTF-8 at byte 0" },
		{ "ab\xF5\x80\x80\x80", "invalid UTF-8 at byte 2" },
		{ NGUYEN_NFC "\xE1\xBB", "invalid UTF-8 at byte 8" },
		{ "x\xF4\x90\x80\x80", "invalid UTF-8 at byte 1" },
	};
	struct cb_errbuf eb;
	char *out = (char *)"untouched";

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&eb, 0, sizeof(eb));
		assert_int_equal(cb_text_nfc(cases[i].s, &out, &eb), CB_EINVAL);
		assert_string_equal(out, "untouched");
		if (strncmp(eb.msg, cases[i].msg, strlen(cases[i].msg)) != 0)
			fail_msg("case %zu: message '%s' should start '%s'", i,
			         eb.msg, cases[i].msg);
		assert_int_equal(cb_text_fold(cases[i].s, &out, &eb),
		                 CB_EINVAL);
		assert_int_equal(cb_text_lower(cases[i].s, &out, &eb),
		                 CB_EINVAL);
		assert_string_equal(out, "untouched");
	}
	/* A NULL error buffer is allowed. */
	assert_int_equal(cb_text_nfc("\xFF", &out, NULL), CB_EINVAL);
}

static void
expect_fold(const char *in, const char *want)
{
	struct cb_errbuf eb;
	char *out = NULL;

	assert_int_equal(cb_text_fold(in, &out, &eb), CB_OK);
	assert_string_equal(out, want);
	free(out);
}

static void
expect_lower(const char *in, const char *want)
{
	struct cb_errbuf eb;
	char *out = NULL;

	assert_int_equal(cb_text_lower(in, &out, &eb), CB_OK);
	assert_string_equal(out, want);
	assert_true(cb_text_is_nfc(out));
	free(out);
}

static void
test_fold(void **state)
{
	(void)state;
	expect_fold("Nguy\xE1\xBB\x85n V\xC4\x83n H\xE1\xBB\xA3p",
	            "nguyen van hop");
	/* ĐẶNG Thị   Ánh */
	expect_fold("\xC4\x90\xE1\xBA\xB6NG Th\xE1\xBB\x8B   \xC3\x81nh",
	            "dang thi anh");
	expect_fold("  Nguy\xE1\xBB\x85n  V\xC4\x83n H\xE1\xBB\xA2P",
	            "nguyen van hop");
	expect_fold(NGUYEN_NFD, "nguyen");
	expect_fold("\xC4\x91\xC3\xB4ng \xC4\x90\xC3\xB4ng", "dong dong");
	/* Tabs, CR, LF, NBSP, ideographic space all collapse; ends trimmed. */
	expect_fold("\t a\r\n\u00A0b\u3000c \n", "a b c");
	expect_fold("", "");
	expect_fold(" \t ", "");
	expect_fold("Stra\u00DFe", "strasse");
}

static void
test_lower(void **state)
{
	(void)state;
	expect_lower("Nguy\xE1\xBB\x85n V\xC4\x83n H\xE1\xBB\xA2P",
	             "nguy\xE1\xBB\x85n v\xC4\x83n h\xE1\xBB\xA3p");
	expect_lower("  " NGUYEN_NFD "\t\tV\xC4\x82N ",
	             "nguy\xE1\xBB\x85n v\xC4\x83n");
	expect_lower("\xC4\x90\xE1\xBA\xB6NG", "\xC4\x91\xE1\xBA\xB7ng");
	/* U+01F0 case-folds to j + U+030C; the result must come back NFC. */
	expect_lower("\xC7\xB0", "\xC7\xB0");
	expect_lower("", "");
}

static void
test_has_diacritics(void **state)
{
	(void)state;
	assert_true(cb_text_has_diacritics("h\xE1\xBB\xA3p")); /* hợp */
	assert_true(cb_text_has_diacritics("\xC3\xA1"));       /* á */
	assert_true(cb_text_has_diacritics("\xC4\x91i"));      /* đi */
	assert_true(cb_text_has_diacritics("\xC4\x90I"));      /* ĐI */
	assert_true(cb_text_has_diacritics("e\xCC\x81"));      /* e + ́ */
	assert_false(cb_text_has_diacritics("hop"));
	assert_false(cb_text_has_diacritics("HOP"));
	assert_false(cb_text_has_diacritics(""));
	assert_false(cb_text_has_diacritics("\xE6\xBC\xA2")); /* 漢 */
}

static void
test_match(void **state)
{
	const char *name = "Nguy\xE1\xBB\x85n V\xC4\x83n H\xE1\xBB\xA3p";
	const char *hop_hook = "Nguy\xE1\xBB\x85n V\xC4\x83n H\xE1\xBB\x9Bp";

	(void)state;
	assert_true(cb_text_match(name, "nguyen van hop"));
	assert_true(cb_text_match(name, "NGUYEN"));
	assert_true(cb_text_match(name, "van nguyen"));
	assert_true(cb_text_match(name, "  hop   nguy "));
	assert_true(cb_text_match(name, "h\xE1\xBB\xA3p"));      /* hợp */
	assert_true(cb_text_match(name, "H\xE1\xBB\xA2P"));      /* HỢP */
	assert_true(cb_text_match(name, "ho\xCC\x9B\xCC\xA3p")); /* NFD hợp */
	assert_false(cb_text_match(hop_hook, "h\xE1\xBB\xA3p")); /* Hớp */
	assert_true(cb_text_match(hop_hook, "hop"));
	assert_true(cb_text_match(name, "hop"));
	assert_true(cb_text_match(name, "nguy\xE1\xBB\x85n hop"));
	assert_false(cb_text_match(name, "nguy\xC3\xAAn")); /* Nguyên */
	assert_false(cb_text_match(name, "tran"));
	assert_false(cb_text_match(name, "nguyen tran"));
	assert_true(
		cb_text_match("\xC4\x90\xE1\xBA\xB7ng Th\xE1\xBB\x8B", "dang"));
	assert_true(cb_text_match("\xC4\x90\xE1\xBA\xB7ng Th\xE1\xBB\x8B",
	                          "\xC4\x91\xE1\xBA\xB7ng"));
	assert_false(cb_text_match("Dang Thi", "\xC4\x91\xE1\xBA\xB7ng"));
	assert_false(cb_text_match(name, "\xFF"));
	assert_false(cb_text_match("\xFF", "a"));
}

static void
test_width(void **state)
{
	(void)state;
	assert_int_equal(cb_text_width(""), 0);
	assert_int_equal(cb_text_width("Nguyen"), 6);
	assert_int_equal(cb_text_width(NGUYEN_NFC), 6);
	assert_int_equal(cb_text_width(NGUYEN_NFD), 6);
	assert_int_equal(cb_text_width("\xCC\x83"), 0); /* U+0303 */
	assert_int_equal(cb_text_width("\xE6\xBC\xA2\xE5\xAD\x97"),
	                 4); /* 漢字 */
	assert_int_equal(cb_text_width("a\tb\x1B"), 2);
	assert_int_equal(cb_text_width("\xE2\x80\xA6"), 1); /* … */
}

static void
expect_truncate(const char *in, size_t cols, const char *want)
{
	char *out = cb_text_truncate(in, cols);
	bool same, fits;

	assert_non_null(out);
	same = strcmp(out, want) == 0;
	fits = cb_text_width(out) <= cols;
	if (!same || !fits)
		fail_msg("truncating '%s' to %zu gave '%s', expected '%s'", in,
		         cols, out, want);
	free(out);
}

static void
test_truncate(void **state)
{
	(void)state;
	expect_truncate("Nguyen", 6, "Nguyen");
	expect_truncate("Nguyen", 10, "Nguyen");
	expect_truncate("Nguyen", 5, "Nguy\xE2\x80\xA6");
	expect_truncate("Nguyen", 1, "\xE2\x80\xA6");
	expect_truncate("Nguyen", 0, "");
	expect_truncate("", 0, "");
	expect_truncate(NGUYEN_NFC " V\xC4\x83n", 7,
	                "Nguy\xE1\xBB\x85n\xE2\x80\xA6");
	/* The combining tilde stays with its ê. */
	expect_truncate(NGUYEN_NFD "xyz", 7,
	                "Nguy\xC3\xAA\xCC\x83n\xE2\x80\xA6");
	expect_truncate(NGUYEN_NFD "xyz", 6,
	                "Nguy\xC3\xAA\xCC\x83\xE2\x80\xA6");
	/* A wide character that would straddle the limit is left out. */
	expect_truncate("\xE6\xBC\xA2\xE5\xAD\x97\xE6\xBC\xA2", 4,
	                "\xE6\xBC\xA2\xE2\x80\xA6");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utf8_valid),
		cmocka_unit_test(test_nfc),
		cmocka_unit_test(test_nfc_check_agrees),
		cmocka_unit_test(test_nfc_invalid),
		cmocka_unit_test(test_fold),
		cmocka_unit_test(test_lower),
		cmocka_unit_test(test_has_diacritics),
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_width),
		cmocka_unit_test(test_truncate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
