/* libFuzzer harness: saker_event_decode on arbitrary bytes, and again on the same bytes with the
 * header's size fixed up so that mutations reach the checks behind it; every field of a record
 * that decodes is then read. SAKER_FUZZ_SEED=DIR writes a few valid records (seeds) into DIR. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "saker/event_fields.h"
#include "saker/fields.h"

#define REC_WORDS 8192

static void write_seed(const char *dir, const char *name, const struct saker_event *ev,
		       uint32_t n_rules)
{
	static uint64_t buf[REC_WORDS];
	static const uint32_t rules[] = { 0, 1, 5 };
	char path[4096];
	long n = saker_event_encode(ev, rules, n_rules, buf, sizeof(buf));
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (n < 0 || !(f = fopen(path, "wb")) || fwrite(buf, 1, (size_t)n, f) != (size_t)n || fclose(f))
		abort();
}

static void write_seeds(const char *dir)
{
	static struct saker_event ev;
	struct saker_tail_open *o = SAKER_EVENT_TAIL_W(&ev, open);
	struct saker_tail_ptrace *p = SAKER_EVENT_TAIL_W(&ev, ptrace);

	ev.h.event = SK_EV_OPENAT;
	ev.h.family = SK_FAM_OPEN;
	ev.h.arch = SK_ARCH_X86_64;
	ev.h.nr = 257;
	ev.h.res = 3;
	ev.h.flags = SAKER_EVF_PARENT;
	strcpy(ev.h.comm, "cat");
	strcpy(ev.h.pcomm, "bash");
	strcpy(ev.h.container_id, "host");
	o->flags = 01;
	o->fd = 3;
	ev.str[SAKER_STR_FD_NAME] = "/etc/shadow";
	ev.str_len[SAKER_STR_FD_NAME] = 11;
	ev.str[SAKER_STR_EXEPATH] = "/usr/bin/cat";
	ev.str_len[SAKER_STR_EXEPATH] = 12;
	write_seed(dir, "open.rec", &ev, 3);
	ev.h.arch = SK_ARCH_I386;
	ev.h.flags |= SAKER_EVF_COMPAT | SAKER_EVF_MORE;
	ev.h.nr = 5;
	ev.h.event = SK_EV_OPEN;
	ev.h.res = -2;
	o->fd = -1;
	o->oflags = SAKER_OPENF_FLAGS_NA;
	write_seed(dir, "open_i386.rec", &ev, 1);
	memset(ev.tail, 0, sizeof(ev.tail));
	ev.h.event = SK_EV_PTRACE;
	ev.h.family = SK_FAM_PTRACE;
	ev.h.arch = SK_ARCH_X86_64;
	ev.h.flags = 0;
	ev.h.nr = 101;
	ev.h.res = 0;
	p->request = 16;
	p->pid = 42;
	ev.str[SAKER_STR_FD_NAME] = NULL;
	write_seed(dir, "ptrace.rec", &ev, 2);
	/* a successful execve, with the process strings and block */
	memset(ev.tail, 0, sizeof(ev.tail));
	SAKER_EVENT_TAIL_W(&ev, exec)->dirfd = -100;
	ev.h.event = SK_EV_EXECVE;
	ev.h.family = SK_FAM_EXEC;
	ev.h.nr = 59;
	ev.h.flags = SAKER_EVF_PARENT | SAKER_EVF_PROC;
	ev.h.ts_ns = 5000000000;
	ev.h.pstart_ns = 4000000000;
	ev.h.tty = 34816;
	ev.h.sid = 7;
	ev.h.pflags = SAKER_PROCF_TTY;
	strcpy(ev.h.comm, "find");
	ev.str[SAKER_STR_EXE] = "find";
	ev.str_len[SAKER_STR_EXE] = 4;
	ev.str[SAKER_STR_ARGS] = "/ -name id_rsa";
	ev.str_len[SAKER_STR_ARGS] = 14;
	ev.str[SAKER_STR_CWD] = "/root/";
	ev.str_len[SAKER_STR_CWD] = 6;
	ev.str[SAKER_STR_ANAME1] = "bash";
	ev.str_len[SAKER_STR_ANAME1] = 4;
	ev.str[SAKER_STR_ANAME2] = "sshd";
	ev.str_len[SAKER_STR_ANAME2] = 4;
	write_seed(dir, "exec.rec", &ev, 1);
	memset(ev.tail, 0, sizeof(ev.tail));
	ev.h.event = SK_EV_SYMLINKAT;
	ev.h.family = SK_FAM_FILE;
	ev.h.nr = 266;
	ev.h.cap_effective = 1ull << 21;
	SAKER_EVENT_TAIL_W(&ev, file)->dirfd = -100;
	ev.str[SAKER_STR_ARG1] = "/etc/shadow";
	ev.str_len[SAKER_STR_ARG1] = 11;
	ev.str[SAKER_STR_ARG2] = "/tmp/x";
	ev.str_len[SAKER_STR_ARG2] = 6;
	write_seed(dir, "symlinkat.rec", &ev, 1);
	memset(ev.tail, 0, sizeof(ev.tail));
	ev.h.event = SK_EV_MOUNT;
	ev.h.family = SK_FAM_SYS;
	ev.h.nr = 165;
	SAKER_EVENT_TAIL_W(&ev, sys)->sflags = SAKER_SYSF_TYPE;
	strcpy(SAKER_EVENT_TAIL_W(&ev, sys)->type, "tmpfs");
	ev.str[SAKER_STR_ARG1] = "none";
	ev.str_len[SAKER_STR_ARG1] = 4;
	write_seed(dir, "mount.rec", &ev, 1);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	const char *seed = getenv("SAKER_FUZZ_SEED");
	if (seed)
		write_seeds(seed);
	return 0;
}

/* Records are 8-byte aligned, as the ring buffer hands them out. */
static void decode(const uint64_t *buf, size_t len)
{
	static char scratch[SK_FIELD_SCRATCH];
	struct saker_event ev;
	struct sk_field_value v;
	volatile uint32_t sum = 0;

	if (saker_event_decode(buf, len, &ev))
		return;
	for (uint32_t i = 0; i < ev.h.n_rules; i++)
		sum += ev.rules[i];
	for (int s = 0; s < SAKER_STR__COUNT; s++)
		if (ev.str[s] && strlen(ev.str[s]) != ev.str_len[s])
			abort();
	for (int f = 0; f < SK_FLD__COUNT; f++) {
		sk_event_field(&ev, f, &v, scratch);
		if (v.kind == SK_VAL_STR && (!v.s || strlen(v.s) != v.len))
			abort();
	}
	(void)sum;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static uint64_t buf[REC_WORDS];

	if (len > sizeof(buf))
		return 0;
	memcpy(buf, data, len);
	decode(buf, len);
	if (len >= sizeof(struct saker_event_hdr)) {
		((struct saker_event_hdr *)buf)->size = (uint32_t)len;
		decode(buf, len);
	}
	return 0;
}
