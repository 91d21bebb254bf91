#!/bin/sh
# SPDX-License-Identifier: MIT
# install-deps.sh — install chibo's build and test dependencies from Debian 12
# packages. Idempotent: installs only what is missing. Run as root (or with
# sudo available); prints what it does in one line per step.
set -eu

PKGS="build-essential cmake pkg-config
libsqlite3-dev sqlite3 libpq-dev postgresql postgresql-15-auto-failover
pg-auto-failover-cli libsodium-dev libjansson-dev libcurl4-openssl-dev
libmicrohttpd-dev libgnutls28-dev nettle-dev libzstd-dev libutf8proc-dev libcmocka-dev
libxlsxwriter-dev
openssl curl zstd python3 clang libclang-rt-14-dev systemd
iproute2 nftables gettext locales debootstrap systemd-container"
# postgresql-15-auto-failover and pg-auto-failover-cli: pg_autoctl, with
# which tests/cli/hub_failover.sh makes a monitor, a primary and a standby
# and kills the primary under a hub (it skips without them).
# gettext: xgettext, msgfmt and msgmerge build and check the message
# catalogues (po/); locales: the Vietnamese locale's definition, from
# which tests/cli/lang_vi.sh builds vi_VN.UTF-8 when the system lacks it.
# debootstrap and systemd-container: tests/cli/package_install.sh makes a
# Debian 12 root, installs, upgrades and purges the package in it, and
# boots it with systemd-nspawn to run the units under a real systemd.
# node and npm install the independent RFC 9421 implementation that
# tests/cli/httpsig_interop.sh checks request signatures against (test
# tooling only); a machine that has them from elsewhere keeps its own.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
	PKGS="$PKGS nodejs npm"
fi
# chromium and firefox-esr: the browser tests (tests/cli/*_browser.sh)
# drive Debian's Chromium, headless, through the clerk's web interface and
# the hub's dashboard, and again Debian's Firefox ESR (ctest's
# cli/firefox/*) — test tooling only: the programs do not need them.
# About 200 MB more; CHIBO_NO_BROWSER=1 leaves them out on a machine that
# builds but does not run the tests — where the Chromium tests then fail,
# they do not skip (the Firefox runs skip).
if [ "${CHIBO_NO_BROWSER:-0}" != 1 ]; then
	PKGS="$PKGS chromium firefox-esr"
fi

# vi_VN.UTF-8, generated when the system lacks it: the README's demo
# and the clerks' own use under LANG=vi_VN.UTF-8 need it (lang_vi.sh can
# also build it into a directory of its own).
vi_locale() {
	locale -a 2>/dev/null | grep -qix 'vi_VN\.utf-\?8' && return 0
	[ "$(id -u)" -eq 0 ] || SUDO=sudo
	echo "install-deps: generating the vi_VN.UTF-8 locale"
	if [ -f /etc/locale.gen ] && command -v locale-gen >/dev/null 2>&1; then
		${SUDO:-} sed -i 's/^# *\(vi_VN\.UTF-8 UTF-8\)/\1/' /etc/locale.gen
		grep -q '^vi_VN\.UTF-8 UTF-8' /etc/locale.gen ||
			echo 'vi_VN.UTF-8 UTF-8' | ${SUDO:-} tee -a /etc/locale.gen >/dev/null
		${SUDO:-} locale-gen >/dev/null
	else
		${SUDO:-} localedef -i vi_VN -f UTF-8 vi_VN.UTF-8
	fi
}

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done

if [ -z "$missing" ]; then
	vi_locale
	echo "install-deps: all dependencies present"
	exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		SUDO="sudo"
	else
		echo "install-deps: missing packages:$missing; run this script as root" >&2
		exit 1
	fi
fi

echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing
vi_locale
