/* SPDX-License-Identifier: MIT */
/* scan.c — reading a log and checking every entry of it, in log order:
 * the signature; the author's chain (a gap is an entry the log lacks, two
 * entries at one seq a fork); that the author was enrolled, and not yet
 * revoked, by the log's own key.enroll and key.revoke entries (and not
 * succeeded by another key, org.succeed); that the
 * entry stays inside what its key may write (the log replayed through the
 * same projection code as the hub, into a scratch database); and the
 * Merkle tree of all the entries, against the hub's signed checkpoint. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "audit.h"
#include "buf.h"
#include "bundle.h"
#include "hubclient.h"
#include "ledger.h"
#include "log_page.h"
#include "stream.h"
#include "syncstate.h"
#include "verifier.h"
#include "witness.h"
#include "zbody.h"
#include "words.h"

#define PAGE_ENTRIES 5000
#define MAX_FAULTS 10000
#define RESPONSE_MAX (16u << 20)
#define PAGE_INFLATED (64u << 20)

void
audit_fault(struct scan *s, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	char **f;

	if (s->nfaults >= MAX_FAULTS) {
		s->nfaults++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (!(f = realloc(s->faults, (s->nfaults + 1) * sizeof(*f))))
		return;
	s->faults = f;
	if ((f[s->nfaults] = strdup(buf)))
		s->nfaults++;
}

/* --- authors: an open-addressing table keyed by the public key --------- */

static struct author *
author_get(struct scan *s, const uint8_t pk[32], bool add)
{
	size_t mask, i;

	if (add && (s->nauthors + 1) * 2 > s->acap) {
		size_t ncap = s->acap ? s->acap * 2 : 64;
		struct author *t = calloc(ncap, sizeof(*t));

		if (!t)
			return NULL;
		for (size_t k = 0; k < s->acap; k++) {
			if (!s->authors[k].used)
				continue;
			i = (size_t)s->authors[k].pk[0] |
			    (size_t)s->authors[k].pk[1] << 8 |
			    (size_t)s->authors[k].pk[2] << 16;
			while (t[i & (ncap - 1)].used)
				i++;
			t[i & (ncap - 1)] = s->authors[k];
		}
		free(s->authors);
		s->authors = t;
		s->acap = ncap;
	}
	if (!s->acap)
		return NULL;
	mask = s->acap - 1;
	i = (size_t)pk[0] | (size_t)pk[1] << 8 | (size_t)pk[2] << 16;
	for (;; i++) {
		struct author *a = &s->authors[i & mask];

		if (!a->used) {
			if (!add)
				return NULL;
			memset(a, 0, sizeof(*a));
			memcpy(a->pk, pk, 32);
			a->used = true;
			s->nauthors++;
			return a;
		}
		if (!memcmp(a->pk, pk, 32))
			return a;
	}
}

/* --- sources ---------------------------------------------------------- */

struct source {
	struct cb_store *db; /* a hub.db copy (cb_store_open_snapshot) */
	struct cb_log *log;  /* its log */
	int64_t after;       /* the position read up to */
	bool rows_done;
	struct cb_hubclient hc;
	bool hub;
	struct cb_bundle b;
	bool bundle_done;
	struct cb_key key;
	uint64_t next;  /* the next leaf index to read */
	uint64_t limit; /* the checkpoint's size: read no further */
	struct cb_buf raw;
};

static int
hub_json(struct source *src, const char *path, const char *body, json_t **out)
{
	CURLcode cc =
		cb_hubclient_send(&src->hc, "POST", path, body, strlen(body),
	                          "application/json", false);
	json_t *o;

	if (cc != CURLE_OK) {
		audit_error(_("cannot reach the hub at %s: %s"), src->hc.url,
		            curl_easy_strerror(cc));
		return 1;
	}
	o = json_loadb((const char *)src->hc.resp.data, src->hc.resp.len, 0,
	               NULL);
	if (src->hc.status != 200 || !json_is_object(o)) {
		const char *m = json_string_value(json_object_get(o, "error"));

		audit_error(_("the hub refused %s (HTTP %ld): %s"), path,
		            src->hc.status, m ? m : "no reason given");
		json_decref(o);
		return 1;
	}
	*out = o;
	return 0;
}

