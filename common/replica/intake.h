/* SPDX-License-Identifier: MIT */
/* intake.h — one intake for entries that come from elsewhere: each entry
 * (decoded, its signature verified) is judged against what the store holds
 * of its author's chain (chain.h), then projected and stored
 * (cb_ledger_take) or kept as fork evidence. What a stream may hold is
 * the intake's policy, said once when it starts:
 *
 *   CB_INTAKE_OWN      one author's chain, in order, from where the store
 *                      holds it (a commune's push to its hub; a replica
 *                      taking its own entries back). Entries already held
 *                      are duplicates; another entry at a held seq is a
 *                      fork, kept as evidence, and ends the intake; a gap
 *                      or a prev that is not the head's id ends it too.
 *                      An entry by another key is refused.
 *   CB_INTAKE_RELAY    whole chains of many authors, each in its order,
 *                      interleaved as the sender's log holds them (a lower
 *                      hub pushing up). Each entry must continue its
 *                      author's chain as held, or be held; a fork, or an
 *                      entry continuing another history, is kept as
 *                      evidence and the intake goes on with the next; a
 *                      gap ends it (the sender sends from the author's
 *                      head).
 *   CB_INTAKE_PARTIAL  parts of other keys' chains (a pull, a bundle): an
 *                      entry must fit the neighbours held around it, and
 *                      gaps are expected; one that does not fit is kept as
 *                      evidence. Entries of the store's own key (key) are
 *                      refused: its chain is written there only.
 *
 * Within a transaction the caller holds. A caller with checks of its own
 * (a hub's clock and directory rules at its door) makes them between
 * cb_intake_judge and cb_intake_take. docs/internals/intake.md. */
#ifndef CB_INTAKE_H
#define CB_INTAKE_H

#include <stdbool.h>

#include "chain.h"
#include "entry.h"
#include "err.h"
#include "store.h"

enum cb_intake_policy {
	CB_INTAKE_OWN,
	CB_INTAKE_RELAY,
	CB_INTAKE_PARTIAL,
};

/* What the intake makes of an entry. */
enum cb_intake_fate {
	CB_INTAKE_NEW,       /* fits: cb_intake_take it */
	CB_INTAKE_DUPLICATE, /* held already: nothing to do */
	CB_INTAKE_EVIDENCE,  /* a fork: kept as evidence (why says how) */
	CB_INTAKE_STOP,      /* does not fit and ends the intake (why) */
	CB_INTAKE_REFUSED,   /* not allowed in this stream at all (why) */
};

struct cb_intake {
	enum cb_intake_policy policy;
	unsigned char key[CB_KEY_BYTES]; /* OWN: the author; PARTIAL: the
	                                  * store's own key */
	bool has_key;
	struct cb_chain_head head; /* OWN: the author's head as taken */
	const char *holder; /* for messages: "this store" unless set ("this
	                     * hub") after cb_intake_start */
};

/* Start an intake under policy; key as above (NULL for RELAY, and for
 * PARTIAL in a store that has no chain of its own). */
cb_err cb_intake_start(struct cb_store *st, struct cb_intake *in,
                       enum cb_intake_policy policy, const unsigned char *key,
                       struct cb_errbuf *eb) CB_MUST_CHECK;

/* Judge e: *fate, with the reason in why for EVIDENCE, STOP and REFUSED.
 * A fork's evidence is stored here. The return is CB_OK or a storage
 * error. */
cb_err cb_intake_judge(struct cb_store *st, struct cb_intake *in,
                       const struct cb_entry *e, enum cb_intake_fate *fate,
                       struct cb_errbuf *why,
                       struct cb_errbuf *eb) CB_MUST_CHECK;

/* Project and store e, judged CB_INTAKE_NEW: *verdict is the
 * projection's (cb_ledger_take). */
cb_err cb_intake_take(struct cb_store *st, struct cb_intake *in,
                      const struct cb_entry *e, cb_err *verdict,
                      struct cb_errbuf *why,
                      struct cb_errbuf *eb) CB_MUST_CHECK;

#endif
