"""A node as a machine: its private file systems and configuration, set up by its holder.

Runs inside the node's new mount namespace (never the host's; nodeinit checks), before any
service starts. What the node sees as its own:
- /proc of its PID namespace; fresh tmpfs on /run and /dev/shm at every boot;
- /etc as an overlay (lower: the host's /etc, read only; upper: LAB_DIR/nodes/N/etc/upper),
  so everything the node writes to /etc (its /etc/hosts, libvirt and DRBD configuration,
  the hacluster password in /etc/shadow, systemd enablement links, what pcs writes) stays
  the node's, like a disk; /etc/ssh and /etc/corosync are bind mounts over it (the lab
  reads their keys and configuration from the host);
- private state and log directories (BIND_DIRS), an empty /root/.bashrc;
- lab/sbin overlaid on /usr/sbin (the fence agent, DRBD stand-ins), lab/ocf on the OCF
  agents directory (ocf:linbit:drbd), the lab's systemctl on /usr/bin/systemctl;
- /home as a tmpfs holding /home/datos, a bind of LAB_DIR/shared: the one directory every
  node sees at the same path (the stand-in for the book's GFS2 file system).
"""

from __future__ import annotations

import uuid
from pathlib import Path

from . import units
from .assets import BIND_DIRS, hacluster_password, node_etc
from .config import Lab, Node
from .procs import run

# /run as a fresh tmpfs per boot: (path, mode, owner)
RUN_DIRS = (
    ("crm", 0o750, "hacluster:haclient"),
    ("sshd", 0o755, "root:root"),
    ("lock", 0o1777, "root:root"),
    ("resource-agents", 0o1755, "root:root"),
    ("lab-units", 0o755, "root:root"),
    ("systemd/system", 0o755, "root:root"),  # pcsd checks it to know systemd "runs"
)
OCF_ROOT = "/usr/lib/ocf/resource.d"
SHARED_MOUNT = Path("/home/datos")
FIRSTBOOT = Path("/etc/haconsole-lab-firstboot")
LIBVIRT_QEMU_UID = 64055
CLUSTER_UNITS = ("corosync", "pacemaker")


def mount(*args: str) -> None:
    """mount(8) with these arguments (in the node's mount namespace)."""
    run(["mount", *args])


def setup_run() -> None:
    """A fresh /run with the directories the daemons expect."""
    mount("-t", "tmpfs", "-o", "mode=0755,nosuid,nodev", "lab-run", "/run")
    for name, mode, owner in RUN_DIRS:
        path = Path("/run") / name
        path.mkdir(parents=True)
        path.chmod(mode)
        run(["chown", owner, str(path)])


def setup_mounts(lab: Lab, node: Node) -> None:
    """The node's private view of the file system (this mount namespace only)."""
    mount("-t", "proc", "-o", "nosuid,nodev,noexec", "proc", "/proc")
    setup_run()
    mount("-t", "tmpfs", "-o", "mode=1777,nosuid,nodev", "lab-shm", "/dev/shm")  # noqa: S108
    upper, work = node_etc(lab, node)
    mount(
        "-t", "overlay", "-o", f"lowerdir=/etc,upperdir={upper},workdir={work}", "lab-etc", "/etc"
    )
    base = lab.node_dir(node)
    for host, name in BIND_DIRS.items():
        if Path(host).is_dir():
            mount("--bind", str(base / name), host)
    if Path("/root/.bashrc").exists():
        mount("--bind", str(lab.dir / "empty-bashrc"), "/root/.bashrc")
    mount("-t", "overlay", "-o", f"lowerdir={lab.sbin}:/usr/sbin", "lab-sbin", "/usr/sbin")
    mount("-t", "overlay", "-o", f"lowerdir={lab.home / 'ocf'}:{OCF_ROOT}", "lab-ocf", OCF_ROOT)
    mount("--bind", str(lab.home / "node" / "systemctl"), "/usr/bin/systemctl")
    mount("-t", "tmpfs", "-o", "mode=0755,nosuid,nodev", "lab-home", "/home")
    SHARED_MOUNT.mkdir()
    mount("--bind", str(lab.shared_dir), str(SHARED_MOUNT))


def write(path: Path, text: str, mode: int = 0o644) -> None:
    """Write a file of the node's /etc (through the overlay) if its content differs."""
    if not path.exists() or path.read_text() != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    path.chmod(mode)


def hosts_file(lab: Lab) -> str:
    """/etc/hosts of a node: localhost and every lab node by name."""
    lines = ["127.0.0.1\tlocalhost", "::1\tlocalhost ip6-localhost ip6-loopback", ""]
    lines += [f"{n.address}\t{n.name}" for n in lab.all_nodes]
    return "\n".join(lines) + "\n"


