/* UTF-8 validation and jansson helpers shared by the compiler and the runtime (saker/json.h). */
#include <stdlib.h>
#include <string.h>

#include "saker/json.h"

size_t saker_json_utf8_seq(const unsigned char *p, size_t n)
{
	unsigned c = p[0];
	size_t len;
	unsigned min;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	unsigned cp = c & (0x3f >> (len - 1));
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

json_t *saker_json_strn(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < n) {
		size_t k = saker_json_utf8_seq(p + i, n - i);
		if (!k)
			break;
		i += k;
	}
	if (i == n)
		return json_stringn(s, n);
	/* Each invalid byte grows to the 3 bytes of U+FFFD at most. */
	char *buf = malloc(n * 3 + 1);
	if (!buf)
		return NULL;
	size_t o = 0;
	for (i = 0; i < n;) {
		size_t k = saker_json_utf8_seq(p + i, n - i);
		if (k) {
			memcpy(buf + o, s + i, k);
			o += k;
			i += k;
		} else {
			memcpy(buf + o, "\xef\xbf\xbd", 3);
			o += 3;
			i++;
		}
	}
	json_t *j = json_stringn(buf, o);
	free(buf);
	return j;
}

json_t *saker_json_str(const char *s)
{
	return s ? saker_json_strn(s, strlen(s)) : json_null();
}

void saker_json_set(json_t *obj, const char *key, json_t *value, bool *failed)
{
	/* json_object_set_new takes VALUE even when it fails, and refuses a NULL one. */
	if (!value || json_object_set_new(obj, key, value))
		*failed = true;
}

void saker_json_append(json_t *arr, json_t *value, bool *failed)
{
	if (!value || json_array_append_new(arr, value))
		*failed = true;
}
