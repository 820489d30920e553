/* The shared tables behind fields.h and the priority names of bundle.h: fields, syscalls, open
 * flags and errno names, each generated from its .def file so the compiler and sakerd agree. */
#define _GNU_SOURCE
#include <string.h>
#include <strings.h>

#include "saker/bundle.h"
#include "saker/fields.h"

const struct sk_field_info sk_fields[SK_FLD__COUNT] = {
#define SK_FIELD(id, name, type, kernel, flags, desc) [SK_FLD_##id] = { name, type, kernel, flags, desc },
#include "saker/fields.def"
#undef SK_FIELD
};

int sk_field_lookup(const char *name)
{
	if (!name)
		return -1;
	for (int i = 0; i < SK_FLD__COUNT; i++)
		if (!strcmp(sk_fields[i].name, name))
			return i;
	return -1;
}

const struct sk_syscall_info sk_syscalls[] = {
#define SK_SYSCALL(id, name, nr, hooked) { name, nr, hooked },
#include "saker/syscalls.def"
#undef SK_SYSCALL
};
const unsigned sk_n_syscalls = sizeof(sk_syscalls) / sizeof(sk_syscalls[0]);

const char *sk_syscall_name(int nr)
{
	for (unsigned i = 0; i < sk_n_syscalls; i++)
		if (sk_syscalls[i].nr == nr)
			return sk_syscalls[i].name;
	return NULL;
}

int sk_syscall_nr(const char *name)
{
	if (!name)
		return -1;
	for (unsigned i = 0; i < sk_n_syscalls; i++)
		if (!strcmp(sk_syscalls[i].name, name))
			return sk_syscalls[i].nr;
	return -1;
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
