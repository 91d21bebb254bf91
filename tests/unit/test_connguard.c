/* SPDX-License-Identifier: MIT */
/* test_connguard.c — connection deadlines (issue 16, slow clients): a
 * connection that sends no headers in time is shut down, a body earns
 * time as it arrives and is cut when it falls behind, a connection the
 * server is busy with is never cut, a closed one is never touched, each
 * is cut once, and the thread reaps on its own. Connections are socket
 * pairs: a cut shows as end-of-file on the peer. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <poll.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <unistd.h>

#include "connguard.h"

struct pair {
	int fd[2]; /* fd[0]: the server's end, fd[1]: the client's */
};

static void
pair_open(struct pair *p)
{
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, p->fd), 0);
}

static void
pair_close(struct pair *p)
{
	close(p->fd[0]);
	close(p->fd[1]);
}

/* Was the server's end shut down: does the client read end-of-file? */
static bool
cut(const struct pair *p)
{
	struct pollfd pf = { p->fd[1], POLLIN, 0 };
	char c;

	return poll(&pf, 1, 0) == 1 && read(p->fd[1], &c, 1) == 0;
}

static void
test_headers_deadline(void **state)
{
	struct cb_connguard *g = cb_connguard_new(10, 100);
	struct cb_connguard_conn *c;
	struct cb_connguard_cuts n;
	struct pair p;

	(void)state;
	pair_open(&p);
	c = cb_connguard_open(g, p.fd[0], 1000);
	n = cb_connguard_reap(g, 1010);
	assert_int_equal(n.headers, 0);
	assert_false(cut(&p));
	n = cb_connguard_reap(g, 1010.5);
	assert_int_equal(n.headers, 1);
	assert_true(cut(&p));
	/* cut once: a later pass does not count it again */
	n = cb_connguard_reap(g, 1100);
	assert_int_equal(n.headers + n.body, 0);
	cb_connguard_close(g, &c);
	assert_null(c);
	pair_close(&p);
	cb_connguard_free(&g);
	assert_null(g);
}

static void
test_body_earns_time(void **state)
{
	struct cb_connguard *g = cb_connguard_new(10, 100);
	struct cb_connguard_conn *c;
	struct cb_connguard_cuts n;
	struct pair p;

	(void)state;
	pair_open(&p);
	c = cb_connguard_open(g, p.fd[0], 0);
	cb_connguard_headers_in(g, c, 5);
	/* 500 bytes buy 5 s: the deadline is 5 + 10 + 5 */
	cb_connguard_body(g, c, 200);
	cb_connguard_body(g, c, 300);
	n = cb_connguard_reap(g, 20);
	assert_int_equal(n.body, 0);
	assert_false(cut(&p));
	n = cb_connguard_reap(g, 20.1);
	assert_int_equal(n.body, 1);
	assert_int_equal(n.headers, 0);
	assert_true(cut(&p));
	cb_connguard_close(g, &c);
	pair_close(&p);
	cb_connguard_free(&g);
}

static void
test_busy_and_idle(void **state)
{
	struct cb_connguard *g = cb_connguard_new(10, 100);
	struct cb_connguard_conn *c;
	struct pair p;

	(void)state;
	pair_open(&p);
	c = cb_connguard_open(g, p.fd[0], 0);
	cb_connguard_headers_in(g, c, 1);
	cb_connguard_busy(g, c);
	/* working on it, or answering: no deadline */
	assert_int_equal(cb_connguard_reap(g, 1e6).body, 0);
	assert_false(cut(&p));
	/* done: the next request's headers are due header_timeout later */
	cb_connguard_idle(g, c, 1e6);
	assert_int_equal(cb_connguard_reap(g, 1e6 + 10).headers, 0);
	assert_false(cut(&p));
	assert_int_equal(cb_connguard_reap(g, 1e6 + 11).headers, 1);
	assert_true(cut(&p));
	cb_connguard_close(g, &c);
	pair_close(&p);
	cb_connguard_free(&g);
}

static void
test_closed_is_not_touched(void **state)
{
	struct cb_connguard *g = cb_connguard_new(10, 100);
	struct cb_connguard_conn *a, *b;
	struct pair pa, pb;

	(void)state;
	pair_open(&pa);
	pair_open(&pb);
	a = cb_connguard_open(g, pa.fd[0], 0);
	b = cb_connguard_open(g, pb.fd[0], 0);
	/* a is closed by the server (its socket number may be reused) */
	cb_connguard_close(g, &a);
	assert_int_equal(cb_connguard_reap(g, 100).headers, 1);
	assert_false(cut(&pa));
	assert_true(cut(&pb));
	cb_connguard_close(g, &b);
	cb_connguard_close(g, &b); /* NULL-safe */
	pair_close(&pa);
	pair_close(&pb);
	cb_connguard_free(&g);
}

static void
on_cut(void *ctx, struct cb_connguard_cuts n)
{
	*(size_t *)ctx += n.headers;
}

static void
test_thread_reaps(void **state)
{
	struct cb_connguard *g = cb_connguard_new(1, 100);
	struct cb_connguard_conn *c;
	struct cb_errbuf eb;
	struct pair p;
	struct pollfd pf;
	size_t seen = 0;

	(void)state;
	pair_open(&p);
	c = cb_connguard_open(g, p.fd[0], cb_connguard_now());
	assert_int_equal(cb_connguard_start(g, on_cut, &seen, &eb), 0);
	/* due after 1 s, reaped within the next second */
	pf.fd = p.fd[1];
	pf.events = POLLIN;
	assert_int_equal(poll(&pf, 1, 5000), 1);
	assert_true(cut(&p));
	cb_connguard_close(g, &c);
	cb_connguard_free(&g); /* stops the thread */
	assert_int_equal(seen, 1);
	pair_close(&p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_headers_deadline),
		cmocka_unit_test(test_body_earns_time),
		cmocka_unit_test(test_busy_and_idle),
		cmocka_unit_test(test_closed_is_not_touched),
		cmocka_unit_test(test_thread_reaps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
