/* Field values from an event record (include/saker/event_fields.h). The kernel side computes the
 * same fields for its predicates; the differential test holds the two to each other. */
#define _GNU_SOURCE
#include "saker/event_fields.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "saker/fields.h"

/* The syscalls whose exits fill open_flags and the fd fields. */
static bool is_open_call(uint32_t nr)
{
	return nr == 2 /* open */ || nr == 85 /* creat */ || nr == 257 /* openat */ ||
	       nr == 437 /* openat2 */;
}

static void v_str(struct sk_field_value *v, const char *s, size_t len)
{
	v->kind = SK_VAL_STR;
	v->s = s;
	v->len = len;
}

static void v_cstr(struct sk_field_value *v, const char *s)
{
	if (s)
		v_str(v, s, strlen(s));
}

/* A string of at most CAP bytes of the record (CAP < SK_FIELD_SCRATCH). The kernel terminates
 * them, but a record is untrusted input: one with no NUL within CAP is copied and terminated. */
static void v_buf(struct sk_field_value *v, const char *buf, size_t cap, char *scratch)
{
	size_t n = strnlen(buf, cap);
	if (n == cap) {
		memcpy(scratch, buf, n);
		scratch[n] = 0;
		buf = scratch;
	}
	v_str(v, buf, n);
}

static void v_i64(struct sk_field_value *v, int64_t i)
{
	v->kind = SK_VAL_I64;
	v->i = i;
}

static void v_u64(struct sk_field_value *v, uint64_t u)
{
	v->kind = SK_VAL_U64;
	v->u = u;
}

static void v_bool(struct sk_field_value *v, bool b)
{
	v->kind = SK_VAL_BOOL;
	v->b = b;
}

void sk_event_field(const struct saker_event *ev, int field, struct sk_field_value *v,
		    char scratch[SK_FIELD_SCRATCH])
{
	const bool open_call = is_open_call(ev->syscall_nr);
	/* an open whose flags the kernel could not read has no flag fields */
	const bool flags_na = open_call && (ev->valid & SAKER_EV_FLAGS_NA);
	const bool have_path = ev->valid & SAKER_EV_PATH;
	/* as Falco: a failed open has fd.name (the path the call named) and fd.directory,
	 * fd.typechar 'f', but no fd.filename and no fd.type */
	const bool failed_open = open_call && ev->res < 0;
	const size_t path_len = strnlen(ev->path, sizeof(ev->path) - 1);
	const char *slash = have_path ? memrchr(ev->path, '/', path_len) : NULL;
	const uint64_t acc = ev->open_flags & 3;

	memset(v, 0, sizeof(*v));
	scratch[0] = 0;
	switch ((enum sk_field_id)field) {
	case SK_FLD_EVT_TYPE:
		v_cstr(v, sk_event_name(sk_event_from_nr(SK_ARCH_X86_64, ev->syscall_nr)));
		break;
	case SK_FLD_EVT_DIR:
		v_cstr(v, "<"); /* every event is a syscall exit */
		break;
	case SK_FLD_EVT_IS_OPEN_READ:
		if (!flags_na)
			v_bool(v, open_call && (acc == 0 || acc == 2));
		break;
	case SK_FLD_EVT_IS_OPEN_WRITE:
		if (!flags_na)
			v_bool(v, open_call && (acc == 1 || acc == 2));
		break;
	case SK_FLD_EVT_IS_OPEN_CREATE:
		if (!flags_na)
			v_bool(v, open_call && (ev->open_flags & 0100));
		break;
	case SK_FLD_EVT_ARG_FLAGS:
		if (open_call && !flags_na) {
			sk_open_flags_render(ev->open_flags, scratch, SK_FIELD_SCRATCH);
			v_cstr(v, scratch);
		}
		break;
	case SK_FLD_EVT_RAWARG_FLAGS:
		if (open_call && !flags_na)
			v_u64(v, ev->open_flags);
		break;
	case SK_FLD_EVT_RES:
		if (ev->res >= 0) {
			v_cstr(v, "SUCCESS");
		} else {
			const char *name = ev->res >= -4095 ? sk_errno_name((int)-ev->res) : NULL;
			if (!name) {
				snprintf(scratch, SK_FIELD_SCRATCH, "%" PRId64, (int64_t)ev->res);
				name = scratch;
			}
			v_cstr(v, name);
		}
		break;
	case SK_FLD_EVT_RAWRES:
		v_i64(v, ev->res);
		break;
	case SK_FLD_EVT_FAILED:
		v_bool(v, ev->res < 0);
		break;
	case SK_FLD_FD_NAME:
		if (have_path)
			v_buf(v, ev->path, sizeof(ev->path) - 1, scratch);
		break;
	case SK_FLD_FD_DIRECTORY:
		/* "/a/b" -> "/a", "/b" -> "/"; a path without a slash has no directory */
		if (slash) {
			size_t n = slash == ev->path ? 1 : (size_t)(slash - ev->path);
			memcpy(scratch, ev->path, n);
			scratch[n] = 0;
			v_str(v, scratch, n);
		}
		break;
	case SK_FLD_FD_FILENAME:
		if (have_path && !failed_open) {
			const char *base = slash ? slash + 1 : ev->path;
			v_buf(v, base, sizeof(ev->path) - 1 - (size_t)(base - ev->path), scratch);
		}
		break;
	case SK_FLD_FD_TYPECHAR:
		if (failed_open)
			v_cstr(v, "f");
		else if (have_path)
			v_cstr(v, ev->valid & SAKER_EV_DIR ? "d" : "f");
		break;
	case SK_FLD_FD_TYPE:
		if (have_path && !failed_open)
			v_cstr(v, ev->valid & SAKER_EV_DIR ? "directory" : "file");
		break;
	case SK_FLD_FD_NUM:
		if (open_call)
			v_i64(v, ev->res >= 0 ? ev->res : -1);
		break;
	case SK_FLD_PROC_NAME:
		v_buf(v, ev->comm, SAKER_COMM_LEN - 1, scratch);
		break;
	case SK_FLD_PROC_PID:
		v_i64(v, ev->pid);
		break;
	case SK_FLD_THREAD_TID:
		v_i64(v, ev->tid);
		break;
	case SK_FLD_PROC_PPID:
		if (ev->valid & SAKER_EV_PARENT)
			v_i64(v, ev->ppid);
		break;
	case SK_FLD_PROC_PNAME:
		if (ev->valid & SAKER_EV_PARENT)
			v_buf(v, ev->pcomm, SAKER_COMM_LEN - 1, scratch);
		break;
	case SK_FLD_PROC_EXEPATH:
		if (ev->valid & SAKER_EV_EXE)
			v_buf(v, ev->exepath, sizeof(ev->exepath) - 1, scratch);
		break;
	case SK_FLD_USER_UID:
		v_u64(v, ev->uid);
		break;
	case SK_FLD_USER_LOGINUID:
		/* the audit "unset" value reads as -1; any other id keeps its unsigned value */
		v_i64(v, (ev->valid & SAKER_EV_LOGINUID) && ev->loginuid != UINT32_MAX
			      ? (int64_t)ev->loginuid : -1);
		break;
	case SK_FLD_GROUP_GID:
		v_u64(v, ev->gid);
		break;
	case SK_FLD_CONTAINER_ID:
		if (ev->valid & SAKER_EV_CONTAINER)
			v_buf(v, ev->container_id, SAKER_CID_LEN - 1, scratch);
		else
			v_cstr(v, "host");
		break;
	default:
		/* only user space knows it (evt.time, user.name, container.image...) */
		break;
	}
}
