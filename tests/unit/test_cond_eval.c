/* saker-test-lib: saker_common */
/* The evaluator of typed conditions (runtime/cond_eval.c) against Falco's semantics: every
 * operator on every type, the missing-value rule, modifiers, transformers, the either-side and
 * ancestor fields, lists, regex, glob (held to the C library's fnmatch) and pmatch. Each case
 * also goes through the codec and is evaluated again from the decoded tree. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fnmatch.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cond_text.h"
#include "saker/cond.h"
#include "saker/match.h"
#include "saker/regex.h"

/* ---- the event: a table of field values -------------------------------------------------- */

struct fv {
	int field;
	const char *arg; /* NULL: the value without argument */
	sk_cval v;
};

static struct {
	struct fv v[64];
	size_t n;
	unsigned gets;   /* calls of the source */
	unsigned get_of[SK_FLD__COUNT];
} ev;

static void ev_clear(void)
{
	memset(&ev, 0, sizeof(ev));
}

static sk_cval *ev_slot(const char *name, const char *arg)
{
	int f = sk_field_lookup(name);
	assert_true(f >= 0);
	assert_true(ev.n < 64);
	struct fv *s = &ev.v[ev.n++];
	s->field = f;
	s->arg = arg;
	memset(&s->v, 0, sizeof(s->v));
	return &s->v;
}

static void set_str(const char *name, const char *arg, const char *s)
{
	sk_cval *v = ev_slot(name, arg);
	v->kind = SK_CV_STR;
	v->s = s;
	v->len = strlen(s);
}

static void set_bytes(const char *name, const char *s, size_t n)
{
	sk_cval *v = ev_slot(name, NULL);
	v->kind = SK_CV_STR;
	v->s = s;
	v->len = n;
}

static void set_int(const char *name, const char *arg, int64_t i)
{
	sk_cval *v = ev_slot(name, arg);
	v->kind = SK_CV_INT;
	v->i = i;
}

static void set_uint(const char *name, uint64_t u)
{
	sk_cval *v = ev_slot(name, NULL);
	v->kind = SK_CV_UINT;
	v->u = u;
}

static void set_bool(const char *name, bool b)
{
	sk_cval *v = ev_slot(name, NULL);
	v->kind = SK_CV_BOOL;
	v->b = b;
}

static void set_ip(const char *name, const char *text)
{
	sk_cval *v = ev_slot(name, NULL);
	v->kind = SK_CV_IP;
	if (inet_pton(AF_INET, text, v->ip) == 1) {
		v->ip_len = 4;
	} else {
		assert_int_equal(inet_pton(AF_INET6, text, v->ip), 1);
		v->ip_len = 16;
	}
}

static sk_cval list_items[8][16];

static void set_list(const char *name, int slot, size_t n, const char *const *items)
{
	sk_cval *v = ev_slot(name, NULL);
	v->kind = SK_CV_LIST;
	v->items = list_items[slot];
	v->n_items = n;
	for (size_t i = 0; i < n; i++) {
		memset(&list_items[slot][i], 0, sizeof(sk_cval));
		list_items[slot][i].kind = SK_CV_STR;
		list_items[slot][i].s = items[i];
		list_items[slot][i].len = strlen(items[i]);
	}
}

static void src_get(void *ctx, int field, const char *arg, sk_cval *out)
{
	(void)ctx;
	ev.gets++;
	ev.get_of[field]++;
	for (size_t i = 0; i < ev.n; i++) {
		const struct fv *s = &ev.v[i];
		if (s->field == field && (s->arg == arg || (s->arg && arg && !strcmp(s->arg, arg)))) {
			*out = s->v;
			return;
		}
	}
	out->kind = SK_CV_NA;
}

static struct sk_cond_src src = { src_get, NULL, NULL };

/* A resolver's view of two names, for the domain-name fields: api.example is 10.0.0.1 and
 * fd00::1, db.example is 10.0.0.2; anything else has no address. */
static int fake_calls;
static int fake_name_has(void *ctx, const char *name, size_t len, const uint8_t *ip, uint8_t ip_len)
{
	static const uint8_t a1[4] = { 10, 0, 0, 1 }, a2[4] = { 10, 0, 0, 2 };
	static const uint8_t a6[16] = { 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
	(void)ctx;
	fake_calls++;
	if (len == 11 && !memcmp(name, "api.example", 11))
		return (ip_len == 4 && !memcmp(ip, a1, 4)) || (ip_len == 16 && !memcmp(ip, a6, 16));
	if (len == 10 && !memcmp(name, "db.example", 10))
		return ip_len == 4 && !memcmp(ip, a2, 4);
	return 0;
}
static struct sk_cond_ctx *ctx;

/* ---- evaluation -------------------------------------------------------------------------- */

static sk_cexpr *parse(const char *text)
{
	sk_cexpr *e = ct_parse(text);
	if (!e)
		fail_msg("cannot read '%s': %s", text, ct_mem.err);
	return e;
}

/* TEXT's value for the current event, from the tree and from its encoding decoded again. */
static int eval_text(const char *text)
{
	sk_cexpr *e = parse(text);
	char err[256] = "";
	uint8_t *buf = NULL;
	size_t len = 0, pos = 0;
	struct sk_cond_set *set = NULL;
	const sk_cexpr *d = NULL;
	struct sk_cond_ctx *c2 = NULL;

	if (sk_cond_check(e, err, sizeof(err)))
		fail_msg("'%s' is refused by sk_cond_check: %s", text, err);
	int r = sk_cond_eval(ctx, e, &src);
	assert_int_equal(sk_cond_encode(e, &buf, &len), 0);
	if (sk_cond_decode(buf, len, &pos, &set, &d, err, sizeof(err)))
		fail_msg("'%s' does not decode: %s", text, err);
	assert_int_equal(pos, len);
	assert_int_equal(sk_cond_ctx_new(&c2), 0);
	int r2 = sk_cond_eval(c2, d, &src);
	if (r != r2)
		fail_msg("'%s': %d from the tree, %d from its encoding", text, r, r2);
	char *s1 = sk_cond_to_string(e), *s2 = sk_cond_to_string(d);
	assert_non_null(s1);
	assert_non_null(s2);
	assert_string_equal(s1, s2);
	free(s1);
	free(s2);
	sk_cond_ctx_free(c2);
	sk_cond_set_free(set);
	free(buf);
	return r;
}

#define T(text) expect_eval(text, 1, __LINE__)
#define F(text) expect_eval(text, 0, __LINE__)

static void expect_eval(const char *text, int want, int line)
{
	int r = eval_text(text);
	if (r != want)
		fail_msg("line %d: '%s' gave %d, want %d", line, text, r, want);
}

static int setup(void **state)
{
	(void)state;
	ev_clear();
	src.name_has = NULL;
	return sk_cond_ctx_new(&ctx);
}

static int teardown(void **state)
{
	(void)state;
	sk_cond_ctx_free(ctx);
	ctx = NULL;
	ct_free_all();
	return 0;
}

/* ---- the missing-value rule -------------------------------------------------------------- */

static void test_missing_value(void **state)
{
	(void)state;
	/* proc.pname has no value: every check on it is false, '!=' and 'exists' included */
	static const char *const checks[] = {
		"proc.pname = bash", "proc.pname != bash", "proc.pname exists", "proc.pname < m",
		"proc.pname contains a", "proc.pname icontains a", "proc.pname startswith b",
		"proc.pname endswith h", "proc.pname glob *", "proc.pname iglob *",
		"proc.pname regex \".*\"", "proc.pname in (bash)", "proc.pname intersects (bash)",
		"proc.pname pmatch (/)", "proc.pname != oneof (a, b)", "proc.pname != allof (a, b)",
		"tolower(proc.pname) != x", "len(proc.pname) >= 0", "proc.pid != 3", "fd.ip != 1.2.3.4",
		"fd.port != 80", "proc.aname != x", "fd.types intersects (file)",
		"proc.name = val(proc.pname)", "proc.name != val(proc.pname)",
	};
	set_str("proc.name", NULL, "bash");
	for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
		char neg[128];
		expect_eval(checks[i], 0, __LINE__);
		/* 'not' works on the boolean: it turns the missing value's false into true */
		snprintf(neg, sizeof(neg), "not %s", checks[i]);
		expect_eval(neg, 1, __LINE__);
	}
	T("proc.name exists");
	F("not proc.name exists");
}

