/* SPDX-License-Identifier: MIT */
/* invite.c — invitations (see invite.h; docs/PROTOCOL.md, "Invitations"):
 * the text, written and read strictly line by line, signed as a C2SP
 * signed note (checkpoint.h), and the check that the hub at the URL is the
 * one the file names. */
#include "invite.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "buf.h"
#include "checkpoint.h"
#include "hubclient.h"

#define FIRST_LINE "chibo invitation v1"

/* The fields after the first line, in their order. */
enum field { F_URL, F_PIN, F_HUB, F_HUB_KEY, F_ORG, F_ROLE, F_KEY, NFIELDS };
static const char *const names[NFIELDS] = { "url", "pin",  "hub", "hub-key",
	                                    "org", "role", "key" };

static bool
is_b64(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '+' || c == '/' || c == '=';
}

/* A value as the format allows it for field f; why not in *why. */
static bool
value_ok(enum field f, const char *v, const char **why)
{
	size_t n = strlen(v);

	switch (f) {
	case F_URL:
		*why = N_("the url is https:// and a host, at most 255 "
		          "characters, no spaces");
		if (n > 255 || strncmp(v, "https://", 8) || n == 8)
			return false;
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)v[i] <= ' ' ||
			    (unsigned char)v[i] >= 0x7f)
				return false;
		return true;
	case F_PIN:
		*why = N_("the pin is sha256// and 44 base64 characters");
		if (n != 52 || strncmp(v, "sha256//", 8))
			return false;
		for (size_t i = 8; i < n; i++)
			if (!is_b64(v[i]))
				return false;
		return true;
	case F_HUB:
		*why = N_("the hub is its log's name, chibo/hub/CODE");
		return n > 10 && n < 256 && !strncmp(v, "chibo/hub/", 10) &&
		       cb_note_name_valid(v);
	case F_HUB_KEY:
	case F_KEY:
		*why = N_("a key is 64 lowercase hex digits");
		if (n != 64)
			return false;
		for (size_t i = 0; i < n; i++)
			if (!((v[i] >= '0' && v[i] <= '9') ||
			      (v[i] >= 'a' && v[i] <= 'f')))
				return false;
		return true;
	case F_ORG:
		*why = N_("the org is a code of 1 to 64 letters, digits, '.', "
		          "'-' or '_'");
		if (n < 1 || n > 64)
			return false;
		for (size_t i = 0; i < n; i++)
			if (!((v[i] >= '0' && v[i] <= '9') ||
			      (v[i] >= 'a' && v[i] <= 'z') ||
			      (v[i] >= 'A' && v[i] <= 'Z') || v[i] == '.' ||
			      v[i] == '-' || v[i] == '_'))
				return false;
		return true;
	case F_ROLE:
		*why = N_("the role is commune, district, auditor or hub");
		return !strcmp(v, "commune") || !strcmp(v, "district") ||
		       !strcmp(v, "auditor") || !strcmp(v, "hub");
	case NFIELDS: break;
	}
	return false;
}

cb_err
cb_invite_sign(const struct cb_invite *inv, const uint8_t sk[64], char **out,
               struct cb_errbuf *eb)
{
	char hk[65], k[65], text[1024];
	const char *vals[NFIELDS], *why;
	size_t len = 0;

	cb_hex_encode(inv->hub_key, 32, hk);
	cb_hex_encode(inv->key, 32, k);
	vals[F_URL] = inv->url;
	vals[F_PIN] = inv->pin;
	vals[F_HUB] = inv->origin;
	vals[F_HUB_KEY] = hk;
	vals[F_ORG] = inv->org;
	vals[F_ROLE] = inv->role;
	vals[F_KEY] = k;
	if (memcmp(sk + 32, inv->hub_key, 32))
		return cb_error(eb, CB_EINVAL,
		                _("the invitation's hub key is not the key "
		                  "that signs it"));
	len = (size_t)snprintf(text, sizeof(text), "%s\n", FIRST_LINE);
	for (int f = 0; f < NFIELDS; f++) {
		if (!value_ok((enum field)f, vals[f], &why))
			return cb_error(eb, CB_EINVAL, "%s: '%s'", _(why),
			                vals[f]);
		len += (size_t)snprintf(text + len, sizeof(text) - len,
		                        "%s %s\n", names[f], vals[f]);
	}
	return cb_note_sign(text, len, inv->origin, sk, out, eb);
}

cb_err
cb_invite_open(const char *text, size_t len, struct cb_invite *out,
               struct cb_errbuf *eb)
{
	struct cb_invite inv;
	char line[300], *vals[NFIELDS] = { NULL };
	const char *p = text, *end, *why;
	size_t signed_len = 0;
	cb_err rc;

