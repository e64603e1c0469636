"""Every command line the console runs on a node, as argv tuples: nothing else builds one.

- `pcs`: pcs's grammar, as tails for `pcs -f FILE ...` on a CIB copy, and whole live commands;
- `pacemaker`: crm_mon, cibadmin, crm_simulate, crm_diff, crm_resource, stonith_admin,
  crm_report, crm_node and the daemons' metadata;
- `corosync`: corosync-cmapctl and corosync.conf;
- `shell`: the small steps around them (mktemp, cp, cat, rm, base64, tail).

Callers pass values they have already checked (hacore.pacemaker.ids); every value is one
argv element, joined into a command line only by hacore.runner.command_line.
"""

Argv = tuple[str, ...]
