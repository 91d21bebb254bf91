/* SPDX-License-Identifier: MIT */
/* checkpoint.c — C2SP signed-note (Ed25519, signature type 0x01) and C2SP
 * tlog-checkpoint (see checkpoint.h). A note is opened before its text is
 * read: the text is split from the signatures at the last blank line, every
 * signature line must be well formed, those of the expected key must all
 * verify and at least one must be there; only then is the text parsed as a
 * checkpoint. The reader never looks past the length it is given. */
#include "checkpoint.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <utf8proc.h>

#include "buf.h"
#include "text.h"

#define EM_DASH "\xe2\x80\x94 " /* U+2014 EM DASH, then a space */
#define EM_DASH_LEN 4
#define ALG_ED25519 0x01
#define NOTE_SIG_BYTES (4 + crypto_sign_BYTES) /* key hash || signature */
#define ALG_COSIG_ED25519 0x04 /* C2SP tlog-cosignature, Ed25519 */
#define COSIG_BYTES (4 + 8 + crypto_sign_BYTES) /* key hash || time || sig */

static int cosig_verify(const uint8_t *sig, const char *text, size_t n,
                        const uint8_t pk[32], uint64_t *ts);
#define SIG_B64_LEN                                                            \
	sodium_base64_ENCODED_LEN(NOTE_SIG_BYTES,                              \
	                          sodium_base64_VARIANT_ORIGINAL)
#define ROOT_B64_LEN                                                           \
	sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_ORIGINAL)
#define VKEY_B64_LEN                                                           \
	sodium_base64_ENCODED_LEN(33, sodium_base64_VARIANT_ORIGINAL)

/* Unicode White_Space, which C2SP forbids in key names. */
static bool
is_white_space(utf8proc_int32_t cp)
{
	utf8proc_category_t cat;

	if ((cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85)
		return true;
	cat = utf8proc_category(cp);
	return cat == UTF8PROC_CATEGORY_ZS || cat == UTF8PROC_CATEGORY_ZL ||
	       cat == UTF8PROC_CATEGORY_ZP;
}

static bool
name_valid(const char *s, size_t n)
{
	size_t i = 0;

	if (n == 0 || !cb_utf8_valid(s, n))
		return false;
	while (i < n) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t k =
			utf8proc_iterate((const utf8proc_uint8_t *)s + i,
		                         (utf8proc_ssize_t)(n - i), &cp);

		if (k <= 0)
			return false;
		if (cp < 0x20 || cp == '+' || is_white_space(cp))
			return false;
		i += (size_t)k;
	}
	return true;
}

bool
cb_note_name_valid(const char *name)
{
	return name && name_valid(name, strlen(name));
}

static uint32_t
key_hash_alg(const char *name, size_t n, uint8_t alg, const uint8_t pk[32])
{
	const uint8_t sep[2] = { 0x0a, alg };
	crypto_hash_sha256_state h;
	uint8_t d[32];

	crypto_hash_sha256_init(&h);
	crypto_hash_sha256_update(&h, (const uint8_t *)name, n);
	crypto_hash_sha256_update(&h, sep, sizeof(sep));
	crypto_hash_sha256_update(&h, pk, 32);
	crypto_hash_sha256_final(&h, d);
	return (uint32_t)d[0] << 24 | (uint32_t)d[1] << 16 |
	       (uint32_t)d[2] << 8 | d[3];
}

static uint32_t
key_hash(const char *name, size_t n, const uint8_t pk[32])
{
	return key_hash_alg(name, n, ALG_ED25519, pk);
}

uint32_t
cb_note_key_hash(const char *name, const uint8_t pk[32])
{
	return key_hash(name, strlen(name), pk);
}

static cb_err
bad_name(struct cb_errbuf *eb, const char *name)
{
	return cb_error(eb, CB_EINVAL,
	                _("'%.200s' cannot name a note key: a key name is "
	                  "non-empty UTF-8 without '+', spaces or control "
	                  "characters"),
	                name ? name : "");
}

