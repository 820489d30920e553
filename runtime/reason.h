/* One-line failure reasons: the runtime writes why something failed into a caller's buffer and
 * returns the error code, so callers can `return reason(err, size, -EINVAL, "...")`. */
#ifndef SAKER_REASON_H
#define SAKER_REASON_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

static inline int saker_reason(char *err, size_t size, int ret, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static inline int saker_reason(char *err, size_t size, int ret, const char *fmt, ...)
{
	if (err && size) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err, size, fmt, ap);
		va_end(ap);
	}
	return ret;
}

#endif
