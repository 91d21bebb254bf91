/* SPDX-License-Identifier: MIT */
/* log.c — the hub's verifiable log: every entry the hub stores gets the
 * next log index and a leaf in a Merkle tree (common/tlog.c); after each
 * change the hub signs a checkpoint of the tree with its own key, the
 * authority whose hub.init is the log's first entry (docs/PROTOCOL.md,
 * "Transparency log"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "checkpoint.h"
#include "hub.h"
#include "merkle.h"
#include "tlog.h"

void
hub_log_origin(const struct cb_ledger *lg, char *out, size_t n)
{
	snprintf(out, n, "chibo/hub/%s", lg->org);
}

static int64_t
now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

cb_err
hub_log_checkpoint(struct cb_ledger *lg, struct cb_errbuf *eb)
{
	struct cb_checkpoint cp = { 0 };
	uint8_t last_root[CB_MERKLE_HASH];
	uint64_t added = 0, size = 0, last = 0;
	char *note = NULL;
	bool have = false;
	cb_err rc;

	if ((rc = cb_store_begin(lg->st, eb)))
		return rc;
	if ((rc = cb_tlog_catch_up(lg->st, &added, eb)) ||
	    (rc = cb_tlog_size(lg->st, &size, eb)))
		goto fail;
	rc = cb_tlog_checkpoint_latest(lg->st, &last, last_root, &note, eb);
	free(note);
	note = NULL;
	if (rc && rc != CB_ENOTFOUND)
		goto fail;
	have = rc == CB_OK;
	if (have && last == size) {
		cb_store_rollback(lg->st);
		return CB_OK;
	}
	hub_log_origin(lg, cp.origin, sizeof(cp.origin));
	cp.size = size;
	if ((rc = cb_merkle_root(cb_tlog_node, lg->st, size, cp.root, eb)) ||
	    (rc = cb_checkpoint_sign(&cp, cp.origin, lg->key.sk, &note, eb)))
		goto fail;
	rc = cb_tlog_checkpoint_add(lg->st, size, cp.root, note, now_ms(), eb);
	free(note);
	if (rc || (rc = cb_store_commit(lg->st, eb)))
		goto fail;
	return CB_OK;
fail:
	cb_store_rollback(lg->st);
	return rc;
}

cb_err
hub_log_latest(struct cb_ledger *lg, uint64_t *size, char **note,
               struct cb_errbuf *eb)
{
	uint8_t root[CB_MERKLE_HASH];
	cb_err rc = cb_tlog_checkpoint_latest(lg->st, size, root, note, eb);

	if (rc == CB_ENOTFOUND)
		cb_error(eb, rc, "this hub has signed no checkpoint yet");
	return rc;
}
