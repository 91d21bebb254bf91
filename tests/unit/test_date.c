/* SPDX-License-Identifier: MIT */
/* test_date.c — parsing, checking and counting calendar dates
 * (common/text/date.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>
#include <time.h>

#include "date.h"

static void
expect_parse(const char *s, int y, int m, int d)
{
	struct cb_errbuf eb = { { 0 } };
	struct cb_date got = { 0, 0, 0 };
	cb_err rc = cb_date_parse(s, &got, &eb);

	if (rc)
		fail_msg("'%s': %s", s, eb.msg);
	assert_int_equal(got.year, y);
	assert_int_equal(got.month, m);
	assert_int_equal(got.day, d);
}

static void
expect_refused(cb_err (*parse)(const char *, struct cb_date *,
                               struct cb_errbuf *),
               const char *s, const char *msg)
{
	struct cb_errbuf eb = { { 0 } };
	struct cb_date got = { -1, -1, -1 };

	assert_int_equal(parse(s, &got, &eb), CB_EINVAL);
	assert_string_equal(eb.msg, msg);
	/* Out-parameters are written only on success. */
	assert_int_equal(got.year, -1);
	assert_int_equal(got.month, -1);
	assert_int_equal(got.day, -1);
}

static void
test_parse(void **state)
{
	(void)state;
	expect_parse("2023-01-31", 2023, 1, 31);
	expect_parse("2000-02-29", 2000, 2, 29);
	expect_parse("2024-02-29", 2024, 2, 29);
	expect_parse("1900-01-01", 1900, 1, 1);
	expect_parse("2199-12-31", 2199, 12, 31);

	expect_refused(cb_date_parse, "2023-02-29",
	               "date '2023-02-29' does not exist");
	expect_refused(cb_date_parse, "1900-02-29",
	               "date '1900-02-29' does not exist");
	expect_refused(cb_date_parse, "2023-02-30",
	               "date '2023-02-30' does not exist");
	expect_refused(cb_date_parse, "2023-04-31",
	               "date '2023-04-31' does not exist");
	expect_refused(cb_date_parse, "2023-13-01",
	               "date '2023-13-01' does not exist");
	expect_refused(cb_date_parse, "2023-00-10",
	               "date '2023-00-10' does not exist");
	expect_refused(cb_date_parse, "2023-01-00",
	               "date '2023-01-00' does not exist");
	expect_refused(cb_date_parse, "1899-12-31",
	               "date '1899-12-31' is outside the years 1900..2199");
	expect_refused(cb_date_parse, "2200-01-01",
	               "date '2200-01-01' is outside the years 1900..2199");
	expect_refused(cb_date_parse, "12/5/23",
	               "date '12/5/23' is not YYYY-MM-DD");
	expect_refused(cb_date_parse, "21/11/2026",
	               "date '21/11/2026' is not YYYY-MM-DD");
	expect_refused(cb_date_parse, "2023-1-05",
	               "date '2023-1-05' is not YYYY-MM-DD");
	expect_refused(cb_date_parse, "2023-01-5",
	               "date '2023-01-5' is not YYYY-MM-DD");
	expect_refused(cb_date_parse, "2023-01-05 ",
	               "date '2023-01-05 ' is not YYYY-MM-DD");
	expect_refused(cb_date_parse, "2023-01-051",
	               "date '2023-01-051' is not YYYY-MM-DD");
	expect_refused(cb_date_parse, "+023-01-05",
	               "date '+023-01-05' is not YYYY-MM-DD");
	expect_refused(cb_date_parse, "", "date '' is not YYYY-MM-DD");
}

static void
expect_loose(const char *s, int y, int m, int d)
{
	struct cb_errbuf eb = { { 0 } };
	struct cb_date got = { 0, 0, 0 };
	cb_err rc = cb_date_parse_loose(s, &got, &eb);

	if (rc)
		fail_msg("'%s': %s", s, eb.msg);
	assert_int_equal(got.year, y);
	assert_int_equal(got.month, m);
	assert_int_equal(got.day, d);
}

