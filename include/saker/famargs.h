/* Which argument fields each call of the file, cred and sys families has, and where its value
 * lies: shared by their kernel templates and sakerd's decoder (runtime/event_fields.c), so that
 * the two sides give a field a value on the same calls. Falco's names: symlink's target and
 * linkpath, link's and rename's oldpath and newpath, unlinkat's name, chmod's filename,
 * fchownat's pathname, mount's dev, dir and type... */
#ifndef SAKER_FAMARGS_H
#define SAKER_FAMARGS_H

#include "saker/fields.h"

enum sk_argsrc {
	SK_SRC_NONE,  /* the call has no such argument: the field is missing */
	SK_SRC_STR1,  /* string slot SAKER_STR_ARG1 */
	SK_SRC_STR2,  /* string slot SAKER_STR_ARG2 */
	SK_SRC_TAIL,  /* in the family's tail */
};

/* Where FIELD's value is on EVENT (one of the three families' calls). */
static inline int sk_famarg_src(unsigned event, int field)
{
	switch (field) {
	case SK_FLD_EVT_ARG_TARGET:
		return event == SK_EV_SYMLINK || event == SK_EV_SYMLINKAT ? SK_SRC_STR1 : 0;
	case SK_FLD_EVT_ARG_LINKPATH:
		return event == SK_EV_SYMLINK || event == SK_EV_SYMLINKAT ? SK_SRC_STR2 : 0;
	case SK_FLD_EVT_ARG_OLDPATH:
	case SK_FLD_EVT_ARG_NEWPATH:
		switch (event) {
		case SK_EV_LINK: case SK_EV_LINKAT:
		case SK_EV_RENAME: case SK_EV_RENAMEAT: case SK_EV_RENAMEAT2:
			return field == SK_FLD_EVT_ARG_OLDPATH ? SK_SRC_STR1 : SK_SRC_STR2;
		}
		return 0;
	case SK_FLD_EVT_ARG_PATH:
		switch (event) {
		case SK_EV_UNLINK: case SK_EV_MKDIR: case SK_EV_MKDIRAT: case SK_EV_RMDIR:
		case SK_EV_CHOWN: case SK_EV_LCHOWN:
			return SK_SRC_STR1;
		}
		return 0;
	case SK_FLD_EVT_ARG_NAME:
		return event == SK_EV_UNLINKAT || event == SK_EV_MEMFD_CREATE ? SK_SRC_STR1 : 0;
	case SK_FLD_EVT_ARG_FILENAME:
		return event == SK_EV_CHMOD || event == SK_EV_FCHMODAT ? SK_SRC_STR1 : 0;
	case SK_FLD_EVT_ARG_PATHNAME:
		return event == SK_EV_FCHOWNAT ? SK_SRC_STR1 : 0;
	case SK_FLD_EVT_ARG_MODE:
	case SK_FLD_EVT_RAWARG_MODE:
		switch (event) {
		case SK_EV_MKDIR: case SK_EV_MKDIRAT: case SK_EV_CHMOD: case SK_EV_FCHMOD:
		case SK_EV_FCHMODAT:
			return SK_SRC_TAIL;
		}
		return 0;
	case SK_FLD_EVT_ARG_UID:
	case SK_FLD_EVT_RAWARG_UID:
	case SK_FLD_EVT_ARG_GID:
	case SK_FLD_EVT_RAWARG_GID:
		switch (event) {
		case SK_EV_CHOWN: case SK_EV_FCHOWN: case SK_EV_LCHOWN: case SK_EV_FCHOWNAT:
			return SK_SRC_TAIL;
		case SK_EV_SETUID:
			return field == SK_FLD_EVT_ARG_UID || field == SK_FLD_EVT_RAWARG_UID ? SK_SRC_TAIL : 0;
		case SK_EV_SETGID:
			return field == SK_FLD_EVT_ARG_GID || field == SK_FLD_EVT_RAWARG_GID ? SK_SRC_TAIL : 0;
		}
		return 0;
	case SK_FLD_EVT_ARG_RUID:
	case SK_FLD_EVT_ARG_EUID:
		return event == SK_EV_SETREUID || event == SK_EV_SETRESUID ? SK_SRC_TAIL : 0;
	case SK_FLD_EVT_ARG_SUID:
		return event == SK_EV_SETRESUID ? SK_SRC_TAIL : 0;
	case SK_FLD_EVT_ARG_RGID:
	case SK_FLD_EVT_ARG_EGID:
		return event == SK_EV_SETREGID || event == SK_EV_SETRESGID ? SK_SRC_TAIL : 0;
	case SK_FLD_EVT_ARG_SGID:
		return event == SK_EV_SETRESGID ? SK_SRC_TAIL : 0;
	case SK_FLD_EVT_ARG_FD:
	case SK_FLD_EVT_RAWARG_FD:
		return event == SK_EV_FCHMOD || event == SK_EV_FCHOWN || event == SK_EV_FINIT_MODULE
			       ? SK_SRC_TAIL : 0;
	case SK_FLD_EVT_ARG_CMD:
	case SK_FLD_EVT_RAWARG_CMD:
		return event == SK_EV_BPF ? SK_SRC_TAIL : 0;
	case SK_FLD_EVT_ARG_DEV:
		return event == SK_EV_MOUNT ? SK_SRC_STR1 : 0;
	case SK_FLD_EVT_ARG_DIR:
		return event == SK_EV_MOUNT ? SK_SRC_STR2 : 0;
	case SK_FLD_EVT_ARG_FSTYPE:
		return event == SK_EV_MOUNT ? SK_SRC_TAIL : 0;
	case SK_FLD_EVT_ARG_UARGS:
		return event == SK_EV_INIT_MODULE || event == SK_EV_FINIT_MODULE ? SK_SRC_STR1 : 0;
	}
	return 0;
}

/* 1 when EVENT's first string is kept as the call gave it (symlink's target is the link's
 * content, relative to the link, not to the cwd; mount's source, memfd_create's name and the
 * module parameters are not paths); the others are made absolute and normalised. */
static inline int sk_famarg_raw1(unsigned event)
{
	switch (event) {
	case SK_EV_SYMLINK: case SK_EV_SYMLINKAT: case SK_EV_MOUNT: case SK_EV_MEMFD_CREATE:
	case SK_EV_INIT_MODULE: case SK_EV_FINIT_MODULE:
		return 1;
	}
	return 0;
}

/* The first of the i386 calls with 32-bit ids (lchown32; they run to setfsgid32, 216). */
#define SK_I386_FIRST_ID32 198

/* 1 when EVENT, called through the i386 entry as number NR, takes 16-bit ids (the calls
 * without "32", numbered below SK_I386_FIRST_ID32; 65535 stands for "unchanged" there). */
static inline int sk_famarg_id16(unsigned event, unsigned nr)
{
	if (nr >= SK_I386_FIRST_ID32)
		return 0;
	switch (event) {
	case SK_EV_CHOWN: case SK_EV_FCHOWN: case SK_EV_LCHOWN: case SK_EV_SETUID: case SK_EV_SETGID:
	case SK_EV_SETREUID: case SK_EV_SETREGID: case SK_EV_SETRESUID: case SK_EV_SETRESGID:
		return 1;
	}
	return 0;
}

#endif
