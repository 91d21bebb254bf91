/* SPDX-License-Identifier: MIT */
/* test_csv.c — the RFC 4180 reader and field writer (common/text/csv.c),
 * the output options and CSV cells of lists and reports (output.c), and
 * the decoding of what spreadsheets save into UTF-8 NFC (decode.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csv.h"
#include "decode.h"
#include "output.h"

struct reader {
	FILE *fp;
	struct cb_csv csv;
	struct cb_csv_row row;
	struct cb_errbuf eb;
};

/* Open n bytes of s as a CSV file. */
static void
reader_open(struct reader *r, const char *s, size_t n)
{
	memset(r, 0, sizeof(*r));
	r->fp = tmpfile();
	assert_non_null(r->fp);
	assert_int_equal(fwrite(s, 1, n, r->fp), n);
	rewind(r->fp);
	cb_csv_init(&r->csv, r->fp);
}

static void
reader_close(struct reader *r)
{
	cb_csv_row_release(&r->row);
	cb_csv_release(&r->csv);
	fclose(r->fp);
}

#define OPEN(r, lit) reader_open((r), (lit), sizeof(lit) - 1)
#define END ((const char *)NULL) /* ends expect_row's list of fields */

/* The next record has exactly the fields given (a list ending in END) and
 * starts on line `line`. */
static void
expect_row(struct reader *r, size_t line, ...)
{
	va_list ap;
	const char *want;
	size_t i = 0;
	cb_err rc;

	rc = cb_csv_next(&r->csv, &r->row, &r->eb);
	if (rc)
		fail_msg("expected a record on line %zu, got %s: %s", line,
		         cb_err_name(rc), r->eb.msg);
	assert_int_equal(r->row.line, line);
	va_start(ap, line);
	while ((want = va_arg(ap, const char *)) != NULL) {
		if (i >= r->row.nfields) {
			va_end(ap);
			fail_msg("line %zu: only %zu fields", line,
			         r->row.nfields);
		}
		if (strcmp(r->row.fields[i], want) != 0) {
			va_end(ap);
			fail_msg("line %zu field %zu: '%s', expected '%s'",
			         line, i + 1, r->row.fields[i], want);
		}
		i++;
	}
	va_end(ap);
	assert_int_equal(r->row.nfields, i);
}

static void
expect_end(struct reader *r)
{
	assert_int_equal(cb_csv_next(&r->csv, &r->row, &r->eb), CB_ENOTFOUND);
	assert_int_equal(r->row.nfields, 0);
	/* And it stays at the end. */
	assert_int_equal(cb_csv_next(&r->csv, &r->row, &r->eb), CB_ENOTFOUND);
}

static void
expect_error(struct reader *r, const char *fragment)
{
	memset(&r->eb, 0, sizeof(r->eb));
	assert_int_equal(cb_csv_next(&r->csv, &r->row, &r->eb), CB_EINVAL);
	assert_int_equal(r->row.nfields, 0);
	if (!strstr(r->eb.msg, fragment))
		fail_msg("error '%s' should mention '%s'", r->eb.msg, fragment);
}

static void
test_bom_and_crlf(void **state)
{
	struct reader r;

	(void)state;
	OPEN(&r, "\xEF\xBB\xBFname,age\r\nAn,30\r\nB\xC3\xACnh,41\r\n");
	expect_row(&r, 1, "name", "age", END);
	expect_row(&r, 2, "An", "30", END);
	expect_row(&r, 3, "B\xC3\xACnh", "41", END);
	expect_end(&r);
	assert_int_equal(r.csv.sep, ',');
	reader_close(&r);
}

static void
test_no_bom_short_file(void **state)
{
	struct reader r;

	(void)state;
	/* Fewer than three bytes: nothing may be lost looking for a BOM. */
	OPEN(&r, "ab");
	expect_row(&r, 1, "ab", END);
	expect_end(&r);
	reader_close(&r);

	OPEN(&r, "\xEF\xBB"
	         "a\n");
	expect_error(&r, "line 1");
	reader_close(&r);
}

static void
test_empty_files(void **state)
{
	struct reader r;

	(void)state;
	OPEN(&r, "");
	expect_end(&r);
	reader_close(&r);
	OPEN(&r, "\xEF\xBB\xBF");
	expect_end(&r);
	reader_close(&r);
	OPEN(&r, "\n\r\n\n");
	expect_end(&r);
	reader_close(&r);
}

