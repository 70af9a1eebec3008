#!/bin/sh
# guest/mkimage.sh - build the guest image: build/guest/vmlinuz (Debian's
# cloud kernel) and build/guest/initrd.img (busybox, the virtio modules for
# the disk and the NIC, the static workload program), plus
# build/guest/manifest.json.
#
#   guest/mkimage.sh MBGUEST [OUTDIR]
#
# The kernel package is the one linux-image-cloud-amd64 depends on now (or
# GUEST_KERNEL_PKG=linux-image-...-cloud-amd64); it is fetched with
# `apt-get download` into OUTDIR/cache.  The initramfs is reproducible: the
# same kernel package, busybox and MBGUEST give the same bytes (sorted
# files, fixed times and owners, cpio --reproducible, gzip -n).
set -eu
mbguest=${1:?usage: mkimage.sh MBGUEST [OUTDIR]}
out=${2:-build/guest}
here=$(cd "$(dirname "$0")" && pwd)
cache=$out/cache
stage=$out/initramfs
epoch=${SOURCE_DATE_EPOCH:-1700000000}
# In dependency order (the package has no modules.dep): failover before
# net_failover before virtio_net (the NIC of nic = yes).
mods="virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci virtio_blk failover net_failover virtio_net"

for t in apt-get dpkg-deb cpio gzip sha256sum; do
	command -v $t >/dev/null 2>&1 || { echo "mkimage: $t is missing (make deps)" >&2; exit 4; }
done
busybox=$(command -v busybox || true)
if [ -z "$busybox" ] || ! file -L "$busybox" 2>/dev/null | grep -q 'statically linked'; then
	busybox=/bin/busybox
fi
file -L "$busybox" | grep -q 'statically linked' || { echo "mkimage: needs busybox-static (make deps)" >&2; exit 4; }

pkg=${GUEST_KERNEL_PKG:-$(apt-cache depends linux-image-cloud-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')}
[ -n "$pkg" ] || { echo "mkimage: cannot resolve linux-image-cloud-amd64 (apt-get update?)" >&2; exit 4; }
ver=$(apt-cache policy "$pkg" | awk '/Candidate:/ {print $2}')
mkdir -p "$cache"
deb=$(ls "$cache/${pkg}_"*.deb 2>/dev/null | head -1 || true)
if [ -z "$deb" ]; then
	echo "  APT     $pkg $ver"
	(cd "$cache" && apt-get download -q "$pkg=$ver" >/dev/null 2>&1) ||
		(cd "$cache" && apt-get download "$pkg=$ver")
	deb=$(ls "$cache/${pkg}_"*.deb | head -1)
fi
ver=$(dpkg-deb -f "$deb" Version)

rm -rf "$out/kernel-root" "$stage"
dpkg-deb -x "$deb" "$out/kernel-root"
release=$(ls "$out/kernel-root/lib/modules" | head -1)
cp "$out/kernel-root/boot/vmlinuz-$release" "$out/vmlinuz"

mkdir -p "$stage/bin" "$stage/dev" "$stage/proc" "$stage/sys" "$stage/etc" "$stage/lib/modules"
cp "$busybox" "$stage/bin/busybox"
cp "$mbguest" "$stage/bin/mbguest"
cp "$here/init" "$stage/init"
chmod 0755 "$stage/init" "$stage/bin/busybox" "$stage/bin/mbguest"
: > "$stage/etc/modules"
for m in $mods; do
	f=$(find "$out/kernel-root/lib/modules/$release" -name "$m.ko*" | head -1)
	[ -n "$f" ] || continue # built into this kernel
	case $f in
	*.ko) cp "$f" "$stage/lib/modules/$m.ko" ;;
	*.ko.xz) xz -dc "$f" > "$stage/lib/modules/$m.ko" ;;
	*.ko.zst) zstd -qdc "$f" > "$stage/lib/modules/$m.ko" ;;
	*.ko.gz) gzip -dc "$f" > "$stage/lib/modules/$m.ko" ;;
	esac
	echo "$m" >> "$stage/etc/modules"
done
find "$stage" -exec touch -h -d "@$epoch" {} +
(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort |
	cpio --quiet -o -H newc --reproducible --owner=0:0) | gzip -n -9 > "$out/initrd.img.tmp"
mv "$out/initrd.img.tmp" "$out/initrd.img"
rm -rf "$out/kernel-root"

ksum=$(sha256sum "$out/vmlinuz" | cut -d' ' -f1)
isum=$(sha256sum "$out/initrd.img" | cut -d' ' -f1)
bbver=$("$busybox" 2>&1 | head -1 | sed 's/"/\\"/g')
cat > "$out/manifest.json" <<EOM
{
  "kernel_package": "$pkg",
  "kernel_version": "$ver",
  "kernel_release": "$release",
  "vmlinuz_sha256": "$ksum",
  "initrd_sha256": "$isum",
  "busybox": "$bbver",
  "modules": "$(tr '\n' ' ' < "$stage/etc/modules" | sed 's/ $//')"
}
EOM
echo "  GUEST   $out/vmlinuz ($pkg $ver), $out/initrd.img sha256 $isum"
