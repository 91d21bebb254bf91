/* SPDX-License-Identifier: MIT */
/* atrest.c — whether a directory's files are encrypted at rest: fscrypt
 * by its ioctl (Documentation/filesystems/fscrypt.rst), eCryptfs by its
 * mount, dm-crypt by the device-mapper uuid ("CRYPT-LUKS2-…",
 * "CRYPT-PLAIN-…", as cryptsetup names them) of the block device under
 * the mount that holds it (proc(5)'s /proc/PID/mountinfo; sysfs's
 * /sys/dev/block/MAJ:MIN and its slaves/, the devices a dm or md device
 * is built on). Only what was read is claimed: anything unreadable is
 * "cannot tell". */
#define _GNU_SOURCE
#include "atrest.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fscrypt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* device-mapper stacks are a few layers deep (LVM on LUKS on RAID); a
 * loop in a fabricated tree must not recurse for ever */
#define ATREST_MAX_DEPTH 16

static void
set_unknown(struct cb_atrest *r, enum cb_atrest_why why, const char *detail)
{
	r->state = CB_ATREST_UNKNOWN;
	r->by = CB_ATREST_BY_NONE;
	r->why = why;
	snprintf(r->detail, sizeof(r->detail), "%s", detail);
}

/* 1: dir is in an fscrypt directory; 0: it is not, or the filesystem
 * has no fscrypt. */
static int
fscrypt_policy(int fd)
{
	struct fscrypt_get_policy_ex_arg ex;
	struct fscrypt_policy_v1 v1;

	memset(&ex, 0, sizeof(ex));
	ex.policy_size = sizeof(ex.policy);
	if (ioctl(fd, FS_IOC_GET_ENCRYPTION_POLICY_EX, &ex) == 0 ||
	    errno == EOVERFLOW) /* a policy larger than any known */
		return 1;
	if (errno != ENOTTY && errno != EINVAL)
		return 0; /* ENODATA: not encrypted; EOPNOTSUPP: no fscrypt */
	/* EINVAL: a policy version this kernel's header does not know,
	 * which the v1 ioctl below refuses the same way */
	/* a kernel before 5.4: the v1 ioctl, which refuses a v2 policy
	 * with EINVAL — and a v2 policy is encryption too */
	if (ioctl(fd, FS_IOC_GET_ENCRYPTION_POLICY, &v1) == 0)
		return 1;
	return errno == EINVAL;
}

/* mountinfo's octal escapes (\040 a space, \011, \012, \134) undone in
 * place. */
static void
unescape(char *s)
{
	char *w = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' &&
		    s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*w++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 +
			              (s[3] - '0'));
			s += 3;
		} else {
			*w++ = *s;
		}
	}
	*w = '\0';
}

/* Does the mount point mp hold path? */
static size_t
mount_holds(const char *mp, const char *path)
{
	size_t n = strlen(mp);

	if (strcmp(mp, "/") == 0)
		return 1;
	if (strncmp(mp, path, n) == 0 && (path[n] == '/' || path[n] == '\0'))
		return n;
	return 0;
}

struct mount_line {
	unsigned maj, min;
	char *mp, *fstype, *source;
};

/* One line of mountinfo split into its fields (in place); false when it
 * is not one. "36 35 98:0 /mnt1 /mnt/parent rw master:1 - ext3 /dev/root
 * rw": id, parent, MAJ:MIN, root, mount point, options, optional
 * fields up to "-", fstype, source, super options. */
static bool
mount_line_parse(char *line, struct mount_line *m)
{
	char *f[6], *save = NULL, *tok;
	int n = 0;

	line[strcspn(line, "\n")] = '\0';
	for (tok = strtok_r(line, " ", &save); tok && n < 6;
	     tok = strtok_r(NULL, " ", &save))
		f[n++] = tok;
	if (n < 6 || sscanf(f[2], "%u:%u", &m->maj, &m->min) != 2)
		return false;
	while (tok && strcmp(tok, "-") != 0)
		tok = strtok_r(NULL, " ", &save);
	if (!tok || !(m->fstype = strtok_r(NULL, " ", &save)))
		return false;
	m->source = strtok_r(NULL, " ", &save);
	if (!m->source)
		m->source = "";
	m->mp = f[4];
	unescape(m->mp);
	unescape(m->source);
	return true;
}

