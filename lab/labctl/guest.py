"""The optional Linux guest: a Debian kernel and a busybox initramfs, built once per LAB_DIR.

`lab/lab vm create NAME --linux` needs them. The first time, the lab downloads two
Debian packages with apt-get (linux-image-amd64's kernel package and busybox-static;
nothing is installed), takes the kernel image out of the first and busybox out of the
second, and writes an initramfs (cpio "newc", gzip) whose /init counts seconds on the
serial console, so that a guest that keeps counting across a live migration shows it
was not restarted. Kept in LAB_DIR/shared/images (the nodes' /home/datos/images, the
same path on every node, as migration needs); later calls reuse them.
"""

from __future__ import annotations

import gzip
import io
import subprocess
import tarfile
import tempfile
from pathlib import Path

from .config import Lab
from .errors import LabError
from .procs import log, run

KERNEL_NAME, INITRD_NAME = "vmlinuz", "initrd.gz"
INIT = """#!/bin/busybox sh
/bin/busybox mkdir -p /proc /sys /tmp
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sysfs /sys
/bin/busybox --install -s /bin
echo "haconsole lab guest: $(uname -r), counting"
n=0
while true; do n=$((n + 1)); echo "tick $n"; sleep 1; done
"""
S_IFDIR, S_IFREG, S_IFCHR = 0o040000, 0o100000, 0o020000


def images(lab: Lab) -> Path:
    """LAB_DIR/shared/images: the Linux guest's kernel and initramfs."""
    return lab.shared_dir / "images"


def newc_entry(name: str, mode: int, data: bytes = b"", rdev: tuple[int, int] = (0, 0)) -> bytes:
    """One cpio "newc" record (the format the kernel unpacks into its initramfs)."""
    fields = [0, mode, 0, 0, 1, 0, len(data), 0, 0, rdev[0], rdev[1], len(name) + 1, 0]
    header = b"070701" + b"".join(f"{value:08X}".encode() for value in fields)
    record = header + name.encode() + b"\0"
    record += b"\0" * (-len(record) % 4) + data
    return record + b"\0" * (-len(record) % 4)


def initramfs(busybox: bytes) -> bytes:
    """The guest's initramfs: busybox, /dev/console and an /init that counts."""
    entries = [
        newc_entry("bin", S_IFDIR | 0o755),
        newc_entry("dev", S_IFDIR | 0o755),
        newc_entry("dev/console", S_IFCHR | 0o600, rdev=(5, 1)),
        newc_entry("bin/busybox", S_IFREG | 0o755, busybox),
        newc_entry("init", S_IFREG | 0o755, INIT.encode()),
        newc_entry("TRAILER!!!", 0),
    ]
    return gzip.compress(b"".join(entries), compresslevel=6)


def download(package: str, into: Path) -> Path:
    """`apt-get download PACKAGE` (no installation) into `into`."""
    run(["apt-get", "download", package], timeout=900, check=True, cwd=into)
    found = sorted(into.glob(f"{package}_*.deb"))
    if not found:
        raise LabError(f"apt-get download {package} left no .deb in {into}")
    return found[-1]


def member(deb: Path, wanted: str) -> bytes:
    """A file out of a .deb's data (dpkg-deb --fsys-tarfile), by the end of its path."""
    tar_bytes = subprocess.run(
        ["dpkg-deb", "--fsys-tarfile", str(deb)], capture_output=True, check=True
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(tar_bytes)) as tar:
        for info in tar.getmembers():
            if info.isfile() and info.name.endswith(wanted):
                extracted = tar.extractfile(info)
                if extracted is not None:
                    return extracted.read()
    raise LabError(f"no {wanted} in {deb.name}")


def kernel_package() -> str:
    """The kernel package linux-image-amd64 depends on."""
    out = run(["apt-cache", "depends", "linux-image-amd64"]).stdout
    for line in out.splitlines():
        if line.strip().startswith("Depends:") and "linux-image-" in line:
            return line.split(":", 1)[1].strip()
    raise LabError("apt-cache depends linux-image-amd64 names no kernel package")


def build(lab: Lab) -> None:
    """Download, extract and write the Linux guest's kernel and initramfs."""
    target = images(lab)
    target.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=lab.dir) as tmp:
        work = Path(tmp)
        package = kernel_package()
        log(f"building the Linux guest once: apt-get download {package} busybox-static")
        kernel = member(download(package, work), "/boot/vmlinuz-" + package.split("image-")[1])
        busybox = member(download("busybox-static", work), "/bin/busybox")
    (target / KERNEL_NAME).write_bytes(kernel)
    (target / INITRD_NAME).write_bytes(initramfs(busybox))


def ensure_linux_guest(lab: Lab) -> tuple[str, str]:
    """(kernel, initrd) as the nodes see them; built on first use."""
    if not all((images(lab) / name).exists() for name in (KERNEL_NAME, INITRD_NAME)):
        build(lab)
    base = "/home/datos/images"
    return f"{base}/{KERNEL_NAME}", f"{base}/{INITRD_NAME}"
