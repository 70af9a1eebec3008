#!/usr/bin/env bash
# tests/sys/kernel.sh - migbench's kernel paths on a real Debian kernel: boot
# the cloud kernel `make guest` fetched under QEMU TCG (no network), with an
# initramfs of this machine's programs (tests/kernel/mkinitrd.sh), run
# tests/kernel/inside.sh there (netem via `migbench link`, open-iscsi via
# `migbench storage`) and pass its result lines and exit status on.
#
# The results come back on the VM's second serial port, between
# "MB-KERNEL-BEGIN" and "MB-KERNEL-END rc=N"; the console (kernel messages,
# stderr) is kept in build/kernel-vm/console.log.
#   KERNEL_VM_CPUS (2), KERNEL_VM_MEM (768 MiB), KERNEL_VM_TIMEOUT (600 s)
. "$(dirname "$0")/../lib.sh"
require_cmd qemu-system-x86_64 dpkg-deb cpio || exit 0
deb=$(ls "$TOP"/build/guest/cache/linux-image-*-cloud-amd64_*.deb 2>/dev/null | head -1)
[ -n "$deb" ] || { skip "needs Debian's cloud kernel package (make guest fetches it into build/guest/cache)"; exit 0; }
[ -x "$MIGBENCH" ] || { fail "migbench is built" "no $MIGBENCH (make)"; finish; }
# The storage command's input checks, on this machine (no VM needed).
expect_rc "storage: an unknown action is bad input" 2 "$MIGBENCH" storage atach --portal 127.0.0.1 --iqn iqn.2026-12.org.migbench:kvm
expect_rc "storage: a LUN that is no number is bad input" 2 "$MIGBENCH" storage attach --portal 127.0.0.1 --iqn iqn.2026-12.org.migbench:kvm --lun x
expect_rc "storage: an IQN with shell syntax is bad input" 2 "$MIGBENCH" storage attach --portal 127.0.0.1 --iqn 'iqn.2026-12.org.x;reboot'
if [ ! -e /sys/class/iscsi_transport/tcp ] && [ ! -e /sys/module/iscsi_tcp ]; then
	out=$("$MIGBENCH" storage attach --portal 127.0.0.1 --iqn iqn.2026-12.org.migbench:kvm --storage open-iscsi 2>&1); rc=$?
	[ $rc -eq 4 ] && [[ $out == *"no iSCSI initiator"* ]] && ok "storage=open-iscsi here (no iscsi_tcp): exit 4 with the reason" ||
		fail "storage=open-iscsi without iscsi_tcp: exit 4 with the reason" "exit $rc: $out"
fi
vm=$TOP/build/kernel-vm
cd "$TOP" || exit 1

t0=$(date +%s.%N)
if ! out=$(tests/kernel/mkinitrd.sh "$deb" "$MIGBENCH" "$vm" 2>&1); then
	rc=$?
	if [ $rc -eq 4 ]; then skip "the kernel VM cannot be built here: $out"; exit 0; fi
	fail "the kernel VM's initramfs builds" "$out"; finish
fi
[ -n "$out" ] && echo "$out"
t1=$(date +%s.%N)
rm -f "$vm/console.log" "$vm/results.log"
timeout "${KERNEL_VM_TIMEOUT:-600}" qemu-system-x86_64 -accel tcg -smp "${KERNEL_VM_CPUS:-2}" \
	-m "${KERNEL_VM_MEM:-768}" -kernel "$vm/vmlinuz" -initrd "$vm/initrd.img" \
	-append "console=ttyS0 panic=-1 quiet" -display none -monitor none -nic none -no-reboot \
	-serial "file:$vm/console.log" -serial "file:$vm/results.log" >"$vm/qemu.log" 2>&1
qrc=$?
t2=$(date +%s.%N)
res=$(tr -d '\r' < "$vm/results.log" 2>/dev/null)
if ! grep -q '^MB-KERNEL-END rc=' <<<"$res"; then
	fail "the kernel VM runs the tests to the end" "qemu exit $qrc; console: $(tail -5 "$vm/console.log" 2>/dev/null | tr -d '\r' | tr '\n' ' ') $(tail -2 "$vm/qemu.log")"
	sed -n '/^MB-KERNEL-BEGIN/,$p' <<<"$res" | grep -v '^MB-KERNEL'
	finish
fi
ok "kernel VM: $(sed -n 's/^MB-KERNEL-BEGIN //p' <<<"$res")"
sed -n '/^MB-KERNEL-BEGIN/,/^MB-KERNEL-END/p' <<<"$res" | grep -v '^MB-KERNEL'
vrc=$(sed -n 's/^MB-KERNEL-END rc=//p' <<<"$res")
[ "$vrc" = 0 ] || FAILED=1
awk -v n="$TEST_NAME" -v a="$t0" -v b="$t1" -v c="$t2" -v cpus="${KERNEL_VM_CPUS:-2}" 'BEGIN {
	printf "info %s: image %.1f s, VM (boot, tests, power off) %.1f s, %s vCPUs under TCG\n", n, b - a, c - b, cpus }'
finish
