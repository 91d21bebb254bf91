/* SPDX-License-Identifier: MIT */
/* fuzz_ops.c — libFuzzer target for operation bodies (ops.h): a line of
 * the JSON-lines file 'chibo-agent apply' reads ({"op": NAME, field…},
 * parsed with the same flags), its fields checked as any entry's body is
 * before the projection applies it (cb_ops_check: what every entry from a
 * hub, an agent or a bundle goes through) and prepared as apply prepares
 * them (cb_ops_prepare: NFC, trimmed, dates as typed, codes qualified by
 * the organisation). Ops whose preparation looks members up in a replica
 * are only checked. No input may crash or leak, and:
 *  - a prepared body passes cb_ops_check and prepares to itself (the
 *    canonical body is a fixed point: preparing it again signs the same);
 *  - the dependencies a checked body names are sorted, unique and within
 *    CB_OPS_MAX_DEPS. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ops.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_deps(const char *op, const json_t *body)
{
	unsigned char deps[CB_OPS_MAX_DEPS][CB_HASH_BYTES];
	size_t n = cb_ops_deps(op, body, deps, CB_OPS_MAX_DEPS);

	if (n > CB_OPS_MAX_DEPS)
		abort();
	for (size_t i = 1; i < n; i++)
		if (memcmp(deps[i - 1], deps[i], CB_HASH_BYTES) >= 0)
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *in = json_loadb((const char *)data, size,
	                        JSON_REJECT_DUPLICATES, NULL);
	json_t *body = NULL, *again = NULL;
	char op[64];

	if (!json_is_object(in) ||
	    !json_is_string(json_object_get(in, "op"))) {
		json_decref(in);
		return 0;
	}
	snprintf(op, sizeof(op), "%s",
	         json_string_value(json_object_get(in, "op")));
	json_object_del(in, "op");
	if (cb_ops_check(op, in, NULL) == CB_OK)
		check_deps(op, in);
	if (!cb_ops_needs_lookup(op, in) &&
	    cb_ops_prepare(NULL, "26734", op, in, &body, NULL) == CB_OK) {
		if (cb_ops_check(op, body, NULL) ||
		    cb_ops_prepare(NULL, "26734", op, body, &again, NULL) ||
		    !json_equal(body, again))
			abort();
		check_deps(op, body);
	}
	json_decref(again);
	json_decref(body);
	json_decref(in);
	return 0;
}