/* A cb_witnessed_fn: the row kept in the scan. */
static cb_err
keep_cosigned(void *ctx, const char *origin, uint64_t size,
              const uint8_t root[32], const char *note, struct cb_errbuf *eb)
{
	struct scan *s = ctx;
	struct audit_cosigned *c =
		realloc(s->cosigned, (s->ncosigned + 1) * sizeof(*c));

	if (!c)
		return cb_error(eb, CB_ENOMEM, _("out of memory"));
	s->cosigned = c;
	c += s->ncosigned;
	snprintf(c->origin, sizeof(c->origin), "%s", origin);
	c->size = size;
	memcpy(c->root, root, 32);
	if (!(c->note = strdup(note)))
		return cb_error(eb, CB_ENOMEM, _("out of memory"));
	s->ncosigned++;
	return CB_OK;
}

/* What a hub.db copy says of its place among hubs: the checkpoint its
 * higher hub cosigned, how far it relayed its log up, and the lower
 * hubs' checkpoints it cosigned. */
static cb_err
db_federation(struct cb_store *db, struct scan *s, struct cb_errbuf *eb)
{
	struct cb_sync_state st;
	cb_err rc = cb_sync_state_load(db, &st, eb);

	if (rc)
		return rc;
	s->relayed = st.num[CB_SYNC_RELAY_CURSOR];
	if (st.text[CB_SYNC_WITNESSED] &&
	    !(s->witnessed = strdup(st.text[CB_SYNC_WITNESSED])))
		rc = cb_error(eb, CB_ENOMEM, _("out of memory"));
	cb_sync_state_release(&st);
	return rc ? rc : cb_witness_each(db, keep_cosigned, s, eb);
}

static int
source_open(const struct audit *a, const struct audit_source_opts *o,
            struct source *src, struct scan *s)
{
	struct cb_errbuf eb;

	memset(src, 0, sizeof(*src));
	if (o->db) {
		uint8_t root[32];
		uint64_t size;
		cb_err rc;

		snprintf(s->what, sizeof(s->what), _("the hub.db copy '%s'"),
		         o->db);
		s->is_log = true;
		/* One snapshot: the checkpoint and the entries are of what
		 * was committed when the first read began — a live hub.db is
		 * read with its write-ahead log, as SQLite reads it. */
		if (cb_store_open_snapshot(o->db, &src->db, &eb)) {
			audit_error("%s", eb.msg);
			return 1;
		}
		src->log = cb_store_log(src->db);
		rc = src->log ? cb_log_checkpoint_latest(src->log, &size, root,
		                                         &s->note, &eb)
		              : cb_error(&eb, CB_ENOMEM, _("out of memory"));
		if (rc == CB_ENOTFOUND) {
			audit_error(_("'%s' holds no signed checkpoint"),
			            o->db);
			return 1;
		}
		if (!rc)
			rc = db_federation(src->db, s, &eb);
		if (rc) {
			audit_error(
				_("cannot read '%s' as a hub's database: %s"),
				o->db, eb.msg);
			return 1;
		}
		return 0;
	}
	if (o->hub) {
		char *kp = audit_path(a, "audit.key");
		json_t *r = NULL;
		int rc;

		snprintf(s->what, sizeof(s->what), _("the hub at %s"), o->hub);
		s->is_log = true;
		src->hub = true;
		if (!o->pin) {
			audit_error(_("--hub needs --pin, the hub's TLS pin"));
			free(kp);
			return 1;
		}
		if (!kp || cb_key_load(kp, &src->key, &eb)) {
			audit_error(_("%s (run 'chibo-audit init' and have the "
			              "district enrol the key as an auditor)"),
			            kp ? eb.msg : "out of memory");
			free(kp);
			return 1;
		}
		free(kp);
		if (!src->key.sk) {
			audit_error(_("the auditor's key is sealed with a "
			              "passphrase; chibo-audit uses a plain "
			              "key ('chibo-audit init')"));
			return 1;
		}
		if (cb_hubclient_init(&src->hc, o->hub, o->pin, src->key.pk,
		                      src->key.sk, RESPONSE_MAX, &eb)) {
			audit_error("%s", eb.msg);
			return 1;
		}
		if ((rc = hub_json(src, "/v1/checkpoint", "{}", &r)))
			return rc;
		if (json_string_value(json_object_get(r, "checkpoint")))
			s->note = strdup(json_string_value(
				json_object_get(r, "checkpoint")));
		if (json_string_value(json_object_get(r, "witnessed")))
			s->witnessed = strdup(json_string_value(
				json_object_get(r, "witnessed")));
		json_decref(r);
		if (!s->note) {
			audit_error(_("the hub sent no checkpoint"));
			return 1;
		}
		return 0;
	}
	if (cb_bundle_read(o->bundle, &src->b, &eb)) {
		audit_error("%s", eb.msg);
		return 1;
	}
	{
		char signer[13];

		cb_hash_short(src->b.signer, signer);
		snprintf(s->what, sizeof(s->what),
		         "the bundle '%.400s' (signed by key %s)", o->bundle,
		         signer);
	}
	s->partial = src->b.kind == CB_BUNDLE_PULL;
	return 0;
}

