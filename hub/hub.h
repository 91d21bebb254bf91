/* SPDX-License-Identifier: MIT */
/* hub.h — what the chibo-hub commands share. A hub directory holds hub.db
 * (its log and projection: the same code as a commune's replica), hub.key
 * (the hub's Ed25519 key, the authority that enrols agents), tls.key and
 * tls.crt (its TLS identity; agents pin it). */
#ifndef CHIBO_HUB_H
#define CHIBO_HUB_H

#include "args.h"
#include "ledger.h"

struct hub {
	const char *dir;
};

#define HUB_TLS_KEY "tls.key"
#define HUB_TLS_CERT "tls.crt"

void hub_error(const char *fmt, ...) CB_PRINTF(1, 2);
struct cb_ledger *hub_open(const struct hub *h);
char *hub_path(const struct hub *h, const char *name);

int cmd_hub_init(struct hub *h, int argc, char **argv);
int cmd_hub_enroll(struct hub *h, int argc, char **argv);
int cmd_hub_revoke(struct hub *h, int argc, char **argv);
int cmd_hub_list(struct hub *h, int argc, char **argv);
int cmd_hub_verify(struct hub *h, int argc, char **argv);
int cmd_hub_pin(struct hub *h, int argc, char **argv);
int cmd_hub_serve(struct hub *h, int argc, char **argv);

#endif
