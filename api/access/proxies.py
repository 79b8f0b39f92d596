"""Read the client's address from ``X-Forwarded-For`` only when the request came through a proxy we run.

Anyone can write the header. uvicorn, by default, believes it from loopback, and `make run` serves on loopback with
no proxy in front: every caller there could name a new address per request and get a new rate-limit budget each
time. So the servers start with ``--no-proxy-headers`` and this middleware takes the header's word only from the
addresses in ``CA_TRUSTED_PROXIES`` (none by default; the compose file and the Kubernetes config map name theirs).
The client is the right-most address the proxies added that is not one of them: what a caller wrote further left
is theirs to invent.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from starlette.types import ASGIApp, Receive, Scope, Send

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(value: str | Iterable[str]) -> list[str]:
    """Return the addresses and networks of a comma list (or list), checked and written out ('10.0.0.0/8')."""
    items = value.split(",") if isinstance(value, str) else value
    return [str(ipaddress.ip_network(item.strip(), strict=False)) for item in items if item.strip()]


class TrustedProxies:
    """ASGI middleware: the client's address from X-Forwarded-For when the peer is a trusted proxy, else the peer."""

    def __init__(self, app: ASGIApp, *, trusted: Iterable[str]) -> None:
        self.app = app
        self.trusted: list[Network] = [ipaddress.ip_network(net, strict=False) for net in trusted]

    def _is_trusted(self, address: str) -> bool:
        try:
            parsed = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(parsed in network for network in self.trusted)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = scope.get("client")
        if scope["type"] in ("http", "websocket") and self.trusted and client and self._is_trusted(client[0]):
            forwarded = ",".join(
                value.decode("latin-1") for name, value in scope.get("headers", []) if name == b"x-forwarded-for"
            )
            hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
            untrusted = [hop for hop in hops if not self._is_trusted(hop)]
            if untrusted:
                address = untrusted[-1]
                try:
                    ipaddress.ip_address(address)
                except ValueError:
                    pass  # not an address: keep the proxy's own, so the header buys nothing
                else:
                    scope = dict(scope, client=(address, 0))
        await self.app(scope, receive, send)