static void
test_parse_loose(void **state)
{
	(void)state;
	expect_loose("2026-11-21", 2026, 11, 21);
	expect_loose("21/11/2026", 2026, 11, 21);
	expect_loose("01/02/1990", 1990, 2, 1); /* day first */
	expect_loose("1/2/1990", 1990, 2, 1);
	expect_loose("5/12/2023", 2023, 12, 5);
	expect_loose("05/1/2023", 2023, 1, 5);
	expect_loose("21-11-2026", 2026, 11, 21);
	expect_loose("29/02/2024", 2024, 2, 29);
	expect_loose("  21/11/2026\t", 2026, 11, 21);

	expect_refused(cb_date_parse_loose, "12/5/23",
	               "date '12/5/23' is not "
	               "YYYY-MM-DD, DD/MM/YYYY, D/M/YYYY or DD-MM-YYYY");
	expect_refused(cb_date_parse_loose, "21/11-2026",
	               "date '21/11-2026' is not "
	               "YYYY-MM-DD, DD/MM/YYYY, D/M/YYYY or DD-MM-YYYY");
	expect_refused(cb_date_parse_loose, "123/1/2026",
	               "date '123/1/2026' is not "
	               "YYYY-MM-DD, DD/MM/YYYY, D/M/YYYY or DD-MM-YYYY");
	expect_refused(cb_date_parse_loose, "2026/11/21",
	               "date '2026/11/21' is not "
	               "YYYY-MM-DD, DD/MM/YYYY, D/M/YYYY or DD-MM-YYYY");
	expect_refused(cb_date_parse_loose, "",
	               "date '' is not "
	               "YYYY-MM-DD, DD/MM/YYYY, D/M/YYYY or DD-MM-YYYY");
	expect_refused(cb_date_parse_loose, "29/02/2023",
	               "date '29/02/2023' does not exist");
	expect_refused(cb_date_parse_loose, "31/04/2023",
	               "date '31/04/2023' does not exist");
	expect_refused(cb_date_parse_loose, "11/21/2026",
	               "date '11/21/2026' does not exist"); /* month 21 */
	expect_refused(cb_date_parse_loose, "1/1/1899",
	               "date '1/1/1899' is outside the years 1900..2199");
}

static void
test_normalise(void **state)
{
	struct cb_errbuf eb = { { 0 } };
	char out[11] = "unchanged";

	(void)state;
	assert_int_equal(cb_date_normalise("1/11/2026", out, &eb), CB_OK);
	assert_string_equal(out, "2026-11-01");
	assert_int_equal(cb_date_normalise("01-11-2026", out, &eb), CB_OK);
	assert_string_equal(out, "2026-11-01");
	assert_int_equal(cb_date_normalise("2026-11-01", out, &eb), CB_OK);
	assert_string_equal(out, "2026-11-01");
	memcpy(out, "unchanged", 10);
	assert_int_equal(cb_date_normalise("garbage", out, &eb), CB_EINVAL);
	assert_string_equal(eb.msg, "date 'garbage' is not YYYY-MM-DD, "
	                            "DD/MM/YYYY, D/M/YYYY or DD-MM-YYYY");
	assert_string_equal(out, "unchanged");
}

static void
expect_span(const char *s, const char *first, const char *last)
{
	struct cb_errbuf eb = { { 0 } };
	struct cb_date a, b;
	char fa[11], fb[11];

	if (cb_date_parse_span(s, &a, &b, &eb))
		fail_msg("'%s': %s", s, eb.msg);
	cb_date_format(&a, fa);
	cb_date_format(&b, fb);
	assert_string_equal(fa, first);
	assert_string_equal(fb, last);
}

static void
expect_span_refused(const char *s, const char *msg)
{
	struct cb_errbuf eb = { { 0 } };
	struct cb_date a = { -1, -1, -1 }, b = a;

	assert_int_equal(cb_date_parse_span(s, &a, &b, &eb), CB_EINVAL);
	assert_string_equal(eb.msg, msg);
	assert_int_equal(a.year, -1);
	assert_int_equal(b.year, -1);
}

