/* SPDX-License-Identifier: MIT */
/* config.c — the settings of 'chibo-hub serve': their defaults, the
 * configuration file ("key = value" lines, '#' comments, blank lines; by
 * default hub.conf in the hub's directory), and the range every value must
 * be in, whether it comes from the file or from a flag. A refused line is
 * named FILE:LINE, and the caller starts nothing, so that an operator fixes
 * the right line rather than finding a hub half-configured. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts.h"
#include "hub.h"

/* The keys, in the order of enum hub_config_key. Integers are decimal
 * digits, without a sign or a unit. */
static const struct {
	const char *name;
	unsigned long long min, max;
} keys[HUB_CONFIG_KEYS] = {
	[HUB_CONFIG_LISTEN] = { "listen", 0, 0 },
	[HUB_CONFIG_THREADS] = { "threads", 1, 64 },
	[HUB_CONFIG_CONNECTION_LIMIT] = { "connection_limit", 1, 65536 },
	[HUB_CONFIG_PER_IP_CONNECTION_LIMIT] = { "per_ip_connection_limit", 1,
	                                         65536 },
	[HUB_CONFIG_CONNECTION_TIMEOUT] = { "connection_timeout", 1, 3600 },
	/* An agent pushes batches of up to 1 MiB of entries, plus one entry
	 * of at most 64 KiB: 2 MiB always holds one. A body is compressed and
	 * may not inflate past 64 MiB, so a larger cap would admit nothing
	 * more. */
	[HUB_CONFIG_MAX_BODY] = { "max_body", 2u << 20, 64u << 20 },
	/* Under half a minute, an office's clock a little off refuses every
	 * request; over an hour, a captured request stays good too long. */
	[HUB_CONFIG_SIGNATURE_WINDOW] = { "signature_window", 30, 3600 },
	[HUB_CONFIG_NAMES] = { "names", 0, 0 },
	/* Under 5 s, a TLS handshake and headers over a lossy link that
	 * loses a packet twice would not make it. */
	[HUB_CONFIG_HEADER_TIMEOUT] = { "header_timeout", 5, 3600 },
	[HUB_CONFIG_MIN_BODY_RATE] = { "min_body_rate", 1, 1u << 20 },
	/* An agent's sync is a few requests, and a pull of a large scope
	 * some hundreds; fewer than 64 would throttle an honest one. */
	[HUB_CONFIG_REQUESTS_PER_KEY] = { "requests_per_key", 64, 1u << 20 },
	/* Under 3, a person who mistypes twice is locked out; over 100, a
	 * guesser tries that many passwords each lock. */
	[HUB_CONFIG_DASHBOARD_FAILURES] = { "dashboard_failures", 3, 100 },
	/* Seconds: a minute at least, or the lock slows no guesser; a day
	 * at most, or a guesser locks a district's staff out for longer. */
	[HUB_CONFIG_DASHBOARD_LOCK] = { "dashboard_lock", 60, 86400 },
	/* Seconds: five minutes to a week. */
	[HUB_CONFIG_DASHBOARD_SESSION] = { "dashboard_session", 300, 604800 },
};

void
hub_config_init(struct hub_config *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->host, sizeof(c->host), "127.0.0.1");
	c->port = 8443;
	c->threads = 4;
	c->connection_limit = 1024;
	c->per_ip_connection_limit = 8;
	c->connection_timeout = 30;
	c->max_body = 8u << 20;
	c->signature_window = 300;
	c->header_timeout = 15;
	c->min_body_rate = 1024;
	c->requests_per_key = 4096;
	c->dashboard_failures = CB_ACCOUNT_FAILURES_MAX;
	c->dashboard_lock = (unsigned)(CB_ACCOUNT_LOCK_MS / 1000);
	c->dashboard_session = (unsigned)(CB_SESSION_MS / 1000);
}

/* Exactly decimal digits, no sign, no spaces, no overflow. */
static bool
parse_uint(const char *s, unsigned long long *out)
{
	char *end;

	if (*s < '0' || *s > '9' || strspn(s, "0123456789") != strlen(s))
		return false;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return errno == 0 && *end == '\0';
}

