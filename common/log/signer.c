/* SPDX-License-Identifier: MIT */
/* signer.c — a one-slot mailbox and a worker thread that runs
 * cb_entry_build (see signer.h). The hand-over is an atomic state that both
 * sides poll for a short while before sleeping on a condition variable: a
 * signature takes ~20 µs, while putting a thread to sleep and waking it
 * costs as much on a virtual machine, once per entry. When the hand-overs
 * keep ending in sleep (the other CPU is busy with something else), the
 * signer gives up on the thread and signs on the caller's. Only the worker
 * touches the job between QUEUED and DONE. */
#include "signer.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cpu.h"

enum state { IDLE, QUEUED, DONE, QUIT };

/* Polls before sleeping: 200 µs, a few projections' time. (PAUSE takes from
 * 10 to 140 cycles depending on the CPU, so the poll is timed, not
 * counted.) Where the two threads share one CPU every spin is wasted. */
#define SPIN_NS 200000
/* Every WINDOW jobs: more than MAX_SLEEPS sleeps and the thread is not
 * worth it. (A batch commit's fsync makes one sleep in a thousand jobs.) */
#define WINDOW 64
#define MAX_SLEEPS 8

struct cb_signer {
	bool threaded;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	_Atomic int state;
	_Atomic unsigned sleeps; /* hand-overs that ended in sleep */
	unsigned jobs;
	bool inline_mode; /* gave up on the thread */
	bool busy;        /* submitted and not yet waited for */
	struct cb_entry_fields f;
	unsigned char prev[CB_HASH_BYTES];
	unsigned char deps[CB_OPS_MAX_DEPS][CB_HASH_BYTES];
	char op[CB_OP_MAX + 1];
	struct cb_entry out;
	cb_err rc;
	struct cb_errbuf eb;
};

static void
run_job(struct cb_signer *s)
{
	cb_entry_init(&s->out);
	s->rc = cb_entry_build(&s->f, &s->out, &s->eb);
}

static void
set_state(struct cb_signer *s, int st)
{
	atomic_store_explicit(&s->state, st, memory_order_release);
	/* Wake a sleeper; without one this stays in user space. */
	pthread_mutex_lock(&s->mu);
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

/* Wait until the state is one of a or b; returns it. */
static int
await_state(struct cb_signer *s, int a, int b)
{
	struct timespec t0, t;
	int st;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (unsigned i = 1;; i++) {
		st = atomic_load_explicit(&s->state, memory_order_acquire);
		if (st == a || st == b)
			return st;
		cb_cpu_relax();
		if (i % 64 == 0) {
			clock_gettime(CLOCK_MONOTONIC, &t);
			if ((t.tv_sec - t0.tv_sec) * 1000000000L +
			            (t.tv_nsec - t0.tv_nsec) >
			    SPIN_NS)
				break;
		}
	}
	atomic_fetch_add_explicit(&s->sleeps, 1, memory_order_relaxed);
	pthread_mutex_lock(&s->mu);
	while ((st = atomic_load_explicit(&s->state, memory_order_acquire)) !=
	               a &&
	       st != b)
		pthread_cond_wait(&s->cv, &s->mu);
	pthread_mutex_unlock(&s->mu);
	return st;
}

static void *
worker(void *arg)
{
	struct cb_signer *s = arg;

	while (await_state(s, QUEUED, QUIT) == QUEUED) {
		run_job(s);
		set_state(s, DONE);
	}
	return NULL;
}

struct cb_signer *
cb_signer_new(bool threaded)
{
	struct cb_signer *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	atomic_init(&s->state, IDLE);
	atomic_init(&s->sleeps, 0);
	if (threaded && cb_cpu_usable() > 1)
		s->threaded = pthread_create(&s->thread, NULL, worker, s) == 0;
	return s;
}

void
cb_signer_free(struct cb_signer **ps)
{
	struct cb_signer *s = ps ? *ps : NULL;
	struct cb_entry e = CB_ENTRY_INIT;

	if (!s)
		return;
	if (s->busy && cb_signer_wait(s, &e, NULL) == CB_OK)
		cb_entry_release(&e);
	if (s->threaded) {
		set_state(s, QUIT);
		pthread_join(s->thread, NULL);
	}
	pthread_cond_destroy(&s->cv);
	pthread_mutex_destroy(&s->mu);
	free(s);
	*ps = NULL;
}

void
cb_signer_submit(struct cb_signer *s, const struct cb_entry_fields *f)
{
	s->f = *f;
	snprintf(s->op, sizeof(s->op), "%s", f->op);
	s->f.op = s->op;
	if (f->prev) {
		memcpy(s->prev, f->prev, CB_HASH_BYTES);
		s->f.prev = s->prev;
	}
	if (f->ndeps) {
		memcpy(s->deps, f->deps, f->ndeps * CB_HASH_BYTES);
		s->f.deps = (const unsigned char(*)[CB_HASH_BYTES])s->deps;
	}
	s->busy = true;
	if (s->threaded && !s->inline_mode && ++s->jobs % WINDOW == 0 &&
	    atomic_exchange(&s->sleeps, 0) > MAX_SLEEPS)
		s->inline_mode = true;
	if (!s->threaded || s->inline_mode) {
		run_job(s);
		atomic_store(&s->state, DONE);
		return;
	}
	set_state(s, QUEUED);
}

cb_err
cb_signer_wait(struct cb_signer *s, struct cb_entry *e, struct cb_errbuf *eb)
{
	cb_err rc;

	if (s->threaded && !s->inline_mode)
		await_state(s, DONE, DONE);
	atomic_store_explicit(&s->state, IDLE, memory_order_relaxed);
	s->busy = false;
	rc = s->rc;
	if (rc) {
		if (eb)
			*eb = s->eb;
		return rc;
	}
	cb_entry_release(e);
	*e = s->out;
	cb_entry_init(&s->out);
	return CB_OK;
}
