; The AP trampoline: where another CPU starts, in real mode, and how it
; gets to 64-bit C on the hypervisor's page tables.
;
; Lab 3 reading (labs/03-traps-time-cpus/README.md). Design page:
; docs/cpus-and-time.md (section "Starting the other CPUs").
;
; The start-up IPI starts a CPU in 16-bit real mode at CS = 0x0800, IP = 0,
; that is at TRAMPOLINE_PHYS. The image cannot be there (it is at 1 MiB
; and above), so smp.c copies the bytes from trampoline_start to
; trampoline_end to that page first. The code is written for that address:
; offsets from trampoline_start, plus TRAMPOLINE_PHYS where an absolute
; address is needed. From 64-bit mode on, it jumps into the image.
; One CPU at a time goes through here: smp.c starts the next only when
; the last one has said it is up.

%include "asm-offsets.inc"
%include "long-mode.inc"

extern boot_l4                  ; head.asm: identity + image mappings
extern ap_start64               ; start64.asm

%define TRAMP(label) (TRAMPOLINE_PHYS + (label) - trampoline_start)
; The 64-bit code and the data selectors are the hypervisor's own
; (BOOT_CS64, BOOT_DS): the CPU keeps them after desc.c loads its GDT, and
; an iretq with any other CS would fault there.
%define CODE64 BOOT_CS64
%define DATA32 BOOT_DS
%define CODE32 0x18

section .rodata                 ; copied, never run where it is linked
global trampoline_start, trampoline_end

[BITS 16]
trampoline_start:
    cli
    cld
    mov     ax, cs                  ; 0x0800: offsets are from the start
    mov     ds, ax
    lgdt    [tramp_gdtr - trampoline_start]
    mov     eax, X86_CR0_PE
    mov     cr0, eax
    jmp     dword CODE32:TRAMP(tramp32)

[BITS 32]
tramp32:
    mov     ax, DATA32
    mov     ds, ax
    mov     es, ax
    mov     ss, ax
    ; Long mode, as head.asm enters it, on the boot page tables: they map
    ; this page where it is, and the image where it is linked.
    ENTER_LONG_MODE
    jmp     CODE64:TRAMP(tramp64)

[BITS 64]
tramp64:
    mov     rax, ap_start64         ; in the image, at its high address
    jmp     rax

align 8
tramp_gdt:
    dq 0
    dq DESC_CODE64                  ; CODE64
    dq DESC_DATA                    ; DATA32
    dq DESC_CODE32                  ; CODE32
tramp_gdt_end:
tramp_gdtr:
    dw tramp_gdt_end - tramp_gdt - 1
    dd TRAMP(tramp_gdt)
trampoline_end:
