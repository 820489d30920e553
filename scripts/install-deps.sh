#!/usr/bin/env bash
# Installs the Debian 12 packages saker needs that are missing. Used by both README commands
# and by CI. Usage: scripts/install-deps.sh [--test]   (--test adds what the tests and bench use)
set -euo pipefail

build_pkgs=(build-essential cmake pkg-config clang-14 llvm-14-dev libbpf-dev libelf-dev
	zlib1g-dev libyaml-dev libpcre2-dev flex bison libssl-dev libcurl4-openssl-dev libjansson-dev)
# curl scrapes sakerd's metrics; systemd gives systemd-analyze (it needs no running systemd);
# man-db formats the generated man pages; gcc-multilib builds the 32-bit test program (gcc -m32);
# liburing-dev the io_uring test program.
test_pkgs=(libcmocka-dev time bpftool bpftrace jq iproute2 procps podman runc busybox-static openssl
	curl systemd man-db gcc-multilib liburing-dev)
# Installed without their recommends (qemu's would add a GUI): the guest-kernel test (tests/guest/);
# xz-utils and zstd unpack a kernel package's compressed modules (6.12's overlay.ko.xz).
lean_test_pkgs=(qemu-system-x86 xz-utils zstd)

pkgs=("${build_pkgs[@]}")
lean=()
if [ "${1:-}" = --test ]; then
	pkgs+=("${test_pkgs[@]}")
	lean=("${lean_test_pkgs[@]}")
fi

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
missing=() missing_lean=()
for p in "${pkgs[@]}"; do installed "$p" || missing+=("$p"); done
for p in "${lean[@]}"; do installed "$p" || missing_lean+=("$p"); done
if [ ${#missing[@]} -eq 0 ] && [ ${#missing_lean[@]} -eq 0 ]; then
	echo "install-deps: all $((${#pkgs[@]} + ${#lean[@]})) packages present"
	exit 0
fi

sudo=
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null || { echo "install-deps: need root (or sudo) to install: ${missing[*]} ${missing_lean[*]}" >&2; exit 2; }
	sudo=sudo
fi
echo "install-deps: installing ${missing[*]} ${missing_lean[*]}"
$sudo apt-get update -qq
# With recommends: podman needs some of them (netavark, catatonit) to run containers.
[ ${#missing[@]} -eq 0 ] || DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
[ ${#missing_lean[@]} -eq 0 ] ||
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing_lean[@]}"
