"""Files in LAB_DIR: keys, per-node private directories, generated configuration."""

from __future__ import annotations

import json
import os
import shutil
import stat
import xml.etree.ElementTree as ET
from pathlib import Path
from string import Template

from .config import CLUSTER_NAME, Lab, Node
from .errors import LabError
from .procs import run

# Host path -> per-node source directory name; each is bind-mounted over the host path.
BIND_DIRS = {
    "/etc/ssh": "etc-ssh",
    "/etc/corosync": "etc-corosync",
    "/var/lib/corosync": "var-lib-corosync",
    "/var/lib/pacemaker": "var-lib-pacemaker",
    "/var/log/corosync": "var-log-corosync",
    "/var/log/pacemaker": "var-log-pacemaker",
}
SSH_CLIENT_FILES = ("moduli", "ssh_config", "ssh_config.d")


def template(lab: Lab, name: str, **values: str) -> str:
    return Template((lab.templates / name).read_text()).substitute(values)


def write_if_changed(path: Path, text: str | bytes, mode: int = 0o644) -> None:
    data = text.encode() if isinstance(text, str) else text
    if not path.exists() or path.read_bytes() != data:
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
    path.chmod(mode)


def mirror_dir(host: Path, copy: Path) -> None:
    """Create `copy` with the owner and mode of `host`, recursively for subdirectories."""
    copy.mkdir(parents=True, exist_ok=True)
    if not host.is_dir():
        return
    st = host.stat()
    os.chown(copy, st.st_uid, st.st_gid)
    copy.chmod(stat.S_IMODE(st.st_mode))
    for child in host.iterdir():
        if child.is_dir() and not child.is_symlink():
            mirror_dir(child, copy / child.name)


def ssh_keygen(path: Path, comment: str) -> None:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", str(path)])


def ensure_lab_files(lab: Lab) -> None:
    for path, mode in ((lab.dir, 0o755), (lab.run_dir, 0o755), (lab.ssh_key.parent, 0o700)):
        path.mkdir(parents=True, exist_ok=True)
        path.chmod(mode)
    ssh_keygen(lab.ssh_key, "haconsole-lab")
    authkey = lab.dir / "corosync-authkey"
    if not authkey.exists():
        write_if_changed(authkey, os.urandom(256), 0o400)
    write_if_changed(lab.dir / "empty-bashrc", "", 0o644)


def corosync_conf(lab: Lab) -> str:
    nodes = "\n".join(
        "    node {\n"
        f"        ring0_addr: {node.address}\n"
        f"        name: {node.name}\n"
        f"        nodeid: {node.index}\n"
        "    }"
        for node in lab.nodes
    )
    return template(lab, "corosync.conf", cluster_name=CLUSTER_NAME, nodes=nodes)


def cib_values(lab: Lab) -> dict[str, str]:
    values = {"cluster_name": CLUSTER_NAME, "subnet": str(lab.subnet)}
    for node in lab.nodes:
        values[f"node{node.index}"] = node.name
        values[f"node{node.index}_address"] = str(node.address)
    return values


def seeded_cib(lab: Lab) -> ET.Element:
    """The seeded CIB (template filled in), as an element tree without comments."""
    text = template(lab, "cib.xml", **cib_values(lab))
    return ET.fromstring(text)  # noqa: S314 - the lab's own template


def ensure_ssh_dir(lab: Lab, node: Node, etc_ssh: Path) -> None:
    for name in SSH_CLIENT_FILES:
        src, dst = Path("/etc/ssh") / name, etc_ssh / name
        if src.is_dir():
            shutil.copytree(src, dst, dirs_exist_ok=True)
        elif src.exists():
            shutil.copy2(src, dst)
    ssh_keygen(etc_ssh / "ssh_host_ed25519_key", f"root@{node.name}")
    pub = lab.ssh_key.with_suffix(".pub").read_text()
    write_if_changed(etc_ssh / "authorized_keys", pub, 0o600)
    write_if_changed(
        etc_ssh / "sshd_config", template(lab, "sshd_config", address=str(node.address))
    )


def ensure_corosync_dir(lab: Lab, etc_corosync: Path) -> None:
    (etc_corosync / "uidgid.d").mkdir(exist_ok=True)
    write_if_changed(etc_corosync / "authkey", (lab.dir / "corosync-authkey").read_bytes(), 0o400)
    write_if_changed(etc_corosync / "corosync.conf", corosync_conf(lab))


def seed_cib(lab: Lab, var_lib_pacemaker: Path) -> None:
    """Write cib.xml only on a node's first boot: afterwards the CIB is the node's own."""
    cib_dir = var_lib_pacemaker / "cib"
    if any(cib_dir.glob("cib*.xml")):
        return
    path = cib_dir / "cib.xml"
    path.write_bytes(ET.tostring(seeded_cib(lab)))
    st = cib_dir.stat()
    os.chown(path, st.st_uid, st.st_gid)
    path.chmod(0o600)


def ensure_node_files(lab: Lab, node: Node) -> None:
    base = lab.node_dir(node)
    for host, name in BIND_DIRS.items():
        mirror_dir(Path(host), base / name)
    (base / "log").mkdir(exist_ok=True)
    ensure_ssh_dir(lab, node, base / "etc-ssh")
    ensure_corosync_dir(lab, base / "etc-corosync")
    seed_cib(lab, base / "var-lib-pacemaker")


def ensure_assets(lab: Lab) -> None:
    ensure_lab_files(lab)
    for node in lab.nodes:
        ensure_node_files(lab, node)
    write_if_changed(lab.info_file, json.dumps(lab_info(lab), indent=2) + "\n")


def lab_info(lab: Lab) -> dict[str, object]:
    return {
        "home": str(lab.home),
        "dir": str(lab.dir),
        "instance": lab.instance,
        "subnet": str(lab.subnet),
        "cluster_name": CLUSTER_NAME,
        "nodes": [{"name": n.name, "address": str(n.address), "netns": n.netns} for n in lab.nodes],
    }


def recorded(lab: Lab, key: str) -> str | None:
    """What lab.json in LAB_DIR says (the lab was last brought up with it), e.g. "subnet"."""
    try:
        data = json.loads(lab.info_file.read_text())
    except (OSError, ValueError):
        return None
    value = data.get(key) if isinstance(data, dict) else None
    return str(value) if isinstance(value, str | int) else None


def host_key_line(lab: Lab, node: Node) -> str:
    path = lab.node_dir(node) / "etc-ssh" / "ssh_host_ed25519_key.pub"
    try:
        keytype, blob = path.read_text().split()[:2]
    except (OSError, ValueError) as exc:
        raise LabError(f"no host key for {node.name} ({path}); run `lab/lab up` first") from exc
    return f"{node.address} {keytype} {blob}"
