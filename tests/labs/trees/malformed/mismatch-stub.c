// expect 4: LAB 2 STUB in the LAB 1 block of line 2: lab numbers differ
// LAB 1 BEGIN exercise 1: f()
int f(void) { return 1; }
// LAB 2 STUB
// int f(void) { return 0; }
// LAB 1 END