char *
cb_note_vkey(const char *name, const uint8_t pk[32])
{
	uint8_t key[33];
	char b64[VKEY_B64_LEN];
	size_t n;
	char *out;

	if (!cb_note_name_valid(name))
		return NULL;
	key[0] = ALG_ED25519;
	memcpy(key + 1, pk, 32);
	sodium_bin2base64(b64, sizeof(b64), key, sizeof(key),
	                  sodium_base64_VARIANT_ORIGINAL);
	n = strlen(name) + 1 + 8 + 1 + strlen(b64) + 1;
	out = malloc(n);
	if (out)
		snprintf(out, n, "%s+%08" PRIx32 "+%s", name,
		         cb_note_key_hash(name, pk), b64);
	return out;
}

cb_err
cb_note_vkey_parse(const char *vkey, char **name, uint8_t pk[32],
                   struct cb_errbuf *eb)
{
	const char *plus = strchr(vkey, '+'), *b64;
	uint8_t key[33], hash[4];
	char hex[9];
	uint32_t want;
	size_t n, klen;
	char *copy;

	if (!plus || strlen(plus) < 10 || plus[9] != '+')
		return cb_error(eb, CB_EINVAL,
		                _("verifier key '%.200s' is not "
		                  "NAME+KEYHASH+KEY (KEYHASH 8 hex digits)"),
		                vkey);
	n = (size_t)(plus - vkey);
	if (!name_valid(vkey, n))
		return cb_error(
			eb, CB_EINVAL,
			_("verifier key '%.200s' has an invalid key name"),
			vkey);
	memcpy(hex, plus + 1, 8);
	hex[8] = 0;
	if (cb_hex_decode(hex, hash, 4, NULL))
		return cb_error(
			eb, CB_EINVAL,
			_("verifier key '%.200s': the key hash '%s' is not "
		          "8 hex digits"),
			vkey, hex);
	b64 = plus + 10;
	if (sodium_base642bin(key, sizeof(key), b64, strlen(b64), NULL, &klen,
	                      NULL, sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    klen != sizeof(key))
		return cb_error(
			eb, CB_EINVAL,
			_("verifier key '%.200s': the key is not base64 of "
		          "33 bytes (0x01 and an Ed25519 public key)"),
			vkey);
	if (key[0] != ALG_ED25519)
		return cb_error(
			eb, CB_EINVAL,
			_("verifier key '%.200s' is of signature type %u, "
		          "not Ed25519 (1)"),
			vkey, key[0]);
	want = key_hash(vkey, n, key + 1);
	if (want != ((uint32_t)hash[0] << 24 | (uint32_t)hash[1] << 16 |
	             (uint32_t)hash[2] << 8 | hash[3]))
		return cb_error(
			eb, CB_EINVAL,
			_("verifier key '%.200s' says key hash %s, but its "
		          "name and key hash to %08x"),
			vkey, hex, (unsigned)want);
	copy = malloc(n + 1);
	if (!copy)
		return cb_error(eb, CB_ENOMEM, _("out of memory"));
	memcpy(copy, vkey, n);
	copy[n] = 0;
	*name = copy;
	memcpy(pk, key + 1, 32);
	return CB_OK;
}

/* What C2SP allows in a note: no NUL, no control character but newline,
 * valid UTF-8; and what chibo allows: lines of at most CB_NOTE_MAX_LINE. */
static cb_err
check_note_bytes(const char *p, size_t n, const char *what,
                 struct cb_errbuf *eb)
{
	size_t line_start = 0, line_no = 1;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c == 0)
			return cb_error(eb, CB_EINVAL,
			                _("%s has a NUL byte at offset %zu"),
			                what, i);
		if (c == '\n') {
			line_start = i + 1;
			line_no++;
		} else if (c < 0x20) {
			return cb_error(eb, CB_EINVAL,
			                _("%s has control character 0x%02x at "
			                  "offset %zu"),
			                what, c, i);
		} else if (i - line_start >= CB_NOTE_MAX_LINE) {
			return cb_error(
				eb, CB_EINVAL,
				_("%s line %zu is longer than %d bytes"), what,
				line_no, CB_NOTE_MAX_LINE);
		}
	}
	if (!cb_utf8_valid(p, n))
		return cb_error(eb, CB_EINVAL, _("%s is not valid UTF-8"),
		                what);
	return CB_OK;
}

