/* SPDX-License-Identifier: MIT */
/* test_authority.c — the chain of authority (docs/PROTOCOL.md): a
 * province hub's store enrols a district hub's key with the role 'hub'
 * for its committee; that key founds its committee and enrols, and
 * revokes, the keys of communes under it, and nothing outside; the
 * communes it enrolled found their organisations under the committee their
 * enrolment names and nowhere else. Each entry is signed in its author's
 * own store (where it is its own authority) and taken by the province's,
 * as a higher hub takes what a lower one pushes. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "buf.h"
#include "clock.h"
#include "ledger.h"
#include "sql.h"
#include "store.h"

static char root[64];
/* The province's store: the authority. */
static struct cb_ledger *prov;

/* A key and its chain as the province holds it. */
struct actor {
	unsigned char pk[crypto_sign_PUBLICKEYBYTES];
	unsigned char sk[crypto_sign_SECRETKEYBYTES];
};
/* a district hub, another district's hub, a key nobody enrolled, a
 * commune */
static struct actor dist, other, stranger, commune;

static void
key_of(const unsigned char *pk, char hex[65])
{
	cb_hex_encode(pk, 32, hex);
}

/* Take e into the province's store: the verdict. */
static cb_err
take(const struct cb_entry *e, char why[CB_ERRBUF_SIZE])
{
	struct cb_errbuf eb, reason;
	cb_err verdict = CB_OK;

	reason.msg[0] = 0;
	assert_int_equal(cb_store_begin(prov->st, &eb), CB_OK);
	if (cb_ledger_take(prov->st, e, &verdict, &reason, &eb))
		fail_msg("take: %s", eb.msg);
	assert_int_equal(cb_store_commit(prov->st, &eb), CB_OK);
	snprintf(why, CB_ERRBUF_SIZE, "%s", reason.msg);
	return verdict;
}

/* by signs op with body in as entry seq after prev (NULL for seq 1),
 * into e; in is released. */
static void
sign(const struct actor *by, uint64_t seq, const unsigned char *prev,
     const char *op, json_t *in, struct cb_entry *e)
{
	struct cb_entry_fields f = { 0 };
	struct cb_errbuf eb;

	f.author = by->pk;
	f.secret_key = by->sk;
	f.seq = seq;
	f.prev = prev;
	f.time_ms = cb_now_ms();
	f.op = op;
	f.body = in;
	if (cb_entry_build(&f, e, &eb))
		fail_msg("%s: %s", op, eb.msg);
	json_decref(in);
}

/* by (NULL: the province) signs op as the next entry of its chain; the
 * province's verdict on it. */
static cb_err
act(const struct actor *by, const char *op, json_t *in, char *why)
{
	struct cb_entry e = CB_ENTRY_INIT;
	unsigned char prev[CB_HASH_BYTES];
	struct cb_errbuf eb;
	uint64_t seq;
	cb_err rc;

	if (!by) {
		rc = cb_ledger_append(prov, op, in, NULL, &eb);
		snprintf(why, CB_ERRBUF_SIZE, "%s", rc ? eb.msg : "");
		json_decref(in);
		return rc;
	}
	assert_int_equal(cb_ledger_head(prov->st, by->pk, &seq, prev, &eb),
	                 CB_OK);
	sign(by, seq + 1, seq ? prev : NULL, op, in, &e);
	rc = take(&e, why);
	cb_entry_release(&e);
	return rc;
}

static void
actor(struct actor *a)
{
	crypto_sign_keypair(a->pk, a->sk);
}

static cb_err
hub_init(const struct actor *by, const char *code, const char *parent,
         char *why)
{
	return act(by, "hub.init",
	           json_pack("{s:s, s:s, s:s, s:s}", "code", code, "name",
	                     "Huyện ủy", "level", "district", "parent", parent),
	           why);
}

static cb_err
org_init(const struct actor *by, const char *code, const char *parent,
         char *why)
{
	return act(by, "org.init",
	           json_pack("{s:s, s:s, s:s, s:s}", "code", code, "name",
	                     "Đảng bộ xã", "kind", "party-committee", "parent",
	                     parent),
	           why);
}

static cb_err
enroll(const struct actor *by, const struct actor *whom, const char *org,
       const char *role, const char *parent, char *why)
{
	char key[65];
	json_t *in;

	key_of(whom->pk, key);
	in = json_pack("{s:s, s:s, s:s}", "key", key, "org", org, "role", role);
	if (parent)
		json_object_set_new(in, "parent", json_string(parent));
	return act(by, "key.enroll", in, why);
}

