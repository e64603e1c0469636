"""The console's HTTPS certificate: a self-signed one is made on first start if none is given."""

from __future__ import annotations

import datetime
import ipaddress
import os
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def _san(host: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(host))
    except ValueError:
        return x509.DNSName(host)


def ensure_certificate(cert: Path, key: Path, hosts: list[str]) -> bool:
    """Write a self-signed certificate for hosts unless cert and key exist; True if made."""
    if cert.exists() and key.exists():
        return False
    cert.parent.mkdir(parents=True, exist_ok=True)
    private = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "haconsole")])
    now = datetime.datetime.now(datetime.UTC)
    wildcard = {"*", "0.0.0.0", "::"}  # noqa: S104 - names to leave out of the certificate
    names = sorted({h for h in [*hosts, "localhost", "127.0.0.1"] if h and h not in wildcard})
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(private.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=825))
        .add_extension(x509.SubjectAlternativeName([_san(h) for h in names]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(private, hashes.SHA256())
    )
    fd = os.open(key, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(
            private.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
    cert.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return True


def fingerprint(cert: Path) -> str:
    """SHA-256 fingerprint of the certificate, colon-separated, as browsers show it."""
    loaded = x509.load_pem_x509_certificate(cert.read_bytes())
    return ":".join(f"{b:02X}" for b in loaded.fingerprint(hashes.SHA256()))
