/* Fixture C with CRLF line endings: a lab 2 block. */
int crlf(void)
{
    // LAB 2 exercise 2: crlf(). Your code here.
    return stub_lab2_crlf;
}
