#!/usr/bin/env python3
"""Cut lab handouts out of the Hospes reference tree.

The reference tree (the main branch) holds the solution of every lab between
solution markers; labs/README.md shows them. The handout of lab n keeps the
solutions of the labs before n and replaces those of lab n and later by their
stubs, so that a student starts lab n with every earlier lab done.

    handout.py --lab N --out DIR [--src DIR] [--rev REV]  lab N's handout
    handout.py --check [--src DIR] [--rev REV]            check the markers
    handout.py --branches [--src DIR] [--rev REV]         branches lab1..labN

The files come from Git: by default the work tree's files that Git tracks or
would track (what `git add -A` would commit), with --rev those of a commit;
--branches always cuts from a commit (HEAD unless --rev). A malformed marker
is reported as "file:line: message" and then nothing is written.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass

# The comment leader of each kind of file we cut, by file name or suffix.
# Files of other kinds (README.md, ...) are copied as they are.
LEADERS = {
    ".c": "//", ".h": "//",
    ".asm": ";", ".inc": ";",
    "Makefile": "#", ".mk": "#", ".py": "#", ".sh": "#", ".awk": "#",
}

# Test data of the generator itself, with malformed markers on purpose:
# copied as it is.
VERBATIM = ("tests/labs/trees/",)

# A lab exists when its handout folder labs/NN-name/ holds a file.
LAB_DIR = re.compile(r"labs/(\d\d)-[^/]+/")

# The file that tells a handout tree its lab number (the Makefile reads it).
LAB_FILE = "labs/LAB"

LINK = "link"  # the mode of a symbolic link; its data is the target


class Fail(Exception):
    """An error that stops the generator: the message says what and where."""


@dataclass
class File:
    """One file of a tree: path relative to the top, mode and contents."""
    path: str
    mode: object  # 0o644, 0o755 or LINK
    data: bytes


@dataclass
class Block:
    """One solution block: its lab, title, solution and stub lines."""
    lab: int
    title: str
    indent: str  # of the BEGIN line: the stub's comment gets it
    eol: str  # line ending of the BEGIN line
    line: int  # line number of the BEGIN line
    solution: list
    stub: list = None  # stub lines, already uncommented; None before STUB


# ---------------------------------------------------------------------------
# Markers
# ---------------------------------------------------------------------------

def leader_of(path):
    """The comment leader of a file we cut, or None to copy it unchanged."""
    if path.startswith(VERBATIM):
        return None
    name = os.path.basename(path)
    return LEADERS.get(name) or LEADERS.get(os.path.splitext(name)[1])


def marker_patterns(leader):
    """Regular expressions for one leader: (marker, marker-like, stub line).

    A marker-like line is a comment that starts like a marker (LAB, a word,
    then a capitalised word or begin/stub/end in any case) without being
    one; it is an error, so that a misspelt marker cannot slip through and
    leave a solution in a handout.
    """
    lead = re.escape(leader)
    marker = re.compile(rf"([ \t]*){lead} LAB ([1-9][0-9]*) "
                        rf"(?:BEGIN (\S.*?)|(STUB|END))[ \t]*")
    like = re.compile(rf"[ \t]*(?:{lead})+[ \t]*(?i:LAB)[ \t]*\w*[ \t]+"
                      rf"(?:[A-Z]{{2,}}\b|(?i:begin|stub|end)\b)")
    stub = re.compile(rf"([ \t]*){lead} ?(.*)")
    return marker, like, stub


def uncomment(body, stub):
    """A stub line without its leader and one space; None if not a comment.

    The indentation before the leader stays; blank lines stay blank.
    """
    if not body.strip():
        return ""
    m = stub.fullmatch(body)
    if not m:
        return None
    return m[1] + m[2] if m[2].strip() else ""


def parse(where, text, leader, labs):
    """Split a file into plain lines and solution blocks.

    `where` names the file in error messages, `labs` is the set of known
    lab numbers. Returns (items, errors): items are lines (str, with their
    endings) and Blocks; errors are "file:line: message" strings.
    """
    marker, like, stub = marker_patterns(leader)
    items, errors, block = [], [], None

    def error(line, message):
        errors.append(f"{where}:{line}: {message}")

    for no, line in enumerate(text.splitlines(keepends=True), 1):
        body = line.rstrip("\r\n")
        eol = line[len(body):]
        m = marker.fullmatch(body)
        if not m:
            if like.match(body):
                error(no, f"malformed marker: want '{leader} LAB <n> BEGIN "
                          f"<title>', '{leader} LAB <n> STUB' or "
                          f"'{leader} LAB <n> END'")
            elif block is None:
                items.append(line)
            elif block.stub is None:
                block.solution.append(line)
            else:
                plain = uncomment(body, stub)
                if plain is None:
                    error(no, f"stub line does not start with '{leader}'")
                else:
                    block.stub.append(plain + eol)
            continue

        indent, lab, title, word = m[1], int(m[2]), m[3], m[4] or "BEGIN"
        if word == "BEGIN":
            if block:
                error(no, f"nested LAB {lab} BEGIN: the LAB {block.lab} "
                          f"block of line {block.line} has no END yet")
                continue
            if lab not in labs:
                error(no, f"unknown lab {lab}: no labs/{lab:02d}-*/ folder")
            block = Block(lab, title, indent, eol, no, [])
        elif block is None:
            error(no, f"LAB {lab} END without BEGIN" if word == "END" else
                  f"LAB {lab} STUB outside a BEGIN/END block")
        elif lab != block.lab:
            error(no, f"LAB {lab} {word} in the LAB {block.lab} block "
                      f"of line {block.line}: lab numbers differ")
        elif word == "STUB" and block.stub is not None:
            error(no, f"second LAB {lab} STUB in the block of line "
                      f"{block.line}")
        elif word == "STUB":
            block.stub = []
        else:
            items.append(block)
            block = None
    if block:
        error(block.line, f"LAB {block.lab} BEGIN without END")
    return items, errors


def render(items, lab, leader):
    """The text of a file in lab `lab`'s handout."""
    out = []
    for item in items:
        if isinstance(item, str):
            out.append(item)
        elif item.lab < lab:
            out += item.solution
        else:
            out.append(f"{item.indent}{leader} LAB {item.lab} "
                       f"{item.title.rstrip('.')}. Your code here.{item.eol}")
            out += item.stub or []
    return "".join(out)