static cb_err
revoke(const struct actor *by, const struct actor *whom, char *why)
{
	char key[65];

	key_of(whom->pk, key);
	return act(by, "key.revoke",
	           json_pack("{s:s, s:s}", "key", key, "reason", "mất máy"),
	           why);
}

/* The province's enrolments row of whom: "org|role|parent|enrolled_by
 * prefix|revoked", or "" when none. */
static void
enrolment(const struct actor *whom, char *out, size_t n)
{
	static const char sql[] =
		"SELECT org || '|' || role || '|' || coalesce(parent, '') || "
		"'|' || substr(coalesce(enrolled_by, ''), 1, 8) || '|' || "
		"(revoked_by IS NOT NULL) FROM enrolments WHERE key = ?";
	struct cb_errbuf eb;
	struct cb_stmt *s;
	char key[65];

	key_of(whom->pk, key);
	assert_int_equal(cb_sql_prepare(prov->st, sql, &s, &eb), CB_OK);
	cb_sql_bind_text(s, 1, key);
	snprintf(out, n, "%s",
	         cb_sql_step(s) == CB_SQL_ROW ? cb_sql_column_text(s, 0) : "");
	cb_sql_finalize(s);
}

static void
expect_enrolment(const struct actor *whom, const char *org, const char *role,
                 const char *parent, const unsigned char *by, int revoked)
{
	char want[256], got[256], bykey[65];

	key_of(by, bykey);
	snprintf(want, sizeof(want), "%s|%s|%s|%.8s|%d", org, role,
	         parent ? parent : "", bykey, revoked);
	enrolment(whom, got, sizeof(got));
	assert_string_equal(got, want);
}

static int
setup(void **state)
{
	struct cb_errbuf eb;
	char path[128];
	json_t *init;

	(void)state;
	if (sodium_init() < 0)
		return -1;
	snprintf(root, sizeof(root), "/tmp/chibo-authority-XXXXXX");
	if (!mkdtemp(root))
		return -1;
	snprintf(path, sizeof(path), "%s/prov", root);
	init = json_pack("{s:s, s:s, s:s}", "code", "BG", "name",
	                 "Tỉnh ủy Bắc Giang", "level", "province");
	if (cb_ledger_create_kind(path, &cb_ledger_hub, init, &prov, &eb))
		fail_msg("%s", eb.msg);
	json_decref(init);
	actor(&dist);
	actor(&other);
	actor(&stranger);
	actor(&commune);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	cb_ledger_free(&prov);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	return system(cmd);
}

/* The province delegates BG.LG to the district's hub key, which founds its
 * committee and enrols a commune under it; the commune founds itself
 * there. Each enrolment says who made it. */
static void
test_delegation(void **state)
{
	char why[CB_ERRBUF_SIZE];

	(void)state;
	assert_int_equal(enroll(NULL, &dist, "BG.LG", "hub", "BG", why), CB_OK);
	expect_enrolment(&dist, "BG.LG", "hub", "BG", prov->key.pk, 0);
	assert_int_equal(hub_init(&dist, "BG.LG", "BG", why), CB_OK);
	assert_int_equal(enroll(NULL, &other, "BG.YD", "hub", "BG", why),
	                 CB_OK);

	assert_int_equal(
		enroll(&dist, &commune, "07297", "commune", "BG.LG", why),
		CB_OK);
	expect_enrolment(&commune, "07297", "commune", "BG.LG", dist.pk, 0);
	assert_int_equal(org_init(&commune, "07297", "BG.LG", why), CB_OK);
}

/* A delegated key enrols nothing outside its subtree, nor the province
 * itself, nor another district's organisations; a key with no enrolment
 * or another role enrols nothing, and founds no committee. */
