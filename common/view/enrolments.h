/* SPDX-License-Identifier: MIT */
/* enrolments.h — the keys a hub enrolled, as its enrolments table holds
 * them (projected from the authority's key.enroll and key.revoke entries,
 * schema/002_enrolments.sql): each of them, for 'chibo-hub list' and
 * 'status'; the key that writes for an organisation, which 'export' makes
 * a bundle for; and whether the hub knows an organisation at all, so that
 * a code mistyped in 'report --org' is said rather than reported empty;
 * and the succession that handed an organisation to a new key. */
#ifndef CB_ENROLMENTS_H
#define CB_ENROLMENTS_H

#include <stdbool.h>

#include "entry.h"
#include "err.h"
#include "store.h"

/* An enrolment, as text: borrowed, valid during the call it is given to.
 * name, revoked_on and reason may be NULL. */
struct cb_enrolment {
	const char *key; /* 64 hex digits */
	const char *org, *role, *name;
	const char *enrolled_on, *revoked_on, *reason;
};

/* Called for each enrolment; a non-zero return stops the walk and is
 * returned by it. */
typedef cb_err (*cb_enrolment_fn)(void *ctx, const struct cb_enrolment *en,
                                  struct cb_errbuf *eb);

/* Each enrolment, in order of organisation and key: the revoked ones
 * too if revoked_too. fn may read st (its statements are its own). */
cb_err cb_enrolments_each(struct cb_store *st, bool revoked_too,
                          cb_enrolment_fn fn, void *ctx,
                          struct cb_errbuf *eb) CB_MUST_CHECK;

/* The key that writes for org: the first enrolled of its keys that are
 * neither revoked nor an auditor's. CB_ENOTFOUND when it has none. */
cb_err cb_enrolments_writer(struct cb_store *st, const char *org,
                            unsigned char key[CB_KEY_BYTES],
                            struct cb_errbuf *eb) CB_MUST_CHECK;

/* Does the hub know org: an organisation of its tables, or one a key is
 * enrolled for (which may not have synced yet)? CB_OK, or CB_ENOTFOUND
 * saying it is neither and where to look. */
cb_err cb_enrolments_org_known(struct cb_store *st, const char *org,
                               struct cb_errbuf *eb) CB_MUST_CHECK;

/* Is key (64 hex digits) one a hub.join made an authority here (the
 * chain of authority above a hub that joined a higher one,
 * schema/018_authorities.sql)? The store's own authority is not asked. */
cb_err cb_enrolments_is_authority(struct cb_store *st, const char *key,
                                  bool *yes,
                                  struct cb_errbuf *eb) CB_MUST_CHECK;

/* The witness key of the hub whose key is hub (64 hex digits), as its
 * hub.join named it (schema/018_federation.sql, witnesses): CB_OK with
 * key, or CB_ENOTFOUND (the hub has not joined a higher one). */
cb_err cb_enrolments_witness_of(struct cb_store *st, const char *hub,
                                unsigned char key[CB_KEY_BYTES],
                                struct cb_errbuf *eb) CB_MUST_CHECK;

/* An organisation as a successor key finds it after 'chibo-agent
 * restore': whether key owns it, and the succession that handed it over
 * (schema/022_successions.sql), with what it holds of it. */
struct cb_succession {
	bool owns;            /* key owns org's record */
	char old_key[65];     /* "" if no succession names key for org */
	char entry[65];       /* the org.succeed entry, hex */
	uint64_t through_seq; /* the old key's last entry it covers */
	int64_t old_entries;  /* the old key's entries held here */
	int64_t members;      /* live members of org held here */
};

/* What this store holds of org for key (64 hex digits): CB_OK and out,
 * or CB_ENOTFOUND if it holds no organisation org. */
cb_err cb_enrolments_succession(struct cb_store *st, const char *org,
                                const char *key, struct cb_succession *out,
                                struct cb_errbuf *eb) CB_MUST_CHECK;

#endif
