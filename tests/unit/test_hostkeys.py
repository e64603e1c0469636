"""Host keys: fingerprints as OpenSSH prints them, known_hosts parsing, pin and mismatch."""

import re
import subprocess
from pathlib import Path

import asyncssh
import pytest

from clusters.discovery import check_trust
from hacore.runner import HostKey, HostKeyMismatch
from nodes.hostkeys import (
    HostKeyInputError,
    check_fingerprint,
    parse_known_hosts,
    trusted_fingerprints,
)


def make_key(tmp_path: Path, name: str = "k") -> tuple[HostKey, Path]:
    private = asyncssh.generate_private_key("ssh-ed25519")
    pub = tmp_path / f"{name}.pub"
    pub.write_bytes(private.export_public_key("openssh"))
    return HostKey.parse(pub.read_text()), pub


def test_fingerprint_is_what_ssh_keygen_prints(tmp_path: Path) -> None:
    key, pub = make_key(tmp_path)
    printed = subprocess.run(
        ["ssh-keygen", "-lf", str(pub)], capture_output=True, text=True, check=True
    ).stdout.split()[1]
    assert key.fingerprint == printed
    assert check_fingerprint(printed) == printed


def test_parse_rejects_garbage() -> None:
    with pytest.raises(ValueError, match="ALGORITHM BASE64"):
        HostKey.parse("ssh-ed25519")
    with pytest.raises(ValueError, match="not a valid SSH public key"):
        HostKey.parse("ssh-ed25519 AAAAnotbase64!!")
    text = asyncssh.generate_private_key("ssh-ed25519").export_public_key().decode()
    assert HostKey.parse(text).fingerprint.startswith("SHA256:"), "the positive control"


@pytest.mark.parametrize("bad", ["", "SHA256:short", "MD5:aa:bb", "SHA256:" + "a" * 44, "x; id"])
def test_bad_fingerprints_refused(bad: str) -> None:
    with pytest.raises(
        HostKeyInputError,
        match=rf"^{re.escape(repr(bad))} is not an SSH fingerprint like 'SHA256:' followed by 43",
    ):
        check_fingerprint(bad)
    good = "SHA256:" + "a" * 43
    assert check_fingerprint(good) == good


def test_known_hosts_lines(tmp_path: Path) -> None:
    one, _ = make_key(tmp_path, "one")
    two, _ = make_key(tmp_path, "two")
    text = f"# lab\n10.0.0.1,node1 {one.openssh}\n\n[10.0.0.2]:2222 {two.openssh} comment\n"
    keys = parse_known_hosts(text)
    assert keys == {"10.0.0.1": one, "node1": one, "[10.0.0.2]:2222": two}


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("|1|abc|def ssh-ed25519 AAAA", r"^known_hosts line 1: hashed host names unsupported$"),
        ("@cert-authority * ssh-ed25519 AAAA", r"^known_hosts line 1: markers are not supported$"),
        ("host-only", r"^known_hosts line 1: expected HOST ALGORITHM KEY$"),
    ],
)
def test_known_hosts_refusals(line: str, message: str) -> None:
    with pytest.raises(HostKeyInputError, match=message):
        parse_known_hosts(line)


def test_same_address_two_keys_is_an_error(tmp_path: Path) -> None:
    one, _ = make_key(tmp_path, "one")
    two, _ = make_key(tmp_path, "two")
    with pytest.raises(HostKeyInputError, match=r"^10\.0\.0\.1 is given two different host keys$"):
        trusted_fingerprints({"10.0.0.1": one.fingerprint}, f"10.0.0.1 {two.openssh}")
    merged = trusted_fingerprints({"10.0.0.1": one.fingerprint}, f"10.0.0.2 {two.openssh}")
    assert merged == {"10.0.0.1": one.fingerprint, "10.0.0.2": two.fingerprint}


def test_pin_logic(tmp_path: Path) -> None:
    key, _ = make_key(tmp_path, "node")
    other, _ = make_key(tmp_path, "other")
    unknown = check_trust("node1", "10.0.0.1", 22, key, {})
    assert unknown.trusted is False
    assert unknown.key == key
    trusted = check_trust("node1", "10.0.0.1", 22, key, {"10.0.0.1": key.fingerprint})
    assert trusted.trusted is True
    with pytest.raises(
        HostKeyMismatch,
        match=rf"^10\.0\.0\.1:22: host key changed: pinned {re.escape(other.fingerprint)}, "
        rf"node presented {re.escape(key.fingerprint)}; refusing",
    ) as caught:
        check_trust("node1", "10.0.0.1", 22, key, {"10.0.0.1": other.fingerprint})
    assert caught.value.expected == other.fingerprint
    assert caught.value.actual == key.fingerprint
    assert "refusing" in str(caught.value)
    port_pattern = {"[10.0.0.1]:2222": key.fingerprint}
    assert check_trust(None, "10.0.0.1", 2222, key, port_pattern).trusted is True
