/* SPDX-License-Identifier: MIT */
/* errmap.h — the hub's one map from what went wrong to the HTTP status it
 * answers (PROTOCOL.md, "API v1"): a cb_err, and the step of the request
 * it came back from. One code can mean two answers — a key not found is
 * 401, an entry not found 404; a push's chain past the log is in the
 * answer's body, a checkpoint asked from past the log 409 — so the step
 * is part of the key. Every handler of chibo-hub serve answers its
 * errors through this (docs/internals/hub-requests.md); refusals of a
 * request's shape (a query string, a Host, a method, a chunked body) are
 * answered with their status where they are found. */
#ifndef CB_ERRMAP_H
#define CB_ERRMAP_H

#include "err.h"

/* The steps of a request, in the order it takes them. */
enum cb_errmap_step {
	/* its signature (on the headers) or Content-Digest (on the body):
	 * 401, whatever failed */
	CB_ERRMAP_SIGNED,
	/* its nonce, in the replay cache: seen before 401, the key's share
	 * used up 429, the hub cannot say 503 */
	CB_ERRMAP_NONCE,
	/* the key's admission and scope — on the headers, and again under
	 * the lock by status, pull and push: not enrolled or revoked 401,
	 * frozen 403, the hub cannot say 503 */
	CB_ERRMAP_ADMIT,
	/* the same under the lock by own, checkpoint, proof and entries,
	 * which have always answered 401 when the store could not say
	 * (503 would be PROTOCOL.md's): frozen 403, anything else 401 */
	CB_ERRMAP_READMIT,
	/* a push's compressed body: past 64 MiB inflated 413, anything else
	 * 400 */
	CB_ERRMAP_BODY,
	/* a push's entries: malformed or another author's 400, more than a
	 * push holds 413, about a record not the key's own 403, the hub
	 * cannot store them 503 (a gap or a fork is a 409 in the answer
	 * itself, cb_push_result) */
	CB_ERRMAP_PUSH,
	/* what a request asks of the log: an entry or a size it does not
	 * hold 404, a checkpoint from a size past it 409, the log by index
	 * for a key that is not an auditor's 403 */
	CB_ERRMAP_ASKED,
	/* doing what was asked — reading, writing, compressing: 503 */
	CB_ERRMAP_WORK,
};

/* The status to answer rc with at step at (200 for CB_OK). */
int cb_errmap_status(enum cb_errmap_step at, cb_err rc);

#endif
