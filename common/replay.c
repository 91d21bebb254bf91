/* SPDX-License-Identifier: MIT */
/* replay.c — the nonce cache (see replay.h): a hash set of 16-byte digests
 * of (key, nonce) with chaining through an array of slots, and a FIFO of
 * the same slots in arrival order for expiry. Arrival order is nearly
 * expiry order (created lies within the window); a nonce that expires
 * behind a later one is kept a little longer, never less. */
#include "replay.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#define NONE SIZE_MAX

struct slot {
	unsigned char digest[16];
	int64_t expires;
	size_t next; /* in its bucket's chain */
};

struct cb_replay {
	pthread_mutex_t mu;
	int64_t window;
	size_t capacity, nbuckets;
	size_t *buckets;
	struct slot *slots;
	size_t head, count; /* FIFO: slots[head], [head+1], … modulo capacity */
	unsigned char salt[crypto_shorthash_KEYBYTES];
};

struct cb_replay *
cb_replay_new(size_t capacity, int64_t window)
{
	struct cb_replay *r = calloc(1, sizeof(*r));

	if (!r || capacity == 0)
		goto fail;
	r->capacity = capacity;
	r->window = window;
	for (r->nbuckets = 16; r->nbuckets < capacity; r->nbuckets *= 2)
		;
	r->buckets = malloc(r->nbuckets * sizeof(*r->buckets));
	r->slots = calloc(capacity, sizeof(*r->slots));
	if (!r->buckets || !r->slots)
		goto fail;
	for (size_t i = 0; i < r->nbuckets; i++)
		r->buckets[i] = NONE;
	randombytes_buf(r->salt, sizeof(r->salt));
	pthread_mutex_init(&r->mu, NULL);
	return r;
fail:
	if (r) {
		free(r->buckets);
		free(r->slots);
		free(r);
	}
	return NULL;
}

void
cb_replay_free(struct cb_replay **pr)
{
	struct cb_replay *r = pr ? *pr : NULL;

	if (!r)
		return;
	pthread_mutex_destroy(&r->mu);
	free(r->buckets);
	free(r->slots);
	free(r);
	*pr = NULL;
}

static size_t
bucket_of(const struct cb_replay *r, const unsigned char digest[16])
{
	uint64_t h;

	memcpy(&h, digest, sizeof(h));
	return (size_t)(h & (r->nbuckets - 1));
}

/* Unlink slot i from its chain. */
static void
unlink_slot(struct cb_replay *r, size_t i)
{
	size_t *p = &r->buckets[bucket_of(r, r->slots[i].digest)];

	while (*p != NONE && *p != i)
		p = &r->slots[*p].next;
	if (*p == i)
		*p = r->slots[i].next;
}

static void
expire(struct cb_replay *r, int64_t now)
{
	while (r->count && r->slots[r->head].expires < now) {
		unlink_slot(r, r->head);
		r->head = (r->head + 1) % r->capacity;
		r->count--;
	}
}

cb_err
cb_replay_add(struct cb_replay *r, const unsigned char key[CB_KEY_BYTES],
              const char *nonce, int64_t created, int64_t now,
              struct cb_errbuf *eb)
{
	crypto_generichash_state st;
	unsigned char digest[16];
	size_t b, i;
	cb_err rc = CB_OK;

	/* A keyed hash: bucket choice is not the client's to steer. */
	crypto_generichash_init(&st, r->salt, sizeof(r->salt), sizeof(digest));
	crypto_generichash_update(&st, key, CB_KEY_BYTES);
	crypto_generichash_update(&st, (const unsigned char *)nonce,
	                          strlen(nonce) + 1);
	crypto_generichash_final(&st, digest, sizeof(digest));
	pthread_mutex_lock(&r->mu);
	expire(r, now);
	b = bucket_of(r, digest);
	for (i = r->buckets[b]; i != NONE; i = r->slots[i].next)
		if (sodium_memcmp(r->slots[i].digest, digest, 16) == 0) {
			rc = cb_error(eb, CB_EEXIST,
			              "this request was already received "
			              "(nonce '%.64s' seen before): a replay",
			              nonce);
			goto out;
		}
	if (r->count == r->capacity) {
		rc = cb_error(eb, CB_ETOOBIG,
		              "too many requests inside the signature window; "
		              "try again later");
		goto out;
	}
	i = (r->head + r->count) % r->capacity;
	memcpy(r->slots[i].digest, digest, 16);
	r->slots[i].expires = created + r->window;
	r->slots[i].next = r->buckets[b];
	r->buckets[b] = i;
	r->count++;
out:
	pthread_mutex_unlock(&r->mu);
	return rc;
}

size_t
cb_replay_size(struct cb_replay *r)
{
	size_t n;

	pthread_mutex_lock(&r->mu);
	n = r->count;
	pthread_mutex_unlock(&r->mu);
	return n;
}
