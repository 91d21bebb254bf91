/* SPDX-License-Identifier: MIT */
/* schema.h — the SQL migrations of schema/ (and schema/pg/), embedded at build
 * time by cmake/embed_schema.cmake, in ascending version order. */
#ifndef CB_SCHEMA_H
#define CB_SCHEMA_H

#include <stddef.h>

struct cb_migration {
	int version;
	const char *name;
	const char *sql;
};

extern const struct cb_migration cb_schema_migrations[];
extern const size_t cb_schema_count;

/* The same schema for PostgreSQL (schema/pg/NNN_*.sql: a file brings a
 * store to the SQLite version of its number; the last is at the SQLite
 * schema's version, which store_pg.c checks). */
extern const struct cb_migration cb_schema_pg_migrations[];
extern const size_t cb_schema_pg_count;

#endif
