// expect 2: malformed marker
// LAB 0 BEGIN exercise 1: f()
// LAB 0 END
