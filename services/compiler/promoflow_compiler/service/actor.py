"""Who is acting (an authenticated API caller or a background process)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    """API roles: admin (everything, tokens), manager (read/write), analyst (read-only),
    store_edge (read-only, sync endpoints only)."""

    ADMIN = "admin"
    MANAGER = "manager"
    ANALYST = "analyst"
    STORE_EDGE = "store_edge"


@dataclass(frozen=True, slots=True)
class Actor:
    """The caller: a name for the audit log, a role, and for a store token its store."""

    name: str
    role: str
    token_id: uuid.UUID | None = None
    store_id: uuid.UUID | None = None


#: The actor of background work (scheduler, limits consumer, master-data republishing).
SYSTEM = Actor(name="system", role="system")
