/* SPDX-License-Identifier: MIT */
/* verifier.c — an entry stream decoded and its signatures verified by a
 * small pool of threads while one reader takes the entries in order (see
 * verifier.h). The stream's frames are found first (length prefixes only,
 * cheap); each frame is a slot that a worker claims, decodes and verifies,
 * then marks done. The reader never waits for a slot no one has claimed: it
 * claims it and does the job itself, so a lagging or missing worker costs
 * no more than verifying in one loop; and while a worker has the slot it
 * needs, it does a later job rather than wait, so that every CPU stays busy
 * whether verifying or projecting is the slower side (waiting instead, the
 * two went in lock-step at the worker's pace). Workers stay at most a window
 * ahead of the reader (decoded entries hold memory); they stop early after a
 * bad entry, since the reader will go no further. Waits poll for a short while
 * before sleeping on a condition variable, as in signer.c: a sleep and a
 * wake-up per entry would cost as much as the signature. */
#include "verifier.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "cpu.h"
#include "stream.h"

/* A reader's poll before it sleeps: several verifications' time. */
#define SPIN_NS 200000
/* Below this many entries no thread is started: starting one costs about
 * as much as verifying an entry. */
#define MIN_THREADED 8

/* UNCHECKED: decoded, its signature not asked about (decode_only) */
enum slot_state { PENDING, GOOD, UNCHECKED, BAD_SIGNATURE, BAD_ENTRY };

struct slot {
	size_t off; /* of the frame's length prefix */
	size_t len; /* of the entry */
	_Atomic int state;
	struct cb_entry e; /* the worker's until state leaves PENDING */
};

struct cb_verifier {
	const unsigned char *p;
	size_t len;
	struct slot *slots;
	size_t nslots;
	size_t pos;                   /* entries given to the reader */
	struct cb_stream_reader tail; /* the entries after the slots */
	struct cb_entry tail_e;
	size_t window;
	size_t wake_every; /* the reader wakes waiting workers this often */
	unsigned delay_us;
	const char *lazy_op;
	bool decode_only;

	_Atomic size_t next; /* the first slot no one has claimed */
	_Atomic size_t end;  /* slots from here on are not needed */
	_Atomic size_t done; /* the reader is past the slots below this */
	_Atomic bool stop;
	_Atomic int room_waiters;  /* workers asleep: window full */
	_Atomic int ready_waiters; /* the reader asleep on a slot */
	pthread_mutex_t mu;
	pthread_cond_t room, ready;

	int nthreads;
	pthread_t threads[CB_VERIFIER_MAX_THREADS];
};

static uint32_t
get_be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/* Frames from the start of the stream, at most max, stopping before one
 * that cb_stream_next would refuse for its framing (that one, and
 * everything after, is the tail's to read); their offsets into slots if
 * not NULL. */
static size_t
scan_frames(const unsigned char *p, size_t len, size_t max, struct slot *slots)
{
	size_t off = 0, n = 0;

	while (n < max && len - off >= 4) {
		uint32_t m = get_be32(p + off);

		if (m > CB_ENTRY_MAX || m > len - off - 4)
			break;
		if (slots) {
			slots[n].off = off;
			slots[n].len = m;
		}
		off += 4 + (size_t)m;
		n++;
	}
	return n;
}

static void
wake(struct cb_verifier *v, pthread_cond_t *cv)
{
	pthread_mutex_lock(&v->mu);
	pthread_cond_broadcast(cv);
	pthread_mutex_unlock(&v->mu);
}

/* Decode and verify slot i, claimed by the caller, and publish the
 * verdict. */
static void
run_job(struct cb_verifier *v, size_t i)
{
	struct slot *s = &v->slots[i];
	struct cb_errbuf eb;
	int st = GOOD;

	if (v->lazy_op ? cb_entry_decode_lazy(v->p + s->off + 4, s->len,
	                                      v->lazy_op, &s->e, &eb)
	               : cb_entry_decode(v->p + s->off + 4, s->len, &s->e, &eb))
		st = BAD_ENTRY;
	else if (v->decode_only)
		st = UNCHECKED;
	else if (cb_entry_verify_signature(&s->e, &eb))
		st = BAD_SIGNATURE;
	if (st == BAD_ENTRY || st == BAD_SIGNATURE) {
		/* The reader stops here at the latest. */
		size_t end = atomic_load(&v->end);

		while (end > i + 1 &&
		       !atomic_compare_exchange_weak(&v->end, &end, i + 1))
			;
	}
	/* seq_cst, as the loads of the waiter counts after it: either the
	 * reader sees the verdict or this sees the reader waiting. */
	atomic_store(&s->state, st);
	if (atomic_load(&v->ready_waiters))
		wake(v, &v->ready);
}