static void
test_outside(void **state)
{
	struct actor k, clerk;
	char why[CB_ERRBUF_SIZE];

	(void)state;
	actor(&k);
	actor(&clerk);
	assert_int_equal(enroll(&dist, &k, "08000", "commune", "BG", why),
	                 CB_ESCOPE);
	assert_non_null(strstr(why, "delegated 'BG.LG' only"));
	assert_int_equal(enroll(&dist, &k, "BG", "district", NULL, why),
	                 CB_ESCOPE);
	/* a placement under another district's committee */
	assert_int_equal(enroll(&dist, &k, "08000", "commune", "BG.YD", why),
	                 CB_ESCOPE);
	/* another district's committee, once founded */
	assert_int_equal(hub_init(&other, "BG.YD", "BG", why), CB_OK);
	assert_int_equal(enroll(&dist, &k, "BG.YD", "district", NULL, why),
	                 CB_ESCOPE);
	/* a hub founds its own committee only */
	assert_int_equal(hub_init(&other, "BG.XX", "BG", why), CB_ESCOPE);
	/* a key nobody enrolled */
	assert_int_equal(enroll(&stranger, &k, "08000", "commune", "BG", why),
	                 CB_ESCOPE);
	assert_non_null(strstr(why, "hub key delegated"));
	assert_int_equal(hub_init(&stranger, "BG.HH", "BG", why), CB_ESCOPE);
	assert_non_null(strstr(why, "hub key enrolled for 'BG.HH'"));
	/* a key enrolled with another role, inside the subtree */
	assert_int_equal(enroll(NULL, &clerk, "07297", "commune", NULL, why),
	                 CB_OK);
	assert_int_equal(enroll(&clerk, &k, "07297", "commune", NULL, why),
	                 CB_ESCOPE);
	enrolment(&k, why, sizeof(why));
	assert_string_equal(why, "");
}

/* An organisation not founded yet, enrolled by a delegated key with no
 * parent (a district hub's communes, enrolled before it joined the
 * province): the enrolment stands, and the organisation is placed when
 * it founds itself — inside the delegated subtree only. */
static void
test_placed_at_founding(void **state)
{
	struct actor k, j;
	char why[CB_ERRBUF_SIZE];

	(void)state;
	actor(&k);
	actor(&j);
	assert_int_equal(enroll(&dist, &k, "08001", "commune", NULL, why),
	                 CB_OK);
	assert_int_equal(org_init(&k, "08001", "BG", why), CB_ESCOPE);
	assert_non_null(
		strstr(why, "enrolled by a hub key delegated 'BG.LG' only"));
	assert_int_equal(org_init(&k, "08001", "BG.LG", why), CB_OK);
	/* by the authority, with no parent: anywhere */
	assert_int_equal(enroll(NULL, &j, "08002", "commune", NULL, why),
	                 CB_OK);
	assert_int_equal(org_init(&j, "08002", "BG", why), CB_OK);
}

/* An organisation founds itself under the committee its enrolment names
 * only; an enrolment placing an existing organisation elsewhere than it is
 * is refused; a hub's committee goes where its enrolment puts it. */
static void
test_placement(void **state)
{
	struct actor k, h;
	char why[CB_ERRBUF_SIZE];

	(void)state;
	actor(&k);
	actor(&h);
	assert_int_equal(enroll(&dist, &k, "07300", "commune", "BG.LG", why),
	                 CB_OK);
	assert_int_equal(org_init(&k, "07300", "BG.YD", why), CB_ESCOPE);
	assert_non_null(strstr(why, "enrolled under 'BG.LG'"));
	assert_int_equal(org_init(&k, "07300", "BG.LG", why), CB_OK);

	actor(&k);
	assert_int_equal(enroll(NULL, &k, "07297", "commune", "BG", why),
	                 CB_ERULE);
	assert_non_null(strstr(why, "it is under 'BG.LG'"));

	assert_int_equal(enroll(NULL, &h, "BG.VY", "hub", "BG", why), CB_OK);
	assert_int_equal(hub_init(&h, "BG.VY", "BG.LG", why), CB_ESCOPE);
	assert_int_equal(hub_init(&h, "BG.VY", "BG", why), CB_OK);
}

/* The district revokes keys in its subtree only; the province anywhere. */
static void
test_revoke(void **state)
{
	char why[CB_ERRBUF_SIZE];

	(void)state;
	assert_int_equal(revoke(&other, &commune, why), CB_ESCOPE);
	assert_non_null(strstr(why, "delegated 'BG.YD' only"));
	assert_int_equal(revoke(&dist, &other, why), CB_ESCOPE);
	assert_int_equal(revoke(&stranger, &commune, why), CB_ESCOPE);
	assert_int_equal(revoke(&dist, &commune, why), CB_OK);
	expect_enrolment(&commune, "07297", "commune", "BG.LG", dist.pk, 1);
	assert_int_equal(revoke(&dist, &commune, why), CB_ERULE);
	assert_int_equal(revoke(NULL, &other, why), CB_OK);
	/* a key nobody enrolled: the authority's question only */
	assert_int_equal(revoke(&dist, &stranger, why), CB_ESCOPE);
	assert_int_equal(revoke(NULL, &stranger, why), CB_ERULE);
	assert_non_null(strstr(why, "not enrolled"));
}

