/* SPDX-License-Identifier: MIT */
/* replay.c — the nonce cache (see replay.h): a table of keys, and for each
 * key a hash set of 16-byte digests of (key, nonce), chained through a
 * ring of slots that is also the key's FIFO in arrival order, for expiry.
 * Arrival order is nearly expiry order (created lies within the window); a
 * nonce that expires behind a later one is kept a little longer, never
 * less. A key's ring grows by doubling up to its share and is freed when
 * its last nonce expires. Digests and the key table are keyed hashes, so
 * bucket choice is not the client's to steer. */
#include "replay.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#define NONE SIZE_MAX
#define FIRST_RING 16

struct slot {
	unsigned char digest[16];
	int64_t expires;
	size_t next; /* in its bucket's chain */
};

struct keyrec {
	unsigned char key[CB_KEY_BYTES];
	uint64_t hash;    /* in the key table */
	int64_t floor;    /* created <= floor is refused */
	int64_t recorded; /* the caller's durable mark, and its tag */
	int tag;
	struct slot *slots;
	size_t *buckets;
	size_t cap, nbuckets, head, count; /* ring: slots[head], [head+1]… */
	struct keyrec *next;               /* in its chain of the key table */
};

struct cb_replay {
	pthread_mutex_t mu;
	int64_t window, now; /* now: the latest time an add was given */
	size_t per_key, total;
	struct keyrec **table;
	size_t tsize, nkeys, sweep; /* sweep: the next chain to expire */
	unsigned char salt[crypto_generichash_KEYBYTES];
};

struct cb_replay *
cb_replay_new(size_t per_key, int64_t window)
{
	struct cb_replay *r = calloc(1, sizeof(*r));

	if (!r || per_key == 0)
		goto fail;
	r->per_key = per_key;
	r->window = window;
	r->tsize = 64;
	if (!(r->table = calloc(r->tsize, sizeof(*r->table))))
		goto fail;
	randombytes_buf(r->salt, sizeof(r->salt));
	pthread_mutex_init(&r->mu, NULL);
	return r;
fail:
	free(r);
	return NULL;
}

static void
ring_release(struct keyrec *k)
{
	free(k->slots);
	free(k->buckets);
	k->slots = NULL;
	k->buckets = NULL;
	k->cap = k->nbuckets = k->head = k->count = 0;
}

void
cb_replay_free(struct cb_replay **pr)
{
	struct cb_replay *r = pr ? *pr : NULL;

	if (!r)
		return;
	for (size_t i = 0; i < r->tsize; i++)
		for (struct keyrec *k = r->table[i], *n; k; k = n) {
			n = k->next;
			ring_release(k);
			free(k);
		}
	pthread_mutex_destroy(&r->mu);
	free(r->table);
	free(r);
	*pr = NULL;
}

static uint64_t
key_hash(const struct cb_replay *r, const unsigned char key[CB_KEY_BYTES])
{
	unsigned char h[8];
	uint64_t v;

	crypto_generichash(h, sizeof(h), key, CB_KEY_BYTES, r->salt,
	                   sizeof(r->salt));
	memcpy(&v, h, sizeof(v));
	return v;
}

/* Double the key table when it holds more keys than chains. */
static void
table_grow(struct cb_replay *r)
{
	size_t n = r->tsize * 2;
	struct keyrec **t = calloc(n, sizeof(*t));

	if (!t)
		return; /* longer chains, still correct */
	for (size_t i = 0; i < r->tsize; i++)
		for (struct keyrec *k = r->table[i], *next; k; k = next) {
			next = k->next;
			k->next = t[k->hash & (n - 1)];
			t[k->hash & (n - 1)] = k;
		}
	free(r->table);
	r->table = t;
	r->tsize = n;
}

