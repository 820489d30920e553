/* The benchmark's floor: an empty program on the hook saker evaluates rules at (tp_btf/sys_exit),
 * so the cost of merely having the hook is measured apart from the cost of the rules. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("tp_btf/sys_exit")
int saker_floor_sys_exit(void *ctx)
{
	(void)ctx;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