/* The mount holding path (the longest mount point; of equal ones the
 * last, which covers the others): its fields into r, its device into
 * *dev and its source into source. 0 found, -1 mountinfo unreadable
 * (r->detail says which), 1 no mount holds it. */
static int
find_mount(const char *path, const char *root, struct cb_atrest *r, dev_t *dev,
           char *source, size_t source_size)
{
	char mi[PATH_MAX], *line = NULL;
	size_t cap = 0, best = 0;
	FILE *fp;

	snprintf(mi, sizeof(mi), "%s/proc/self/mountinfo", root);
	if (!(fp = fopen(mi, "re"))) {
		snprintf(r->detail, sizeof(r->detail), "%s", mi);
		return -1;
	}
	while (getline(&line, &cap, fp) > 0) {
		struct mount_line m;
		size_t n;

		if (!mount_line_parse(line, &m) ||
		    !(n = mount_holds(m.mp, path)) || n < best)
			continue;
		best = n;
		*dev = makedev(m.maj, m.min);
		snprintf(r->mount, sizeof(r->mount), "%s", m.mp);
		snprintf(r->fstype, sizeof(r->fstype), "%s", m.fstype);
		snprintf(source, source_size, "%s", m.source);
	}
	free(line);
	if (ferror(fp)) {
		fclose(fp);
		snprintf(r->detail, sizeof(r->detail), "%s", mi);
		return -1;
	}
	fclose(fp);
	return best ? 0 : 1;
}

/* Is a device-mapper uuid a dm-crypt device's? cryptsetup names its
 * devices "CRYPT-TYPE-…": LUKS1, LUKS2, PLAIN, LOOPAES, TCRYPT, BITLK
 * encrypt; VERITY and INTEGRITY (veritysetup, integritysetup) only
 * check, and SUBDEV is the integrity layer under a LUKS2 device. */
static bool
dm_crypt(const char *uuid)
{
	static const char *const not_encryption[] = {
		"CRYPT-VERITY-",
		"CRYPT-INTEGRITY-",
		"CRYPT-SUBDEV-",
	};

	if (strncmp(uuid, "CRYPT-", 6) != 0)
		return false;
	for (size_t i = 0; i < sizeof(not_encryption) / sizeof(*not_encryption);
	     i++)
		if (strncmp(uuid, not_encryption[i],
		            strlen(not_encryption[i])) == 0)
			return false;
	return true;
}

/* Is the block device at sysfs directory dev encrypted? 1 yes: a
 * dm-crypt device, or built only on encrypted devices; 0 no: a disk,
 * a partition, or anything with a branch that is not; -1 cannot tell
 * (r->why, r->detail say why). */
static int
device_encrypted(const char *dev, int depth, struct cb_atrest *r)
{
	char p[PATH_MAX], uuid[128];
	struct dirent *de;
	int verdict = 1, any = 0;
	DIR *d;
	FILE *fp;

	if (depth > ATREST_MAX_DEPTH) {
		set_unknown(r, CB_ATREST_WHY_SYSFS, dev);
		return -1;
	}
	snprintf(p, sizeof(p), "%s/dm/uuid", dev);
	if ((fp = fopen(p, "re"))) {
		bool crypt = fgets(uuid, sizeof(uuid), fp) && dm_crypt(uuid);

		fclose(fp);
		if (crypt)
			return 1;
	}
	snprintf(p, sizeof(p), "%s/loop/backing_file", dev);
	if (access(p, F_OK) == 0) {
		set_unknown(r, CB_ATREST_WHY_LOOP, dev);
		return -1;
	}
	snprintf(p, sizeof(p), "%s/slaves", dev);
	if (!(d = opendir(p))) {
		if (errno == ENOENT)
			return 0; /* a partition: nothing under it */
		set_unknown(r, CB_ATREST_WHY_SYSFS, p);
		return -1;
	}
	while (verdict == 1 && (de = readdir(d))) {
		char sub[PATH_MAX], real[PATH_MAX];

		if (de->d_name[0] == '.')
			continue;
		any = 1;
		if (snprintf(sub, sizeof(sub), "%s/%s", p, de->d_name) >=
		            (int)sizeof(sub) ||
		    !realpath(sub, real)) {
			set_unknown(r, CB_ATREST_WHY_SYSFS, p);
			verdict = -1;
			break;
		}
		verdict = device_encrypted(real, depth + 1, r);
	}
	closedir(d);
	return any ? verdict : 0;
}

