# expect 2: malformed marker
# LAB 1 BEGIN
X = 1
# LAB 1 END