cb_err
cb_note_sign(const char *text, size_t len, const char *name,
             const uint8_t sk[64], char **note, struct cb_errbuf *eb)
{
	struct cb_buf b = CB_BUF_INIT;
	uint8_t sig[NOTE_SIG_BYTES];
	char b64[SIG_B64_LEN];
	uint32_t kh;
	cb_err rc;

	if (!cb_note_name_valid(name))
		return bad_name(eb, name);
	if (len == 0 || text[len - 1] != '\n')
		return cb_error(
			eb, CB_EINVAL,
			_("cannot sign a note text that is empty or does "
		          "not end in a newline"));
	rc = check_note_bytes(text, len, "note text", eb);
	if (rc)
		return rc;
	if (EM_DASH_LEN + strlen(name) + 1 + SIG_B64_LEN - 1 > CB_NOTE_MAX_LINE)
		return cb_error(eb, CB_EINVAL, _("key name is too long"));
	kh = cb_note_key_hash(name, sk + 32);
	sig[0] = (uint8_t)(kh >> 24);
	sig[1] = (uint8_t)(kh >> 16);
	sig[2] = (uint8_t)(kh >> 8);
	sig[3] = (uint8_t)kh;
	crypto_sign_detached(sig + 4, NULL, (const uint8_t *)text, len, sk);
	/* A secret key whose halves disagree signs for no public key: say so
	 * now rather than publish a note nobody can verify. */
	if (crypto_sign_verify_detached(sig + 4, (const uint8_t *)text, len,
	                                sk + 32) != 0)
		return cb_error(
			eb, CB_ECRYPTO,
			_("cannot sign the note: the secret key does not "
		          "match its public half"));
	sodium_bin2base64(b64, sizeof(b64), sig, sizeof(sig),
	                  sodium_base64_VARIANT_ORIGINAL);
	if (cb_buf_add(&b, text, len) || cb_buf_addstr(&b, "\n" EM_DASH) ||
	    cb_buf_addstr(&b, name) || cb_buf_addstr(&b, " ") ||
	    cb_buf_addstr(&b, b64) || cb_buf_addstr(&b, "\n")) {
		cb_buf_release(&b);
		return cb_error(eb, CB_ENOMEM,
		                _("out of memory signing a note"));
	}
	if (b.len > CB_NOTE_MAX_SIZE) {
		size_t total = b.len;

		cb_buf_release(&b);
		return cb_error(
			eb, CB_ETOOBIG,
			_("a signed note of %zu bytes would be over the "
		          "limit of %d"),
			total, CB_NOTE_MAX_SIZE);
	}
	*note = (char *)cb_buf_detach(&b, NULL);
	return CB_OK;
}

/* Open note[0..len) for the key (name, pk): every signature line well
 * formed, those of the key (its name and its key hash for the signature
 * type alg) all verifying, and at least one there. A note signature
 * (ALG_ED25519) covers the text; a cosignature (ALG_COSIG_ED25519) a
 * timestamp and the text (C2SP tlog-cosignature), the latest timestamp
 * of the key's lines in *ts. */
