"""The optional Linux guest: a Debian kernel and a busybox initramfs, built once per LAB_DIR."""

from __future__ import annotations

from .config import Lab
from .errors import LabError


def ensure_linux_guest(lab: Lab) -> tuple[str, str]:
    """(kernel, initrd) as the nodes see them; built on first use."""
    raise LabError(f"the Linux guest is not built yet in {lab.dir}")
