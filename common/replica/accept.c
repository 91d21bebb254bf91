/* SPDX-License-Identifier: MIT */
/* accept.c — see accept.h. */
#include "accept.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "chain.h"
#include "intake.h"
#include "ledger.h"
#include "project.h"
#include "stream.h"
#include "verifier.h"

/* What a replica says of an entry its hub sent that it cannot take. */
static cb_err
refused(struct cb_errbuf *eb, const struct cb_intake *in,
        enum cb_intake_fate fate, const struct cb_entry *e)
{
	if (in->policy == CB_INTAKE_PARTIAL)
		return cb_error(eb, CB_ECHAIN,
		                _("the hub sent entry %llu of this replica's "
		                  "own key; its chain is "
		                  "written here only"),
		                (unsigned long long)e->seq);
	if (fate == CB_INTAKE_REFUSED)
		return cb_error(eb, CB_ECHAIN,
		                _("the hub sent another key's entry as this "
		                  "replica's own"));
	return cb_error(eb, CB_ECHAIN,
	                _("the hub's entry %llu of this key does not "
	                  "follow this replica's entry %llu: the key "
	                  "signed two histories; a person must look"),
	                (unsigned long long)e->seq,
	                (unsigned long long)in->head.seq);
}

/* Take in a stream under policy (intake.h): each entry decoded and its
 * signature verified — by a worker thread ahead of this one where the
 * machine has a second CPU (verifier.h): a new commune's first pull is
 * mostly the directory's signatures — then judged and, if new, projected
 * and stored. An entry the policy refuses, or one that ends an intake of
 * this replica's own chain, is an error: message, with the entry's seq,
 * says which. */
static cb_err
take_stream(struct cb_store *st, enum cb_intake_policy policy,
            const unsigned char own[CB_KEY_BYTES], const void *stream,
            size_t len, struct cb_accept_result *r, struct cb_errbuf *eb)
{
	struct cb_verifier *v;
	const struct cb_entry *e;
	struct cb_accept_result res = { 0 };
	struct cb_intake in;
	bool verified;
	cb_err rc;

	if ((rc = cb_intake_start(st, &in, policy, own, eb)))
		return rc;
	in.holder = N_("this replica");
	if (!(v = cb_verifier_new(stream, len, SIZE_MAX, NULL)))
		return cb_error(eb, CB_ENOMEM, _("out of memory"));
	while ((rc = cb_verifier_next(v, &e, &verified, eb)) == CB_OK) {
		enum cb_intake_fate fate;
		struct cb_errbuf why;
		cb_err verdict;

		if (!verified) {
			/* Verified again, for its message. */
			if (!(rc = cb_entry_verify_signature(e, eb)))
				rc = cb_error(eb, CB_ECRYPTO,
				              _("the signature does not "
				                "verify"));
			cb_error_prefix(eb, rc, _("entry %zu from the hub"),
			                cb_verifier_index(v));
			goto out;
		}
		if ((rc = cb_intake_judge(st, &in, e, &fate, &why, eb)))
			goto out;
		if (fate == CB_INTAKE_DUPLICATE) {
			res.duplicates++;
			continue;
		}
		if (fate == CB_INTAKE_EVIDENCE && policy == CB_INTAKE_PARTIAL) {
			res.forks++;
			continue;
		}
		if (fate != CB_INTAKE_NEW) {
			rc = refused(eb, &in, fate, e);
			goto out;
		}
		if ((rc = cb_intake_take(st, &in, e, &verdict, &why, eb)))
			goto out;
		res.stored++;
		res.rejected += verdict && verdict != CB_EPENDING;
		res.pending += verdict == CB_EPENDING;
	}
	if (rc == CB_ENOTFOUND) {
		rc = CB_OK;
		*r = res;
	}
out:
	cb_verifier_free(&v);
	return rc;
}

cb_err
cb_accept_pulled(struct cb_store *st, const unsigned char own[CB_KEY_BYTES],
                 const void *stream, size_t len, struct cb_accept_result *r,
                 struct cb_errbuf *eb)
{
	return take_stream(st, CB_INTAKE_PARTIAL, own, stream, len, r, eb);
}

cb_err
cb_accept_own(struct cb_store *st, const unsigned char own[CB_KEY_BYTES],
              const void *stream, size_t len, struct cb_accept_result *r,
              struct cb_errbuf *eb)
{
	return take_stream(st, CB_INTAKE_OWN, own, stream, len, r, eb);
}

cb_err
cb_accept_restore(struct cb_store *st, const unsigned char own[CB_KEY_BYTES],
                  const void *stream, size_t len, struct cb_accept_result *r,
                  size_t *own_taken, struct cb_errbuf *eb)
{
	struct cb_buf mine = CB_BUF_INIT, others = CB_BUF_INIT;
	struct cb_stream_reader rd;
	struct cb_entry e = CB_ENTRY_INIT;
	struct cb_accept_result ro = { 0 };
	struct cb_chain_head head;
	cb_err rc;

	*own_taken = 0;
	if ((rc = cb_ledger_head(st, own, &head.seq, head.id, eb)))
		return rc;
	/* This key's entries the replica holds must be the ones it holds;
	 * the rest of its chain is taken back first, then the others. */
	cb_stream_reader_init(&rd, stream, len);
	while ((rc = cb_stream_next(&rd, &e, eb)) == CB_OK) {
		unsigned char held[CB_HASH_BYTES];
		struct cb_buf *to = &others;

		if (!sodium_memcmp(e.author, own, CB_KEY_BYTES)) {
			if (e.seq > head.seq) {
				to = &mine;
			} else if ((rc = cb_ledger_id_at(st, own, e.seq, held,
			                                 eb)) ||
			           cb_chain_place(&head, held, &e) !=
			                   CB_CHAIN_HELD) {
				if (!rc || rc == CB_ENOTFOUND)
					rc = cb_error(
						eb, CB_ECHAIN,
						_("the bundle's entry %llu of "
					          "this key differs from "
					          "the "
					          "one this replica holds: the "
					          "key signed two histories; a "
					          "person must look"),
						(unsigned long long)e.seq);
				goto out;
			} else {
				continue;
			}
		}
		if (cb_stream_append(to, &e)) {
			rc = cb_error(eb, CB_ENOMEM, _("out of memory"));
			goto out;
		}
	}
	if (rc != CB_ENOTFOUND)
		goto out;
	if ((rc = cb_accept_own(st, own, mine.data, mine.len, &ro, eb)) ||
	    (rc = cb_accept_pulled(st, own, others.data, others.len, r, eb)))
		goto out;
	*own_taken = ro.stored;
out:
	cb_entry_release(&e);
	cb_buf_release(&mine);
	cb_buf_release(&others);
	return rc;
}
