"""FastAPI dependencies: the wired container and POS terminal authentication."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request, status

from promoflow_evaluator.bootstrap import Container

TERMINAL_KEY_HEADER = "X-Terminal-Key"


async def container(request: Request) -> Container:
    """The process's container (set by the app factory). ``async`` so FastAPI resolves it
    inline instead of in its thread pool (a thread hop per dependency per request)."""
    built: Container = request.app.state.container
    return built


ContainerDep = Annotated[Container, Depends(container)]


def key_is_valid(key: str | None, known_keys: list[str]) -> bool:
    """True when ``key`` is one of the store's terminal keys (constant-time comparison)."""
    if not key:
        return False
    given = key.encode()
    return any(hmac.compare_digest(given, known.encode()) for known in known_keys)


UNAUTHORIZED = f"missing or invalid {TERMINAL_KEY_HEADER} header"


async def terminal(
    built: ContainerDep,
    key: Annotated[str | None, Header(alias=TERMINAL_KEY_HEADER)] = None,
) -> str:
    """Require a valid per-store terminal key; 401 otherwise. Returns the key."""
    if key is not None and key_is_valid(key, built.settings.terminal_keys):
        return key
    raise HTTPException(
        status_code=status.HTTP_401_UNAUTHORIZED,
        detail=UNAUTHORIZED,
        headers={"WWW-Authenticate": TERMINAL_KEY_HEADER},
    )


TerminalDep = Annotated[str, Depends(terminal)]
