"""Debian packages the lab needs: checked with dpkg-query, installed with apt-get."""

from __future__ import annotations

import os
import subprocess

from .errors import LabError
from .procs import log, run

PACKAGES = (
    "pacemaker",
    "pacemaker-cli-utils",
    "corosync",
    "pcs",
    "fence-agents",
    "resource-agents",
    "openssh-server",
    "iproute2",
    "procps",
    "psmisc",
    "util-linux",
    # libvirt and QEMU for real guests; libvirt-daemon-system is left out on purpose (it
    # pulls in iptables, dnsmasq and more): the lab configures each node itself
    "libvirt-daemon",
    "libvirt-daemon-driver-qemu",
    "libvirt-clients",
    "qemu-system-x86",
    "qemu-utils",
)


def missing_packages() -> list[str]:
    result = run(
        ["dpkg-query", "-W", "-f=${Package} ${db:Status-Abbrev}\n", *PACKAGES],
        check=False,
    )
    installed = {
        line.split()[0]
        for line in result.stdout.splitlines()
        if len(line.split()) > 1 and line.split()[1] == "ii"
    }
    return [name for name in PACKAGES if name not in installed]


def apt_get(*args: str, timeout: float) -> None:
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    cmd = ["apt-get", "-q", "-y", "-o", "DPkg::Lock::Timeout=600", *args]
    result = subprocess.run(cmd, env=env, timeout=timeout, check=False, stdin=subprocess.DEVNULL)
    if result.returncode != 0:
        raise LabError(f"{' '.join(cmd)} failed with exit status {result.returncode}")


def ensure_packages() -> None:
    """Install what is missing; touch apt only when something is."""
    missing = missing_packages()
    if not missing:
        return
    log(f"installing Debian packages: {' '.join(missing)}")
    apt_get("update", timeout=900)
    apt_get("install", "--no-install-recommends", *missing, timeout=1800)
    still = missing_packages()
    if still:
        raise LabError(f"packages still missing after apt-get install: {' '.join(still)}")
