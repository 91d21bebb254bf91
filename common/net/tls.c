/* SPDX-License-Identifier: MIT */
/* tls.c — key, self-signed certificate (RFC 5280 profile: v3, random
 * serial, subjectAltName, serverAuth, not a CA) and libcurl pin, with
 * GnuTLS (see tls.h). */
#include "tls.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <sodium.h>

#include "key.h"

#define TEN_YEARS (10L * 366 * 24 * 3600)

static cb_err
gnutls_fail(struct cb_errbuf *eb, const char *what, int r)
{
	return cb_error(eb, CB_ECRYPTO, _("cannot %s: %s"), what,
	                gnutls_strerror(r));
}

static cb_err
pin_of_crt(gnutls_x509_crt_t crt, char pin[CB_TLS_PIN_MAX],
           struct cb_errbuf *eb)
{
	unsigned char h[crypto_hash_sha256_BYTES];
	gnutls_pubkey_t pub = NULL;
	gnutls_datum_t spki = { NULL, 0 };
	int r;

	if ((r = gnutls_pubkey_init(&pub)) < 0 ||
	    (r = gnutls_pubkey_import_x509(pub, crt, 0)) < 0 ||
	    (r = gnutls_pubkey_export2(pub, GNUTLS_X509_FMT_DER, &spki)) < 0) {
		gnutls_pubkey_deinit(pub);
		return gnutls_fail(eb, "read the certificate's public key", r);
	}
	crypto_hash_sha256(h, spki.data, spki.size);
	gnutls_free(spki.data);
	gnutls_pubkey_deinit(pub);
	memcpy(pin, "sha256//", 8);
	sodium_bin2base64(pin + 8, CB_TLS_PIN_MAX - 8, h, sizeof(h),
	                  sodium_base64_VARIANT_ORIGINAL);
	return CB_OK;
}

static cb_err
add_names(gnutls_x509_crt_t crt, const char *const *dns, const char *const *ips,
          struct cb_errbuf *eb)
{
	int r;

	for (; dns && *dns; dns++)
		if ((r = gnutls_x509_crt_set_subject_alt_name(
			     crt, GNUTLS_SAN_DNSNAME, *dns,
			     (unsigned)strlen(*dns), GNUTLS_FSAN_APPEND)) < 0)
			return gnutls_fail(eb, "name the certificate", r);
	for (; ips && *ips; ips++) {
		unsigned char a[16];
		unsigned n;

		if (inet_pton(AF_INET, *ips, a) == 1)
			n = 4;
		else if (inet_pton(AF_INET6, *ips, a) == 1)
			n = 16;
		else
			return cb_error(eb, CB_EINVAL,
			                _("'%s' is not an IP address"), *ips);
		if ((r = gnutls_x509_crt_set_subject_alt_name(
			     crt, GNUTLS_SAN_IPADDRESS, a, n,
			     GNUTLS_FSAN_APPEND)) < 0)
			return gnutls_fail(eb, "name the certificate", r);
	}
	return CB_OK;
}

cb_err
cb_tls_create(const char *key_path, const char *cert_path,
              const char *common_name, const char *const *dns_names,
              const char *const *ip_addresses, char pin[CB_TLS_PIN_MAX],
              struct cb_errbuf *eb)
{
	gnutls_x509_privkey_t key = NULL;
	gnutls_x509_crt_t crt = NULL;
	gnutls_datum_t kpem = { NULL, 0 }, cpem = { NULL, 0 };
	unsigned char serial[16];
	char p[CB_TLS_PIN_MAX];
	time_t now = time(NULL);
	cb_err rc = CB_ECRYPTO;
	int r;