/* The next page of the log as an entry stream in src->raw (empty at the
 * end). */
static int
source_page(struct source *src, const void **p, size_t *len)
{
	struct cb_errbuf eb;

	cb_buf_reset(&src->raw);
	*p = NULL;
	*len = 0;
	if (src->db) {
		struct cb_log_page pg;
		uint64_t n = src->limit - src->next;

		/* the leaves are counted, not the positions: a copy may lack
		 * some */
		if (!src->rows_done && n &&
		    cb_log_page(src->log, src->after,
		                n < PAGE_ENTRIES ? (size_t)n : PAGE_ENTRIES, 0,
		                &src->raw, &pg, &eb)) {
			audit_error(_("cannot read the hub.db copy: %s"),
			            eb.msg);
			return 1;
		}
		if (!src->rows_done && n) {
			src->after = pg.next;
			src->next += pg.count;
			src->rows_done = !pg.more;
		}
	} else if (src->hub) {
		char body[96];
		const char *enc;
		json_t *err;
		CURLcode cc;

		if (src->next >= src->limit)
			return 0;
		snprintf(body, sizeof(body), "{\"start\":%llu,\"limit\":%llu}",
		         (unsigned long long)src->next,
		         (unsigned long long)(src->limit - src->next <
		                                              PAGE_ENTRIES
		                                      ? src->limit - src->next
		                                      : PAGE_ENTRIES));
		cc = cb_hubclient_send(&src->hc, "POST", "/v1/entries", body,
		                       strlen(body), "application/json", false);
		if (cc != CURLE_OK) {
			audit_error(_("cannot read the hub's log: %s"),
			            curl_easy_strerror(cc));
			return 1;
		}
		if (src->hc.status != 200) {
			err = json_loadb((const char *)src->hc.resp.data,
			                 src->hc.resp.len, 0, NULL);
			audit_error(
				_("the hub refused to show its log (HTTP "
			          "%ld): %s"),
				src->hc.status,
				json_is_string(json_object_get(err, "error"))
					? json_string_value(
						  json_object_get(err, "error"))
					: "no reason given");
			json_decref(err);
			return 1;
		}
		enc = cb_hubclient_header(&src->hc, "Content-Encoding");
		if (enc && !strcmp(enc, "zstd")) {
			if (cb_zbody_decompress(src->hc.resp.data,
			                        src->hc.resp.len, PAGE_INFLATED,
			                        &src->raw, &eb)) {
				audit_error(_("the hub's log page: %s"),
				            eb.msg);
				return 1;
			}
		} else if (cb_buf_add(&src->raw, src->hc.resp.data,
		                      src->hc.resp.len)) {
			audit_error(_("out of memory"));
			return 1;
		}
		{
			const char *nx =
				cb_hubclient_header(&src->hc, "Chibo-Next");
			uint64_t to = nx ? strtoull(nx, NULL, 10) : 0;

			if (to <= src->next || to > src->limit) {
				audit_error(_("the hub's log page has no good "
				              "cursor (Chibo-Next)"));
				return 1;
			}
			src->next = to;
		}
		if (!src->raw.len) {
			audit_error(_("the hub's log ends at %llu entries, but "
			              "its checkpoint is of %llu"),
			            (unsigned long long)src->next,
			            (unsigned long long)src->limit);
			return 1;
		}
	} else {
		if (src->bundle_done)
			return 0;
		src->bundle_done = true;
		*p = src->b.stream.data;
		*len = src->b.stream.len;
		return 0;
	}
	*p = src->raw.data;
	*len = src->raw.len;
	return 0;
}

