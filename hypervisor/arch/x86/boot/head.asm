; Hospes boot entry: from the Multiboot loader's 32-bit protected mode to
; C in 64-bit long mode.
;
; Lab 1 reading (labs/01-boot/README.md). Design page: docs/boot.md.
;
; The loader jumps to `start` in 32-bit protected mode with paging off,
; EAX = the Multiboot magic and EBX = the physical address of the Multiboot
; information. This file is linked at its physical address (the .boot
; sections, see hospes.lds.S), so its labels are the addresses the CPU
; really uses until paging is on. Everything else in the image is linked at
; physical + HV_VIRT_START.

%include "asm-offsets.inc"
%include "long-mode.inc"

; Page-table slot of a virtual address at each level.
%define L4_SLOT(va)     (((va) >> 39) & 511)
%define L3_SLOT(va)     (((va) >> 30) & 511)
%define PT_FLAGS        (_PAGE_PRESENT | _PAGE_RW)
%define COM1            0x3f8

extern start64_high             ; start64.asm
extern __load_end_phys          ; hospes.lds.S
extern __bss_end_phys

; ---------------------------------------------------------------------------
; The Multiboot header. The loader looks for it in the first 8 KiB of the
; file. QEMU refuses ELF64 files, so we set MBH_AOUT_KLUDGE and give the
; load addresses here: QEMU then copies the file's bytes from load_addr to
; load_end_addr, clears up to bss_end_addr and jumps to entry_addr.
; ---------------------------------------------------------------------------
section .multiboot progbits alloc noexec nowrite align=4
align 4
multiboot_header:
    dd MULTIBOOT_HEADER_MAGIC
    dd MULTIBOOT_HEADER_FLAGS
    dd -(MULTIBOOT_HEADER_MAGIC + MULTIBOOT_HEADER_FLAGS)  ; checksum
    dd multiboot_header         ; header_addr: where this header lands
    dd HV_PHYS_START            ; load_addr: the image's first byte
    dd __load_end_phys          ; load_end_addr
    dd __bss_end_phys           ; bss_end_addr
    dd start                    ; entry_addr

; ---------------------------------------------------------------------------
; 32-bit entry.
; ---------------------------------------------------------------------------
section .boot.text progbits alloc exec nowrite align=16
[BITS 32]
global start
start:
    cli
    cld
    cmp     eax, MULTIBOOT_BOOTLOADER_MAGIC
    jne     .not_multiboot
    mov     edi, ebx                ; keep the info pointer; CPUID eats EBX

    ; Long mode needs CPUID leaf 0x80000001 and its LM bit.
    mov     eax, CPUID_EXT_BASE
    cpuid
    cmp     eax, CPUID_EXT_FEATURES
    jb      .no_long_mode
    mov     eax, CPUID_EXT_FEATURES
    cpuid
    test    edx, CPUID_EXT_EDX_LM
    jz      .no_long_mode

    ; Enter long mode (long-mode.inc). The CPU is then in 32-bit
    ; compatibility mode until a far jump loads a 64-bit code segment.
    ENTER_LONG_MODE
    lgdt    [boot_gdtr]
    jmp     BOOT_CS64:start64

.not_multiboot:
    mov     esi, msg_not_multiboot
    jmp     early_fail
.no_long_mode:
    mov     esi, msg_no_long_mode
    ; fall through

; Print the NUL-terminated string at ESI on COM1 and stop. No stack is
; needed. QEMU's UART works without being programmed; real ones need
; console_init(), which is C and out of reach here.
early_fail:
    mov     dx, COM1
.next:
    lodsb
    test    al, al
    jz      .stop
    out     dx, al
    jmp     .next
.stop:
    hlt
    jmp     .stop

; ---------------------------------------------------------------------------
; 64-bit, still at the low (identity-mapped) address. Jump to the image's
; high address, where the C code is linked.
; ---------------------------------------------------------------------------
[BITS 64]
start64:
    mov     eax, BOOT_DS
    mov     ds, eax
    mov     es, eax
    mov     ss, eax
    xor     eax, eax
    mov     fs, eax
    mov     gs, eax
    mov     rax, start64_high
    jmp     rax

section .boot.data progbits alloc noexec write align=4096
msg_not_multiboot:
    db "Hospes: not started by a Multiboot loader; stopping.", 13, 10, 0
msg_no_long_mode:
    db "Hospes: this CPU has no 64-bit long mode; stopping.", 13, 10, 0

; The boot GDT: a null entry, 64-bit code, data. Lab 3 replaces it with
; the per-CPU GDT that guests need.
align 8
boot_gdt:
    dq 0
    ; The accessed bits are set already, so the CPU never writes here.
    dq DESC_CODE64              ; BOOT_CS64
    dq DESC_DATA                ; BOOT_DS
boot_gdt_end:
boot_gdtr:
    dw boot_gdt_end - boot_gdt - 1
    dq boot_gdt

; ---------------------------------------------------------------------------
; Early page tables, built by the assembler: no code to get wrong.
;  - the first 4 GiB identity-mapped (this code keeps running at its
;    physical address right after paging goes on);
;  - the same 4 GiB at DIRECTMAP_VIRT_START (C reaches the Multiboot
;    information and modules there);
;  - the first 1 GiB at HV_VIRT_START, where the image is linked.
; All with 2 MiB pages. Lab 2 replaces them with the real page tables.
; ---------------------------------------------------------------------------
align 4096
global boot_l4                  ; the other CPUs start on these too
boot_l4:
    dq boot_l3_low + PT_FLAGS                   ; slot 0: identity
    times L4_SLOT(HV_VIRT_START) - 1 dq 0
    dq boot_l3_image + PT_FLAGS                 ; the image
    times L4_SLOT(DIRECTMAP_VIRT_START) - L4_SLOT(HV_VIRT_START) - 1 dq 0
    dq boot_l3_low + PT_FLAGS                   ; the direct map
    times 511 - L4_SLOT(DIRECTMAP_VIRT_START) dq 0

boot_l3_low:
    dq boot_l2 + 0 * 4096 + PT_FLAGS
    dq boot_l2 + 1 * 4096 + PT_FLAGS
    dq boot_l2 + 2 * 4096 + PT_FLAGS
    dq boot_l2 + 3 * 4096 + PT_FLAGS
    times 508 dq 0

boot_l3_image:
    times L3_SLOT(HV_VIRT_START) dq 0
    dq boot_l2 + PT_FLAGS                       ; physical 0 - 1 GiB
    times 511 - L3_SLOT(HV_VIRT_START) dq 0

boot_l2:                        ; 4 tables x 512 entries of 2 MiB = 4 GiB
%assign i 0
%rep 2048
    dq (i << 21) | PT_FLAGS | _PAGE_PSE
%assign i i + 1
%endrep
