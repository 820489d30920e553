/* The evaluator of reference (eval.h): field values read from an event record the way the runtime
 * renders them, and every predicate kind and comparison of pred.h, written for clarity, not speed. */
#define _GNU_SOURCE
#include <errno.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval.h"
#include "saker/fields.h"

/* ---- field values ------------------------------------------------------------------------ */

/* The syscalls whose exits fill open_flags and the fd fields. */
static int is_open_call(uint32_t nr)
{
	return nr == 2 /* open */ || nr == 85 /* creat */ || nr == 257 /* openat */ ||
	       nr == 437 /* openat2 */;
}

static void v_str(struct sk_eval_value *v, const char *s, size_t len)
{
	v->kind = SK_EV_STR;
	v->s = s;
	v->len = len;
}

static void v_cstr(struct sk_eval_value *v, const char *s)
{
	if (s)
		v_str(v, s, strlen(s));
}

static void v_int(struct sk_eval_value *v, int64_t i)
{
	v->kind = SK_EV_INT;
	v->i = i;
}

void sk_eval_field(const struct saker_event *ev, int field, struct sk_eval_value *v,
		   char scratch[SK_EVAL_SCRATCH])
{
	const int open_call = is_open_call(ev->syscall_nr);
	const int flags_na = open_call && (ev->valid & SAKER_EV_FLAGS_NA);
	const int have_path = (ev->valid & SAKER_EV_PATH) != 0;
	/* Falco's fd fields of a failed open: fd.name (the path the call named) and fd.directory,
	 * fd.typechar 'f', but no fd.filename and no fd.type */
	const int failed_open = open_call && ev->res < 0;
	/* Bounded: a record that skipped decoding must not send us past its buffers. */
	const size_t path_len = strnlen(ev->path, sizeof(ev->path) - 1);
	const char *slash = have_path ? memrchr(ev->path, '/', path_len) : NULL;
	const uint64_t acc = ev->open_flags & 3;

	memset(v, 0, sizeof(*v));
	scratch[0] = 0;
	switch ((enum sk_field_id)field) {
	case SK_FLD_EVT_TYPE:
		v_cstr(v, sk_syscall_name((int)ev->syscall_nr));
		break;
	case SK_FLD_EVT_DIR:
		v_cstr(v, "<"); /* every event is a syscall exit */
		break;
	/* an open whose flags the kernel could not read has no flag fields */
	case SK_FLD_EVT_IS_OPEN_READ:
		if (!flags_na)
			v_int(v, open_call && (acc == 0 || acc == 2));
		break;
	case SK_FLD_EVT_IS_OPEN_WRITE:
		if (!flags_na)
			v_int(v, open_call && (acc == 1 || acc == 2));
		break;
	case SK_FLD_EVT_IS_OPEN_CREATE:
		if (!flags_na)
			v_int(v, open_call && (ev->open_flags & 0100) != 0);
		break;
	case SK_FLD_EVT_ARG_FLAGS:
		if (open_call && !flags_na) {
			sk_open_flags_render(ev->open_flags, scratch, SK_EVAL_SCRATCH);
			v_cstr(v, scratch);
		}
		break;
	case SK_FLD_EVT_RAWARG_FLAGS:
		if (open_call && !flags_na)
			v_int(v, (int64_t)ev->open_flags);
		break;
	case SK_FLD_EVT_RES:
		if (ev->res >= 0) {
			v_cstr(v, "SUCCESS");
		} else {
			const char *name = ev->res >= -4095 ? sk_errno_name((int)-ev->res) : NULL;
			if (!name) {
				snprintf(scratch, SK_EVAL_SCRATCH, "%" PRId64, (int64_t)ev->res);
				name = scratch;
			}
			v_cstr(v, name);
		}
		break;
	case SK_FLD_EVT_RAWRES:
		v_int(v, ev->res);
		break;
	case SK_FLD_EVT_FAILED:
		v_int(v, ev->res < 0);
		break;
	case SK_FLD_FD_NAME:
		if (have_path)
			v_str(v, ev->path, path_len);
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
			v_str(v, base, path_len - (size_t)(base - ev->path));
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
			v_int(v, ev->res >= 0 ? ev->res : -1);
		break;
	case SK_FLD_PROC_NAME:
		v_str(v, ev->comm, strnlen(ev->comm, SAKER_COMM_LEN - 1));
		break;
	case SK_FLD_PROC_PID:
		v_int(v, ev->pid);
		break;
	case SK_FLD_THREAD_TID:
		v_int(v, ev->tid);
		break;
	case SK_FLD_PROC_PPID:
		if (ev->valid & SAKER_EV_PARENT)
			v_int(v, ev->ppid);
		break;
	case SK_FLD_PROC_PNAME:
		if (ev->valid & SAKER_EV_PARENT)
			v_str(v, ev->pcomm, strnlen(ev->pcomm, SAKER_COMM_LEN - 1));
		break;
	case SK_FLD_PROC_EXEPATH:
		if (ev->valid & SAKER_EV_EXE)
			v_str(v, ev->exepath, strnlen(ev->exepath, sizeof(ev->exepath) - 1));
		break;
	case SK_FLD_USER_UID:
		v_int(v, ev->uid);
		break;
	case SK_FLD_USER_LOGINUID:
		/* the audit "unset" value reads as -1; any other id keeps its unsigned value */
		v_int(v, (ev->valid & SAKER_EV_LOGINUID) && ev->loginuid != UINT32_MAX
			    ? (int64_t)ev->loginuid : -1);
		break;
	case SK_FLD_GROUP_GID:
		v_int(v, ev->gid);
		break;
	case SK_FLD_CONTAINER_ID:
		if (ev->valid & SAKER_EV_CONTAINER)
			v_str(v, ev->container_id, strnlen(ev->container_id, SAKER_CID_LEN - 1));
		else
			v_cstr(v, "host");
		break;
	default:
		/* only user space knows it (evt.time, user.name, container.image...) */
		break;
	}
}

