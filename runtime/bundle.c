/* Bundle files: encoding and signing (used by the compiler) and verified decoding (used by sakerd,
 * saker run and saker inspect). The byte layout is documented in docs/bundle-format.md; decoding
 * trusts nothing in the file until the sizes, the digest, the signature and every count have been
 * checked. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "reason.h"
#include "saker/bundle.h"
#include "saker/cond.h"
#include "saker/event.h"
#include "saker/fields.h"
#include "saker/keys.h"

#define BDL_HEADER_SIZE  24u  /* magic, format, n_sections, total_size */
#define BDL_SECTION_SIZE 24u  /* type, reserved, offset, size */
#define BDL_DIGEST_SIZE  32u
#define BDL_ALIGN        8u
#define BDL_MAX_SECTIONS 16u  /* far more than format 2 defines; bounds the table */
#define BDL_SIG_KEY_OFF  8u   /* in the signature section: u32 algorithm, u32 reserved, key */
#define BDL_MAX_FILE     (1u << 30) /* refuse to slurp absurd files */

/* ---- little-endian helpers ---------------------------------------------------------------- */

static void put_u32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put_u64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get_u64(const uint8_t *p)
{
	return (uint64_t)get_u32(p) | (uint64_t)get_u32(p + 4) << 32;
}

static size_t align_up(size_t n)
{
	return (n + BDL_ALIGN - 1) & ~(size_t)(BDL_ALIGN - 1);
}

/* ---- rule metadata: writer ---------------------------------------------------------------- */

/* A growable byte buffer; on allocation failure it remembers the error and ignores writes, so
 * callers check once at the end. */
struct wbuf {
	uint8_t *p;
	size_t len, cap;
	int err;
};

static void wb_put(struct wbuf *w, const void *data, size_t n)
{
	if (w->err)
		return;
	if (w->len + n > w->cap) {
		size_t cap = w->cap ? w->cap : 256;
		while (cap < w->len + n)
			cap *= 2;
		uint8_t *p = realloc(w->p, cap);
		if (!p) {
			w->err = -ENOMEM;
			return;
		}
		w->p = p;
		w->cap = cap;
	}
	if (n)
		memcpy(w->p + w->len, data, n);
	w->len += n;
}

static void wb_u32(struct wbuf *w, uint32_t v)
{
	uint8_t b[4];
	put_u32(b, v);
	wb_put(w, b, 4);
}

static void wb_str(struct wbuf *w, const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n > UINT32_MAX) {
		w->err = -E2BIG;
		return;
	}
	wb_u32(w, (uint32_t)n);
	wb_put(w, s, n);
}

static void wb_u8(struct wbuf *w, uint8_t v)
{
	wb_put(w, &v, 1);
}

/* The conds section: for each rule with a capture plan or a residual, its index, the fields
 * the kernel captures (by name) and the residual tree. */
static int encode_conds(const struct saker_bundle *b, struct wbuf *w)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < b->n_rules; i++)
		n += b->rules[i].residual || b->rules[i].n_captures;
	wb_u32(w, n);
	for (uint32_t i = 0; i < b->n_rules && !w->err; i++) {
		const struct saker_rule_meta *r = &b->rules[i];
		if (!r->residual && !r->n_captures)
			continue;
		wb_u32(w, i);
		wb_u32(w, r->n_captures);
		for (uint32_t c = 0; c < r->n_captures; c++) {
			if (r->captures[c] < 0 || r->captures[c] >= SK_FLD__COUNT)
				return -EINVAL;
			wb_str(w, sk_fields[r->captures[c]].name);
		}
		wb_u8(w, r->residual != NULL);
		if (r->residual && !w->err) {
			uint8_t *tree = NULL;
			size_t len = 0;
			int ret = sk_cond_encode(r->residual, &tree, &len);
			if (ret) {
				free(tree);
				return ret;
			}
			wb_u32(w, (uint32_t)len);
			wb_put(w, tree, len);
			free(tree);
		}
	}
	return w->err;
}

static int encode_left_out(const struct saker_bundle *b, struct wbuf *w)
{
	wb_u32(w, b->n_left_out);
	for (uint32_t i = 0; i < b->n_left_out; i++) {
		wb_str(w, b->left_out[i].name);
		wb_str(w, b->left_out[i].file);
		wb_u32(w, b->left_out[i].line);
		wb_str(w, b->left_out[i].why);
	}
	return w->err;
}

