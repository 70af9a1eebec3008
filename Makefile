# migbench - one non-recursive Makefile.
#
#   make              build ./migbench
#   make guest        build the guest image (build/guest/vmlinuz, initrd.img)
#   make check        run every test (unit, profiles, real components)
#   make check-kernel netem and open-iscsi for real, in a Debian kernel under QEMU
#   make check-asan   the same under AddressSanitizer + UBSan
#   make bench        benchmarks, as ratios against baselines of the same run
#   make fuzz         run the libFuzzer targets for a bounded time
#   make deps         install the Debian packages (as root)
#   make install      PREFIX=/usr/local DESTDIR=
#   V=1               show full commands

PREFIX   ?= /usr/local
DESTDIR  ?=
BUILD    ?= build
CC       ?= cc
CFLAGS   ?= -O2 -g
VERSION  := 0.1.0

# Libraries, as pkg-config module = Debian package.  pkg-config is asked
# when the first compile needs the flags (not when make reads this file), so
# `make deps sweep` works in one go on a fresh machine: deps installs the
# packages first.  A missing one stops the build with the package to install
# ($(BUILD)/pkgcheck), never with a compiler error deep in a file.
PKG_CONFIG ?= pkg-config
PKGS_DEB := libvirt=libvirt-dev libnl-route-3.0=libnl-route-3-dev json-c=libjson-c-dev \
            inih=libinih-dev
PKGS     := $(foreach p,$(PKGS_DEB),$(firstword $(subst =, ,$(p))))
# Evaluated once, on first use.
PKG_CFLAGS = $(eval PKG_CFLAGS := $$(shell $(PKG_CONFIG) --cflags $(PKGS)))$(PKG_CFLAGS)
PKG_LIBS   = $(eval PKG_LIBS := $$(shell $(PKG_CONFIG) --libs $(PKGS)))$(PKG_LIBS)
# What `make deps` runs (a test replaces it).
DEPS_CMD ?= scripts/deps.sh

WARN := -Wall -Wextra -Wformat=2 -Wstrict-prototypes -Wmissing-prototypes \
        -Wshadow -Wpointer-arith -Wundef -Wvla -Wwrite-strings -Wcast-align \
        -Wold-style-definition -Wno-unused-parameter -Werror
MB_CFLAGS = -std=gnu11 $(WARN) -I. -I$(BUILD)/gen -MMD -MP -D_FORTIFY_SOURCE=2 -DMB_PREFIX='"$(PREFIX)"' \
             -fstack-protector-strong -fno-strict-aliasing $(PKG_CFLAGS) $(CFLAGS)
MB_LDFLAGS := $(LDFLAGS)
MB_LIBS = $(PKG_LIBS) -lpthread -lm

ifeq ($(V),1)
Q :=
else
Q := @
endif

# --- sources, folder by folder, in the order the data flows ---------------
core_SRCS    := core/err.c core/log.c core/util.c core/exec.c core/enum.c
core_SRCS    += core/str.c
core_SRCS    += core/jfield.c
profile_SRCS := profile/units.c profile/options.c profile/params.c profile/profile.c profile/values.c
profile_SRCS += profile/options_json.c profile/links.c
plan_SRCS    := plan/plan.c plan/capacity.c
record_SRCS  := record/record.c
record_SRCS  += record/result.c
lab_SRCS     := lab/ns.c lab/lab.c
lab_SRCS     += lab/layout.c
lab_SRCS     += lab/state.c
lab_SRCS     += lab/lock.c
lab_SRCS     += lab/config.c
lab_SRCS     += lab/sites.c
lab_SRCS     += lab/storage.c
lab_SRCS     += lab/links.c
lab_SRCS     += lab/gnet.c
lab_SRCS     += lab/guest.c
lab_SRCS     += lab/status.c
# The emulated link: netem via libnl, the userspace delay line, the probe.
link_SRCS    := link/link.c link/netem_nl.c link/delayline.c link/dl_queue.c \
                link/probe.c link/dl_proto.c link/dl_tun.c link/dl_daemon.c \
                link/netprobe.c
