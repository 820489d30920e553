/* saker check: load, expand and check rules files, report every problem, and say for each rule
 * how much of it the kernel decides. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "cmds.h"
#include "verify.h"
#include "rules.h"
#include "saker/fields.h"
#include "saker/version.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: saker check [--format text|json|sarif] [--werror] [-Wno-ID] [--verify] [--dump-pred] PATH...\n"
		"\n"
		"Checks rules files (or folders of *.yaml files, loaded in name order) and reports every\n"
		"problem with its file, line and column. Text diagnostics go to stderr and a line per rule\n"
		"to stdout; json and sarif write one document of diagnostics to stdout.\n"
		"\n"
		"  --format FMT   text (default), json or sarif\n"
		"  --werror       treat warnings as errors\n"
		"  -Wno-ID        do not report warnings with id ID (e.g. -Wno-unsupported-output)\n"
		"  --verify       also load the compiled programs into this kernel (needs root) and\n"
		"                 report a verifier rejection against the rule that caused it\n"
		"  --dump-pred    print each rule's lowered predicate\n"
		"  --help         show this help\n"
		"  --version      show the version\n"
		"\n"
		"Exit status: 0 no errors, 1 the rules have errors, 2 usage or I/O failure.\n");
}

static const char *plan_name(enum saker_plan p)
{
	return p == SAKER_PLAN_EXACT ? "exact" : p == SAKER_PLAN_PARTIAL ? "partial" : "user";
}

/* The names of the fields whose checks in E the kernel cannot do, appended to OUT once each. */
static void residual_fields(const sk_cexpr *e, const char **out, size_t *n, size_t cap)
{
	if (e->kind == SK_C_CHECK && !sk_plan_kernel_check(e)) {
		const sk_copnd *o[2] = { e->lhs, e->rhs };
		for (int s = 0; s < 2; s++) {
			if (!o[s] || (o[s]->kind != SK_CO_FIELD && o[s]->kind != SK_CO_XFORM))
				continue;
			const char *name = o[s]->kind == SK_CO_FIELD ? sk_fields[o[s]->field].name
								     : sk_xform_names[o[s]->xform];
			size_t i = 0;
			while (i < *n && strcmp(out[i], name))
				i++;
			if (i == *n && *n < cap)
				out[(*n)++] = name;
		}
	}
	for (size_t i = 0; i < e->n_kids; i++)
		residual_fields(e->kids[i], out, n, cap);
}

static void print_events(const sk_rule *r)
{
	if (r->n_syscalls > 8) {
		printf("%zu event types", r->n_syscalls);
		return;
	}
	for (size_t i = 0; i < r->n_syscalls; i++)
		printf(i ? ", %s" : "%s", sk_event_name(r->syscalls[i]));
}

/* One line of the plan table: how much of the rule the kernel decides, and why not more. */
static void print_rule(const sk_rule *r, bool left_out)
{
	/* names come from the rules files: their control characters are shown escaped */
	printf("rule '");
	sk_diag_put_escaped(stdout, r->item->name, strlen(r->item->name));
	printf("' (%s:%u): ", r->item->file, r->item->line);
	if (left_out) {
		size_t events = 0, shown = 0;
		for (size_t i = 0; i < r->n_missing; i++)
			events += r->missing[i].event;
		printf("not supported yet, needs ");
		for (size_t i = 0; i < r->n_missing; i++) {
			if (r->missing[i].event && events > 8)
				continue;
			if (shown++ < 8)
				printf(shown > 1 ? ", %s" : "%s", r->missing[i].what);
		}
		if (shown > 8)
			printf(" and %zu more", shown - 8);
		if (events > 8)
			printf("%s%zu event types saker does not capture", shown ? ", " : "", events);
		printf("\n");
		return;
	}
	printf("%s, ", plan_name(r->plan));
	if (r->n_syscalls == 0) {
		printf("never matches\n");
		return;
	}
	printf(r->plan == SAKER_PLAN_USER ? "kernel selects " : "in kernel on ");
	print_events(r);
	if (r->residual) {
		const char *names[16];
		size_t n = 0;
		residual_fields(r->residual, names, &n, 16);
		printf("; sakerd tests ");
		for (size_t i = 0; i < n; i++)
			printf(i ? ", %s" : "%s", names[i]);
	}
	if (r->item->action != SAKER_ACTION_ALERT && r->plan != SAKER_PLAN_EXACT)
		printf("; action %s refused: the rule is not decided wholly in the kernel",
		       saker_action_names[r->item->action]);
	else if (r->item->action == SAKER_ACTION_KILL)
		printf("; action kill, in the kernel on any back end");
	else if (r->item->action == SAKER_ACTION_DENY && sk_rule_not_deniable(r) >= 0)
		printf("; action deny refused: only opens, connects and execs can be denied");
	else if (r->item->action == SAKER_ACTION_DENY)
		printf("; action deny, on the LSM back end (%s; sakerd refuses it elsewhere)",
		       sk_rule_deny_hooks(r));
	printf("\n");
}