static int encode_rules(const struct saker_bundle *b, struct wbuf *w)
{
	wb_u32(w, b->n_rules);
	for (uint32_t i = 0; i < b->n_rules; i++) {
		const struct saker_rule_meta *r = &b->rules[i];
		wb_str(w, r->name);
		wb_str(w, r->desc);
		wb_str(w, r->source);
		wb_str(w, r->output);
		wb_str(w, r->file);
		wb_u32(w, r->line);
		uint8_t pp[4] = { r->priority, r->plan, r->action, 0 };
		wb_put(w, pp, 4);
		wb_u32(w, r->n_tags);
		for (uint32_t t = 0; t < r->n_tags; t++)
			wb_str(w, r->tags[t]);
		wb_u32(w, r->n_segs);
		for (uint32_t s = 0; s < r->n_segs; s++) {
			wb_u32(w, (uint32_t)r->segs[s].field);
			wb_u32(w, (uint32_t)r->segs[s].width);
			wb_str(w, r->segs[s].text);
			wb_u8(w, r->segs[s].arg != NULL);
			if (r->segs[s].arg)
				wb_str(w, r->segs[s].arg);
		}
	}
	return w->err;
}

int saker_bundle_encode_signed(struct saker_bundle *b, const struct saker_key *key, uint8_t **out,
			       size_t *out_len)
{
	struct wbuf rules = { 0 }, conds = { 0 }, left = { 0 };
	uint8_t sig_block[SAKER_SIG_SECTION_SIZE] = { 0 };
	int ret;

	if (!b || !out || !out_len || (!b->object && b->object_size))
		return -EINVAL;
	if (key && !saker_key_is_private(key))
		return -EINVAL;
	if (b->n_rules > SAKER_MAX_RULES)
		return -E2BIG;
	for (uint32_t i = 0; i < b->n_rules; i++)
		if (b->rules[i].priority >= SAKER_PRIO__COUNT || b->rules[i].plan > SAKER_PLAN_USER ||
		    b->rules[i].action >= SAKER_ACTION__COUNT)
			return -EINVAL;
	ret = encode_rules(b, &rules);
	if (!ret)
		ret = encode_conds(b, &conds);
	if (!ret)
		ret = encode_left_out(b, &left);
	if (ret)
		goto cleanup;

	const char *req = b->requires ? b->requires : "";
	struct {
		uint32_t type;
		const void *data;
		size_t size;
	} secs[] = {
		{ SAKER_SEC_OBJECT, b->object, b->object_size },
		{ SAKER_SEC_RULES, rules.p, rules.len },
		{ SAKER_SEC_REQUIRES, req, strlen(req) },
		{ SAKER_SEC_CONDS, conds.p, conds.len },
		{ SAKER_SEC_LEFT_OUT, left.p, left.len },
		/* Last, so that everything it signs comes before it. */
		{ SAKER_SEC_SIGNATURE, sig_block, sizeof(sig_block) },
	};
	const uint32_t n_secs = sizeof(secs) / sizeof(secs[0]) - (key ? 0 : 1);
	if (key) {
		put_u32(sig_block, SAKER_SIG_ED25519);
		saker_key_public(key, sig_block + BDL_SIG_KEY_OFF);
	}

	size_t total = BDL_HEADER_SIZE + n_secs * BDL_SECTION_SIZE;
	for (uint32_t i = 0; i < n_secs; i++)
		total = align_up(total) + secs[i].size;
	total = align_up(total) + BDL_DIGEST_SIZE;

	/* calloc: padding bytes are zero, so equal inputs give equal files. */
	uint8_t *buf = calloc(1, total);
	if (!buf) {
		ret = -ENOMEM;
		goto cleanup;
	}
	memcpy(buf, SAKER_BUNDLE_MAGIC, 8);
	put_u32(buf + 8, SAKER_BUNDLE_FORMAT);
	put_u32(buf + 12, n_secs);
	put_u64(buf + 16, total);
	size_t off = BDL_HEADER_SIZE + n_secs * BDL_SECTION_SIZE;
	for (uint32_t i = 0; i < n_secs; i++) {
		uint8_t *ent = buf + BDL_HEADER_SIZE + i * BDL_SECTION_SIZE;
		off = align_up(off);
		put_u32(ent, secs[i].type);
		put_u32(ent + 4, 0);
		put_u64(ent + 8, off);
		put_u64(ent + 16, secs[i].size);
		if (secs[i].size)
			memcpy(buf + off, secs[i].data, secs[i].size);
		off += secs[i].size;
	}
	if (key) {
		/* The signature covers every byte before it; only the digest comes after. */
		size_t sig_off = total - BDL_DIGEST_SIZE - SAKER_SIG_SIZE;
		ret = saker_key_sign(key, buf, sig_off, buf + sig_off);
		if (ret) {
			free(buf);
			goto cleanup;
		}
		saker_key_public(key, b->signer);
	}
	b->is_signed = key != NULL;
	b->trusted = false;
	saker_sha256(buf, total - BDL_DIGEST_SIZE, buf + total - BDL_DIGEST_SIZE);
	memcpy(b->digest, buf + total - BDL_DIGEST_SIZE, 32);
	b->format = SAKER_BUNDLE_FORMAT;
	*out = buf;
	*out_len = total;
	ret = 0;
cleanup:
	free(rules.p);
	free(conds.p);
	free(left.p);
	return ret;
}