/* The key's record; with create, made if absent (NULL: out of memory). */
static struct keyrec *
find_key(struct cb_replay *r, const unsigned char key[CB_KEY_BYTES],
         bool create)
{
	uint64_t h = key_hash(r, key);
	struct keyrec *k;

	for (k = r->table[h & (r->tsize - 1)]; k; k = k->next)
		if (k->hash == h && !memcmp(k->key, key, CB_KEY_BYTES))
			return k;
	if (!create || !(k = calloc(1, sizeof(*k))))
		return NULL;
	memcpy(k->key, key, CB_KEY_BYTES);
	k->hash = h;
	k->floor = k->recorded = INT64_MIN;
	k->tag = -1;
	k->next = r->table[h & (r->tsize - 1)];
	r->table[h & (r->tsize - 1)] = k;
	if (++r->nkeys > r->tsize)
		table_grow(r);
	return k;
}

static size_t
bucket_of(const struct keyrec *k, const unsigned char digest[16])
{
	uint64_t h;

	memcpy(&h, digest, sizeof(h));
	return (size_t)(h & (k->nbuckets - 1));
}

/* Unlink slot i from its chain. */
static void
unlink_slot(struct keyrec *k, size_t i)
{
	size_t *p = &k->buckets[bucket_of(k, k->slots[i].digest)];

	while (*p != NONE && *p != i)
		p = &k->slots[*p].next;
	if (*p == i)
		*p = k->slots[i].next;
}

static void
expire(struct cb_replay *r, struct keyrec *k, int64_t now)
{
	while (k->count && k->slots[k->head].expires < now) {
		unlink_slot(k, k->head);
		k->head = (k->head + 1) % k->cap;
		k->count--;
		r->total--;
	}
	if (k->cap && !k->count)
		ring_release(k);
}

/* Make room for one more nonce in k's ring, up to the share. */
static cb_err
ring_grow(struct cb_replay *r, struct keyrec *k)
{
	size_t cap = k->cap ? k->cap * 2 : FIRST_RING, nb = 16;
	struct slot *slots;
	size_t *buckets;

	if (cap > r->per_key)
		cap = r->per_key;
	while (nb < cap)
		nb *= 2;
	slots = malloc(cap * sizeof(*slots));
	buckets = malloc(nb * sizeof(*buckets));
	if (!slots || !buckets) {
		free(slots);
		free(buckets);
		return CB_ENOMEM;
	}
	for (size_t i = 0; i < k->count; i++)
		slots[i] = k->slots[(k->head + i) % k->cap];
	free(k->slots);
	free(k->buckets);
	k->slots = slots;
	k->buckets = buckets;
	k->cap = cap;
	k->nbuckets = nb;
	k->head = 0;
	for (size_t b = 0; b < nb; b++)
		buckets[b] = NONE;
	for (size_t i = 0; i < k->count; i++) {
		size_t b = bucket_of(k, slots[i].digest);

		slots[i].next = buckets[b];
		buckets[b] = i;
	}
	return CB_OK;
}

cb_err
cb_replay_add(struct cb_replay *r, const unsigned char key[CB_KEY_BYTES],
              const char *nonce, int64_t created, int64_t now,
              struct cb_errbuf *eb)
{
	crypto_generichash_state st;
	unsigned char digest[16];
	struct keyrec *k;
	size_t b, i;
	cb_err rc = CB_OK;

