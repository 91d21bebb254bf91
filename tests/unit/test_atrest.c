/* SPDX-License-Identifier: MIT */
/* test_atrest.c — whether a replica's directory is encrypted at rest
 * (common/base/atrest.c), against a fabricated /proc/self/mountinfo and
 * /sys/dev/block: a plain partition, a whole disk and a tmpfs are plain;
 * LUKS directly, LVM on LUKS and RAID on two LUKS devices are encrypted;
 * LVM over one LUKS and one plain disk is plain, and so is dm-integrity
 * alone (a "CRYPT-INTEGRITY-" uuid); a mount point that is
 * only a string prefix does not hold the directory; a mount over another
 * wins; and what cannot be read (no mountinfo, no sysfs entry, an overlay,
 * a loop device, a missing directory) is "cannot tell", never a claim. */
#define _GNU_SOURCE /* nftw */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atrest.h"

static char top[] = "/tmp/chibo-atrest-XXXXXX";
static char root[PATH_MAX]; /* the fabricated /proc and /sys */

/* out = a "/" b, or the test fails */
static void
join(char out[PATH_MAX], const char *a, const char *b)
{
	int n = snprintf(out, PATH_MAX, "%s/%s", a, b);

	assert_true(n > 0 && n < PATH_MAX);
}

static void
mkdirs(const char *path)
{
	char p[PATH_MAX];

	assert_true(strlen(path) < sizeof(p));
	memcpy(p, path, strlen(path) + 1);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		mkdir(p, 0755);
		*s = '/';
	}
	mkdir(p, 0755);
}

/* a directory of the fabricated tree */
static void
fab_dir(const char *rel)
{
	char p[PATH_MAX];

	join(p, root, rel);
	mkdirs(p);
}

static void
put(const char *rel, const char *text)
{
	char p[PATH_MAX];
	FILE *fp;

	join(p, root, rel);
	*strrchr(p, '/') = '\0';
	mkdirs(p);
	join(p, root, rel);
	assert_non_null(fp = fopen(p, "w"));
	fputs(text, fp);
	fclose(fp);
}

/* rel, a link in the fabricated tree, to the fabricated path to */
static void
link_to(const char *rel, const char *to)
{
	char p[PATH_MAX], t[PATH_MAX];

	join(p, root, rel);
	*strrchr(p, '/') = '\0';
	mkdirs(p);
	join(p, root, rel);
	join(t, root, to);
	assert_int_equal(symlink(t, p), 0);
}

/* a block device of the fabricated sysfs: its directory, its dm uuid
 * (or none), and the link /sys/dev/block/MAJMIN to it */
static void
device(const char *majmin, const char *dir, const char *uuid)
{
	char p[PATH_MAX];

	join(p, root, dir);
	mkdirs(p);
	if (uuid) {
		join(p, dir, "dm/uuid");
		put(p, uuid);
	}
	join(p, "sys/dev/block", majmin);
	link_to(p, dir);
}

/* dir's slaves/ lists the device at to */
static void
slave(const char *dir, const char *to)
{
	char s[PATH_MAX], p[PATH_MAX];

	join(s, dir, "slaves");
	join(p, s, strrchr(to, '/') + 1);
	link_to(p, to);
}

#define SDA "sys/devices/pci0000:00/0000:00:1f.2/ata1/block/sda"
#define SDB "sys/devices/pci0000:00/0000:00:1f.2/ata2/block/sdb"
#define VIRT "sys/devices/virtual/block"

