/* The shared tables behind fields.h and the priority names of bundle.h: fields, syscalls, open
 * flags, ptrace requests and errno names, each generated from its .def file so the compiler and
 * sakerd agree. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "saker/bundle.h"
#include "saker/fields.h"

SK_FAMILY_NAMES;
#define K(fams, cost, max, kflags) { fams, cost, max, kflags }
#define NOK { 0, 0, 0, 0 }
#define ANY SK_FB_ANY
const struct sk_field_info sk_fields[SK_FLD__COUNT] = {
#define SK_FIELD(id, name, type, arg, where, flags, kernel, desc) \
	[SK_FLD_##id] = { name, type, arg, where, flags, kernel, desc },
#include "saker/fields.def"
#undef SK_FIELD
};
#undef K
#undef NOK
#undef ANY

/* Field ids in name order, for lookups by name (a rules file can hold a million values, and
 * each is checked against the field names). Sorted once, before main. */
static int by_name[SK_FLD__COUNT];

static int cmp_by_name(const void *a, const void *b)
{
	return strcmp(sk_fields[*(const int *)a].name, sk_fields[*(const int *)b].name);
}

__attribute__((constructor)) static void sort_field_names(void)
{
	for (int i = 0; i < SK_FLD__COUNT; i++)
		by_name[i] = i;
	qsort(by_name, SK_FLD__COUNT, sizeof(by_name[0]), cmp_by_name);
}

int sk_field_resolved_ip(int field)
{
	switch (field) {
	case SK_FLD_FD_CIP_NAME: return SK_FLD_FD_CIP;
	case SK_FLD_FD_SIP_NAME: return SK_FLD_FD_SIP;
	case SK_FLD_FD_LIP_NAME: return SK_FLD_FD_LIP;
	case SK_FLD_FD_RIP_NAME: return SK_FLD_FD_RIP;
	default: return -1;
	}
}

int sk_field_lookup(const char *name)
{
	int lo = 0, hi = SK_FLD__COUNT - 1;

	if (!name)
		return -1;
	while (lo <= hi) {
		int mid = (lo + hi) / 2, c = strcmp(name, sk_fields[by_name[mid]].name);

		if (!c)
			return by_name[mid];
		if (c < 0)
			hi = mid - 1;
		else
			lo = mid + 1;
	}
	return -1;
}

const char *sk_type_name(enum sk_type t)
{
	static const char *const names[SK_T__COUNT] = {
		[SK_T_STR] = "string",     [SK_T_I64] = "int64",      [SK_T_U64] = "uint64",
		[SK_T_BOOL] = "bool",      [SK_T_IPADDR] = "ipaddr",  [SK_T_IPNET] = "ipnet",
		[SK_T_PORT] = "port",      [SK_T_RELTIME] = "reltime", [SK_T_ABSTIME] = "abstime",
		[SK_T_BYTES] = "bytebuf",  [SK_T_DOUBLE] = "double",  [SK_T_DYN] = "dynamic",
	};
	return (unsigned)t < SK_T__COUNT ? names[t] : "?";
}

const struct sk_event_info sk_events[SK_EV__COUNT] = {
#define SK_EVENT(id, name, family) [SK_EV_##id] = { name, SK_FAM_##family },
#include "saker/events.def"
#undef SK_EVENT
};

int sk_event_lookup(const char *name)
{
	/* events.def is in name order */
	int lo = 0, hi = SK_EV__COUNT - 1;

	if (!name)
		return -1;
	while (lo <= hi) {
		int mid = (lo + hi) / 2, c = strcmp(name, sk_events[mid].name);

		if (!c)
			return mid;
		if (c < 0)
			hi = mid - 1;
		else
			lo = mid + 1;
	}
	return -1;
}

const char *sk_event_name(int id)
{
	return id >= 0 && id < SK_EV__COUNT ? sk_events[id].name : NULL;
}

struct sk_sysnr {
	int event;
	long nr;
};
static const struct sk_sysnr sysnr_x86_64[] = {
#define SK_SYSNR(ev, nr) { SK_EV_##ev, nr },
#include "saker/syscalls_x86_64.def"
#undef SK_SYSNR
};
static const struct sk_sysnr sysnr_i386[] = {
#define SK_SYSNR(ev, nr) { SK_EV_##ev, nr },
#define SK_SYSNR_AS(name, ev, nr) { SK_EV_##ev, nr },
#include "saker/syscalls_i386.def"
#undef SK_SYSNR_AS
#undef SK_SYSNR
};
static const struct {
	const struct sk_sysnr *v;
	size_t n;
} sysnr_tables[SK_ARCH__COUNT] = {
	[SK_ARCH_X86_64] = { sysnr_x86_64, sizeof(sysnr_x86_64) / sizeof(sysnr_x86_64[0]) },
	[SK_ARCH_I386] = { sysnr_i386, sizeof(sysnr_i386) / sizeof(sysnr_i386[0]) },
};

int sk_event_from_nr(enum sk_arch arch, long nr)
{
	if ((unsigned)arch >= SK_ARCH__COUNT)
		return -1;
	for (size_t i = 0; i < sysnr_tables[arch].n; i++)
		if (sysnr_tables[arch].v[i].nr == nr)
			return sysnr_tables[arch].v[i].event;
	return -1;
}

long sk_event_nr(enum sk_arch arch, int id)
{
	if ((unsigned)arch >= SK_ARCH__COUNT)
		return -1;
	for (size_t i = 0; i < sysnr_tables[arch].n; i++)
		if (sysnr_tables[arch].v[i].event == id)
			return sysnr_tables[arch].v[i].nr;
	return -1;
}

