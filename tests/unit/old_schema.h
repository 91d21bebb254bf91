/* SPDX-License-Identifier: MIT */
/* old_schema.h — SQL the schema tests run to take a store of today's
 * schema back to an older one by hand, before opening it with this chibo
 * (which migrates it again). */
#ifndef CB_TEST_OLD_SCHEMA_H
#define CB_TEST_OLD_SCHEMA_H

#include "sql.h"

/* Schemas 033 and 034 undone: members keyed by their id again, without
 * mkey, and their stays naming them by id. The view rating_place and the
 * triggers that read members or it are dropped (schema 025's, which the
 * tests that go back further drop anyway). */
#define CB_TEST_UNDO_MEMBER_KEYS                                               \
	"DROP TRIGGER rating_tally_insert; DROP TRIGGER "                      \
	"rating_tally_update_out; DROP TRIGGER rating_tally_update_in; "       \
	"DROP VIEW rating_place; "                                             \
	"CREATE TABLE m032 (id BLOB NOT NULL UNIQUE, full_name TEXT NOT "      \
	"NULL, name_fold TEXT NOT NULL, name_lower TEXT NOT NULL, birth_date " \
	"TEXT NOT NULL, sex TEXT NOT NULL, card_no TEXT, national_id TEXT, "   \
	"admitted_on TEXT NOT NULL, official_on TEXT, status TEXT NOT NULL, "  \
	"status_on TEXT, work_category TEXT, council_area TEXT, cell TEXT "    \
	"NOT NULL, org TEXT NOT NULL, entry BLOB NOT NULL, transit TEXT); "    \
	"INSERT INTO m032 SELECT " CB_SQL_MEMBER_COLS " FROM members ORDER "   \
	"BY mkey; CREATE TABLE ms032 (member BLOB NOT NULL, entry BLOB NOT "   \
	"NULL, cell TEXT NOT NULL, kind TEXT NOT NULL, since TEXT NOT NULL, "  \
	"until TEXT); INSERT INTO ms032 SELECT m.id, s.entry, s.cell, "        \
	"s.kind, s.since, s.until FROM memberships s JOIN members m ON "       \
	"m.mkey = s.member; DROP TABLE memberships; DROP TABLE members; "      \
	"ALTER TABLE m032 RENAME TO members; ALTER TABLE ms032 RENAME TO "     \
	"memberships; CREATE INDEX members_cell ON members (cell); CREATE "    \
	"INDEX members_card ON members (card_no) WHERE card_no IS NOT NULL; "  \
	"CREATE INDEX members_national_id ON members (national_id) WHERE "     \
	"national_id IS NOT NULL; CREATE INDEX members_org_born ON members "   \
	"(org, birth_date); CREATE INDEX memberships_member ON memberships "   \
	"(member); CREATE INDEX memberships_cell_since ON memberships (cell, " \
	"since); "

#endif
