/* SPDX-License-Identifier: MIT */
/* verifier.h — reads an entry stream (stream.h) while worker threads decode
 * its entries and verify their Ed25519 signatures ahead of the reader: the
 * mirror image of signer.h, for a hub taking in a push. The reader gets the
 * entries in order, exactly as cb_stream_next would give them, each with
 * its signature's verdict; when the entry it asks for is not ready it does
 * a job itself rather than wait, so with one usable CPU (no worker) the
 * cost is that of reading and verifying in one loop. Not thread-safe: one
 * reader per verifier. */
#ifndef CB_VERIFIER_H
#define CB_VERIFIER_H

#include <stdbool.h>
#include <stddef.h>

#include "entry.h"
#include "err.h"

struct cb_verifier;

struct cb_verifier_opts {
	/* Worker threads: -1 for one fewer than the usable CPUs (the
	 * affinity mask, not the machine), at most CB_VERIFIER_MAX_THREADS. */
	int threads;
	/* How many entries the workers may hold decoded ahead of the reader
	 * (a bound on memory); 0 for CB_VERIFIER_WINDOW. */
	size_t window;
	/* For tests: each worker sleeps this long before every job, so that
	 * verification lags behind the reader. */
	unsigned job_delay_us;
	/* Entries of this op ("" for all) are decoded by
	 * cb_entry_decode_lazy: their bodies may come without a tree
	 * (cb_entry_body). NULL: every body is parsed. */
	const char *lazy_op;
	/* Decode only (the workers still take that off the reader): no
	 * signature is checked, and *verified is false for every entry. */
	bool decode_only;
};

#define CB_VERIFIER_MAX_THREADS 8
#define CB_VERIFIER_WINDOW 1024

/* Start reading the len bytes at stream (which must stay untouched until
 * cb_verifier_free). The workers take the first max entries; any after
 * those are decoded and verified by cb_verifier_next itself. opts NULL:
 * the defaults (as many workers as usable CPUs less one, none for a
 * stream of fewer than 8 entries). The workers start at once, so this can
 * be called before taking a lock that the reader needs. NULL if memory
 * runs out; a malformed stream is reported by cb_verifier_next when the
 * reader gets to the fault. */
struct cb_verifier *cb_verifier_new(const void *stream, size_t len, size_t max,
                                    const struct cb_verifier_opts *opts);
/* Stop the workers, wait for them and free everything. NULL-safe. */
void cb_verifier_free(struct cb_verifier **v);

/* The next entry, as cb_stream_next reads it: CB_OK with *e (owned by v,
 * valid until the next call) and *verified, whether its signature verifies
 * (call cb_entry_verify_signature on it for the message); CB_ENOTFOUND at
 * the end; otherwise the error cb_stream_next gives, in eb. After an entry
 * among the first max that does not decode, a reader that goes on (a check
 * that reports every fault) gets the entry after it, the workers having
 * stopped; after any other error the reader must stop. */
cb_err cb_verifier_next(struct cb_verifier *v, const struct cb_entry **e,
                        bool *verified, struct cb_errbuf *eb) CB_MUST_CHECK;
/* Entries read so far (the index of the last one given, from 1). */
size_t cb_verifier_index(const struct cb_verifier *v);

#endif
