"""pack.py: write the Gradescope autograder zip (`make autograder`).

    python3 grading/autograder/pack.py --lab N [--timeout SECONDS] --out ZIP

The zip holds what Gradescope wants at its top, setup.sh and
run_autograder, plus config.json (the lab and the time budget, fixed
now) and reference/: the reference files a graded tree takes, as
overlay.reference_files() lists them. The reference's own solutions are
not among them.
"""

import argparse
import json
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT))
from grading.autograder import overlay  # noqa: E402 (needs the path above)


def add(zf, path, name):
    """Add file @path as @name, keeping its permissions (unzip restores
    them; run_autograder must stay executable)."""
    info = zipfile.ZipInfo.from_file(path, name)
    info.compress_type = zipfile.ZIP_DEFLATED
    zf.writestr(info, path.read_bytes())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lab", type=int, required=True)
    parser.add_argument("--timeout", type=int, default=overlay.DEFAULT_BUDGET,
                        help="seconds for building and grading a submission "
                        "(default %(default)s)")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    files = overlay.reference_files(ROOT)
    with zipfile.ZipFile(args.out, "w") as zf:
        for name in ("setup.sh", "run_autograder"):
            add(zf, HERE / name, name)
        zf.writestr("config.json", json.dumps(
            {"lab": args.lab, "timeout": args.timeout}, indent=2) + "\n")
        for rel in files:
            add(zf, ROOT / rel, f"reference/{rel}")
    print(f"{args.out}: lab {args.lab}, {len(files)} reference files, "
          f"{args.timeout} s per submission")


if __name__ == "__main__":
    main()