/* ---- and, or, not, constants ------------------------------------------------------------- */

static void test_boolean(void **state)
{
	(void)state;
	set_str("proc.name", NULL, "bash");
	T("true");
	F("false");
	T("not false");
	T("proc.name = bash and (true or false)");
	F("proc.name = bash and not proc.name = bash");
	T("proc.name = sh or proc.name = bash");
	T("proc.name = bash or proc.name = x and false");
	F("(proc.name = bash or proc.name = x) and false");
	T("not not proc.name = bash");
}

static void test_short_circuit(void **state)
{
	(void)state;
	set_str("proc.name", NULL, "bash");
	set_str("user.name", NULL, "root");
	ev.gets = 0;
	F("proc.name = sh and user.name = root");
	/* user.name was never asked for (twice: the tree and the decoded tree) */
	assert_int_equal(ev.get_of[sk_field_lookup("user.name")], 0);
	T("proc.name = bash or user.name = x");
	assert_int_equal(ev.get_of[sk_field_lookup("user.name")], 0);
	/* a field read by several checks is asked for once per event */
	memset(ev.get_of, 0, sizeof(ev.get_of));
	T("proc.name = bash and proc.name startswith b and proc.name endswith h");
	assert_int_equal(ev.get_of[sk_field_lookup("proc.name")], 2); /* tree + decoded tree */
}

/* ---- strings ----------------------------------------------------------------------------- */

static void test_strings(void **state)
{
	(void)state;
	set_str("proc.name", NULL, "bash");
	set_str("fd.name", NULL, "/etc/shadow");
	set_str("proc.cmdline", NULL, "bash -c 'curl http://x | sh'");
	T("proc.name = bash");
	T("proc.name == bash");
	F("proc.name = Bash");
	F("proc.name = bas");
	T("proc.name != sh");
	F("proc.name != bash");
	T("proc.name < bat");
	T("proc.name <= bash");
	F("proc.name < bash");
	T("proc.name > b");
	T("proc.name >= bash");
	F("proc.name > bashx");
	T("proc.cmdline contains curl");
	T("proc.cmdline contains \"\"");
	F("proc.cmdline contains wget");
	T("proc.cmdline icontains CURL");
	T("proc.cmdline icontains \"HTTP://X\"");
	F("proc.cmdline icontains wget");
	T("fd.name startswith /etc/");
	T("fd.name startswith \"\"");
	F("fd.name startswith /etc/shadowx");
	T("fd.name endswith shadow");
	F("fd.name endswith /etc");
	T("fd.name glob /etc/*");
	T("fd.name glob *shadow");
	T("fd.name glob /etc/sha?ow");
	T("fd.name glob \"/etc/[a-z]hadow\"");
	F("fd.name glob /etc/x*");
	T("fd.name glob *"); /* '*' crosses '/' */
	T("fd.name iglob /ETC/*W");
	F("fd.name glob /ETC/*");
	T("fd.name in (/etc/passwd, /etc/shadow)");
	F("fd.name in (/etc/passwd, /etc/group)");
	F("fd.name in ()");
	T("fd.name intersects (/etc/shadow)");
	T("fd.name pmatch (/etc)");
	T("fd.name pmatch (/etc/shadow)");
	F("fd.name pmatch (/et)");
	F("fd.name pmatch (/etc/shadow/x)");
	T("fd.name pmatch (/usr, /)");
	T("fd.name pmatch (/*/shadow)");
	T("fd.name regex \"/etc/s.*\"");
	F("fd.name regex \"/etc\"");
	/* strings are C strings: a NUL ends the value */
	static const char nul[] = "ab\0cd";
	ev_clear();
	set_bytes("proc.name", nul, 5);
	T("proc.name = ab");
	F("proc.name contains cd");
	T("len(proc.name) = 2");
}

/* ---- numbers, booleans, times ------------------------------------------------------------ */

static void test_numbers(void **state)
{
	(void)state;
	set_int("proc.pid", NULL, -5);
	set_uint("user.uid", UINT64_C(18446744073709551615));
	set_uint("proc.duration", 1000000000);
	set_bool("evt.failed", true);
	set_int("evt.rawres", NULL, -2);
	T("proc.pid = -5");
	T("proc.pid < 0");
	T("proc.pid >= -5");
	F("proc.pid > -5");
	T("proc.pid != 5");
	T("proc.pid in (1, -5, 7)");
	F("proc.pid in (1, 5)");
	T("proc.pid = -0x5");
	T("user.uid > 0");
	T("user.uid = 18446744073709551615");
	T("user.uid = 0xffffffffffffffff");
	F("user.uid < 1");
	T("user.uid in (0, 18446744073709551615)");
	T("proc.duration > 999999999");
	T("proc.duration <= 1000000000");
	T("evt.failed = true");
	F("evt.failed = false");
	T("evt.failed != false");
	T("evt.failed in (true)");
	T("evt.rawres < 0 and evt.rawres >= -2");
}

