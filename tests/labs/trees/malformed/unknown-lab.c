// expect 2: unknown lab 7: no labs/07-*/ folder
// LAB 7 BEGIN exercise 1: f()
int f(void) { return 1; }
// LAB 7 END
