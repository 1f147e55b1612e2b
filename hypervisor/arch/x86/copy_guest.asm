; copy_guest_bytes(): the one instruction allowed to fault on a guest's
; address. usercopy.c checks the range first; a page fault here (the
; guest's page is not mapped, or read-only) is caught by do_trap(), which
; resumes at copy_guest_fixup instead of reporting a hypervisor bug.
;
; Lab 4 reading (labs/04-pv-domains/README.md). Design page:
; docs/pv-guests.md (section "Guest pointers").

section .text
[BITS 64]

; size_t copy_guest_bytes(void *dst, const void *src, size_t n)
; Returns the number of bytes NOT copied: 0 when all went well.
global copy_guest_bytes, copy_guest_fault, copy_guest_fixup
copy_guest_bytes:
    mov     rcx, rdx
copy_guest_fault:                   ; rep movsb counts RCX down as it goes,
    rep     movsb                   ; so after a fault RCX is what is left
copy_guest_fixup:
    mov     rax, rcx
    ret
