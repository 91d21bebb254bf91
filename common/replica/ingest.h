/* SPDX-License-Identifier: MIT */
/* ingest.h — a hub accepting one author's entries (a push): each entry
 * decoded, its signature verified, its place in the author's chain checked
 * (the next seq, prev = the head's id), and then projected — applied, or
 * kept as rejected with its reason — and stored, all in one transaction
 * that is committed before the hub answers. Idempotent: entries the hub
 * already holds are counted as duplicates. A different entry at a seq the
 * hub holds is a fork: it is kept as evidence and the author is frozen. */
#ifndef CB_INGEST_H
#define CB_INGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "entry.h"
#include "err.h"
#include "store.h"
#include "verifier.h"

#define CB_PUSH_MAX_ENTRIES 10000
/* How far ahead of the hub's clock an entry may be dated: a laptop's
 * clock a day fast is refused (409, "clock: …"). */
#define CB_INGEST_AHEAD_MS (24 * 3600 * 1000LL)

struct cb_push_result {
	uint64_t head;     /* the author's head after the push */
	size_t accepted;   /* new entries stored (applied or rejected) */
	size_t rejected;   /* of which the projection rejected */
	size_t duplicates; /* already held */
	size_t pending;    /* of the accepted, waiting for entries not here */
	size_t forks;      /* a relay's: kept as evidence of a fork */
	int status;        /* HTTP status: 200, or 409 for a gap or fork */
};

/* Is the key enrolled, not revoked and not frozen? CB_OK, or CB_ECRYPTO
 * (unenrolled or revoked: 401) or CB_ERULE (frozen: 403), with a
 * message. */
cb_err cb_ingest_admit(struct cb_store *st,
                       const unsigned char key[CB_KEY_BYTES],
                       struct cb_errbuf *eb) CB_MUST_CHECK;
/* cb_ingest_admit, and *revoked true when the key was refused because it
 * is enrolled and revoked (or succeeded): a stolen laptop's key, which the
 * hub tells its operator of (contacts.h); false otherwise. */
cb_err cb_ingest_admit_revoked(struct cb_store *st,
                               const unsigned char key[CB_KEY_BYTES],
                               bool *revoked,
                               struct cb_errbuf *eb) CB_MUST_CHECK;

/* Ingest an entry stream of author's entries. CB_OK with r filled (status
 * 200 or 409, the message in eb for 409: a gap, a fork, or an entry dated
 * more than CB_INGEST_AHEAD_MS after the hub's clock, "clock: …", which
 * is not stored, nor what follows it); CB_ESCOPE for an entry about
 * a record that is not the author's to write, or an org.init of a code
 * the hub holds or under a parent that is not one of its committees (403,
 * nothing stored);
 * CB_EINVAL for a malformed
 * stream or an entry of another author or a bad signature (400, nothing
 * stored); CB_ETOOBIG for more than CB_PUSH_MAX_ENTRIES entries (413,
 * nothing stored); other codes for storage errors. Entries are taken in
 * order, each checked before it is stored, so whatever follows a gap or a
 * fork (which ends the push) is not looked at. Their signatures are
 * verified on the other usable CPUs (verifier.h) while the entries before
 * them are projected. */
cb_err cb_ingest_push(struct cb_store *st,
                      const unsigned char author[CB_KEY_BYTES],
                      const void *stream, size_t len, struct cb_push_result *r,
                      struct cb_errbuf *eb) CB_MUST_CHECK;

/* A hub's transparency log (tlog.h), kept by a push: the origin and the
 * key its checkpoints are signed with. */
struct cb_ingest_log {
	const char *org;
	const unsigned char *sk;
};

/* cb_ingest_push in two steps, so that a server can start decoding and
 * verifying a push before it waits for the lock around st:
 *
 *	v = cb_verifier_new(stream, len, CB_PUSH_MAX_ENTRIES, NULL);
 *	lock; rc = cb_ingest_push_from(st, author, v, log, &r, eb); unlock;
 *	cb_verifier_free(&v);
 *
 * The same results as cb_ingest_push. v is used up either way. With log,
 * the push also extends the Merkle tree as it goes (while the verifier
 * works ahead, rather than after it) and signs a checkpoint of the log
 * in its own transaction (cb_tlog_sign), so that what it acknowledges is
 * in that checkpoint; if signing fails, nothing is stored. */
cb_err cb_ingest_push_from(struct cb_store *st,
                           const unsigned char author[CB_KEY_BYTES],
                           struct cb_verifier *v,
                           const struct cb_ingest_log *log,
                           struct cb_push_result *r,
                           struct cb_errbuf *eb) CB_MUST_CHECK;

/* A relay: whole chains of many authors, each in its order, interleaved
 * as a lower hub's log holds them (docs/PROTOCOL.md, "A chain of
 * authority"; intake.h, CB_INTAKE_RELAY). The same results as
 * cb_ingest_push, except: entries of any author; an entry held is a
 * duplicate; a fork, or an entry continuing another history than the one
 * held, is kept as evidence (r->forks) and the relay goes on; a gap ends
 * it (409, "key K: gap: …; send from N"); an entry the projection finds
 * outside its author's scope — a lower hub relaying an enrolment outside
 * the subtree it was delegated, a key writing another organisation's
 * records — refuses the whole relay (CB_ESCOPE, 403, naming the entry and
 * its key). r->head is 0. */
cb_err cb_ingest_relay(struct cb_store *st, const void *stream, size_t len,
                       struct cb_push_result *r,
                       struct cb_errbuf *eb) CB_MUST_CHECK;
/* cb_ingest_relay in two steps, as cb_ingest_push_from. */
cb_err cb_ingest_relay_from(struct cb_store *st, struct cb_verifier *v,
                            const struct cb_ingest_log *log,
                            struct cb_push_result *r,
                            struct cb_errbuf *eb) CB_MUST_CHECK;
/* cb_ingest_admit, and the key is enrolled with the role 'hub' (CB_ESCOPE
 * if not: 403): who may relay. */
cb_err cb_ingest_admit_hub(struct cb_store *st,
                           const unsigned char key[CB_KEY_BYTES],
                           struct cb_errbuf *eb) CB_MUST_CHECK;

#endif
