"""Preview: evaluate a cart with promotions using the store engine (nothing is saved).

Roles: admin, manager, analyst (read-only operation).
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from promoflow_compiler.entrypoints.deps import ContainerDep, Reader
from promoflow_compiler.schemas.preview import PreviewIn, PreviewManyIn, PreviewOut

router = APIRouter(prefix="/api/v1/promotions", tags=["preview"])


@router.post("/preview")
def preview_many(body: PreviewManyIn, actor: Reader, c: ContainerDep) -> PreviewOut:
    """Evaluate one cart with several promotions (as compiled from their current specs)."""
    return c.preview.preview(
        body.promotion_ids, body.cart, include_published=body.include_published
    )


@router.post("/{promotion_id}/preview")
def preview_one(
    promotion_id: uuid.UUID, body: PreviewIn, actor: Reader, c: ContainerDep
) -> PreviewOut:
    """Evaluate a cart with one promotion (drafts too); the engine's full result."""
    return c.preview.preview([promotion_id], body.cart, include_published=body.include_published)