# ---------------------------------------------------------------------------
# Trees
# ---------------------------------------------------------------------------

def git(*args, cwd=".", env=None, input=None, check=True):
    """Run git; return its standard output (bytes). A failure raises Fail,
    or with check=False gives an empty output."""
    r = subprocess.run(["git", *args], cwd=cwd, env=env, input=input,
                       capture_output=True)
    if r.returncode and check:
        raise Fail(f"git {' '.join(args)}: "
                   f"{r.stderr.decode(errors='replace').strip()}")
    return b"" if r.returncode else r.stdout


def git_line(*args, **kwargs):
    """git() for commands that answer one line: that line."""
    return git(*args, **kwargs).decode().strip()


def decode(data):
    """Bytes to text and back without loss, whatever the encoding."""
    return data.decode("utf-8", "surrogateescape")


def worktree_files(src):
    """The files of the work tree at src that Git tracks or would track."""
    out = git("ls-files", "-z", "--cached", "--others", "--exclude-standard",
              cwd=src)
    files = []
    for path in sorted(set(decode(out).split("\0")) - {""}):
        full = os.path.join(src, path)
        if os.path.islink(full):
            files.append(File(path, LINK, os.fsencode(os.readlink(full))))
        elif os.path.isfile(full):  # a tracked file may have been deleted
            mode = 0o755 if os.stat(full).st_mode & 0o111 else 0o644
            with open(full, "rb") as f:
                files.append(File(path, mode, f.read()))
    return files


def rev_files(src, rev):
    """The files of commit `rev` (below src, as `git ls-files` shows them)."""
    modes = {"100644": 0o644, "100755": 0o755, "120000": LINK}
    entries = []
    for entry in decode(git("ls-tree", "-r", "-z", rev, cwd=src)).split("\0"):
        if entry:
            info, path = entry.split("\t", 1)
            mode, kind, sha = info.split()
            if kind == "blob":  # submodules (commits) are not ours to copy
                entries.append((path, modes[mode], sha))
    out = git("cat-file", "--batch", cwd=src,
              input="".join(f"{sha}\n" for _, _, sha in entries).encode())
    files, pos = [], 0
    for path, mode, _ in entries:  # each: "<sha> blob <size>\n<data>\n"
        start = out.index(b"\n", pos) + 1
        end = start + int(out[pos:start].split()[2])
        files.append(File(path, mode, out[start:end]))
        pos = end + 1
    return files


