"""No network: a context manager that makes every attempt to reach another machine fail loudly.

A test that says "this works offline" must cut the network and show that it still works; checking that some
flag is set proves only that the flag is set. Connections over IPv4 and IPv6 and name lookups raise
``NetworkBlocked``; Unix sockets (used by some libraries inside one machine) still work.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock


class NetworkBlocked(OSError):
    """Something tried to reach the network while it was cut."""


def _refuse(*args: Any, **kwargs: Any) -> Any:
    raise NetworkBlocked(f"network access attempted while it was cut: {args[1:] or args}")


@contextmanager
def network_cut(attempts: list[str] | None = None) -> Iterator[list[str]]:
    """Cut the network inside the block; yield the list where each attempt is also recorded (and raised)."""
    seen = attempts if attempts is not None else []
    real_connect = socket.socket.connect

    def connect(self: socket.socket, address: Any) -> None:
        if self.family in (socket.AF_INET, socket.AF_INET6):
            seen.append(f"connect {address}")
            _refuse(self, address)
        real_connect(self, address)

    def lookup(host: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(f"lookup {host}")
        return _refuse(None, host)

    with (
        mock.patch.object(socket.socket, "connect", connect),
        mock.patch.object(socket.socket, "connect_ex", lambda self, address: connect(self, address) or 0),
        mock.patch.object(socket, "getaddrinfo", lookup),
        mock.patch.object(socket, "create_connection", lambda address, *a, **k: lookup(address)),
    ):
        yield seen


def free_port() -> int:
    """Return a TCP port on loopback that nothing listens on now (for a process a test starts)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
