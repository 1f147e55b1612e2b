/* Fixture C: blocks of labs 1, 2 and 3; lab 2's stub is empty. */
#include "defs.h"

// LAB 2: prose that names a lab is no marker.
int one(void)
{
    return sol_lab1_c;
}

int two(void)
{
    int x = 0;

    // LAB 2 exercise 2: two(). Your code here.
    return x;
}

int three(int a)
{
	// LAB 3 exercise 1: three(), indented by a tab. Your code here.
	if (a)
	    return stub_lab3_c; /* "// LAB 3 STUB" in a stub line is code */


	return -1;
}
