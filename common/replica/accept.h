/* SPDX-License-Identifier: MIT */
/* accept.h — an agent taking in entries a hub sent it (a pull): other
 * keys' entries within its scope, in the hub's log order. Its replica then
 * holds parts of other keys' chains: each entry is checked against the
 * neighbours it holds, and a gap between them is expected. */
#ifndef CB_ACCEPT_H
#define CB_ACCEPT_H

#include <stddef.h>

#include "entry.h"
#include "err.h"
#include "store.h"

struct cb_accept_result {
	size_t stored;     /* new entries, applied or rejected */
	size_t rejected;   /* of which the projection rejected */
	size_t pending;    /* of which wait for entries not held here */
	size_t duplicates; /* already held */
	size_t forks;      /* kept as evidence of a fork */
};

/* Take in an entry stream inside the caller's transaction. Each entry is
 * decoded and its signature verified (a bad one: CB_ECRYPTO or CB_EINVAL,
 * and the caller must roll back); one already held is counted as a
 * duplicate; one that differs from the entry held at its seq, or does not
 * chain onto the held entry before it or under the one after it, is kept
 * as fork evidence, not projected; every other is projected and stored
 * (cb_ledger_take: applied, rejected, or pending until what it waits for
 * arrives).
 * An entry signed by own is refused (CB_ECHAIN): a hub never sends a key
 * its own entries, and this replica's chain is written here only. */
cb_err cb_accept_pulled(struct cb_store *st,
                        const unsigned char own[CB_KEY_BYTES],
                        const void *stream, size_t len,
                        struct cb_accept_result *r,
                        struct cb_errbuf *eb) CB_MUST_CHECK;

/* Take back entries of this replica's own chain that it lacks and its hub
 * holds (a replica restored from an old copy, POST /v1/own), inside the
 * caller's transaction: each decoded, its signature verified, by own, and
 * continuing the chain held exactly (seq = head + 1, prev = the head's
 * id); then projected and stored as any entry taken in. CB_ECHAIN for an
 * entry of another key or one that does not continue the chain (the key
 * signed two histories): the caller rolls back. */
cb_err cb_accept_own(struct cb_store *st, const unsigned char own[CB_KEY_BYTES],
                     const void *stream, size_t len,
                     struct cb_accept_result *r,
                     struct cb_errbuf *eb) CB_MUST_CHECK;

/* cb_accept_pulled for a stream that may also hold this replica's own
 * entries (a bundle made with 'chibo-hub export --restore'): those it
 * holds must be the entries it holds (else CB_ECHAIN: the key signed two
 * histories), those after its head are taken back as cb_accept_own
 * takes them (*own_taken counts them), then the others' entries go in as
 * a pull's. Inside the caller's transaction. */
cb_err cb_accept_restore(struct cb_store *st,
                         const unsigned char own[CB_KEY_BYTES],
                         const void *stream, size_t len,
                         struct cb_accept_result *r, size_t *own_taken,
                         struct cb_errbuf *eb) CB_MUST_CHECK;

#endif
