/* SPDX-License-Identifier: MIT */
/* chain.h — an author's hash chain (docs/PROTOCOL.md, "Entry v1"): its
 * entries are seq 1, 2, 3, …, each naming the id of the one before as
 * prev, so that nobody can drop, reorder or rewrite an entry of it
 * undetected. This is the one definition of that rule, for every place
 * that judges an entry against what it holds of its author's chain: a hub
 * taking a push (ingest.c), an agent taking what its hub sent (accept.c),
 * verify (ledger.c) and the audit (audit/scan.c). Each says what it
 * finds in its own words; what it finds is decided here. */
#ifndef CB_CHAIN_H
#define CB_CHAIN_H

#include <stdbool.h>
#include <stdint.h>

#include "entry.h"
#include "err.h"

/* What a store holds of an author's chain up to now: the highest seq and
 * that entry's id (seq 0: nothing). */
struct cb_chain_head {
	uint64_t seq;
	unsigned char id[CB_HASH_BYTES];
};

/* Where an entry stands against its author's head. */
enum cb_chain_place {
	CB_CHAIN_NEXT,   /* seq = head + 1 and prev = the head's id (seq 1
	                  * with nothing held): it extends the chain */
	CB_CHAIN_HELD,   /* seq <= head, and it is the entry held there */
	CB_CHAIN_FORK,   /* seq <= head, and another entry is held there (or
	                  * none is known there): the author signed two */
	CB_CHAIN_BROKEN, /* seq = head + 1 but prev is not the head's id:
	                  * it continues another history than the one held */
	CB_CHAIN_GAP,    /* seq > head + 1: entries missing between (from
	                  * seq 1 when nothing is held) */
};

/* Where e stands against head (NULL: nothing held), given held, the id
 * held at e's seq when e->seq <= head's (NULL: none known there). */
enum cb_chain_place cb_chain_place(const struct cb_chain_head *head,
                                   const unsigned char *held,
                                   const struct cb_entry *e);

/* Does e directly follow prev (NULL when e should be seq 1) in its
 * author's chain: the same author, seq + 1, e->prev = prev's id? CB_OK,
 * or CB_ECHAIN with what is wrong (entries missing, seq going backwards,
 * another author, a prev that is not prev's id). */
cb_err cb_chain_follows(const struct cb_entry *prev, const struct cb_entry *e,
                        struct cb_errbuf *eb) CB_MUST_CHECK;

#endif
