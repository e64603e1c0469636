"""Downloads that leave the console (a `pcs config backup`, a `crm_report`) with every
secret masked: each text member of the .tar.bz2 goes through the redactor, and so does
each text file compressed inside it (crm_report's pe-input-N.bz2)."""

from __future__ import annotations

import bz2
import io
import tarfile

from hacore.secrets import Redactor

MAX_MEMBER = 64 * 1024 * 1024  # larger members are copied as they are (no CIB is that big)


def redact_tarball(data: bytes, redactor: Redactor) -> bytes:
    """A .tar.bz2 with the secrets of its text members masked (others copied)."""
    out = io.BytesIO()
    with (
        tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as source,
        tarfile.open(fileobj=out, mode="w:bz2") as dest,
    ):
        for member in source.getmembers():
            if not member.isfile():
                dest.addfile(member)
                continue
            handle = source.extractfile(member)
            content = handle.read() if handle is not None else b""
            content = redact_bytes(member.name, content, redactor)
            member.size = len(content)
            dest.addfile(member, io.BytesIO(content))
    return out.getvalue()


def redact_bytes(name: str, content: bytes, redactor: Redactor) -> bytes:
    """One file's content with secrets masked, if it is text (or bzip2'd text)."""
    if len(content) > MAX_MEMBER:
        return content
    if name.endswith(".bz2"):
        try:
            inner = bz2.decompress(content)
        except (OSError, ValueError):
            return content
        return bz2.compress(_redact_text(inner, redactor))
    return _redact_text(content, redactor)


def _redact_text(content: bytes, redactor: Redactor) -> bytes:
    try:
        text = content.decode()
    except UnicodeDecodeError:
        return content
    masked = redactor.text(text)
    return content if masked == text else masked.encode()
