/* SPDX-License-Identifier: MIT */
/* fuzz_csv.c — libFuzzer target for a member list as 'chibo-agent
 * import-members' reads it: the CSV reader (csv.h) over the file, and each
 * record after the first as the input of a member.add, prepared as the
 * import prepares it (cb_ops_prepare: NFC, trimmed, dates as typed, the
 * cell qualified by the organisation). The import's header matching and
 * its Vietnamese value words are static in agent/cmd_import.c and not
 * reached: here a record's fields are taken in the order of the op's
 * fields (full_name, birth_date, sex, …). No input may crash, hang or
 * leak, and:
 *  - every field read is valid UTF-8 without NUL, and records go forward
 *    in the file (line numbers never decrease);
 *  - what the reader read, written back with cb_csv_write_field under the
 *    separator it chose, reads back as the same records;
 *  - a prepared member.add passes cb_ops_check and prepares to itself
 *    (the canonical body is a fixed point: a replica that prepared it
 *    again would sign the same bytes). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "csv.h"
#include "ops.h"
#include "text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_RECORDS 4096

static const char *const member_fields[] = {
	"full_name",   "birth_date", "sex",           "card_no",
	"national_id", "admitted_on", "official_on",  "status",
	"work_category", "council_area", "cell",      "cell_since",
};
#define NFIELDS (sizeof(member_fields) / sizeof(member_fields[0]))

struct record {
	char **fields;
	size_t n;
};

/* A record as the import would hand it to member.add; then the canonical
 * body must be a fixed point of the preparation. */
static void
prepare_member(const struct cb_csv_row *row)
{
	json_t *in = json_object(), *body = NULL, *again = NULL;

	if (!in)
		return;
	for (size_t i = 0; i < row->nfields && i < NFIELDS; i++)
		if (row->fields[i][0])
			json_object_set_new(in, member_fields[i],
			                    json_string(row->fields[i]));
	if (cb_ops_prepare(NULL, "26734", "member.add", in, &body, NULL) ==
	    CB_OK) {
		if (cb_ops_check("member.add", body, NULL) ||
		    cb_ops_prepare(NULL, "26734", "member.add", body, &again,
		                   NULL) ||
		    !json_equal(body, again))
			abort();
		json_decref(again);
		json_decref(body);
	}
	json_decref(in);
}

/* Read every record of fp; keep them in recs (up to MAX_RECORDS) unless
 * recs is NULL. Returns how many were read; *sep is the separator. */
static size_t
read_all(FILE *fp, struct record *recs, char *sep, int prepare)
{
	struct cb_csv c;
	struct cb_csv_row row = { 0 };
	size_t n = 0, last = 0;
	cb_err rc;

	cb_csv_init(&c, fp);
	while (n < MAX_RECORDS &&
	       ((rc = cb_csv_next(&c, &row, NULL)) == CB_OK ||
	        rc == CB_EINVAL)) {
		if (rc)
			continue; /* a bad record; the reader goes on past it */
		if (!row.nfields || row.line < 1 || row.line < last)
			abort();
		last = row.line;
		for (size_t i = 0; i < row.nfields; i++)
			if (!cb_utf8_valid(row.fields[i],
			                   strlen(row.fields[i])))
				abort();
		if (prepare && n > 0)
			prepare_member(&row);
		if (recs) {
			recs[n].fields = row.fields;
			recs[n].n = row.nfields;
			row.fields = NULL;
			row.nfields = 0;
		}
		n++;
	}
	*sep = c.sep;
	cb_csv_row_release(&row);
	cb_csv_release(&c);
	return n;
}

/* A record of one empty field is written as a blank line, which the
 * reader skips: it is not written at all. */
static int
writable(const struct record *r)
{
	return !(r->n == 1 && !r->fields[0][0]);
}

/* recs written as CSV with sep: first a line of two separators (three
 * empty fields) so that the reader chooses sep again. */
static char *
write_all(const struct record *recs, size_t n, char sep, const char *eol,
          size_t *len)
{
	char *out = NULL;
	FILE *fp = open_memstream(&out, len);

	if (!fp)
		return NULL;
	fprintf(fp, "%c%c%s", sep, sep, eol);
	for (size_t r = 0; r < n; r++) {
		if (!writable(&recs[r]))
			continue;
		for (size_t i = 0; i < recs[r].n; i++) {
			if (i)
				putc(sep, fp);
			cb_csv_write_field(fp, recs[r].fields[i], sep);
		}
		fputs(eol, fp);
	}
	if (fclose(fp)) {
		free(out);
		return NULL;
	}
	return out;
}

/* Read back what write_all wrote: the same records. */
static void
check_round_trip(const struct record *recs, size_t n, char sep,
                 const char *eol)
{
	struct record *back = calloc(n + 1, sizeof(*back));
	size_t len = 0, m, k = 1;
	char *text = write_all(recs, n, sep, eol, &len), sep2;
	FILE *fp = text && back ? fmemopen(text, len, "r") : NULL;

	if (!fp)
		goto out;
	m = read_all(fp, back, &sep2, 0);
	fclose(fp);
	if (sep2 != sep || m < 1 || back[0].n != 3)
		abort();
	for (size_t r = 0; r < n; r++) {
		if (!writable(&recs[r]))
			continue;
		if (k >= m || back[k].n != recs[r].n)
			abort();
		for (size_t i = 0; i < recs[r].n; i++)
			if (strcmp(back[k].fields[i], recs[r].fields[i]))
				abort();
		k++;
	}
	if (k != m)
		abort();
	for (size_t r = 0; r < m; r++) {
		struct cb_csv_row row = { back[r].fields, back[r].n, 0 };

		cb_csv_row_release(&row);
	}
out:
	free(back);
	free(text);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct record *recs = calloc(MAX_RECORDS, sizeof(*recs));
	FILE *fp;
	size_t n;
	char sep;

	/* fmemopen reads the buffer and never writes it in mode "r" */
	if (!recs || !size || !(fp = fmemopen((void *)data, size, "r"))) {
		free(recs);
		return 0;
	}
	n = read_all(fp, recs, &sep, 1);
	fclose(fp);
	check_round_trip(recs, n, sep, size % 2 ? "\r\n" : "\n");
	for (size_t r = 0; r < n; r++) {
		struct cb_csv_row row = { recs[r].fields, recs[r].n, 0 };

		cb_csv_row_release(&row);
	}
	free(recs);
	return 0;
}
