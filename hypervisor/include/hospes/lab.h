/**
 * @file
 * @brief Support for the lab exercises: loud stubs.
 *
 * In a lab handout every exercise starts as a stub that calls lab_todo() (or,
 * where printing is impossible, returns an error). It must never look as if
 * it worked: the grader and the student both see the message. A few
 * stubs keep the hypervisor going without the exercise's checks (lab 5's
 * page types: the domain builder relies on them), loudly.
 */
#ifndef HOSPES_LAB_H
#define HOSPES_LAB_H

/**
 * @brief Report an exercise that has not been done yet, the first time
 *        its stub runs (some run thousands of times a boot).
 * @param lab       the lab number.
 * @param exercise  the exercise number in that lab's handout.
 * @param what      the function the student has to write.
 */
void lab_todo(unsigned int lab, unsigned int exercise, const char *what);

#endif /* HOSPES_LAB_H */
