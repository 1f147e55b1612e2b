# autograder.mk: the GDB check, the Gradescope autograder and its test.
# Included by the top-level Makefile; grading/autograder/README.md tells
# the whole story.
#
#   make gdb-test          GDB can break, step and use `hospes` commands
#   make autograder        $(BUILD)/autograder.zip for Gradescope, lab $(LAB)
#   make autograder-test   grade sample submissions through that zip and
#                          through grading/batch, as Gradescope would

gdb-test: $(HV_ELF)
	$(Q)$(PYTHON) -m grading.gdbcheck $(HV_ELF)
.PHONY: gdb-test

# AUTOGRADER_TIMEOUT=seconds to build and grade one submission (default:
# overlay.DEFAULT_BUDGET); keep it below the timeout set in Gradescope.
# Always rebuilt: it is cheap, and its inputs are most of the tree.
autograder:
	$(Q)$(PYTHON) grading/autograder/pack.py --lab $(LAB) \
	  $(if $(AUTOGRADER_TIMEOUT),--timeout $(AUTOGRADER_TIMEOUT)) \
	  --out $(BUILD)/autograder.zip
.PHONY: autograder

autograder-test: autograder
	$(Q)$(PYTHON) grading/autograder/check.py --lab $(LAB) \
	  --zip $(BUILD)/autograder.zip
.PHONY: autograder-test
