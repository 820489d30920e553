#!/usr/bin/env bash
# A rule naming a file matches the file by any name: a hard link (also 100 directories deep), a
# bind mount in a private mount namespace (also below 20 nested mounts), a chroot, all alert with fd.name the name the process used and fd.ino the file's
# inode; a copy of the file (another inode) does not. When the watched path is replaced (a new
# file renamed over it, as passwd and shadow tools do), sakerd follows it: the new file alerts
# through a link, the old one no longer does. The watched file is a scratch stand-in for
# /etc/shadow.
. "$(dirname "$0")/lib.sh"
need_root
command -v unshare > /dev/null || skip "unshare is missing (util-linux)"
BUSYBOX=$(static_busybox)
[ -n "$BUSYBOX" ] || loud_skip "no statically linked busybox (apt-get install busybox-static)"

T="$E2E_TMP/t"
W="$T/etc/shadow"
mkdir -p "$T/etc" "$T/elsewhere" "$T/mnt"
printf 'root:*:19000:0:99999:7:::\n' > "$W"
cat > "$E2E_TMP/rules.yaml" <<YAML
- rule: Write to the watched file
  desc: the stand-in for /etc/shadow opened for writing, by any name
  condition: >
    evt.type in (open, openat, openat2, creat) and evt.is_open_write = true and fd.name in ($W)
  output: file=%fd.name ino=%fd.ino vpid=%proc.vpid
  priority: WARNING
YAML
compile_bundle "$E2E_TMP/rules.yaml" "$E2E_TMP/identity.saker"
start_sakerd --json "$E2E_TMP/identity.saker"

mine() { jq -c --arg p "$1" 'select(.output_fields["proc.vpid"] == ($p | tonumber))' "$SAKERD_OUT"; }
# expect_alert WHAT VPID NAME INO: one alert of VPID, naming NAME, on inode INO
expect_alert() {
	local what=$1 p=$2 i l
	for i in $(seq 100); do
		l=$(mine "$p")
		[ -n "$l" ] && break
		sleep 0.1
	done
	[ -n "$l" ] || fail "$what: no alert"
	expect_eq "$what: alerts" "$(wc -l <<< "$l")" 1
	expect_eq "$what: fd.name" "$(jq -r '.output_fields["fd.name"]' <<< "$l")" "$3"
	expect_eq "$what: fd.ino" "$(jq -r '.output_fields["fd.ino"]' <<< "$l")" "$4"
	echo "$what: alert, fd.name=$3 fd.ino=$4"
}
# expect_none WHAT VPID: a marker alert first, then none of VPID
expect_none() {
	local p
	p=$("$OPENER" write "$W") || fail "marker open failed"
	expect_alert "marker" "$p" "$W" "$(stat -c %i "$W")" > /dev/null
	expect_eq "$1: alerts" "$(mine "$2" | wc -l)" 0
	echo "$1: no alert"
}
ino=$(stat -c %i "$W")

p=$("$OPENER" write "$W") || fail "open failed"
expect_alert "the path itself" "$p" "$W" "$ino"

ln "$W" "$T/elsewhere/link"
p=$("$OPENER" write "$T/elsewhere/link") || fail "open through the hard link failed"
expect_alert "hard link" "$p" "$T/elsewhere/link" "$ino"

# a hard link 100 directories deep
DEEP="$T/deep"
for i in $(seq 100); do DEEP="$DEEP/d"; done
mkdir -p "$DEEP"
ln "$W" "$DEEP/link"
p=$("$OPENER" write "$DEEP/link") || fail "open through the deep hard link failed"
expect_alert "hard link 100 directories deep" "$p" "$DEEP/link" "$ino"

# a bind mount of the directory, in a private mount namespace; then a chroot into it there;
# then a bind of it below 20 nested mounts
ROUTE="$T/m"
for i in $(seq 20); do ROUTE="$ROUTE/m"; done
out=$(unshare -m --propagation private bash -c '
	set -e
	mount --bind "$1/etc" "$1/mnt"
	"$2" write "$1/mnt/shadow"
	cp "$3" "$1/mnt/busybox"
	chroot "$1/mnt" /busybox sh -c "echo \$\$; exec 3>>/shadow"
	rm -f "$1/mnt/busybox"
	d=$1/m
	mkdir -p "$d"
	for i in $(seq 20); do mount -t tmpfs none "$d"; mkdir "$d/m"; d=$d/m; done
	mkdir "$d/etc"
	mount --bind "$1/etc" "$d/etc"
	"$2" write "$d/etc/shadow"
' bash "$T" "$OPENER" "$BUSYBOX") || fail "the mount namespace part failed"
expect_alert "bind mount, private namespace" "$(sed -n 1p <<< "$out")" "$T/mnt/shadow" "$ino"
expect_alert "chroot" "$(sed -n 2p <<< "$out")" "/shadow" "$ino"
expect_alert "bind below 20 nested mounts" "$(sed -n 3p <<< "$out")" "$ROUTE/etc/shadow" "$ino"

# the near miss: a copy is another file
cp "$W" "$T/elsewhere/copy"
p=$("$OPENER" write "$T/elsewhere/copy") || fail "open of the copy failed"
expect_none "a copy (another inode)" "$p"

# replaced: a new file renamed over the watched path; sakerd follows within its tick (1 s)
cp "$W" "$T/etc/shadow+"
mv "$T/etc/shadow+" "$W"
ino2=$(stat -c %i "$W")
ln "$W" "$T/elsewhere/link2"
sleep 2
p=$("$OPENER" write "$T/elsewhere/link2") || fail "open of the new file's link failed"
expect_alert "replaced: the new file, through a link" "$p" "$T/elsewhere/link2" "$ino2"
p=$("$OPENER" write "$T/elsewhere/link") || fail "open of the old file's link failed"
expect_none "replaced: the old file, through its link" "$p"
stop_sakerd TERM
echo "PASS ($E2E_NAME): the watched file alerts through a hard link, a bind mount, a chroot; a copy and the replaced file do not"