storage_SRCS := storage/store.c storage/libiscsi.c storage/openiscsi.c
guest_SRCS   := guest/image.c
workloads_SRCS := workloads/cmdline.c workloads/fill.c
samples_SRCS := samples/sample.c samples/proto.c samples/phases.c
migrate_SRCS := migrate/virt.c migrate/domain.c migrate/console.c migrate/migrate.c migrate/dirtyrate.c
model_SRCS   := model/precopy.c
# The host sampler and KSM control (between the testbed and the scenario).
hostmon_SRCS := hostmon/proc.c hostmon/hostmon.c hostmon/ksm.c
run_SRCS     := run/testbed.c run/scenario.c run/predict.c run/template.c run/guests.c run/comigrate.c run/hostscn.c run/netwl.c run/labpin.c
report_SRCS  := report/text.c report/files.c report/rows.c report/load.c report/plots.c report/timeline.c \
                report/predicted.c report/compare.c report/comparison.c \
                report/sweep.c report/keyplots.c report/html.c report/report.c
# The command line: parsing and the subcommands, on top of everything else.
cli_SRCS     := cli/cli.c cli/commands.c cli/cmd_plan.c cli/cmd_lab.c cli/cmd_link.c \
                cli/cmd_guest.c cli/cmd_report.c cli/cmd_compare.c cli/cmd_run.c cli/cmd_delayline.c \
                cli/cmd_storage.c

LIB_SRCS := $(core_SRCS) $(profile_SRCS) $(plan_SRCS) $(lab_SRCS) $(link_SRCS) $(storage_SRCS) \
            $(guest_SRCS) $(workloads_SRCS) $(samples_SRCS) $(migrate_SRCS) $(model_SRCS) $(hostmon_SRCS) $(run_SRCS) $(record_SRCS) $(report_SRCS) \
            $(cli_SRCS)
# Local additions (not in git), e.g. LIB_SRCS += ...
-include local.mk

LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
MAIN_OBJ := $(BUILD)/obj/cli/main.o
LIB      := $(BUILD)/libmigbench.a

ifeq ($(BUILD),build)
BIN := migbench
else
BIN := $(BUILD)/migbench
endif

# --- the guest program: static, run inside the VM (not part of migbench) ----
GUEST_SRCS := workloads/mbguest.c workloads/cpuadd.c workloads/seqread.c \
              workloads/memdirty.c workloads/idle.c workloads/netstream.c workloads/echo.c \
              workloads/fill.c samples/proto.c
GUEST_BIN  := build/guest/mbguest
GUEST_CFLAGS := -std=gnu11 $(WARN) -I. -O2 -g0 -pthread -static -ffile-prefix-map=$(CURDIR)=.

# --- fuzzers (libFuzzer, clang): tests/fuzz/fuzz_<name>.c, seeds in corpus/<name>
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS := $(FUZZ_SRCS:tests/fuzz/%.c=build/fuzz/%)
FUZZ_TIME ?= 30
FUZZ_CFLAGS = -std=gnu11 -g -O1 -I. -Ibuild/gen $(PKG_CFLAGS) -fsanitize=fuzzer,address,undefined \
               -fno-sanitize-recover=all -fno-omit-frame-pointer

UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)

.DEFAULT_GOAL := all
.PHONY: all clean check check-unit check-kernel check-asan bench fuzz guest deps install uninstall sweep unit-bins FORCE

# The main job: the study's sweep on the local lab, ending with results and
# plots under results/ (needs root: namespaces, libvirtd, tgtd).
sweep: all guest
	./migbench run profiles/seed-wan.ini

# The tool alone: test-only libraries (cmocka) are needed by `make check`.
all: $(BIN)

# Every library there, or a message naming the Debian package to install.
$(BUILD)/pkgcheck:
	@mkdir -p $(dir $@)
	@missing=; for p in $(PKGS_DEB); do \
	  $(PKG_CONFIG) --exists "$${p%%=*}" 2>/dev/null || missing="$$missing $${p#*=}"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "migbench needs these Debian packages to build:$$missing" >&2; \
	  echo "  install them with: make deps   (or: apt-get install$$missing)" >&2; \
	  exit 1; \
	fi; touch $@

# Version and build flags, one header per build folder, rewritten only when
# its text changes; only the two files that include it depend on it (.d).
$(BUILD)/gen/mb_version.h: FORCE
	@mkdir -p $(dir $@)
	@rev=$$(git describe --always --dirty 2>/dev/null || echo unknown); \
	 printf '#define MB_VERSION "%s"\n#define MB_GIT_REV "%s"\n#define MB_BUILD_FLAGS "%s"\n' \
	   '$(VERSION)' "$$rev" '$(CC) $(CFLAGS)' > $@.tmp; \
	 cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@

$(BUILD)/obj/%.o: %.c | $(BUILD)/pkgcheck $(BUILD)/gen/mb_version.h
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(MB_CFLAGS) -c -o $@ $<

$(LIB): $(LIB_OBJS)
	@$(if $(Q),echo "  AR      $@")
	$(Q)rm -f $@ && ar rcs $@ $^

