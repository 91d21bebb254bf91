/* SPDX-License-Identifier: MIT */
/* replay.h — remembers the (key, nonce) of every signed request accepted
 * within the signature window, so that the same request sent again is
 * refused (RFC 9421 §7.2.2, replay). Bounded: when it is full of nonces
 * that are still inside the window it refuses new ones rather than forget
 * any, so an attacker can cause "busy", never a replay. Thread-safe. */
#ifndef CB_REPLAY_H
#define CB_REPLAY_H

#include <stddef.h>
#include <stdint.h>

#include "entry.h"
#include "err.h"

struct cb_replay;

/* capacity: how many nonces at most; window: seconds a nonce is kept
 * after its created time (the verifier's window plus its clock skew). */
struct cb_replay *cb_replay_new(size_t capacity, int64_t window);
void cb_replay_free(struct cb_replay **r);

/* Record the nonce of a verified request. CB_EEXIST: seen before (a
 * replay); CB_ETOOBIG: full (answer "busy, retry later"); CB_OK: new. */
cb_err cb_replay_add(struct cb_replay *r, const unsigned char key[CB_KEY_BYTES],
                     const char *nonce, int64_t created, int64_t now,
                     struct cb_errbuf *eb) CB_MUST_CHECK;

size_t cb_replay_size(struct cb_replay *r);

#endif