/* An org.succeed by by: org's key from handed to key, covering from's
 * entries up to through (seq through_seq). */
static cb_err
succeed(const struct actor *by, const char *org, const struct actor *key,
        const struct actor *from, const unsigned char *through,
        uint64_t through_seq, char *why)
{
	char k[65], f[65], t[65];

	key_of(key->pk, k);
	key_of(from->pk, f);
	cb_hex_encode(through, CB_HASH_BYTES, t);
	return act(by, "org.succeed",
	           json_pack("{s:s, s:s, s:s, s:s, s:I}", "org", org, "key", k,
	                     "from", f, "through", t, "through_seq",
	                     (json_int_t)through_seq),
	           why);
}

/* by's org.init of commune code under BG (by enrolled for it), taken. */
static void
found(const struct actor *by, const char *code, const char *name,
      struct cb_entry *init)
{
	char why[CB_ERRBUF_SIZE];

	assert_int_equal(enroll(NULL, by, code, "commune", "BG", why), CB_OK);
	sign(by, 1, NULL, "org.init",
	     json_pack("{s:s, s:s, s:s, s:s}", "code", code, "name", name,
	               "kind", "party-committee", "parent", "BG"),
	     init);
	assert_int_equal(take(init, why), CB_OK);
}

/* Is organisation code's owner, in the province's tables, key? */
static void
expect_owner(const char *code, const struct actor *key)
{
	char owner[65], want[65];
	struct cb_errbuf eb;
	struct cb_stmt *s;

	assert_int_equal(cb_sql_prepare(prov->st,
	                                "SELECT lower(hex(owner)) FROM orgs "
	                                "WHERE code = ?",
	                                &s, &eb),
	                 CB_OK);
	cb_sql_bind_text(s, 1, code);
	assert_int_equal(cb_sql_step(s), CB_SQL_ROW);
	snprintf(owner, sizeof(owner), "%s", cb_sql_column_text(s, 0));
	cb_sql_finalize(s);
	key_of(key->pk, want);
	assert_string_equal(owner, want);
}

/* The province hands 07400 from its lost key to a new one. Only the hub
 * that enrolled the old key may, to a key enrolled for 07400. The old
 * key's entries the succession covers count as its heir's in whatever
 * order a store receives them (here: its cell.create after the
 * succession, as a third store would receive it with a dossier), and the
 * cell is the heir's; what the old key signs after them is refused, and
 * the heir writes. */
static void
test_succession(void **state)
{
	struct actor lost, heir, late;
	struct cb_entry init = CB_ENTRY_INIT, create = CB_ENTRY_INIT;
	struct cb_entry after = CB_ENTRY_INIT;
	char why[CB_ERRBUF_SIZE];

	(void)state;
	actor(&lost);
	actor(&heir);
	actor(&late);
	found(&lost, "07400", "Đảng bộ xã Ngọc Lý", &init);
	sign(&lost, 2, init.id, "cell.create",
	     json_pack("{s:s, s:s, s:s}", "code", "07400.01", "name",
	               "Chi bộ thôn Đông", "kind", "residential"),
	     &create);
	sign(&lost, 3, create.id, "cell.rename",
	     json_pack("{s:s, s:s}", "code", "07400.01", "name", "Kẻ trộm"),
	     &after);

	/* refused: a key not enrolled, or not for 07400; the owner itself;
	 * the wrong old key; a hub that did not enrol it; the old key */
	assert_int_equal(
		succeed(NULL, "07400", &heir, &lost, create.id, 2, why),
		CB_ERULE);
	assert_non_null(strstr(why, "is not enrolled: enrol it for '07400'"));
	assert_int_equal(enroll(NULL, &late, "07297", "commune", NULL, why),
	                 CB_OK);
	assert_int_equal(
		succeed(NULL, "07400", &late, &lost, create.id, 2, why),
		CB_ERULE);
	assert_non_null(strstr(why, "enrolled for '07297' as commune"));
	assert_int_equal(enroll(NULL, &heir, "07400", "commune", "BG", why),
	                 CB_OK);
	assert_int_equal(
		succeed(NULL, "07400", &lost, &lost, create.id, 2, why),
		CB_ERULE);
	assert_non_null(strstr(why, "owns '07400' already"));
	assert_int_equal(
		succeed(NULL, "07400", &heir, &heir, create.id, 2, why),
		CB_ERULE);
	assert_non_null(strstr(why, "names another key than its owner"));
	assert_int_equal(
		succeed(&dist, "07400", &heir, &lost, create.id, 2, why),
		CB_ESCOPE);
	assert_non_null(strstr(why, "only the hub that enrolled its key"));
	assert_int_equal(
		succeed(&lost, "07400", &heir, &lost, create.id, 2, why),
		CB_ESCOPE);
	assert_int_equal(succeed(NULL, "BG", &heir, &lost, create.id, 2, why),
	                 CB_ERULE);
	assert_non_null(strstr(why, "only a grassroots organisation's key"));

	assert_int_equal(
		succeed(NULL, "07400", &heir, &lost, create.id, 2, why), CB_OK);
	expect_enrolment(&lost, "07400", "commune", "BG", prov->key.pk, 1);
	/* covered, received after: the heir's */
	assert_int_equal(take(&create, why), CB_OK);
	expect_owner("07400.01", &heir);
	/* after the succession: refused, and why */
	assert_int_equal(take(&after, why), CB_ESCOPE);
	assert_non_null(strstr(why, "this key was succeeded by key"));
	assert_non_null(strstr(why, "after its entry 2"));
	/* the heir writes; a second succession to it is refused */
	assert_int_equal(act(&heir, "cell.rename",
	                     json_pack("{s:s, s:s}", "code", "07400.01", "name",
	                               "Chi bộ thôn Đông Một"),
	                     why),
	                 CB_OK);
	assert_int_equal(
		succeed(NULL, "07400", &heir, &heir, create.id, 0, why),
		CB_ERULE);
	assert_non_null(strstr(why, "owns '07400' already"));
	cb_entry_release(&init);
	cb_entry_release(&create);
	cb_entry_release(&after);
}

