/* SPDX-License-Identifier: MIT */
/* connguard.c — connection deadlines and their reaper (connguard.h): a
 * doubly-linked list of the guarded connections under one mutex, and a
 * thread that walks it once a second and shuts down the sockets that are
 * past their deadline, telling the server what each pass cut. */
#include "connguard.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

enum phase {
	WAIT_HEADERS, /* deadline: since + header_timeout */
	READ_BODY,    /* since + header_timeout + bytes / min_body_rate */
	BUSY,         /* none */
};

struct cb_connguard_conn {
	int fd;
	enum phase phase;
	double since;
	size_t bytes;
	bool cut;
	struct cb_connguard_conn *prev, *next;
};

struct cb_connguard {
	pthread_mutex_t mu;
	pthread_cond_t wake;
	double header_timeout, min_body_rate;
	struct cb_connguard_conn *head;
	pthread_t thread;
	bool running, stop;
	void (*on_cut)(void *ctx, struct cb_connguard_cuts cuts);
	void *ctx;
};

double
cb_connguard_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

struct cb_connguard *
cb_connguard_new(double header_timeout, double min_body_rate)
{
	struct cb_connguard *g = calloc(1, sizeof(*g));

	if (!g)
		return NULL;
	g->header_timeout = header_timeout;
	g->min_body_rate = min_body_rate;
	pthread_mutex_init(&g->mu, NULL);
	pthread_cond_init(&g->wake, NULL);
	return g;
}

void
cb_connguard_free(struct cb_connguard **pg)
{
	struct cb_connguard *g = pg ? *pg : NULL;

	if (!g)
		return;
	if (g->running) {
		pthread_mutex_lock(&g->mu);
		g->stop = true;
		pthread_cond_signal(&g->wake);
		pthread_mutex_unlock(&g->mu);
		pthread_join(g->thread, NULL);
	}
	for (struct cb_connguard_conn *c = g->head, *n; c; c = n) {
		n = c->next;
		free(c);
	}
	pthread_cond_destroy(&g->wake);
	pthread_mutex_destroy(&g->mu);
	free(g);
	*pg = NULL;
}

static void *
reaper(void *arg)
{
	struct cb_connguard *g = arg;

	pthread_mutex_lock(&g->mu);
	while (!g->stop) {
		struct timespec until;

		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 1;
		pthread_cond_timedwait(&g->wake, &g->mu, &until);
		if (g->stop)
			break;
		pthread_mutex_unlock(&g->mu);
		{
			struct cb_connguard_cuts n =
				cb_connguard_reap(g, cb_connguard_now());

			if ((n.headers || n.body) && g->on_cut)
				g->on_cut(g->ctx, n);
		}
		pthread_mutex_lock(&g->mu);
	}
	pthread_mutex_unlock(&g->mu);
	return NULL;
}

cb_err
cb_connguard_start(struct cb_connguard *g,
                   void (*on_cut)(void *ctx, struct cb_connguard_cuts cuts),
                   void *ctx, struct cb_errbuf *eb)
{
	int e;

	g->on_cut = on_cut;
	g->ctx = ctx;
	if ((e = pthread_create(&g->thread, NULL, reaper, g)))
		if (e)
			return cb_error(
				eb, CB_ENOMEM,
				_("cannot start the connection reaper: %s"),
				strerror(e));
	g->running = true;
	return CB_OK;
}

struct cb_connguard_conn *
cb_connguard_open(struct cb_connguard *g, int fd, double now)
{
	struct cb_connguard_conn *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->fd = fd;
	c->phase = WAIT_HEADERS;
	c->since = now;
	pthread_mutex_lock(&g->mu);
	c->next = g->head;
	if (g->head)
		g->head->prev = c;
	g->head = c;
	pthread_mutex_unlock(&g->mu);
	return c;
}

void
cb_connguard_close(struct cb_connguard *g, struct cb_connguard_conn **pc)
{
	struct cb_connguard_conn *c = pc ? *pc : NULL;

	if (!c)
		return;
	pthread_mutex_lock(&g->mu);
	if (c->prev)
		c->prev->next = c->next;
	else
		g->head = c->next;
	if (c->next)
		c->next->prev = c->prev;
	pthread_mutex_unlock(&g->mu);
	free(c);
	*pc = NULL;
}

static void
set_phase(struct cb_connguard *g, struct cb_connguard_conn *c, enum phase p,
          double now)
{
	if (!c)
		return;
	pthread_mutex_lock(&g->mu);
	c->phase = p;
	c->since = now;
	c->bytes = 0;
	pthread_mutex_unlock(&g->mu);
}

void
cb_connguard_headers_in(struct cb_connguard *g, struct cb_connguard_conn *c,
                        double now)
{
	set_phase(g, c, READ_BODY, now);
}

void
cb_connguard_body(struct cb_connguard *g, struct cb_connguard_conn *c,
                  size_t bytes)
{
	if (!c)
		return;
	pthread_mutex_lock(&g->mu);
	c->bytes += bytes;
	pthread_mutex_unlock(&g->mu);
}

void
cb_connguard_busy(struct cb_connguard *g, struct cb_connguard_conn *c)
{
	set_phase(g, c, BUSY, 0);
}

void
cb_connguard_idle(struct cb_connguard *g, struct cb_connguard_conn *c,
                  double now)
{
	set_phase(g, c, WAIT_HEADERS, now);
}

struct cb_connguard_cuts
cb_connguard_reap(struct cb_connguard *g, double now)
{
	struct cb_connguard_cuts n = { 0, 0 };

	pthread_mutex_lock(&g->mu);
	for (struct cb_connguard_conn *c = g->head; c; c = c->next) {
		double deadline = c->since + g->header_timeout;

		if (c->cut || c->phase == BUSY)
			continue;
		if (c->phase == READ_BODY)
			deadline += (double)c->bytes / g->min_body_rate;
		if (now <= deadline)
			continue;
		/* The socket is still open: closing it would take c off the
		 * list first, under this mutex. */
		shutdown(c->fd, SHUT_RDWR);
		c->cut = true;
		if (c->phase == WAIT_HEADERS)
			n.headers++;
		else
			n.body++;
	}
	pthread_mutex_unlock(&g->mu);
	return n;
}
