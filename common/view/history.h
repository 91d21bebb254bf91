/* SPDX-License-Identifier: MIT */
/* history.h — a member's history and an entry named by its first digits,
 * as the audit shows them ('chibo-audit history' and 'proof'), read from
 * the tables a log was projected into (the audit's replay of a hub's log,
 * or any replica): the member a person names by id, card number or
 * national ID; every entry that touched it, in log order, with its
 * author's organisation; and the entry an id prefix names. */
#ifndef CB_HISTORY_H
#define CB_HISTORY_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"
#include "store.h"

/* A member, as cb_history_member finds it. */
struct cb_history_member {
	char id[65];    /* 64 hex digits */
	char name[256]; /* its full name, cut to fit */
};

/* The member q names: its card number, its national ID, or the first 8
 * or more hex digits of its id; or, as the agent takes a member,
 * card:NUMBER or nid:NUMBER (that number only). CB_ENOTFOUND when none does,
 * CB_EEXIST when more than one does (eb says neither: the caller words them).
 * *m is written only on success. */
cb_err cb_history_member(struct cb_store *st, const char *q,
                         struct cb_history_member *m,
                         struct cb_errbuf *eb) CB_MUST_CHECK;

/* Called for each entry of a history: its position in st's log, its
 * bytes, and the organisation its author is enrolled for (NULL: none, as
 * for the hub's own key). A non-zero return stops the walk and is
 * returned by it. */
typedef cb_err (*cb_history_fn)(void *ctx, int64_t lsn, const void *bytes,
                                size_t len, const char *org,
                                struct cb_errbuf *eb);

/* Every entry that touched the member member_id (64 hex digits), in log
 * order: its own (its member.add, moves, releases, status changes,
 * ratings), the answers to its releases, and the meetings it is marked
 * in. */
cb_err cb_history_each(struct cb_store *st, const char *member_id,
                       cb_history_fn fn, void *ctx,
                       struct cb_errbuf *eb) CB_MUST_CHECK;

/* The entry whose id starts with prefix (1 to 64 hex digits, either
 * case): its position in *lsn and its bytes appended to bytes.
 * CB_ENOTFOUND when none does, CB_EEXIST when more than one does (eb
 * says neither). Written only on success. */
cb_err cb_history_entry(struct cb_store *st, const char *prefix, int64_t *lsn,
                        struct cb_buf *bytes,
                        struct cb_errbuf *eb) CB_MUST_CHECK;

#endif
