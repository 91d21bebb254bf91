/* SPDX-License-Identifier: MIT */
/* syncstate.h — what a store keeps of the hub it syncs with, typed: where
 * the hub is and how it is trusted, how far this store has read its log,
 * what the hub last said of this key, the checkpoint held (and evidence,
 * if the hub's log changed under it), and what the link allowed. Kept in
 * the store's meta table under the names older chibos used, so a replica
 * opens as it was; a number that does not read as one is a damaged store,
 * said so, never taken as 0. */
#ifndef CB_SYNCSTATE_H
#define CB_SYNCSTATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "entry.h"
#include "err.h"
#include "store.h"

enum cb_sync_key {
	CB_SYNC_URL,          /* text: https://host:port */
	CB_SYNC_PIN,          /* text: sha256//BASE64 */
	CB_SYNC_AUTHORITY,    /* text: the hub's key, 64 hex digits */
	CB_SYNC_PULL_CURSOR,  /* number: the hub's log read up to here */
	CB_SYNC_HUB_HEAD,     /* number: the hub holds this key up to here */
	CB_SYNC_HUB_LOG_SIZE, /* number: the hub's log at the last sync */
	CB_SYNC_LAST_SYNC,    /* number: Unix ms of the last sync done */
	CB_SYNC_LAST_TRY,     /* number: Unix ms of the last one that was not */
	CB_SYNC_CHECKPOINT,   /* text: the hub's signed checkpoint held */
	CB_SYNC_PROVEN_SEQ,   /* number: own entries proven up to here */
	CB_SYNC_EVIDENCE,     /* text: JSON, the hub's log changed */
	CB_SYNC_REJECTED,     /* text: JSON, this key's entries rejected */
	CB_SYNC_CLASHES,      /* text: JSON, numbers others hold too */
	CB_SYNC_PUSH_BATCH,   /* text: "N C", the push size and its ceiling */
	CB_SYNC_UPSTREAM_KEY, /* text: a hub's higher hub's key, 64 hex
	                       * digits (an agent's is its authority) */
	CB_SYNC_RELAY_CURSOR, /* number: a hub's own log relayed up to here */
	CB_SYNC_WITNESS_SIZE, /* number: a hub's checkpoint its higher hub
	                       * cosigned last, of this size */
	CB_SYNC_WITNESSED,    /* text: that checkpoint, with the cosignature */
	CB_SYNC_WITNESS_KEY,  /* text: a witness key, 64 hex digits, whose
	                       * cosignature the hub's checkpoints must carry
	                       * (an operator's requirement; "" none) */
	CB_SYNC_KEYS
};

struct cb_sync_state {
	char *text[CB_SYNC_KEYS];  /* the text keys, NULL when not set */
	int64_t num[CB_SYNC_KEYS]; /* the number keys, 0 when not set */
	/* The key the hub this store syncs with signs its checkpoints with:
	 * upstream_key if set (a lower hub, whose authority is its own
	 * key), else the authority (an agent's is its hub's key). */
	bool has_authority;
	unsigned char authority[CB_KEY_BYTES];
};

/* Read every key; release with cb_sync_state_release. */
cb_err cb_sync_state_load(struct cb_store *st, struct cb_sync_state *s,
                          struct cb_errbuf *eb) CB_MUST_CHECK;
void cb_sync_state_release(struct cb_sync_state *s);

/* Write one key (a text key takes text, NULL to leave it as it is not
 * allowed; a number key a number). In the caller's transaction, if any. */
cb_err cb_sync_state_put_text(struct cb_store *st, enum cb_sync_key k,
                              const char *v,
                              struct cb_errbuf *eb) CB_MUST_CHECK;
cb_err cb_sync_state_put_num(struct cb_store *st, enum cb_sync_key k, int64_t v,
                             struct cb_errbuf *eb) CB_MUST_CHECK;
/* Unset one key (a number reads 0 again). In the caller's transaction. */
cb_err cb_sync_state_clear(struct cb_store *st, enum cb_sync_key k,
                           struct cb_errbuf *eb) CB_MUST_CHECK;
/* Read one number key (0 when not set). */
cb_err cb_sync_state_get_num(struct cb_store *st, enum cb_sync_key k,
                             int64_t *v, struct cb_errbuf *eb) CB_MUST_CHECK;

#endif
