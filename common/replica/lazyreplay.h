/* SPDX-License-Identifier: MIT */
/* lazyreplay.h — a log replayed through the projection (cb_ledger_take)
 * into a scratch store, for chibo-audit's scope check, at a fraction of
 * the cost: a member.add that nothing else in the log refers to is not
 * projected at all. Such an entry's scope is judged by the projection's
 * own first check (cb_project_writable on its cell), and it is set aside
 * (its bytes in a temporary file); the first later entry that could read
 * what it would have written — one naming its id, or its party card or ID
 * number, or an op not known to read members only by what it names —
 * projects it first, in log order. So every entry that is projected gets
 * the verdict a full replay gives it, and none set aside could have been
 * outside its author's scope (tests/unit/test_lazyreplay.c compares the
 * two over random logs with forged entries). docs/PERFORMANCE.md, "Audit",
 * has the argument. */
#ifndef CB_LAZYREPLAY_H
#define CB_LAZYREPLAY_H

#include <stdbool.h>
#include <stdint.h>

#include "entry.h"
#include "err.h"
#include "store.h"

/* What the replay tells its caller. stored: an entry was stored in the
 * scratch log (its lsn is the next one), the leaf it was given with.
 * verdict: the verdict cb_ledger_take gave it (CB_OK, a rejection or
 * CB_EPENDING) with the reason. An entry set aside and never projected
 * gets neither. */
struct cb_lazyreplay_hooks {
	void (*stored)(void *ctx, uint64_t leaf);
	void (*verdict)(void *ctx, uint64_t leaf, const struct cb_entry *e,
	                cb_err verdict, const char *why);
	void *ctx;
};

struct cb_lazyreplay;

/* Replay into st, a fresh store whose authority is set, inside a
 * transaction the caller holds. lazy false: every entry is projected at
 * once (cb_ledger_take), as the audit did before. tmpdir: where the file
 * of entries set aside goes (unlinked at once). */
cb_err cb_lazyreplay_new(struct cb_store *st, bool lazy, const char *tmpdir,
                         const struct cb_lazyreplay_hooks *hooks,
                         struct cb_lazyreplay **out,
                         struct cb_errbuf *eb) CB_MUST_CHECK;
void cb_lazyreplay_free(struct cb_lazyreplay **l);

/* Take the log's next entry (a good signature; leaf, its position). Any
 * error is a storage or file error: the replay cannot go on. */
cb_err cb_lazyreplay_take(struct cb_lazyreplay *l, const struct cb_entry *e,
                          uint64_t leaf, struct cb_errbuf *eb) CB_MUST_CHECK;

/* Project every entry set aside, in log order: the scratch store then
 * holds what a full replay would hold so far. */
cb_err cb_lazyreplay_flush(struct cb_lazyreplay *l,
                           struct cb_errbuf *eb) CB_MUST_CHECK;

/* Entries set aside and not projected (so far). */
uint64_t cb_lazyreplay_aside(const struct cb_lazyreplay *l);

#endif
