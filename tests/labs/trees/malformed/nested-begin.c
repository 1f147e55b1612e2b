// expect 4: nested LAB 1 BEGIN: the LAB 1 block of line 2 has no END yet
// LAB 1 BEGIN exercise 1: f()
int f(void) { return 1; }
// LAB 1 BEGIN exercise 2: g()
int g(void) { return 1; }
// LAB 1 END
