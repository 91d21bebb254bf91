/* SPDX-License-Identifier: MIT */
/* atrest.h — whether a directory's files are encrypted at rest: in an
 * fscrypt directory (the FS_IOC_GET_ENCRYPTION_POLICY ioctls), on
 * eCryptfs, or on a filesystem whose block device is dm-crypt, directly
 * or under LVM, RAID or another device-mapper layer (the mount that holds
 * the directory in /proc/self/mountinfo, its device's slaves in
 * /sys/dev/block, a "CRYPT-" dm uuid at the bottom of every branch).
 * A replica holds members' national ID numbers: init and status say when
 * a stolen laptop would give them away. */
#ifndef CB_ATREST_H
#define CB_ATREST_H

#include <limits.h>

enum cb_atrest_state {
	CB_ATREST_UNKNOWN = 0, /* cannot tell: see why */
	CB_ATREST_ENCRYPTED,
	CB_ATREST_PLAIN,
};

/* What encrypts it (CB_ATREST_ENCRYPTED). */
enum cb_atrest_by {
	CB_ATREST_BY_NONE = 0,
	CB_ATREST_BY_DMCRYPT,
	CB_ATREST_BY_FSCRYPT,
	CB_ATREST_BY_ECRYPTFS,
};

/* Why it cannot tell (CB_ATREST_UNKNOWN). */
enum cb_atrest_why {
	CB_ATREST_WHY_NONE = 0,
	CB_ATREST_WHY_DIR,       /* the directory itself: detail is errno's */
	CB_ATREST_WHY_MOUNTINFO, /* mountinfo unreadable: detail is the path */
	CB_ATREST_WHY_NO_MOUNT,  /* no mount in mountinfo holds it */
	CB_ATREST_WHY_SYSFS,     /* the device's sysfs unreadable: the path */
	CB_ATREST_WHY_NO_DEVICE, /* a filesystem of no block device here
	                          * (overlay, NFS, FUSE …): fstype */
	CB_ATREST_WHY_LOOP,      /* a loop device: its backing file decides */
};

struct cb_atrest {
	enum cb_atrest_state state;
	enum cb_atrest_by by;
	enum cb_atrest_why why;
	char mount[PATH_MAX];  /* the mount point holding it, "" if unknown */
	char fstype[64];       /* "ext4", "tmpfs", … */
	char device[64];       /* the kernel's name: "sda3", "dm-1"; or "" */
	char detail[PATH_MAX]; /* for why: a path, errno's text or fstype */
};

/* The test-only variable that puts /proc/self/mountinfo and /sys under
 * another directory (a fabricated tree): $CHIBO_TEST_ATREST_ROOT. Never
 * set on a real machine. */
#define CB_ATREST_ROOT_ENV "CHIBO_TEST_ATREST_ROOT"

/* Probe dir (which exists) and fill *r; never fails: what it cannot
 * read makes the state CB_ATREST_UNKNOWN with a why, never a guess.
 * root prefixes /proc/self/mountinfo and /sys (NULL or "": the real
 * ones). A tmpfs (or ramfs) is PLAIN: it has no key, and swap can write
 * its pages to disk in the clear. */
void cb_atrest_probe(const char *dir, const char *root, struct cb_atrest *r);

/* "plain", "encrypted" or "unknown", and "dm-crypt", "fscrypt",
 * "ecryptfs" or NULL: the words of 'status --json'. */
const char *cb_atrest_state_name(enum cb_atrest_state s);
const char *cb_atrest_by_name(enum cb_atrest_by by);

#endif