$(BIN): $(MAIN_OBJ) $(LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(MB_CFLAGS) $(MB_LDFLAGS) -o $@ $^ $(MB_LIBS)

$(BUILD)/tests/%: tests/unit/%.c $(LIB) | $(BUILD)/pkgcheck $(BUILD)/gen/mb_version.h
	@mkdir -p $(dir $@)
	@$(PKG_CONFIG) --exists cmocka || { echo "the unit tests need libcmocka-dev (make deps)" >&2; exit 1; }
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(MB_CFLAGS) $(MB_LDFLAGS) -o $@ $< $(LIB) $(MB_LIBS) -lcmocka

$(GUEST_BIN): $(GUEST_SRCS) $(wildcard workloads/*.h samples/proto.h)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $@ (static)")
	$(Q)$(CC) $(GUEST_CFLAGS) -o $@ $(GUEST_SRCS)

# The guest image: Debian's cloud kernel + an initramfs with the workloads.
guest: $(GUEST_BIN) guest/mkimage.sh guest/init
	guest/mkimage.sh $(GUEST_BIN) build/guest

build/fuzz/%: tests/fuzz/%.c $(LIB_SRCS) | $(BUILD)/pkgcheck build/gen/mb_version.h
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  FUZZ-CC $@")
	$(Q)clang $(FUZZ_CFLAGS) -o $@ $< $(LIB_SRCS) $(MB_LIBS)

# Each fuzzer for FUZZ_TIME seconds from its seed corpus (new inputs go to a
# scratch copy, the seeds in git stay as they are).
fuzz: $(FUZZ_BINS)
	@set -e; for f in $(FUZZ_BINS); do \
	  name=$${f#build/fuzz/fuzz_}; work=build/fuzz/corpus-$$name; mkdir -p $$work; \
	  echo "  FUZZ    $$f for $(FUZZ_TIME) s"; \
	  $$f -max_total_time=$(FUZZ_TIME) -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	      -artifact_prefix=build/fuzz/ $$work tests/fuzz/corpus/$$name > build/fuzz/$$name.log 2>&1 \
	    || { tail -40 build/fuzz/$$name.log; echo "fuzz_$$name FAILED (input saved in build/fuzz/)"; exit 1; }; \
	  grep -E '^(stat::number_of_executed_units|Done)' build/fuzz/$$name.log; \
	done

# Everything the tests use: the tool, the unit tests and the guest image.
check: all $(UNIT_BINS) guest
	tests/run.sh

# migbench's kernel paths (netem, open-iscsi) on Debian's cloud kernel under
# QEMU TCG: tests/sys/kernel.sh alone (make check runs it too).
check-kernel: all guest
	MIGBENCH_TESTS=kernel tests/run.sh sys

check-unit: all $(UNIT_BINS)
	tests/run.sh unit profiles

# The unit tests, the profiles and the controller-heavy system tests under
# AddressSanitizer + UndefinedBehaviorSanitizer (leaks included).
ASAN_TESTS ?= bad_input|hostile|docs|examples|run_smoke|netwl|resume|report_hostile|report_precopy|schema|compare
check-asan:
	$(MAKE) BUILD=build/asan CC=clang \
	  CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	  all unit-bins
	MIGBENCH_BUILD=build/asan MIGBENCH_TESTS='$(ASAN_TESTS)' tests/run.sh unit profiles sys

unit-bins: $(UNIT_BINS)

deps:
	$(DEPS_CMD)

build/bench/nl_apply: bench/nl_apply.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) -std=gnu11 -O2 $(PKG_CFLAGS) -o $@ $< $(PKG_LIBS)

bench: all build/bench/nl_apply
	bench/run.sh

install: $(BIN)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/migbench/profiles
	install -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/bin/migbench
	install -m 0644 profiles/*.ini $(DESTDIR)$(PREFIX)/share/migbench/profiles/
	@if [ -s build/guest/vmlinuz ]; then \
	  install -d $(DESTDIR)$(PREFIX)/share/migbench/guest && \
	  install -m 0644 build/guest/vmlinuz build/guest/initrd.img build/guest/manifest.json \
	    $(DESTDIR)$(PREFIX)/share/migbench/guest/; \
	else echo "install: no guest image (make guest first to install it too)"; fi

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/migbench
	rm -rf $(DESTDIR)$(PREFIX)/share/migbench

clean:
	rm -rf build migbench

-include $(wildcard $(BUILD)/obj/*/*.d $(BUILD)/tests/*.d)