unsigned sk_event_nrs(enum sk_arch arch, int id, long *nrs, unsigned max)
{
	unsigned n = 0;

	if ((unsigned)arch >= SK_ARCH__COUNT)
		return 0;
	for (size_t i = 0; i < sysnr_tables[arch].n; i++)
		if (sysnr_tables[arch].v[i].event == id) {
			if (n < max)
				nrs[n] = sysnr_tables[arch].v[i].nr;
			n++;
		}
	return n;
}

const struct sk_open_flag sk_open_flags[] = {
#define SK_OPEN_ACC(name, value) { #name, value, 1 },
#define SK_OPEN_BIT(name, value) { #name, value, 0 },
#include "saker/openflags.def"
#undef SK_OPEN_ACC
#undef SK_OPEN_BIT
};
const unsigned sk_n_open_flags = sizeof(sk_open_flags) / sizeof(sk_open_flags[0]);

/* Appends S at *POS, never writing past SIZE - 1; *POS keeps counting what fitted. */
static void put(char *buf, unsigned size, unsigned *pos, const char *s)
{
	for (; *s && *pos + 1 < size; s++)
		buf[(*pos)++] = *s;
}

int sk_open_flags_render(unsigned long long flags, char *buf, unsigned size)
{
	unsigned pos = 0;
	int first = 1;

	if (!buf || size == 0)
		return 0;
	/* The access mode is a two-bit value, so it cannot be tested bit by bit like the rest. */
	for (unsigned i = 0; i < sk_n_open_flags; i++) {
		if (sk_open_flags[i].is_accmode && (flags & 3) == sk_open_flags[i].value) {
			put(buf, size, &pos, sk_open_flags[i].name);
			first = 0;
			break;
		}
	}
	for (unsigned i = 0; i < sk_n_open_flags; i++) {
		const struct sk_open_flag *f = &sk_open_flags[i];
		if (f->is_accmode || (flags & f->value) != f->value)
			continue;
		if (!first)
			put(buf, size, &pos, "|");
		put(buf, size, &pos, f->name);
		first = 0;
	}
	buf[pos] = '\0';
	return (int)pos;
}

const char *sk_ptrace_request_name(unsigned long long req)
{
	switch (req) {
#define SK_PTRACE_REQ(name, value) case value: return #name;
#include "saker/ptrace.def"
#undef SK_PTRACE_REQ
	}
	return NULL;
}

const char *sk_sock_domain_name(unsigned long long d)
{
	switch (d) {
#define SK_SOCK_DOMAIN(name, value) case value: return name;
#include "saker/sockdomain.def"
#undef SK_SOCK_DOMAIN
	}
	return NULL;
}

const char *sk_bpf_cmd_name(unsigned long long cmd)
{
	switch (cmd) {
#define SK_BPF_CMD(name, value) case value: return #name;
#include "saker/bpfcmd.def"
#undef SK_BPF_CMD
	}
	return NULL;
}

const char *sk_cap_name(unsigned bit)
{
	switch (bit) {
#define SK_CAP(name, bit) case bit: return #name;
#include "saker/caps.def"
#undef SK_CAP
	}
	return NULL;
}

int sk_caps_render(unsigned long long caps, char *buf, unsigned size)
{
	unsigned pos = 0;
	int first = 1;

	if (!size)
		return 0;
	for (unsigned b = 0; b < 64; b++) {
		const char *n = sk_cap_name(b);

		if (!(caps >> b & 1) || !n)
			continue;
		if (!first)
			put(buf, size, &pos, " ");
		put(buf, size, &pos, n);
		first = 0;
	}
	buf[pos] = '\0';
	return (int)pos;
}

/* Linux errno values stay below this; the search in sk_errno_value stops there. */
#define SK_ERRNO_MAX 4096

const char *sk_errno_name(int e)
{
	if (e <= 0 || e >= SK_ERRNO_MAX)
		return NULL;
	return strerrorname_np(e);
}

int sk_errno_value(const char *name)
{
	if (!name || !*name)
		return -1;
	for (int e = 1; e < SK_ERRNO_MAX; e++) {
		const char *n = strerrorname_np(e);
		if (n && !strcmp(n, name))
			return e;
	}
	return -1;
}

const char *const saker_priority_names[SAKER_PRIO__COUNT] = {
	[SAKER_PRIO_EMERGENCY] = "Emergency",
	[SAKER_PRIO_ALERT] = "Alert",
	[SAKER_PRIO_CRITICAL] = "Critical",
	[SAKER_PRIO_ERROR] = "Error",
	[SAKER_PRIO_WARNING] = "Warning",
	[SAKER_PRIO_NOTICE] = "Notice",
	[SAKER_PRIO_INFORMATIONAL] = "Informational",
	[SAKER_PRIO_DEBUG] = "Debug",
};

const char *const saker_action_names[SAKER_ACTION__COUNT] = { "alert", "kill", "deny" };

int saker_action_parse(const char *s)
{
	for (int i = 0; i < SAKER_ACTION__COUNT; i++)
		if (!strcmp(s, saker_action_names[i]))
			return i;
	return -1;
}

int saker_priority_parse(const char *s)
{
	if (!s)
		return -1;
	for (int i = 0; i < SAKER_PRIO__COUNT; i++)
		if (!strcasecmp(s, saker_priority_names[i]))
			return i;
	if (!strcasecmp(s, "info"))
		return SAKER_PRIO_INFORMATIONAL;
	return -1;
}
