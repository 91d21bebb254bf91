/* SPDX-License-Identifier: MIT */
/* dashboard.h — the hub's dashboard, served by 'chibo-hub serve' on its
 * HTTPS port under /dashboard/ beside API v1 (hub/dashboard.c;
 * docs/internals/dashboard.md). */
#ifndef CHIBO_HUB_DASHBOARD_H
#define CHIBO_HUB_DASHBOARD_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include <microhttpd.h>

#include "accounts.h"
#include "ledger.h"

#define HUB_DASH_BODY_MAX 16384 /* bytes of a form: a sign-in */

struct hub_dash;

/* The dashboard of the hub whose serving ledger is lg (its store is
 * written under *mu, as the requests of API v1 write it), its sign-ins
 * limited and its sessions lasting as pol says (copied): it opens a
 * connection of its own to the store at path, which reads without
 * holding up a push. */
cb_err hub_dash_new(const char *path, struct cb_ledger *lg, pthread_mutex_t *mu,
                    const struct cb_account_policy *pol, struct hub_dash **out,
                    struct cb_errbuf *eb) CB_MUST_CHECK;
void hub_dash_free(struct hub_dash **d);

/* Is url the dashboard's: /dashboard, or under /dashboard/? */
bool hub_dash_url(const char *url);

/* Answer a request for url (its query string, if any, read through c),
 * its headers and its body (len bytes of a POST) in: the request's
 * authority, as the hub checked it (its Host), says which Origin a form
 * may come from. *status gets the status answered, note a word for the
 * request log (the account). MHD_NO when nothing could be queued. */
enum MHD_Result hub_dash_serve(struct hub_dash *d, struct MHD_Connection *c,
                               const char *url, const char *method,
                               const char *authority, const char *body,
                               size_t len, int *status, char note[64]);

#endif