static void
test_parse_span(void **state)
{
	(void)state;
	expect_span("01/11/2026", "2026-11-01", "2026-11-01");
	expect_span("2026-11-21", "2026-11-21", "2026-11-21");
	expect_span("1-2-2026", "2026-02-01", "2026-02-01");
	expect_span("2026-10", "2026-10-01", "2026-10-31");
	expect_span("10/2026", "2026-10-01", "2026-10-31");
	expect_span("2/2024", "2024-02-01", "2024-02-29");
	expect_span("2/2023", "2023-02-01", "2023-02-28");
	expect_span(" 2026 ", "2026-01-01", "2026-12-31");

	expect_span_refused("garbage",
	                    "date 'garbage' is not a day (YYYY-MM-DD, "
	                    "DD/MM/YYYY, D/M/YYYY or DD-MM-YYYY), a month "
	                    "(YYYY-MM or MM/YYYY) or a year (YYYY)");
	expect_span_refused("2026-13", "date '2026-13' does not exist");
	expect_span_refused("13/2026", "date '13/2026' does not exist");
	expect_span_refused("1800", "date '1800' is outside the years "
	                            "1900..2199");
	expect_span_refused("26", "date '26' is not a day (YYYY-MM-DD, "
	                          "DD/MM/YYYY, D/M/YYYY or DD-MM-YYYY), a "
	                          "month (YYYY-MM or MM/YYYY) or a year "
	                          "(YYYY)");
	expect_span_refused("2026-1", "date '2026-1' is not a day "
	                              "(YYYY-MM-DD, DD/MM/YYYY, D/M/YYYY or "
	                              "DD-MM-YYYY), a month (YYYY-MM or "
	                              "MM/YYYY) or a year (YYYY)");
}

static void
test_valid(void **state)
{
	struct cb_date d;

	(void)state;
	d = (struct cb_date){ 2000, 2, 29 };
	assert_true(cb_date_valid(&d));
	d = (struct cb_date){ 2024, 2, 29 };
	assert_true(cb_date_valid(&d));
	d = (struct cb_date){ 1900, 2, 29 };
	assert_false(cb_date_valid(&d));
	d = (struct cb_date){ 2100, 2, 29 };
	assert_false(cb_date_valid(&d));
	d = (struct cb_date){ 2023, 2, 29 };
	assert_false(cb_date_valid(&d));
	d = (struct cb_date){ 2023, 12, 31 };
	assert_true(cb_date_valid(&d));
	d = (struct cb_date){ 2023, 12, 32 };
	assert_false(cb_date_valid(&d));
	d = (struct cb_date){ 2023, 0, 1 };
	assert_false(cb_date_valid(&d));
	d = (struct cb_date){ 1899, 12, 31 };
	assert_false(cb_date_valid(&d));
	d = (struct cb_date){ 2200, 1, 1 };
	assert_false(cb_date_valid(&d));
}

static void
test_format(void **state)
{
	struct cb_date d = { 2026, 1, 5 };
	char out[11];

	(void)state;
	memset(out, 'x', sizeof(out));
	cb_date_format(&d, out);
	assert_string_equal(out, "2026-01-05");
	d = (struct cb_date){ 1900, 12, 31 };
	cb_date_format(&d, out);
	assert_string_equal(out, "1900-12-31");
	/* Out-of-range parts are clamped; the output stays 10 characters. */
	d = (struct cb_date){ 12345, -1, 100 };
	cb_date_format(&d, out);
	assert_string_equal(out, "9999-00-99");
}

static void
test_cmp(void **state)
{
	struct cb_date a = { 2023, 5, 10 }, b = { 2023, 5, 11 },
		       c = { 2023, 6, 1 }, e = { 2024, 1, 1 };

	(void)state;
	assert_true(cb_date_cmp(&a, &b) < 0);
	assert_true(cb_date_cmp(&b, &a) > 0);
	assert_true(cb_date_cmp(&b, &c) < 0);
	assert_true(cb_date_cmp(&c, &e) < 0);
	assert_true(cb_date_cmp(&e, &a) > 0);
	assert_int_equal(cb_date_cmp(&a, &a), 0);
}

