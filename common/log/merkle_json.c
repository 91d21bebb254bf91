/* SPDX-License-Identifier: MIT */
/* merkle_json.c — proof paths as JSON (see merkle_json.h). */
#include "merkle_json.h"

#include <string.h>

#include "buf.h"

json_t *
cb_merkle_path_json(const uint8_t (*path)[CB_MERKLE_HASH], size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < n; i++) {
		char hex[2 * CB_MERKLE_HASH + 1];

		cb_hex_encode(path[i], CB_MERKLE_HASH, hex);
		if (json_array_append_new(a, json_string(hex))) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

bool
cb_merkle_path_from_json(const json_t *a,
                         uint8_t path[CB_MERKLE_MAX_PATH][CB_MERKLE_HASH],
                         size_t *n)
{
	struct cb_errbuf eb;
	size_t i;

	if (!json_is_array(a) || json_array_size(a) > CB_MERKLE_MAX_PATH)
		return false;
	for (i = 0; i < json_array_size(a); i++) {
		const char *h = json_string_value(json_array_get(a, i));

		if (!h || strlen(h) != 2 * CB_MERKLE_HASH ||
		    cb_hex_decode(h, path[i], CB_MERKLE_HASH, &eb))
			return false;
	}
	*n = i;
	return true;
}
