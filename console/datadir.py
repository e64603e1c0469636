"""The data directory is the console's alone: 0700, every file in it 0600 (the secret
and Fernet keys, the TLS key, the SQLite database and its journals, collected static
files), whatever made them and whenever. Run at start (console/settings.py), before
anything else writes there; the process's umask (077) keeps new files private too."""

from __future__ import annotations

import os
import stat
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600


def make_private(data_dir: Path) -> list[Path]:
    """Create data_dir if needed and tighten it and everything under it (symlinks are
    left alone); the paths whose mode was changed."""
    os.umask(0o077)
    data_dir.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    changed = []
    for path in [data_dir, *data_dir.rglob("*")]:
        info = path.lstat()
        if stat.S_ISLNK(info.st_mode):
            continue
        wanted = DIR_MODE if stat.S_ISDIR(info.st_mode) else FILE_MODE
        if stat.S_IMODE(info.st_mode) != wanted:
            path.chmod(wanted)
            changed.append(path)
    return changed


def private_file(path: Path) -> None:
    """Create path empty with mode 0600 unless it exists (the SQLite database, before
    SQLite creates it with its own mode)."""
    if not path.exists():
        path.parent.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, FILE_MODE))
