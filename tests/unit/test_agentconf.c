/* SPDX-License-Identifier: MIT */
/* test_agentconf.c — /etc/chibo/agent.conf, the machine's one replica
 * (common/replica/agentconf.c): what it names, and each way a file is
 * refused, with nothing returned. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agentconf.h"

static char path[] = "/tmp/chibo-agentconf-XXXXXX";

static void
write_conf(const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static int
setup(void **state)
{
	int fd = mkstemp(path);

	(void)state;
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	unlink(path);
	return 0;
}

static void
test_names(void **state)
{
	struct cb_errbuf eb;
	char *dir = (char *)"untouched";

	(void)state;
	write_conf("# the machine's replica\n\n  CHIBO_REPLICA=/var/lib/chibo/"
	           "replica  \r\n");
	assert_int_equal(cb_agentconf_replica(path, &dir, &eb), CB_OK);
	assert_string_equal(dir, "/var/lib/chibo/replica");
	free(dir);
	write_conf("#CHIBO_REPLICA=/x\n");
	assert_int_equal(cb_agentconf_replica(path, &dir, &eb), CB_OK);
	assert_null(dir);
	assert_int_equal(
		cb_agentconf_replica("/nonexistent/agent.conf", &dir, &eb),
		CB_OK);
	assert_null(dir);
}

static void
refused(const char *text, const char *want)
{
	struct cb_errbuf eb;
	char *dir = (char *)"untouched";

	write_conf(text);
	assert_int_not_equal(cb_agentconf_replica(path, &dir, &eb), CB_OK);
	assert_string_equal(dir, "untouched");
	if (!strstr(eb.msg, want))
		fail_msg("'%s' does not say '%s'", eb.msg, want);
}

static void
test_refused(void **state)
{
	static char longline[5000];

	(void)state;
	refused("CHIBO_REPLICA=replica\n",
	        ":1: CHIBO_REPLICA must be an absolute directory, not "
	        "'replica'");
	refused("\n\nCHIBO_REPLICA=\n",
	        ":3: CHIBO_REPLICA must be an absolute");
	refused("CHIBO_REPLICA=/a\nCHIBO_REPLICA=/b\n", ":2: CHIBO_REPLICA is "
	                                                "given twice");
	refused("export CHIBO_REPLICA=/a\n", ":1: not CHIBO_REPLICA=/DIR");
	refused("chibo_replica=/a\n", ":1: not CHIBO_REPLICA=/DIR");
	memset(longline, 'a', sizeof(longline) - 2);
	memcpy(longline, "CHIBO_REPLICA=/", 15);
	longline[sizeof(longline) - 2] = '\n';
	refused(longline, ":1: the line is too long");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
