; Guest runtime: the exception entries and the way back through the `iret`
; hypercall.
;
; The hypervisor bounces an exception to the entry the trap table names
; with RSP pointing at this frame on the guest's stack (Xen's layout):
;
;       RCX, R11, [error code], RIP, CS, RFLAGS, RSP, SS
;
; RCX and R11 come first because the hypervisor may return to the guest
; with `sysret`, which overwrites them (Xen does; Hospes uses iretq); it
; saved the guest's values there. The
; error code is there only for vectors 8, 10-14 and 17, as on hardware.
;
; Each entry pops RCX and R11 back, evens the frame out with a 0 error
; code where there is none, pushes its vector and jumps to trap_common,
; which saves the general registers as a struct guest_regs
; (guest/traps.h) and calls guest_trap(). The way back restores them and
; leaves the rest to the `iret` hypercall, since `iretq` cannot return a
; ring-3 kernel to itself with the hypervisor's view of events right.
; Design: guest/lib/include/guest/traps.h.

bits 64

%define __HYPERVISOR_iret       23      ; public/xen.h
%define HYPERCALL_STUB_SIZE     32      ; guest/hypercall.h
%define NR_TRAP_VECTORS         20      ; guest/traps.h
%define GUEST_EVENT_VECTOR      0x100   ; guest/traps.h

; Vectors without an entry: NMI (Xen's guests register it through
; callback_op) and 15 (reserved).
%define HAS_ENTRY(v)            ((v) != 2 && (v) != 15)
; Vectors for which the CPU pushes an error code.
%define HAS_ERROR_CODE(v)       ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17)

extern guest_trap                       ; traps.c
extern hypercall_page                   ; head.asm

section .text

; One entry per vector, trap_entry_<vector>.
%assign vec 0
%rep NR_TRAP_VECTORS
%if HAS_ENTRY(vec)
trap_entry_%[vec]:
    pop     rcx
    pop     r11
%if !HAS_ERROR_CODE(vec)
    push    0
%endif
    push    vec
    jmp     trap_common
%endif
%assign vec vec + 1
%endrep

; The event callback (guest/events.h): the same frame, without an error
; code, and a vector of its own for guest_trap().
global event_entry
event_entry:
    pop     rcx
    pop     r11
    push    0
    push    GUEST_EVENT_VECTOR
    jmp     trap_common

trap_common:
    ; The reverse of struct guest_regs: RAX is the field after R15...RBX.
    push    rax
    push    rbx
    push    rcx
    push    rdx
    push    rsi
    push    rdi
    push    rbp
    push    r8
    push    r9
    push    r10
    push    r11
    push    r12
    push    r13
    push    r14
    push    r15

    cld                                 ; the C ABI's direction flag
    mov     rdi, rsp                    ; guest_trap(regs)
    mov     rbx, rsp                    ; callee-saved: the frame, for later
    and     rsp, -16                    ; the C ABI's stack alignment
    call    guest_trap
    mov     rsp, rbx

    pop     r15
    pop     r14
    pop     r13
    pop     r12
    pop     r11
    pop     r10
    pop     r9
    pop     r8
    pop     rbp
    pop     rdi
    pop     rsi
    pop     rdx
    pop     rcx
    pop     rbx
    pop     rax
    add     rsp, 16                     ; the vector and the error code

    ; RSP now points at RIP, CS, RFLAGS, RSP, SS. The iret stub pushes
    ; RCX, R11 and RAX onto the flags word pushed here (0: not returning
    ; from a system call) and makes the hypercall, which restores all of
    ; them and returns to RIP. It never comes back here.
    push    0
    jmp     hypercall_page + __HYPERVISOR_iret * HYPERCALL_STUB_SIZE

; The entries for traps.c's table, 0 where there is none.
section .rodata
global trap_entries
trap_entries:
%assign vec 0
%rep NR_TRAP_VECTORS
%if HAS_ENTRY(vec)
    dq      trap_entry_%[vec]
%else
    dq      0
%endif
%assign vec vec + 1
%endrep

section .note.GNU-stack noalloc noexec nowrite progbits
