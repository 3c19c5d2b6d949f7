"""API tokens (admin only): ``/api/v1/tokens``."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from promoflow_compiler.entrypoints.deps import Admin, ContainerDep
from promoflow_compiler.schemas.tokens import TokenCreate, TokenCreated, TokenOut

router = APIRouter(prefix="/api/v1/tokens", tags=["tokens"])


@router.post("", status_code=status.HTTP_201_CREATED)
def mint_token(body: TokenCreate, actor: Admin, c: ContainerDep) -> TokenCreated:
    """Mint a token for a manager, analyst or store edge; the secret is shown once."""
    return c.tokens.mint(body, actor)


@router.get("")
def list_tokens(actor: Admin, c: ContainerDep) -> list[TokenOut]:
    """Every token (without secrets)."""
    return c.tokens.all()


@router.delete("/{token_id}")
def revoke_token(token_id: uuid.UUID, actor: Admin, c: ContainerDep) -> TokenOut:
    """Revoke a token."""
    return c.tokens.revoke(token_id, actor)
