"""Domain errors and the HTTP answer each carries, in one place; the OpenAPI descriptions routers share.

A rule that refuses a request raises a ``DomainError`` subclass declared beside the rule, with its status and
the sentence to answer with. Routers do not catch them: ``install_domain_errors`` answers every one the same
way (``{"detail": ...}``, as FastAPI's own HTTP errors), so a route is one call into its service and a new
refusal is declared once. The request's session still rolls back, since the error passes through it first.
"""

from __future__ import annotations

from typing import Any, ClassVar

from fastapi import FastAPI, Request, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel

Responses = dict[int | str, dict[str, Any]]


class DomainError(Exception):
    """A refusal by a rule of the service, carrying the HTTP status and the sentence the caller is given."""

    status_code: ClassVar[int] = status.HTTP_400_BAD_REQUEST
    detail: ClassVar[str] = "The request cannot be done."


def install_domain_errors(app: FastAPI) -> None:
    """Answer every ``DomainError`` a route raises with its own status and sentence."""

    async def answer(request: Request, error: Exception) -> JSONResponse:
        refusal = error if isinstance(error, DomainError) else DomainError()
        return JSONResponse({"detail": refusal.detail}, status_code=refusal.status_code)

    app.add_exception_handler(DomainError, answer)


# What every back-office route answers a caller without the right service token.
SERVICE_TOKEN_REFUSALS: Responses = {
    401: {"description": "No valid service token"},
    403: {"description": "The token is another service's (each reaches only its own)"},
}
CONFLICT: Responses = {409: {"description": "The idempotency key was used for a different request"}}


def replayed(model: type) -> Responses:
    """Document a recording route's 200: its idempotency key sent again returns what was already recorded."""
    return {200: {"description": "The same idempotency key again: the request already recorded", "model": model}}


class Refusal(BaseModel):
    """A refused request: one sentence, or (for a body or parameters of the wrong shape) FastAPI's list of errors."""

    detail: str | list[dict[str, Any]]


# Every operation that takes input may answer 422 in either form: the shape was wrong (a list of errors), or
# a rule the schema cannot state was broken (a sentence, e.g. "That doesn't look like a full UK postcode").
UNPROCESSABLE: Responses = {422: {"model": Refusal, "description": "The request is not one the API can act on"}}
