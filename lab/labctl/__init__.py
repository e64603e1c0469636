"""haconsole lab: a real 3-node Pacemaker/Corosync cluster in network namespaces."""
