"""Encryption at rest for secrets the console keeps (SSH private keys, fence-device
secrets inside stored changes): Fernet, with the key from settings."""

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


class SecretUnreadable(Exception):
    """A stored secret cannot be decrypted with the current key (key changed or lost)."""


def _fernet() -> Fernet:
    return Fernet(settings.FERNET_KEY.encode())


def encrypt(plaintext: str) -> str:
    """Encrypt text with the console's key; the token is safe to store in the database."""
    return _fernet().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    """Decrypt a token made by encrypt()."""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise SecretUnreadable(
            "stored secret cannot be decrypted: HACONSOLE_FERNET_KEY or DATA_DIR/fernet.key changed"
        ) from exc
