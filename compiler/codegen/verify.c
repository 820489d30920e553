/* saker check --verify: loads the compiled programs into the running kernel (no attaching) so
 * that a verifier rejection is reported at check time, against the rule whose code caused it,
 * rather than by sakerd on a host. Needs the rights to load BPF programs (root). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "codegen.h"
#include "verify.h"
#include "rt.h"

#define VERIFY_LOG_SIZE (16u << 20)

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
	return 0;
}

/* The last lines of LOG, at most N bytes of them, for a note. */
static const char *log_tail(const char *log, size_t keep)
{
	size_t n = strlen(log);
	while (n && log[n - 1] == '\n')
		n--;
	if (n <= keep)
		return log;
	const char *p = log + n - keep;
	while (*p && *p != '\n')
		p++;
	return *p ? p + 1 : log + n - keep;
}

static int load_once(const uint8_t *obj, size_t len, char *log, size_t log_size, char *why,
		     size_t why_size);

/* Loads OBJ into the kernel. Returns 0, or a negative errno with the kernel's reason (the
 * verifier log's tail) in WHY. The first load keeps no log: a program that verifies can still
 * fill any log buffer (the kernel then fails the load with ENOSPC); only a refused one is loaded
 * again with a log, for the reason. */
static int try_load(const uint8_t *obj, size_t len, char *why, size_t why_size)
{
	char *log;
	int ret = load_once(obj, len, NULL, 0, why, why_size);

	if (ret == 0 || ret == -ENOMEM)
		return ret;
	log = calloc(1, VERIFY_LOG_SIZE);
	if (!log)
		return ret;
	ret = load_once(obj, len, log, VERIFY_LOG_SIZE, why, why_size);
	free(log);
	return ret;
}

static int load_once(const uint8_t *obj, size_t len, char *log, size_t log_size, char *why,
		     size_t why_size)
{
	struct bpf_object *o = NULL;
	int ret;

	why[0] = 0;
	LIBBPF_OPTS(bpf_object_open_opts, opts, .object_name = "saker", .kernel_log_buf = log,
		    .kernel_log_size = log_size, .kernel_log_level = log ? 1 : 0);
	o = bpf_object__open_mem(obj, len, &opts);
	if (!o) {
		ret = -errno;
		snprintf(why, why_size, "libbpf cannot open the object");
		goto out;
	}
	/* the LSM back end's programs load only where the kernel runs them, as in sakerd */
	char why_lsm[300];
	if (!saker_rt_lsm_usable(why_lsm, sizeof(why_lsm)))
		saker_rt_skip_lsm(o);
	ret = bpf_object__load(o);
	if (ret) {
		const char *msg = saker_rt_strerror(ret);
		int have = log && log[0];

		snprintf(why, why_size, "%s%s%s", msg, have ? "; verifier log ends:\n" : "",
			 have ? log_tail(log, 600) : "");
	}
out:
	bpf_object__close(o);
	return ret;
}

/* Generates and loads the code of rules RULES[0..n). 0, or the load error (WHY says it). */
static int load_rules(sk_comp *c, sk_rule **rules, size_t n, char *why, size_t why_size)
{
	sk_rule **save = c->rules;
	size_t save_n = c->n_rules;
	uint8_t *obj = NULL;
	size_t len = 0;
	int ret;

	c->rules = rules;
	c->n_rules = n;
	ret = sk_codegen(c, NULL, &obj, &len);
	c->rules = save;
	c->n_rules = save_n;
	if (ret < 0) {
		snprintf(why, why_size, "code generation failed");
		return -EINVAL;
	}
	ret = try_load(obj, len, why, why_size);
	free(obj);
	return ret;
}

int sk_verify(sk_comp *c)
{
	static char why[2048];
	libbpf_print_fn_t old = libbpf_set_print(quiet);
	int ret = 0;

	if (c->n_rules == 0)
		goto out;
	ret = load_rules(c, c->rules, c->n_rules, why, sizeof(why));
	if (ret == 0)
		goto out;
	if (ret == -EPERM || ret == -EACCES) {
		/* EACCES is also the verifier's "invalid program": tell them apart by the log */
		if (!strstr(why, "verifier log")) {
			sk_error(c->diag, (sk_span){ 0 }, "verify",
				 "--verify cannot load BPF programs here (%s): run it as root, or on a host "
				 "that allows BPF", saker_rt_strerror(-ret));
			ret = -2;
			goto out;
		}
	}
	/* Which rules? Each alone first: the usual case is one rule's code. */
	size_t bad = 0;
	for (size_t i = 0; i < c->n_rules; i++) {
		char one[2048];
		sk_rule *r = c->rules[i];
		if (load_rules(c, &c->rules[i], 1, one, sizeof(one)) == 0)
			continue;
		bad++;
		sk_error(c->diag, r->item->cond_span, "verifier",
			 "rule '%s': the kernel verifier rejects the code of its kernel part", r->item->name);
		sk_note(c->diag, r->item->cond_span, "%s", one);
		sk_note(c->diag, r->item->cond_span,
			"hint: simplify the conditions the kernel evaluates (fewer or shorter string "
			"tests, smaller lists), or report it: saker should have moved them to user space");
	}
	if (!bad) {
		sk_error(c->diag, (sk_span){ 0 }, "verifier",
			 "the kernel verifier rejects the program of these %zu rules together, though each "
			 "loads on its own", c->n_rules);
		sk_note(c->diag, (sk_span){ 0 }, "%s", why);
		sk_note(c->diag, (sk_span){ 0 }, "hint: split the rules into several bundles");
	}
	ret = -1;
out:
	libbpf_set_print(old);
	return ret;
}
