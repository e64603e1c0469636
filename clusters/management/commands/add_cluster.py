"""`manage.py add_cluster`: add a cluster from the command line, confirming host keys."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from clusters.services import (
    AddClusterError,
    AddClusterRequest,
    HostKeysUnconfirmed,
    add_cluster,
)
from hacore.validators import check_address, check_username
from nodes.hostkeys import HostKeyInputError, trusted_fingerprints


class Command(BaseCommand):
    """Add a cluster: connect to one node, read the cluster, pin every node's host key."""

    help = (
        "Add a cluster from one node's address, an SSH user and a private key. Host keys are "
        "pinned from --known-hosts/--trust, or confirmed one by one at the prompt."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        """Command-line options."""
        parser.add_argument("address", help="address or host name of one cluster node")
        parser.add_argument("--port", type=int, default=22)
        parser.add_argument("--user", default="root", help="SSH user (default root)")
        parser.add_argument("--key-file", required=True, help="SSH private key file")
        parser.add_argument("--known-hosts", help="known_hosts file pinning the nodes' keys")
        parser.add_argument(
            "--trust",
            action="append",
            default=[],
            metavar="ADDRESS=SHA256:...",
            help="trust this fingerprint for this address (repeatable)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        """Add the cluster, prompting for unconfirmed fingerprints when on a terminal."""
        try:
            address = check_address(options["address"])
            user = check_username(options["user"])
            key = Path(options["key_file"]).read_text()
            known = Path(options["known_hosts"]).read_text() if options["known_hosts"] else ""
            trusted = trusted_fingerprints(_trust_pairs(options["trust"]), known)
        except (OSError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        for _ in range(3):
            req = AddClusterRequest(address, options["port"], user, key, trusted)
            try:
                cluster = add_cluster(req)
            except HostKeysUnconfirmed as exc:
                trusted.update(self._confirm(exc))
                continue
            except AddClusterError as exc:
                raise CommandError(f"{exc.code}: {exc.message}") from exc
            self.stdout.write(f"added cluster {cluster.name} (id {cluster.pk}):")
            for node in cluster.nodes.all():
                self.stdout.write(f"  {node.name} {node.address} {node.host_key_fingerprint}")
            return
        raise CommandError("host keys are still unconfirmed")

    def _confirm(self, exc: HostKeysUnconfirmed) -> dict[str, str]:
        pending = [s for s in exc.host_keys if s.key is not None and not s.trusted]
        for seen in pending:
            self.stdout.write(
                f"{seen.node or seen.address} {seen.address}:{seen.port} "
                f"{seen.key.algorithm if seen.key else ''} "
                f"{seen.key.fingerprint if seen.key else ''}"
            )
        if not sys.stdin.isatty():
            raise CommandError(
                "these host keys are not trusted yet; pass --trust ADDRESS=FINGERPRINT or "
                "--known-hosts FILE (nothing was saved)"
            )
        answer = input("Trust these host keys? Type 'yes' to continue: ")
        if answer.strip() != "yes":
            raise CommandError("not confirmed; nothing was saved")
        return {s.address: s.key.fingerprint for s in pending if s.key is not None}


def _trust_pairs(values: list[str]) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for value in values:
        address, sep, fingerprint = value.partition("=")
        if not sep:
            raise HostKeyInputError(f"--trust takes ADDRESS=FINGERPRINT, got {value!r}")
        pairs[check_address(address)] = fingerprint
    return pairs
