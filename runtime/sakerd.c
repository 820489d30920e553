/* sakerd: the runtime. Reads and verifies bundles, loads them into the kernel, and sends one
 * Falco-style alert per matching event to its outputs. Links libbpf and libelf, never LLVM. */
#include <stdio.h>
#include <stdlib.h>

#include "rt.h"
#include "rt_config.h"

int main(int argc, char **argv)
{
	struct saker_rt_config c;
	int first = saker_rt_cli_parse("sakerd", "BUNDLE...", argc, argv, &c);
	int status = first < 0 ? saker_rt_cli_status(first)
			       : saker_rt_cli_serve("sakerd", &c, saker_rt_read_bundles, &c,
						    (const char *const *)c.bundles, c.n_bundles);
	saker_rt_config_fini(&c);
	return status;
}
