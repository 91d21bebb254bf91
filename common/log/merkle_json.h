/* SPDX-License-Identifier: MIT */
/* merkle_json.h — Merkle proof paths as the API and proof files carry them
 * (docs/PROTOCOL.md): a JSON array of hashes, 64 lowercase hex digits
 * each, at most CB_MERKLE_MAX_PATH of them. */
#ifndef CB_MERKLE_JSON_H
#define CB_MERKLE_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "merkle.h"

/* The n hashes of path as a new JSON array (NULL when out of memory). */
json_t *cb_merkle_path_json(const uint8_t (*path)[CB_MERKLE_HASH], size_t n);

/* Read a JSON array of hex hashes into path, *n set to its length; false
 * if it is not one (not an array, too long, an element not 32 bytes of
 * hex). */
bool cb_merkle_path_from_json(const json_t *a,
                              uint8_t path[CB_MERKLE_MAX_PATH][CB_MERKLE_HASH],
                              size_t *n);

#endif
