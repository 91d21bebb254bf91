/* SPDX-License-Identifier: MIT */
/* replay.h — remembers the (key, nonce) of every signed request accepted
 * within the signature window, so that the same request sent again is
 * refused (RFC 9421 §7.2.2, replay), and keeps a key's requests signed
 * before a restart of the hub from being taken again after it.
 *
 * Bounded per key: each key has a share of at most per_key nonces; when a
 * key's share is full of nonces still inside the window, that key's new
 * requests are refused ("busy, retry later") rather than any nonce
 * forgotten, so a key can cause its own "busy", never a replay, and never
 * another key's refusal. Memory grows with the keys added, so callers add
 * only keys they have authenticated and admitted (enrolled, not revoked):
 * at most (enrolled keys) x per_key nonces of about 32 bytes; a key's
 * nonces are freed as they expire.
 *
 * Across restarts (PROTOCOL.md, "Request signatures"): the caller keeps,
 * durably, each key's highest `created` before it acts on a request
 * (cb_replay_unrecorded / cb_replay_recorded say when a write is due: at
 * most once per key per second of `created` and tag), and after a restart
 * gives
 * those values back as floors (cb_replay_floor): a request of that key
 * whose created is not after its floor may have been taken by the process
 * before, and is refused with CB_EAGAIN (the agent signs afresh, with a
 * later created, and retries). Thread-safe. */
#ifndef CB_REPLAY_H
#define CB_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "entry.h"
#include "err.h"

struct cb_replay;

/* per_key: how many nonces one key may have at once; window: seconds a
 * nonce is kept after its created time (the verifier's window plus its
 * clock skew). NULL when out of memory or per_key is 0. */
struct cb_replay *cb_replay_new(size_t per_key, int64_t window);
/* Frees r and every key's nonces; sets *r to NULL; NULL-safe. */
void cb_replay_free(struct cb_replay **r);

/* Record the nonce of a verified request of an admitted key. CB_OK: new;
 * CB_EEXIST: seen before (a replay: refuse it); CB_ETOOBIG: this key's
 * share is full (answer "busy, retry later": cb_replay_wait says when);
 * CB_EAGAIN: created is not after the key's floor (signed before a
 * restart, or as early: the client must sign again); CB_ENOMEM. Nothing
 * is recorded unless CB_OK. */
cb_err cb_replay_add(struct cb_replay *r, const unsigned char key[CB_KEY_BYTES],
                     const char *nonce, int64_t created, int64_t now,
                     struct cb_errbuf *eb) CB_MUST_CHECK;

/* Seconds from now until the key's oldest nonce expires and its share has
 * room again (at least 1), for a Retry-After; 0 if it has room now. */
int64_t cb_replay_wait(struct cb_replay *r,
                       const unsigned char key[CB_KEY_BYTES], int64_t now);

/* Set a key's floor: its requests whose created is <= floor are refused
 * with CB_EAGAIN. For a hub starting, from what it recorded before. */
cb_err cb_replay_floor(struct cb_replay *r,
                       const unsigned char key[CB_KEY_BYTES],
                       int64_t floor) CB_MUST_CHECK;

/* Must the caller record this request of the key durably before acting
 * on it: is created above the highest recorded for the key (by
 * cb_replay_recorded, or as its floor), or is tag (the caller's: what
 * else it records with it, e.g. which endpoint) another than the last
 * recorded? */
bool cb_replay_unrecorded(struct cb_replay *r,
                          const unsigned char key[CB_KEY_BYTES],
                          int64_t created, int tag);
/* The caller has recorded created and tag for the key durably. */
void cb_replay_recorded(struct cb_replay *r,
                        const unsigned char key[CB_KEY_BYTES], int64_t created,
                        int tag);

/* Nonces held, all keys together. */
size_t cb_replay_size(struct cb_replay *r);

#endif
