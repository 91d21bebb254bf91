/* SPDX-License-Identifier: MIT */
/* hub.h — what the chibo-hub commands share. A hub directory holds hub.db
 * (its log and projection: the same code as a commune's replica), hub.key
 * (the hub's Ed25519 key, the authority that enrols agents), tls.key and
 * tls.crt (its TLS identity; agents pin it). */
#ifndef CHIBO_HUB_H
#define CHIBO_HUB_H

#include "args.h"
#include "httpsig.h"
#include "ledger.h"

struct hub {
	const char *dir;
};

#define HUB_TLS_KEY "tls.key"
#define HUB_TLS_CERT "tls.crt"

#define hub_error cb_args_error /* "PROG: error: …" */
struct cb_ledger *hub_open(const struct hub *h);
char *hub_path(const struct hub *h, const char *name);
/* Write the hub's `database` file (ledger.h, CB_HUB_DATABASE_FILE) to
 * hold address, atomically, mode 0600 (an address may hold a password):
 * the hub keeps its store there from now on. Its path in *path (the
 * caller frees it; NULL if not wanted); 0, or 1 with the error printed. */
int hub_put_address(const struct hub *h, const char *address, char **path);

/* Sign op with body in by the hub's key, append it to the log, sign a
 * checkpoint and print what was recorded: the exit code (0, or 1 with the
 * error printed). */
int hub_append(struct hub *h, const char *op, json_t *in);
/* The same, with fill(lg, org, in) called first in the transaction the
 * entry is appended in — no push lands in between — to add to in what
 * it reads of the log; fill prints its error and returns nonzero to stop.
 */
typedef int (*hub_fill_fn)(struct cb_ledger *lg, const char *org, json_t *in);
int hub_append_filled(struct hub *h, const char *op, json_t *in,
                      hub_fill_fn fill, const char *org);

int cmd_hub_init(struct hub *h, int argc, char **argv);
int cmd_hub_enroll(struct hub *h, int argc, char **argv);
int cmd_hub_invite(struct hub *h, int argc, char **argv);
/* Write the invitation of the enrolled key (64 hex digits) for the hub at
 * url to the new file path ("-": standard output); 0, or 1 (printed). */
int hub_write_invite(struct hub *h, const char *key, const char *url,
                     const char *path);
int cmd_hub_revoke(struct hub *h, int argc, char **argv);
int cmd_hub_list(struct hub *h, int argc, char **argv);
int cmd_hub_verify(struct hub *h, int argc, char **argv);
int cmd_hub_pin(struct hub *h, int argc, char **argv);
int cmd_hub_digest(struct hub *h, int argc, char **argv);
int cmd_hub_holiday(struct hub *h, int argc, char **argv);
int cmd_hub_committee(struct hub *h, int argc, char **argv);
int cmd_hub_exempt(struct hub *h, int argc, char **argv);
int cmd_hub_merge(struct hub *h, int argc, char **argv);
int cmd_hub_move(struct hub *h, int argc, char **argv);
int cmd_hub_succeed(struct hub *h, int argc, char **argv);
int cmd_hub_import(struct hub *h, int argc, char **argv);
int cmd_hub_export(struct hub *h, int argc, char **argv);
int cmd_hub_serve(struct hub *h, int argc, char **argv);
int cmd_hub_status(struct hub *h, int argc, char **argv);
int cmd_hub_report(struct hub *h, int argc, char **argv);
int cmd_hub_account(struct hub *h, int argc, char **argv);
int cmd_hub_backup(struct hub *h, int argc, char **argv);
int cmd_hub_restore_backup(struct hub *h, int argc, char **argv);
int cmd_hub_copy_store(struct hub *h, int argc, char **argv);
int cmd_hub_upstream(struct hub *h, int argc, char **argv);
int cmd_hub_sync(struct hub *h, int argc, char **argv);

/* log.c — the verifiable log: bring the Merkle tree up to every stored
 * entry and sign a checkpoint of it if the latest does not cover it (its
 * own transaction, cb_tlog_sign); the latest signed checkpoint (*note
 * malloc'd). */
