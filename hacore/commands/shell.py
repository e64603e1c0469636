"""The small steps around the cluster tools: private directories, copies, files, logs."""

from __future__ import annotations

from hacore.commands import Argv

MKTEMP: Argv = ("mktemp", "-d", "-t", "haconsole.XXXXXXXX")
# Writes the base64 text on stdin to the file named by its argument (pcs needs python3,
# so every node has it); the content never appears on a command line.
_DECODE = (
    "import base64, sys; "
    "open(sys.argv[1], 'wb').write(base64.b64decode(sys.stdin.read(), validate=True))"
)


def copy(source: str, dest: str) -> Argv:
    """cp SOURCE DEST."""
    return ("cp", "--", source, dest)


def cat(path: str) -> Argv:
    """A file's content."""
    return ("cat", "--", path)


def is_file(path: str) -> Argv:
    """Exit 0 when path is a regular file (test -f; "--" is no option to test)."""
    return ("test", "-f", path)


def remove_tree(path: str) -> Argv:
    """rm -rf PATH."""
    return ("rm", "-rf", "--", path)


def base64_of(path: str) -> Argv:
    """A (binary) file as one line of base64."""
    return ("base64", "-w0", "--", path)


def write_stdin_base64(path: str) -> Argv:
    """Decode base64 from stdin into path."""
    return ("python3", "-c", _DECODE, path)


def write_stdin(*paths: str) -> Argv:
    """Write stdin to every path (and echo it: tee)."""
    return ("tee", "--", *paths)


def follow(path: str) -> Argv:
    """New lines of a log file as they are written (tail -n0 -F)."""
    return ("tail", "-n0", "-F", path)
