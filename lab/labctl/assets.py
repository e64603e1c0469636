"""Files in LAB_DIR: keys, per-node private directories, generated configuration."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import stat
import xml.etree.ElementTree as ET
from pathlib import Path
from string import Template

from .config import CLUSTER_NAME, Lab, Node
from .errors import LabError
from .procs import run

# Host path -> per-node source directory name; each is bind-mounted over the host path
# (those of packages not installed are skipped).
BIND_DIRS = {
    "/etc/ssh": "etc-ssh",
    "/etc/corosync": "etc-corosync",
    "/var/lib/corosync": "var-lib-corosync",
    "/var/lib/pacemaker": "var-lib-pacemaker",
    "/var/log/corosync": "var-log-corosync",
    "/var/log/pacemaker": "var-log-pacemaker",
    "/var/lib/pcsd": "var-lib-pcsd",
    "/var/log/pcsd": "var-log-pcsd",
    "/var/lib/libvirt": "var-lib-libvirt",
    "/var/cache/libvirt": "var-cache-libvirt",
    "/var/log/libvirt": "var-log-libvirt",
}
# Mount points for libvirt's state: libvirt-daemon-system would create them; the lab
# installs only libvirt-daemon, so it makes these (empty) directories on the host.
LIBVIRT_DIRS = ("/var/lib/libvirt", "/var/cache/libvirt", "/var/log/libvirt")
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
    dirs = ((lab.dir, 0o755), (lab.run_dir, 0o755), (lab.ssh_key.parent, 0o700))
    for path, mode in (*dirs, (lab.shared_dir, 0o755), (lab.dir / "pcsd", 0o700)):
        path.mkdir(parents=True, exist_ok=True)
        path.chmod(mode)
    ssh_keygen(lab.ssh_key, "haconsole-lab")
    authkey = lab.dir / "corosync-authkey"
    if not authkey.exists():
        write_if_changed(authkey, os.urandom(256), 0o400)
    password = lab.dir / "pcsd" / "hacluster-password"
    if not password.exists():
        write_if_changed(password, secrets.token_urlsafe(18) + "\n", 0o600)
    write_if_changed(lab.dir / "empty-bashrc", "", 0o644)
    if Path("/usr/sbin/libvirtd").exists():
        for name in LIBVIRT_DIRS:
            Path(name).mkdir(mode=0o755, parents=True, exist_ok=True)


def hacluster_password(lab: Lab) -> str:
    """The password of the nodes' hacluster user (pcs host auth), made on the first `up`."""
    return (lab.dir / "pcsd" / "hacluster-password").read_text().strip()


def node_etc(lab: Lab, node: Node) -> tuple[Path, Path]:
    """Upper and work directories of the node's /etc overlay."""
    base = lab.node_dir(node) / "etc"
    return base / "upper", base / "work"


def corosync_conf(lab: Lab) -> str:
    nodes = "\n".join(
        "    node {\n"
        f"        ring0_addr: {node.address}\n"
        f"        name: {node.name}\n"
        f"        nodeid: {node.index}\n"
        "    }"
        for node in lab.nodes
    )
    # two nodes: quorum with one of them (what pcs writes for a two-node cluster)
    two_node = "    two_node: 1\n" if len(lab.nodes) == 2 else ""
    return template(lab, "corosync.conf", cluster_name=CLUSTER_NAME, nodes=nodes, two_node=two_node)


def cib_values(lab: Lab) -> dict[str, str]:
    nodes = "\n".join(f'      <node id="{n.index}" uname="{n.name}"/>' for n in lab.nodes)
    return {
        "cluster_name": CLUSTER_NAME,
        "subnet": str(lab.subnet),
        "nodes": nodes,
        "host_list": ",".join(n.name for n in lab.all_nodes),
    }


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
    # root on a node reaches the other nodes by name with the lab key (virsh migrate
    # qemu+ssh://node2/system), as the book's nodes do
    write_if_changed(etc_ssh / "lab_id_ed25519", lab.ssh_key.read_bytes(), 0o600)
    write_if_changed(etc_ssh / "ssh_config.d" / "haconsole-lab.conf", template(lab, "ssh_config"))


def ensure_known_hosts(lab: Lab) -> None:
    """Every node knows every node's host key, by name and by address."""
    lines = []
    for node in lab.all_nodes:
        path = lab.node_dir(node) / "etc-ssh" / "ssh_host_ed25519_key.pub"
        if path.exists():
            keytype, blob = path.read_text().split()[:2]
            lines.append(f"{node.name},{node.address} {keytype} {blob}")
    for node in lab.all_nodes:
        etc_ssh = lab.node_dir(node) / "etc-ssh"
        if etc_ssh.is_dir():
            write_if_changed(etc_ssh / "ssh_known_hosts", "\n".join(lines) + "\n")


def ensure_corosync_dir(lab: Lab, node: Node, etc_corosync: Path, cold: bool) -> None:
    """The lab's corosync.conf on cluster nodes, written when missing or on a cold start
    (no node running): while the cluster runs it is the cluster's (pcs writes it when
    nodes are added or removed). The spare has none until `pcs cluster node add`."""
    (etc_corosync / "uidgid.d").mkdir(exist_ok=True)
    if node not in lab.nodes:
        return
    write_if_changed(etc_corosync / "authkey", (lab.dir / "corosync-authkey").read_bytes(), 0o400)
    conf = etc_corosync / "corosync.conf"
    if cold or not conf.exists():
        write_if_changed(conf, corosync_conf(lab))


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


def ensure_node_files(lab: Lab, node: Node, cold: bool = False) -> None:
    """The node's private directories (made from the host's, same owner and mode)."""
    base = lab.node_dir(node)
    for host, name in BIND_DIRS.items():
        if Path(host).is_dir():
            mirror_dir(Path(host), base / name)
    for path in (base / "log", *node_etc(lab, node)):
        path.mkdir(parents=True, exist_ok=True)
        # the upper directory is the node's /etc itself: made under a umask of 077 (seen
        # for the spare, booted from a test), hacluster could not read /etc/passwd
        path.chmod(0o755)
    ensure_ssh_dir(lab, node, base / "etc-ssh")
    ensure_corosync_dir(lab, node, base / "etc-corosync", cold)
    if node in lab.nodes:
        seed_cib(lab, base / "var-lib-pacemaker")


def ensure_assets(lab: Lab, cold: bool = False) -> None:
    """LAB_DIR's files for the cluster nodes (and the spare's, if it was ever booted)."""
    ensure_lab_files(lab)
    for node in lab.all_nodes:
        if node in lab.nodes or lab.node_dir(node).exists():
            ensure_node_files(lab, node, cold)
    ensure_known_hosts(lab)
    write_if_changed(lab.info_file, json.dumps(lab_info(lab), indent=2) + "\n")


def lab_info(lab: Lab) -> dict[str, object]:
    return {
        "home": str(lab.home),
        "dir": str(lab.dir),
        "instance": lab.instance,
        "subnet": str(lab.subnet),
        "cluster_name": CLUSTER_NAME,
        "nodes": [
            {"name": n.name, "address": str(n.address), "netns": n.netns} for n in lab.all_nodes
        ],
        "node_count": len(lab.nodes),
        "spare": {"name": lab.spare.name, "address": str(lab.spare.address)} if lab.spare else None,
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