/* ---- addresses, networks, ports ---------------------------------------------------------- */

static void test_addresses(void **state)
{
	(void)state;
	set_ip("fd.cip", "10.1.2.3");
	set_ip("fd.sip", "192.168.0.1");
	set_ip("fd.lip", "2001:db8::1");
	set_uint("fd.cport", 40000);
	set_uint("fd.sport", 443);
	T("fd.cip = 10.1.2.3");
	F("fd.cip = 10.1.2.4");
	T("fd.cip != 10.1.2.4");
	T("fd.cip = 10.0.0.0/8");
	F("fd.cip = 11.0.0.0/8");
	T("fd.cip != 11.0.0.0/8");
	T("fd.cip = 10.1.2.0/23");
	T("fd.cip = 0.0.0.0/0");
	T("fd.cip in (1.1.1.1, 10.0.0.0/8)");
	T("fd.cip in (1.1.1.1, 10.1.2.3)");
	F("fd.cip in (1.1.1.1, 172.16.0.0/12)");
	T("fd.lip = 2001:db8::1");
	T("fd.lip = 2001:db8::/32");
	F("fd.lip = 2001:db9::/32");
	F("fd.lip = 10.0.0.0/8");  /* an IPv6 address is in no IPv4 network */
	T("fd.lip != 10.0.0.0/8");
	F("fd.cip = ::ffff:10.1.2.3"); /* no mapping between the families, as in Falco */
	T("fd.cip = anyof (1.1.1.1, 10.1.2.3)");
	T("fd.cip != allof (1.1.1.1, 2.2.2.2)");
	T("fd.sport = 443");
	T("fd.sport < 1024");
	T("fd.cport in (40000, 40001)");
	/* network fields: the address tested against networks */
	set_ip("fd.cnet", "10.9.9.9");
	T("fd.cnet = 10.0.0.0/8");
	F("fd.cnet = 192.168.0.0/16");
	T("fd.cnet in (192.168.0.0/16, 10.0.0.0/8)");
}

static void test_either_side(void **state)
{
	(void)state;
	set_ip("fd.cip", "10.1.2.3");
	set_ip("fd.sip", "192.168.0.1");
	set_uint("fd.cport", 40000);
	set_uint("fd.sport", 443);
	T("fd.ip = 10.1.2.3");
	T("fd.ip = 192.168.0.1");
	F("fd.ip = 1.1.1.1");
	T("fd.ip != 1.1.1.1");        /* neither side */
	F("fd.ip != 10.1.2.3");       /* the client side is it */
	T("fd.ip in (192.168.0.1)");
	T("fd.ip exists");
	T("fd.net = 192.168.0.0/16");
	F("fd.net != 192.168.0.0/16");
	T("fd.net != 172.16.0.0/12");
	T("fd.port = 443");
	T("fd.port = 40000");
	T("fd.port < 1024");
	F("fd.port != 443");
	T("fd.port != 22");
	T("fd.port in (22, 443)");
	T("fd.proto = 443");          /* libsinsp compares fd.proto as a port */
	/* a side without a value is left out; none at all is a missing value */
	ev_clear();
	set_ip("fd.sip", "192.168.0.1");
	T("fd.ip = 192.168.0.1");
	T("fd.ip != 10.1.2.3");
	F("fd.ip != 192.168.0.1");
	ev_clear();
	F("fd.ip exists");
	F("fd.ip != 1.1.1.1");
}

/* fd.sip.name = N: the address fd.sip is one of N's addresses (the names are never compared as
 * text with anything); '!=' is the negation, a missing address false as always. */
static void test_domain_names(void **state)
{
	(void)state;
	src.name_has = fake_name_has;
	set_ip("fd.sip", "10.0.0.1");
	set_ip("fd.cip", "10.0.0.2");
	T("fd.sip.name = api.example");
	F("fd.sip.name = db.example");
	F("fd.sip.name = api");               /* a name, not a prefix of one */
	T("fd.sip.name in (nothing.example, api.example)");
	F("fd.sip.name in (nothing.example, db.example)");
	F("fd.sip.name in ()");
	T("fd.sip.name != db.example");
	F("fd.sip.name != api.example");
	T("fd.cip.name = db.example");        /* each field reads its own address */
	F("fd.cip.name = api.example");
	T("not fd.sip.name = db.example");
	/* an IPv6 address of the name; an IPv4-mapped peer of an IPv6 socket is its IPv4 address */
	ev_clear();
	set_ip("fd.sip", "fd00::1");
	T("fd.sip.name = api.example");
	ev_clear();
	set_ip("fd.sip", "::ffff:10.0.0.1");
	T("fd.sip.name = api.example");
	ev_clear();
	set_ip("fd.sip", "::ffff:10.0.0.9");
	F("fd.sip.name = api.example");
	/* no address (not a socket call, or a unix socket): false whatever the operator */
	ev_clear();
	F("fd.sip.name = api.example");
	F("fd.sip.name != api.example");
	T("not fd.sip.name != api.example");
	F("fd.lip.name in (api.example)");
	/* without a resolver no name has an address: '=' is false, '!=' true */
	src.name_has = NULL;
	ev_clear();
	set_ip("fd.sip", "10.0.0.1");
	F("fd.sip.name = api.example");
	T("fd.sip.name != api.example");
	/* the field's own value is never fetched: only its address is */
	src.name_has = fake_name_has;
	ev.get_of[SK_FLD_FD_SIP_NAME] = 0;
	fake_calls = 0;
	T("fd.sip.name = api.example");
	assert_int_equal(ev.get_of[SK_FLD_FD_SIP_NAME], 0);
	assert_int_equal(fake_calls, 2); /* once on the tree, once on its decoded copy */
}

static void test_ancestors(void **state)
{
	(void)state;
	set_str("proc.aname", "0", "curl");
	set_str("proc.aname", "1", "bash");
	set_str("proc.aname", "2", "sshd");
	set_str("proc.aname", "4", "init"); /* after a gap: never reached */
	set_int("proc.apid", "1", 100);
	set_int("proc.apid", "2", 1);
	T("proc.aname = sshd");
	T("proc.aname = bash");
	F("proc.aname = curl");      /* the walk starts at the parent */
	F("proc.aname = init");      /* and stops at the first missing ancestor */
	T("proc.aname in (nginx, sshd)");
	T("proc.aname != bash");     /* some ancestor is not bash */
	T("proc.aname startswith ss");
	T("proc.aname exists");
	T("proc.aname[2] = sshd");
	F("proc.aname[2] = bash");
	T("proc.aname[0] = curl");
	T("proc.apid = 1");
	T("proc.apid[1] = 100");
	ev_clear();
	F("proc.aname exists");
	F("proc.aname != x");
}

