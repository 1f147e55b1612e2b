/* Under tests/labs/trees/: copied as it is, malformed markers and all. */
// LAB 9 BEGN
