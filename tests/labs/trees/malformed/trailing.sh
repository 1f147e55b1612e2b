# expect 4: malformed marker
# LAB 1 BEGIN exercise 1: run
echo 1
# LAB 1 END.
