; Entry and exit: one small stub per exception or interrupt vector, the
; `syscall` entry of PV guests' hypercalls, the common path that saves the
; registers and calls C, and the way back to a guest.
;
; Lab 3 and lab 4 reading (labs/03-traps-time-cpus/README.md,
; labs/04-pv-domains/README.md). Design pages: docs/traps.md,
; docs/pv-guests.md.
;
; The CPU pushes SS, RSP, RFLAGS, CS, RIP and, for a few exceptions, an
; error code. Each stub evens that out (pushing 0 where the CPU pushed no
; error code), pushes its vector and jumps to handle_entry, which saves the
; general registers in the order of struct cpu_user_regs (asm/regs.h) and
; calls do_trap() with a pointer to them. `syscall` pushes nothing, so
; syscall_entry builds the same frame by hand.
;
; From a guest (ring 3), the frame is always at the top of this CPU's
; stack (TSS.RSP0), and GS holds the guest's base until `swapgs` brings
; ours back; the way out checks for softirqs (which may switch to another
; vCPU) before the last `swapgs` and `iretq`.

%include "asm-offsets.inc"

extern do_trap                  ; arch/x86/traps.c
extern pv_hypercall             ; arch/x86/pv/hypercall.c
extern softirq_pending          ; common/softirq.c
extern do_softirq
extern pv_check_events          ; arch/x86/pv/traps.c

%define STUB_SIZE 16            ; every stub fits, so stub n is at n * 16
%define CS_IN_STUB_FRAME 24     ; vector, error code, RIP, then CS

; The general registers, pushed in the reverse order of struct
; cpu_user_regs, and popped back.
%macro SAVE_ALL 0
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
%endmacro

%macro RESTORE_ALL 0
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
%endmacro

section .text
[BITS 64]

; The 256 stubs, each STUB_SIZE bytes: desc.c points gate n at
; entry_stubs + n * STUB_SIZE.
align STUB_SIZE
global entry_stubs
entry_stubs:
%assign vec 0
%rep 256
    align STUB_SIZE
%if vec < 32 && ((X86_EXC_HAVE_EC >> vec) & 1)
    push    qword vec               ; the CPU pushed the error code
%else
    push    qword 0                 ; no error code: keep the layout
    push    qword vec
%endif
    jmp     handle_entry
%assign vec vec + 1
%endrep

; Save the general registers, call do_trap(regs), go back where we came
; from: straight back into the hypervisor, or out through exit_to_guest.
handle_entry:
    test    byte [rsp + CS_IN_STUB_FRAME], 3
    jz      .saved_gs
    swapgs                          ; from a guest: our GS base back
.saved_gs:
    SAVE_ALL
    mov     rdi, rsp                ; struct cpu_user_regs *
    call    do_trap
    test    byte [rsp + REGS_cs], 3
    jnz     exit_to_guest
    RESTORE_ALL
    iretq

; A PV guest's hypercall: RCX holds its RIP, R11 its RFLAGS, and RSP is
; still the guest's. SFMASK has turned interrupts off, so nothing can come
; in before we are on our own stack.
global syscall_entry
syscall_entry:
    swapgs
    mov     [gs:CPU_INFO_guest_rsp], rsp
    mov     rsp, [gs:CPU_INFO_stack_top]
    push    qword FLAT_KERNEL_SS    ; the frame an interrupt would have made
    push    qword [gs:CPU_INFO_guest_rsp]
    push    r11                     ; RFLAGS
    push    qword FLAT_KERNEL_CS
    push    rcx                     ; RIP
    push    qword 0                 ; error code
    push    qword SYSCALL_VECTOR
    SAVE_ALL
    sti                             ; hypercalls run with interrupts on
    mov     rdi, rsp
    call    pv_hypercall
    ; fall through

; Leave for the guest whose frame is at the top of the stack (RSP points
; at it). Softirqs first, with interrupts off while we look, so none can
; be raised unseen between the check and iretq; do_softirq() may switch
; to another vCPU and come back here with its frame. Then events: if the
; guest has one to see, its frame is turned into an upcall (or the
; domain dies trying), and we look at softirqs again.
global exit_to_guest
exit_to_guest:
    cli
    call    softirq_pending
    test    al, al
    jnz     .softirqs
    mov     rdi, rsp                ; struct cpu_user_regs *
    call    pv_check_events
    test    al, al
    jnz     exit_to_guest
.restore:
    RESTORE_ALL
    swapgs                          ; the guest's GS base
    iretq
.softirqs:
    sti
    call    do_softirq
    jmp     exit_to_guest

; reset_stack_and_jump(fn): continue at fn with the stack emptied down to
; the guest frame (asm/current.h). `call`, not `jmp`, so fn finds the
; stack aligned as after any call.
global reset_stack_and_jump
reset_stack_and_jump:
    mov     rsp, [gs:CPU_INFO_stack_top]
    sub     rsp, REGS_SIZE
    xor     ebp, ebp                ; a zero frame pointer ends backtraces
    call    rdi
    ud2                             ; fn never returns

; return_to_guest(): leave through exit_to_guest with the frame at the top.
global return_to_guest
return_to_guest:
    mov     rsp, [gs:CPU_INFO_stack_top]
    sub     rsp, REGS_SIZE
    jmp     exit_to_guest