cb_err hub_log_checkpoint(struct cb_ledger *lg,
                          struct cb_errbuf *eb) CB_MUST_CHECK;
cb_err hub_log_latest(struct cb_ledger *lg, uint64_t *size, char **note,
                      struct cb_errbuf *eb) CB_MUST_CHECK;

/* config.c — the settings of 'chibo-hub serve'. They are read from
 * --config FILE, else from hub.conf in the hub's directory if it is there;
 * serve's flags then override them. */
#define HUB_CONFIG_FILE "hub.conf"

enum hub_config_key {
	HUB_CONFIG_LISTEN,
	HUB_CONFIG_THREADS,
	HUB_CONFIG_CONNECTION_LIMIT,
	HUB_CONFIG_PER_IP_CONNECTION_LIMIT,
	HUB_CONFIG_CONNECTION_TIMEOUT,
	HUB_CONFIG_MAX_BODY,
	HUB_CONFIG_SIGNATURE_WINDOW,
	HUB_CONFIG_NAMES,
	HUB_CONFIG_HEADER_TIMEOUT,
	HUB_CONFIG_MIN_BODY_RATE,
	HUB_CONFIG_REQUESTS_PER_KEY,
	HUB_CONFIG_DASHBOARD_FAILURES,
	HUB_CONFIG_DASHBOARD_LOCK,
	HUB_CONFIG_DASHBOARD_SESSION,
	HUB_CONFIG_KEYS
};

#define HUB_NAMES_MAX 16

struct hub_config {
	char host[64]; /* listen: an IPv4 address */
	unsigned port; /* 0: the system picks one */
	unsigned threads;
	unsigned connection_limit;
	unsigned per_ip_connection_limit;
	unsigned connection_timeout; /* seconds a connection may idle */
	size_t max_body;             /* bytes of a request body */
	unsigned signature_window;   /* seconds a request signature is good */
	/* names: host[:port] authorities the hub answers to besides its own
	 * addresses and host name, normalised (cb_httpsig_authority) */
	char names[HUB_NAMES_MAX][CB_HTTPSIG_AUTHORITY_MAX + 1];
	unsigned nnames;
	unsigned header_timeout;   /* seconds to send a request's headers */
	unsigned min_body_rate;    /* bytes a second a body earns time by */
	unsigned requests_per_key; /* signed requests of one key in a window */
	/* the dashboard's sign-ins: failed in a row before the account is
	 * locked, for how many seconds; seconds a session lasts */
	unsigned dashboard_failures, dashboard_lock, dashboard_session;
	const char *path;               /* the file read, borrowed; or NULL */
	unsigned line[HUB_CONFIG_KEYS]; /* where the file set a key; 0: not */
};

/* The defaults: 127.0.0.1:8443, 4 threads, 1024 connections, 8 per
 * address, 30 s idle, 8 MiB, 300 s, no extra names, 15 s for headers,
 * 1024 bytes/s, 4096 requests per key; the dashboard's accounts locked
 * after 5 failed sign-ins for 900 s, sessions of 8 hours (accounts.h). */
void hub_config_init(struct hub_config *c);
/* Read a configuration file into c; a key it does not set keeps its value.
 * With missing_ok, a file that does not exist is no error and c is
 * unchanged. On error eb says "PATH:LINE: what is wrong" (or that the file
 * cannot be read) and c may hold some of the file's settings. path must
 * outlive c. */
cb_err hub_config_read(struct hub_config *c, const char *path, bool missing_ok,
                       struct cb_errbuf *eb) CB_MUST_CHECK;
/* Set key k from its text, checking its range; name is what messages call
 * it (e.g. "--threads"; NULL: the key's name). On error c is unchanged. */
cb_err hub_config_set(struct hub_config *c, enum hub_config_key k,
                      const char *value, const char *name,
                      struct cb_errbuf *eb) CB_MUST_CHECK;
/* Check the settings against each other, once they are all set. */
cb_err hub_config_check(const struct hub_config *c,
                        struct cb_errbuf *eb) CB_MUST_CHECK;

#endif