/* ---- byte buffers ------------------------------------------------------------------------ */

static void test_buffers(void **state)
{
	(void)state;
	static const char buf[] = "GET /x HTTP/1.1\r\n\0\x7f" "ELF";
	set_bytes("evt.buffer", buf, sizeof(buf) - 1);
	T("evt.buffer bcontains 48545450");           /* "HTTP" */
	T("evt.buffer bcontains 007F454C46");         /* past a NUL: buffers are not C strings */
	F("evt.buffer bcontains 48545451");
	T("evt.buffer bstartswith 474554");           /* "GET" */
	T("evt.buffer bstartswith 474554");
	F("evt.buffer bstartswith 455454");
	T("evt.buffer contains HTTP");
	T("evt.buffer startswith GET");
	T("evt.buffer endswith ELF");
	F("evt.buffer = GET");
	T("len(evt.buffer) = 22");
}

/* ---- modifiers --------------------------------------------------------------------------- */

static void test_modifiers(void **state)
{
	(void)state;
	set_str("proc.name", NULL, "nginx");
	set_str("fd.name", NULL, "/etc/nginx/nginx.conf");
	T("proc.name = oneof (cat, nginx)");
	T("proc.name = anyof (cat, nginx)");
	F("proc.name = allof (cat, nginx)");
	T("proc.name = allof (nginx, nginx)");
	F("proc.name = oneof (nginx, nginx)");  /* two of them hold */
	F("proc.name = anyof ()");
	F("proc.name != allof ()");              /* an empty list holds for no modifier */
	T("proc.name != allof (cat, sh)");
	F("proc.name != allof (cat, nginx)");
	T("proc.name != anyof (cat, nginx)");
	T("fd.name startswith anyof (/tmp/, /etc/)");
	F("fd.name startswith anyof (/tmp/, /var/)");
	T("fd.name startswith oneof (/etc/, /var/)");
	F("fd.name startswith oneof (/etc/, /etc/nginx)");
	T("fd.name startswith allof (/etc/, /etc/nginx)");
	T("fd.name contains allof (nginx, conf)");
	T("fd.name endswith oneof (.conf, .yaml)");
	T("fd.name glob anyof (/tmp/*, *.conf)");
	T("fd.name regex anyof (\"/etc/.*\", \"x\")");
	F("fd.name regex allof (\"/etc/.*\", \"x\")");
	T("fd.name icontains anyof (NGINX)");
}

/* ---- transformers ------------------------------------------------------------------------ */

static void test_transformers(void **state)
{
	(void)state;
	set_str("proc.name", NULL, "Bash");
	set_str("proc.pname", NULL, "bash");
	set_str("user.name", NULL, "BASH");
	set_str("fd.name", NULL, "/usr/bin/python3");
	set_str("proc.cmdline", NULL, "Y3VybCBodHRwOi8veA=="); /* "curl http://x" */
	set_str("proc.exepath", NULL, "Y3VybA");               /* "curl", no padding */
	set_str("proc.cwd", NULL, "!!!");
	T("tolower(proc.name) = bash");
	T("toupper(proc.name) = BASH");
	T("toupper(tolower(proc.name)) = BASH");
	T("basename(fd.name) = python3");
	T("basename(proc.name) = Bash");
	T("b64(proc.cmdline) = \"curl http://x\"");
	T("b64(proc.cmdline) startswith curl");
	T("b64(proc.exepath) = curl");
	F("b64(proc.cwd) exists");             /* not base64: no value */
	T("not b64(proc.cwd) = x");
	T("len(proc.name) = 4");
	T("len(fd.name) > 10");
	T("len(b64(proc.exepath)) = 4");
	T("concat(proc.name, \"-\", proc.pname) = Bash-bash");
	T("join(\"/\", (proc.pname, proc.name)) = bash/Bash");
	T("join(\"-\", ()) = \"\"");
	/* the compiler's form of a transformer list: an SK_CO_LIST holding operands */
	sk_cexpr *j = parse("join(\"/\", (proc.pname, proc.name)) = bash/Bash");
	j->lhs->args[1]->kind = SK_CO_LIST;
	assert_int_equal(sk_cond_check(j, NULL, 0), 0);
	assert_int_equal(sk_cond_eval(ctx, j, &src), 1);
	char *js = sk_cond_to_string(j);
	assert_string_equal(js, "join(/,(proc.pname, proc.name)) = bash/Bash");
	free(js);
	F("concat(proc.name, proc.ppid) exists"); /* an argument without value */
	/* on the right: field-to-field */
	T("tolower(proc.name) = val(proc.pname)");
	F("proc.name = val(proc.pname)");
	T("proc.name != val(proc.pname)");
	T("tolower(proc.name) = tolower(user.name)");
	T("proc.pname = tolower(user.name)");
	T("proc.pname in tolower(user.name)");
	T("user.name startswith toupper(proc.pname)");
}

static void test_getopt(void **state)
{
	(void)state;
	static const char *const argv1[] = { "-n", "-tvalue", "-x", "file" };
	static const char *const argv2[] = { "-nt", "ns1", "--long", "-t", "ns2", "--", "-t", "z" };
	static const char *const argv3[] = { "-q", "-t" };
	set_list("fd.types", 0, 4, argv1);
	T("getopt(fd.types, \"nt:\")[t] = value");
	T("getopt(fd.types, \"nt:\")[n] = n");
	F("getopt(fd.types, \"nt:\")[q] exists");
	T("len(getopt(fd.types, \"nt:\")) = 4");      /* n, t, value, ? */
	T("getopt(fd.types, \"nt:\") intersects (\"?\")");
	T("join(\",\", getopt(fd.types, \"nt:\")) = \"n,t,value,?\"");
	ev_clear();
	set_list("fd.types", 1, 8, argv2);
	/* the last value wins; long options are skipped; "--" ends the options */
	T("getopt(fd.types, \"nt:\")[t] = ns2");
	T("join(\",\", getopt(fd.types, \"nt:\")) = \"n,t,ns1,t,ns2\"");
	ev_clear();
	set_list("fd.types", 2, 2, argv3);
	/* a missing value is an empty one */
	T("getopt(fd.types, \"qt:\")[t] = \"\"");
	T("join(\",\", getopt(fd.types, \"qt:\")) = \"q,\"");
}

