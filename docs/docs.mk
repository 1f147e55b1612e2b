# docs.mk: `make docs` builds the HTML documentation with Doxygen and
# Graphviz into $(BUILD)/docs/html (start at index.html).
# Included by the top-level Makefile; paths are relative to the top.
#
# docs/Doxyfile sets Doxygen up: the hypervisor's C code with call and
# include graphs, and the Markdown pages of docs/, labs/ and grading/.
# Any Doxygen warning fails the target, as a compiler warning fails the
# build: an undocumented function in a header, a broken reference in a
# page. The output directory reaches the Doxyfile through the environment
# variable HOSPES_DOCS_OUT.

DOCS_OUT := $(BUILD)/docs

docs: deps
	@echo "  DOXYGEN $(DOCS_OUT)/html"
# Start afresh, so that no page of a deleted file lingers.
	$(Q)rm -rf $(DOCS_OUT)/html
	$(Q)mkdir -p $(DOCS_OUT)
	$(Q)HOSPES_DOCS_OUT=$(DOCS_OUT) doxygen docs/Doxyfile || \
	  { echo "make docs: Doxygen warned (above); fix the comments or pages" >&2; \
	    exit 1; }
	@echo "  DOCS    $(DOCS_OUT)/html/index.html"
.PHONY: docs
