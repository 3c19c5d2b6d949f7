"""The audit log: who changed what, when (one row per write, in the write's transaction)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from promoflow_compiler.adapters.orm import AuditLogRow
from promoflow_compiler.service.actor import Actor


def diff(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> dict[str, Any]:
    """``{field: [old, new]}`` for every top-level field whose JSON value differs."""
    old = dict(before or {})
    new = dict(after or {})
    return {
        key: [old.get(key), new.get(key)]
        for key in sorted(set(old) | set(new))
        if old.get(key) != new.get(key)
    }


def audit(
    session: Session,
    actor: Actor,
    action: str,
    entity_type: str,
    entity_id: object,
    changes: Mapping[str, Any] | None = None,
) -> None:
    """Record one write by ``actor`` (``changes`` must be JSON-ready)."""
    session.add(
        AuditLogRow(
            actor=actor.name,
            actor_role=actor.role,
            action=action,
            entity_type=entity_type,
            entity_id=str(entity_id),
            changes=dict(changes or {}),
        )
    )