/* ---- lists ------------------------------------------------------------------------------- */

static void test_lists(void **state)
{
	(void)state;
	static const char *const types[] = { "file", "ipv4", "file" };
	set_list("fd.types", 0, 3, types);
	T("fd.types in (file, ipv4, unix)");     /* every value is in the set */
	F("fd.types in (file, unix)");
	T("fd.types intersects (unix, ipv4)");   /* one is */
	F("fd.types intersects (unix, pipe)");
	T("fd.types exists");
	T("len(fd.types) = 3");
	T("toupper(fd.types) in (FILE, IPV4)");
	ev_clear();
	set_list("fd.types", 1, 0, NULL);
	T("fd.types in (file)");                 /* every one of no values */
	F("fd.types intersects (file)");
	T("fd.types exists");
	T("len(fd.types) = 0");
}

/* ---- big sets ---------------------------------------------------------------------------- */

static void test_big_in(void **state)
{
	(void)state;
	size_t n = 5000, cap = n * 16 + 64;
	char *text = malloc(cap), *names = malloc(n * 12);
	size_t k = (size_t)snprintf(text, cap, "proc.name in (");
	assert_non_null(text);
	for (size_t i = 0; i < n; i++)
		k += (size_t)snprintf(text + k, cap - k, "%sp%zu", i ? ", " : "", i * 3);
	snprintf(text + k, cap - k, ")");
	sk_cexpr *e = parse(text);
	for (size_t v = 0; v < 3 * n; v += 7) {
		char name[16];
		snprintf(name, sizeof(name), "p%zu", v);
		ev_clear();
		set_str("proc.name", NULL, name);
		assert_int_equal(sk_cond_eval(ctx, e, &src), v % 3 == 0);
	}
	ev_clear();
	set_str("proc.name", NULL, "p");
	assert_int_equal(sk_cond_eval(ctx, e, &src), 0);
	free(text);
	free(names);
}

/* ---- regex ------------------------------------------------------------------------------- */

static void test_regex(void **state)
{
	(void)state;
	set_str("proc.name", NULL, "python3.11");
	set_str("fd.name", NULL, "/tmp/a\nb");
	set_str("proc.cmdline", NULL, "caf\xc3\xa9 \xff");
	T("proc.name regex \"python[0-9.]+\"");
	F("proc.name regex \"python\"");            /* the whole value */
	F("proc.name regex \"ython3.11\"");
	T("proc.name regex \"(python|perl)3\\.11\"");
	T("proc.name regex \"^python.*$\"");
	T("proc.name regex \"[[:alpha:]]+[[:digit:].]+\"");
	T("proc.name regex \"p(y|x)+thon3\\.1{2}\"");
	T("proc.name regex \"p.{8}1\"");
	F("fd.name regex \"/tmp/.*\"");              /* '.' stops at a newline */
	T("fd.name regex \"/tmp/a$\\n^b\"");         /* ^ and $ at line ends, as RE2's POSIX mode */
	T("fd.name regex \"/tmp/[^x]*\"");           /* a negated class takes the newline */
	T("proc.cmdline regex \"caf. .\"");          /* UTF-8: é is one character, \xff one U+FFFD */
	T("proc.cmdline regex \"caf\\x{e9} \\x{fffd}\"");
	T("proc.name regex \"a**|python3.11\"");     /* a** is (a*)*, not an error */
}

static void expect_regex_refused(const char *pat, const char *why)
{
	char err[256] = "";
	struct sk_regex *re = NULL;
	int rc = sk_regex_compile(pat, strlen(pat), &re, err, sizeof(err));
	if (rc != -EINVAL)
		fail_msg("regex '%s' accepted", pat);
	if (!strstr(err, why))
		fail_msg("regex '%s': '%s' does not say '%s'", pat, err, why);
	assert_null(re);
}

static int regex_match(const char *pat, const char *s)
{
	char err[256];
	struct sk_regex *re = NULL;
	if (sk_regex_compile(pat, strlen(pat), &re, err, sizeof(err)))
		fail_msg("regex '%s': %s", pat, err);
	int r = sk_regex_match(re, s, strlen(s));
	sk_regex_free(re);
	return r;
}

static void test_regex_syntax(void **state)
{
	(void)state;
	/* what RE2 refuses in Falco's mode (POSIX syntax), PCRE2 would take */
	expect_regex_refused("\\d+", "invalid escape sequence: \\d");
	expect_regex_refused("\\w", "invalid escape sequence");
	expect_regex_refused("\\s", "invalid escape sequence");
	expect_regex_refused("\\bx", "invalid escape sequence");
	expect_regex_refused("\\Ax\\z", "invalid escape sequence");
	expect_regex_refused("\\pL", "invalid escape sequence");
	expect_regex_refused("(a)\\1", "invalid escape sequence");   /* no backreferences */
	expect_regex_refused("(?i)abc", "missing argument to repetition operator");
	expect_regex_refused("(?=a)", "missing argument to repetition operator");
	expect_regex_refused("(?<n>a)", "missing argument");
	expect_regex_refused("(*ACCEPT)", "missing argument");
	expect_regex_refused("*a", "missing argument to repetition operator: *");
	expect_regex_refused("a|+", "missing argument");
	expect_regex_refused("a{1001}", "bad repetition operator");
	expect_regex_refused("a{3,2}", "bad repetition operator");
	expect_regex_refused("(a{100}){11}", "bad repetition operator");
	expect_regex_refused("((a{10}|b){10}){11}", "bad repetition operator");
	expect_regex_refused("[a-b-c]", "invalid character class range");
	expect_regex_refused("[z-a]", "invalid character class range");
	expect_regex_refused("[[:foo:]]", "invalid character class range: [:foo:]");
	expect_regex_refused("[\\d]", "invalid escape sequence");
	expect_regex_refused("[abc", "missing closing ]");
	expect_regex_refused("(abc", "missing )");
	expect_regex_refused("abc)", "unexpected )");
	expect_regex_refused("abc\\", "trailing \\");
	expect_regex_refused("\xff", "invalid UTF-8");
	expect_regex_refused("\\8", "invalid escape sequence");
	expect_regex_refused("\\Qa\\E", "invalid escape sequence");
	expect_regex_refused("\\x{110000}", "invalid escape sequence");
	/* what both take, with RE2's meaning */
	assert_int_equal(regex_match("a*+b", "aab"), 1);      /* (a*)+, not possessive */
	assert_int_equal(regex_match("a*?b", "aab"), 1);      /* (a*)?, not lazy */
	assert_int_equal(regex_match("a??", ""), 1);
	assert_int_equal(regex_match("x{2}{3}", "xxxxxx"), 1);
	assert_int_equal(regex_match("a{,2}", "a{,2}"), 1);   /* not a count: literal */
	assert_int_equal(regex_match("a{01}", "a{01}"), 1);
	assert_int_equal(regex_match("\\12", "\n"), 1);       /* octal */
	assert_int_equal(regex_match("\\0", "\x01"), 0);
	assert_int_equal(regex_match("[]a]+", "]a]"), 1);
	assert_int_equal(regex_match("[^]a]", "b"), 1);
	assert_int_equal(regex_match("[a-]+", "a-"), 1);
	assert_int_equal(regex_match("[-a]+", "-a"), 1);
	assert_int_equal(regex_match("[[.a.]]+", ".]]"), 1);  /* RE2 has no collating elements */
	assert_int_equal(regex_match("[\\v]", "\v"), 1);      /* \v is VT, not PCRE2's class */
	assert_int_equal(regex_match("[\\v]", "\n"), 0);
	assert_int_equal(regex_match("^*a", "a"), 1);
	assert_int_equal(regex_match("(a|ab)(c|bcd)", "abcd"), 1);
	assert_int_equal(regex_match("\\.\\*\\[", ".*["), 1);
}

