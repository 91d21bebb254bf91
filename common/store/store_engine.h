/* SPDX-License-Identifier: MIT */
/* store_engine.h — what an engine under store.h provides, and the part of
 * a store every engine shares. For the engines' files (store_sqlite.c,
 * store_pg.c) and the front that dispatches to them (store.c) only.
 *
 * An engine's store puts struct cb_store first in its own, as a
 * statement's backend puts struct cb_stmt first (sql.h). The front does
 * what is the same for every engine — the log over the statement layer,
 * meta through portable SQL, the settled hook — and calls the engine for
 * the rest. */
#ifndef CB_STORE_ENGINE_H
#define CB_STORE_ENGINE_H

#include <stdbool.h>

#include "store.h"

struct cb_store_engine {
	const char *name;
	const struct cb_sql_be *sql;
	/* Release what the engine holds and free st (its path included). */
	void (*close)(struct cb_store *st);
	cb_err (*error)(struct cb_store *st, struct cb_errbuf *eb,
	                const char *what);
	cb_err (*exec)(struct cb_store *st, const char *sql,
	               struct cb_errbuf *eb);
	cb_err (*begin)(struct cb_store *st, struct cb_errbuf *eb);
	cb_err (*begin_read)(struct cb_store *st, struct cb_errbuf *eb);
	cb_err (*commit)(struct cb_store *st, struct cb_errbuf *eb);
	void (*rollback)(struct cb_store *st);
	cb_err (*integrity)(struct cb_store *st, struct cb_errbuf *eb);
	cb_err (*backup)(struct cb_store *st, const char *path,
	                 struct cb_errbuf *eb);
	cb_err (*checkpoint_behind)(struct cb_store *st, struct cb_errbuf *eb);
	/* cb_store_lost; NULL: never (a file is not lost) */
	bool (*lost)(struct cb_store *st);
	/* cb_store_bulk; NULL: nothing changes for a long write */
	void (*bulk)(struct cb_store *st);
	/* cb_store_fill; NULL: nothing changes for a store filled anew */
	cb_err (*fill)(struct cb_store *st, bool on, struct cb_errbuf *eb);
	/* cb_store_fold; NULL: nothing is kept behind */
	cb_err (*fold)(struct cb_store *st, struct cb_errbuf *eb);
};

struct cb_store {
	const struct cb_store_engine *eng;
	char *path;         /* the file, or the connection's address */
	struct cb_log *log; /* cb_store_log's, made on its first call */
	cb_settled_fn settled;
	void *settled_ctx;
};

/* A store whose schema is newer than this chibo's (have): refused. */
cb_err cb_store_too_new(const struct cb_store *st, int have,
                        struct cb_errbuf *eb);

/* The engines' openers (cb_store_open chooses by the address). */
cb_err cb_store_sqlite_open(const char *path, bool create,
                            struct cb_store **out,
                            struct cb_errbuf *eb) CB_MUST_CHECK;
cb_err cb_store_pg_open(const char *conninfo, bool create,
                        struct cb_store **out,
                        struct cb_errbuf *eb) CB_MUST_CHECK;

#endif
