/* SPDX-License-Identifier: MIT */
/* copy.c — a table from one store to another, of either engine (store.h:
 * cb_store_copy_table). */
#include "store.h"

#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "sql.h"

/* ratings.subject is the one column whose kind differs between the
 * engines: an organisation's code is text in SQLite and its UTF-8 bytes
 * in PostgreSQL (schema/pg/). Copied into SQLite, it is text again. */
static bool
code_as_text(struct cb_store *dest, const char *t, struct cb_stmt *s, int i)
{
	const char *kind;

	if (strcmp(t, "ratings") ||
	    strcmp(cb_sql_column_name(s, i), "subject") ||
	    strcmp(cb_store_engine_name(dest), "sqlite"))
		return false;
	for (int k = 0; k < cb_sql_column_count(s); k++)
		if (!strcmp(cb_sql_column_name(s, k), "subject_kind"))
			return (kind = cb_sql_column_text(s, k)) &&
			       !strcmp(kind, "org");
	return false;
}

cb_err
cb_store_copy_table(struct cb_store *st, struct cb_store *dest, const char *t,
                    struct cb_errbuf *eb)
{
	char sel[128];
	struct cb_buf ins = CB_BUF_INIT;
	struct cb_stmt *s = NULL, *w = NULL;
	cb_err rc = CB_OK;
	int r, n = 0;

	snprintf(sel, sizeof(sel), "SELECT * FROM %s", t);
	if (cb_sql_prepare(st, sel, &s, NULL))
		return cb_store_error(st, eb, "cannot read the store");
	while ((r = cb_sql_step(s)) == CB_SQL_ROW) {
		if (!w) {
			n = cb_sql_column_count(s);
			rc = cb_buf_addf(&ins, "INSERT INTO %s (", t);
			for (int i = 0; i < n && !rc; i++)
				rc = cb_buf_addf(&ins, "%s%s", i ? ", " : "",
				                 cb_sql_column_name(s, i));
			rc = rc ? rc : cb_buf_addstr(&ins, ") VALUES (");
			for (int i = 0; i < n && !rc; i++)
				rc = cb_buf_addf(&ins, "%s?%d", i ? ", " : "",
				                 i + 1);
			rc = rc ? rc : cb_buf_add(&ins, ")", 2);
			if (rc) {
				rc = cb_error(eb, CB_ENOMEM,
				              _("out of memory"));
				break;
			}
			if (cb_sql_prepare(dest, (const char *)ins.data, &w,
			                   NULL)) {
				rc = cb_store_error(
					dest, eb, "cannot write the new store");
				break;
			}
		}
		for (int i = 0; i < n; i++) {
			enum cb_sql_kind k = cb_sql_column_kind(s, i);

			if (k == CB_SQL_BLOB && code_as_text(dest, t, s, i))
				k = CB_SQL_TEXT;
			switch (k) {
			case CB_SQL_INT:
				cb_sql_bind_int64(w, i + 1,
				                  cb_sql_column_int64(s, i));
				break;
			case CB_SQL_BLOB:
				cb_sql_bind_blob(w, i + 1,
				                 cb_sql_column_blob(s, i),
				                 cb_sql_column_bytes(s, i));
				break;
			case CB_SQL_NULL: cb_sql_bind_null(w, i + 1); break;
			default:
				cb_sql_bind_textn(w, i + 1,
				                  cb_sql_column_text(s, i),
				                  cb_sql_column_bytes(s, i));
			}
		}
		/* sent ahead on a server engine: a failure fails the copy's
		 * whole transaction, at the next statement or the commit */
		if ((rc = cb_sql_write(w, eb))) {
			cb_error_prefix(eb, rc, "copying %s", t);
			break;
		}
	}
	if (!rc && r != CB_SQL_DONE)
		rc = cb_store_error(st, eb, "cannot read the store");
	cb_sql_finalize(w);
	cb_sql_finalize(s);
	cb_buf_release(&ins);
	return rc;
}
