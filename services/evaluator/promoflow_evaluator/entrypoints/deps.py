"""FastAPI dependencies: the wired container and POS terminal authentication."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request, status

from promoflow_evaluator.bootstrap import Container

TERMINAL_KEY_HEADER = "X-Terminal-Key"


def container(request: Request) -> Container:
    """The process's container (set by the app factory)."""
    built: Container = request.app.state.container
    return built


ContainerDep = Annotated[Container, Depends(container)]


def terminal(
    built: ContainerDep,
    key: Annotated[str | None, Header(alias=TERMINAL_KEY_HEADER)] = None,
) -> str:
    """Require a valid per-store terminal key; 401 otherwise. Returns the key."""
    if key:
        for known in built.settings.terminal_keys:
            if hmac.compare_digest(key.encode(), known.encode()):
                return key
    raise HTTPException(
        status_code=status.HTTP_401_UNAUTHORIZED,
        detail=f"missing or invalid {TERMINAL_KEY_HEADER} header",
        headers={"WWW-Authenticate": TERMINAL_KEY_HEADER},
    )


TerminalDep = Annotated[str, Depends(terminal)]
