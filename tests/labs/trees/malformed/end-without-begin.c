// expect 3: LAB 1 END without BEGIN
int f(void);
// LAB 1 END
