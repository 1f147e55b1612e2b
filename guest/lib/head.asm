; Guest runtime: the entry point, the Xen ELF notes and the hypercall page.
;
; The hypervisor (or Xen) loads the ELF image at the addresses it is linked
; at (guest.lds), reads the notes below to learn what the image is and
; where things are, writes the hypercall stubs into hypercall_page and
; enters _start in 64-bit mode, ring 3, with RSI = the virtual address of
; start_info and RSP = a boot stack the builder mapped after the image.
; Design: guest/lib/include/guest/hypercall.h, docs/pv-guests.md.

bits 64

; Note types, from public/elfnote.h (NASM cannot include the C header).
%define XEN_ELFNOTE_ENTRY               1
%define XEN_ELFNOTE_HYPERCALL_PAGE      2
%define XEN_ELFNOTE_VIRT_BASE           3
%define XEN_ELFNOTE_XEN_VERSION         5
%define XEN_ELFNOTE_GUEST_OS            6
%define XEN_ELFNOTE_LOADER              8

%define BOOT_STACK_SIZE                 16384
%define PAGE_SIZE                       4096

extern guest_start                      ; test.c
extern smp_init                         ; smp.c
extern _image_start                     ; guest.lds

; ---------------------------------------------------------------------------
; ELF notes: owner "Xen", one descriptor each. A note is namesz, descsz and
; type (4 bytes each), then the name and the descriptor, each padded to 4
; bytes. The builder finds them through the PT_NOTE segment or, failing
; that, the SHT_NOTE section; guest.lds provides both.
; ---------------------------------------------------------------------------

; ELFNOTE type, data...: one note whose descriptor is the data directive
; given (db "string", 0 or dq value).
%macro ELFNOTE 2+
    align 4
    dd %%name_end - %%name              ; namesz, the NUL included
    dd %%desc_end - %%desc              ; descsz
    dd %1                               ; type
%%name:
    db "Xen", 0
%%name_end:
    align 4
%%desc:
    %2
%%desc_end:
    align 4
%endmacro

section .note.Xen note alloc noexec nowrite align=4
    ELFNOTE XEN_ELFNOTE_GUEST_OS,       db "Hospes-guest", 0
    ELFNOTE XEN_ELFNOTE_XEN_VERSION,    db "xen-3.0", 0
    ELFNOTE XEN_ELFNOTE_LOADER,         db "generic", 0
    ; Virtual address = guest-physical address + VIRT_BASE: the image's
    ; first page is the domain's frame 0.
    ELFNOTE XEN_ELFNOTE_VIRT_BASE,      dq _image_start
    ELFNOTE XEN_ELFNOTE_ENTRY,          dq _start
    ELFNOTE XEN_ELFNOTE_HYPERCALL_PAGE, dq hypercall_page

; ---------------------------------------------------------------------------
; Entry
; ---------------------------------------------------------------------------
section .text
global _start
_start:
    ; Our own stack: the boot stack's size is the builder's choice, and a
    ; stack in .bss is part of the image, so under our control.
    lea     rsp, [rel boot_stack_top]
    xor     ebp, ebp                    ; the end of every backtrace
    mov     rbx, rsi                    ; callee-saved: start_info
    ; vCPU 0's per-vCPU data (GS base) before any other C: from here on
    ; smp_processor_id() works, as the runtime's events need.
    call    smp_init
    mov     rdi, rbx                    ; guest_start(start_info)
    call    guest_start
    ud2                                 ; guest_start() does not return

; ---------------------------------------------------------------------------
; The hypercall page. The hypervisor writes a 32-byte stub per hypercall
; number here before the guest runs. Until then it is all `int3`, so a
; guest run by a hypervisor that forgot it traps at its first hypercall
; instead of running off into whatever bytes were there. guest.lds puts
; this section first in .text.
; ---------------------------------------------------------------------------
section .text.hypercall_page progbits alloc exec nowrite align=PAGE_SIZE
global hypercall_page
hypercall_page:
    times PAGE_SIZE db 0xcc

section .bss align=16
boot_stack:
    resb    BOOT_STACK_SIZE
boot_stack_top:

; No executable stack (the linker warns about objects that do not say so).
section .note.GNU-stack noalloc noexec nowrite progbits
