/* SPDX-License-Identifier: MIT */
/* chain.c — an author's hash chain: the rule of chain.h. */
#include "chain.h"

#include <string.h>

#include <sodium.h>

enum cb_chain_place
cb_chain_place(const struct cb_chain_head *head, const unsigned char *held,
               const struct cb_entry *e)
{
	uint64_t top = head ? head->seq : 0;

	if (e->seq <= top)
		return held && !sodium_memcmp(held, e->id, CB_HASH_BYTES)
		               ? CB_CHAIN_HELD
		               : CB_CHAIN_FORK;
	if (e->seq > top + 1)
		return CB_CHAIN_GAP;
	if (top && sodium_memcmp(e->prev, head->id, CB_HASH_BYTES))
		return CB_CHAIN_BROKEN;
	return CB_CHAIN_NEXT;
}

cb_err
cb_chain_follows(const struct cb_entry *prev, const struct cb_entry *e,
                 struct cb_errbuf *eb)
{
	struct cb_chain_head head = { 0 };
	char a[13];

	cb_hash_short(e->author, a);
	if (prev) {
		if (memcmp(prev->author, e->author, CB_KEY_BYTES) != 0)
			return cb_error(eb, CB_ECHAIN,
			                _("entry %llu follows an entry of "
			                  "another author"),
			                (unsigned long long)e->seq);
		head.seq = prev->seq;
		memcpy(head.id, prev->id, CB_HASH_BYTES);
	}
	switch (cb_chain_place(&head, NULL, e)) {
	case CB_CHAIN_NEXT: return CB_OK;
	case CB_CHAIN_GAP:
		if (!prev)
			return cb_error(eb, CB_ECHAIN,
			                _("author %s starts at seq %llu: "
			                  "entries 1..%llu are missing"),
			                a, (unsigned long long)e->seq,
			                (unsigned long long)(e->seq - 1));
		return cb_error(eb, CB_ECHAIN,
		                _("author %s: seq %llu follows %llu: entries "
		                  "are missing"),
		                a, (unsigned long long)e->seq,
		                (unsigned long long)prev->seq);
	case CB_CHAIN_BROKEN:
		return cb_error(eb, CB_ECHAIN,
		                _("author %s: entry %llu names a prev that is "
		                  "not the hash of entry "
		                  "%llu"),
		                a, (unsigned long long)e->seq,
		                (unsigned long long)head.seq);
	case CB_CHAIN_HELD:
	case CB_CHAIN_FORK: break;
	}
	return cb_error(
		eb, CB_ECHAIN,
		_("author %s: seq %llu follows %llu: seq goes backwards"), a,
		(unsigned long long)e->seq, (unsigned long long)head.seq);
}