/* ---- string tests ------------------------------------------------------------------------ */

static int bytes_cmp(const char *a, size_t an, const char *b, size_t bn)
{
	int r = memcmp(a, b, an < bn ? an : bn);
	if (r)
		return r;
	return (an > bn) - (an < bn);
}

static int bytes_eq(const char *a, size_t an, const char *b, size_t bn)
{
	return an == bn && !memcmp(a, b, an);
}

static char lower(char ch)
{
	return ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
}

static int icontains(const char *s, size_t n, const char *pat, size_t pn)
{
	for (size_t i = 0; i + pn <= n; i++) {
		size_t j = 0;
		while (j < pn && lower(s[i + j]) == lower(pat[j]))
			j++;
		if (j == pn)
			return 1;
	}
	return 0;
}

/* fnmatch(PAT, S, 0) with PAT given by length: Falco's glob, where '*' crosses '/'. */
static int glob(const char *pat, size_t pn, const char *s, size_t sn)
{
	char *p = strndup(pat, pn), *v = strndup(s, sn);
	int r = p && v ? fnmatch(p, v, 0) == 0 : -ENOMEM;
	free(p);
	free(v);
	return r;
}

/* The next '/'-separated component of S[*POS, N), skipping empty ones; 0 when there is none. */
static int component(const char *s, size_t n, size_t *pos, const char **c, size_t *cn)
{
	size_t i = *pos;
	while (i < n && s[i] == '/')
		i++;
	if (i == n)
		return 0;
	*c = s + i;
	while (i < n && s[i] != '/')
		i++;
	*cn = (size_t)(s + i - *c);
	*pos = i;
	return 1;
}

/* Falco's pmatch (libsinsp path_prefix_search): the pattern's components, empty ones skipped,
 * are the path's first components; a pattern component holding '?', '*' or '[' is a glob for
 * one whole component. So "/var/run" holds for "/var/run" and "/var/run/x", not "/var/runx". */
static int pmatch(const char *pat, size_t pn, const char *s, size_t sn)
{
	size_t pp = 0, sp = 0, cpn, csn;
	const char *cp, *cs;
	while (component(pat, pn, &pp, &cp, &cpn)) {
		if (!component(s, sn, &sp, &cs, &csn))
			return 0;
		int hit = memchr(cp, '?', cpn) || memchr(cp, '*', cpn) || memchr(cp, '[', cpn)
				  ? glob(cp, cpn, cs, csn)
				  : bytes_eq(cp, cpn, cs, csn);
		if (hit <= 0)
			return hit;
	}
	return 1;
}

