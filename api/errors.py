"""HTTP errors and their OpenAPI descriptions that several back-office routers share."""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException, status

Responses = dict[int | str, dict[str, Any]]

NOT_VERIFIED = HTTPException(status.HTTP_403_FORBIDDEN, "not verified")
KEY_REUSED = HTTPException(status.HTTP_409_CONFLICT, "This idempotency key was already used for a different request.")
CONFLICT: Responses = {409: {"description": "The idempotency key was used for a different request"}}
