; expect 4: LAB 2 END in the LAB 1 block of line 2: lab numbers differ
; LAB 1 BEGIN exercise 1: f
    mov eax, 1
; LAB 2 END
; LAB 1 END