def ensure_users() -> None:
    """The libvirt-qemu user that libvirt's QEMU driver insists on (libvirt-daemon-system
    would make it, and pull in much more): in the node's /etc only."""
    if not Path("/usr/sbin/libvirtd").exists():
        return
    if run(["getent", "group", "kvm"], check=False).returncode != 0:
        run(["groupadd", "--system", "kvm"])
    if run(["getent", "group", "libvirt-qemu"], check=False).returncode != 0:
        run(["groupadd", "--system", "--gid", str(LIBVIRT_QEMU_UID), "libvirt-qemu"])
    if run(["getent", "passwd", "libvirt-qemu"], check=False).returncode != 0:
        run(
            [
                "useradd",
                "--system",
                "--uid",
                str(LIBVIRT_QEMU_UID),
                "--gid",
                "libvirt-qemu",
                "--groups",
                "kvm",
                "--home-dir",
                "/var/lib/libvirt",
                "--no-create-home",
                "--shell",
                "/usr/sbin/nologin",
                "libvirt-qemu",
            ]
        )


def set_hacluster_password(lab: Lab) -> None:
    """pcsd authenticates `pcs host auth` against /etc/shadow: the node's own copy."""
    password = hacluster_password(lab)
    run(["chpasswd"], input_text=f"hacluster:{password}\n")


def configure_libvirt(node: Node) -> None:
    """libvirtd.conf (a host_uuid per node) and qemu.conf (migration_host...)."""
    if not Path("/usr/sbin/libvirtd").exists():
        return
    host_uuid = str(uuid.uuid5(uuid.NAMESPACE_DNS, f"{node.name}.{node.netns}.haconsole-lab"))
    write(
        Path("/etc/libvirt/libvirtd.conf"),
        "# Generated by the haconsole lab at every boot of this node.\n"
        f'host_uuid = "{host_uuid}"\n'
        'unix_sock_group = "root"\n'
        'auth_unix_rw = "none"\n',
    )
    write(
        Path("/etc/libvirt/qemu.conf"),
        "# Generated by the haconsole lab at every boot of this node.\n"
        f'migration_host = "{node.address}"\n'
        'stdio_handler = "file"\n'
        'user = "root"\n'
        'group = "root"\n'
        "dynamic_ownership = 0\n"
        'security_driver = "none"\n'
        "cgroup_controllers = [ ]\n"
        "namespaces = [ ]\n",
    )


def install_init_scripts(lab: Lab) -> None:
    """LSB scripts the cluster can run (lsb:libvirtd): Pacemaker runs them directly."""
    for script in (lab.home / "node" / "init.d").iterdir():
        write(Path("/etc/init.d") / script.name, script.read_text(), 0o755)


def first_boot(lab: Lab, node: Node) -> None:
    """Enablement as a freshly installed node has it: cluster services on cluster nodes,
    not on the spare. Again when the node changed roles (HACONSOLE_LAB_NODES changed)."""
    role = "spare" if node == lab.spare else "cluster"
    marker = f"{node.name} first booted by the haconsole lab as a {role} node\n"
    if FIRSTBOOT.exists() and FIRSTBOOT.read_text() == marker:
        return
    for unit in units.UNITS:
        if unit.name in CLUSTER_UNITS and role == "spare":
            units.disable(unit)
        else:
            units.enable(unit)
    write(FIRSTBOOT, marker)


def configure(lab: Lab, node: Node) -> None:
    """The node's machine configuration, written through its own /etc."""
    write(Path("/etc/hostname"), f"{node.name}\n")
    write(Path("/etc/hosts"), hosts_file(lab))
    ensure_users()
    set_hacluster_password(lab)
    configure_libvirt(node)
    install_init_scripts(lab)
    write(Path("/etc/drbd.conf"), 'include "drbd.d/global_common.conf";\ninclude "drbd.d/*.res";\n')
    write(Path("/etc/drbd.d/global_common.conf"), "global {\n\tusage-count no;\n}\n")
    (units.STATE_DIR / "log-dir").write_text(f"{lab.node_dir(node) / 'log'}\n")
    first_boot(lab, node)


def boot_units(which: str) -> list[str]:
    """The services a boot starts: the enabled ones ("enabled", a real power-on), or every
    one the node can run ("all": `lab/lab up` and `start-node` bring the node fully up;
    corosync and pacemaker only where there is a corosync.conf)."""
    names = []
    configured = Path("/etc/corosync/corosync.conf").exists()
    for name in units.BOOT_ORDER:
        unit = units.find(name)
        if unit is None or not unit.installed:
            continue
        if which == "enabled" and not units.is_enabled(unit):
            continue
        if which == "all" and name in CLUSTER_UNITS and not configured:
            continue
        names.append(name)
    return names