static void
test_semicolons(void **state)
{
	struct reader r;

	(void)state;
	OPEN(&r, "H\xE1\xBB\x8D t\xC3\xAAn;Ng\xC3\xA0y sinh;Ghi ch\xC3\xBA\n"
	         "Nguy\xE1\xBB\x85n, V\xC4\x83n;01/02/1990;\"a;b\"\n");
	expect_row(&r, 1, "H\xE1\xBB\x8D t\xC3\xAAn", "Ng\xC3\xA0y sinh",
	           "Ghi ch\xC3\xBA", END);
	expect_row(&r, 2, "Nguy\xE1\xBB\x85n, V\xC4\x83n", "01/02/1990", "a;b",
	           NULL);
	expect_end(&r);
	assert_int_equal(r.csv.sep, ';');
	reader_close(&r);
}

static void
test_separator_guess(void **state)
{
	struct reader r;

	(void)state;
	/* Semicolons inside quotes do not count. */
	OPEN(&r, "\"a;b;c\",d\n1,2\n");
	expect_row(&r, 1, "a;b;c", "d", NULL);
	expect_row(&r, 2, "1", "2", END);
	expect_end(&r);
	assert_int_equal(r.csv.sep, ',');
	reader_close(&r);

	/* More semicolons than commas. */
	OPEN(&r, "a;b;c,d\n");
	expect_row(&r, 1, "a", "b", "c,d", END);
	expect_end(&r);
	reader_close(&r);

	/* A tie goes to ','. */
	OPEN(&r, "a;b,c\n");
	expect_row(&r, 1, "a;b", "c", NULL);
	expect_end(&r);
	reader_close(&r);

	/* Guessing, the quote after ';' opens a field that runs to line 2;
	 * with ',' chosen it is data, the first record ends on line 1 and
	 * the rest of what the guess read is parsed again. */
	OPEN(&r, "a,b;\"c\nd,e\"\nf,g\n");
	expect_row(&r, 1, "a", "b;\"c", NULL);
	expect_row(&r, 2, "d", "e\"", END);
	expect_row(&r, 3, "f", "g", END);
	expect_end(&r);
	assert_int_equal(r.csv.sep, ',');
	reader_close(&r);

	/* Blank lines before the first record; it spans lines. */
	OPEN(&r, "\n\n\"x\ny\";z;\"w,v\"\n1;2;3");
	expect_row(&r, 3, "x\ny", "z", "w,v", END);
	expect_row(&r, 5, "1", "2", "3", END);
	expect_end(&r);
	assert_int_equal(r.csv.sep, ';');
	reader_close(&r);
}

static void
test_quotes(void **state)
{
	struct reader r;

	(void)state;
	OPEN(&r, "a,\"b,c\",\"say \"\"hi\"\"\",\"line1\nline2\"\n"
	         "next,\"\",\"\"\"\"\n"
	         "\"crlf\r\ninside\",x\r\n"
	         "\"blank\n\nline\",y\n");
	expect_row(&r, 1, "a", "b,c", "say \"hi\"", "line1\nline2", END);
	expect_row(&r, 3, "next", "", "\"", END);
	expect_row(&r, 4, "crlf\r\ninside", "x", END);
	expect_row(&r, 6, "blank\n\nline", "y", END);
	expect_end(&r);
	assert_int_equal(r.csv.line, 9);
	reader_close(&r);
}

static void
test_lenient_quotes(void **state)
{
	struct reader r;

	(void)state;
	/* A quote inside an unquoted field is data; so is text after a
	 * closing quote. */
	OPEN(&r, "5\" pipe,\"ab\"cd,e\n");
	expect_row(&r, 1, "5\" pipe", "abcd", "e", END);
	expect_end(&r);
	reader_close(&r);
}

static void
test_empty_fields_and_cr(void **state)
{
	struct reader r;

	(void)state;
	OPEN(&r, ",,\na,\n a , b \na\rb,c\nlast,cr\r");
	expect_row(&r, 1, "", "", "", END);
	expect_row(&r, 2, "a", "", END);
	expect_row(&r, 3, " a ", " b ", END);
	expect_row(&r, 4, "a\rb", "c", END);
	expect_row(&r, 5, "last", "cr", END);
	expect_end(&r);
	reader_close(&r);
}

static void
test_blank_lines(void **state)
{
	struct reader r;

	(void)state;
	OPEN(&r, "\n\r\na,b\n\n\r\n\nc,d");
	expect_row(&r, 3, "a", "b", END);
	expect_row(&r, 7, "c", "d", END);
	expect_end(&r);
	reader_close(&r);
}

