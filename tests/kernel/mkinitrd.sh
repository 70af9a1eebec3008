#!/bin/sh
# tests/kernel/mkinitrd.sh - the initramfs of the kernel test VM: Debian's
# cloud kernel (the package `make guest` fetched) with the modules the tests
# load, and the host's own programs with every shared library ldd names.
#
#   tests/kernel/mkinitrd.sh KERNEL_DEB MIGBENCH OUTDIR
#
# Writes OUTDIR/vmlinuz and OUTDIR/initrd.img.  Why an initramfs of host
# files: the cloud kernel has no 9p, and virtiofs would need virtiofsd and a
# vhost-user setup; an initramfs needs nothing but cpio, the tests see the
# exact binaries `make deps` installed, and it is read-only input by nature.
# The image is cached: OUTDIR/inputs.sha256 lists every input file's hash and
# the image is rebuilt only when that list changes.  Reproducible: sorted
# files, fixed times and owners, cpio --reproducible, gzip -n.
set -eu
deb=${1:?usage: mkinitrd.sh KERNEL_DEB MIGBENCH OUTDIR}
mbbin=${2:?usage: mkinitrd.sh KERNEL_DEB MIGBENCH OUTDIR}
out=${3:?usage: mkinitrd.sh KERNEL_DEB MIGBENCH OUTDIR}
here=$(cd "$(dirname "$0")" && pwd)
epoch=${SOURCE_DATE_EPOCH:-1700000000}
# Modules the tests need; their dependencies are added from the .ko files.
want="veth sch_netem sch_tbf sd_mod iscsi_tcp"
# Host programs (with their libraries) the tests run inside the VM.
progs="/bin/bash /usr/sbin/ip /usr/sbin/tc /usr/sbin/tgtd /usr/sbin/tgtadm /usr/sbin/iscsiadm
       /usr/sbin/iscsid /usr/bin/jq"

for t in dpkg-deb cpio gzip sha256sum ldd strings; do
	command -v $t >/dev/null 2>&1 || { echo "mkinitrd: $t is missing (make deps)" >&2; exit 4; }
done
busybox=/bin/busybox
file -L "$busybox" 2>/dev/null | grep -q 'statically linked' ||
	{ echo "mkinitrd: needs busybox-static (make deps)" >&2; exit 4; }
for p in $progs; do
	[ -x "$p" ] || { echo "mkinitrd: $p is missing (make deps)" >&2; exit 4; }
done
mkdir -p "$out"

# Every input, with its hash: the cache key.
files=$(for p in $progs "$mbbin"; do echo "$p"; ldd "$p" | awk '/=>/ {print $3} /^\t\/.*ld-linux/ {print $1}'; done |
	sort -u)
dist=/usr/lib/x86_64-linux-gnu/tc
key=$( (sha256sum "$deb" "$busybox" "$here/mkinitrd.sh" "$here/init" "$here/inside.sh" "$here/../lib.sh";
	for f in $files "$dist"/*.dist; do sha256sum "$f"; done) | sed "s|  $PWD/|  |")
if [ -s "$out/initrd.img" ] && [ -s "$out/vmlinuz" ] && [ "$key" = "$(cat "$out/inputs.sha256" 2>/dev/null)" ]; then
	exit 0
fi

stage=$out/root
rm -rf "$out/kernel-root" "$stage"
dpkg-deb -x "$deb" "$out/kernel-root"
release=$(ls "$out/kernel-root/lib/modules" | head -1)
kmods=$out/kernel-root/lib/modules/$release
cp "$out/kernel-root/boot/vmlinuz-$release" "$out/vmlinuz.tmp"

mkdir -p "$stage/bin" "$stage/bbin" "$stage/dev" "$stage/proc" "$stage/sys" "$stage/run" "$stage/tmp" \
	"$stage/etc/iscsi/nodes" "$stage/etc/iscsi/send_targets" "$stage/etc/iscsi/ifaces" "$stage/var" "$stage/lib/modules" "$stage/mb"
ln -s ../run "$stage/var/run"
cp "$busybox" "$stage/bin/busybox"
ln -s busybox "$stage/bin/sh"
cp "$here/init" "$stage/init"
cp "$here/inside.sh" "$here/../lib.sh" "$stage/mb/"
cp "$mbbin" "$stage/mb/migbench"
for f in $files; do
	[ "$f" = "$mbbin" ] && continue
	mkdir -p "$stage$(dirname "$f")"
	cp -L "$f" "$stage$f"
done
mkdir -p "$stage$dist" && cp "$dist"/*.dist "$stage$dist/"
printf 'root:x:0:0:root:/root:/bin/sh\n' > "$stage/etc/passwd"
printf 'root:x:0:\n' > "$stage/etc/group"
printf 'InitiatorName=iqn.2026-12.org.migbench:kernel-vm\n' > "$stage/etc/iscsi/initiatorname.iscsi"
# iscsid is started by the test, as a host's init would (no systemd here).
printf 'node.startup = manual\nnode.session.timeo.replacement_timeout = 5\n' > "$stage/etc/iscsi/iscsid.conf"

# Modules in dependency order (the package has no modules.dep).
: > "$stage/etc/modules"
add_mod() {
	grep -qx "$1" "$stage/etc/modules" && return 0
	f=$(find "$kmods" -name "$1.ko*" | head -1)
	[ -n "$f" ] || { echo "mkinitrd: $release has no module $1" >&2; exit 4; }
	case $f in
	*.ko) cp "$f" "$stage/lib/modules/$1.ko" ;;
	*.ko.xz) xz -dc "$f" > "$stage/lib/modules/$1.ko" ;;
	*.ko.zst) zstd -qdc "$f" > "$stage/lib/modules/$1.ko" ;;
	esac
	for d in $(strings "$stage/lib/modules/$1.ko" | sed -n 's/^depends=//p' | tr ',' ' '); do
		add_mod "$(echo "$d" | tr - _)"
	done
	echo "$1" >> "$stage/etc/modules"
}
for m in $want; do add_mod "$m"; done

chmod 0755 "$stage/init" "$stage/mb/inside.sh"
find "$stage" -exec touch -h -d "@$epoch" {} +
(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort |
	cpio --quiet -o -H newc --reproducible --owner=0:0) | gzip -n -6 > "$out/initrd.img.tmp"
mv "$out/vmlinuz.tmp" "$out/vmlinuz"
mv "$out/initrd.img.tmp" "$out/initrd.img"
printf '%s\n' "$key" > "$out/inputs.sha256"
echo "  KVM     $out/initrd.img ($release, modules: $(tr '\n' ' ' < "$stage/etc/modules"))"
rm -rf "$out/kernel-root" "$stage"
