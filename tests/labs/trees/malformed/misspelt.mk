# expect 2: malformed marker: want '# LAB <n> BEGIN <title>'
# LAB 1 BEGN exercise 1: FLAGS
FLAGS := 1
# LAB 1 END