static int str_one(enum sk_cmp cmp, const char *s, size_t n, const char *x, size_t xn)
{
	switch (cmp) {
	case SK_CMP_EQ: case SK_CMP_IN: return bytes_eq(s, n, x, xn);
	case SK_CMP_NE: return !bytes_eq(s, n, x, xn);
	case SK_CMP_LT: return bytes_cmp(s, n, x, xn) < 0;
	case SK_CMP_LE: return bytes_cmp(s, n, x, xn) <= 0;
	case SK_CMP_GT: return bytes_cmp(s, n, x, xn) > 0;
	case SK_CMP_GE: return bytes_cmp(s, n, x, xn) >= 0;
	case SK_CMP_PREFIX: return n >= xn && !memcmp(s, x, xn);
	case SK_CMP_SUFFIX: return n >= xn && !memcmp(s + n - xn, x, xn);
	case SK_CMP_CONTAINS: return memmem(s, n, x, xn) != NULL;
	case SK_CMP_ICONTAINS: return icontains(s, n, x, xn);
	case SK_CMP_GLOB: return glob(x, xn, s, n);
	case SK_CMP_PMATCH: return pmatch(x, xn, s, n);
	}
	return 0;
}

static int str_leaf(const sk_pred *p, const struct sk_eval_value *v)
{
	char num[32];
	const char *s = v->s;
	size_t n = v->len;

	if (v->kind == SK_EV_NA)
		return 0;
	if (v->kind == SK_EV_INT) {
		/* a number or boolean tested as text: its rendering */
		if (p->field >= 0 && p->field < SK_FLD__COUNT && sk_fields[p->field].type == SK_T_BOOL)
			snprintf(num, sizeof(num), "%s", v->i ? "true" : "false");
		else if (p->field >= 0 && p->field < SK_FLD__COUNT && sk_fields[p->field].type == SK_T_U64)
			snprintf(num, sizeof(num), "%" PRIu64, (uint64_t)v->i);
		else
			snprintf(num, sizeof(num), "%" PRId64, v->i);
		s = num;
		n = strlen(num);
	}
	/* IN and PMATCH hold for any of the values; the other tests take the first. */
	size_t n_vals = p->cmp == SK_CMP_IN || p->cmp == SK_CMP_PMATCH ? p->n_strs
				 : p->n_strs ? 1 : 0;
	for (size_t i = 0; i < n_vals; i++) {
		int r = str_one(p->cmp, s, n, p->strs[i], p->str_lens[i]);
		if (r)
			return r;
	}
	return 0;
}

/* ---- integer tests ----------------------------------------------------------------------- */

static int int_leaf(const sk_pred *p, const struct sk_eval_value *v)
{
	if (v->kind != SK_EV_INT)
		return 0;
	/* mask the 64 bits, then compare signed: unsigned fields never reach the sign bit */
	int64_t x = (int64_t)((uint64_t)v->i & p->mask);
	switch (p->cmp) {
	case SK_CMP_EQ: return x == p->ival;
	case SK_CMP_NE: return x != p->ival;
	case SK_CMP_LT: return x < p->ival;
	case SK_CMP_LE: return x <= p->ival;
	case SK_CMP_GT: return x > p->ival;
	case SK_CMP_GE: return x >= p->ival;
	case SK_CMP_IN:
		for (size_t i = 0; i < p->n_ivals; i++)
			if (x == p->ivals[i])
				return 1;
		return 0;
	default:
		return 0;
	}
}

/* ---- predicates -------------------------------------------------------------------------- */

static int leaf(const sk_pred *p, const struct saker_event *ev)
{
	char scratch[SK_EVAL_SCRATCH];
	struct sk_eval_value v;

	sk_eval_field(ev, p->field, &v, scratch);
	return p->kind == SK_P_INT ? int_leaf(p, &v) : str_leaf(p, &v);
}

int sk_eval_pred(const sk_pred *p, const struct saker_event *ev)
{
	int r;

	switch (p->kind) {
	case SK_P_CONST:
		return p->value != 0;
	case SK_P_AND:
	case SK_P_OR:
		/* AND stops at the first false kid, OR at the first true one (or at an error) */
		for (size_t i = 0; i < p->n_kids; i++) {
			r = sk_eval_pred(p->kids[i], ev);
			if (r < 0 || r == (p->kind == SK_P_OR))
				return r;
		}
		return p->kind == SK_P_AND;
	case SK_P_NOT:
		/* boolean negation: a leaf that is false for want of a value becomes true */
		if (p->n_kids != 1)
			return 0;
		r = sk_eval_pred(p->kids[0], ev);
		return r < 0 ? r : !r;
	case SK_P_SYSCALL:
		for (size_t i = 0; i < p->n_ivals; i++)
			if (p->ivals[i] == (int64_t)ev->syscall_nr)
				return 1;
		return 0;
	case SK_P_INT:
	case SK_P_STR:
		return leaf(p, ev);
	}
	return 0;
}