static cb_err
open_note(const char *note, size_t len, const char *name, const uint8_t pk[32],
          uint8_t alg, size_t *text_len, uint64_t *ts, struct cb_errbuf *eb)
{
	uint8_t sig[CB_NOTE_MAX_LINE];
	size_t split = 0, pos, name_len, nsigs = 0, good = 0;
	bool found = false;
	uint32_t kh;
	cb_err rc;

	if (!cb_note_name_valid(name))
		return bad_name(eb, name);
	if (len > CB_NOTE_MAX_SIZE)
		return cb_error(eb, CB_ETOOBIG,
		                _("note is %zu bytes, over the limit of %d"),
		                len, CB_NOTE_MAX_SIZE);
	rc = check_note_bytes(note, len, "note", eb);
	if (rc)
		return rc;
	/* The text ends at the last blank line (C2SP signed-note). */
	for (size_t i = len >= 2 ? len - 1 : 0; i-- > 0;) {
		if (note[i] == '\n' && note[i + 1] == '\n') {
			split = i;
			found = true;
			break;
		}
	}
	if (!found)
		return cb_error(
			eb, CB_EINVAL,
			_("not a signed note: no blank line separates its "
		          "text from its signatures"));
	if (split + 2 == len)
		return cb_error(
			eb, CB_EINVAL,
			_("not a signed note: no signature line after the "
		          "blank line"));
	if (note[len - 1] != '\n')
		return cb_error(
			eb, CB_EINVAL,
			_("not a signed note: its last line does not end "
		          "with a newline (cut short?)"));
	name_len = strlen(name);
	kh = key_hash_alg(name, name_len, alg, pk);
	if (ts)
		*ts = 0;
	for (pos = split + 2; pos < len;) {
		const char *line = note + pos, *eol, *space, *b64;
		size_t n, nl, sig_len;
		const char *end;
		uint32_t line_kh;

		eol = memchr(line, '\n',
		             len - pos); /* found: note ends in \n */
		n = (size_t)(eol - line);
		pos += n + 1;
		if (++nsigs > CB_NOTE_MAX_SIGS)
			return cb_error(
				eb, CB_EINVAL,
				_("note has more than %d signature lines"),
				CB_NOTE_MAX_SIGS);
		if (n < EM_DASH_LEN || memcmp(line, EM_DASH, EM_DASH_LEN) != 0)
			return cb_error(
				eb, CB_EINVAL,
				_("not a signed note: signature line %zu "
			          "does not start with an em dash (U+2014) "
			          "and a space"),
				nsigs);
		space = memchr(line + EM_DASH_LEN, ' ', n - EM_DASH_LEN);
		nl = space ? (size_t)(space - line) - EM_DASH_LEN : 0;
		if (!space || !name_valid(line + EM_DASH_LEN, nl))
			return cb_error(
				eb, CB_EINVAL,
				_("not a signed note: signature line %zu "
			          "has no valid key name followed by a space"),
				nsigs);
		b64 = space + 1;
		if (sodium_base642bin(sig, sizeof(sig), b64,
		                      (size_t)(eol - b64), NULL, &sig_len, &end,
		                      sodium_base64_VARIANT_ORIGINAL) != 0 ||
		    end != eol || sig_len < 5)
			return cb_error(
				eb, CB_EINVAL,
				_("not a signed note: signature line %zu is "
			          "not base64 of a key hash and a signature"),
				nsigs);
		line_kh = (uint32_t)sig[0] << 24 | (uint32_t)sig[1] << 16 |
		          (uint32_t)sig[2] << 8 | sig[3];
		/* A key is its name and key hash together; one that shares
		 * only one of them is another key, ignored (C2SP). */
		if (nl != name_len ||
		    memcmp(line + EM_DASH_LEN, name, nl) != 0 || line_kh != kh)
			continue;
		if (alg == ALG_ED25519
		            ? sig_len != NOTE_SIG_BYTES ||
		                      crypto_sign_verify_detached(
					      sig + 4, (const uint8_t *)note,
					      split + 1, pk) != 0
		            : sig_len != COSIG_BYTES ||
		                      cosig_verify(sig, note, split + 1, pk,
		                                   ts) != 0)
			return cb_error(
				eb, CB_ECRYPTO,
				_("%s by '%s' does not verify: the "
			          "note was altered, or signed by another key "
			          "of that name"),
				alg == ALG_ED25519 ? "signature"
						   : "cosignature",
				name);
		good++;
	}
	if (!good)
		return cb_error(eb, CB_ECRYPTO,
		                _("no %s by key '%s' (key hash %08x) among the "
		                  "note's %zu signature lines"),
		                alg == ALG_ED25519 ? _("signature")
		                                   : _("cosignature"),
		                name, (unsigned)kh, nsigs);
	*text_len = split + 1;
	return CB_OK;
}

cb_err
cb_note_open(const char *note, size_t len, const char *name,
             const uint8_t pk[32], size_t *text_len, struct cb_errbuf *eb)
{
	return open_note(note, len, name, pk, ALG_ED25519, text_len, NULL, eb);
}

