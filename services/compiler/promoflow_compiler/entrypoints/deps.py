"""FastAPI dependencies: the wired container and the authenticated, authorised caller.

Auth: ``Authorization: Bearer <token>``. A missing, malformed, unknown or revoked token is a
401 (with ``WWW-Authenticate: Bearer``); a role that may not call the endpoint is a 403.
Roles: ``admin`` everything (and tokens); ``manager`` read/write; ``analyst`` read-only;
``store_edge`` the sync endpoints only (a token pinned to a store sees only that store).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from promoflow_compiler.service.actor import Actor, Role

if TYPE_CHECKING:
    from promoflow_compiler.bootstrap import Container


def get_container(request: Request) -> Container:
    """The container the app was built with."""
    container: Container = request.app.state.container
    return container


ContainerDep = Annotated["Container", Depends(get_container)]

_bearer = HTTPBearer(auto_error=False, description="An API token: `Authorization: Bearer <token>`")
_UNAUTHORIZED = {"WWW-Authenticate": "Bearer"}


def current_actor(
    container: ContainerDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Actor:
    """The caller of a request; 401 without a valid token."""
    if credentials is None or not credentials.credentials:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "missing bearer token", _UNAUTHORIZED)
    actor = container.tokens.authenticate(credentials.credentials)
    if actor is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "invalid or revoked token", _UNAUTHORIZED)
    return actor


def require(*roles: Role) -> Callable[[Actor], Actor]:
    """A dependency that lets only ``roles`` through (403 otherwise)."""
    allowed = {r.value for r in roles}

    def check(actor: Annotated[Actor, Depends(current_actor)]) -> Actor:
        if actor.role not in allowed:
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                f"role {actor.role!r} may not do this (needs {', '.join(sorted(allowed))})",
            )
        return actor

    return check


Reader = Annotated[Actor, Depends(require(Role.ADMIN, Role.MANAGER, Role.ANALYST))]
Writer = Annotated[Actor, Depends(require(Role.ADMIN, Role.MANAGER))]
Admin = Annotated[Actor, Depends(require(Role.ADMIN))]
SyncReader = Annotated[
    Actor, Depends(require(Role.ADMIN, Role.MANAGER, Role.ANALYST, Role.STORE_EDGE))
]
