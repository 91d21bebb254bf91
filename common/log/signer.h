/* SPDX-License-Identifier: MIT */
/* signer.h — builds and signs one entry at a time on a second thread, so
 * that a batch can sign entry n+1 while entry n is being projected. With
 * one CPU (or when the thread cannot be started) cb_signer_submit signs at
 * once on the caller's thread; the results are the same bytes either way. */
#ifndef CB_SIGNER_H
#define CB_SIGNER_H

#include <stdbool.h>

#include "entry.h"
#include "err.h"

struct cb_signer;

/* threaded: try to use a second thread. Never fails to give a signer
 * unless memory runs out (then NULL). */
struct cb_signer *cb_signer_new(bool threaded);
void cb_signer_free(struct cb_signer **s);

/* Start building the entry f describes. f->op and f->prev are copied;
 * f->body, f->deps and the keys must stay untouched until cb_signer_wait
 * returns. One job at a time. */
void cb_signer_submit(struct cb_signer *s, const struct cb_entry_fields *f);
/* Wait for the job; its result as cb_entry_build's. */
cb_err cb_signer_wait(struct cb_signer *s, struct cb_entry *e,
                      struct cb_errbuf *eb) CB_MUST_CHECK;

#endif
