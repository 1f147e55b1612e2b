// expect 4: LAB 1 BEGIN without END
int f(void)
{
    // LAB 1 BEGIN exercise 1: f()
    return 1;
}