def source_files(src, rev=None):
    """The files to cut: those of commit `rev`, or of the work tree."""
    return rev_files(src, rev) if rev else worktree_files(src)


def where(src, rev=None):
    """How error messages name the files: "src/", "" for ".", or "rev:"."""
    if rev:
        return f"{rev}:"
    return "" if os.path.normpath(src) == "." else os.path.join(src, "")


def lab_of_folder(path):
    """The lab whose handout folder holds `path`, or None."""
    m = LAB_DIR.match(path)
    return int(m[1]) if m and int(m[1]) > 0 else None


def known_labs(files):
    """The lab numbers that have a handout folder."""
    return {lab for f in files if (lab := lab_of_folder(f.path))}


def cut(files, labs, lab=None, prefix=""):
    """The handout of `lab` from `files` (lab None: only check markers).

    Returns (files, errors, counts): counts = [blocks, blocks stubbed];
    errors name files as prefix + path.
    """
    out, errors, counts = [], [], [0, 0]
    for f in files:
        folder = lab_of_folder(f.path)
        if f.path == LAB_FILE or (lab and folder and folder > lab):
            continue
        leader = leader_of(f.path)
        if leader and f.mode != LINK:
            items, errs = parse(prefix + f.path, decode(f.data), leader, labs)
            errors += errs
            for item in items:
                if isinstance(item, Block):
                    counts[0] += 1
                    counts[1] += bool(lab) and item.lab >= lab
            if lab:
                text = render(items, lab, leader)
                f = File(f.path, f.mode, text.encode("utf-8",
                                                     "surrogateescape"))
        out.append(f)
    if lab:
        out.append(File(LAB_FILE, 0o644, f"{lab}\n".encode()))
    return out, errors, counts


def cut_or_fail(files, labs, lab, prefix=""):
    """cut(), raising Fail with every marker error."""
    out, errors, counts = cut(files, labs, lab, prefix)
    if errors:
        raise Fail("\n".join(errors) + f"\n{len(errors)} marker error(s)")
    return out, counts


def write_tree(files, out):
    """Write files under out, with their modes."""
    for f in files:
        dest = os.path.join(out, f.path)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        if f.mode == LINK:
            os.symlink(os.fsdecode(f.data), dest)
        else:
            with open(dest, "wb") as fh:
                fh.write(f.data)
            os.chmod(dest, f.mode)


def prepare_out(out, src):
    """Make out an empty directory, replacing an earlier handout there.

    Anything else that is not empty is refused: a wrong OUT= must not
    destroy work, least of all the source tree itself.
    """
    real_out, real_src = os.path.realpath(out), os.path.realpath(src)
    if os.path.commonpath([real_out, real_src]) == real_out:
        raise Fail(f"{out} holds the source tree: refusing to write there")
    if os.path.isdir(out) and os.listdir(out):
        if not os.path.isfile(os.path.join(out, LAB_FILE)):
            raise Fail(f"{out} is not empty and not a handout: "
                       "refusing to overwrite it")
        shutil.rmtree(out)
    os.makedirs(out, exist_ok=True)


def write_handout(src, lab, out, rev=None):
    """Write lab `lab`'s handout of src (work tree, or commit rev) to out.

    Returns a one-line summary; raises Fail on any error.
    """
    # A handout written inside the source tree is no part of the next one.
    inside = os.path.relpath(os.path.realpath(out), os.path.realpath(src))
    files = [f for f in source_files(src, rev)
             if not f.path.startswith(os.path.join(inside, ""))]
    labs = known_labs(files)
    if lab not in labs:
        raise Fail(f"no lab {lab}: the labs are {sorted(labs)} "
                   "(one labs/NN-name/ folder each)")
    handout, (blocks, stubbed) = cut_or_fail(files, labs, lab,
                                             where(src, rev))
    prepare_out(out, src)
    write_tree(handout, out)
    return (f"lab {lab} handout in {out}: {len(handout)} files, "
            f"{blocks - stubbed} blocks solved, {stubbed} stubbed")


