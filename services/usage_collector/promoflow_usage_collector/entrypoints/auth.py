"""Bearer-token check of the read-only API (token from ``PROMOFLOW_ANALYTICS_TOKEN``).

A request is let in when ``Authorization: Bearer <token>`` or the dashboard cookie
:data:`COOKIE` carries the token (compared in constant time); otherwise 401.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Header, HTTPException, Request, status

COOKIE = "promoflow_analytics_token"


def token_matches(request: Request, presented: str | None) -> bool:
    """True when ``presented`` equals the app's token."""
    expected: str = request.app.state.token
    return presented is not None and hmac.compare_digest(presented.encode(), expected.encode())


def presented_token(request: Request, authorization: str | None) -> str | None:
    """The token of the ``Authorization`` header, else of the dashboard cookie."""
    if authorization:
        scheme, _, value = authorization.partition(" ")
        return value.strip() if scheme.lower() == "bearer" else None
    return request.cookies.get(COOKIE)


def require_reader(request: Request, authorization: Annotated[str | None, Header()] = None) -> None:
    """FastAPI dependency: 401 unless the request carries the analytics token."""
    if not token_matches(request, presented_token(request, authorization)):
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail="a valid analytics bearer token is required",
            headers={"WWW-Authenticate": "Bearer"},
        )
