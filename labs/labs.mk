# labs.mk: lab handouts, lab branches and lab integrity (labs/README.md).
# Included by the top-level Makefile; paths are relative to the top.
#
#   make handout LAB=n OUT=dir   write the handout of lab n into dir
#   make check-markers           check every solution marker, write nothing
#   make lab-branches            create or update branches lab1..labN from HEAD
#   make check-labs              every handout builds, boots and grades right
#   make test-handout            the tests of the generator itself
#
# CHECK_LABS_JOBS: builds and grade runs at once in check-labs (default:
# the number of CPUs).

HANDOUT := $(PYTHON) labs/handout.py
CHECK_LABS_JOBS ?= $(shell nproc 2>/dev/null || echo 1)

handout:
	@test -n "$(OUT)" || { echo "usage: make handout LAB=n OUT=dir" >&2; exit 2; }
	$(Q)$(HANDOUT) --lab $(LAB) --out $(OUT)
.PHONY: handout

check-markers:
	$(Q)$(HANDOUT) --check
.PHONY: check-markers

lab-branches:
	$(Q)$(HANDOUT) --branches
.PHONY: lab-branches

check-labs: deps
	$(Q)$(PYTHON) tests/labs/check_labs.py -j $(CHECK_LABS_JOBS) \
	  --out $(BUILD)/labs --ref-build $(BUILD)
.PHONY: check-labs

test-handout:
	$(Q)$(PYTHON) tests/labs/test_handout.py
.PHONY: test-handout
