// expect 6: second LAB 1 STUB in the block of line 2
// LAB 1 BEGIN exercise 1: f()
int f(void) { return 1; }
// LAB 1 STUB
// int f(void) { return 0; }
// LAB 1 STUB
// LAB 1 END
