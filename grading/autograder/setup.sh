#!/usr/bin/env bash
# setup.sh: Gradescope runs this once, as root, when it builds the
# autograder's image: it installs what building and grading Hospes needs.
#
# Choose a base image with Python 3.11 or newer (Ubuntu 24.04; 22.04 has
# 3.10): the grader needs it, and this script stops if it is missing, so
# that the problem shows when the image is built, not on every submission.
set -euo pipefail

# Recommended packages stay in: QEMU finds its firmware through them.
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q qemu-system-x86 nasm gcc make gdb check pkg-config \
    python3

python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
    echo "setup.sh: $(python3 --version) is too old: Hospes's grader needs" \
         "Python 3.11 or newer (choose the Ubuntu 24.04 base image)" >&2
    exit 1
}
