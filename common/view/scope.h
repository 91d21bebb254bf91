/* SPDX-License-Identifier: MIT */
/* scope.h — what of a hub's log a key may read, because member records are
 * sensitive personal data (docs/PROTOCOL.md, "Pull and scope"). A key
 * enrolled for an organisation reads the entries of every key enrolled in
 * that organisation's subtree, the hub's own entries (its organisation and
 * the enrolments) and the directory: every org.init, cell.create and
 * cell.rename. An auditor reads everything. Nobody is sent their own
 * entries back, and fork evidence goes to auditors only.
 *
 * The subtree of an organisation is itself and every organisation whose
 * parent chain, as the orgs table holds it, reaches it. */
#ifndef CB_SCOPE_H
#define CB_SCOPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "entry.h"
#include "err.h"
#include "ops.h"
#include "sql.h"
#include "store.h"

/* A common table expression naming the subtree of the organisation bound
 * to :root as sub(code): put it before a SELECT and test "IN sub". :root
 * takes parameter index 1, so the rest of the query must name its
 * parameters or number them from ?2. */
#define CB_SQL_SUBTREE                                                         \
	"WITH RECURSIVE sub(code) AS (SELECT :root UNION SELECT o.code FROM "  \
	"orgs o JOIN sub ON o.parent = sub.code) "

/* Bind root to a statement's :root, if it has one. */
void cb_scope_bind_root(struct cb_stmt *s, const char *root);

struct cb_scope {
	unsigned char reader[CB_KEY_BYTES];
	char root[CB_CODE_MAX + 1]; /* the enrolment's organisation */
	bool all;                   /* an auditor */
	bool hub; /* a lower hub's key: what keys inside its subtree wrote
	           * came from it (it relayed them) and is not sent back */
};

/* The scope of an enrolled key. CB_ENOTFOUND if it is not enrolled. */
cb_err cb_scope_of(struct cb_store *st, const unsigned char key[CB_KEY_BYTES],
                   struct cb_scope *sc, struct cb_errbuf *eb) CB_MUST_CHECK;

/* How many log positions one read looks at, at most: a read of a large log
 * for a small scope returns few entries but still moves the cursor on. */
#define CB_SCOPE_SCAN 50000

struct cb_scope_page {
	size_t count; /* entries appended */
	int64_t next; /* the cursor to read after next time */
	int64_t end;  /* the log's last position now */
	bool more;    /* next < end */
};

/* Append to out, as an entry stream, the entries in scope after log
 * position after, in log order: at most max entries, stopping after the
 * entry that takes the stream past max_bytes. */
cb_err cb_scope_read(struct cb_store *st, const struct cb_scope *sc,
                     int64_t after, size_t max, size_t max_bytes,
                     struct cb_buf *out, struct cb_scope_page *pg,
                     struct cb_errbuf *eb) CB_MUST_CHECK;

/* A key's own chain as the store holds it, after seq `after`, in seq order
 * (fork evidence aside): what a replica restored from an old copy lacks
 * of its own entries. At most max entries, stopping after the one that
 * takes the stream past max_bytes; pg->next is the last seq appended (or
 * after), pg->more whether the chain goes on. */
cb_err cb_scope_read_own(struct cb_store *st,
                         const unsigned char key[CB_KEY_BYTES], uint64_t after,
                         size_t max, size_t max_bytes, struct cb_buf *out,
                         struct cb_scope_page *pg,
                         struct cb_errbuf *eb) CB_MUST_CHECK;

/* A digest of the tables and log as the subtree of root sees them: every
 * organisation and enrolment, the records of the subtree's organisations,
 * and the (id, state, reason) of the entries in its scope, its own
 * included. A hub's and an agent's are equal when the agent holds exactly
 * its scope. */
cb_err cb_scope_digest(struct cb_store *st, const char *root,
                       unsigned char out[32],
                       struct cb_errbuf *eb) CB_MUST_CHECK;

/* The same as 65 hex characters, read in one transaction; with root NULL,
 * the digest of every table and entry (cb_project_digest). */
cb_err cb_scope_digest_hex(struct cb_store *st, const char *root, char hex[65],
                           struct cb_errbuf *eb) CB_MUST_CHECK;

#endif
