/* SPDX-License-Identifier: MIT */
/* log.c — the hub's verifiable log: every entry the hub stores gets the
 * next log index and a leaf in a Merkle tree (common/log/tlog.c); after each
 * change the hub signs a checkpoint of the tree with its own key, the
 * authority whose hub.init is the log's first entry (docs/PROTOCOL.md,
 * "Transparency log"). */
#include "hub.h"
#include "merkle.h"
#include "tlog.h"

cb_err
hub_log_checkpoint(struct cb_ledger *lg, struct cb_errbuf *eb)
{
	cb_err rc;

	if ((rc = cb_store_begin(lg->st, eb)))
		return rc;
	if ((rc = cb_tlog_sign(cb_store_log(lg->st), lg->org, lg->key.sk,
	                       eb)) ||
	    (rc = cb_store_commit(lg->st, eb))) {
		cb_store_rollback(lg->st);
		return rc;
	}
	return CB_OK;
}

cb_err
hub_log_latest(struct cb_ledger *lg, uint64_t *size, char **note,
               struct cb_errbuf *eb)
{
	uint8_t root[CB_MERKLE_HASH];
	cb_err rc = cb_tlog_checkpoint_latest(cb_store_log(lg->st), size, root,
	                                      note, eb);

	if (rc == CB_ENOTFOUND)
		cb_error(eb, rc, _("this hub has signed no checkpoint yet"));
	return rc;
}
