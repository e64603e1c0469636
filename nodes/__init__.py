"""Nodes: Node rows, pinned host keys, SSH credentials and the runner (remote.py)."""
