/* Fixture header: a lab 1 block at the left margin. */
#define sol_lab1_h 1
