"""Django-free knowledge of Pacemaker and Corosync: argv builders and output parsers."""