enum { CLAIM_NONE = -1, CLAIM_FULL = -2 };

/* A worker's claim on the next slot: its index, CLAIM_FULL when the window
 * ahead of the reader is full, CLAIM_NONE when no slot is left to do. */
static ptrdiff_t
claim(struct cb_verifier *v)
{
	size_t i = atomic_load(&v->next);

	for (;;) {
		size_t done = atomic_load(&v->done);

		if (atomic_load(&v->stop) || i >= atomic_load(&v->end))
			return CLAIM_NONE;
		/* The reader only passes claimed slots, so next >= done; an i
		 * below done is stale, and the exchange will fail. */
		if (i >= done && i - done >= v->window)
			return CLAIM_FULL;
		if (atomic_compare_exchange_weak(&v->next, &i, i + 1))
			return (ptrdiff_t)i;
	}
}

static void
await_room(struct cb_verifier *v)
{
	pthread_mutex_lock(&v->mu);
	atomic_fetch_add(&v->room_waiters, 1);
	for (;;) {
		/* done first: it never passes next, so i >= done. */
		size_t done = atomic_load(&v->done);
		size_t i = atomic_load(&v->next);

		if (atomic_load(&v->stop) || i >= atomic_load(&v->end) ||
		    i - done < v->window)
			break;
		pthread_cond_wait(&v->room, &v->mu);
	}
	atomic_fetch_sub(&v->room_waiters, 1);
	pthread_mutex_unlock(&v->mu);
}

static void *
worker(void *arg)
{
	struct cb_verifier *v = arg;

	for (;;) {
		ptrdiff_t i;

		if (v->delay_us) {
			struct timespec ts = { 0, (long)v->delay_us * 1000 };

			nanosleep(&ts, NULL);
		}
		i = claim(v);
		if (i == CLAIM_NONE)
			break;
		if (i == CLAIM_FULL)
			await_room(v);
		else
			run_job(v, (size_t)i);
	}
	return NULL;
}

/* The reader's wait for slot i's verdict. If no worker has claimed the
 * slot, the reader does the job itself. */
static int
await_slot(struct cb_verifier *v, size_t i)
{
	struct slot *s = &v->slots[i];
	struct timespec t0, t;
	size_t want = i;
	int st;

	/* Every slot before i is done, so next >= i: claim i if it is next.
	 * (end and the window do not bind the reader.) */
	if (atomic_compare_exchange_strong(&v->next, &want, i + 1)) {
		run_job(v, i);
		return atomic_load_explicit(&s->state, memory_order_relaxed);
	}
	/* A worker has slot i. Rather than wait, do a later job: it will be
	 * needed soon, and both CPUs stay busy. */
	while ((st = atomic_load(&s->state)) == PENDING) {
		ptrdiff_t j = claim(v);

		if (j < 0)
			break;
		run_job(v, (size_t)j);
	}
	if (st != PENDING)
		return st;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (unsigned k = 1;; k++) {
		if ((st = atomic_load(&s->state)) != PENDING)
			return st;
		cb_cpu_relax();
		if (k % 64 == 0) {
			clock_gettime(CLOCK_MONOTONIC, &t);
			if ((t.tv_sec - t0.tv_sec) * 1000000000L +
			            (t.tv_nsec - t0.tv_nsec) >
			    SPIN_NS)
				break;
		}
	}
	pthread_mutex_lock(&v->mu);
	atomic_fetch_add(&v->ready_waiters, 1);
	while ((st = atomic_load(&s->state)) == PENDING)
		pthread_cond_wait(&v->ready, &v->mu);
	atomic_fetch_sub(&v->ready_waiters, 1);
	pthread_mutex_unlock(&v->mu);
	return st;
}

