#!/bin/sh
# scripts/deps.sh - install every build, run and test dependency of migbench
# from Debian 12's archive (run as root; `make deps` calls it).
#
# Why each is here:
#   build     build-essential pkg-config clang (sanitizers, libFuzzer)
#             libclang-rt-14-dev (sanitizer runtimes for clang)
#   libraries libvirt-dev (libvirt C API), libnl-3-dev libnl-route-3-dev (netem
#             via netlink), libjson-c-dev (results), libinih-dev (profiles),
#             libcmocka-dev (unit tests)
#   the lab   libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients
#             libvirt-daemon-system (creates the libvirt-qemu user the QEMU
#             driver looks up at start, even with user = "root"; starts no daemon
#             on a machine without systemd)
#             qemu-system-x86 qemu-block-extra (QEMU's libiscsi initiator)
#             qemu-utils tgt (userspace iSCSI target) open-iscsi (kernel
#             initiator, used where the kernel has iscsi_tcp) libiscsi-bin
#             (iscsi-inq: the lab's storage check) iproute2
#   hosts     openssh-server (tests/sys/hosts.sh runs sshd in each lab site, so the
#             [hosts] mode is tested over qemu+ssh:// as on two servers)
#             iputils-ping (on real hosts the link probe pings from the source
#             to the destination over ssh; the test needs it in the sites)
#   guest     busybox-static cpio (reproducible initramfs: --reproducible)
#             the Debian cloud kernel itself is fetched by `make guest`
#   report    gnuplot-nox
#   tests     jq valgrind file
#             python3-jsonschema (tests/validate_run.py checks every run.json and
#             scenarios.jsonl a test writes against schema/*.schema.json)
#             slurmctld slurmd slurm-client munge (tests/sys/slurm.sh runs
#             examples/slurm-sweep.sh on a real single-node Slurm 22.05 with its
#             own munged; the packages start no daemon without systemd)
set -eu
if [ "$(id -u)" -ne 0 ]; then
	echo "deps.sh: run as root (sudo make deps)" >&2
	exit 4
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends \
	build-essential pkg-config clang libclang-rt-14-dev \
	libvirt-dev libnl-3-dev libnl-route-3-dev libjson-c-dev libinih-dev libcmocka-dev \
	libvirt-daemon libvirt-daemon-driver-qemu libvirt-daemon-system libvirt-clients \
	qemu-system-x86 qemu-block-extra qemu-utils tgt open-iscsi libiscsi-bin iproute2 \
	openssh-server iputils-ping \
	busybox-static cpio \
	gnuplot-nox \
	jq valgrind file python3-jsonschema \
	slurmctld slurmd slurm-client munge