static void
test_unterminated_quote(void **state)
{
	struct reader r;

	(void)state;
	OPEN(&r, "a,b\nc,d\ne,\"open\nmore\n");
	expect_row(&r, 1, "a", "b", END);
	expect_row(&r, 2, "c", "d", END);
	expect_error(&r, "line 3");
	reader_close(&r);

	/* In the first record, while the separator is being guessed. */
	OPEN(&r, "\"never closed,x\n");
	expect_error(&r, "line 1");
	reader_close(&r);
}

static void
test_invalid_utf8(void **state)
{
	static const char data[] = "ok,fine\n"
				   "bad,\xC0\x80,\xFF\n"
				   "after,row\n"
				   "\"multi\nline\xFF\",z\n"
				   "nul,a\0b\n"
				   "end,row\n";
	struct reader r;

	(void)state;
	reader_open(&r, data, sizeof(data) - 1);
	expect_row(&r, 1, "ok", "fine", END);
	expect_error(&r, "line 2, field 2:"); /* the first bad field */
	assert_non_null(strstr(r.eb.msg, "UTF-8"));
	/* The reader stays in step after a bad record. */
	expect_row(&r, 3, "after", "row", END);
	expect_error(&r,
	             "line 5"); /* the bad byte is on the record's 2nd line */
	expect_error(&r, "line 6"); /* a NUL byte */
	expect_row(&r, 7, "end", "row", END);
	expect_end(&r);
	reader_close(&r);
}

static void
test_long_line(void **state)
{
	size_t n = 200000;
	char *data = malloc(n + 8), *want = malloc(n + 1);
	struct reader r;

	(void)state;
	assert_non_null(data);
	assert_non_null(want);
	memset(want, 'x', n);
	want[n] = 0;
	data[0] = '"';
	memcpy(data + 1, want, n);
	memcpy(data + 1 + n, "\",y\n", 4);
	reader_open(&r, data, n + 5);
	expect_row(&r, 1, want, "y", END);
	expect_end(&r);
	reader_close(&r);
	free(data);
	free(want);
}

static void
test_write_field(void **state)
{
	char out[256];
	FILE *fp;
	size_t n;

	(void)state;
	fp = tmpfile();
	assert_non_null(fp);
	cb_csv_write_field(fp, "plain", ',');
	putc('|', fp);
	cb_csv_write_field(fp, "a,b", ',');
	putc('|', fp);
	cb_csv_write_field(fp, "a,b", ';');
	putc('|', fp);
	cb_csv_write_field(fp, "a;b", ';');
	putc('|', fp);
	cb_csv_write_field(fp, "say \"hi\"", ',');
	putc('|', fp);
	cb_csv_write_field(fp, " lead", ',');
	putc('|', fp);
	cb_csv_write_field(fp, "trail ", ',');
	putc('|', fp);
	cb_csv_write_field(fp, "two\nlines", ',');
	putc('|', fp);
	cb_csv_write_field(fp, "cr\rin", ',');
	putc('|', fp);
	cb_csv_write_field(fp, "", ',');
	putc('|', fp);
	cb_csv_write_field(fp, "in ner", ',');
	rewind(fp);
	n = fread(out, 1, sizeof(out) - 1, fp);
	out[n] = 0;
	fclose(fp);
	assert_string_equal(
		out, "plain|\"a,b\"|a,b|\"a;b\"|\"say \"\"hi\"\"\"|"
		     "\" lead\"|\"trail \"|\"two\nlines\"|\"cr\rin\"||in ner");
}

static void
round_trip(char sep)
{
	static const char *const rows[][4] = {
		{ "H\xE1\xBB\x8D t\xC3\xAAn", "Ng\xC3\xA0y sinh",
		  "Ghi ch\xC3\xBA", "x" },
		{ "Nguy\xE1\xBB\x85n, V\xC4\x83n", "a;b", "say \"hi\"", "" },
		{ " padded ", "two\r\nlines", "\"", "\"\"" },
		{ "", "", "", "end" },
	};
	struct reader r;
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);

	assert_non_null(mem);
	for (size_t i = 0; i < 4; i++) {
		for (size_t j = 0; j < 4; j++) {
			if (j)
				putc(sep, mem);
			cb_csv_write_field(mem, rows[i][j], sep);
		}
		fputs("\r\n", mem);
	}
	assert_int_equal(fclose(mem), 0);
	reader_open(&r, text, len);
	free(text);
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(cb_csv_next(&r.csv, &r.row, &r.eb), CB_OK);
		assert_int_equal(r.row.nfields, 4);
		for (size_t j = 0; j < 4; j++)
			assert_string_equal(r.row.fields[j], rows[i][j]);
	}
	expect_end(&r);
	assert_int_equal(r.csv.sep, sep);
	reader_close(&r);
}

