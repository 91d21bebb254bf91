/* SPDX-License-Identifier: MIT */
/* ui.js — the little 'chibo-agent ui' does in the page: "everyone present"
 * on an attendance checklist, and a button that says it is working while
 * a slow form (sync) runs. Every page works without it. */
"use strict";
document.addEventListener("DOMContentLoaded", function () {
	var all = document.getElementById("all-present");
	if (all) {
		all.addEventListener("click", function () {
			document.querySelectorAll("input[type=radio][value=present]")
				.forEach(function (r) { r.checked = true; });
		});
	}
	document.querySelectorAll("form[data-busy]").forEach(function (f) {
		f.addEventListener("submit", function () {
			var b = f.querySelector("button[type=submit]");
			if (b) {
				b.disabled = true;
				b.textContent = f.getAttribute("data-busy");
			}
		});
	});
});