int cmd_check(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "werror", no_argument, NULL, 'E' },
		{ "dump-pred", no_argument, NULL, 'p' },
		{ "verify", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	enum sk_diag_format fmt = SK_DIAG_TEXT;
	int werror = 0, dump = 0, verify = 0, ch;
	const char *off[64];
	size_t n_off = 0;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "hW:", opts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			if (!strcmp(optarg, "text")) {
				fmt = SK_DIAG_TEXT;
			} else if (!strcmp(optarg, "json")) {
				fmt = SK_DIAG_JSON;
			} else if (!strcmp(optarg, "sarif")) {
				fmt = SK_DIAG_SARIF;
			} else {
				fprintf(stderr, "saker check: unknown format '%s' (text, json or sarif)\n", optarg);
				return 2;
			}
			break;
		case 'E':
			werror = 1;
			break;
		case 'W':
			if (!strcmp(optarg, "error")) {
				werror = 1;
			} else if (!strncmp(optarg, "no-", 3) && optarg[3] && n_off < 64) {
				off[n_off++] = optarg + 3;
			} else {
				fprintf(stderr, "saker check: unknown option '-W%s' (-Wno-ID turns warning ID off, "
					"-Werror makes warnings errors)\n", optarg);
				return 2;
			}
			break;
		case 'p':
			dump = 1;
			break;
		case 'v':
			verify = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("saker %s\n", SAKER_VERSION);
			return 0;
		default:
			if (optopt)
				fprintf(stderr, "saker check: option '-%c' is unknown or needs a value\n", optopt);
			else
				fprintf(stderr, "saker check: unknown option '%s'\n", argv[optind - 1]);
			usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "saker check: no rules file given\n");
		usage(stderr);
		return 2;
	}

	sk_comp *c = sk_comp_new();
	if (!c) {
		fprintf(stderr, "saker check: out of memory\n");
		return 2;
	}
	sk_diag_set_werror(c->diag, werror);
	for (size_t i = 0; i < n_off; i++)
		sk_diag_disable(c->diag, off[i]);
	int load = sk_load_paths(c, (const char *const *)argv + optind, (size_t)(argc - optind));
	/* Later passes still run after errors, so that one run shows every problem. */
	int vrc = 0;
	if (load >= -1) {
		sk_expand(c);
		if (sk_check(c) == 0 && verify && !sk_diag_error_count(c->diag))
			vrc = sk_verify(c);
	}
	sk_diag_render(c->diag, fmt, fmt == SK_DIAG_TEXT ? stderr : stdout);

	size_t errors = sk_diag_error_count(c->diag), warnings = sk_diag_warning_count(c->diag);
	if (fmt == SK_DIAG_TEXT && load >= -1) {
		/* every enabled rule that checked, in load order, whether it runs or is left out */
		size_t n[3] = { 0, 0, 0 }, i = 0, j = 0;
		while (i < c->n_rules || j < c->n_left_out) {
			bool take_left = j < c->n_left_out &&
					 (i == c->n_rules || c->left_out[j]->item->index < c->rules[i]->item->index);
			const sk_rule *r = take_left ? c->left_out[j++] : c->rules[i++];
			if (dump && !take_left)
				printf("rule '%s': %s\n", r->item->name, sk_pred_to_string(c->arena, r->pred));
			else
				print_rule(r, take_left);
			if (!take_left)
				n[r->plan]++;
		}
		size_t total = c->n_rules + c->n_left_out;
		printf("%zu rule%s: %zu exact, %zu partial, %zu user, %zu not supported yet; %zu error%s, %zu warning%s\n",
		       total, total == 1 ? "" : "s", n[0], n[1], n[2], c->n_left_out, errors, errors == 1 ? "" : "s",
		       warnings, warnings == 1 ? "" : "s");
	}
	fflush(stdout);
	sk_comp_free(c);
	if (load < -1 || vrc == -2)
		return 2;
	return errors ? 1 : 0;
}