static void
test_round_trip(void **state)
{
	(void)state;
	round_trip(',');
	round_trip(';');
}

static void
test_tab_and_forced_separator(void **state)
{
	struct reader r;

	(void)state;
	/* more tabs than commas: tab-separated (Excel's "Unicode Text") */
	OPEN(&r, "a\tb,c\td\n1\t2\t3\n");
	expect_row(&r, 1, "a", "b,c", "d", END);
	expect_row(&r, 2, "1", "2", "3", END);
	expect_end(&r);
	assert_int_equal(r.csv.sep, '\t');
	reader_close(&r);
	/* a separator set is used whatever the first record has most of */
	OPEN(&r, "a;b;c,d\n");
	cb_csv_set_separator(&r.csv, ',');
	expect_row(&r, 1, "a;b;c", "d", END);
	expect_end(&r);
	reader_close(&r);
}

/* Decode n bytes: the text, and what they were read as. */
static char *
decode(const char *in, size_t n, const char *enc, const char **used)
{
	struct cb_errbuf eb;
	char *out = NULL;
	size_t len = 0;

	if (cb_decode_text((const unsigned char *)in, n, enc, &out, &len, used,
	                   &eb))
		fail_msg("decode: %s", eb.msg);
	assert_int_equal(strlen(out), len);
	return out;
}

static void
test_decode(void **state)
{
	/* "Hợp" in Windows-1258: H, U+01A1 ơ (F5), p with the dot below as a
	 * combining mark after the ơ: H F5 F2 p */
	static const char cp1258[] = "ten\nH\xf5\xf2p\n";
	static const char u16le[] = "\xff\xfeH\0\xa1\x01\x23\x03p\0";
	static const char u16be_nobom[] = "\0H\0o\0p\0\n";
	static const char latin1[] = "Jos\xe9\n";
	struct cb_errbuf eb;
	const char *used = NULL;
	char *out;
	size_t len;

	(void)state;
	out = decode(cp1258, sizeof(cp1258) - 1, NULL, &used);
	assert_string_equal(used, "Windows-1258");
	assert_string_equal(out, "ten\nH\xe1\xbb\xa3p\n"); /* Hợp, NFC */
	free(out);
	/* UTF-16 LE with a mark, decomposed: ơ + U+0323 composes to ợ */
	out = decode(u16le, sizeof(u16le) - 1, NULL, &used);
	assert_string_equal(used, "UTF-16LE");
	assert_string_equal(out, "H\xe1\xbb\xa3p");
	free(out);
	out = decode(u16be_nobom, sizeof(u16be_nobom) - 1, NULL, &used);
	assert_string_equal(used, "UTF-16BE");
	assert_string_equal(out, "Hop\n");
	free(out);
	/* UTF-8 with a mark: the mark goes; decomposed text is composed */
	out = decode("\xef\xbb\xbfo\xcc\x81", 6, NULL, &used);
	assert_string_equal(used, "UTF-8");
	assert_string_equal(out, "\xc3\xb3");
	free(out);
	/* the mark saved three times (fuzz_decode found it): none stays
	 * before the header */
	out = decode("\xff\xfe\xff\xfe\xff\xfe\x09\x00", 8, NULL, &used);
	assert_string_equal(used, "UTF-16LE");
	assert_string_equal(out, "\t");
	free(out);
	/* 8-bit text that is not Vietnamese: undecided, says what to do */
	assert_int_equal(cb_decode_text((const unsigned char *)latin1,
	                                sizeof(latin1) - 1, NULL, &out, &len,
	                                &used, &eb),
	                 CB_EINVAL);
	assert_non_null(strstr(eb.msg, "CSV UTF-8"));
	assert_non_null(strstr(eb.msg, "--encoding"));
	out = decode(latin1, sizeof(latin1) - 1, "cp1252", &used);
	assert_string_equal(out, "Jos\xc3\xa9\n");
	assert_string_equal(used, "cp1252");
	free(out);
	/* the named encoding is held to */
	assert_int_equal(cb_decode_text((const unsigned char *)latin1,
	                                sizeof(latin1) - 1, "UTF-8", &out, &len,
	                                &used, &eb),
	                 CB_EINVAL);
	assert_non_null(strstr(eb.msg, "byte 3"));
	assert_int_equal(cb_decode_text((const unsigned char *)"x", 1,
	                                "no-such-encoding", &out, &len, &used,
	                                &eb),
	                 CB_EINVAL);
	/* a truncated UTF-16 file */
	assert_int_equal(cb_decode_text((const unsigned char *)"\xff\xfeH", 3,
	                                NULL, &out, &len, &used, &eb),
	                 CB_EINVAL);
	/* UTF-16 that decodes to a NUL is not a text file */
	assert_int_equal(cb_decode_text((const unsigned char *)"\xff\xfe\0\0",
	                                4, NULL, &out, &len, &used, &eb),
	                 CB_EINVAL);
}

