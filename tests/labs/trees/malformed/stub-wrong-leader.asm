; expect 5: stub line does not start with ';'
; LAB 1 BEGIN exercise 1: f
    mov eax, 1
; LAB 1 STUB
// mov eax, 0
; LAB 1 END