static int
setup(void **state)
{
	char mi[8192], line[PATH_MAX + 128];
	static const struct {
		const char *majmin, *mp, *fstype, *source;
	} mounts[] = {
		{ "8:1", "", "ext4", "/dev/sda1" }, /* "/" */
		{ "8:3", "/plain", "ext4", "/dev/sda3" },
		{ "8:16", "/whole", "ext4", "/dev/sdb" },
		{ "254:0", "/luks", "ext4", "/dev/mapper/sda2_crypt" },
		{ "8:3", "/luks/rep", "ext4", "/dev/sda3" }, /* a decoy */
		{ "254:2", "/lvm", "ext4", "/dev/mapper/vg-home" },
		{ "254:3", "/mixed", "ext4", "/dev/mapper/vg-data" },
		{ "9:0", "/raid", "ext4", "/dev/md0" },
		{ "8:3", "/stack", "ext4", "/dev/sda3" },
		{ "254:0", "/stack", "ext4", "/dev/mapper/sda2_crypt" },
		{ "0:41", "/tmpfs", "tmpfs", "tmpfs" },
		{ "0:42", "/overlay", "overlay", "overlay" },
		{ "8:99", "/nosys", "ext4", "/dev/sdz" },
		{ "7:0", "/loop", "ext4", "/dev/loop0" },
		{ "254:4", "/integrity", "ext4", "/dev/mapper/sdb1_int" },
		{ "254:0", "/with\\040space", "ext4",
		  "/dev/mapper/sda2_crypt" },
	};
	static const char *dirs[] = {
		"plain/replica",   "whole",     "luks/replica",
		"lvm/a/b/replica", "mixed",     "raid",
		"stack",           "tmpfs",     "overlay",
		"nosys",           "loop",      "with space/replica",
		"plainer",         "integrity",
	};

	(void)state;
	if (!mkdtemp(top))
		return -1;
	join(root, top, "root");
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		char p[PATH_MAX];

		join(p, top, dirs[i]);
		mkdirs(p);
	}
	mi[0] = '\0';
	for (size_t i = 0; i < sizeof(mounts) / sizeof(mounts[0]); i++) {
		snprintf(line, sizeof(line),
		         "%zu 1 %s / %s%s rw,relatime shared:%zu - %s %s rw\n",
		         20 + i, mounts[i].majmin, *mounts[i].mp ? top : "/",
		         mounts[i].mp, i, mounts[i].fstype, mounts[i].source);
		strcat(mi, line);
	}
	put("proc/self/mountinfo", mi);
	/* sda: a disk (an empty slaves/) with partitions (none) */
	device("8:0", SDA, NULL);
	fab_dir(SDA "/slaves");
	device("8:1", SDA "/sda1", NULL);
	device("8:2", SDA "/sda2", NULL);
	device("8:3", SDA "/sda3", NULL);
	device("8:16", SDB, NULL);
	fab_dir(SDB "/slaves");
	device("8:17", SDB "/sdb1", NULL);
	device("8:18", SDB "/sdb2", NULL);
	/* dm-0: LUKS on sda2 */
	device("254:0", VIRT "/dm-0",
	       "CRYPT-LUKS2-0a1b2c3d4e5f60718293a4b5c6d7e8f9-sda2_crypt\n");
	slave(VIRT "/dm-0", SDA "/sda2");
	/* dm-1: LUKS on sdb2; dm-2: LVM on it (dm-1) */
	device("254:1", VIRT "/dm-1",
	       "CRYPT-LUKS2-ffeeddccbbaa99887766554433221100-sdb2_crypt\n");
	slave(VIRT "/dm-1", SDB "/sdb2");
	device("254:2", VIRT "/dm-2",
	       "LVM-s1n6Tgs2ZvGv0xZyRcZmDx6XQNQl1YvAkhVqzWo7Br0aTyQ5\n");
	slave(VIRT "/dm-2", VIRT "/dm-1");
	/* dm-3: LVM over dm-1 (LUKS) and sdb1 (plain) */
	device("254:3", VIRT "/dm-3", "LVM-mixed\n");
	slave(VIRT "/dm-3", VIRT "/dm-1");
	slave(VIRT "/dm-3", SDB "/sdb1");
	/* dm-4: dm-integrity alone (integritysetup) over sdb1: checked,
	 * not encrypted */
	device("254:4", VIRT "/dm-4",
	       "CRYPT-INTEGRITY-0123456789abcdef0123456789abcdef-sdb1_int\n");
	slave(VIRT "/dm-4", SDB "/sdb1");
	/* md0: RAID 1 over dm-0 and dm-1, both LUKS */
	device("9:0", VIRT "/md0", NULL);
	slave(VIRT "/md0", VIRT "/dm-0");
	slave(VIRT "/md0", VIRT "/dm-1");
	/* loop0, a file's */
	device("7:0", VIRT "/loop0", NULL);
	put(VIRT "/loop0/loop/backing_file", "/srv/disk.img\n");
	fab_dir(VIRT "/loop0/slaves");
	return 0;
}