static void
test_output_options(void **state)
{
	struct cb_output o = CB_OUTPUT_INIT;
	struct cb_errbuf eb;
	char *text = NULL;
	size_t len = 0;
	FILE *fp;

	(void)state;
	assert_int_equal(
		cb_output_parse(NULL, NULL, false, NULL, true, &o, &eb), 0);
	assert_int_equal(o.format, CB_OUTPUT_JSON);
	assert_int_equal(
		cb_output_parse("table", NULL, false, NULL, false, &o, &eb), 0);
	assert_int_equal(o.format, CB_OUTPUT_TEXT);
	assert_int_equal(
		cb_output_parse("csv", "tab", true, NULL, false, &o, &eb), 0);
	assert_int_equal(o.sep, '\t');
	assert_true(o.bom);
	assert_int_equal(
		cb_output_parse("xml", NULL, false, NULL, false, &o, &eb),
		CB_EINVAL);
	assert_int_equal(
		cb_output_parse("csv", "|", false, NULL, false, &o, &eb),
		CB_EINVAL);
	assert_int_equal(
		cb_output_parse("text", ";", false, NULL, false, &o, &eb),
		CB_EINVAL);
	assert_int_equal(
		cb_output_parse("csv", NULL, false, NULL, true, &o, &eb),
		CB_EINVAL);
	/* xlsx: a new file of that name, and only with it */
	assert_int_equal(
		cb_output_parse("xlsx", NULL, false, NULL, false, &o, &eb),
		CB_EINVAL);
	assert_int_equal(
		cb_output_parse("csv", NULL, false, "a.xlsx", false, &o, &eb),
		CB_EINVAL);
	assert_int_equal(
		cb_output_parse("xlsx", NULL, false, "a.csv", false, &o, &eb),
		CB_EINVAL);
	assert_int_equal(
		cb_output_parse("xlsx", NULL, false, ".", false, &o, &eb),
		CB_EINVAL);
	assert_int_equal(cb_output_parse("xlsx", NULL, false,
	                                 "no-such-dir/a.xlsx", false, &o, &eb),
	                 CB_EINVAL);
	assert_int_equal(cb_output_parse("xlsx", NULL, false, "a\nb.xlsx",
	                                 false, &o, &eb),
	                 CB_EINVAL);
	assert_int_equal(
		symlink("/dev/null", "linked.xlsx") == 0 || errno == EEXIST, 1);
	assert_int_equal(cb_output_parse("xlsx", NULL, false, "linked.xlsx",
	                                 false, &o, &eb),
	                 CB_EEXIST);
	unlink("linked.xlsx");
	/* unchanged by the refusals */
	assert_int_equal(o.sep, '\t');
	o.sep = ';';
	fp = open_memstream(&text, &len);
	cb_output_csv_begin(&o, fp);
	cb_output_csv_cell(&o, fp, "=1+2", true);
	cb_output_csv_cell(&o, fp, "-5", false);
	cb_output_csv_cell(&o, fp, "a;b", false);
	cb_output_csv_cell(&o, fp, "-x\"", false);
	cb_output_csv_end_row(fp);
	fclose(fp);
	assert_string_equal(text,
	                    "\xef\xbb\xbf\"'=1+2\";-5;\"a;b\";\"'-x\"\"\"\r\n");
	free(text);
	assert_string_equal(cb_output_csv_undefuse("'=1+2"), "=1+2");
	assert_string_equal(cb_output_csv_undefuse("'abc"), "'abc");
	assert_string_equal(cb_output_csv_undefuse("-5"), "-5");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bom_and_crlf),
		cmocka_unit_test(test_no_bom_short_file),
		cmocka_unit_test(test_empty_files),
		cmocka_unit_test(test_semicolons),
		cmocka_unit_test(test_separator_guess),
		cmocka_unit_test(test_quotes),
		cmocka_unit_test(test_lenient_quotes),
		cmocka_unit_test(test_empty_fields_and_cr),
		cmocka_unit_test(test_blank_lines),
		cmocka_unit_test(test_unterminated_quote),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_write_field),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_tab_and_forced_separator),
		cmocka_unit_test(test_decode),
		cmocka_unit_test(test_output_options),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