int saker_bundle_encode(struct saker_bundle *b, uint8_t **out, size_t *out_len)
{
	return saker_bundle_encode_signed(b, NULL, out, out_len);
}

/* ---- decoding ----------------------------------------------------------------------------- */

#define reason saker_reason

/* A bounds-checked reader over one section. */
struct rbuf {
	const uint8_t *p;
	size_t len, off;
	bool bad;
};

static uint32_t rb_u32(struct rbuf *r)
{
	if (r->bad || r->len - r->off < 4) {
		r->bad = true;
		return 0;
	}
	uint32_t v = get_u32(r->p + r->off);
	r->off += 4;
	return v;
}

static uint8_t rb_u8(struct rbuf *r)
{
	if (r->bad || r->len - r->off < 1) {
		r->bad = true;
		return 0;
	}
	return r->p[r->off++];
}

/* Reads a length-prefixed string into a new NUL-terminated copy; NULL with r->bad on a length
 * past the end or an embedded NUL, NULL with r->bad clear on allocation failure. */
static char *rb_str(struct rbuf *r, bool *nomem)
{
	uint32_t n = rb_u32(r);
	if (r->bad || r->len - r->off < n || memchr(r->p + r->off, 0, n)) {
		r->bad = true;
		return NULL;
	}
	char *s = malloc((size_t)n + 1);
	if (!s) {
		*nomem = true;
		r->bad = true;
		return NULL;
	}
	memcpy(s, r->p + r->off, n);
	s[n] = 0;
	r->off += n;
	return s;
}

/* S (a string from the file) made fit to quote in a one-line reason: control bytes become
 * \xNN, so a name holding a newline or a terminal escape cannot split or forge the message. */
static const char *shown(const char *s, char *buf, size_t size)
{
	size_t k = 0;
	for (; *s && k + 5 < size; s++) {
		unsigned char c = (unsigned char)*s;
		if (c < 0x20 || c == 0x7f)
			k += (size_t)snprintf(buf + k, size - k, "\\x%02x", c);
		else
			buf[k++] = (char)c;
	}
	buf[k] = 0;
	return buf;
}

