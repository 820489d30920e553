/* Shared by the unit tests that load programs into the kernel (include after <cmocka.h>). */
#ifndef SAKER_KERNEL_TEST_H
#define SAKER_KERNEL_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Kernel tests skip without root, loudly, unless CI demands them (SAKER_REQUIRE_E2E=1). */
static inline int need_root(void)
{
	const char *req = getenv("SAKER_REQUIRE_E2E");

	if (geteuid() == 0)
		return 0;
	if (req && !strcmp(req, "1"))
		fail_msg("SAKER_REQUIRE_E2E=1 but not running as root");
	fprintf(stderr, "\n*** SKIPPED: needs root (load and run BPF programs) ***\n\n");
	return -1;
}

#endif
