#!/usr/bin/env bash
# Nothing is dropped silently: while sakerd is stopped, matching opens overflow a small ring
# buffer; every event is then either delivered (one alert each) or counted as lost, and the
# counts add up to what the kernel matched. (lost_check in checks.sh.)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/checks.sh"
need_root

write_flood_rules "$E2E_TMP/rules.yaml" "$E2E_TMP/flood/f"
compile_bundle "$E2E_TMP/rules.yaml" "$E2E_TMP/flood.saker"
lost_check "$E2E_TMP/flood.saker" "$E2E_TMP/flood/f"
echo "PASS ($E2E_NAME): 200 matched, $RECEIVED delivered, $LOST counted as lost"