static void
source_close(struct source *src)
{
	cb_store_free(&src->db);
	if (src->hub)
		cb_hubclient_release(&src->hc);
	cb_key_release(&src->key);
	cb_bundle_release(&src->b);
	cb_buf_release(&src->raw);
}

/* --- the checks ------------------------------------------------------- */

/* The id the replay holds at this author and seq, if any. */
static bool
replayed_id(struct scan *s, const uint8_t *author, uint64_t seq, uint8_t id[32])
{
	struct cb_log *log = cb_store_log(s->replay);
	struct cb_errbuf eb;

	return log && !cb_log_id_at(log, author, seq, id, &eb);
}

static int
check_entry(struct scan *s, const struct cb_entry *e, bool sig_ok,
            uint64_t leaf)
{
	struct cb_chain_head head = { 0 };
	const uint8_t *held = NULL;
	uint8_t other[32];
	struct author *au;
	struct cb_errbuf eb;
	char ak[13], id[13];

	cb_hash_short(e->author, ak);
	cb_hash_short(e->id, id);
	if (!sig_ok) {
		s->bad_sigs++;
		audit_fault(s,
		            _("leaf %llu: entry %s (key %s, seq %llu, %s): the "
		              "signature does not verify (rewritten)"),
		            (unsigned long long)leaf, id, ak,
		            (unsigned long long)e->seq,
		            cb_words_label("op", e->op));
		return 0; /* nothing else of it can be believed */
	}
	if (s->is_log && leaf == 0) {
		if (strcmp(e->op, "hub.init"))
			audit_fault(s,
			            _("leaf 0 is a %s, not the hub.init that "
			              "begins a hub's log"),
			            e->op);
		else if (s->has_hub_key && memcmp(e->author, s->hub_key, 32))
			audit_fault(
				s,
				_("leaf 0 is the hub.init of key %s, not of "
			          "the hub key this audit trusts"),
				ak);
		else if (!s->has_hub_key) {
			memcpy(s->hub_key, e->author, 32);
			s->has_hub_key = true;
		}
	}
	if (s->is_log && s->has_hub_key && !memcmp(e->author, s->hub_key, 32) &&
	    !strcmp(e->op, "hub.join")) {
		const char *k = json_string_value(
			json_object_get(e->json, "authority"));
		const char *w =
			json_string_value(json_object_get(e->json, "witness"));

		s->has_join = k && w &&
		              !cb_hex_decode(k, s->join_authority, 32, &eb) &&
		              !cb_hex_decode(w, s->join_witness, 32, &eb);
		s->join_leaf = leaf;
	}
	if (!(au = author_get(s, e->author, true))) {
		audit_error(_("out of memory"));
		return 1;
	}
	/* the one chain rule (chain.h), against the chain seen so far */
	if (au->seq) {
		head.seq = au->seq;
		memcpy(head.id, au->id, 32);
	}
	if (au->seq && e->seq <= au->seq) {
		/* the same entry again, or another at a seq held: the replay
		 * is asked what it holds there (all of it: nothing set aside)
		 * unless it is the head */
		held = e->seq == au->seq ? au->id : NULL;
		if (s->lazy && !(held && !memcmp(held, e->id, 32)) &&
		    cb_lazyreplay_flush(s->lazy, &eb)) {
			audit_error(_("cannot replay the log: %s"), eb.msg);
			return 1;
		}
		if (!held && s->replay &&
		    replayed_id(s, e->author, e->seq, other))
			held = other;
	}
	/* A chain a joined hub holds in part (joined, below): an older
	 * entry sent after later ones — a member's dossier, just before its
	 * release — fits between those held, when the log holds nothing else
	 * at its seq. */
	if (s->joined && !au->whole && memcmp(e->author, s->hub_key, 32) &&
	    au->seq && e->seq < au->seq && !held)
		goto placed;
	switch (cb_chain_place(au->seq ? &head : NULL, held, e)) {
	case CB_CHAIN_NEXT: break;
	case CB_CHAIN_HELD:
		/* neither a duplicate nor a fork is replayed */
		audit_fault(
			s,
			_("leaf %llu: entry %s (key %s, seq %llu) is in the "
		          "log twice"),
			(unsigned long long)leaf, id, ak,
			(unsigned long long)e->seq);
		return 0;
	case CB_CHAIN_FORK:
		s->forks++;
		audit_fault(
			s,
			_("key %s forked its chain: leaf %llu holds another "
		          "entry (%s) at seq %llu"),
			ak, (unsigned long long)leaf, id,
			(unsigned long long)e->seq);
		return 0;
	case CB_CHAIN_GAP:
		/* a bundle need not hold a chain from its start, and a scope
		 * leaves gaps */
		if (s->joined && !au->whole &&
		    memcmp(e->author, s->hub_key, 32)) {
			/* a chain a hub that joined a higher one was sent
			 * in part, as a replica is */
		} else if (!au->seq && s->is_log) {
			s->gaps++;
			audit_fault(
				s,
				_("key %s: its first entry in the log is seq "
			          "%llu (leaf %llu); entries 1..%llu are "
			          "missing"),
				ak, (unsigned long long)e->seq,
				(unsigned long long)leaf,
				(unsigned long long)e->seq - 1);
		} else if (au->seq && !s->partial) {
			s->gaps++;
			audit_fault(
				s,
				_("key %s: entries %llu..%llu are missing from "
			          "the log (leaf %llu holds seq %llu)"),
				ak, (unsigned long long)au->seq + 1,
				(unsigned long long)e->seq - 1,
				(unsigned long long)leaf,
				(unsigned long long)e->seq);
		}
		break;
	case CB_CHAIN_BROKEN:
		audit_fault(s,
		            _("leaf %llu: entry %s (key %s, seq %llu) does not "
		              "chain onto the key's entry %llu"),
		            (unsigned long long)leaf, id, ak,
		            (unsigned long long)e->seq,
		            (unsigned long long)au->seq);
		break;
	}
	au->seq = e->seq;
	memcpy(au->id, e->id, 32);
placed:
	if (!s->is_log)
		return 0;
	/* Enrolment, as the log itself records it. */
	if (s->has_hub_key && memcmp(e->author, s->hub_key, 32) &&
	    !au->authority) {
		if (!au->enrolled) {
			s->unenrolled++;
			audit_fault(
				s,
				_("leaf %llu: entry %s (seq %llu, %s) is by "
			          "key %s, which the log never enrolled"),
				(unsigned long long)leaf, id,
				(unsigned long long)e->seq,
				cb_words_label("op", e->op), ak);
		} else if (au->revoked) {
			s->unenrolled++;
			audit_fault(
				s,
				_("leaf %llu: entry %s (seq %llu, %s) is by "
			          "key %s after its revocation"),
				(unsigned long long)leaf, id,
				(unsigned long long)e->seq,
				cb_words_label("op", e->op), ak);
		}
	}
	if (cb_lazyreplay_take(s->lazy, e, leaf, &eb)) {
		audit_error(_("cannot replay leaf %llu: %s"),
		            (unsigned long long)leaf, eb.msg);
		return 1;
	}
	return 0;
}