static void test_regex_backtracking(void **state)
{
	(void)state;
	/* (a*)*b on a long run of a's backtracks exponentially; the automaton answers */
	size_t n = 20000;
	char *s = malloc(n + 1);
	assert_non_null(s);
	memset(s, 'a', n);
	s[n] = '\0';
	assert_int_equal(regex_match("(a|aa)*b", s), 0);
	assert_int_equal(regex_match("(a|a)*", s), 1);
	assert_int_equal(regex_match("((a+)+)+c", s), 0);
	free(s);
}

/* ---- glob against the C library ---------------------------------------------------------- */

static uint64_t rng = 88172645463325252ull;

static unsigned rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)rng;
}

static void test_glob_vs_fnmatch(void **state)
{
	(void)state;
	static const char *const pieces[] = {
		"a", "b", "A", "B", "*", "?", "[", "]", "!", "^", "-", "\\", "/", ".", ":", "z",
		"[:alpha:]", "[:upper:]", "[:lower:]", "[:digit:]", "[:foo:]", "[:", "=", "[=a=]",
		"[.a.]", "[.-.]", "\x80", "\xff", "[:space:]", "[:punct:]", " ", "_", "[]", "[!",
		"[^", "[=", "[.", ".]", "=]", ":]", "[.ab.]", "[=]=]", "[[.].]]", "**", "*a*",
	};
	static const char chars[] = "abAB[]!^-\\/.:=zZ_ \x80\xff";
	size_t np = sizeof(pieces) / sizeof(pieces[0]), bad = 0;

	/* POSIXLY_CORRECT would make the C library read '[^' literally */
	unsetenv("POSIXLY_CORRECT");
	for (int it = 0; it < 400000; it++) {
		char pat[256] = "", s[32];
		int k = (int)(rnd() % 10), sl = (int)(rnd() % 12);
		for (int i = 0; i < k; i++)
			strcat(pat, pieces[rnd() % np]);
		for (int i = 0; i < sl; i++)
			s[i] = chars[rnd() % (sizeof(chars) - 1)];
		s[sl] = '\0';
		for (int cf = 0; cf < 2; cf++) {
			bool want = fnmatch(pat, s, cf ? FNM_CASEFOLD : 0) == 0;
			bool got = sk_glob_match(pat, strlen(pat), s, strlen(s), cf);
			if (want != got && bad++ < 10)
				print_message("glob '%s' on '%s' (casefold %d): fnmatch %d, saker %d\n", pat,
					      s, cf, want, got);
		}
	}
	assert_int_equal(bad, 0);
	/* long class names: the C library gives up at 2048 characters */
	char *p = malloc(2100);
	assert_non_null(p);
	strcpy(p, "[[:");
	memset(p + 3, 'x', 2047);
	strcpy(p + 3 + 2047, "]");
	assert_int_equal(sk_glob_match(p, strlen(p), "[", 1, false), fnmatch(p, "[", 0) == 0);
	strcpy(p + 3 + 2047, "x]");
	assert_int_equal(sk_glob_match(p, strlen(p), "[", 1, false), fnmatch(p, "[", 0) == 0);
	free(p);
}

/* ---- pmatch: the hashed set against one-by-one matching ---------------------------------- */

static void test_pmatch_set(void **state)
{
	(void)state;
	static const char *const comps[] = { "a", "b", "c", "*", "b?", "" };
	char text[4096];
	char paths[40][32];
	for (int round = 0; round < 200; round++) {
		size_t k = (size_t)snprintf(text, sizeof(text), "fd.name pmatch (");
		int np = 1 + (int)(rnd() % 6);
		for (int i = 0; i < np; i++) {
			char *p = paths[i];
			p[0] = '\0';
			int nc = (int)(rnd() % 4);
			for (int c = 0; c < nc; c++) {
				strcat(p, rnd() % 5 ? "/" : "//");
				strcat(p, comps[rnd() % 6]);
			}
			if (!p[0] || rnd() % 4 == 0)
				strcat(p, "/");
			k += (size_t)snprintf(text + k, sizeof(text) - k, "%s%s", i ? ", " : "", p);
		}
		snprintf(text + k, sizeof(text) - k, ")");
		sk_cexpr *e = parse(text);
		for (int t = 0; t < 20; t++) {
			char v[32] = "";
			int nc = (int)(rnd() % 4);
			for (int c = 0; c < nc; c++) {
				strcat(v, "/");
				strcat(v, comps[rnd() % 5]);
			}
			bool want = false;
			for (int i = 0; i < np; i++)
				want |= sk_path_prefix_match(paths[i], strlen(paths[i]), v, strlen(v));
			ev_clear();
			set_str("fd.name", NULL, v);
			int got = sk_cond_eval(ctx, e, &src);
			if (got != want)
				fail_msg("'%s' on '%s': %d, want %d", text, v, got, want);
		}
	}
	assert_true(sk_path_prefix_match("/var/run", 8, "/var/run/x", 10));
	assert_true(sk_path_prefix_match("/var/run", 8, "//var//run", 10));
	assert_false(sk_path_prefix_match("/var/run", 8, "/var/runx", 9));
	assert_false(sk_path_prefix_match("/var/run", 8, "/var", 4));
	assert_true(sk_path_prefix_match("/", 1, "/anything", 9));
	assert_true(sk_path_prefix_match("/opt/*/bin", 10, "/opt/x/bin/y", 12));
	assert_false(sk_path_prefix_match("/opt/*/bin", 10, "/opt/x/y/bin", 12));
}