static cb_err
set_listen(struct hub_config *c, const char *value, const char *name,
           struct cb_errbuf *eb)
{
	const char *colon = strrchr(value, ':');
	unsigned long long port;
	struct in_addr addr;
	char host[sizeof(c->host)];

	if (!colon || colon == value ||
	    (size_t)(colon - value) >= sizeof(host) ||
	    !parse_uint(colon + 1, &port) || port > 65535)
		return cb_error(eb, CB_EINVAL,
		                _("%s must be IPV4:PORT with a port from 0 to "
		                  "65535 (e.g. 127.0.0.1:8443), not '%.60s'"),
		                name, value);
	snprintf(host, sizeof(host), "%.*s", (int)(colon - value), value);
	if (inet_pton(AF_INET, host, &addr) != 1)
		return cb_error(eb, CB_EINVAL,
		                _("%s needs an IPv4 address, not '%s'"), name,
		                host);
	memcpy(c->host, host, sizeof(host));
	c->port = (unsigned)port;
	return CB_OK;
}

/* names: authorities separated by commas or spaces, each normalised. */
static cb_err
set_names(struct hub_config *c, const char *value, const char *name,
          struct cb_errbuf *eb)
{
	char names[HUB_NAMES_MAX][CB_HTTPSIG_AUTHORITY_MAX + 1];
	char one[CB_HTTPSIG_AUTHORITY_MAX + 1];
	unsigned n = 0;

	for (const char *p = value; *(p += strspn(p, ", \t"));) {
		size_t len = strcspn(p, ", \t");

		if (n == HUB_NAMES_MAX)
			return cb_error(eb, CB_EINVAL,
			                _("%s takes at most %d names"), name,
			                HUB_NAMES_MAX);
		if (len >= sizeof(one))
			return cb_error(
				eb, CB_EINVAL,
				_("%s: '%.60s…' is too long for a name"), name,
				p);
		memcpy(one, p, len);
		one[len] = '\0';
		if (cb_httpsig_authority(one, names[n++], eb))
			return cb_error_prefix(eb, CB_EINVAL, "%s", name);
		p += len;
	}
	if (!n)
		return cb_error(eb, CB_EINVAL,
		                _("%s needs at least one name (e.g. "
		                  "hub.example.vn or hub.example.vn:8443)"),
		                name);
	memcpy(c->names, names, sizeof(names));
	c->nnames = n;
	return CB_OK;
}

cb_err
hub_config_set(struct hub_config *c, enum hub_config_key k, const char *value,
               const char *name, struct cb_errbuf *eb)
{
	unsigned long long n;

	if (!name)
		name = keys[k].name;
	if (k == HUB_CONFIG_LISTEN)
		return set_listen(c, value, name, eb);
	if (k == HUB_CONFIG_NAMES)
		return set_names(c, value, name, eb);
	if (!parse_uint(value, &n) || n < keys[k].min || n > keys[k].max)
		return cb_error(
			eb, CB_EINVAL,
			_("%s must be a whole number from %llu to %llu, "
		          "not '%.60s'"),
			name, keys[k].min, keys[k].max, value);
	switch (k) {
	case HUB_CONFIG_THREADS: c->threads = (unsigned)n; break;
	case HUB_CONFIG_CONNECTION_LIMIT:
		c->connection_limit = (unsigned)n;
		break;
	case HUB_CONFIG_PER_IP_CONNECTION_LIMIT:
		c->per_ip_connection_limit = (unsigned)n;
		break;
	case HUB_CONFIG_CONNECTION_TIMEOUT:
		c->connection_timeout = (unsigned)n;
		break;
	case HUB_CONFIG_MAX_BODY: c->max_body = (size_t)n; break;
	case HUB_CONFIG_SIGNATURE_WINDOW:
		c->signature_window = (unsigned)n;
		break;
	case HUB_CONFIG_HEADER_TIMEOUT: c->header_timeout = (unsigned)n; break;
	case HUB_CONFIG_MIN_BODY_RATE: c->min_body_rate = (unsigned)n; break;
	case HUB_CONFIG_REQUESTS_PER_KEY:
		c->requests_per_key = (unsigned)n;
		break;
	case HUB_CONFIG_DASHBOARD_FAILURES:
		c->dashboard_failures = (unsigned)n;
		break;
	case HUB_CONFIG_DASHBOARD_LOCK: c->dashboard_lock = (unsigned)n; break;
	case HUB_CONFIG_DASHBOARD_SESSION:
		c->dashboard_session = (unsigned)n;
		break;
	default: break;
	}
	return CB_OK;
}

