/* SPDX-License-Identifier: MIT */
/* witness.h — a hub as the witness of the hubs under it (C2SP
 * tlog-witness, "add-checkpoint"; docs/PROTOCOL.md, "POST
 * /v1/witness/add-checkpoint"). For each lower hub's log, by its origin
 * (chibo/hub/CODE), the store keeps the latest checkpoint it cosigned; it
 * cosigns a new one only if the lower hub's key signed it and a
 * consistency proof shows that it extends that one. So a lower hub cannot
 * show its communes one log and its witness another without the witness
 * holding the evidence. docs/internals/witness.md. */
#ifndef CB_WITNESS_H
#define CB_WITNESS_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "merkle.h"
#include "store.h"

#define CB_WITNESS_PROOF_MAX 63 /* consistency proof lines (C2SP) */

/* An add-checkpoint request: "old N\n", the proof's hashes in base64 one
 * a line, a blank line, the checkpoint note. note points into the body. */
struct cb_witness_req {
	uint64_t old;
	uint8_t proof[CB_WITNESS_PROOF_MAX][32];
	size_t nproof;
	const char *note;
	size_t note_len;
};

/* Parse body[0..len). CB_EINVAL with the reason for anything malformed. */
cb_err cb_witness_parse(const void *body, size_t len, struct cb_witness_req *rq,
                        struct cb_errbuf *eb) CB_MUST_CHECK;

/* The request's text for a checkpoint note (NUL-terminated), the size the
 * witness holds, and the proof from it: a malloc'd string. */
char *cb_witness_format(uint64_t old, const uint8_t (*proof)[32], size_t n,
                        const char *note);

/* Judge rq for the log origin, whose checkpoints log_pk signs (key name:
 * the origin), and cosign it as the witness (name, sk) at Unix time now_s,
 * in one transaction: the held size checked and the new checkpoint kept
 * atomically. CB_OK with *line (malloc'd: the cosignature line). Else,
 * with the reason in eb: CB_ECRYPTO, the note is not signed by log_pk
 * (403); CB_EINVAL, malformed, or an old size past the checkpoint's
 * (400); CB_ECHAIN, old is not the size held, which is in *held (409);
 * CB_ERULE, a size-0 checkpoint, a proof where none belongs, a proof
 * that does not verify, or another root at the same size (422: a log
 * that is not the one cosigned before); storage errors. */
cb_err cb_witness_add(struct cb_store *st, const struct cb_witness_req *rq,
                      const char *origin, const uint8_t log_pk[32],
                      const char *name, const uint8_t sk[64], int64_t now_s,
                      uint64_t *held, char **line,
                      struct cb_errbuf *eb) CB_MUST_CHECK;

/* The latest checkpoint cosigned for origin: its size (0: none). */
cb_err cb_witness_held(struct cb_store *st, const char *origin, uint64_t *size,
                       struct cb_errbuf *eb) CB_MUST_CHECK;

/* Called for each log this hub witnesses: its origin, the size and root
 * it cosigned last, and that checkpoint's note as the lower hub submitted
 * it (borrowed: valid during the call). Non-zero stops the walk and is
 * returned by it. */
typedef cb_err (*cb_witnessed_fn)(void *ctx, const char *origin, uint64_t size,
                                  const uint8_t root[32], const char *note,
                                  struct cb_errbuf *eb);

/* Each log this store witnessed, in order of origin: what an auditor
 * holds the lower hubs' logs against (a split view is a log whose root at
 * that size is another). */
cb_err cb_witness_each(struct cb_store *st, cb_witnessed_fn fn, void *ctx,
                       struct cb_errbuf *eb) CB_MUST_CHECK;

#endif
