// expect 5: stub line does not start with '//'
// LAB 1 BEGIN exercise 1: f()
int f(void) { return 1; }
// LAB 1 STUB
int f(void) { return 0; }
// LAB 1 END
