# Hospes: a teaching hypervisor for x86-64.
#
# Start here:   make qemu    boot the default scenario (Ctrl-A X quits)
#               make test    everything CI checks
#               make help    all targets
#
# Every target that needs a tool calls `make deps` first, which installs
# missing Debian packages (and does nothing when all are present).

BUILD ?= build
# V=1 shows every command.
Q := $(if $(V),,@)
CC := gcc
LD := ld
PYTHON ?= python3
QEMU ?= qemu-system-x86_64

# The lab this tree is: a handout has labs/LAB with its number; the
# reference (main branch) grades the newest lab.
LAB ?= $(shell cat labs/LAB 2>/dev/null || \
	ls -d labs/[0-9][0-9]-* | sed 's|labs/0*\([0-9]*\)-.*|\1|' | sort -n | tail -1)

# The default scenario (lab 4 on): dom0 and two boot-time domUs, all
# running the demo guest (guest/tests/demo.c). Change it on the command
# line: `make qemu HV_ARGS="loglvl=all" QEMU_MEM=64M QEMU_MODULES=...`.
DEMO_ELF = $(BUILD)/guest/tests/demo.elf
HV_ARGS ?= domu=1,name=alpha domu=2,name=beta
QEMU_MEM ?= 512M
QEMU_SMP ?= 2
QEMU_MODULES ?= $(DEMO_ELF) dom0,$(DEMO_ELF) alpha,$(DEMO_ELF) beta
QEMU_FLAGS = -cpu max -m $(QEMU_MEM) -smp $(QEMU_SMP) -nographic -no-reboot \
	-kernel $(HV_ELF) -append "$(HV_ARGS)" \
	$(if $(QEMU_MODULES),-initrd "$(QEMU_MODULES)")

# Each user gets their own GDB port, so students sharing a machine do not
# collide: 25000 + uid mod 5000.
GDBPORT := $(shell echo $$((25000 + $$(id -u) % 5000)))

all: hypervisor guests
.PHONY: all

include hypervisor/build.mk
include guest/guest.mk
include grading/grading.mk
include grading/autograder.mk
include labs/labs.mk
include tests/unit/unit.mk
include docs/docs.mk

# ---------------------------------------------------------------------------
# Tools
# ---------------------------------------------------------------------------

# command:Debian package pairs. Libraries have no command, so we test a
# header: Check's, and the C library's (gcc alone, without its recommended
# packages, cannot build host programs such as the unit tests).
DEPS := qemu-system-x86_64:qemu-system-x86 nasm:nasm gcc:gcc make:make \
	gdb:gdb doxygen:doxygen dot:graphviz python3:python3 bear:bear \
	clang-format:clang-format pkg-config:pkg-config \
	/usr/include/string.h:libc6-dev /usr/include/check.h:check

deps:
	@missing=; for d in $(DEPS); do \
	  tool=$${d%%:*}; pkg=$${d#*:}; \
	  if [ "$${tool#/}" != "$$tool" ]; then [ -e "$$tool" ] || missing="$$missing $$pkg"; \
	  else command -v $$tool >/dev/null 2>&1 || missing="$$missing $$pkg"; fi; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "make deps: installing$$missing"; \
	  sudo=; [ "$$(id -u)" = 0 ] || sudo=sudo; \
	  $$sudo apt-get update -q && \
	  DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -q \
	    --no-install-recommends $$missing; \
	fi
.PHONY: deps

# ---------------------------------------------------------------------------
# Running
# ---------------------------------------------------------------------------

qemu: deps
	@$(MAKE) --no-print-directory hypervisor guests
	@echo "*** Booting Hospes under QEMU. Quit with Ctrl-A X."
	$(QEMU) $(QEMU_FLAGS)
.PHONY: qemu

qemu-gdb: deps
	@$(MAKE) --no-print-directory hypervisor guests $(BUILD)/gdbinit
	@echo "*** QEMU is waiting for GDB on port $(GDBPORT): run 'make gdb' in another terminal."
	$(QEMU) $(QEMU_FLAGS) -S -gdb tcp:127.0.0.1:$(GDBPORT)
.PHONY: qemu-gdb

gdb: $(BUILD)/gdbinit
	gdb -n -x $(BUILD)/gdbinit
.PHONY: gdb

$(BUILD)/gdbinit: hypervisor/tools/gdbinit.in $(HV_ELF)
	@mkdir -p $(@D)
	sed -e 's|@ELF@|$(HV_ELF)|' -e 's|@PORT@|$(GDBPORT)|' \
	  -e 's|@GDBPY@|hypervisor/tools/hospes-gdb.py|' $< > $@

# ---------------------------------------------------------------------------
# Checks
# ---------------------------------------------------------------------------

test: deps
	@BUILD=$(BUILD) tests/run-all.sh
.PHONY: test

bench: deps hypervisor guests
	@tests/bench/boot.sh $(HV_ELF) $(GUEST_OUT)/tests
.PHONY: bench

# The C sources clang-format looks after (generated files are in build/).
# The generator's test fixtures (tests/labs/) are deliberately odd input.
FORMAT_SRCS = $(filter-out tests/labs/%,\
	$(shell git ls-files -co --exclude-standard '*.c' '*.h' 2>/dev/null))

format:
	clang-format -i $(FORMAT_SRCS)
.PHONY: format

format-check:
	@clang-format --dry-run --Werror $(FORMAT_SRCS) && \
	  echo "format-check: $(words $(FORMAT_SRCS)) files clean"
.PHONY: format-check

# compile_commands.json for clangd and other editors.
compdb: deps
	$(MAKE) clean-objs
	bear -- $(MAKE) hypervisor unit-build
.PHONY: compdb

clean-objs:
	rm -rf $(BUILD)/hypervisor $(BUILD)/tests/unit
.PHONY: clean-objs

help:
	@echo "make              build the hypervisor ($(HV_ELF)) and the guests"
	@echo "make qemu         boot it under QEMU (HV_ARGS=, QEMU_MEM=, QEMU_SMP=, QEMU_MODULES=)"
	@echo "make qemu-gdb     the same, stopped, waiting for GDB on port $(GDBPORT)"
	@echo "make gdb          attach GDB to 'make qemu-gdb'"
	@echo "make grade        grade lab $(LAB) (LAB=n for another)"
	@echo "make grade-all    grade every lab"
	@echo "make test         everything: format, build, unit tests, grades, labs, GDB, docs"
	@echo "make unit         the Check unit tests"
	@echo "make docs         Doxygen into $(BUILD)/docs/html"
	@echo "make handout LAB=n OUT=dir   write the handout of lab n"
	@echo "make lab-branches create git branches lab1..labN"
	@echo "make check-labs   check every handout builds, boots and grades right"
	@echo "make autograder   a Gradescope autograder zip"
	@echo "make bench        boot-time figures (wall time and icount)"
	@echo "make format       clang-format the C sources (format-check: only check)"
	@echo "make compdb       compile_commands.json for clangd"
	@echo "make deps         install missing Debian packages"
.PHONY: help

clean:
	rm -rf $(BUILD)
.PHONY: clean