/* ---- deep trees -------------------------------------------------------------------------- */

static void test_deep_tree(void **state)
{
	(void)state;
	size_t depth = 200000;
	sk_cexpr *nodes = calloc(depth + 1, sizeof(*nodes)), **kids = calloc(depth, sizeof(*kids));
	sk_cexpr *leaf = parse("proc.name = bash");
	assert_non_null(nodes);
	assert_non_null(kids);
	/* not not ... not (proc.name = bash), and'ed one level at a time */
	for (size_t i = 0; i < depth; i++) {
		nodes[i].kind = i % 2 ? SK_C_NOT : SK_C_AND;
		nodes[i].n_kids = 1;
		nodes[i].kids = &kids[i];
		kids[i] = i + 1 < depth ? &nodes[i + 1] : leaf;
	}
	set_str("proc.name", NULL, "bash");
	/* depth/2 nots, an even number */
	assert_int_equal(sk_cond_eval(ctx, &nodes[0], &src), 1);
	assert_int_equal(sk_cond_check(&nodes[0], NULL, 0), 0);
	char *s = sk_cond_to_string(&nodes[0]);
	assert_non_null(s);
	assert_non_null(strstr(s, "proc.name = bash"));
	free(s);
	/* deeper than the format allows: refused by the encoder, not written */
	uint8_t *buf = NULL;
	size_t len = 0;
	assert_int_equal(sk_cond_encode(&nodes[0], &buf, &len), -E2BIG);
	assert_int_equal(len, 0);
	/* SK_COND_MAX_DEPTH counts nodes on a path, operands included: 998 and's + check + field */
	nodes[SK_COND_MAX_DEPTH - 3].kind = SK_C_AND;
	kids[SK_COND_MAX_DEPTH - 3] = leaf;
	assert_int_equal(sk_cond_encode(&nodes[0], &buf, &len), 0);
	size_t pos = 0;
	struct sk_cond_set *set = NULL;
	const sk_cexpr *d;
	char err[200];
	assert_int_equal(sk_cond_decode(buf, len, &pos, &set, &d, err, sizeof(err)), 0);
	assert_int_equal(sk_cond_eval(ctx, d, &src), sk_cond_eval(ctx, &nodes[0], &src));
	sk_cond_set_free(set);
	free(buf);
	buf = NULL;
	len = 0;
	/* one more level is one too many */
	sk_cexpr *under = &nodes[0];
	sk_cexpr top = { .kind = SK_C_NOT, .n_kids = 1, .kids = &under };
	assert_int_equal(sk_cond_encode(&top, &buf, &len), -E2BIG);
	free(buf);
	/* the plans of these nodes go before the nodes */
	sk_cond_ctx_reset(ctx);
	free(nodes);
	free(kids);
}

/* ---- the checker of trees ---------------------------------------------------------------- */

static void expect_refused(sk_cexpr *e, const char *why)
{
	char err[256] = "";
	assert_int_equal(sk_cond_check(e, err, sizeof(err)), -EINVAL);
	if (!strstr(err, why))
		fail_msg("refused with '%s', want '%s'", err, why);
}

static void test_check(void **state)
{
	(void)state;
	sk_cexpr *e;
	e = parse("proc.pid contains 1");
	expect_refused(e, "'contains' does not apply to int64 values");
	e = parse("evt.failed < true");
	expect_refused(e, "'<' does not apply to bool values");
	e = parse("fd.cip startswith 1.2.3.4");
	expect_refused(e, "does not apply to ipaddr");
	e = parse("fd.types = file");
	expect_refused(e, "does not apply to a list-valued left side");
	e = parse("proc.name < anyof (a)");
	expect_refused(e, "'<' takes no modifier");
	e = parse("fd.cip contains anyof (1.2.3.4)");
	expect_refused(e, "does not apply");
	e = parse("proc.name in anyof (a)");
	expect_refused(e, "'in' takes no modifier");
	e = parse("proc.name regex val(proc.pname)");
	expect_refused(e, "takes constants on its right");
	e = parse("proc.name = (a, b)");
	expect_refused(e, "takes one value, not a list");
	e = parse("proc.name regex \"\\\\d\"");
	expect_refused(e, "invalid escape sequence");
	e = parse("tolower(proc.name)[x] = a");
	expect_refused(e, "does not support field arguments");
	e = parse("getopt(fd.types, \"ab\")[xy] = a");
	expect_refused(e, "single option character");
	e = parse("proc.name exists");
	e->rhs = e->lhs;
	expect_refused(e, "'exists' with a right side");
	/* a domain-name field takes names, with =, != and in only */
	e = parse("fd.sip.name = a");
	e->op = SK_COP_CONTAINS;
	expect_refused(e, "'fd.sip.name' takes only =, != and in");
	e = parse("fd.rip.name = a");
	e->mod = SK_CMOD_ANYOF;
	expect_refused(e, "'fd.rip.name' takes only =, != and in");
	e = parse("fd.cip.name = a");
	e->rhs = parse("proc.name = b")->lhs;
	expect_refused(e, "'fd.cip.name' takes only =, != and in");
	e = parse("not proc.name exists");
	e->n_kids = 2;
	expect_refused(e, "'not' with 2 operands");
	e = parse("proc.name = a");
	e->op = (enum sk_cop)99;
	expect_refused(e, "an operator of id 99");
	e = parse("proc.name = a");
	e->lhs->field = 100000;
	expect_refused(e, "a field of id 100000");
	e = parse("proc.aname[x] = a");
	e->lhs->arg = NULL;
	e->lhs->arg_index = -5;
	expect_refused(e, "with index -5");
	e = parse("fd.name = a");
	e->lhs->arg = "x";
	expect_refused(e, "takes no argument");
	e = parse("proc.name = a");
	e->rhs->v.kind = SK_CV_NA;
	expect_refused(e, "a constant of kind");
	/* and the evaluator says no to what it cannot evaluate, without crashing */
	e = parse("proc.name = a");
	e->kind = (enum sk_cexpr_kind)42;
	assert_int_equal(sk_cond_eval(ctx, e, &src), -EINVAL);
}