# ---------------------------------------------------------------------------
# Branches
# ---------------------------------------------------------------------------

def make_branches(src, rev="HEAD"):
    """Create or update branches lab1..labN, one handout commit each.

    Neither the work tree nor the index is touched: each handout is written
    to a temporary directory and committed through a temporary index. A
    branch's new commit has its previous one as parent, so that students
    can merge the update; an unchanged handout gets no new commit.
    """
    files = rev_files(src, rev)
    labs = known_labs(files)
    if not labs:
        raise Fail(f"no labs/NN-name/ folder in {rev}")
    cut_or_fail(files, labs, None, where(src, rev))
    short = git_line("rev-parse", "--short", f"{rev}^{{commit}}", cwd=src)
    git_dir = git_line("rev-parse", "--absolute-git-dir", cwd=src)
    head = git_line("symbolic-ref", "-q", "HEAD", cwd=src, check=False)
    if head in {f"refs/heads/lab{n}" for n in labs}:
        raise Fail(f"{head} is checked out: switch to another branch first")
    if git("status", "--porcelain", cwd=src):
        print(f"note: the branches are cut from {rev} ({short}); "
              "uncommitted changes are not in them")

    for lab in sorted(labs):
        ref, message = f"refs/heads/lab{lab}", \
            f"Lab {lab} handout (generated from {short})"
        with tempfile.TemporaryDirectory() as tmp:
            tree_dir = os.path.join(tmp, "tree")
            write_tree(cut_or_fail(files, labs, lab)[0], tree_dir)
            env = dict(os.environ, GIT_INDEX_FILE=os.path.join(tmp, "index"))
            in_tree = ["--git-dir", git_dir, "--work-tree", tree_dir]
            git(*in_tree, "add", "-A", "-f", cwd=tree_dir, env=env)
            tree = git_line(*in_tree, "write-tree", cwd=tree_dir, env=env)
        old = git_line("rev-parse", "-q", "--verify", f"{ref}^{{commit}}",
                       cwd=src, check=False)
        if old and git_line("rev-parse", f"{old}^{{tree}}", cwd=src) == tree:
            print(f"lab{lab}: up to date ({old[:12]})")
            continue
        parent = ["-p", old] if old else []
        commit = git_line("commit-tree", tree, *parent, "-m", message,
                          cwd=src)
        git("update-ref", "-m", f"handout.py: {message}", ref, commit, old,
            cwd=src)
        print(f"lab{lab}: {commit[:12]} {message}")


# ---------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------

def main(argv=None):
    ap = argparse.ArgumentParser(
        description="Cut lab handouts out of the Hospes reference tree.")
    what = ap.add_mutually_exclusive_group(required=True)
    what.add_argument("--lab", type=int, metavar="N",
                      help="write the handout of lab N (needs --out)")
    what.add_argument("--check", action="store_true",
                      help="only check the markers")
    what.add_argument("--branches", action="store_true",
                      help="create or update branches lab1..labN")
    ap.add_argument("--out", metavar="DIR", help="where the handout goes")
    ap.add_argument("--src", metavar="DIR", default=".",
                    help="the reference tree (default: .)")
    ap.add_argument("--rev", metavar="REV",
                    help="cut from this commit, not the work tree "
                         "(--branches: default HEAD)")
    args = ap.parse_args(argv)
    if (args.lab is None) != (args.out is None):
        ap.error("--lab and --out go together")

    try:
        if args.branches:
            make_branches(args.src, args.rev or "HEAD")
        elif args.check:
            files = source_files(args.src, args.rev)
            labs = known_labs(files)
            _, (blocks, _) = cut_or_fail(files, labs, None,
                                         where(args.src, args.rev))
            print(f"markers OK: {blocks} blocks in {len(files)} files, "
                  f"labs {sorted(labs)}")
        else:
            print(write_handout(args.src, args.lab, args.out, args.rev))
    except Fail as e:
        print(e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
