/* SPDX-License-Identifier: MIT */
/* connguard.h — deadlines for a server's connections, so that slow or
 * trickling clients cannot hold its connection slots (slowloris): what
 * libmicrohttpd 0.9.75 lacks, since its only timeout is an idle one that
 * every byte resets. The server tells the guard where each connection is
 * (opened, headers in, body bytes, busy answering, idle between requests)
 * and a thread of the guard's shuts down, once a second, the socket of
 * each connection past its deadline; the server's own event loop then
 * sees the socket closed and cleans the connection up as it would after
 * any client that went away.
 *
 * The deadlines (docs/OPERATIONS.md, header_timeout and min_body_rate):
 * - a connection must have sent a request's headers within header_timeout
 *   seconds of being opened (the TLS handshake included), or of the end of
 *   its previous request (keep-alive);
 * - a request's body earns time as it arrives: header_timeout seconds,
 *   plus one second for each min_body_rate bytes received;
 * - while the server works on a request or sends its answer there is no
 *   deadline (the answer is the server's to bound).
 *
 * Thread-safety and the socket's life: every call may come from any
 * thread; one mutex guards the list. The server must call
 * cb_connguard_close before it closes the socket (libmicrohttpd's
 * MHD_CONNECTION_NOTIFY_CLOSED is called before close()), so that the
 * reaper's shutdown(), made under the same mutex, never reaches a socket
 * number that was closed and reused. shutdown() only ends the
 * connection's traffic; closing the socket stays the server's. */
#ifndef CB_CONNGUARD_H
#define CB_CONNGUARD_H

#include <stddef.h>

#include "err.h"

struct cb_connguard;
struct cb_connguard_conn;

/* A guard with those deadlines (seconds; bytes a second). NULL when out
 * of memory. No thread runs until cb_connguard_start. */
struct cb_connguard *cb_connguard_new(double header_timeout,
                                      double min_body_rate);
/* Stops the thread if it runs, frees the guard and every connection
 * still on it; sets *g to NULL; NULL-safe. */
void cb_connguard_free(struct cb_connguard **g);

/* A connection on socket fd, opened at now (seconds, CLOCK_MONOTONIC):
 * its headers are due by now + header_timeout. NULL when out of memory
 * (the connection is then not guarded). */
struct cb_connguard_conn *cb_connguard_open(struct cb_connguard *g, int fd,
                                            double now);
/* The connection is closed (before its socket is): off the list, freed;
 * *c set to NULL; NULL-safe. */
void cb_connguard_close(struct cb_connguard *g, struct cb_connguard_conn **c);

/* Where a connection is; each NULL-safe in c. */
void cb_connguard_headers_in(struct cb_connguard *g,
                             struct cb_connguard_conn *c, double now);
void cb_connguard_body(struct cb_connguard *g, struct cb_connguard_conn *c,
                       size_t bytes);
void cb_connguard_busy(struct cb_connguard *g, struct cb_connguard_conn *c);
void cb_connguard_idle(struct cb_connguard *g, struct cb_connguard_conn *c,
                       double now);

/* What a pass cut: connections past their headers' deadline, and past
 * their body's. */
struct cb_connguard_cuts {
	size_t headers, body;
};

/* Shut down the socket of every connection past its deadline at now
 * (once each); what the thread does every second. */
struct cb_connguard_cuts cb_connguard_reap(struct cb_connguard *g, double now);

/* Start the thread that reaps once a second, and calls on_cut(ctx, what
 * it cut) from that thread after a pass that cut something (on_cut may be
 * NULL). */
cb_err cb_connguard_start(struct cb_connguard *g,
                          void (*on_cut)(void *ctx,
                                         struct cb_connguard_cuts cuts),
                          void *ctx, struct cb_errbuf *eb) CB_MUST_CHECK;

/* CLOCK_MONOTONIC in seconds, the guard's clock. */
double cb_connguard_now(void);

#endif