	crypto_generichash_init(&st, r->salt, sizeof(r->salt), sizeof(digest));
	crypto_generichash_update(&st, key, CB_KEY_BYTES);
	crypto_generichash_update(&st, (const unsigned char *)nonce,
	                          strlen(nonce) + 1);
	crypto_generichash_final(&st, digest, sizeof(digest));
	pthread_mutex_lock(&r->mu);
	if (now > r->now)
		r->now = now;
	/* One chain of other keys expired per add, so that the nonces of a
	 * key that went quiet are freed too. */
	for (k = r->table[r->sweep++ & (r->tsize - 1)]; k; k = k->next)
		expire(r, k, now);
	if (!(k = find_key(r, key, true))) {
		rc = cb_error(eb, CB_ENOMEM, _("out of memory"));
		goto out;
	}
	if (created <= k->floor) {
		rc = cb_error(eb, CB_EAGAIN,
		              _("this request was signed before the hub "
		                "restarted (created %lld); sign it again"),
		              (long long)created);
		goto out;
	}
	expire(r, k, now);
	if (k->cap) {
		b = bucket_of(k, digest);
		for (i = k->buckets[b]; i != NONE; i = k->slots[i].next)
			if (sodium_memcmp(k->slots[i].digest, digest, 16) ==
			    0) {
				rc = cb_error(eb, CB_EEXIST,
				              _("this request was already "
				                "received (nonce '%.64s' seen "
				                "before): a replay"),
				              nonce);
				goto out;
			}
	}
	if (k->count == r->per_key) {
		rc = cb_error(eb, CB_ETOOBIG,
		              _("this key sent more than %zu requests inside "
		                "the signature window; busy, retry later"),
		              r->per_key);
		goto out;
	}
	if (k->count == k->cap && ring_grow(r, k)) {
		rc = cb_error(eb, CB_ENOMEM, _("out of memory"));
		goto out;
	}
	i = (k->head + k->count) % k->cap;
	b = bucket_of(k, digest);
	memcpy(k->slots[i].digest, digest, 16);
	k->slots[i].expires = created + r->window;
	k->slots[i].next = k->buckets[b];
	k->buckets[b] = i;
	k->count++;
	r->total++;
out:
	pthread_mutex_unlock(&r->mu);
	return rc;
}

int64_t
cb_replay_wait(struct cb_replay *r, const unsigned char key[CB_KEY_BYTES],
               int64_t now)
{
	struct keyrec *k;
	int64_t wait = 0;

	pthread_mutex_lock(&r->mu);
	if ((k = find_key(r, key, false))) {
		expire(r, k, now);
		if (k->count == r->per_key) {
			wait = k->slots[k->head].expires - now + 1;
			if (wait < 1)
				wait = 1;
		}
	}
	pthread_mutex_unlock(&r->mu);
	return wait;
}

cb_err
cb_replay_floor(struct cb_replay *r, const unsigned char key[CB_KEY_BYTES],
                int64_t floor)
{
	struct keyrec *k;
	cb_err rc = CB_OK;

	pthread_mutex_lock(&r->mu);
	if (!(k = find_key(r, key, true))) {
		rc = CB_ENOMEM;
	} else {
		if (floor > k->floor)
			k->floor = floor;
		if (floor > k->recorded)
			k->recorded = floor;
	}
	pthread_mutex_unlock(&r->mu);
	return rc;
}

bool
cb_replay_unrecorded(struct cb_replay *r, const unsigned char key[CB_KEY_BYTES],
                     int64_t created, int tag)
{
	struct keyrec *k;
	bool above;

	pthread_mutex_lock(&r->mu);
	k = find_key(r, key, false);
	above = !k || created > k->recorded || tag != k->tag;
	pthread_mutex_unlock(&r->mu);
	return above;
}

void
cb_replay_recorded(struct cb_replay *r, const unsigned char key[CB_KEY_BYTES],
                   int64_t created, int tag)
{
	struct keyrec *k;

	pthread_mutex_lock(&r->mu);
	/* out of memory: the mark stays lower, and the caller writes again */
	if ((k = find_key(r, key, true))) {
		if (created > k->recorded)
			k->recorded = created;
		k->tag = tag;
	}
	pthread_mutex_unlock(&r->mu);
}

size_t
cb_replay_size(struct cb_replay *r)
{
	size_t n;

	pthread_mutex_lock(&r->mu);
	/* A key's nonces expire as it sends; count as of the latest add. */
	for (size_t i = 0; i < r->tsize; i++)
		for (struct keyrec *k = r->table[i]; k; k = k->next)
			expire(r, k, r->now);
	n = r->total;
	pthread_mutex_unlock(&r->mu);
	return n;
}