/* Successions chain: 07500's lost key handed to heir, heir's to third. A
 * cell.create the lost key signed before the first, received after both,
 * is third's: a key's heir is the end of the chain, however long. */
static void
test_succession_chain(void **state)
{
	struct actor lost, heir, third;
	struct cb_entry init = CB_ENTRY_INIT, create = CB_ENTRY_INIT;
	struct cb_entry create2 = CB_ENTRY_INIT;
	unsigned char last[CB_HASH_BYTES];
	char why[CB_ERRBUF_SIZE];
	struct cb_errbuf eb;
	uint64_t seq;

	(void)state;
	actor(&lost);
	actor(&heir);
	actor(&third);
	found(&lost, "07500", "Đảng bộ xã Ngọc Châu", &init);
	sign(&lost, 2, init.id, "cell.create",
	     json_pack("{s:s, s:s, s:s}", "code", "07500.01", "name",
	               "Chi bộ thôn Bắc", "kind", "residential"),
	     &create);
	assert_int_equal(take(&create, why), CB_OK);
	sign(&lost, 3, create.id, "cell.create",
	     json_pack("{s:s, s:s, s:s}", "code", "07500.02", "name",
	               "Chi bộ thôn Nam", "kind", "residential"),
	     &create2);
	assert_int_equal(enroll(NULL, &heir, "07500", "commune", "BG", why),
	                 CB_OK);
	assert_int_equal(
		succeed(NULL, "07500", &heir, &lost, create2.id, 3, why),
		CB_OK);
	assert_int_equal(act(&heir, "cell.rename",
	                     json_pack("{s:s, s:s}", "code", "07500.01", "name",
	                               "Chi bộ thôn Bắc Một"),
	                     why),
	                 CB_OK);
	assert_int_equal(cb_ledger_head(prov->st, heir.pk, &seq, last, &eb),
	                 CB_OK);
	assert_int_equal(enroll(NULL, &third, "07500", "commune", "BG", why),
	                 CB_OK);
	assert_int_equal(succeed(NULL, "07500", &third, &heir, last, seq, why),
	                 CB_OK);
	/* the lost key's last covered entry, received after both */
	assert_int_equal(take(&create2, why), CB_OK);
	expect_owner("07500.02", &third);
	cb_entry_release(&init);
	cb_entry_release(&create);
	cb_entry_release(&create2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_delegation),
		cmocka_unit_test(test_outside),
		cmocka_unit_test(test_placed_at_founding),
		cmocka_unit_test(test_placement),
		cmocka_unit_test(test_revoke),
		cmocka_unit_test(test_succession),
		cmocka_unit_test(test_succession_chain),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