static int decode_rules(struct saker_bundle *b, const uint8_t *p, size_t len, char *err,
			size_t esz)
{
	struct rbuf r = { .p = p, .len = len };
	bool nomem = false;
	char name[128], text[128];

	uint32_t n = rb_u32(&r);
	if (r.bad)
		goto bad;
	if (n > SAKER_MAX_RULES)
		return reason(err, esz, -EINVAL, "rules section holds %u rules, more than the %u a bundle can have",
			      n, SAKER_MAX_RULES);
	/* Each rule takes at least 36 bytes, so a count beyond that is corrupt, not a big alloc. */
	if ((size_t)n * 36 > len)
		goto bad;
	b->rules = calloc(n ? n : 1, sizeof(*b->rules));
	if (!b->rules)
		return -ENOMEM;
	b->n_rules = n;
	for (uint32_t i = 0; i < n; i++) {
		struct saker_rule_meta *m = &b->rules[i];
		m->name = rb_str(&r, &nomem);
		m->desc = rb_str(&r, &nomem);
		m->source = rb_str(&r, &nomem);
		m->output = rb_str(&r, &nomem);
		m->file = rb_str(&r, &nomem);
		m->line = rb_u32(&r);
		uint32_t pp = rb_u32(&r);
		if (r.bad)
			goto bad;
		m->priority = pp & 0xff;
		m->plan = (pp >> 8) & 0xff;
		m->action = (pp >> 16) & 0xff;
		if (m->priority >= SAKER_PRIO__COUNT || m->plan > SAKER_PLAN_USER || (pp >> 24))
			return reason(err, esz, -EINVAL, "rule '%s': invalid priority or plan",
				      shown(m->name, name, sizeof(name)));
		/* an action this reader does not know must not run as a mere alert */
		if (m->action >= SAKER_ACTION__COUNT)
			return reason(err, esz, -EINVAL, "rule '%s': action %u is unknown to this version",
				      shown(m->name, name, sizeof(name)), m->action);
		if (m->action != SAKER_ACTION_ALERT && m->plan != SAKER_PLAN_EXACT)
			return reason(err, esz, -EINVAL, "rule '%s': action '%s' on a rule that is not exact in the kernel",
				      shown(m->name, name, sizeof(name)), saker_action_names[m->action]);

		uint32_t nt = rb_u32(&r);
		if (r.bad || (size_t)nt * 4 > r.len - r.off)
			goto bad;
		m->tags = calloc(nt ? nt : 1, sizeof(char *));
		if (!m->tags)
			return -ENOMEM;
		m->n_tags = nt;
		for (uint32_t t = 0; t < nt && !r.bad; t++)
			m->tags[t] = rb_str(&r, &nomem);

		uint32_t ns = rb_u32(&r);
		if (r.bad || (size_t)ns * 12 > r.len - r.off)
			goto bad;
		m->segs = calloc(ns ? ns : 1, sizeof(*m->segs));
		if (!m->segs)
			return -ENOMEM;
		m->n_segs = ns;
		for (uint32_t s = 0; s < ns && !r.bad; s++) {
			struct saker_fmt_seg *g = &m->segs[s];
			g->field = (int32_t)rb_u32(&r);
			g->width = (int32_t)rb_u32(&r);
			g->text = rb_str(&r, &nomem);
			if (b->format >= 2) {
				uint8_t has_arg = rb_u8(&r);
				if (has_arg > 1)
					r.bad = true;
				else if (has_arg)
					g->arg = rb_str(&r, &nomem);
			}
			if (r.bad)
				break;
			if (g->width < 0 || g->width > SAKER_PATH_MAX)
				return reason(err, esz, -EINVAL, "rule '%s': output width %d is out of range",
					      shown(m->name, name, sizeof(name)), g->width);
			if (g->field == -2)
				continue; /* a token saker cannot render: prints <NA> */
			if (g->field < 0) {
				g->field = -1;
				continue;
			}
			/* The name is what counts: field ids may be renumbered between releases. The
			 * token may carry its argument (proc.aname[2]): the name ends before it. */
			const char *br = strchr(g->text, '[');
			int id = -1;
			if (!br) {
				id = sk_field_lookup(g->text);
			} else if ((size_t)(br - g->text) < sizeof(text)) {
				memcpy(text, g->text, (size_t)(br - g->text));
				text[br - g->text] = 0;
				id = sk_field_lookup(text);
			}
			if (id < 0)
				return reason(err, esz, -EINVAL,
					      "rule '%s': output field '%s' is unknown to this version",
					      shown(m->name, name, sizeof(name)),
					      shown(g->text, text, sizeof(text)));
			g->field = id;
		}
		if (r.bad)
			goto bad;
	}
	if (r.off != r.len)
		return reason(err, esz, -EINVAL, "rules section has %zu bytes of trailing data",
			      r.len - r.off);
	return 0;
bad:
	if (nomem)
		return reason(err, esz, -ENOMEM, "out of memory");
	return reason(err, esz, -EINVAL, "rules section is malformed");
}

