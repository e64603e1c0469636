"""The Django-free bottom layer: what every app shares and nothing of Django.

- `runner`: the asyncssh runner (argv lists, one `shlex.join`, pinned host keys);
- `commands`: every command line the console runs on a node;
- `pacemaker`: parsers of crm_mon, CIB, crm_simulate, agent metadata... into frozen DTOs;
- `reads`: the read sequences ("run crm_mon, check, parse") on a session;
- `errors`: the exceptions with a code and an HTTP status that the API edge maps.

Nothing here imports Django, DRF, Channels or Celery (tools/importgraph.py checks).
"""
