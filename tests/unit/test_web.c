/* SPDX-License-Identifier: MIT */
/* test_web.c — the HTML both web pages write (web.h): text escaped, in
 * text and in attributes; secrets of 64 hex digits, compared only when
 * whole; a report's table with its figures right-aligned and its notes,
 * headed for print; the bar chart scaled to its largest value, a bar of
 * nothing still drawn, its labels escaped, its links only where given. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "web.h"

/* What fn wrote, as a string (free it). */
static char *
written(void (*fn)(FILE *, void *), void *ctx)
{
	char *s = NULL;
	size_t n = 0;
	FILE *fp = open_memstream(&s, &n);

	assert_non_null(fp);
	fn(fp, ctx);
	fclose(fp);
	return s;
}

static void
esc(FILE *fp, void *ctx)
{
	cb_web_esc(fp, ctx);
}

static void
test_escape(void **state)
{
	char *s;

	(void)state;
	s = written(esc, "<a href=\"x\">Tô & 'Lê'</a>");
	assert_string_equal(
		s,
		"&lt;a href=&quot;x&quot;&gt;Tô &amp; &#39;Lê&#39;&lt;/a&gt;");
	free(s);
	s = written(esc, NULL);
	assert_string_equal(s, "");
	free(s);
}

static void
test_secrets(void **state)
{
	char a[CB_WEB_SECRET_HEX], b[CB_WEB_SECRET_HEX];

	(void)state;
	cb_web_secret(a);
	cb_web_secret(b);
	assert_int_equal(strlen(a), 64);
	assert_int_equal(strspn(a, "0123456789abcdef"), 64);
	assert_string_not_equal(a, b);
	assert_true(cb_web_same_secret(a, a));
	assert_false(cb_web_same_secret(b, a));
	assert_false(cb_web_same_secret(NULL, a));
	assert_false(cb_web_same_secret("", a));
	b[63] = 0;
	memcpy(b, a, 63);
	assert_false(cb_web_same_secret(b, a)); /* a prefix is not it */
}

static void
report(FILE *fp, void *ctx)
{
	cb_web_report(fp, ctx, "Huyện ủy <Lạng Giang>");
}

static void
test_report(void **state)
{
	static char *cols[] = { "NHÓM", "SỐ" };
	static char *cells[] = { "dự bị", "1.234", "tỷ lệ", "95,8 %" };
	static char *notes[] = { "tính tại điểm kiểm tra <x>" };
	struct cb_report r = { .title = "Đảng viên",
		               .ncols = 2,
		               .cols = cols,
		               .nrows = 2,
		               .cells = cells,
		               .notes = notes,
		               .nnotes = 1 };
	char *s;

	(void)state;
	s = written(report, &r);
	assert_non_null(strstr(s, "<div class=\"printhead\"><div>Huyện ủy "
	                          "&lt;Lạng Giang&gt;</div>"));
	assert_non_null(strstr(s, "<h2>Đảng viên</h2>"));
	assert_non_null(strstr(s, "<th scope=\"col\">NHÓM</th>"));
	assert_non_null(strstr(s, "<td>dự bị</td><td class=\"n\">1.234</td>"));
	assert_non_null(strstr(s, "<td class=\"n\">95,8 %</td>"));
	assert_non_null(strstr(s, "<p>tính tại điểm kiểm tra &lt;x&gt;</p>"));
	free(s);
}

/* How many times needle is in s. */
static int
count(const char *s, const char *needle)
{
	int n = 0;

	while ((s = strstr(s, needle))) {
		n++;
		s += strlen(needle);
	}
	return n;
}

struct bars {
	size_t n;
	const char *const *labels;
	const long long *values;
	const char *const *hrefs;
};

static void
bars(FILE *fp, void *ctx)
{
	struct bars *b = ctx;

	cb_web_bars(fp, "Đảng viên <mỗi xã>", b->n, b->labels, b->values,
	            b->hrefs);
}

static void
test_bars(void **state)
{
	static const char *const labels[] = { "Quế Nham", "Tân <Hưng>",
		                              "Hương Lạc" };
	static const long long values[] = { 20, 40, 0 };
	static const char *const hrefs[] = { "/dashboard/org?code=07297", NULL,
		                             "/x?a=1&b=2" };
	struct bars b = { 3, labels, values, hrefs };
	char *s;

	(void)state;
	s = written(bars, &b);
	assert_non_null(strstr(s, "<svg xmlns=\"http://www.w3.org/2000/svg\" "
	                          "role=\"img\""));
	assert_non_null(strstr(s, "<title>Đảng viên &lt;mỗi xã&gt;</title>"));
	/* the largest is the full width, half of it half, nothing a hair */
	assert_non_null(strstr(s, "width=\"420\""));
	assert_non_null(strstr(s, "width=\"210\""));
	assert_non_null(strstr(s, "width=\"1\""));
	assert_non_null(strstr(s, "Tân &lt;Hưng&gt;"));
	assert_null(strstr(s, "Tân <Hưng>"));
	assert_non_null(strstr(s, "<a href=\"/dashboard/org?code=07297\">"));
	assert_non_null(strstr(s, "<a href=\"/x?a=1&amp;b=2\">"));
	/* three bars, two links */
	assert_int_equal(count(s, "class=\"bar\""), 3);
	assert_int_equal(count(s, "<a href"), 2);
	free(s);
	/* no bars at all: an empty chart, no division by nothing */
	b.n = 0;
	s = written(bars, &b);
	assert_non_null(strstr(s, "</svg>"));
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_secrets),
		cmocka_unit_test(test_report),
		cmocka_unit_test(test_bars),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