/* The replay stored the entry of this leaf: its lsn is the next. */
static void
replay_stored(void *ctx, uint64_t leaf)
{
	struct scan *s = ctx;

	if (s->nreplayed == s->replay_cap) {
		uint64_t nc = s->replay_cap ? s->replay_cap * 2 : 4096;
		uint64_t *lo = realloc(s->leaf_of, nc * sizeof(*lo));

		if (!lo) {
			s->leaf_of_lost = true;
			return;
		}
		s->leaf_of = lo;
		s->replay_cap = nc;
	}
	s->leaf_of[s->nreplayed++] = leaf;
}

/* The rules' verdict on the entry of this leaf: a fault if it writes
 * outside its key's scope; the log's own enrolments and revocations. */
static void
replay_verdict(void *ctx, uint64_t leaf, const struct cb_entry *e,
               cb_err verdict, const char *why)
{
	struct scan *s = ctx;
	struct cb_errbuf eb;
	char ak[13], id[13];

	if (verdict == CB_ESCOPE) {
		cb_hash_short(e->author, ak);
		cb_hash_short(e->id, id);
		s->scope++;
		audit_fault(s,
		            _("leaf %llu: entry %s (key %s, seq %llu, %s) "
		              "writes outside what its key may write: %s"),
		            (unsigned long long)leaf, id, ak,
		            (unsigned long long)e->seq,
		            cb_words_label("op", e->op), why);
	}
	/* Enrolments the rules let stand: the hub key's, and those of a key
	 * it delegated a subtree to (a lower hub's, relayed). */
	if (verdict == CB_OK && s->has_hub_key &&
	    (!strcmp(e->op, "key.enroll") || !strcmp(e->op, "key.revoke"))) {
		const char *k =
			json_string_value(json_object_get(e->json, "key"));
		uint8_t pk[32];
		struct author *t;

		if (k && !cb_hex_decode(k, pk, 32, &eb) &&
		    (t = author_get(s, pk, true))) {
			struct author *by = author_get(s, e->author, false);

			if (!strcmp(e->op, "key.enroll")) {
				t->enrolled = true;
				t->whole = !memcmp(e->author, s->hub_key, 32) ||
				           (by && by->whole);
			} else {
				t->revoked = true;
			}
		}
	}
	/* A succession the rules let stand closes the old key's enrolment:
	 * what it signs later is by a revoked key. */
	if (verdict == CB_OK && s->has_hub_key &&
	    !strcmp(e->op, "org.succeed")) {
		const char *k =
			json_string_value(json_object_get(e->json, "from"));
		uint8_t pk[32];
		struct author *t;

		if (k && !cb_hex_decode(k, pk, 32, &eb) &&
		    (t = author_get(s, pk, false)))
			t->revoked = true;
	}
	/* A hub.join by an authority: the key it names is one too. */
	if (verdict == CB_OK && s->has_hub_key && !strcmp(e->op, "hub.join")) {
		const char *k = json_string_value(
			json_object_get(e->json, "authority"));
		struct author *by = author_get(s, e->author, false);
		uint8_t pk[32];
		struct author *t;

		if ((!memcmp(e->author, s->hub_key, 32) ||
		     (by && by->authority)) &&
		    k && !cb_hex_decode(k, pk, 32, &eb) &&
		    (t = author_get(s, pk, true))) {
			t->authority = true;
			s->joined |= !memcmp(e->author, s->hub_key, 32);
		}
	}
}

