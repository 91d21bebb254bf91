/* SPDX-License-Identifier: MIT */
/* fuzz_hubconf.c — libFuzzer target for the hub's configuration file as
 * 'chibo-hub serve' reads it (hub/config.c, compiled into this target:
 * "key = value" lines, '#' comments). hub_config_read takes a path, so the
 * input is put in a memory file and read through /proc/self/fd. No input
 * may crash or leak, and a file that is accepted
 *  - sets every key within its range (a listen address that is IPv4, at
 *    most HUB_NAMES_MAX names, each already normalised), notes the line
 *    of every key it set, and leaves the others at their defaults;
 *  - written back as "key = value" lines, is read back to the same
 *    settings (what an operator sees in a message is what the hub runs
 *    with).
 * A refused file's message names the file. */
#define _GNU_SOURCE /* memfd_create */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hub.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const key_names[HUB_CONFIG_KEYS] = {
	"listen",
	"threads",
	"connection_limit",
	"per_ip_connection_limit",
	"connection_timeout",
	"max_body",
	"signature_window",
	"names",
	"header_timeout",
	"min_body_rate",
	"requests_per_key",
	"dashboard_failures",
	"dashboard_lock",
	"dashboard_session",
};

struct memfile {
	int fd;
	char path[64];
};

static void
memfile_open(struct memfile *m, const char *name)
{
	if ((m->fd = memfd_create(name, MFD_CLOEXEC)) < 0)
		abort();
	snprintf(m->path, sizeof(m->path), "/proc/self/fd/%d", m->fd);
}

static void
memfile_set(struct memfile *m, const void *data, size_t size)
{
	if (ftruncate(m->fd, 0) ||
	    (size && pwrite(m->fd, data, size, 0) != (ssize_t)size))
		abort();
}

/* The settings as numbers, in key order (listen and names apart). */
static void
numbers(const struct hub_config *c, unsigned long long v[HUB_CONFIG_KEYS])
{
	v[HUB_CONFIG_LISTEN] = c->port;
	v[HUB_CONFIG_THREADS] = c->threads;
	v[HUB_CONFIG_CONNECTION_LIMIT] = c->connection_limit;
	v[HUB_CONFIG_PER_IP_CONNECTION_LIMIT] = c->per_ip_connection_limit;
	v[HUB_CONFIG_CONNECTION_TIMEOUT] = c->connection_timeout;
	v[HUB_CONFIG_MAX_BODY] = c->max_body;
	v[HUB_CONFIG_SIGNATURE_WINDOW] = c->signature_window;
	v[HUB_CONFIG_NAMES] = c->nnames;
	v[HUB_CONFIG_HEADER_TIMEOUT] = c->header_timeout;
	v[HUB_CONFIG_MIN_BODY_RATE] = c->min_body_rate;
	v[HUB_CONFIG_REQUESTS_PER_KEY] = c->requests_per_key;
	v[HUB_CONFIG_DASHBOARD_FAILURES] = c->dashboard_failures;
	v[HUB_CONFIG_DASHBOARD_LOCK] = c->dashboard_lock;
	v[HUB_CONFIG_DASHBOARD_SESSION] = c->dashboard_session;
}

static int
same(const struct hub_config *a, const struct hub_config *b)
{
	unsigned long long va[HUB_CONFIG_KEYS], vb[HUB_CONFIG_KEYS];

	numbers(a, va);
	numbers(b, vb);
	if (memcmp(va, vb, sizeof(va)) || strcmp(a->host, b->host))
		return 0;
	for (unsigned i = 0; i < a->nnames; i++)
		if (strcmp(a->names[i], b->names[i]))
			return 0;
	return 1;
}

/* An accepted configuration: in range, and the defaults where unset. */
static void
check_config(const struct hub_config *c)
{
	static const unsigned long long lo[HUB_CONFIG_KEYS] = {
		0, 1, 1, 1, 1, 2u << 20, 30, 1, 5, 1, 64, 3, 60, 300
	};
	static const unsigned long long hi[HUB_CONFIG_KEYS] = {
		65535,         64,   65536,    65536,    3600, 64u << 20, 3600,
		HUB_NAMES_MAX, 3600, 1u << 20, 1u << 20, 100,  86400,     604800
	};
	unsigned long long v[HUB_CONFIG_KEYS], d[HUB_CONFIG_KEYS];
	struct hub_config def;
	struct in_addr addr;

	hub_config_init(&def);
	numbers(c, v);
	numbers(&def, d);
	for (int k = 0; k < HUB_CONFIG_KEYS; k++)
		if (c->line[k] ? v[k] < lo[k] || v[k] > hi[k] : v[k] != d[k])
			abort();
	if (inet_pton(AF_INET, c->host, &addr) != 1 ||
	    (!c->line[HUB_CONFIG_LISTEN] && strcmp(c->host, def.host)))
		abort();
	for (unsigned i = 0; i < c->nnames; i++) {
		char again[CB_HTTPSIG_AUTHORITY_MAX + 1];

		if (cb_httpsig_authority(c->names[i], again, NULL) ||
		    strcmp(again, c->names[i]))
			abort();
	}
}

/* c written as a configuration file, the keys it set only. */
static size_t
write_config(const struct hub_config *c, char **text)
{
	unsigned long long v[HUB_CONFIG_KEYS];
	size_t len = 0;
	FILE *fp = open_memstream(text, &len);

	if (!fp)
		abort();
	numbers(c, v);
	fprintf(fp, "# written back\n");
	for (int k = 0; k < HUB_CONFIG_KEYS; k++) {
		if (!c->line[k])
			continue;
		fprintf(fp, "%s = ", key_names[k]);
		if (k == HUB_CONFIG_LISTEN) {
			fprintf(fp, "%s:%u", c->host, c->port);
		} else if (k == HUB_CONFIG_NAMES) {
			for (unsigned i = 0; i < c->nnames; i++)
				fprintf(fp, "%s%s", i ? ", " : "", c->names[i]);
		} else {
			fprintf(fp, "%llu", v[k]);
		}
		fputc('\n', fp);
	}
	if (fclose(fp))
		abort();
	return len;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct memfile in, out;
	struct hub_config c, back;
	struct cb_errbuf eb;
	char *text = NULL;
	size_t len;

	if (!in.path[0]) {
		/* a key added to hub.conf and not here would be checked as 0 */
		for (int k = 0; k < HUB_CONFIG_KEYS; k++)
			if (!key_names[k]) {
				fprintf(stderr,
				        "fuzz_hubconf: key %d has no "
				        "name here\n",
				        k);
				abort();
			}
		memfile_open(&in, "hub.conf");
		memfile_open(&out, "back.conf");
	}
	memfile_set(&in, data, size);
	hub_config_init(&c);
	eb.msg[0] = 0;
	if (hub_config_read(&c, in.path, false, &eb)) {
		if (!strstr(eb.msg, in.path))
			abort();
		return 0;
	}
	check_config(&c);
	(void)hub_config_check(&c, NULL);
	len = write_config(&c, &text);
	memfile_set(&out, text, len);
	free(text);
	hub_config_init(&back);
	if (hub_config_read(&back, out.path, false, &eb) || !same(&c, &back))
		abort();
	return 0;
}