struct cb_verifier *
cb_verifier_new(const void *stream, size_t len, size_t max,
                const struct cb_verifier_opts *opts)
{
	struct cb_verifier *v = calloc(1, sizeof(*v));
	int threads = opts ? opts->threads : -1;

	if (!v)
		return NULL;
	v->p = stream;
	v->len = len;
	v->nslots = scan_frames(v->p, len, max, NULL);
	if (v->nslots && !(v->slots = calloc(v->nslots, sizeof(*v->slots)))) {
		free(v);
		return NULL;
	}
	scan_frames(v->p, len, max, v->slots);
	for (size_t i = 0; i < v->nslots; i++) {
		atomic_init(&v->slots[i].state, PENDING);
		cb_entry_init(&v->slots[i].e);
	}
	cb_stream_reader_init(&v->tail, stream, len);
	if (v->nslots) {
		v->tail.off = v->slots[v->nslots - 1].off + 4 +
		              v->slots[v->nslots - 1].len;
		v->tail.index = v->nslots;
	}
	cb_entry_init(&v->tail_e);
	v->window = opts && opts->window ? opts->window : CB_VERIFIER_WINDOW;
	v->wake_every = v->window / 8 ? v->window / 8 : 1;
	v->delay_us = opts ? opts->job_delay_us : 0;
	v->lazy_op = opts ? opts->lazy_op : NULL;
	v->decode_only = opts && opts->decode_only;
	atomic_init(&v->next, 0);
	atomic_init(&v->end, v->nslots);
	atomic_init(&v->done, 0);
	atomic_init(&v->stop, false);
	atomic_init(&v->room_waiters, 0);
	atomic_init(&v->ready_waiters, 0);
	pthread_mutex_init(&v->mu, NULL);
	pthread_cond_init(&v->room, NULL);
	pthread_cond_init(&v->ready, NULL);
	if (threads < 0) {
		threads = v->nslots >= MIN_THREADED ? cb_cpu_usable() - 1 : 0;
		if ((size_t)threads > v->nslots)
			threads = (int)v->nslots;
	}
	if (threads > CB_VERIFIER_MAX_THREADS)
		threads = CB_VERIFIER_MAX_THREADS;
	/* One that cannot be started is one fewer: the reader does its
	 * share. */
	while (v->nthreads < threads &&
	       pthread_create(&v->threads[v->nthreads], NULL, worker, v) == 0)
		v->nthreads++;
	return v;
}

void
cb_verifier_free(struct cb_verifier **pv)
{
	struct cb_verifier *v = pv ? *pv : NULL;

	if (!v)
		return;
	atomic_store(&v->stop, true);
	wake(v, &v->room);
	for (int i = 0; i < v->nthreads; i++)
		pthread_join(v->threads[i], NULL);
	for (size_t i = 0; i < v->nslots; i++)
		cb_entry_release(&v->slots[i].e);
	cb_entry_release(&v->tail_e);
	pthread_cond_destroy(&v->ready);
	pthread_cond_destroy(&v->room);
	pthread_mutex_destroy(&v->mu);
	free(v->slots);
	free(v);
	*pv = NULL;
}

cb_err
cb_verifier_next(struct cb_verifier *v, const struct cb_entry **e,
                 bool *verified, struct cb_errbuf *eb)
{
	size_t i = v->pos;
	cb_err rc;
	int st;

	/* The entry given last is the reader's no more. */
	if (i > 0 && i <= v->nslots) {
		cb_entry_release(&v->slots[i - 1].e);
		/* seq_cst, as in run_job: a worker going to sleep on a full
		 * window sees this, or the reader sees it waiting. */
		atomic_store(&v->done, i);
		if (i % v->wake_every == 0 && atomic_load(&v->room_waiters))
			wake(v, &v->room);
	}
	if (i >= v->nslots) {
		if ((rc = cb_stream_next(&v->tail, &v->tail_e, eb)))
			return rc;
		*verified =
			!v->decode_only &&
			cb_entry_verify_signature(&v->tail_e, NULL) == CB_OK;
		*e = &v->tail_e;
		v->pos++;
		return CB_OK;
	}
	st = await_slot(v, i);
	if (st == BAD_ENTRY) {
		/* Read it again, for cb_stream_next's own message. */
		struct cb_stream_reader rd;
		struct cb_entry tmp = CB_ENTRY_INIT;

		cb_stream_reader_init(&rd, v->p, v->len);
		rd.off = v->slots[i].off;
		rd.index = i;
		rc = cb_stream_next(&rd, &tmp, eb);
		cb_entry_release(&tmp);
		/* a reader that goes on gets the entry after (its frame
		 * is sound: a slot's is) */
		v->pos++;
		return rc ? rc
		          : cb_error(eb, CB_EINVAL,
		                     _("stream entry %zu at byte %zu cannot be "
		                       "decoded"),
		                     i + 1, v->slots[i].off);
	}
	*verified = st == GOOD;
	*e = &v->slots[i].e;
	v->pos++;
	return CB_OK;
}

size_t
cb_verifier_index(const struct cb_verifier *v)
{
	return v->pos;
}