static int decode_conds(struct saker_bundle *b, const uint8_t *p, size_t len, char *err, size_t esz)
{
	struct rbuf r = { .p = p, .len = len };
	bool nomem = false;
	char name[128], text[128], why[256];
	uint32_t n = rb_u32(&r), prev = 0;

	if (r.bad || (size_t)n * 9 > len)
		goto bad;
	for (uint32_t k = 0; k < n; k++) {
		uint32_t i = rb_u32(&r), nc = rb_u32(&r);
		if (r.bad || i >= b->n_rules || (k && i <= prev) || (size_t)nc * 4 > r.len - r.off)
			goto bad;
		prev = i;
		struct saker_rule_meta *m = &b->rules[i];
		m->captures = calloc(nc ? nc : 1, sizeof(*m->captures));
		if (!m->captures)
			return reason(err, esz, -ENOMEM, "out of memory");
		m->n_captures = nc;
		for (uint32_t c = 0; c < nc; c++) {
			char *f = rb_str(&r, &nomem);
			if (r.bad) {
				free(f);
				goto bad;
			}
			int id = sk_field_lookup(f);
			if (id < 0) {
				reason(err, esz, -EINVAL, "rule '%s': captured field '%s' is unknown to this version",
				       shown(m->name, name, sizeof(name)), shown(f, text, sizeof(text)));
				free(f);
				return -EINVAL;
			}
			free(f);
			m->captures[c] = id;
		}
		uint8_t has = rb_u8(&r);
		if (r.bad || has > 1)
			goto bad;
		if (!has)
			continue;
		uint32_t tl = rb_u32(&r);
		if (r.bad || tl > r.len - r.off)
			goto bad;
		size_t pos = 0;
		const sk_cexpr *tree = NULL;
		int ret = sk_cond_decode(r.p + r.off, tl, &pos, &b->conds, &tree, why, sizeof(why));
		if (ret)
			return reason(err, esz, ret, "rule '%s': its residual condition is malformed: %s",
				      shown(m->name, name, sizeof(name)), why);
		if (pos != tl)
			goto bad;
		r.off += tl;
		m->residual = tree;
		if (m->plan == SAKER_PLAN_EXACT)
			return reason(err, esz, -EINVAL, "rule '%s': an exact rule has a residual",
				      shown(m->name, name, sizeof(name)));
	}
	for (uint32_t i = 0; i < b->n_rules; i++)
		if (b->rules[i].plan != SAKER_PLAN_EXACT && !b->rules[i].residual)
			return reason(err, esz, -EINVAL, "rule '%s': a %s rule has no residual",
				      shown(b->rules[i].name, name, sizeof(name)),
				      b->rules[i].plan == SAKER_PLAN_PARTIAL ? "partial" : "user-space");
	if (r.off != r.len)
		goto bad;
	return 0;
bad:
	if (nomem)
		return reason(err, esz, -ENOMEM, "out of memory");
	return reason(err, esz, -EINVAL, "conds section is malformed");
}

static int decode_left_out(struct saker_bundle *b, const uint8_t *p, size_t len, char *err, size_t esz)
{
	struct rbuf r = { .p = p, .len = len };
	bool nomem = false;
	uint32_t n = rb_u32(&r);

	if (r.bad || (size_t)n * 16 > len)
		goto bad;
	b->left_out = calloc(n ? n : 1, sizeof(*b->left_out));
	if (!b->left_out)
		return reason(err, esz, -ENOMEM, "out of memory");
	b->n_left_out = n;
	for (uint32_t i = 0; i < n && !r.bad; i++) {
		struct saker_left_out *l = &b->left_out[i];
		l->name = rb_str(&r, &nomem);
		l->file = rb_str(&r, &nomem);
		l->line = rb_u32(&r);
		l->why = rb_str(&r, &nomem);
	}
	if (r.bad || r.off != r.len)
		goto bad;
	return 0;
bad:
	if (nomem)
		return reason(err, esz, -ENOMEM, "out of memory");
	return reason(err, esz, -EINVAL, "left-out section is malformed");
}

/* The signature section SIG (SAKER_SIG_SECTION_SIZE bytes, the last before the digest of the
 * bundle DATA): checks its algorithm, verifies it against the public key it names, and, when TRUST
 * has keys, that this key is one of them. Fills B's signer fields. */
