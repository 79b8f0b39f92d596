"""HTTP errors and their OpenAPI descriptions that several back-office routers share."""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException, status
from pydantic import BaseModel

Responses = dict[int | str, dict[str, Any]]

NOT_VERIFIED = HTTPException(status.HTTP_403_FORBIDDEN, "not verified")
KEY_REUSED = HTTPException(status.HTTP_409_CONFLICT, "This idempotency key was already used for a different request.")
# What every back-office route answers a caller without the right service token.
SERVICE_TOKEN_REFUSALS: Responses = {401: {"description": "No valid service token"},
                                     403: {"description": "The token is another service's (each reaches only its own)"}}
CONFLICT: Responses = {409: {"description": "The idempotency key was used for a different request"}}


class Refusal(BaseModel):
    """A refused request: one sentence, or (for a body or parameters of the wrong shape) FastAPI's list of errors."""

    detail: str | list[dict[str, Any]]


# Every operation that takes input may answer 422 in either form: the shape was wrong (a list of errors), or
# a rule the schema cannot state was broken (a sentence, e.g. "That doesn't look like a full UK postcode").
UNPROCESSABLE: Responses = {422: {"model": Refusal, "description": "The request is not one the API can act on"}}
