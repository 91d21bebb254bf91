// SPDX-License-Identifier: MIT
// lib.js — what the browser tests share (clerk.js, district.js): their
// checks, counted and printed as "ok: …" or "FAIL: …"; screenshots into
// $SHOTS; an element's text; a page loaded with its size (under 100 KB)
// and width (a 1366-pixel screen) checked; the end, exiting 1 on any
// failure.
"use strict";
const path = require("path");

let passed = 0;
let failed = 0;

function ok(what) { passed++; console.log("ok: " + what); }
function bad(what) { failed++; console.log("FAIL: " + what); }
function check(cond, what, detail) {
	if (cond) ok(what); else bad(what + (detail ? ": " + detail : ""));
}

async function shot(page, name) {
	await page.screenshot({ path: path.join(process.env.SHOTS, name + ".png"), fullPage: true });
}

async function text(page, sel) {
	const el = await page.$(sel);
	return el ? (await page.evaluate((e) => e.textContent, el)).trim() : null;
}

// Load base + href; the answer's size and the page's width checked.
async function visit(page, base, href) {
	const resp = await page.goto(base + href, { waitUntil: "load" });
	const html = await resp.text();
	check(html.length < 100000, "page " + href + " is under 100 KB", html.length + " bytes");
	const width = await page.evaluate(() => document.documentElement.scrollWidth);
	check(width <= 1366, "page " + href + " fits a 1366-pixel screen", width + " px");
	return resp;
}

function done() {
	console.log(`${passed} passed in the browser, ${failed} failed`);
	process.exit(failed ? 1 : 0);
}

function crashed(e) {
	console.log("FAIL: " + (e && e.stack ? e.stack : e));
	process.exit(1);
}

module.exports = { ok, bad, check, shot, text, visit, done, crashed };
