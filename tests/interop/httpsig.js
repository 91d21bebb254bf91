// SPDX-License-Identifier: MIT
// httpsig.js — chibo's request signatures (docs/PROTOCOL.md, "Request
// signatures") against an independent RFC 9421 implementation, the npm
// package http-message-signatures (pinned in package-lock.json beside
// this file), for tests/cli/httpsig_interop.sh. Test tooling only.
//
//   node httpsig.js send SEED_HEX METHOD URL PORT BODYFILE [--no-alg]
//       signs a request for URL with the library (its "@authority" is the
//       library's own reading of URL: host in lower case, no default
//       port), sends it to 127.0.0.1:PORT with the Host header as URL
//       was typed, and prints "STATUS BODY"
//   node httpsig.js verify METHOD URL HEADERS BODYFILE
//       verifies with the library a request chibo signed (HEADERS: the
//       lines of 'forge request') as received at URL, and that its
//       Content-Digest is the body's; prints "verified", or why not and
//       exits 1
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const https = require('https');
const { httpbis, createSigner, createVerifier } = require('http-message-signatures');

const PKCS8_ED25519 = '302e020100300506032b657004220420';
const SPKI_ED25519 = '302a300506032b6570032100';
const FIELDS = ['@method', '@authority', '@path', '@query', 'content-digest'];

function digestOf(body) {
  return 'sha-256=:' + crypto.createHash('sha256').update(body).digest('base64') + ':';
}

async function send(seed, method, url, port, bodyFile, noAlg) {
  const key = crypto.createPrivateKey({
    key: Buffer.from(PKCS8_ED25519 + seed, 'hex'), format: 'der', type: 'pkcs8',
  });
  const keyid = crypto.createPublicKey(key).export({ format: 'der', type: 'spki' })
    .subarray(12).toString('hex');
  const body = fs.readFileSync(bodyFile);
  const signed = await httpbis.signMessage({
    key: createSigner(key, 'ed25519'),
    name: 'chibo',
    fields: FIELDS,
    params: noAlg ? ['created', 'keyid', 'nonce', 'tag']
      : ['created', 'keyid', 'nonce', 'alg', 'tag'],
    paramValues: {
      keyid, nonce: crypto.randomBytes(18).toString('base64url'), tag: 'chibo-v1',
    },
  }, { method, url, headers: { 'Content-Digest': digestOf(body) } });
  const typed = url.replace(/^https:\/\//, '').split('/')[0];
  const headers = { ...signed.headers, Host: typed };
  if (method !== 'GET')
    headers['Content-Length'] = body.length;
  return new Promise((resolve, reject) => {
    const req = https.request({
      host: '127.0.0.1', port: Number(port), method, path: new URL(url).pathname,
      headers, rejectUnauthorized: false,
    }, (res) => {
      const parts = [];
      res.on('data', (d) => parts.push(d));
      res.on('end', () => resolve(res.statusCode + ' ' + Buffer.concat(parts).toString('latin1')));
    });
    req.on('error', reject);
    if (method !== 'GET')
      req.write(body);
    req.end();
  });
}

async function verify(method, url, headersFile, bodyFile) {
  const headers = {};
  for (const line of fs.readFileSync(headersFile, 'utf8').split('\n')) {
    const at = line.indexOf(': ');
    if (at > 0)
      headers[line.slice(0, at).toLowerCase()] = line.slice(at + 2);
  }
  if (headers['content-digest'] !== digestOf(fs.readFileSync(bodyFile)))
    return 'the Content-Digest is not the body\'s';
  const ok = await httpbis.verifyMessage({
    keyLookup: async (params) => ({
      id: params.keyid,
      algs: ['ed25519'],
      verify: createVerifier(crypto.createPublicKey({
        key: Buffer.from(SPKI_ED25519 + params.keyid, 'hex'), format: 'der', type: 'spki',
      }), 'ed25519'),
    }),
    requiredFields: FIELDS,
    requiredParams: ['created', 'keyid', 'nonce', 'alg', 'tag'],
    maxAge: 600,
    all: true,
  }, { method, url, headers });
  return ok === true ? 'verified' : 'the signature does not verify';
}

async function main(argv) {
  if (argv[0] === 'send' && (argv.length === 6 || argv.length === 7))
    return send(argv[1], argv[2], argv[3], argv[4], argv[5], argv[6] === '--no-alg');
  if (argv[0] === 'verify' && argv.length === 5)
    return verify(argv[1], argv[2], argv[3], argv[4]);
  throw new Error('usage: httpsig.js send SEED METHOD URL PORT BODYFILE [--no-alg] | '
    + 'verify METHOD URL HEADERS BODYFILE');
}

main(process.argv.slice(2)).then((out) => {
  console.log(out);
  process.exitCode = out === 'verified' || /^\d{3} /.test(out) ? 0 : 1;
}, (e) => {
  console.log('error: ' + e.message);
  process.exitCode = 1;
});
