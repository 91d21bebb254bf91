/* SPDX-License-Identifier: MIT */
/* hubstatus.h — a hub's status: what it tells a key of itself and of the
 * key (GET /v1/status, PROTOCOL.md), and what it tells its operator of
 * itself and of every key it ever enrolled ('chibo-hub status'). */
#ifndef CB_HUBSTATUS_H
#define CB_HUBSTATUS_H

#include <stdint.h>

#include <jansson.h>

#include "enrolments.h"
#include "err.h"
#include "report.h"
#include "scope.h"
#include "store.h"

/* How many of a key's rejected entries its status lists, the latest. */
#define CB_HUBSTATUS_REJECTED 100

/* What GET /v1/status answers the key whose scope is sc: {"head": the
 * highest seq of its chain held, "head_id": that entry's id (when head >
 * 0), "log_size": the log's last position, "rejected": [{"seq", "op",
 * "reason"}] its entries the projection rejected, the latest
 * CB_HUBSTATUS_REJECTED, fork evidence aside, "clashes": the numbers of
 * its subtree's members that others hold too (cb_report_clash_list; none
 * for an auditor's key), "scope": {"org", "all"}}. Four reads of st, in
 * the caller's transaction or none. *out is a new reference. */
cb_err cb_hubstatus_of_key(struct cb_store *st,
                           const unsigned char key[CB_KEY_BYTES],
                           const struct cb_scope *sc, json_t **out,
                           struct cb_errbuf *eb) CB_MUST_CHECK;

/* A hub at a glance. */
struct cb_hubstatus {
	char *org_name;   /* its organisation's name (malloc'd); NULL when
	                   * its tables do not name it */
	int64_t log_size; /* the log's last position */
};

/* Called for each key ever enrolled, with its figures; a non-zero return
 * stops the read and is returned by it. */
typedef cb_err (*cb_hubstatus_key_fn)(void *ctx, const struct cb_enrolment *en,
                                      const struct cb_report_key *ks,
                                      struct cb_errbuf *eb);

/* The hub whose organisation is org, read in one snapshot (a read
 * transaction, which holds up no writer: a hub serving meanwhile gives a
 * consistent picture): its organisation's name and log's size in out,
 * and through fn each key ever enrolled, revoked ones too, in order of
 * organisation and key, with its figures (cb_report_key_stats). Not
 * inside a transaction of st's. out is written only on success; release
 * it with cb_hubstatus_release. */
cb_err cb_hubstatus_read(struct cb_store *st, const char *org,
                         struct cb_hubstatus *out, cb_hubstatus_key_fn fn,
                         void *ctx, struct cb_errbuf *eb) CB_MUST_CHECK;
void cb_hubstatus_release(struct cb_hubstatus *hs);

#endif