/* --- cosignatures (C2SP tlog-cosignature, Ed25519) -------------------- */

/* The message a cosignature signs: "cosignature/v1\ntime T\n" and the
 * checkpoint's text. */
static int
cosig_message(uint64_t ts, const char *text, size_t n, struct cb_buf *m)
{
	return cb_buf_addf(m, "cosignature/v1\ntime %" PRIu64 "\n", ts) ||
	       cb_buf_add(m, text, n);
}

/* sig: key hash (4) || timestamp (8, big-endian) || Ed25519 signature;
 * 0 if it verifies over text[0..n), with its timestamp in *ts (the
 * latest of those seen). */
static int
cosig_verify(const uint8_t *sig, const char *text, size_t n,
             const uint8_t pk[32], uint64_t *ts)
{
	struct cb_buf m = CB_BUF_INIT;
	uint64_t t = 0;
	int rc;

	for (int i = 0; i < 8; i++)
		t = t << 8 | sig[4 + i];
	if (t > INT64_MAX || cosig_message(t, text, n, &m)) {
		cb_buf_release(&m);
		return -1;
	}
	rc = crypto_sign_verify_detached(sig + 12, m.data, m.len, pk);
	cb_buf_release(&m);
	if (!rc && ts && t > *ts)
		*ts = t;
	return rc;
}

cb_err
cb_cosig_sign(const char *note, size_t len, const char *name,
              const uint8_t sk[64], uint64_t ts, char **line,
              struct cb_errbuf *eb)
{
	uint8_t sig[COSIG_BYTES];
	char b64[sodium_base64_ENCODED_LEN(COSIG_BYTES,
	                                   sodium_base64_VARIANT_ORIGINAL)];
	struct cb_buf m = CB_BUF_INIT;
	size_t text_len = 0, n;
	uint32_t kh;

	if (!cb_note_name_valid(name))
		return bad_name(eb, name);
	if (ts == 0 || ts > INT64_MAX)
		return cb_error(
			eb, CB_EINVAL,
			_("a cosignature's time is 1 to 2^63 - 1 seconds"));
	/* the checkpoint's text: up to its blank line */
	for (size_t i = 0; i + 1 < len; i++)
		if (note[i] == '\n' && note[i + 1] == '\n') {
			text_len = i + 1;
			break;
		}
	if (!text_len)
		return cb_error(
			eb, CB_EINVAL,
			_("not a signed note: no blank line separates its "
		          "text from its signatures"));
	kh = key_hash_alg(name, strlen(name), ALG_COSIG_ED25519, sk + 32);
	sig[0] = (uint8_t)(kh >> 24);
	sig[1] = (uint8_t)(kh >> 16);
	sig[2] = (uint8_t)(kh >> 8);
	sig[3] = (uint8_t)kh;
	for (int i = 0; i < 8; i++)
		sig[4 + i] = (uint8_t)(ts >> (56 - 8 * i));
	if (cosig_message(ts, note, text_len, &m)) {
		cb_buf_release(&m);
		return cb_error(eb, CB_ENOMEM, _("out of memory"));
	}
	crypto_sign_detached(sig + 12, NULL, m.data, m.len, sk);
	cb_buf_release(&m);
	sodium_bin2base64(b64, sizeof(b64), sig, sizeof(sig),
	                  sodium_base64_VARIANT_ORIGINAL);
	n = EM_DASH_LEN + strlen(name) + 1 + strlen(b64) + 2;
	if (!(*line = malloc(n)))
		return cb_error(eb, CB_ENOMEM, _("out of memory"));
	snprintf(*line, n, EM_DASH "%s %s\n", name, b64);
	return CB_OK;
}

cb_err
cb_cosig_open(const char *note, size_t len, const char *name,
              const uint8_t pk[32], uint64_t *ts, struct cb_errbuf *eb)
{
	size_t text_len;

	return open_note(note, len, name, pk, ALG_COSIG_ED25519, &text_len, ts,
	                 eb);
}