static void
test_days(void **state)
{
	struct cb_date d = { 1970, 1, 1 }, prev, got;
	int64_t days;

	(void)state;
	assert_int_equal(cb_date_to_days(&d), 0);
	d = (struct cb_date){ 1969, 12, 31 };
	assert_int_equal(cb_date_to_days(&d), -1);
	d = (struct cb_date){ 2000, 3, 1 };
	assert_int_equal(cb_date_to_days(&d), 11017);
	d = (struct cb_date){ 1900, 1, 1 };
	assert_int_equal(cb_date_to_days(&d), -25567);
	d = (struct cb_date){ 2026, 11, 21 };
	assert_int_equal(cb_date_to_days(&d), 20778);

	/* Every day from 1900 to 2199 round-trips, is valid, and follows the
	 * day before it. */
	prev = cb_date_from_days(-25568);
	assert_int_equal(prev.year, 1899);
	assert_int_equal(prev.month, 12);
	assert_int_equal(prev.day, 31);
	for (days = -25567;; days++) {
		got = cb_date_from_days(days);
		if (got.year > 2199)
			break;
		if (!cb_date_valid(&got) || cb_date_to_days(&got) != days ||
		    cb_date_cmp(&prev, &got) >= 0)
			fail_msg("day %lld is %04d-%02d-%02d", (long long)days,
			         got.year, got.month, got.day);
		prev = got;
	}
	assert_int_equal(prev.year, 2199);
	assert_int_equal(prev.month, 12);
	assert_int_equal(prev.day, 31);
	/* 300 years of 365 days plus 73 leap days: 75 years divisible by 4,
	 * less 1900 and 2100 (2000 is a leap year). */
	assert_int_equal(days - -25567, 300 * 365 + 73);
}

static void
test_weekday(void **state)
{
	struct cb_date d;

	(void)state;
	d = (struct cb_date){ 2026, 11, 21 };
	assert_int_equal(cb_date_weekday(&d), 5); /* Saturday */
	d = (struct cb_date){ 1970, 1, 1 };
	assert_int_equal(cb_date_weekday(&d), 3); /* Thursday */
	d = (struct cb_date){ 1945, 9, 2 };
	assert_int_equal(cb_date_weekday(&d), 6); /* Sunday */
	d = (struct cb_date){ 1900, 1, 1 };
	assert_int_equal(cb_date_weekday(&d), 0); /* Monday */
	d = (struct cb_date){ 2000, 2, 29 };
	assert_int_equal(cb_date_weekday(&d), 1); /* Tuesday */
	d = (struct cb_date){ 2024, 1, 1 };
	assert_int_equal(cb_date_weekday(&d), 0); /* Monday */
}

static void
test_years_between(void **state)
{
	struct cb_date birth = { 1990, 5, 15 }, on;

	(void)state;
	on = (struct cb_date){ 2020, 5, 14 };
	assert_int_equal(cb_date_years_between(&birth, &on), 29);
	on = (struct cb_date){ 2020, 5, 15 };
	assert_int_equal(cb_date_years_between(&birth, &on), 30);
	on = (struct cb_date){ 2020, 12, 31 };
	assert_int_equal(cb_date_years_between(&birth, &on), 30);
	on = (struct cb_date){ 2021, 1, 1 };
	assert_int_equal(cb_date_years_between(&birth, &on), 30);
	on = birth;
	assert_int_equal(cb_date_years_between(&birth, &on), 0);

	birth = (struct cb_date){ 2000, 2, 29 };
	on = (struct cb_date){ 2018, 2, 28 };
	assert_int_equal(cb_date_years_between(&birth, &on), 17);
	on = (struct cb_date){ 2018, 3, 1 };
	assert_int_equal(cb_date_years_between(&birth, &on), 18);
	on = (struct cb_date){ 2024, 2, 29 };
	assert_int_equal(cb_date_years_between(&birth, &on), 24);
}

static void
test_today(void **state)
{
	time_t before = time(NULL), after;
	struct cb_date today = cb_date_today(), lo, hi;

	(void)state;
	after = time(NULL);
	/* Vietnam is UTC+7: today is the UTC day of (now + 7 hours). */
	lo = cb_date_from_days(((int64_t)before + 7 * 3600) / 86400);
	hi = cb_date_from_days(((int64_t)after + 7 * 3600) / 86400);
	assert_true(cb_date_valid(&today));
	assert_true(cb_date_cmp(&lo, &today) <= 0);
	assert_true(cb_date_cmp(&today, &hi) <= 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_parse_loose),
		cmocka_unit_test(test_normalise),
		cmocka_unit_test(test_parse_span),
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_cmp),
		cmocka_unit_test(test_days),
		cmocka_unit_test(test_weekday),
		cmocka_unit_test(test_years_between),
		cmocka_unit_test(test_today),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