static int check_signature(struct saker_bundle *b, const uint8_t *data, const uint8_t *sig,
			   const struct saker_trust *trust, char *err, size_t esz)
{
	char fp[SAKER_KEY_FP_SIZE];
	uint32_t alg = get_u32(sig);
	if (alg != SAKER_SIG_ED25519)
		return reason(err, esz, -ENOTSUP,
			      "signature algorithm %u is unknown to this version (it knows 1, Ed25519)", alg);
	if (get_u32(sig + 4))
		return reason(err, esz, -EINVAL, "signature section: reserved field is not zero");
	const uint8_t *pub = sig + BDL_SIG_KEY_OFF;
	saker_key_fingerprint(pub, fp);
	/* What is signed: every byte of the file before the 64 signature bytes. */
	const uint8_t *sig_bytes = pub + SAKER_KEY_RAW_SIZE;
	int ret = saker_key_verify(pub, data, (size_t)(sig_bytes - data), sig_bytes);
	if (ret == -EBADMSG)
		return reason(err, esz, ret,
			      "bad signature: the bundle was changed after key %s signed it, or the signature is forged",
			      fp);
	if (ret)
		return reason(err, esz, ret, "cannot check the signature: %s", strerror(-ret));
	b->is_signed = true;
	memcpy(b->signer, pub, SAKER_KEY_RAW_SIZE);
	for (size_t i = 0; trust && i < trust->n; i++) {
		uint8_t k[SAKER_KEY_RAW_SIZE];
		saker_key_public(trust->keys[i], k);
		if (!memcmp(k, pub, sizeof(k)))
			b->trusted = true;
	}
	if (trust && trust->n && !b->trusted)
		return reason(err, esz, -EKEYREJECTED, "signed by key %s, which is not a trusted key", fp);
	return 0;
}

int saker_bundle_decode_trusted(const uint8_t *data, size_t len, const struct saker_trust *trust,
				struct saker_bundle **out, char *err, size_t esz)
{
	struct saker_bundle *b = NULL;
	int ret;

	if (err && esz)
		err[0] = 0;
	if (!out || (!data && len))
		return reason(err, esz, -EINVAL, "invalid arguments");
	*out = NULL;
	if (len == 0)
		return reason(err, esz, -EINVAL, "truncated: the file is empty");
	if (memcmp(data, SAKER_BUNDLE_MAGIC, len < 8 ? len : 8))
		return reason(err, esz, -EINVAL, "not a saker bundle (bad magic)");
	if (len < BDL_HEADER_SIZE)
		return reason(err, esz, -EINVAL, "truncated: %zu bytes, shorter than a bundle header", len);

	uint32_t format = get_u32(data + 8);
	uint32_t n_secs = get_u32(data + 12);
	uint64_t total = get_u64(data + 16);
	if (format > SAKER_BUNDLE_FORMAT)
		return reason(err, esz, -ENOTSUP,
			      "bundle format %u is newer than this sakerd understands (%u)", format,
			      SAKER_BUNDLE_FORMAT);
	if (format < SAKER_BUNDLE_FORMAT_MIN)
		return reason(err, esz, -ENOTSUP,
			      "bundle format %u is not supported (this sakerd reads %u to %u)", format,
			      SAKER_BUNDLE_FORMAT_MIN, SAKER_BUNDLE_FORMAT);
	if (total > len)
		return reason(err, esz, -EINVAL, "truncated: the file has %zu bytes, the header says %llu",
			      len, (unsigned long long)total);
	if (total < len)
		return reason(err, esz, -EINVAL,
			      "trailing data: the file has %zu bytes, the header says %llu", len,
			      (unsigned long long)total);
	if (n_secs == 0 || n_secs > BDL_MAX_SECTIONS ||
	    BDL_HEADER_SIZE + (uint64_t)n_secs * BDL_SECTION_SIZE + BDL_DIGEST_SIZE > total)
		return reason(err, esz, -EINVAL, "corrupt header: %u sections do not fit in %llu bytes",
			      n_secs, (unsigned long long)total);

	uint8_t digest[32];
	saker_sha256(data, len - BDL_DIGEST_SIZE, digest);
	if (memcmp(digest, data + len - BDL_DIGEST_SIZE, 32))
		return reason(err, esz, -EBADMSG, "digest mismatch: the bundle was altered or corrupted");

