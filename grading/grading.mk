# grading.mk: `make grade` and `make grade-all`: boot the hypervisor under
# QEMU once per test and score it (grading/grade.py, grading/README.md).
# Included by the top-level Makefile; paths are relative to the top.
#
#   make grade                 this tree's lab ($(LAB))
#   make grade LAB=n           lab n
#   make grade-all             every lab
#   GRADE_FLAGS="..."          more grade.py options, e.g.
#                              GRADE_FLAGS="--json build/results.json -j1"

GRADE_FLAGS ?=
GRADE := $(PYTHON) grading/grade.py --elf $(HV_ELF) --qemu $(QEMU) \
	--guests $(GUEST_OUT)/tests

grade: deps $(HV_ELF) guests
	$(GRADE) --lab $(LAB) $(GRADE_FLAGS)
.PHONY: grade

grade-all: deps $(HV_ELF) guests
	$(GRADE) --lab all $(GRADE_FLAGS)
.PHONY: grade-all
