/* SPDX-License-Identifier: MIT */
/* test_tls.c — the hub's TLS key, certificate and pin, checked with tools
 * that are not ours: OpenSSL computes the same pin from the certificate,
 * and a real TLS handshake (openssl s_server with our key and certificate,
 * curl --pinnedpubkey, which is libcurl's CURLOPT_PINNEDPUBLICKEY) accepts
 * the pin and refuses another. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "tls.h"

static char dir[64], keyp[128], crtp[128];

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/chibo-tls-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(keyp, sizeof(keyp), "%s/tls.key", dir);
	snprintf(crtp, sizeof(crtp), "%s/tls.crt", dir);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Run cmd; its output in out, cut at the first newline unless whole. */
static void
run_output(const char *cmd, char *out, size_t n, bool whole)
{
	FILE *p = popen(cmd, "r");
	size_t got;

	assert_non_null(p);
	got = fread(out, 1, n - 1, p);
	out[got] = 0;
	pclose(p);
	if (!whole)
		out[strcspn(out, "\n")] = 0;
}

static void
run(const char *cmd, char *out, size_t n)
{
	run_output(cmd, out, n, false);
}

static void
test_create_and_pin(void **state)
{
	static const char *const dns[] = { "localhost", NULL };
	static const char *const ips[] = { "127.0.0.1", "::1", NULL };
	char pin[CB_TLS_PIN_MAX], pin2[CB_TLS_PIN_MAX], cmd[512], out[4096];
	struct cb_errbuf eb;
	struct stat sb;

	(void)state;
	if (cb_tls_create(keyp, crtp, "chibo hub test", dns, ips, pin, &eb))
		fail_msg("%s", eb.msg);
	assert_int_equal(strncmp(pin, "sha256//", 8), 0);
	assert_int_equal(strlen(pin), 8 + 44);
	assert_int_equal(stat(keyp, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	/* the same pin from the file, and from OpenSSL */
	assert_int_equal(cb_tls_pin_of(crtp, pin2, &eb), 0);
	assert_string_equal(pin, pin2);
	snprintf(cmd, sizeof(cmd),
	         "openssl x509 -in %s -pubkey -noout | openssl pkey -pubin "
	         "-outform DER | openssl dgst -sha256 -binary | base64",
	         crtp);
	run(cmd, out, sizeof(out));
	assert_string_equal(pin + 8, out);
	/* the certificate names what was asked, and is not a CA */
	snprintf(cmd, sizeof(cmd),
	         "openssl x509 -in %s -noout -text | tr -d '\\n' | "
	         "grep -o 'DNS:localhost, IP Address:127.0.0.1, IP "
	         "Address:0:0:0:0:0:0:0:1' ; openssl x509 -in %s -noout "
	         "-text | grep -c 'CA:FALSE'",
	         crtp, crtp);
	run(cmd, out, sizeof(out));
	assert_string_equal(out, "DNS:localhost, IP Address:127.0.0.1, IP "
	                         "Address:0:0:0:0:0:0:0:1");
	/* never overwritten */
	assert_int_equal(
		cb_tls_create(keyp, crtp, "again", NULL, NULL, pin2, &eb),
		CB_EEXIST);
	assert_int_equal(cb_tls_pin_of(crtp, pin2, &eb), 0);
	assert_string_equal(pin, pin2);
	assert_int_not_equal(cb_tls_pin_of(keyp, pin2, &eb), 0);
}

static void
test_pin_in_a_real_handshake(void **state)
{
	static const char *const ips[] = { "127.0.0.1", NULL };
	char pin[CB_TLS_PIN_MAX], cmd[2048], out[256];
	struct cb_errbuf eb;
	int port;

	(void)state;
	if (system("command -v curl >/dev/null && command -v openssl "
	           ">/dev/null") != 0)
		skip();
	if (cb_tls_create(keyp, crtp, "chibo hub test", NULL, ips, pin, &eb))
		fail_msg("%s", eb.msg);
	/* A TLS server that is not ours, with our key and certificate; curl
	 * (libcurl) checks the pin, not a CA: -k skips only CA checks. */
	/* A port below Linux's ephemeral range (32768-60999), so that no
	 * outgoing connection holds it; another one when s_server could not
	 * have it all the same (curl then cannot connect: 7). */
	for (int tries = 0; tries < 5; tries++) {
		port = 20000 + (int)randombytes_uniform(12000);
		snprintf(cmd, sizeof(cmd),
		         "cd %s && (openssl s_server -quiet -www -accept "
		         "127.0.0.1:%d "
		         "-cert tls.crt -key tls.key >/dev/null 2>&1 & echo $! "
		         "> pid); "
		         "for i in $(seq 50); do "
		         "  curl -s -o /dev/null -k https://127.0.0.1:%d/ && "
		         "break; "
		         "  sleep 0.1; done; "
		         "curl -s -o /dev/null -k --pinnedpubkey '%s' "
		         "https://127.0.0.1:%d/; echo \"good=$?\"; "
		         "curl -s -o /dev/null -k --pinnedpubkey "
		         "'sha256//"
		         "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=' "
		         "https://127.0.0.1:%d/; echo \"bad=$?\"; kill $(cat "
		         "pid)",
		         dir, port, port, pin, port, port);
		run_output(cmd, out, sizeof(out), true);
		if (!strstr(out, "good=7\n"))
			break;
	}
	/* curl accepted our pin, and refused another (90:
	 * CURLE_SSL_PINNEDPUBKEYNOTMATCH) */
	if (!strstr(out, "good=0\n") || !strstr(out, "bad=90\n"))
		fail_msg("expected good=0 and bad=90, got: %s", out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_create_and_pin, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_pin_in_a_real_handshake,
		                                setup, teardown),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
