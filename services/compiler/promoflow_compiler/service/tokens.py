"""API tokens: the bootstrap admin token from settings, minted tokens in the database."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from promoflow_compiler.adapters.audit import audit
from promoflow_compiler.adapters.orm import ApiTokenRow, StoreRow
from promoflow_compiler.adapters.tokens import new_token, same_secret, token_hash
from promoflow_compiler.exceptions import InvalidInput, NotFound
from promoflow_compiler.schemas.tokens import TokenCreate, TokenCreated, TokenOut
from promoflow_compiler.service.actor import Actor, Role
from promoflow_compiler.service.context import ServiceContext

BOOTSTRAP_ADMIN = "bootstrap-admin"


class TokenService:
    """Authenticate bearer tokens; mint, list and revoke tokens (admin only)."""

    def __init__(self, ctx: ServiceContext, admin_token: str) -> None:
        self.ctx = ctx
        self._admin_token = admin_token

    def authenticate(self, token: str) -> Actor | None:
        """The actor of ``token``, or None when it is unknown or revoked."""
        if not token:
            return None
        if same_secret(token, self._admin_token):
            return Actor(name=BOOTSTRAP_ADMIN, role=Role.ADMIN)
        with self.ctx.sessions() as session:
            row = session.scalars(
                select(ApiTokenRow).where(
                    ApiTokenRow.token_hash == token_hash(token), ApiTokenRow.revoked_at.is_(None)
                )
            ).one_or_none()
        if row is None:
            return None
        return Actor(
            name=f"token:{row.name}", role=row.role, token_id=row.id, store_id=row.store_id
        )

    def mint(self, body: TokenCreate, actor: Actor) -> TokenCreated:
        """A new token; its secret is returned once and stored hashed."""
        secret = new_token()
        with self.ctx.sessions.begin() as session:
            if body.store_id is not None and session.get(StoreRow, body.store_id) is None:
                raise InvalidInput.single("store_id", "unknown_reference", "no such store")
            row = ApiTokenRow(
                id=uuid.uuid4(),
                name=body.name,
                role=body.role,
                token_hash=token_hash(secret),
                store_id=body.store_id,
                created_by=actor.name,
            )
            session.add(row)
            session.flush()
            audit(
                session,
                actor,
                "create",
                "api_token",
                row.id,
                {"name": [None, row.name], "role": [None, row.role]},
            )
            return TokenCreated(**TokenOut.model_validate(row).model_dump(), token=secret)

    def all(self) -> list[TokenOut]:
        """Every token, newest first."""
        with self.ctx.sessions() as session:
            rows = session.scalars(select(ApiTokenRow).order_by(ApiTokenRow.created_at.desc()))
            return [TokenOut.model_validate(r) for r in rows]

    def revoke(self, token_id: uuid.UUID, actor: Actor) -> TokenOut:
        """Revoke a token (idempotent)."""
        with self.ctx.sessions.begin() as session:
            row = session.get(ApiTokenRow, token_id)
            if row is None:
                raise NotFound("token", token_id)
            if row.revoked_at is None:
                row.revoked_at = self.ctx.clock()
                audit(session, actor, "revoke", "api_token", row.id, {})
            return TokenOut.model_validate(row)
