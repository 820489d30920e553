#!/usr/bin/env bash
# Installs the Debian 12 packages saker needs that are missing. Used by both README commands
# and by CI. Usage: scripts/install-deps.sh [--test]   (--test adds what the tests and bench use)
set -euo pipefail

build_pkgs=(build-essential cmake pkg-config clang-14 llvm-14-dev libbpf-dev libelf-dev
	zlib1g-dev libyaml-dev flex bison)
test_pkgs=(libcmocka-dev bpftool bpftrace jq iproute2 procps podman runc busybox-static)

pkgs=("${build_pkgs[@]}")
[ "${1:-}" = --test ] && pkgs+=("${test_pkgs[@]}")

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	echo "install-deps: all ${#pkgs[@]} packages present"
	exit 0
fi

sudo=
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null || { echo "install-deps: need root (or sudo) to install: ${missing[*]}" >&2; exit 2; }
	sudo=sudo
fi
echo "install-deps: installing ${missing[*]}"
$sudo apt-get update -qq
# With recommends: podman needs some of them (netavark, catatonit) to run containers.
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
