/* SPDX-License-Identifier: MIT */
/* invite.h — the invitation a hub gives an office it enrolled: one small
 * text file holding what 'chibo-agent hub' needs (the hub's URL, its TLS
 * pin, its key and log name, the organisation, role and key enrolled),
 * signed by the hub's key as a C2SP signed note, so that a clerk carries
 * a file from the district instead of copying 64 hex digits and a pin by
 * hand. docs/PROTOCOL.md, "Invitations", is the format and what trusting
 * one means (the file's signature binds its fields together; the hand
 * that carried it vouches for the key inside; the hub at the URL must
 * then show that pin and that key). */
#ifndef CB_INVITE_H
#define CB_INVITE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define CB_INVITE_MAX 4096 /* bytes in an invitation file */

struct cb_invite {
	char url[256];    /* https://host[:port] */
	char pin[64];     /* sha256// and 44 base64 characters */
	char origin[256]; /* the hub's log and key name: chibo/hub/CODE */
	uint8_t hub_key[32];
	char org[65];    /* the organisation the key writes for */
	char role[16];   /* commune, district, auditor or hub */
	uint8_t key[32]; /* the key enrolled */
};

/* The invitation inv as a signed note by (inv->origin, sk), the hub's
 * key (whose public half must be inv->hub_key). *out is malloc'd,
 * NUL-ended (the caller frees). CB_EINVAL for a field that the reader
 * would refuse (message names it). */
cb_err cb_invite_sign(const struct cb_invite *inv, const uint8_t sk[64],
                      char **out, struct cb_errbuf *eb) CB_MUST_CHECK;

/* Read the invitation text[0..len): every line as the format says, in its
 * order, nothing more, and a signature that verifies by the hub key it
 * names (one line of that key at least; any of that key that does not
 * verify refuses it). *out is written only on success. CB_ETOOBIG over
 * CB_INVITE_MAX; CB_ECRYPTO for a missing or bad signature; CB_EINVAL for
 * anything malformed (message names the line). */
cb_err cb_invite_open(const char *text, size_t len, struct cb_invite *out,
                      struct cb_errbuf *eb) CB_MUST_CHECK;

/* Ask the hub of inv, as the key (pk, sk) signs requests, for its latest
 * checkpoint over TLS pinned to inv->pin, and check it is signed by
 * inv->hub_key under inv->origin. CB_OK: it is that hub. CB_ECRYPTO: a
 * hub answered that is not it (another TLS key: the pin does not match;
 * a checkpoint not signed by that key; or 401, it does not know the key
 * it is said to have enrolled). CB_EAGAIN: no answer (no link, no hub
 * listening, a busy or failing hub) — the caller may go on and let the
 * first sync check. */
cb_err cb_invite_check_hub(const struct cb_invite *inv, const uint8_t *pk,
                           const uint8_t *sk,
                           struct cb_errbuf *eb) CB_MUST_CHECK;

#endif
