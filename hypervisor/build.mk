# Building the hypervisor image: build/hypervisor/hospes.elf.
# Included by the top-level Makefile; paths are relative to the top.
#
# The image is linked twice. Pass 1 has an empty symbol table; its `nm`
# output becomes the table of pass 2 (hospes/symbols.h explains why no
# function moves). The build then checks that a third table made from
# pass 2 is the same, and that the two loadable segments sit in the file
# exactly as in memory, which QEMU's Multiboot loader relies on.

HV_OUT := $(BUILD)/hypervisor
HV_ELF := $(HV_OUT)/hospes.elf

HV_CFLAGS := -std=gnu11 -ffreestanding -m64 -mno-red-zone \
	-mgeneral-regs-only -fpie -fno-stack-protector -fcf-protection=none \
	-fno-asynchronous-unwind-tables -fno-omit-frame-pointer \
	-mno-omit-leaf-frame-pointer -fno-optimize-sibling-calls \
	-fno-strict-aliasing -fno-tree-loop-distribute-patterns \
	-Og -g -Wall -Wextra -Werror \
	-include hospes/compiler.h -Ihypervisor/include -MMD -MP
# Only arch code sees the arch headers: common/ goes through hospes/.
HV_ARCH_CFLAGS := $(HV_CFLAGS) -Ihypervisor/arch/x86/include
# The loader ignores ELF permissions, and lab 2's page tables set our own;
# so one writable, executable segment is no risk here.
HV_LDFLAGS := -nostdlib -static -no-pie -z max-page-size=0x1000 \
	-z noexecstack --build-id=none --no-warn-rwx-segments

HV_COMMON_SRCS := $(wildcard hypervisor/common/*.c hypervisor/common/sched/*.c)
HV_ARCH_SRCS := $(filter-out %/asm-offsets.c,$(wildcard hypervisor/arch/x86/*.c \
	hypervisor/arch/x86/pv/*.c))
HV_ASM_SRCS := $(wildcard hypervisor/arch/x86/*.asm hypervisor/arch/x86/boot/*.asm)
HV_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(HV_COMMON_SRCS) $(HV_ARCH_SRCS)) \
	$(patsubst %.asm,$(BUILD)/%.o,$(HV_ASM_SRCS))

hypervisor: $(HV_ELF)
.PHONY: hypervisor

$(BUILD)/hypervisor/common/%.o: hypervisor/common/%.c
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(HV_CFLAGS) -c $< -o $@

$(BUILD)/hypervisor/arch/x86/%.o: hypervisor/arch/x86/%.c
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(HV_ARCH_CFLAGS) -c $< -o $@

$(HV_OUT)/asm-offsets.inc: hypervisor/arch/x86/asm-offsets.c
	@mkdir -p $(@D)
	$(Q)$(CC) $(HV_ARCH_CFLAGS) -MT $@ -MF $(HV_OUT)/asm-offsets.d -S $< \
	  -o $@.s
	$(Q)sed -n 's/.*"->\([A-Za-z0-9_]*\) \(.*\)".*/%define \1 (\2)/p' $@.s > $@.tmp
	$(Q)mv $@.tmp $@

$(BUILD)/hypervisor/arch/x86/%.o: hypervisor/arch/x86/%.asm \
		$(HV_OUT)/asm-offsets.inc
	@mkdir -p $(@D)
	@echo "  NASM    $<"
	$(Q)nasm -f elf64 -g -F dwarf -w+all -w+error -I$(HV_OUT)/ -I$(<D)/ \
	  -MD $(@:.o=.d) -o $@ $<

$(HV_OUT)/hospes.lds: hypervisor/arch/x86/hospes.lds.S
	@mkdir -p $(@D)
	$(Q)$(CC) -E -P -undef -x c -D__ASSEMBLER__ -Ihypervisor/include \
	  -Ihypervisor/arch/x86/include \
	  -MMD -MP -MT $@ -MF $@.d $< -o $@

# A symbol table from an image: pass 1 uses an empty one.
$(HV_OUT)/symbols.%.o: $(HV_OUT)/symbols.%.c
	@echo "  CC      $<"
	$(Q)$(CC) $(HV_CFLAGS) -c $< -o $@

$(HV_OUT)/symbols.1.c: hypervisor/tools/gensyms.awk
	@mkdir -p $(@D)
	$(Q)awk -f $< /dev/null > $@

$(HV_OUT)/symbols.2.c: $(HV_OUT)/hospes.1.elf hypervisor/tools/gensyms.awk
	$(Q)nm -n --defined-only $< | awk -f hypervisor/tools/gensyms.awk > $@

$(HV_OUT)/hospes.%.elf: $(HV_OBJS) $(HV_OUT)/symbols.%.o $(HV_OUT)/hospes.lds
	@echo "  LD      $@"
	$(Q)$(LD) $(HV_LDFLAGS) -T $(HV_OUT)/hospes.lds -o $@ $(HV_OBJS) \
	  $(HV_OUT)/symbols.$*.o

$(HV_ELF): $(HV_OUT)/hospes.2.elf
	$(Q)nm -n --defined-only $< | awk -f hypervisor/tools/gensyms.awk | \
	  cmp -s - $(HV_OUT)/symbols.2.c || \
	  { echo "symbol table moved between link passes" >&2; exit 1; }
	$(Q)readelf -lW $< | awk '$$1 == "LOAD" { print $$2, $$4 }' | \
	  { read o1 p1 && read o2 p2 && [ $$((o1 - p1)) -eq $$((o2 - p2)) ]; } || \
	  { echo "$<: segments not laid out in the file as in memory" >&2; exit 1; }
	$(Q)cp $< $@
	@echo "  IMAGE   $@"

.SECONDARY: $(HV_OBJS) $(HV_OUT)/symbols.1.o $(HV_OUT)/symbols.2.o $(HV_OUT)/hospes.1.elf $(HV_OUT)/hospes.2.elf \
	$(HV_OUT)/symbols.1.c $(HV_OUT)/symbols.2.c

-include $(HV_OBJS:.o=.d) $(HV_OUT)/asm-offsets.d $(HV_OUT)/hospes.lds.d
