/* The checking passes in order (typecheck, plan, lower, lint), and the suggestions they share. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "saker/fields.h"


/* ---- suggestions ---- */

const char *sk_field_suggest(const char *name)
{
	const char *names[SK_FLD__COUNT];
	size_t len = strlen(name);
	/* "evt.user.name": a real field behind an extra prefix. */
	for (int f = 0; f < SK_FLD__COUNT; f++) {
		size_t n = strlen(sk_fields[f].name);
		if (len > n && name[len - n - 1] == '.' && !strcmp(name + len - n, sk_fields[f].name))
			return sk_fields[f].name;
	}
	/* the fields saker computes first: they are what a rule author most likely meant */
	for (int f = 0; f < SK_FLD__COUNT; f++)
		names[f] = sk_fields[f].where != SK_W_NONE ? sk_fields[f].name : NULL;
	const char *fix = sk_nearest(name, names, SK_FLD__COUNT);
	if (fix)
		return fix;
	for (int f = 0; f < SK_FLD__COUNT; f++)
		names[f] = sk_fields[f].name;
	return sk_nearest(name, names, SK_FLD__COUNT);
}

int sk_falco_field(const char *name)
{
	/* the table has every field of Falco's catalogue; evt.arg.NAME and evt.rawarg.NAME name
	 * an argument of the event, and saker does not compute most of them yet */
	return (!strncmp(name, "evt.arg.", 8) && name[8]) || (!strncmp(name, "evt.rawarg.", 11) && name[11]);
}

int sk_check(sk_comp *c)
{
	int rc = sk_typecheck(c);
	/* the rules that checked cleanly are planned even when others failed, so that one run
	 * reports every problem */
	if (sk_plan(c) < 0)
		rc = -1;
	if (sk_lower(c) < 0)
		rc = -1;
	if (sk_lint(c) < 0)
		rc = -1;
	return rc;
}