	/* From here the bytes are what some writer produced: the checks below catch a writer bug,
	 * a hand-made file with a valid digest, and (with the signature) anyone but the signer. */
	const uint32_t last_type = format >= 2 ? SAKER_SEC_SIGNATURE : SAKER_SEC_REQUIRES;
	const uint8_t *sec[SAKER_SEC_SIGNATURE + 1] = { 0 };
	uint64_t sec_size[SAKER_SEC_SIGNATURE + 1] = { 0 };
	uint64_t prev_end = BDL_HEADER_SIZE + (uint64_t)n_secs * BDL_SECTION_SIZE;
	const uint64_t payload_end = len - BDL_DIGEST_SIZE;
	for (uint32_t i = 0; i < n_secs; i++) {
		const uint8_t *ent = data + BDL_HEADER_SIZE + i * BDL_SECTION_SIZE;
		uint32_t type = get_u32(ent);
		uint64_t off = get_u64(ent + 8), size = get_u64(ent + 16);
		if (type < SAKER_SEC_OBJECT || type > last_type)
			return reason(err, esz, -EINVAL, "unknown section type %u", type);
		if (get_u32(ent + 4))
			return reason(err, esz, -EINVAL, "section %u: reserved field is not zero", type);
		if (sec[type])
			return reason(err, esz, -EINVAL, "section %u appears twice", type);
		if (off % BDL_ALIGN || off < prev_end || off > payload_end || size > payload_end - off)
			return reason(err, esz, -EINVAL, "section %u lies outside the file or overlaps another",
				      type);
		if (type == SAKER_SEC_SIGNATURE) {
			if (size != SAKER_SIG_SECTION_SIZE)
				return reason(err, esz, -EINVAL,
					      "the signature section has %llu bytes, not %u",
					      (unsigned long long)size, SAKER_SIG_SECTION_SIZE);
			/* Last in the table and in the file: nothing unsigned can follow it. */
			if (i != n_secs - 1 || off + size != payload_end)
				return reason(err, esz, -EINVAL,
					      "the signature section is not the last bytes before the digest");
		}
		sec[type] = data + off;
		sec_size[type] = size;
		prev_end = off + size;
	}
	static const char *const sec_names[] = { NULL, "object", "rules", "requires", "conds", "left-out" };
	/* every section but the signature is required */
	const uint32_t last_required = format >= 2 ? SAKER_SEC_LEFT_OUT : SAKER_SEC_REQUIRES;
	for (uint32_t t = SAKER_SEC_OBJECT; t <= last_required; t++)
		if (!sec[t])
			return reason(err, esz, -EINVAL, "the %s section is missing", sec_names[t]);
	if (!sec_size[SAKER_SEC_OBJECT])
		return reason(err, esz, -EINVAL, "the object section is empty");
	if (memchr(sec[SAKER_SEC_REQUIRES], 0, sec_size[SAKER_SEC_REQUIRES]))
		return reason(err, esz, -EINVAL, "the requires section holds a NUL byte");

	b = calloc(1, sizeof(*b));
	if (!b)
		return reason(err, esz, -ENOMEM, "out of memory");
	/* Before anything parses the rules: a bundle nobody trusted signed goes no further. */
	if (sec[SAKER_SEC_SIGNATURE]) {
		ret = check_signature(b, data, sec[SAKER_SEC_SIGNATURE], trust, err, esz);
		if (ret)
			goto fail;
	} else if (trust && trust->n) {
		ret = reason(err, esz, -EKEYREJECTED,
			     "not signed, and only bundles signed by a trusted key may run");
		goto fail;
	}
	b->format = format;
	memcpy(b->digest, digest, 32);
	b->object_size = sec_size[SAKER_SEC_OBJECT];
	b->object = malloc(b->object_size);
	b->requires = malloc(sec_size[SAKER_SEC_REQUIRES] + 1);
	if (!b->object || !b->requires) {
		ret = reason(err, esz, -ENOMEM, "out of memory");
		goto fail;
	}
	memcpy(b->object, sec[SAKER_SEC_OBJECT], b->object_size);
	memcpy(b->requires, sec[SAKER_SEC_REQUIRES], sec_size[SAKER_SEC_REQUIRES]);
	b->requires[sec_size[SAKER_SEC_REQUIRES]] = 0;
	ret = decode_rules(b, sec[SAKER_SEC_RULES], sec_size[SAKER_SEC_RULES], err, esz);
	if (!ret && format >= 2)
		ret = decode_conds(b, sec[SAKER_SEC_CONDS], sec_size[SAKER_SEC_CONDS], err, esz);
	else if (!ret)
		for (uint32_t i = 0; i < b->n_rules && !ret; i++)
			if (b->rules[i].plan != SAKER_PLAN_EXACT)
				ret = reason(err, esz, -EINVAL, "format 1 bundles hold exact rules only");
	if (!ret && format >= 2)
		ret = decode_left_out(b, sec[SAKER_SEC_LEFT_OUT], sec_size[SAKER_SEC_LEFT_OUT], err, esz);
	if (ret) {
		if (ret == -ENOMEM && err && esz && !err[0])
			reason(err, esz, ret, "out of memory");
		goto fail;
	}
	*out = b;
	return 0;
fail:
	saker_bundle_free(b);
	return ret;
}

