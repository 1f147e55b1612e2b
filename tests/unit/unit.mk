# Unit tests: hypervisor sources compiled for the host and tested with Check.
# Included by the top-level Makefile; paths are relative to the top.
#
#   make unit                         build and run every test binary
#   $(BUILD)/tests/unit/test_param    run one by hand (CK_RUN_CASE=, CK_FORK=no)
#
# Every tests/unit/test_NAME.c is one binary, $(BUILD)/tests/unit/test_NAME,
# linked from the test, the host stand-ins (host.c: printk() into a buffer,
# a panic() tests can catch; main.c: Check's runner), the hypervisor sources
# every test needs, and the ones the test names on a line of its own (in its
# header comment; there may be several such lines):
#
#     hv-sources: hypervisor/common/param.c
#
# A test that needs more of the host's stand-ins names them the same way
# (machine.c plays machine memory for the allocators):
#
#     host-sources: tests/unit/machine.c
#
# So a later lab adds a suite (allocator, event channels, ...) by adding one
# test_*.c file. Hypervisor sources are compiled unchanged, with hv_shim.h
# force-included (it explains why), and everything runs under
# AddressSanitizer and UBSan.

UNIT_DIR := tests/unit
UNIT_OUT := $(BUILD)/tests/unit

UNIT_TESTS := $(basename $(notdir $(wildcard $(UNIT_DIR)/test_*.c)))
UNIT_BINS := $(addprefix $(UNIT_OUT)/,$(UNIT_TESTS))

# Hypervisor sources every binary links: the string routines that all
# hypervisor code calls, and lab_todo() that a lab's stubs call.
UNIT_HV_COMMON := hypervisor/common/string.c hypervisor/common/lab.c
UNIT_HOST_OBJS := $(UNIT_OUT)/host.o $(UNIT_OUT)/main.o

# Check's flags come from pkg-config, asked only when a unit rule runs (`=`),
# so other targets work on a machine without Check.
UNIT_CHECK_CFLAGS = $(shell pkg-config --cflags check)
UNIT_CHECK_LIBS = $(shell pkg-config --libs check)
# Undefined behaviour must fail the test, not only print a line.
UNIT_SANITIZE := -fsanitize=address,undefined -fno-sanitize-recover=all
UNIT_CFLAGS = -std=gnu11 -O1 -g -fno-omit-frame-pointer -Wall -Wextra \
	-Werror $(UNIT_SANITIZE) -Ihypervisor/include \
	-Ihypervisor/arch/x86/include $(UNIT_CHECK_CFLAGS) \
	-MMD -MP
UNIT_HV_CFLAGS = $(UNIT_CFLAGS) -include hospes/compiler.h \
	-include $(UNIT_DIR)/hv_shim.h

# The sources test $(1) names on its comment lines "$(2): ..." (` * ` or
# `// ` before it), where $(2) is hv-sources or host-sources.
unit_srcs = $(shell sed -n 's|^[ /*]*$(2):||p' $(UNIT_DIR)/$(1).c)
# All objects of test $(1); sort drops a source named twice.
unit_objs = $(UNIT_OUT)/$(1).o $(UNIT_HOST_OBJS) \
	$(patsubst $(UNIT_DIR)/%.c,$(UNIT_OUT)/%.o,\
		$(call unit_srcs,$(1),host-sources)) \
	$(patsubst %.c,$(UNIT_OUT)/hv/%.o,\
		$(sort $(UNIT_HV_COMMON) $(call unit_srcs,$(1),hv-sources)))

define unit_binary
$(UNIT_OUT)/$(1): $(call unit_objs,$(1))
	@echo "  LD      $$@"
	$$(Q)$$(CC) $$(UNIT_SANITIZE) -o $$@ $$^ $$(UNIT_CHECK_LIBS)
endef
$(foreach t,$(UNIT_TESTS),$(eval $(call unit_binary,$(t))))
UNIT_OBJS := $(sort $(foreach t,$(UNIT_TESTS),$(call unit_objs,$(t))))

unit: deps
	@$(MAKE) --no-print-directory unit-build
	$(Q)$(PYTHON) $(UNIT_DIR)/run.py $(UNIT_BINS)
.PHONY: unit

# The empty recipe spares us make's "Nothing to be done".
unit-build: $(UNIT_BINS)
	@:
.PHONY: unit-build

$(UNIT_OUT)/hv/%.o: %.c
	@mkdir -p $(@D)
	@echo "  HOSTCC  $<"
	$(Q)$(CC) $(UNIT_HV_CFLAGS) -c $< -o $@

$(UNIT_OUT)/%.o: $(UNIT_DIR)/%.c
	@mkdir -p $(@D)
	@echo "  HOSTCC  $<"
	$(Q)$(CC) $(UNIT_CFLAGS) -c $< -o $@

-include $(UNIT_OBJS:.o=.d)
