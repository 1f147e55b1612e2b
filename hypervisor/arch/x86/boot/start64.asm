; Hospes boot entry, second half: 64-bit code at the image's high address.
;
; head.asm jumps here once long mode is on. This is a file of its own
; because it is linked high, in .text, while head.asm is linked at physical
; addresses; NASM's debug information goes wrong (and GDB complains) when
; one file has code in two such sections.
;
; Lab 1 reading (labs/01-boot/README.md). Design page: docs/boot.md.

%include "asm-offsets.inc"

extern start_hospes             ; arch/x86/setup.c
extern __bss_start              ; hospes.lds.S
extern __bss_end
extern boot_stack
extern ap_boot                  ; smp.c: what the next CPU needs
extern start_secondary          ; smp.c

; Clear .bss, take the boot stack, call C. EDI holds the physical address
; of the Multiboot information.
section .text
[BITS 64]
global start64_high
start64_high:
    ; The loader clears .bss too (bss_end_addr), but not every loader does
    ; it right, and a dirty .bss is a miserable bug to find.
    mov     r12d, edi               ; the Multiboot info, zero-extended
    mov     rdi, __bss_start
    mov     rcx, __bss_end
    sub     rcx, rdi
    shr     rcx, 3
    xor     eax, eax
    rep     stosq

    mov     rsp, boot_stack + STACK_SIZE
    xor     ebp, ebp                ; a zero frame pointer ends backtraces
    mov     rdi, r12                ; start_hospes(mbi physical address)
    call    start_hospes
.hang:                              ; start_hospes() never returns
    cli
    hlt
    jmp     .hang

; Another CPU, from the trampoline, on the boot page tables: switch to the
; hypervisor's page tables (turning on NX first if they use it), take the
; stack smp.c gave it, call start_secondary(cpu). struct ap_boot in smp.c
; is read in order: cr3, efer bits, stack top, cpu number.
global ap_start64
ap_start64:
    mov     rbx, ap_boot
    mov     ecx, MSR_EFER
    rdmsr
    or      eax, [rbx + 8]          ; EFER_NXE if the boot CPU has it
    wrmsr
    mov     rax, [rbx]
    mov     cr3, rax
    mov     rsp, [rbx + 16]
    xor     ebp, ebp                ; a zero frame pointer ends backtraces
    mov     edi, [rbx + 24]
    call    start_secondary
.hang:                              ; start_secondary() never returns
    cli
    hlt
    jmp     .hang