/* An entry that waited for another is judged when that one arrives, in
 * the take of a later leaf: its verdict counts as its own leaf's. */
static void
replay_settled(void *ctx, int64_t lsn, const struct cb_entry *e, cb_err verdict,
               const char *why)
{
	struct scan *s = ctx;

	if (lsn >= 1 && (uint64_t)lsn <= s->nreplayed)
		replay_verdict(ctx, s->leaf_of[lsn - 1], e, verdict, why);
}

static int
replay_open(struct scan *s, bool full)
{
	const struct cb_lazyreplay_hooks hooks = { replay_stored,
		                                   replay_verdict, s };
	const char *tmp = getenv("TMPDIR");
	struct cb_errbuf eb;
	char hex[65];
	int fd;

	snprintf(s->replay_path, sizeof(s->replay_path),
	         "%s/chibo-audit-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if ((fd = mkstemp(s->replay_path)) < 0) {
		audit_error(_("cannot make a scratch file in %s: %s"),
		            tmp && *tmp ? tmp : "/tmp", strerror(errno));
		s->replay_path[0] = 0;
		return 1;
	}
	close(fd);
	unlink(s->replay_path);
	cb_hex_encode(s->hub_key, 32, hex);
	if (cb_store_open_scratch(s->replay_path, &s->replay, &eb) ||
	    cb_store_meta_set(s->replay, "authority", hex, &eb) ||
	    cb_lazyreplay_new(s->replay, !full, tmp && *tmp ? tmp : "/tmp",
	                      &hooks, &s->lazy, &eb)) {
		audit_error(_("cannot make the scratch database: %s"), eb.msg);
		return 1;
	}
	cb_store_on_settled(s->replay, replay_settled, s);
	return 0;
}

