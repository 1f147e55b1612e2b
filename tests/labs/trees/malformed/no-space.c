// expect 2: malformed marker
//LAB 1 BEGIN exercise 1: f()
int f(void) { return 1; }
//LAB 1 END
