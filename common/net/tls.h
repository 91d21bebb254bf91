/* SPDX-License-Identifier: MIT */
/* tls.h — the hub's TLS identity: an ECDSA P-256 key and a self-signed
 * X.509 certificate made with GnuTLS, and the public-key pin agents are
 * given at enrolment, in libcurl's CURLOPT_PINNEDPUBLICKEY form:
 * "sha256//" + base64(SHA-256(DER SubjectPublicKeyInfo)). No public CA is
 * involved: the pin is the trust. */
#ifndef CB_TLS_H
#define CB_TLS_H

#include <stddef.h>

#include "err.h"

#define CB_TLS_PIN_MAX 64 /* "sha256//" + 44 base64 + NUL fits */

/* Create key_path (mode 0600) and cert_path (0644), never overwriting
 * either. The certificate names the DNS names and IP addresses given
 * (NULL-terminated lists, either may be NULL), is valid from an hour ago
 * for ten years, and is signed by its own key. Writes the pin to pin. */
cb_err cb_tls_create(const char *key_path, const char *cert_path,
                     const char *common_name, const char *const *dns_names,
                     const char *const *ip_addresses, char pin[CB_TLS_PIN_MAX],
                     struct cb_errbuf *eb) CB_MUST_CHECK;

/* The pin of the first certificate in a PEM file. */
cb_err cb_tls_pin_of(const char *cert_path, char pin[CB_TLS_PIN_MAX],
                     struct cb_errbuf *eb) CB_MUST_CHECK;

#endif
