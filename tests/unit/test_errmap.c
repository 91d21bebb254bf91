/* SPDX-License-Identifier: MIT */
/* test_errmap.c — the hub's one error → status map (errmap.h) against
 * what each handler of chibo-hub serve answered before the map, written
 * out as they had it, for every code the functions of each step can
 * return; and PROTOCOL.md's status table where a status comes from a
 * cb_err. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "errmap.h"

#define LAST_CODE CB_EAGAIN

/* The handlers' own ternaries, as they were. */
static int
headers_admit(cb_err rc)
{
	return rc == CB_ERULE ? 403 : rc == CB_ECRYPTO ? 401 : 503;
}

static int
status_or_pull(cb_err rc)
{
	return rc == CB_ERULE                           ? 403
	       : rc == CB_ECRYPTO || rc == CB_ENOTFOUND ? 401
	                                                : 503;
}

static int
push(cb_err rc)
{
	if (rc == CB_ECRYPTO)
		return 401;
	if (rc == CB_ERULE || rc == CB_ESCOPE)
		return 403;
	if (rc == CB_EINVAL || rc == CB_ETOOBIG)
		return rc == CB_ETOOBIG ? 413 : 400;
	return 503;
}

static int
later_admit(cb_err rc) /* own, checkpoint, proof, entries */
{
	return rc == CB_ERULE ? 403 : 401;
}

/* What cb_ingest_admit and cb_scope_of return. */
static const cb_err admit_codes[] = { CB_ECRYPTO, CB_ERULE, CB_EIO,
	                              CB_ENOTFOUND };
/* What status and pull call after admission returns (cb_log_head, the
 * clash list, cb_log_size, the rejected entries, cb_scope_read). */
static const cb_err status_pull_work[] = { CB_EIO, CB_ENOMEM };

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void
test_admission(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(admit_codes); i++) {
		cb_err rc = admit_codes[i];

		/* the headers call cb_ingest_admit alone: no CB_ENOTFOUND */
		if (rc != CB_ENOTFOUND)
			assert_int_equal(cb_errmap_status(CB_ERRMAP_ADMIT, rc),
			                 headers_admit(rc));
		assert_int_equal(cb_errmap_status(CB_ERRMAP_ADMIT, rc),
		                 status_or_pull(rc));
		if (rc != CB_ENOTFOUND)
			assert_int_equal(cb_errmap_status(CB_ERRMAP_ADMIT, rc),
			                 push(rc));
		assert_int_equal(cb_errmap_status(CB_ERRMAP_READMIT, rc),
		                 later_admit(rc));
	}
	/* and READMIT as it was, whatever the code */
	for (cb_err rc = CB_EINVAL; rc <= LAST_CODE; rc++)
		assert_int_equal(cb_errmap_status(CB_ERRMAP_READMIT, rc),
		                 later_admit(rc));
}

static void
test_push(void **state)
{
	(void)state;
	for (cb_err rc = CB_EINVAL; rc <= LAST_CODE; rc++) {
		assert_int_equal(cb_errmap_status(CB_ERRMAP_PUSH, rc),
		                 push(rc));
		/* the body: too big 413, anything else 400 */
		assert_int_equal(cb_errmap_status(CB_ERRMAP_BODY, rc),
		                 rc == CB_ETOOBIG ? 413 : 400);
	}
}

static void
test_work_is_503(void **state)
{
	(void)state;
	/* status and pull answered their work by their admission's
	 * ternary, which gives 503 for what that work returns */
	for (size_t i = 0; i < N(status_pull_work); i++)
		assert_int_equal(
			cb_errmap_status(CB_ERRMAP_WORK, status_pull_work[i]),
			status_or_pull(status_pull_work[i]));
	/* the others answered 503 whatever their work returned */
	for (cb_err rc = CB_EINVAL; rc <= LAST_CODE; rc++)
		assert_int_equal(cb_errmap_status(CB_ERRMAP_WORK, rc), 503);
}

static void
test_signed_and_nonce(void **state)
{
	(void)state;
	for (cb_err rc = CB_EINVAL; rc <= LAST_CODE; rc++) {
		assert_int_equal(cb_errmap_status(CB_ERRMAP_SIGNED, rc), 401);
		assert_int_equal(cb_errmap_status(CB_ERRMAP_NONCE, rc),
		                 rc == CB_EEXIST    ? 401
		                 : rc == CB_ETOOBIG ? 429
		                                    : 503);
	}
}

/* PROTOCOL.md, "API v1": the statuses that come from a cb_err. */
static void
test_protocol_table(void **state)
{
	(void)state;
	assert_int_equal(cb_errmap_status(CB_ERRMAP_WORK, CB_OK), 200);
	/* 400: a bad stream, an entry of another author, a bad signature */
	assert_int_equal(cb_errmap_status(CB_ERRMAP_PUSH, CB_EINVAL), 400);
	assert_int_equal(cb_errmap_status(CB_ERRMAP_BODY, CB_EINVAL), 400);
	/* 401: a bad signature or digest, a replayed nonce, a key not
	 * enrolled or revoked */
	assert_int_equal(cb_errmap_status(CB_ERRMAP_SIGNED, CB_ECRYPTO), 401);
	assert_int_equal(cb_errmap_status(CB_ERRMAP_NONCE, CB_EEXIST), 401);
	assert_int_equal(cb_errmap_status(CB_ERRMAP_ADMIT, CB_ECRYPTO), 401);
	/* 403: frozen, outside the key's own, the log by index */
	assert_int_equal(cb_errmap_status(CB_ERRMAP_ADMIT, CB_ERULE), 403);
	assert_int_equal(cb_errmap_status(CB_ERRMAP_PUSH, CB_ESCOPE), 403);
	assert_int_equal(cb_errmap_status(CB_ERRMAP_ASKED, CB_ESCOPE), 403);
	/* 404: a proof of an entry not held, or past the log */
	assert_int_equal(cb_errmap_status(CB_ERRMAP_ASKED, CB_ENOTFOUND), 404);
	/* 409: a checkpoint asked from past the log */
	assert_int_equal(cb_errmap_status(CB_ERRMAP_ASKED, CB_ECHAIN), 409);
	/* 413: past 64 MiB inflated, or more entries than a push holds */
	assert_int_equal(cb_errmap_status(CB_ERRMAP_BODY, CB_ETOOBIG), 413);
	assert_int_equal(cb_errmap_status(CB_ERRMAP_PUSH, CB_ETOOBIG), 413);
	/* 429: the key's share used up */
	assert_int_equal(cb_errmap_status(CB_ERRMAP_NONCE, CB_ETOOBIG), 429);
	/* 503: the hub cannot store now; a request signed before a
	 * restart (CB_EAGAIN) */
	assert_int_equal(cb_errmap_status(CB_ERRMAP_PUSH, CB_EIO), 503);
	assert_int_equal(cb_errmap_status(CB_ERRMAP_NONCE, CB_EAGAIN), 503);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_admission),
		cmocka_unit_test(test_push),
		cmocka_unit_test(test_work_is_503),
		cmocka_unit_test(test_signed_and_nonce),
		cmocka_unit_test(test_protocol_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