int saker_bundle_decode(const uint8_t *data, size_t len, struct saker_bundle **out, char *err,
			size_t esz)
{
	return saker_bundle_decode_trusted(data, len, NULL, out, err, esz);
}

int saker_bundle_sign(const uint8_t *data, size_t len, const struct saker_key *key, uint8_t **out,
		      size_t *out_len, char *err, size_t esz)
{
	struct saker_bundle *b = NULL;
	int ret = saker_bundle_decode(data, len, &b, err, esz);
	if (ret)
		return ret;
	ret = saker_bundle_encode_signed(b, key, out, out_len);
	if (ret)
		reason(err, esz, ret, "cannot sign the bundle: %s", strerror(-ret));
	saker_bundle_free(b);
	return ret;
}

int saker_bundle_read_file(const char *path, struct saker_bundle **out, char *err, size_t esz)
{
	return saker_bundle_read_file_trusted(path, NULL, out, err, esz);
}

int saker_bundle_read_file_trusted(const char *path, const struct saker_trust *trust,
				   struct saker_bundle **out, char *err, size_t esz)
{
	uint8_t *data = NULL;
	FILE *f = NULL;
	int ret;

	if (out)
		*out = NULL;
	/* without blocking: a FIFO or a device is refused below, not waited on */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0 || !(f = fdopen(fd, "rb"))) {
		ret = -errno;
		if (fd >= 0)
			close(fd);
		return reason(err, esz, ret, "cannot open: %s", strerror(-ret));
	}
	struct stat st;
	if (fstat(fileno(f), &st) < 0) {
		ret = reason(err, esz, -errno, "cannot stat: %s", strerror(errno));
		goto cleanup;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = reason(err, esz, -EINVAL, "not a regular file");
		goto cleanup;
	}
	if ((uint64_t)st.st_size > BDL_MAX_FILE) {
		ret = reason(err, esz, -EFBIG, "file is too large (%lld bytes) to be a bundle",
			     (long long)st.st_size);
		goto cleanup;
	}
	size_t len = (size_t)st.st_size;
	data = malloc(len ? len : 1);
	if (!data) {
		ret = reason(err, esz, -ENOMEM, "out of memory");
		goto cleanup;
	}
	if (len && fread(data, 1, len, f) != len) {
		ret = reason(err, esz, -EIO, "read error");
		goto cleanup;
	}
	ret = saker_bundle_decode_trusted(data, len, trust, out, err, esz);
cleanup:
	free(data);
	if (f)
		fclose(f);
	return ret;
}

void saker_bundle_free(struct saker_bundle *b)
{
	if (!b)
		return;
	for (uint32_t i = 0; b->rules && i < b->n_rules; i++) {
		struct saker_rule_meta *m = &b->rules[i];
		free(m->name);
		free(m->desc);
		free(m->source);
		free(m->output);
		free(m->file);
		for (uint32_t t = 0; m->tags && t < m->n_tags; t++)
			free(m->tags[t]);
		free(m->tags);
		for (uint32_t s = 0; m->segs && s < m->n_segs; s++) {
			free(m->segs[s].text);
			free(m->segs[s].arg);
		}
		free(m->segs);
		free(m->captures);
	}
	free(b->rules);
	for (uint32_t i = 0; b->left_out && i < b->n_left_out; i++) {
		free(b->left_out[i].name);
		free(b->left_out[i].file);
		free(b->left_out[i].why);
	}
	free(b->left_out);
	sk_cond_set_free(b->conds);
	free(b->object);
	free(b->requires);
	free(b);
}