cb_err
cb_cosigned_open(const char *note, size_t len, const char *origin,
                 const uint8_t log_pk[32], const uint8_t witness_pk[32],
                 struct cb_checkpoint *cp, char *name, uint64_t *ts,
                 struct cb_errbuf *eb)
{
	char wname[CB_CHECKPOINT_ORIGIN_MAX + 1], hex[65];
	const char *p = note, *end = note + len, *sig;
	struct cb_checkpoint c;
	struct cb_errbuf why = { { 0 } };
	bool tried = false;
	cb_err rc;

	if ((rc = cb_checkpoint_open(note, len, origin, origin, log_pk, &c,
	                             eb)))
		return rc;
	/* the signature lines: after the last blank line */
	for (const char *q = note; q + 1 < end; q++)
		if (q[0] == '\n' && q[1] == '\n')
			p = q + 2;
	for (; p < end; p = sig ? sig + 1 : end) {
		const char *sp;
		size_t n;

		sig = memchr(p, '\n', (size_t)(end - p));
		if ((size_t)(end - p) <= EM_DASH_LEN ||
		    memcmp(p, EM_DASH, EM_DASH_LEN))
			continue;
		sp = memchr(p + EM_DASH_LEN, ' ',
		            (size_t)((sig ? sig : end) - (p + EM_DASH_LEN)));
		n = sp ? (size_t)(sp - (p + EM_DASH_LEN)) : 0;
		if (!n || n >= sizeof(wname))
			continue;
		memcpy(wname, p + EM_DASH_LEN, n);
		wname[n] = 0;
		if (!cb_note_name_valid(wname))
			continue;
		tried = true;
		if (cb_cosig_open(note, len, wname, witness_pk, ts, &why))
			continue;
		*cp = c;
		if (name)
			memcpy(name, wname, n + 1);
		return CB_OK;
	}
	cb_hex_encode(witness_pk, 32, hex);
	return cb_error(eb, CB_ECRYPTO,
	                _("checkpoint %s %llu carries no cosignature by "
	                  "witness key %.12s%s%s"),
	                c.origin, (unsigned long long)c.size, hex,
	                tried && why.msg[0] ? ": " : "",
	                tried && why.msg[0] ? why.msg : "");
}

/* The next line of t[0..n) from *pos (t ends in a newline). */
static bool
next_line(const char *t, size_t n, size_t *pos, const char **line, size_t *len)
{
	const char *eol;

	if (*pos >= n)
		return false;
	*line = t + *pos;
	eol = memchr(*line, '\n', n - *pos);
	*len = (size_t)(eol - *line);
	*pos += *len + 1;
	return true;
}

static cb_err
parse_size(const char *s, size_t n, uint64_t *out, struct cb_errbuf *eb)
{
	uint64_t v = 0;
	int shown = n > 40 ? 40 : (int)n;

	if (n == 0)
		return cb_error(eb, CB_EINVAL,
		                _("checkpoint size is not a number: line 2 is "
		                  "empty"));
	for (size_t i = 0; i < n; i++) {
		unsigned d = (unsigned)(unsigned char)s[i] - '0';

		if (d > 9)
			return cb_error(
				eb, CB_EINVAL,
				_("checkpoint size is not a number: '%.*s'"),
				shown, s);
		if (v > (UINT64_MAX - d) / 10)
			return cb_error(
				eb, CB_EINVAL,
				_("checkpoint size '%.*s' is over 2^64 - 1"),
				shown, s);
		v = v * 10 + d;
	}
	if (n > 1 && s[0] == '0')
		return cb_error(eb, CB_EINVAL,
		                _("checkpoint size '%.*s' has a leading zero"),
		                shown, s);
	*out = v;
	return CB_OK;
}

static cb_err
parse_checkpoint(const char *t, size_t n, struct cb_checkpoint *c,
                 struct cb_errbuf *eb)
{
	size_t pos = 0, ll, dl, line_no = 3;
	const char *line, *end;
	cb_err rc;

