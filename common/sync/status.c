/* SPDX-License-Identifier: MIT */
/* status.c — a replica at a glance (status.h): the counts the view
 * answers (query.h), and the sync state as the last sync left it
 * (syncstate.h). A key the sync never wrote reads as none; a JSON one
 * that does not parse reads as none too, as 'status' always read it. */
#include "status.h"

#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "syncstate.h"

/* Text key k of s as JSON, NULL when not set or not JSON. */
static json_t *
state_json(const struct cb_sync_state *s, enum cb_sync_key k)
{
	return s->text[k] ? json_loads(s->text[k], 0, NULL) : NULL;
}

/* The members of root's subtree whose card or national ID number another
 * member holds: those the hub said at the last sync (the other member is
 * not this replica's to see), and those this replica holds both of (a
 * member received with a transfer, say); each (member, field) once. */
static cb_err
clashes(struct cb_store *st, const struct cb_sync_state *ss, const char *root,
        json_t **out, struct cb_errbuf *eb)
{
	json_t *all = state_json(ss, CB_SYNC_CLASHES), *here = NULL;
	cb_err rc;

	if ((rc = cb_report_clash_list(st, root, &here, eb)))
		goto out;
	if (!json_is_array(all)) {
		json_decref(all);
		all = json_array();
	}
	for (size_t i = 0; i < json_array_size(here); i++) {
		json_t *c = json_array_get(here, i);
		size_t k;

		for (k = 0; k < json_array_size(all); k++)
			if (json_equal(json_array_get(all, k), c))
				break;
		if (k == json_array_size(all))
			json_array_append(all, c);
	}
	*out = all;
	all = NULL;
out:
	json_decref(all);
	json_decref(here);
	return rc;
}

cb_err
cb_status_read(struct cb_ledger *lg, struct cb_status *out,
               struct cb_errbuf *eb)
{
	struct cb_sync_state ss;
	struct cb_status s = { 0 };
	const char *cp;
	cb_err rc;

	if ((rc = cb_ledger_begin(lg, eb))) /* reads the head consistently */
		return rc;
	cb_ledger_abort(lg);
	s.head_seq = lg->head_seq;
	if ((rc = cb_sync_state_load(lg->st, &ss, eb)))
		return rc;
	rc = cb_query_org_name(lg->st, lg->org, &s.org_name, eb);
	if (rc && rc != CB_ENOTFOUND)
		goto out;
	if ((rc = cb_query_counts(lg->st, lg->org, &s.counts, eb)) ||
	    (rc = clashes(lg->st, &ss, lg->org, &s.clashes, eb)))
		goto out;
	s.hub_url = ss.text[CB_SYNC_URL];
	ss.text[CB_SYNC_URL] = NULL;
	s.last_sync_ms = ss.num[CB_SYNC_LAST_SYNC];
	s.synced = s.last_sync_ms != 0;
	s.waiting = (int64_t)s.head_seq - ss.num[CB_SYNC_HUB_HEAD];
	s.hub_log_size = ss.num[CB_SYNC_HUB_LOG_SIZE];
	s.pull_cursor = ss.num[CB_SYNC_PULL_CURSOR];
	s.proven_seq = ss.num[CB_SYNC_PROVEN_SEQ];
	/* a signed note: its origin, then the tree's size (checkpoint.h) */
	cp = ss.text[CB_SYNC_CHECKPOINT];
	if (cp && strchr(cp, '\n'))
		s.checkpoint_size = strtoll(strchr(cp, '\n') + 1, NULL, 10);
	s.evidence = state_json(&ss, CB_SYNC_EVIDENCE);
	s.rejected_by_hub = state_json(&ss, CB_SYNC_REJECTED);
	if (!json_is_array(s.rejected_by_hub)) {
		json_decref(s.rejected_by_hub);
		s.rejected_by_hub = json_array();
	}
	*out = s;
	memset(&s, 0, sizeof(s));
	rc = CB_OK;
out:
	cb_sync_state_release(&ss);
	cb_status_release(&s);
	return rc;
}

void
cb_status_release(struct cb_status *s)
{
	if (!s)
		return;
	free(s->org_name);
	free(s->hub_url);
	json_decref(s->evidence);
	json_decref(s->rejected_by_hub);
	json_decref(s->clashes);
	memset(s, 0, sizeof(*s));
}
