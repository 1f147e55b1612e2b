; Exception and interrupt entry: one small stub per vector, and the common
; path that saves the registers, calls C and returns.
;
; Lab 3 reading (labs/03-traps-time-cpus/README.md). Design page:
; docs/traps.md.
;
; The CPU pushes SS, RSP, RFLAGS, CS, RIP and, for a few exceptions, an
; error code. Each stub evens that out (pushing 0 where the CPU pushed no
; error code), pushes its vector and jumps to handle_entry, which saves the
; general registers in the order of struct cpu_user_regs (asm/regs.h) and
; calls do_trap() with a pointer to them.

extern do_trap                  ; arch/x86/traps.c

; The exceptions for which the CPU pushes an error code: #DF 8, #TS 10,
; #NP 11, #SS 12, #GP 13, #PF 14, #AC 17, #CP 21, #VC 29, #SX 30.
%define ERRCODE_VECTORS ((1 << 8) | (1 << 10) | (1 << 11) | (1 << 12) | \
                         (1 << 13) | (1 << 14) | (1 << 17) | (1 << 21) | \
                         (1 << 29) | (1 << 30))
%define STUB_SIZE 16            ; every stub fits, so stub n is at n * 16

section .text
[BITS 64]

; The 256 stubs, each STUB_SIZE bytes: traps.c points gate n at
; entry_stubs + n * STUB_SIZE.
align STUB_SIZE
global entry_stubs
entry_stubs:
%assign vec 0
%rep 256
    align STUB_SIZE
%if vec < 32 && ((ERRCODE_VECTORS >> vec) & 1)
    push    qword vec               ; the CPU pushed the error code
%else
    push    qword 0                 ; no error code: keep the layout
    push    qword vec
%endif
    jmp     handle_entry
%assign vec vec + 1
%endrep

; Save the general registers, call do_trap(regs), restore, return.
handle_entry:
    push    rdi
    push    rsi
    push    rdx
    push    rcx
    push    rax
    push    r8
    push    r9
    push    r10
    push    r11
    push    rbx
    push    rbp
    push    r12
    push    r13
    push    r14
    push    r15
    cld                             ; C expects the direction flag clear
    mov     rdi, rsp                ; struct cpu_user_regs *
    call    do_trap
    pop     r15
    pop     r14
    pop     r13
    pop     r12
    pop     rbp
    pop     rbx
    pop     r11
    pop     r10
    pop     r9
    pop     r8
    pop     rax
    pop     rcx
    pop     rdx
    pop     rsi
    pop     rdi
    add     rsp, 16                 ; the vector and the error code
    iretq
