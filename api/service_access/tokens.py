"""Per-service tokens: each token belongs to one internal service, and a service reaches only its own endpoints.

The action server and the Telegram bridge used to share one token, so a leaked bridge token could read
residents' records. Now each token is written ``service:token`` (or as a JSON object ``{"service": "token"}``)
and the back office checks the service as well as the token. A service may have several tokens at once,
so a token can be rotated without downtime.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

# The services that call the back office, and what each may reach: "actions" the records the bot's
# actions need (electoral, council tax, service requests, handoffs); "telegram" the bridge's endpoints.
SERVICES = ("actions", "telegram")


class InvalidServiceTokens(ValueError):
    """CA_SERVICE_TOKENS is not in a form this module reads."""


@dataclass(frozen=True)
class ServiceToken:
    """One token the back office accepts, and the service it belongs to."""

    service: str
    token: str = field(repr=False)


def parse_service_tokens(value: Any) -> list[ServiceToken]:
    """Read CA_SERVICE_TOKENS: ``actions:TOKEN,telegram:TOKEN``, a JSON list of such items, or a JSON object.

    A JSON object maps a service to a token or a list of tokens: ``{"actions": "…", "telegram": ["…", "…"]}``.
    """
    if isinstance(value, str):
        text = value.strip()
        value = json.loads(text) if text[:1] in ("[", "{") else [item for item in text.split(",") if item.strip()]
    if isinstance(value, dict):
        pairs = [
            (service, token)
            for service, tokens in value.items()
            for token in (tokens if isinstance(tokens, list) else [tokens])
        ]
    elif isinstance(value, list | tuple):
        pairs = [_split(item) for item in value]
    else:
        raise InvalidServiceTokens(
            "CA_SERVICE_TOKENS must be a comma list like actions:TOKEN,telegram:TOKEN "
            'or a JSON object like {"actions": "TOKEN"}'
        )
    return [_checked(str(service).strip(), str(token).strip()) for service, token in pairs]


def _split(item: Any) -> tuple[str, str]:
    if isinstance(item, ServiceToken):
        return item.service, item.token
    service, colon, token = str(item).strip().partition(":")
    if not colon:
        raise InvalidServiceTokens(
            f"each item of CA_SERVICE_TOKENS names its service, as in actions:TOKEN (services: {', '.join(SERVICES)})"
        )
    return service, token


def _checked(service: str, token: str) -> ServiceToken:
    if service not in SERVICES:
        raise InvalidServiceTokens(
            f"CA_SERVICE_TOKENS names an unknown service {service!r}; the services are {', '.join(SERVICES)}"
        )
    if not token:
        raise InvalidServiceTokens(f"CA_SERVICE_TOKENS gives the {service} service an empty token")
    return ServiceToken(service=service, token=token)
