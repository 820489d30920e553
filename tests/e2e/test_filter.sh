#!/usr/bin/env bash
# The filter runs in the kernel: 10,000 opens of other files (for writing and for reading)
# deliver ZERO events to user space. sakerd's counters show the kernel looked at them all and
# sent only the one matching open that ends the run. (filter_check in checks.sh.)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/checks.sh"
need_root

write_shadow_rules "$E2E_TMP/rules.yaml"
compile_bundle "$E2E_TMP/rules.yaml" "$E2E_TMP/shadow.saker"
filter_check "$E2E_TMP/shadow.saker"
echo "PASS ($E2E_NAME): kernel saw $SEEN syscall exits, user space received 1 event"
