"""Per-conversation grants: proof that a back-office call acts for a conversation, now.

A service token says which service is calling; it does not say the call is about the resident who is
writing. So with every message the hub hands Rasa a grant (in the message's metadata): the conversation
id and an expiry a couple of minutes ahead, signed with the API's secret key. Rasa passes the tracker,
metadata included, to the action server, which sends the grant back in the ``X-Conversation-Grant``
header; the back office serves a call about a conversation's record only with a live grant for that
conversation. Anyone who can reach the action server or Rasa, but not the hub, can mint no grant, so
knowing a verified conversation's id is no longer enough to read its record.

A grant is ``<expires, unix seconds>.<HMAC-SHA256, base64url>``; the conversation id is not in it (the
call names it, and the signature binds the two).
"""

from __future__ import annotations

import base64
import hashlib
import hmac

GRANT_HEADER = "X-Conversation-Grant"
# Keeps these signatures apart from anything else the same secret key signs.
PURPOSE = b"council-assistant conversation grant v1"


def issue_grant(secret_key: str, *, conversation_id: str, now: float, lifetime_seconds: int) -> str:
    """Return a grant for ``conversation_id`` that expires ``lifetime_seconds`` after ``now``."""
    expires = int(now) + lifetime_seconds
    return f"{expires}.{_signature(secret_key, conversation_id, expires)}"


def grant_is_valid(secret_key: str, grant: str, *, conversation_id: str, now: float) -> bool:
    """Whether ``grant`` was issued for ``conversation_id`` by the holder of ``secret_key`` and is still live."""
    expires_text, dot, signature = grant.partition(".")
    if not dot or not expires_text.isdigit() or int(expires_text) < now:
        return False
    expected = _signature(secret_key, conversation_id, int(expires_text))
    return hmac.compare_digest(signature.encode(), expected.encode())


def _signature(secret_key: str, conversation_id: str, expires: int) -> str:
    message = b"\n".join((PURPOSE, conversation_id.encode(), str(expires).encode()))
    digest = hmac.new(secret_key.encode(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
