"""Pacemaker's own tools: reads of the status and the CIB, the scheduler, the fencer."""

from __future__ import annotations

from collections.abc import Iterable

from hacore.commands import Argv

# The status as crm_mon shows it, inactive resources included (one document).
CRM_MON_XML: Argv = ("crm_mon", "--one-shot", "--inactive", "--output-as=xml")
# The live CIB's version attributes only (admin_epoch, epoch, num_updates): cheap.
CIB_VERSION: Argv = ("cibadmin", "--query", "--xpath", "/cib", "--no-children")
CIB_QUERY: Argv = ("cibadmin", "--query")
CIB_CONFIGURATION: Argv = ("cibadmin", "--query", "--scope", "configuration")
CIB_CONSTRAINTS: Argv = ("cibadmin", "--query", "--scope", "constraints")
SCORES: Argv = ("crm_simulate", "--live-check", "--show-scores")
CRM_NODE_NAME: Argv = ("crm_node", "--name")
LIST_STANDARDS: Argv = ("crm_resource", "--list-standards")
LIST_OCF_PROVIDERS: Argv = ("crm_resource", "--list-ocf-providers")
# The daemons whose metadata describes the cluster properties.
PROPERTY_DAEMONS = ("pacemaker-schedulerd", "pacemaker-controld", "pacemaker-based")


def settle(seconds: int) -> Argv:
    """Wait until the cluster has no pending actions (at most seconds): what pcs's
    --wait runs after a change."""
    return ("crm_resource", "--wait", f"--timeout={int(seconds)}s")


def cib_element(xpath: str) -> Argv:
    """The CIB element(s) an XPath selects."""
    return ("cibadmin", "--query", "--xpath", xpath)


def resource_xpath(rid: str) -> str:
    """The XPath of a resource (primitive, group, clone or bundle) by its checked id."""
    return f"//*[@id='{rid}'][self::primitive or self::group or self::clone or self::bundle]"


def simulate(cib_file: str, options: Iterable[str] = (), save_to: str = "") -> Argv:
    """What the scheduler would do with the CIB in cib_file (XML; options such as
    --node-down N for what a live change does); save_to: also write the CIB as it would
    be once the transition has run."""
    save = ("--save-output", save_to) if save_to else ()
    return (
        "crm_simulate",
        "--simulate",
        "--output-as=xml",
        "--xml-file",
        cib_file,
        *save,
        *options,
    )


def scores_of_file(cib_file: str) -> Argv:
    """Every resource's placement score on every node for the CIB in cib_file (text)."""
    return ("crm_simulate", "--show-scores", "--xml-file", cib_file)


# A staged step that is a Pacemaker C tool rather than a pcs tail names the CIB copy it
# works on as COPY; the executor puts the copy's path there (`on_copy`).
COPY = "{cib}"
# Applies the patchset on stdin to the live CIB (what `pcs cluster cib-push diff-against`
# runs after crm_diff: the change as a difference, so concurrent changes elsewhere stay).
PATCH_STDIN: Argv = ("cibadmin", "--patch", "--xml-pipe")


def on_copy(argv: Argv) -> Argv:
    """A staged step run by a C tool on the change's CIB copy (CIB_file=COPY)."""
    return on_cib_file(COPY, argv)


def node_attribute(node: str, name: str, value: str | None) -> Argv:
    """A node's permanent attribute (standby, maintenance) set, or removed (None), on the
    CIB copy: what `pcs node standby|unstandby|maintenance|unmaintenance` writes, without
    pcs's start-up."""
    what = ("--update", value) if value is not None else ("--delete",)
    return on_copy(("crm_attribute", "--type", "nodes", "--node", node, "--name", name, *what))


def move_constraint(rid: str, node: str, promoted: bool, lifetime: str = "") -> Argv:
    """The cli-prefer constraint of a move (for lifetime, an ISO 8601 duration) made on
    the CIB copy: what `pcs resource move-with-constraint` runs, without pcs's start-up."""
    life = ("--lifetime", lifetime) if lifetime else ()
    extra = ("--promoted",) if promoted else ()
    return on_copy(("crm_resource", "--move", "--resource", rid, "--node", node, *life, *extra))


def forward_patch(orig: str, new: str) -> Argv:
    """The patchset that turns orig into new, without versions (exit 1: they differ)."""
    return ("crm_diff", "--original", orig, "--new", new, "--no-version")


def on_cib_file(cib_file: str, argv: Argv) -> Argv:
    """argv (a Pacemaker C tool) run on a CIB file instead of the live CIB."""
    return ("env", f"CIB_file={cib_file}", *argv)


def clear_moves(rid: str, promoted: bool = False) -> Argv:
    """Remove the cli-prefer/cli-ban constraints of a resource (crm_resource --clear)."""
    return ("crm_resource", "--clear", "--resource", rid, *(("--promoted",) if promoted else ()))


def reverse_patch(new: str, orig: str) -> Argv:
    """The patchset that turns new back into orig (exit 1 means they differ)."""
    return ("crm_diff", "--original", new, "--new", orig, "--no-version")


def apply_patch(cib_file: str, patch: str) -> Argv:
    """Apply a CIB patchset to a CIB file."""
    return ("env", f"CIB_file={cib_file}", "cibadmin", "--patch", "--xml-text", patch)


def list_agents(standard: str) -> Argv:
    """The agents of one standard (ocf:provider, lsb, service, systemd, stonith)."""
    return ("crm_resource", "--list-agents", standard)


def agent_metadata(agent: str) -> Argv:
    """An agent's metadata (stonith:fence_x for a fence agent)."""
    return ("crm_resource", "--show-metadata", agent)


def daemon_metadata(daemon_dir: str, daemon: str) -> Argv:
    """A Pacemaker daemon's option metadata (the cluster properties it reads)."""
    return (f"{daemon_dir}/{daemon}", "metadata")


def stonith_query(device: str) -> Argv:
    """Whether a fence device's agent reaches the device (its status action)."""
    return ("stonith_admin", "--query", device)


def stonith_list_targets(device: str) -> Argv:
    """The nodes a fence device says it can fence."""
    return ("stonith_admin", "--list-targets", device)


def stonith_devices_for(node: str) -> Argv:
    """The devices that can fence node."""
    return ("stonith_admin", "--list", node)


def fence_agent(agent_dir: str, agent: str) -> Argv:
    """A fence agent run directly, as the fencer runs it: every option (action, plug,
    the device's parameters, its password) comes as key=value lines on stdin, never on
    the command line. agent is a checked fence_* name."""
    return (f"{agent_dir}/{agent}",)


# crm_report masks the values of nvpairs matching these (its default is passw.* only);
# the console masks the download once more (hacore.tarballs).
REPORT_SECRETS = ("passw.*", "secret.*", "community", ".*token.*", ".*_key")


def crm_report(since: str, until: str, dest: str) -> Argv:
    """A report of this node for [since, until] into dest (+ .tar.bz2), secrets masked."""
    masks = [arg for pattern in REPORT_SECRETS for arg in ("-p", pattern)]
    return ("crm_report", "--single-node", *masks, "--from", since, "--to", until, "--dest", dest)
