// expect 3: LAB 1 STUB outside a BEGIN/END block
int f(void);
// LAB 1 STUB
