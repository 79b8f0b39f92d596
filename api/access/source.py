"""The pseudonymous source of a request: a keyed hash of the client's network address.

Limits and lockouts count by source, and the hub keeps a conversation's latest source so an identity
check (which reaches the back office from the action server, not from the resident) can be charged to
the place it came from. The raw address is never stored or logged: only an HMAC of it under the secret
key, cut to 32 hex digits. IPv6 clients are counted by their /64, the block one subscriber is given, so
stepping through addresses in it does not reset the count.

Behind a reverse proxy the client's address comes from ``X-Forwarded-For``, read only from the proxies named in
``CA_TRUSTED_PROXIES`` (api/access/proxies.py; none by default).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress

from fastapi import Request

UNKNOWN_ADDRESS = "unknown"


def network_of(address: str) -> str:
    """Return what counts as one source: the address itself for IPv4, its /64 for IPv6."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.IPv6Network((parsed, 64), strict=False))
    return str(parsed)


def source_of(address: str, secret_key: str) -> str:
    """Return the pseudonymous source for a client address."""
    digest = hmac.new(secret_key.encode(), f"source:{network_of(address)}".encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


def request_source(request: Request) -> str:
    """Return the pseudonymous source of ``request``."""
    address = request.client.host if request.client else UNKNOWN_ADDRESS
    return source_of(address, request.app.state.settings.secret_key)
