/* SPDX-License-Identifier: MIT */
/* errmap.c — the hub's error → status map (errmap.h), as one table: a row
 * per step, its statuses by code, and what any other code gets. */
#include "errmap.h"

#include <stddef.h>

#define ROW_CODES 6

static const struct {
	int otherwise;
	struct {
		cb_err rc;
		int status;
	} by[ROW_CODES]; /* ended by CB_OK */
} map[] = {
	[CB_ERRMAP_SIGNED] = { 401, { { CB_OK, 0 } } },
	[CB_ERRMAP_NONCE] = { 503,
	                      { { CB_EEXIST, 401 }, { CB_ETOOBIG, 429 } } },
	[CB_ERRMAP_ADMIT] = { 503,
	                      { { CB_ECRYPTO, 401 },
	                        { CB_ENOTFOUND, 401 },
	                        { CB_ERULE, 403 } } },
	[CB_ERRMAP_READMIT] = { 401, { { CB_ERULE, 403 } } },
	[CB_ERRMAP_BODY] = { 400, { { CB_ETOOBIG, 413 } } },
	[CB_ERRMAP_PUSH] = { 503,
	                     { { CB_EINVAL, 400 },
	                       { CB_ECRYPTO, 401 },
	                       { CB_ERULE, 403 },
	                       { CB_ESCOPE, 403 },
	                       { CB_ETOOBIG, 413 } } },
	[CB_ERRMAP_ASKED] = { 503,
	                      { { CB_ESCOPE, 403 },
	                        { CB_ENOTFOUND, 404 },
	                        { CB_ECHAIN, 409 } } },
	[CB_ERRMAP_WORK] = { 503, { { CB_OK, 0 } } },
};

int
cb_errmap_status(enum cb_errmap_step at, cb_err rc)
{
	if (rc == CB_OK)
		return 200;
	if ((size_t)at >= sizeof(map) / sizeof(map[0]))
		return 500;
	for (size_t i = 0; i < ROW_CODES && map[at].by[i].rc != CB_OK; i++)
		if (map[at].by[i].rc == rc)
			return map[at].by[i].status;
	return map[at].otherwise;
}