	if ((r = gnutls_x509_privkey_init(&key)) < 0 ||
	    (r = gnutls_x509_privkey_generate(
		     key, GNUTLS_PK_ECDSA,
		     GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0)) <
	            0) {
		rc = gnutls_fail(eb, "generate a TLS key", r);
		goto out;
	}
	randombytes_buf(serial, sizeof(serial));
	serial[0] &= 0x7f; /* a positive INTEGER */
	serial[0] |= 0x01; /* and no leading zero octet */
	if ((r = gnutls_x509_crt_init(&crt)) < 0 ||
	    (r = gnutls_x509_crt_set_version(crt, 3)) < 0 ||
	    (r = gnutls_x509_crt_set_serial(crt, serial, sizeof(serial))) < 0 ||
	    (r = gnutls_x509_crt_set_activation_time(crt, now - 3600)) < 0 ||
	    (r = gnutls_x509_crt_set_expiration_time(crt, now + TEN_YEARS)) <
	            0 ||
	    (r = gnutls_x509_crt_set_dn_by_oid(
		     crt, GNUTLS_OID_X520_COMMON_NAME, 0, common_name,
		     (unsigned)strlen(common_name))) < 0 ||
	    (r = gnutls_x509_crt_set_key(crt, key)) < 0 ||
	    (r = gnutls_x509_crt_set_basic_constraints(crt, 0, -1)) < 0 ||
	    (r = gnutls_x509_crt_set_key_usage(
		     crt, GNUTLS_KEY_DIGITAL_SIGNATURE)) < 0 ||
	    (r = gnutls_x509_crt_set_key_purpose_oid(
		     crt, GNUTLS_KP_TLS_WWW_SERVER, 0)) < 0) {
		rc = gnutls_fail(eb, "make the TLS certificate", r);
		goto out;
	}
	if ((rc = add_names(crt, dns_names, ip_addresses, eb)))
		goto out;
	if ((r = gnutls_x509_crt_sign2(crt, crt, key, GNUTLS_DIG_SHA256, 0)) <
	            0 ||
	    (r = gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, &cpem)) <
	            0 ||
	    (r = gnutls_x509_privkey_export2_pkcs8(key, GNUTLS_X509_FMT_PEM,
	                                           NULL, GNUTLS_PKCS_PLAIN,
	                                           &kpem)) < 0) {
		rc = gnutls_fail(eb, "sign the TLS certificate", r);
		goto out;
	}
	if ((rc = pin_of_crt(crt, p, eb)) ||
	    (rc = cb_file_write_atomic(key_path, kpem.data, kpem.size, 0600, 1,
	                               eb)))
		goto out;
	if ((rc = cb_file_write_atomic(cert_path, cpem.data, cpem.size, 0644, 1,
	                               eb))) {
		remove(key_path); /* no key without its certificate */
		goto out;
	}
	memcpy(pin, p, sizeof(p));
out:
	if (kpem.data) {
		sodium_memzero(kpem.data, kpem.size);
		gnutls_free(kpem.data);
	}
	gnutls_free(cpem.data);
	gnutls_x509_crt_deinit(crt);
	gnutls_x509_privkey_deinit(key);
	return rc;
}

cb_err
cb_tls_pin_of(const char *cert_path, char pin[CB_TLS_PIN_MAX],
              struct cb_errbuf *eb)
{
	gnutls_datum_t pem = { NULL, 0 };
	gnutls_x509_crt_t crt = NULL;
	cb_err rc;
	int r;

	if ((r = gnutls_load_file(cert_path, &pem)) < 0)
		return cb_error(eb, CB_EIO,
		                _("cannot read certificate '%s': %s"),
		                cert_path, gnutls_strerror(r));
	if ((r = gnutls_x509_crt_init(&crt)) < 0 ||
	    (r = gnutls_x509_crt_import(crt, &pem, GNUTLS_X509_FMT_PEM)) < 0)
		rc = cb_error(eb, CB_EINVAL,
		              _("'%s' is not a PEM certificate: %s"), cert_path,
		              gnutls_strerror(r));
	else
		rc = pin_of_crt(crt, pin, eb);
	gnutls_x509_crt_deinit(crt);
	gnutls_free(pem.data);
	return rc;
}