int
audit_scan(const struct audit *a, const struct audit_source_opts *o,
           const uint8_t *trusted_key, struct scan *s,
           const uint64_t *want_sizes, size_t nwant, uint8_t (*roots)[32],
           bool *ok)
{
	struct cb_verifier_opts vopts = { .threads = -1 };
	struct cb_buf spare = CB_BUF_INIT;
	const void *next_p;
	size_t next_len;
	int next_rc = 0;
	struct cb_merkle_stream ms;
	struct source src;
	struct cb_errbuf eb;
	char origin[CB_CHECKPOINT_ORIGIN_MAX + 1] = "";
	int rc = 1;
	bool in_tx = false;

	memset(s, 0, sizeof(*s));
	s->relayed = -1;
	for (size_t i = 0; i < nwant; i++)
		ok[i] = false;
	if (trusted_key) {
		memcpy(s->hub_key, trusted_key, 32);
		s->has_hub_key = true;
	}
	if (source_open(a, o, &src, s))
		goto out;
	if (o->at_note && s->is_log) {
		free(s->note);
		if (!(s->note = strdup(o->at_note))) {
			audit_error(_("out of memory"));
			goto out;
		}
	}
	src.limit = UINT64_MAX;
	if (s->note) {
		/* The checkpoint's size bounds the read; its signature is
		 * checked once the hub key is known (given, or leaf 0's
		 * author). */
		const char *l2 = strchr(s->note, '\n');

		src.limit = l2 ? strtoull(l2 + 1, NULL, 10) : 0;
		if (!cb_note_origin(s->note, origin, sizeof(origin)))
			audit_fault(s, _("the hub's checkpoint is not a signed "
			                 "note"));
	}
	cb_merkle_stream_init(&ms);
	/* The lazy replay reads three fields of a member.add it sets aside:
	 * its body's tree is built only if it is projected after all. */
	vopts.lazy_op = o->full_replay ? NULL : "member.add";
	if (source_page(&src, &next_p, &next_len))
		goto out;
	for (;;) {
		struct cb_verifier *v;
		const struct cb_entry *e;
		const void *p = next_p;
		size_t len = next_len;
		bool sig;
		cb_err r;
		struct cb_buf t;

		if (!len)
			break;
		if (!(v = cb_verifier_new(p, len, SIZE_MAX, &vopts))) {
			audit_error(_("out of memory"));
			goto out;
		}
		/* The next page is read while the workers verify this one:
		 * otherwise they would wait for every read. This page stays
		 * in spare; a failure is acted on once it is checked. */
		t = spare;
		spare = src.raw;
		src.raw = t;
		next_rc = source_page(&src, &next_p, &next_len);
		if (s->is_log && !s->replay && s->nleaves == 0) {
			/* leaf 0 names the hub key if none was trusted */
			struct cb_stream_reader rd;
			struct cb_entry first = CB_ENTRY_INIT;

			cb_stream_reader_init(&rd, p, len);
			if (!s->has_hub_key &&
			    !cb_stream_next(&rd, &first, &eb) &&
			    !strcmp(first.op, "hub.init")) {
				memcpy(s->hub_key, first.author, 32);
				s->has_hub_key = true;
			}
			cb_entry_release(&first);
			if (replay_open(s, o->full_replay)) {
				cb_verifier_free(&v);
				goto out;
			}
		}
		if (s->replay && !in_tx) {
			if (cb_store_begin(s->replay, &eb)) {
				audit_error("%s", eb.msg);
				cb_verifier_free(&v);
				goto out;
			}
			in_tx = true;
		}
		while ((r = cb_verifier_next(v, &e, &sig, &eb)) == CB_OK) {
			uint64_t leaf = s->nleaves;

			if (s->nleaves == s->cap) {
				uint64_t nc = s->cap ? s->cap * 2 : 4096;
				uint8_t(*nl)[32] =
					realloc(s->leaves, nc * sizeof(*nl));

				if (!nl) {
					audit_error(_("out of memory"));
					cb_verifier_free(&v);
					goto out;
				}
				s->leaves = nl;
				if (o->keep_entries) {
					struct audit_leaf *ni = realloc(
						s->info, nc * sizeof(*ni));

					if (!ni) {
						audit_error(_("out of memory"));
						cb_verifier_free(&v);
						goto out;
					}
					s->info = ni;
				}
				s->cap = nc;
			}
			if (o->keep_entries) {
				struct audit_leaf *li = &s->info[s->nleaves];

				memcpy(li->id, e->id, 32);
				memcpy(li->author, e->author, 32);
				li->seq = e->seq;
				snprintf(li->op, sizeof(li->op), "%.31s",
				         e->op);
			}
			cb_merkle_leaf_hash(e->bytes, e->len,
			                    s->leaves[s->nleaves]);
			cb_merkle_stream_append(&ms, s->leaves[s->nleaves]);
			s->nleaves++;
			for (size_t i = 0; i < nwant; i++)
				if (want_sizes[i] == s->nleaves) {
					cb_merkle_stream_root(&ms, roots[i]);
					ok[i] = true;
				}
			if (check_entry(s, e, sig, leaf)) {
				cb_verifier_free(&v);
				goto out;
			}
		}
		cb_verifier_free(&v);
		if (r != CB_ENOTFOUND) {
			audit_fault(s, _("leaf %llu: not an entry: %s"),
			            (unsigned long long)s->nleaves, eb.msg);
			break;
		}
		if (next_rc)
			goto out;
	}
	if (s->leaf_of_lost) {
		audit_error(_("out of memory"));
		goto out;
	}
	if (in_tx && cb_store_commit(s->replay, &eb)) {
		audit_error("%s", eb.msg);
		goto out;
	}
	in_tx = false;
	if (s->is_log && s->note) {
		uint8_t root[32];

		if (!s->has_hub_key) {
			audit_fault(s,
			            _("the log does not begin with a hub.init: "
			              "no key to check its checkpoint with"));
		} else if (cb_checkpoint_open(s->note, strlen(s->note), NULL,
		                              origin, s->hub_key, &s->cp,
		                              &eb)) {
			char hk[13];

			cb_hash_short(s->hub_key, hk);
			audit_fault(
				s,
				_("the hub's checkpoint is not signed by the "
			          "hub key %s: %s"),
				hk, eb.msg);
		} else {
			s->cp_ok = true;
			cb_merkle_stream_root(&ms, root);
			s->root_ok = s->nleaves == s->cp.size &&
			             !memcmp(root, s->cp.root, 32);
			if (s->nleaves != s->cp.size)
				audit_fault(s,
				            _("the hub signed a log of %llu "
				              "entries; it has %llu"),
				            (unsigned long long)s->cp.size,
				            (unsigned long long)s->nleaves);
			else if (memcmp(root, s->cp.root, 32))
				audit_fault(
					s,
					_("the Merkle root of the log's %llu "
				          "entries is not the root the hub "
				          "signed: entries were changed, "
				          "dropped or reordered"),
					(unsigned long long)s->nleaves);
		}
	}
	rc = 0;
out:
	if (in_tx)
		cb_store_rollback(s->replay);
	source_close(&src);
	cb_buf_release(&spare);
	return rc;
}

void
audit_scan_release(struct scan *s)
{
	for (size_t i = 0; i < s->nfaults && i < MAX_FAULTS; i++)
		free(s->faults[i]);
	free(s->faults);
	free(s->leaves);
	free(s->leaf_of);
	free(s->authors);
	free(s->note);
	free(s->witnessed);
	for (size_t i = 0; i < s->ncosigned; i++)
		free(s->cosigned[i].note);
	free(s->cosigned);
	free(s->info);
	cb_lazyreplay_free(&s->lazy);
	cb_store_free(&s->replay);
	if (s->replay_path[0]) {
		char p[600];

		unlink(s->replay_path);
		snprintf(p, sizeof(p), "%s-wal", s->replay_path);
		unlink(p);
		snprintf(p, sizeof(p), "%s-shm", s->replay_path);
		unlink(p);
	}
	memset(s, 0, sizeof(*s));
}

bool
audit_root_at(const struct scan *s, uint64_t size, uint8_t root[32])
{
	struct cb_merkle_leaves lv = { (const uint8_t(*)[32])s->leaves,
		                       s->nleaves };
	struct cb_errbuf eb;

	return size <= s->nleaves &&
	       !cb_merkle_root(cb_merkle_leaves_node, &lv, size, root, &eb);
}