static char *
trim(char *s)
{
	char *end;

	s += strspn(s, " \t");
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' ||
	                   end[-1] == '\r' || end[-1] == '\n'))
		*--end = '\0';
	return s;
}

/* One line of the file, its comment already cut: blank, or key = value. */
static cb_err
read_line(struct hub_config *c, char *line, unsigned lineno,
          struct cb_errbuf *eb)
{
	char *eq, *key, *value;
	int k;

	line = trim(line);
	if (!*line)
		return CB_OK;
	if (!(eq = strchr(line, '=')))
		return cb_error(eb, CB_EINVAL,
		                _("expected 'key = value', not '%.60s'"), line);
	*eq = '\0';
	key = trim(line);
	value = trim(eq + 1);
	if (!*key)
		return cb_error(
			eb, CB_EINVAL,
			_("expected 'key = value': the key is missing"));
	for (k = 0; k < HUB_CONFIG_KEYS; k++)
		if (!strcmp(key, keys[k].name))
			break;
	if (k == HUB_CONFIG_KEYS)
		return cb_error(
			eb, CB_EINVAL,
			_("unknown key '%.60s' (the keys: listen, threads, "
		          "connection_limit, per_ip_connection_limit, "
		          "connection_timeout, max_body, signature_window, "
		          "names, header_timeout, min_body_rate, "
		          "requests_per_key)"),
			key);
	if (c->line[k])
		return cb_error(
			eb, CB_EINVAL,
			_("'%s' is set twice (first on line %u); keep one"),
			key, c->line[k]);
	if (!*value)
		return cb_error(eb, CB_EINVAL, _("'%s' has no value"), key);
	if (hub_config_set(c, (enum hub_config_key)k, value, NULL, eb))
		return CB_EINVAL;
	c->line[k] = lineno;
	return CB_OK;
}

cb_err
hub_config_read(struct hub_config *c, const char *path, bool missing_ok,
                struct cb_errbuf *eb)
{
	FILE *fp = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	unsigned lineno = 0;
	cb_err rc = CB_OK;

	if (!fp) {
		if (missing_ok && errno == ENOENT)
			return CB_OK;
		return cb_error(
			eb, errno == ENOENT ? CB_ENOTFOUND : CB_EIO,
			_("cannot read the configuration file '%s': %s"), path,
			strerror(errno));
	}
	c->path = path;
	while (!rc && getline(&line, &cap, fp) != -1) {
		lineno++;
		line[strcspn(line, "#")] = '\0';
		if ((rc = read_line(c, line, lineno, eb)))
			cb_error_prefix(eb, rc, "%s:%u", path, lineno);
	}
	if (!rc && ferror(fp))
		rc = cb_error(eb, CB_EIO,
		              _("cannot read the configuration file '%s': %s"),
		              path, strerror(errno));
	free(line);
	fclose(fp);
	return rc;
}

cb_err
hub_config_check(const struct hub_config *c, struct cb_errbuf *eb)
{
	/* libmicrohttpd shares the connections out among its threads: a
	 * thread with none would refuse every client it is given. */
	if (c->threads > c->connection_limit) {
		unsigned line = c->line[HUB_CONFIG_CONNECTION_LIMIT];

		if (line && c->path)
			return cb_error(
				eb, CB_EINVAL,
				_("%s:%u: connection_limit %u is below "
			          "threads %u; give each thread at least "
			          "one connection"),
				c->path, line, c->connection_limit, c->threads);
		return cb_error(
			eb, CB_EINVAL,
			_("connection_limit %u is below threads %u; give "
		          "each thread at least one connection"),
			c->connection_limit, c->threads);
	}
	return CB_OK;
}
