/*
 * Linker script for the hypervisor image (run through the C preprocessor).
 *
 * Two loadable segments, back to back in the file and in physical memory:
 *  - boot:  the Multiboot header and the 32-bit entry, linked at their
 *           physical address (they run before paging);
 *  - image: everything else, linked at physical + HV_VIRT_START.
 * QEMU's Multiboot loader copies the file's bytes from load_addr to
 * load_end_addr as they are, so the build checks that file offset minus
 * physical address is the same for both segments (hypervisor/build.mk).
 * Design page: docs/boot.md (section "The image").
 */
#include <asm/layout.h>

OUTPUT_FORMAT("elf64-x86-64")
OUTPUT_ARCH(i386:x86-64)
ENTRY(start)

PHDRS
{
    boot PT_LOAD FLAGS(7);
    image PT_LOAD FLAGS(7);
}

SECTIONS
{
    . = HV_PHYS_START;
    .boot : {
        KEEP(*(.multiboot))     /* must be in the first 8 KiB */
        *(.boot.text)
        *(.boot.data)
        . = ALIGN(PAGE_SIZE);
    } :boot

    . += HV_VIRT_START;
#define AT_PHYS(sec) AT(ADDR(sec) - HV_VIRT_START)

    .text : AT_PHYS(.text) {
        _stext = .;
        *(.text .text.*)
        _etext = .;
    } :image

    /*
     * Read-only data, each part of the image on pages of its own so that
     * the page tables (arch/x86/mm.c) can give it its own rights: text
     * read-only and executable, this read-only and not executable, data
     * and bss writable and not executable.
     */
    . = ALIGN(PAGE_SIZE);
    __ro_start = .;
    .rodata : AT_PHYS(.rodata) {
        *(.rodata .rodata.*)
    } :image

    /* Command-line options (hospes/param.h). */
    hospes_params : AT_PHYS(hospes_params) {
        KEEP(*(hospes_params))
    } :image

    /* Self-tests (hospes/selftest.h). */
    hospes_selftests : AT_PHYS(hospes_selftests) {
        KEEP(*(hospes_selftests))
    } :image

    /* Debug keys (hospes/keyhandler.h). */
    hospes_keyhandlers : AT_PHYS(hospes_keyhandlers) {
        KEEP(*(hospes_keyhandlers))
    } :image

    /*
     * The symbol table holds only functions, and comes after all of
     * them, so its size, which differs between the link passes, moves
     * no function.
     */
    .hv_symbols : AT_PHYS(.hv_symbols) {
        KEEP(*(.hv_symbols))
    } :image
    . = ALIGN(PAGE_SIZE);
    __ro_end = .;

    .data : AT_PHYS(.data) {
        __rw_start = .;
        *(.data .data.*)
        *(.got .got.plt)
        . = ALIGN(PAGE_SIZE);
    } :image
    __load_end = .;

    .bss (NOLOAD) : AT_PHYS(.bss) {
        __bss_start = .;
        *(.bss .bss.*)
        *(COMMON)
        /*
         * The boot CPU's stack, aligned to its size (see stack_walk()).
         * It is placed here rather than by an aligned C array because a
         * section aligned beyond a page would make the linker leave a
         * gap in the file, and the file must mirror memory exactly.
         */
        . = ALIGN(STACK_SIZE);
        boot_stack = .;
        . += STACK_SIZE;
        __bss_end = .;
    } :image
    _end = .;

    __load_end_phys = __load_end - HV_VIRT_START;
    __bss_end_phys = __bss_end - HV_VIRT_START;

    /DISCARD/ : {
        *(.eh_frame) *(.note .note.*) *(.comment) *(.interp) *(.dynamic)
    }
}
