"""Officers' second-factor secrets are sealed at rest with ``CA_SECOND_FACTOR_KEY`` (Fernet: AES and an HMAC).

A TOTP secret has to be read back to check a code, so unlike a password or a recovery code it cannot be
stored as a hash. Sealed, a copy of the database (a backup, a stolen disk, a careless export) holds nothing
that makes sign-in codes; that needs the key as well, which only the API's environment holds. This is the
approach Rasa's tracker store takes with ``CA_TRACKER_SEAL_KEY`` (``bot/privacy/sealing.py``), with a key of
its own: a key for officers' sign-in should not also open residents' conversations.

Several keys, comma-separated, rotate a key without locking anyone out: the first seals, every one opens,
and ``python -m api.officers reseal-second-factors`` seals every secret again with the first.
"""

from __future__ import annotations

import logging
import os

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

log = logging.getLogger(__name__)

KEY_VARIABLE = "CA_SECOND_FACTOR_KEY"
# The published development key (32 bytes of "dev-second-factor-key-change-me!"): production refuses it.
DEV_SECOND_FACTOR_KEY = "ZGV2LXNlY29uZC1mYWN0b3Ita2V5LWNoYW5nZS1tZSE="


def key_problem(keys: str) -> str | None:
    """Say what is wrong with a ``CA_SECOND_FACTOR_KEY`` value, or None when every key in it is usable."""
    parts = [part.strip() for part in keys.split(",") if part.strip()]
    if not parts:
        return f"{KEY_VARIABLE} is empty"
    for position, part in enumerate(parts, start=1):
        try:
            Fernet(part)
        except ValueError:
            return (
                f"{KEY_VARIABLE} key {position} is not a Fernet key (32 random bytes, url-safe base64: "
                'python -c "import base64, secrets; print(base64.urlsafe_b64encode(secrets.token_bytes(32))'
                '.decode())")'
            )
    return None


class SecretSeal:
    """Seal and open second-factor secrets with the keys in ``CA_SECOND_FACTOR_KEY``."""

    def __init__(self, keys: str) -> None:
        problem = key_problem(keys)
        if problem:
            raise ValueError(problem)
        self._fernet = MultiFernet([Fernet(part.strip()) for part in keys.split(",") if part.strip()])

    @classmethod
    def from_environment(cls) -> SecretSeal:
        """Use ``CA_SECOND_FACTOR_KEY``; without it, the development key, but only in development and tests.

        For code that runs without the API's settings (the database migration in its own container).
        """
        keys = os.environ.get(KEY_VARIABLE, "")
        if not keys:
            if os.environ.get("CA_ENVIRONMENT") not in ("development", "test"):
                raise RuntimeError(f"set {KEY_VARIABLE} (the API's key) to seal officers' second-factor secrets")
            keys = DEV_SECOND_FACTOR_KEY
        return cls(keys)

    def seal(self, secret: str) -> str:
        """Return ``secret`` sealed with the first key."""
        return self._fernet.encrypt(secret.encode()).decode()

    def open(self, sealed: str | None) -> str | None:
        """Return the secret, or None when there is none or no key opens it (the officer's codes then fail)."""
        if sealed is None:
            return None
        try:
            return self._fernet.decrypt(sealed.encode()).decode()
        except InvalidToken:
            log.error("a second-factor secret cannot be opened with %s: a supervisor must reset it", KEY_VARIABLE)
            return None

    def reseal(self, sealed: str) -> str:
        """Return the sealed secret sealed again with the first key (after a new key was put first)."""
        return self._fernet.rotate(sealed.encode()).decode()