/* ---- constants from text ----------------------------------------------------------------- */

static void test_cval_from_text(void **state)
{
	(void)state;
	sk_cval v;
	uint8_t buf[64];
	char err[128];
#define OK(t, op, s) assert_int_equal(sk_cval_from_text(t, op, s, strlen(s), &v, buf, err, sizeof(err)), 0)
#define NO(t, op, s) assert_int_equal(sk_cval_from_text(t, op, s, strlen(s), &v, buf, err, sizeof(err)), -EINVAL)
	OK(SK_T_I64, SK_COP_EQ, "-12");
	assert_int_equal(v.i, -12);
	OK(SK_T_I64, SK_COP_EQ, "0x10");
	assert_int_equal(v.i, 16);
	OK(SK_T_U64, SK_COP_EQ, "02101"); /* decimal: a leading 0 is not octal */
	assert_int_equal(v.u, 2101);
	NO(SK_T_I64, SK_COP_EQ, "08x");
	NO(SK_T_I64, SK_COP_EQ, "1.5");
	NO(SK_T_I64, SK_COP_EQ, "");
	NO(SK_T_I64, SK_COP_EQ, "9223372036854775808");
	NO(SK_T_U64, SK_COP_EQ, "-1");
	OK(SK_T_U64, SK_COP_EQ, "18446744073709551615");
	NO(SK_T_PORT, SK_COP_EQ, "65536");
	OK(SK_T_BOOL, SK_COP_EQ, "true");
	NO(SK_T_BOOL, SK_COP_EQ, "1");
	OK(SK_T_IPADDR, SK_COP_EQ, "::1");
	assert_int_equal(v.ip_len, 16);
	OK(SK_T_IPADDR, SK_COP_EQ, "10.0.0.0/8");
	assert_int_equal(v.kind, SK_CV_NET);
	NO(SK_T_IPADDR, SK_COP_EQ, "10.0.0.0/33");
	NO(SK_T_IPNET, SK_COP_EQ, "10.0.0.1");
	OK(SK_T_BYTES, SK_COP_BCONTAINS, "7f454C46");
	assert_int_equal(v.len, 4);
	assert_memory_equal(v.s, "\x7f" "ELF", 4);
	NO(SK_T_BYTES, SK_COP_BCONTAINS, "7f4");
	NO(SK_T_BYTES, SK_COP_BSTARTSWITH, "zz");
	OK(SK_T_BYTES, SK_COP_CONTAINS, "zz");
	assert_int_equal(sk_cval_from_text(SK_T_STR, SK_COP_EQ, "a\0b", 3, &v, buf, err, sizeof(err)),
			 -EINVAL);
#undef OK
#undef NO
}

/* ---- printing ---------------------------------------------------------------------------- */

static void expect_print(const char *text, const char *want)
{
	char *s = sk_cond_to_string(parse(text));
	assert_non_null(s);
	if (strcmp(s, want))
		fail_msg("'%s' prints '%s', want '%s'", text, s, want);
	free(s);
}

static void test_print(void **state)
{
	(void)state;
	expect_print("evt.type exists and fd.name in (a, b) or proc.name=cat",
		     "((evt.type exists and fd.name in (a, b)) or proc.name = cat)");
	expect_print("not proc.name = bash", "not proc.name = bash");
	expect_print("proc.name = \"a b\"", "proc.name = \"a b\"");
	expect_print("proc.name = \"a\\\"b\\\\c\\td=e\"", "proc.name = \"a\\\"b\\\\c\\td=e\"");
	expect_print("proc.name = \"\"", "proc.name = \"\"");
	expect_print("evt.buffer = \"x\\x00y\"", "evt.buffer = \"x\\x00y\"");
	expect_print("proc.aname[2] = sshd", "proc.aname[2] = sshd");
	expect_print("proc.env[\"A B\"] = x", "proc.env[\"A B\"] = x");
	expect_print("tolower(proc.name) = val(proc.pname)", "tolower(proc.name) = val(proc.pname)");
	expect_print("proc.name = tolower(user.name)", "proc.name = tolower(user.name)");
	expect_print("getopt(fd.types, \"nt:\")[t] = v", "getopt(fd.types,nt:)[t] = v");
	expect_print("join(\"-\", (proc.name, user.name)) = x", "join(-,(proc.name, user.name)) = x");
	expect_print("proc.name startswith anyof (a, b)", "proc.name startswith anyof (a, b)");
	expect_print("proc.pid in (1, -2, 0x10)", "proc.pid in (1, -2, 16)");
	expect_print("fd.cip = 10.0.0.0/8", "fd.cip = 10.0.0.0/8");
	expect_print("fd.lip = 2001:DB8::1", "fd.lip = 2001:db8::1");
	expect_print("evt.failed = true", "evt.failed = true");
	expect_print("evt.buffer bcontains 7F454c46", "evt.buffer bcontains 7f454c46");
	expect_print("true and false", "(true and false)");
}

/* cond.h's example of the canonical form */
static void test_print_falco_example(void **state)
{
	(void)state;
	expect_print("(proc.pid = 1 and proc.name in (x, y)) or not user.name exists",
		     "((proc.pid = 1 and proc.name in (x, y)) or not user.name exists)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_missing_value, setup, teardown),
		cmocka_unit_test_setup_teardown(test_boolean, setup, teardown),
		cmocka_unit_test_setup_teardown(test_short_circuit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_strings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_numbers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_addresses, setup, teardown),
		cmocka_unit_test_setup_teardown(test_either_side, setup, teardown),
		cmocka_unit_test_setup_teardown(test_domain_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ancestors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_buffers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_modifiers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_transformers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_getopt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lists, setup, teardown),
		cmocka_unit_test_setup_teardown(test_big_in, setup, teardown),
		cmocka_unit_test_setup_teardown(test_regex, setup, teardown),
		cmocka_unit_test_setup_teardown(test_regex_syntax, setup, teardown),
		cmocka_unit_test_setup_teardown(test_regex_backtracking, setup, teardown),
		cmocka_unit_test_setup_teardown(test_glob_vs_fnmatch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pmatch_set, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deep_tree, setup, teardown),
		cmocka_unit_test_setup_teardown(test_check, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cval_from_text, setup, teardown),
		cmocka_unit_test_setup_teardown(test_print, setup, teardown),
		cmocka_unit_test_setup_teardown(test_print_falco_example, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
