/* SPDX-License-Identifier: MIT */
/* test_lang.c — the user's language (common/base/lang.c): English and C
 * typography by default; under vi_VN.UTF-8 the build's catalogue
 * (build/locale, the tests' working directory; the locale made there from
 * the 'locales' package when the system lacks it) and Vietnamese figures,
 * with printf's own numbers left as the wire formats write them; English
 * sentences said again in Vietnamese (cb_lang_resay); and English again
 * between cb_lang_english_begin and _end. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang.h"
#include "report.h"
#include "words.h"

static void
check_english(void)
{
	char n[32], p[48];

	cb_lang_number(7047, n);
	assert_string_equal(n, "7,047");
	cb_lang_number(-1234567, n);
	assert_string_equal(n, "-1,234,567");
	cb_lang_number(999, n);
	assert_string_equal(n, "999");
	cb_lang_tenths(958, n);
	assert_string_equal(n, "95.8");
	cb_report_percent(4000, 4175, p);
	assert_string_equal(p, "95.8%");
	assert_string_equal(cb_words_label("status", "official"), "official");
	assert_string_equal(cb_words_show("kind", "residential"),
	                    "residential");
	assert_string_equal(_("out of memory"), "out of memory");
	assert_string_equal(P_("%s key", "%s keys", 2), "%s keys");
	assert_string_equal(cb_lang_resay("cell 'X' already exists"),
	                    "cell 'X' already exists");
}

static void
test_c_by_default(void **state)
{
	char n[32];

	(void)state;
	check_english();
	cb_lang_count(7047, n);
	assert_string_equal(n, "7047"); /* C: table cells as before */
}

static void
test_vietnamese(void **state)
{
	char n[32], p[48], f[16];

	(void)state;
	unsetenv("LC_ALL");
	unsetenv("LC_MESSAGES");
	unsetenv("LC_NUMERIC");
	unsetenv("LANGUAGE");
	setenv("LANG", "vi_VN.UTF-8", 1);
	setenv("CHIBO_LOCALEDIR", "locale", 1);
	if (!setlocale(LC_ALL, "vi_VN.UTF-8") &&
	    system("mkdir -p lang-vi && localedef -i vi_VN -f UTF-8 "
	           "lang-vi/vi_VN.UTF-8 >/dev/null 2>&1; "
	           "test -d lang-vi/vi_VN.UTF-8") == 0)
		setenv("LOCPATH", "lang-vi", 1); /* as lang_vi.sh does */
	setlocale(LC_ALL, "C");
	cb_lang_init();
	if (strcmp(setlocale(LC_MESSAGES, NULL), "vi_VN.UTF-8") != 0)
		skip(); /* no vi_VN.UTF-8 here: packaging/install-deps.sh */
	cb_lang_number(7047, n);
	assert_string_equal(n, "7.047");
	cb_lang_count(7047, n);
	assert_string_equal(n, "7.047");
	cb_lang_number(1234567, n);
	assert_string_equal(n, "1.234.567");
	cb_lang_tenths(958, n);
	assert_string_equal(n, "95,8");
	cb_report_percent(4000, 4175, p);
	assert_string_equal(p, "95,8 %");
	assert_string_equal(_("out of memory"), "hết bộ nhớ");
	assert_string_equal(cb_words_label("status", "official"), "chính thức");
	assert_string_equal(cb_words_label("stay kind", "official"),
	                    "chính thức");
	assert_string_equal(cb_words_label("attendance mark", "exempt"),
	                    "miễn sinh hoạt");
	assert_string_equal(cb_words_show("rating", "good"), "tốt");
	assert_string_equal(cb_words_show("level", "good"),
	                    "hoàn thành tốt nhiệm vụ");
	assert_string_equal(cb_words_show("name", "good"), "good");
	assert_string_equal(_(""), ""); /* never the catalogue's header */
	/* printf and strtod keep the C locale's numbers (wire formats) */
	snprintf(f, sizeof(f), "%.1f", 95.8);
	assert_string_equal(f, "95.8");
	assert_true(strtod("95.8", NULL) > 95.7);
	/* a sentence made in English from a message, said again: its
	 * arguments into the translation (a code with a quote in it, a
	 * number), a sentence inside it said again too */
	assert_string_equal(cb_lang_resay("cell '07297.T1' already exists"),
	                    "chi bộ '07297.T1' đã tồn tại");
	assert_string_equal(cb_lang_resay("cell 'a'b: c' already exists"),
	                    "chi bộ 'a'b: c' đã tồn tại");
	assert_string_equal(cb_lang_resay("key 0123456789ab was revoked"),
	                    "khóa 0123456789ab đã bị thu hồi");
	assert_string_equal(
		cb_lang_resay("the hub refused this key: key 0123456789ab was "
	                      "revoked"),
		"máy chủ từ chối khóa này: khóa 0123456789ab đã bị thu hồi");
	assert_string_equal(cb_lang_resay("a push holds at most 64 entries"),
	                    "mỗi lần gửi chứa tối đa 64 mục ghi");
	/* a message with a 64-bit number in it (written %llu, not PRIu64,
	 * whose msgid the catalogue keeps apart), and one made of two
	 * sentences, each said again */
	assert_string_equal(cb_lang_resay("fork: another entry holds seq 7"),
	                    "rẽ nhánh: một mục ghi khác đang giữ số thứ tự 7");
	assert_string_equal(
		cb_lang_resay("entry 5: fork: another entry holds seq 5"),
		"mục ghi 5: rẽ nhánh: một mục ghi khác đang giữ số thứ tự 5");
	assert_string_equal(cb_lang_resay("fork: entry 12 differs from the one "
	                                  "this hub holds; the key is frozen"),
	                    "rẽ nhánh: mục ghi 12 khác với mục ghi mà máy chủ "
	                    "này đang giữ; khóa đã bị đóng băng");
	/* what matches no message, or only "%s: %s", is left as it is */
	assert_string_equal(cb_lang_resay("Nguyễn Văn Hợp"), "Nguyễn Văn Hợp");
	assert_string_equal(cb_lang_resay("no such thing: at all"),
	                    "no such thing: at all");
	assert_string_equal(cb_lang_resay(""), "");
	assert_null(cb_lang_resay(NULL));
	/* a number where the message has %d must be digits */
	assert_string_equal(cb_lang_resay("a push holds at most x entries"),
	                    "a push holds at most x entries");
	/* JSON and CSV are built in English */
	cb_lang_english_begin();
	check_english();
	cb_lang_count(7047, n);
	assert_string_equal(n, "7047");
	cb_lang_english_end();
	assert_string_equal(_("out of memory"), "hết bộ nhớ");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_c_by_default),
		cmocka_unit_test(test_vietnamese),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
