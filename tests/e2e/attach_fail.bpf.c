/* A BPF object for test_attach.sh: it loads (the verifier accepts it), but its program names a
 * tracepoint no kernel has, so attaching it fails; sakerd must then refuse to run. */
#include "kernel.h"

#include <bpf/bpf_helpers.h>

#include "saker/event.h"

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 << 10);
} saker_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SAKER_STAT__COUNT);
	__type(key, __u32);
	__type(value, __u64);
} saker_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct saker_rule_stat);
} saker_rule_stats SEC(".maps");

char LICENSE[] SEC("license") = "GPL";

SEC("raw_tp/saker_no_such_tracepoint")
int saker_never(void *ctx)
{
	(void)ctx;
	return 0;
}