	memset(&inv, 0, sizeof(inv));
	if (len > CB_INVITE_MAX)
		return cb_error(eb, CB_ETOOBIG,
		                _("over %d bytes: not an invitation"),
		                CB_INVITE_MAX);
	if (memchr(text, 0, len))
		return cb_error(eb, CB_EINVAL,
		                _("it holds a NUL byte: not an invitation"));
	vals[F_URL] = inv.url;
	vals[F_PIN] = inv.pin;
	vals[F_HUB] = inv.origin;
	vals[F_ORG] = inv.org;
	vals[F_ROLE] = inv.role;
	/* the keys are read as hex into line-sized buffers below */
	for (int i = -1; i < NFIELDS; i++) {
		size_t n, name_len;

		end = memchr(p, '\n', len - (size_t)(p - text));
		if (!end)
			return cb_error(eb, CB_EINVAL,
			                _("line %d: the file ends before it "
			                  "should: not a whole invitation"),
			                i + 2);
		n = (size_t)(end - p);
		if (n >= sizeof(line))
			return cb_error(eb, CB_EINVAL, _("line %d is too long"),
			                i + 2);
		memcpy(line, p, n);
		line[n] = 0;
		p = end + 1;
		if (i < 0) {
			if (strcmp(line, FIRST_LINE))
				return cb_error(eb, CB_EINVAL,
				                _("line 1 is not '%s': not an "
				                  "invitation"),
				                FIRST_LINE);
			continue;
		}
		name_len = strlen(names[i]);
		if (strncmp(line, names[i], name_len) || line[name_len] != ' ')
			return cb_error(eb, CB_EINVAL,
			                _("line %d: expected '%s VALUE'"),
			                i + 2, names[i]);
		if (!value_ok((enum field)i, line + name_len + 1, &why))
			return cb_error(eb, CB_EINVAL, _("line %d: %s"), i + 2,
			                _(why));
		if (i == F_HUB_KEY || i == F_KEY) {
			if (cb_hex_decode(line + name_len + 1,
			                  i == F_KEY ? inv.key : inv.hub_key,
			                  32, eb))
				return CB_EINVAL;
		} else {
			size_t cap = i == F_PIN    ? sizeof(inv.pin)
			             : i == F_ORG  ? sizeof(inv.org)
			             : i == F_ROLE ? sizeof(inv.role)
			                           : sizeof(inv.url);

			if (strlen(line + name_len + 1) >= cap)
				return cb_error(eb, CB_EINVAL,
				                _("line %d is too long"),
				                i + 2);
			memcpy(vals[i], line + name_len + 1,
			       strlen(line + name_len + 1) + 1);
		}
	}
	/* the blank line that ends the text, then the signatures */
	if ((size_t)(p - text) >= len || *p != '\n')
		return cb_error(eb, CB_EINVAL,
		                _("line %d: expected the blank line before "
		                  "the signature"),
		                NFIELDS + 2);
	rc = cb_note_open(text, len, inv.origin, inv.hub_key, &signed_len, eb);
	if (rc)
		return rc;
	if (signed_len != (size_t)(p - text))
		return cb_error(eb, CB_EINVAL,
		                _("the signed text is not the invitation"));
	*out = inv;
	return CB_OK;
}

cb_err
cb_invite_check_hub(const struct cb_invite *inv, const uint8_t *pk,
                    const uint8_t *sk, struct cb_errbuf *eb)
{
	struct cb_hubclient hc;
	struct cb_checkpoint cp;
	const char *note;
	json_t *o = NULL;
	CURLcode cc;
	cb_err rc;

	if ((rc = cb_hubclient_init(&hc, inv->url, inv->pin, pk, sk, 1 << 20,
	                            eb)))
		return rc;
	cc = cb_hubclient_send(&hc, "POST", "/v1/checkpoint", "{}", 2,
	                       "application/json", false);
	if (cc == CURLE_SSL_PINNEDPUBKEYNOTMATCH) {
		rc = cb_error(eb, CB_ECRYPTO,
		              _("the hub at %s does not hold the TLS key of "
		                "the invitation's pin: not the hub that "
		                "invited you"),
		              inv->url);
		goto out;
	}
	if (cc != CURLE_OK) {
		rc = cb_error(eb, CB_EAGAIN,
		              _("cannot reach the hub at %s: %s"), inv->url,
		              curl_easy_strerror(cc));
		goto out;
	}
	o = json_loadb((const char *)hc.resp.data, hc.resp.len, 0, NULL);
	note = json_string_value(json_object_get(o, "checkpoint"));
	if (hc.status == 401) {
		/* it holds the pin, yet does not know the key it enrolled:
		 * the invitation is not its (or the key was revoked since) */
		const char *msg =
			json_string_value(json_object_get(o, "error"));

		rc = cb_error(
			eb, CB_ECRYPTO,
			_("the hub at %s does not know this replica's key "
		          "(HTTP 401: %s): the invitation is not from "
		          "it, or the key was revoked"),
			inv->url, msg ? cb_lang_resay(msg) : "");
		goto out;
	}
	if (hc.status != 200 || !note) {
		const char *msg =
			json_string_value(json_object_get(o, "error"));

		rc = cb_error(eb, CB_EAGAIN,
		              _("the hub at %s did not show its checkpoint "
		                "(HTTP %ld%s%s)"),
		              inv->url, hc.status, msg ? ": " : "",
		              msg ? cb_lang_resay(msg) : "");
		goto out;
	}
	if (cb_checkpoint_open(note, strlen(note), inv->origin, inv->origin,
	                       inv->hub_key, &cp, eb)) {
		char msg[sizeof(eb->msg)];

		snprintf(msg, sizeof(msg), "%s", eb->msg);
		rc = cb_error(eb, CB_ECRYPTO,
		              _("the hub at %s holds the pinned TLS key but "
		                "its log is not signed by the invitation's hub "
		                "key: %s"),
		              inv->url, msg);
		goto out;
	}
	rc = CB_OK;
out:
	json_decref(o);
	cb_hubclient_release(&hc);
	return rc;
}