void
cb_atrest_probe(const char *dir, const char *root, struct cb_atrest *r)
{
	char path[PATH_MAX], source[PATH_MAX], sys[PATH_MAX], real[PATH_MAX];
	dev_t dev = 0;
	bool fscrypt;
	int fd, v;

	memset(r, 0, sizeof(*r));
	if (!root)
		root = "";
	if (!realpath(dir, path) ||
	    (fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		set_unknown(r, CB_ATREST_WHY_DIR, strerror(errno));
		return;
	}
	fscrypt = fscrypt_policy(fd) == 1;
	close(fd);
	v = find_mount(path, root, r, &dev, source, sizeof(source));
	if (fscrypt) {
		/* the mount, if read, only to show where */
		r->state = CB_ATREST_ENCRYPTED;
		r->by = CB_ATREST_BY_FSCRYPT;
		r->detail[0] = '\0';
		return;
	}
	if (v < 0) {
		/* find_mount named the file in r->detail */
		r->state = CB_ATREST_UNKNOWN;
		r->why = CB_ATREST_WHY_MOUNTINFO;
		return;
	}
	if (v > 0) {
		set_unknown(r, CB_ATREST_WHY_NO_MOUNT, path);
		return;
	}
	if (strcmp(r->fstype, "ecryptfs") == 0) {
		r->state = CB_ATREST_ENCRYPTED;
		r->by = CB_ATREST_BY_ECRYPTFS;
		return;
	}
	if (strcmp(r->fstype, "tmpfs") == 0 ||
	    strcmp(r->fstype, "ramfs") == 0) {
		r->state = CB_ATREST_PLAIN;
		return;
	}
	if (major(dev) == 0) {
		/* btrfs shows an anonymous device; its source names the
		 * block device */
		struct stat st;
		char src[PATH_MAX];

		snprintf(src, sizeof(src), "%s%s", root, source);
		if (strncmp(source, "/dev/", 5) != 0 || stat(src, &st) != 0 ||
		    !S_ISBLK(st.st_mode)) {
			set_unknown(r, CB_ATREST_WHY_NO_DEVICE, r->fstype);
			return;
		}
		dev = st.st_rdev;
	}
	snprintf(sys, sizeof(sys), "%s/sys/dev/block/%u:%u", root, major(dev),
	         minor(dev));
	if (!realpath(sys, real)) {
		set_unknown(r, CB_ATREST_WHY_SYSFS, sys);
		return;
	}
	snprintf(r->device, sizeof(r->device), "%s", strrchr(real, '/') + 1);
	v = device_encrypted(real, 0, r);
	if (v < 0)
		return;
	r->state = v ? CB_ATREST_ENCRYPTED : CB_ATREST_PLAIN;
	r->by = v ? CB_ATREST_BY_DMCRYPT : CB_ATREST_BY_NONE;
}

const char *
cb_atrest_state_name(enum cb_atrest_state s)
{
	switch (s) {
	case CB_ATREST_ENCRYPTED: return "encrypted";
	case CB_ATREST_PLAIN: return "plain";
	case CB_ATREST_UNKNOWN: break;
	}
	return "unknown";
}

const char *
cb_atrest_by_name(enum cb_atrest_by by)
{
	switch (by) {
	case CB_ATREST_BY_DMCRYPT: return "dm-crypt";
	case CB_ATREST_BY_FSCRYPT: return "fscrypt";
	case CB_ATREST_BY_ECRYPTFS: return "ecryptfs";
	case CB_ATREST_BY_NONE: break;
	}
	return NULL;
}