static int
rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static int
teardown(void **state)
{
	(void)state;
	return nftw(top, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void
probe(const char *rel, struct cb_atrest *r)
{
	char p[PATH_MAX];

	join(p, top, rel);
	cb_atrest_probe(p, root, r);
}

static void
expect_mount(const struct cb_atrest *r, const char *rel)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s%s", *rel ? top : "/", rel);
	assert_string_equal(r->mount, p);
}

static void
test_plain_partition(void **state)
{
	struct cb_atrest r;

	(void)state;
	probe("plain/replica", &r);
	assert_int_equal(r.state, CB_ATREST_PLAIN);
	assert_int_equal(r.by, CB_ATREST_BY_NONE);
	assert_string_equal(r.device, "sda3");
	assert_string_equal(r.fstype, "ext4");
	expect_mount(&r, "/plain");
	/* a directory no other mount holds: the root's, sda1 */
	probe("plainer", &r);
	assert_int_equal(r.state, CB_ATREST_PLAIN);
	assert_string_equal(r.device, "sda1");
	expect_mount(&r, "");
	/* a whole disk, with an empty slaves/ */
	probe("whole", &r);
	assert_int_equal(r.state, CB_ATREST_PLAIN);
	assert_string_equal(r.device, "sdb");
	assert_string_equal(cb_atrest_state_name(r.state), "plain");
	assert_null(cb_atrest_by_name(r.by));
}

static void
test_luks(void **state)
{
	struct cb_atrest r;

	(void)state;
	probe("luks/replica", &r);
	assert_int_equal(r.state, CB_ATREST_ENCRYPTED);
	assert_int_equal(r.by, CB_ATREST_BY_DMCRYPT);
	assert_string_equal(r.device, "dm-0");
	/* /luks/rep is a string prefix of /luks/replica, not its mount */
	expect_mount(&r, "/luks");
	assert_string_equal(cb_atrest_state_name(r.state), "encrypted");
	assert_string_equal(cb_atrest_by_name(r.by), "dm-crypt");
	/* a mount point with a space, escaped in mountinfo */
	probe("with space/replica", &r);
	assert_int_equal(r.state, CB_ATREST_ENCRYPTED);
	expect_mount(&r, "/with space");
}

static void
test_lvm_on_luks(void **state)
{
	struct cb_atrest r;

	(void)state;
	probe("lvm/a/b/replica", &r);
	assert_int_equal(r.state, CB_ATREST_ENCRYPTED);
	assert_int_equal(r.by, CB_ATREST_BY_DMCRYPT);
	assert_string_equal(r.device, "dm-2");
	/* RAID over two LUKS devices */
	probe("raid", &r);
	assert_int_equal(r.state, CB_ATREST_ENCRYPTED);
	assert_string_equal(r.device, "md0");
}

static void
test_lvm_over_plain_and_luks(void **state)
{
	struct cb_atrest r;

	(void)state;
	probe("mixed", &r);
	assert_int_equal(r.state, CB_ATREST_PLAIN);
	assert_string_equal(r.device, "dm-3");
	/* a CRYPT- uuid that checks integrity and encrypts nothing */
	probe("integrity", &r);
	assert_int_equal(r.state, CB_ATREST_PLAIN);
	assert_string_equal(r.device, "dm-4");
}

static void
test_mounted_over(void **state)
{
	struct cb_atrest r;

	(void)state;
	/* plain sda3 at /stack, then LUKS mounted over it: LUKS holds it */
	probe("stack", &r);
	assert_int_equal(r.state, CB_ATREST_ENCRYPTED);
	assert_string_equal(r.device, "dm-0");
}

static void
test_tmpfs(void **state)
{
	struct cb_atrest r;

	(void)state;
	probe("tmpfs", &r);
	assert_int_equal(r.state, CB_ATREST_PLAIN);
	assert_string_equal(r.fstype, "tmpfs");
	assert_string_equal(r.device, "");
}

static void
test_cannot_tell(void **state)
{
	char p[PATH_MAX];
	struct cb_atrest r;

	(void)state;
	probe("overlay", &r);
	assert_int_equal(r.state, CB_ATREST_UNKNOWN);
	assert_int_equal(r.why, CB_ATREST_WHY_NO_DEVICE);
	assert_string_equal(r.detail, "overlay");
	assert_string_equal(cb_atrest_state_name(r.state), "unknown");
	/* 8:99 has no /sys/dev/block entry */
	probe("nosys", &r);
	assert_int_equal(r.state, CB_ATREST_UNKNOWN);
	assert_int_equal(r.why, CB_ATREST_WHY_SYSFS);
	assert_non_null(strstr(r.detail, "/sys/dev/block/8:99"));
	probe("loop", &r);
	assert_int_equal(r.state, CB_ATREST_UNKNOWN);
	assert_int_equal(r.why, CB_ATREST_WHY_LOOP);
	probe("no such directory", &r);
	assert_int_equal(r.state, CB_ATREST_UNKNOWN);
	assert_int_equal(r.why, CB_ATREST_WHY_DIR);
	/* no /proc: nothing claimed, even of a directory on LUKS */
	join(p, top, "luks/replica");
	cb_atrest_probe(p, top, &r);
	assert_int_equal(r.state, CB_ATREST_UNKNOWN);
	assert_int_equal(r.why, CB_ATREST_WHY_MOUNTINFO);
	assert_non_null(strstr(r.detail, "/proc/self/mountinfo"));
	/* a mountinfo that holds no mount of it */
	put("proc/self/mountinfo", "garbage\n21 1 8:3 / /elsewhere rw - ext4 "
	                           "/dev/sda3 rw\n22 1 8:3 / /x rw\n");
	cb_atrest_probe(p, root, &r);
	assert_int_equal(r.state, CB_ATREST_UNKNOWN);
	assert_int_equal(r.why, CB_ATREST_WHY_NO_MOUNT);
}

static void
test_this_machine(void **state)
{
	struct cb_atrest r;

	(void)state;
	/* whatever this machine is, the probe of the real /proc and /sys
	 * says something consistent */
	cb_atrest_probe("/tmp", NULL, &r);
	if (r.state == CB_ATREST_UNKNOWN)
		assert_int_not_equal(r.why, CB_ATREST_WHY_NONE);
	else
		assert_string_not_equal(r.mount, "");
	assert_true((r.state == CB_ATREST_ENCRYPTED) ==
	            (r.by != CB_ATREST_BY_NONE));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		/* test_cannot_tell rewrites mountinfo: last */
		cmocka_unit_test(test_plain_partition),
		cmocka_unit_test(test_luks),
		cmocka_unit_test(test_lvm_on_luks),
		cmocka_unit_test(test_lvm_over_plain_and_luks),
		cmocka_unit_test(test_mounted_over),
		cmocka_unit_test(test_tmpfs),
		cmocka_unit_test(test_this_machine),
		cmocka_unit_test(test_cannot_tell),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
