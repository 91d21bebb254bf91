// SPDX-License-Identifier: MIT
// lib.js — what the browser tests share (clerk.js, district.js): their
// checks, counted and printed as "ok: …" or "FAIL: …"; screenshots into
// $SHOTS; an element's text; a page loaded with its size (under 100 KB)
// and width (a 1366-pixel screen) checked; the end, exiting 1 on any
// failure; the browser launched: Debian's Chromium, or its Firefox ESR
// when BROWSER=firefox (puppeteer-core over WebDriver BiDi).
"use strict";
const path = require("path");
const puppeteer = require("puppeteer-core");

const firefox = process.env.BROWSER === "firefox";
const viewport = { width: 1366, height: 768 };

// The browser, headless, on a 1366×768 screen, asking for Vietnamese;
// chrome: more flags for Chromium. Firefox accepts the hub's self-signed
// certificate (Chromium is given its key's pin instead).
function launch(chrome = []) {
	if (firefox)
		return puppeteer.launch({
			browser: "firefox",
			executablePath: process.env.FIREFOX || "/usr/bin/firefox-esr",
			headless: true,
			acceptInsecureCerts: true,
			defaultViewport: viewport,
			extraPrefsFirefox: { "intl.accept_languages": "vi-VN,vi", "network.proxy.type": 0 },
		});
	return puppeteer.launch({
		executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
		headless: true,
		args: ["--no-sandbox", "--no-proxy-server", "--disable-gpu", "--lang=vi-VN", ...chrome],
		defaultViewport: viewport,
	});
}

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

// The bytes of url, fetched outside the browser with page's cookies.
async function refetch(page, url) {
	const cookies = (await page.cookies(url)).map((c) => c.name + "=" + c.value).join("; ");
	const mod = url.startsWith("https:") ? require("https") : require("http");
	return new Promise((resolve, reject) => {
		mod.get(url, { headers: { Cookie: cookies }, rejectUnauthorized: false }, (r) => {
			let n = 0;
			r.on("data", (d) => { n += d.length; });
			r.on("end", () => resolve(n));
		}).on("error", reject);
	});
}

// Load base + href; the answer's size and the page's width checked.
async function visit(page, base, href) {
	const resp = await page.goto(base + href, { waitUntil: "load" });
	let size;
	try {
		size = Buffer.byteLength(await resp.text());
	} catch (e) {
		// a browser that keeps no body of a page it navigated to
		// (Firefox): the page fetched again with its cookies (a GET
		// changes nothing)
		size = await refetch(page, base + href);
	}
	check(size < 100000, "page " + href + " is under 100 KB", size + " bytes");
	const width = await page.evaluate(() => document.documentElement.scrollWidth);
	check(width <= 1366, "page " + href + " fits a 1366-pixel screen", width + " px");
	return resp;
}

// How sel is displayed when the page is printed: Chromium emulates print;
// Firefox (no emulation over BiDi) is asked which of the stylesheets'
// @media print rules match it.
async function printed(page, sel) {
	if (!firefox) {
		await page.emulateMediaType("print");
		const d = await page.$eval(sel, (e) => getComputedStyle(e).display);
		await page.emulateMediaType("screen");
		return d;
	}
	return page.$eval(sel, (e) => {
		let d = getComputedStyle(e).display;
		for (const sheet of document.styleSheets)
			for (const r of sheet.cssRules)
				if (r.media && [...r.media].includes("print"))
					for (const x of r.cssRules)
						if (x.selectorText && e.matches(x.selectorText) && x.style.display)
							d = x.style.display;
		return d;
	});
}

function done() {
	console.log(`${passed} passed in the browser, ${failed} failed`);
	process.exit(failed ? 1 : 0);
}

function crashed(e) {
	console.log("FAIL: " + (e && e.stack ? e.stack : e));
	process.exit(1);
}

module.exports = { ok, bad, check, shot, text, visit, done, crashed, launch, firefox, printed };