	if (!next_line(t, n, &pos, &line, &ll) || ll == 0)
		return cb_error(eb, CB_EINVAL,
		                _("checkpoint origin (line 1) is empty"));
	if (ll > CB_CHECKPOINT_ORIGIN_MAX)
		return cb_error(
			eb, CB_EINVAL,
			_("checkpoint origin is %zu bytes, over the limit "
		          "of %d"),
			ll, CB_CHECKPOINT_ORIGIN_MAX);
	memcpy(c->origin, line, ll);
	c->origin[ll] = 0;
	if (!next_line(t, n, &pos, &line, &ll))
		return cb_error(
			eb, CB_EINVAL,
			_("checkpoint has no size line: a checkpoint is "
		          "origin, size and root hash, one per line"));
	rc = parse_size(line, ll, &c->size, eb);
	if (rc)
		return rc;
	if (!next_line(t, n, &pos, &line, &ll))
		return cb_error(
			eb, CB_EINVAL,
			_("checkpoint has no root hash line: a checkpoint "
		          "is origin, size and root hash, one per line"));
	if (sodium_base642bin(c->root, 32, line, ll, NULL, &dl, &end,
	                      sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    end != line + ll || dl != 32)
		return cb_error(
			eb, CB_EINVAL,
			_("checkpoint root hash is not 32 bytes of base64: "
		          "'%.*s'"),
			ll > 64 ? 64 : (int)ll, line);
	/* Extension lines: opaque to chibo, but never empty (C2SP). */
	while (next_line(t, n, &pos, &line, &ll)) {
		line_no++;
		if (ll == 0)
			return cb_error(
				eb, CB_EINVAL,
				_("checkpoint line %zu (an extension line) "
			          "is empty"),
				line_no);
	}
	return CB_OK;
}

cb_err
cb_checkpoint_open(const char *note, size_t len, const char *expect_origin,
                   const char *name, const uint8_t pk[32],
                   struct cb_checkpoint *out, struct cb_errbuf *eb)
{
	struct cb_checkpoint c;
	size_t text_len;
	cb_err rc;

	rc = cb_note_open(note, len, name, pk, &text_len, eb);
	if (rc)
		return rc;
	rc = parse_checkpoint(note, text_len, &c, eb);
	if (rc)
		return rc;
	if (expect_origin && strcmp(c.origin, expect_origin) != 0)
		return cb_error(
			eb, CB_EINVAL,
			_("checkpoint origin is '%s', expected '%.200s'"),
			c.origin, expect_origin);
	*out = c;
	return CB_OK;
}

cb_err
cb_checkpoint_sign(const struct cb_checkpoint *c, const char *name,
                   const uint8_t sk[64], char **note, struct cb_errbuf *eb)
{
	char text[CB_CHECKPOINT_ORIGIN_MAX + 1 + 20 + 1 + ROOT_B64_LEN + 1];
	char root[ROOT_B64_LEN];
	size_t n = strnlen(c->origin, sizeof(c->origin));
	cb_err rc;
	int len;

	if (n == sizeof(c->origin))
		return cb_error(
			eb, CB_EINVAL,
			_("checkpoint origin is not NUL-terminated within "
		          "%zu bytes"),
			sizeof(c->origin));
	if (n == 0)
		return cb_error(eb, CB_EINVAL, _("checkpoint origin is empty"));
	if (memchr(c->origin, '\n', n))
		return cb_error(eb, CB_EINVAL,
		                _("checkpoint origin '%s' has a newline"),
		                c->origin);
	rc = check_note_bytes(c->origin, n, "checkpoint origin", eb);
	if (rc)
		return rc;
	sodium_bin2base64(root, sizeof(root), c->root, 32,
	                  sodium_base64_VARIANT_ORIGINAL);
	len = snprintf(text, sizeof(text), "%s\n%" PRIu64 "\n%s\n", c->origin,
	               c->size, root);
	if (len < 0 || (size_t)len >= sizeof(text))
		return cb_error(eb, CB_EINVAL,
		                _("checkpoint text is too long"));
	return cb_note_sign(text, (size_t)len, name, sk, note, eb);
}

bool
cb_note_origin(const char *note, char *out, size_t n)
{
	size_t len = strcspn(note, "\n");

	if (!len || len >= n || !note[len])
		return false;
	memcpy(out, note, len);
	out[len] = 0;
	return true;
}
