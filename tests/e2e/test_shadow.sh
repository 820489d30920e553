#!/usr/bin/env bash
# A write open of /etc/shadow gives exactly one alert with the right fields; a read gives none;
# and a relative path, a symlink, openat with a directory fd, openat2 and the legacy open(2) each
# give an alert naming /etc/shadow, because the kernel resolves the path from the opened file.
# (The check is shadow_check in checks.sh; the guest test runs it on another kernel.)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/checks.sh"
need_root

write_shadow_rules "$E2E_TMP/rules.yaml"
compile_bundle "$E2E_TMP/rules.yaml" "$E2E_TMP/shadow.saker"
shadow_check "$E2E_TMP/shadow.saker"
echo "PASS ($E2E_NAME): $ALERTS alerts, one per write open of /etc/shadow, none for the read"
