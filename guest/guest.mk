# Building the guest programs: $(BUILD)/guest/tests/NAME.elf for each
# guest/tests/NAME.c, linked with the guest runtime (guest/lib/).
# Included by the top-level Makefile; paths are relative to the top.
#
# Guests are 64-bit PV kernels that run in ring 3 under Hospes or Xen.
# They see only the public ABI headers of the hypervisor
# (hypervisor/include/public/) and their own (guest/lib/include/guest/).
# -mno-red-zone is required: the hypervisor writes exception frames just
# below the guest's RSP, where the red zone would be.

GUEST_OUT := $(BUILD)/guest

GUEST_CFLAGS := -std=gnu11 -ffreestanding -m64 -fno-pie -mno-red-zone \
	-mgeneral-regs-only -fno-stack-protector -fcf-protection=none \
	-fno-asynchronous-unwind-tables -fno-tree-loop-distribute-patterns \
	-fno-omit-frame-pointer \
	-O2 -g -Wall -Wextra -Werror \
	-Ihypervisor/include -Iguest/lib/include -MMD -MP
GUEST_NASMFLAGS := -f elf64 -g -F dwarf -w+all -w+error
GUEST_LDS := guest/lib/guest.lds
GUEST_LDFLAGS := -nostdlib -static -no-pie -z max-page-size=0x1000 \
	-z noexecstack --build-id=none -T $(GUEST_LDS)

# The runtime: head.o (entry, notes, hypercall page) goes into every
# program; the rest is an archive, from which the linker takes what the
# program uses.
GUEST_HEAD := $(GUEST_OUT)/lib/head.o
GUEST_LIB := $(GUEST_OUT)/lib/libguest.a
GUEST_LIB_COBJS := $(patsubst guest/lib/%.c,$(GUEST_OUT)/lib/%.o,\
	$(wildcard guest/lib/*.c))
GUEST_LIB_OBJS := $(GUEST_LIB_COBJS) \
	$(patsubst guest/lib/%.asm,$(GUEST_OUT)/lib/%.o,\
	$(filter-out guest/lib/head.asm,$(wildcard guest/lib/*.asm)))

GUEST_TEST_OBJS := $(patsubst guest/tests/%.c,$(GUEST_OUT)/tests/%.o,\
	$(wildcard guest/tests/*.c))
GUEST_ELFS := $(GUEST_TEST_OBJS:.o=.elf)

guests: $(GUEST_ELFS)
.PHONY: guests

$(GUEST_LIB_COBJS) $(GUEST_TEST_OBJS): $(GUEST_OUT)/%.o: guest/%.c
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(GUEST_CFLAGS) -c $< -o $@

$(GUEST_OUT)/lib/%.o: guest/lib/%.asm
	@mkdir -p $(@D)
	@echo "  NASM    $<"
	$(Q)nasm $(GUEST_NASMFLAGS) -MD $(@:.o=.d) -o $@ $<

$(GUEST_LIB): $(GUEST_LIB_OBJS)
	@echo "  AR      $@"
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(GUEST_OUT)/tests/%.elf: $(GUEST_OUT)/tests/%.o $(GUEST_HEAD) $(GUEST_LIB) \
		$(GUEST_LDS)
	@echo "  LD      $@"
	$(Q)$(LD) $(GUEST_LDFLAGS) -o $@ $(GUEST_HEAD) $< $(GUEST_LIB)

.SECONDARY: $(GUEST_TEST_OBJS) $(GUEST_HEAD) $(GUEST_LIB_OBJS)

-include $(GUEST_TEST_OBJS:.o=.d) $(GUEST_HEAD:.o=.d) $(GUEST_LIB_OBJS:.o=.d)
