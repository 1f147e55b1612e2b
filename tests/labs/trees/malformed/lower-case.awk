# expect 3: malformed marker
{
    # lab 1 begin exercise 1: count
    n++
    # LAB 1 END
}
