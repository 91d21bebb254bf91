/* SPDX-License-Identifier: MIT */
/* syncstate.c — see syncstate.h. */
#include "syncstate.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

static const struct {
	const char *meta;
	bool number;
} keys[CB_SYNC_KEYS] = {
	[CB_SYNC_URL] = { "hub_url", false },
	[CB_SYNC_PIN] = { "hub_pin", false },
	[CB_SYNC_AUTHORITY] = { "authority", false },
	[CB_SYNC_PULL_CURSOR] = { "pull_cursor", true },
	[CB_SYNC_HUB_HEAD] = { "hub_head", true },
	[CB_SYNC_HUB_LOG_SIZE] = { "hub_log_size", true },
	[CB_SYNC_LAST_SYNC] = { "last_sync", true },
	[CB_SYNC_LAST_TRY] = { "last_try", true },
	[CB_SYNC_CHECKPOINT] = { "log_checkpoint", false },
	[CB_SYNC_PROVEN_SEQ] = { "log_proven_seq", true },
	[CB_SYNC_EVIDENCE] = { "log_evidence", false },
	[CB_SYNC_REJECTED] = { "hub_rejected", false },
	[CB_SYNC_CLASHES] = { "hub_clashes", false },
	[CB_SYNC_PUSH_BATCH] = { "push_batch", false },
	[CB_SYNC_UPSTREAM_KEY] = { "upstream_key", false },
	[CB_SYNC_RELAY_CURSOR] = { "relay_cursor", true },
	[CB_SYNC_WITNESS_SIZE] = { "witness_size", true },
	[CB_SYNC_WITNESSED] = { "witnessed", false },
	[CB_SYNC_WITNESS_KEY] = { "require_witness", false },
};

/* Key k's text (malloc'd) or NULL when not set. */
static cb_err
get(struct cb_store *st, enum cb_sync_key k, char **out, struct cb_errbuf *eb)
{
	cb_err rc = cb_store_meta_get(st, keys[k].meta, out, eb);

	if (rc == CB_ENOTFOUND) {
		*out = NULL;
		return CB_OK;
	}
	return rc;
}

static cb_err
number(struct cb_store *st, enum cb_sync_key k, const char *text, int64_t *v,
       struct cb_errbuf *eb)
{
	char *end;
	long long n;

	errno = 0;
	n = strtoll(text, &end, 10);
	if (errno || end == text || *end)
		return cb_error(
			eb, CB_EIO,
			_("'%s' holds %s '%.40s', which is not a number: "
		          "the store is damaged"),
			cb_store_path(st), keys[k].meta, text);
	*v = n;
	return CB_OK;
}

cb_err
cb_sync_state_get_num(struct cb_store *st, enum cb_sync_key k, int64_t *v,
                      struct cb_errbuf *eb)
{
	char *text = NULL;
	cb_err rc = get(st, k, &text, eb);

	*v = 0;
	if (!rc && text)
		rc = number(st, k, text, v, eb);
	free(text);
	return rc;
}

cb_err
cb_sync_state_load(struct cb_store *st, struct cb_sync_state *s,
                   struct cb_errbuf *eb)
{
	cb_err rc = CB_OK;

	memset(s, 0, sizeof(*s));
	for (int k = 0; k < CB_SYNC_KEYS && !rc; k++) {
		char *text = NULL;

		if ((rc = get(st, (enum cb_sync_key)k, &text, eb)))
			break;
		if (keys[k].number && text)
			rc = number(st, (enum cb_sync_key)k, text, &s->num[k],
			            eb);
		if (keys[k].number)
			free(text);
		else
			s->text[k] = text;
	}
	if (!rc) {
		const char *k = s->text[CB_SYNC_UPSTREAM_KEY]
		                        ? s->text[CB_SYNC_UPSTREAM_KEY]
		                        : s->text[CB_SYNC_AUTHORITY];

		s->has_authority =
			k && !cb_hex_decode(k, s->authority,
		                            sizeof(s->authority), NULL);
	}
	if (rc)
		cb_sync_state_release(s);
	return rc;
}

void
cb_sync_state_release(struct cb_sync_state *s)
{
	for (int k = 0; k < CB_SYNC_KEYS; k++)
		free(s->text[k]);
	memset(s, 0, sizeof(*s));
}

cb_err
cb_sync_state_put_text(struct cb_store *st, enum cb_sync_key k, const char *v,
                       struct cb_errbuf *eb)
{
	if (keys[k].number || !v)
		return cb_error(eb, CB_EINVAL, _("%s takes %s"), keys[k].meta,
		                keys[k].number ? "a number" : "some text");
	return cb_store_meta_set(st, keys[k].meta, v, eb);
}

cb_err
cb_sync_state_clear(struct cb_store *st, enum cb_sync_key k,
                    struct cb_errbuf *eb)
{
	return cb_store_meta_delete(st, keys[k].meta, eb);
}

cb_err
cb_sync_state_put_num(struct cb_store *st, enum cb_sync_key k, int64_t v,
                      struct cb_errbuf *eb)
{
	char num[24];

	if (!keys[k].number)
		return cb_error(eb, CB_EINVAL, _("%s takes text"),
		                keys[k].meta);
	snprintf(num, sizeof(num), "%lld", (long long)v);
	return cb_store_meta_set(st, keys[k].meta, num, eb);
}
