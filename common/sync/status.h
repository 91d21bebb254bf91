/* SPDX-License-Identifier: MIT */
/* status.h — a commune's replica at a glance ('chibo-agent status'): its
 * log's head, the counts of its records (query.h), and its sync with the
 * hub as the last sync left it (syncstate.h) — the hub, when it last
 * succeeded, what the hub held of this replica's chain, what it
 * rejected, the hub's log as this replica last verified it, and the
 * members whose card or national ID number another member holds too.
 * Figures only: the caller prints them. docs/internals/status.md. */
#ifndef CB_STATUS_H
#define CB_STATUS_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "err.h"
#include "ledger.h"
#include "query.h"

struct cb_status {
	uint64_t head_seq;             /* this replica's last own entry */
	char *org_name;                /* NULL: the replica holds none */
	struct cb_query_counts counts; /* of the organisation's subtree */

	char *hub_url;           /* NULL: no hub set */
	bool synced;             /* a sync has succeeded, at last_sync_ms */
	int64_t last_sync_ms;    /* Unix ms */
	int64_t waiting;         /* own entries the hub lacked at the last
	                          * sync */
	int64_t hub_log_size;    /* the hub's log, at the last sync */
	int64_t pull_cursor;     /* the position in it pulled up to */
	int64_t checkpoint_size; /* the signed checkpoint held (0: none) */
	int64_t proven_seq;      /* own entries up to this seq proven in it */
	json_t *evidence;        /* the hub's log changed under this replica:
	                          * both signed checkpoints and the reason (sync
	                          * is stopped); NULL: none */
	json_t *rejected_by_hub; /* array of {seq, op, reason} */
	json_t *clashes;         /* array of {member, field, number}: what the
	                          * hub said at the last sync and what this
	                          * replica holds itself, each once */
};

/* Read the status of lg (its head in a transaction of its own, as an
 * append would see it). On success *out holds it (cb_status_release it);
 * on failure *out is untouched and eb says what failed — a sync state
 * that does not read is a damaged store, said so. */
cb_err cb_status_read(struct cb_ledger *lg, struct cb_status *out,
                      struct cb_errbuf *eb) CB_MUST_CHECK;
/* Free what s holds and zero it; NULL-safe. */
void cb_status_release(struct cb_status *s);

#endif
