"""Preview: run the store engine (``promoflow_evaluator.engine``, the pure library the
evaluator service uses) on a cart with promotions compiled from their current specs.

The context is the cart's store: its IANA time zone, country (national holidays), currency,
company and, for a single-brand store, its brand. No usage is counted (allowances are
unlimited); the promotion's recorded limit state is included, as stores would see it.
Nothing is saved. Engine refusals (another currency, amounts finer than the currency's minor
unit) are a 422 naming the cart field.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from promoflow_compiler.adapters.orm import PromotionPublicationRow, PromotionRow
from promoflow_compiler.adapters.repository import (
    get_promotion,
    load_master,
    products_of_specs,
    spec_of,
)
from promoflow_compiler.domain.exceptions import CompileError
from promoflow_compiler.exceptions import InvalidInput
from promoflow_compiler.schemas.preview import PreviewOut
from promoflow_compiler.service.context import ServiceContext
from promoflow_compiler.service.publication import compile_row
from promoflow_contracts.cart import EvaluateRequest
from promoflow_contracts.promotion import CompiledPromotion

#: Engine errors -> the cart field a 422 names (others name ``cart``).
_ENGINE_FIELDS = {"CurrencyMismatch": "cart.currency", "AmountPrecisionError": "cart.lines"}


class PreviewService:
    """Evaluate a cart against promotions without publishing anything."""

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    def _compile(self, session: Session, rows: Sequence[PromotionRow]) -> list[CompiledPromotion]:
        documents: list[CompiledPromotion] = []
        for company_id in sorted({r.company_id for r in rows}, key=str):
            mine = [r for r in rows if r.company_id == company_id]
            master = load_master(session, company_id, products_of_specs(spec_of(r) for r in mine))
            for row in mine:
                try:
                    documents.append(
                        compile_row(row, master, max(row.current_version, 1), self.ctx.clock())
                    )
                except CompileError as exc:
                    raise InvalidInput.single(
                        "promotion_ids", "compile_error", f"{row.code}: {exc}"
                    ) from exc
        return documents

    def _published(
        self, session: Session, store_id: uuid.UUID, company_id: uuid.UUID, skip: set[uuid.UUID]
    ) -> list[CompiledPromotion]:
        rows = session.scalars(
            select(PromotionPublicationRow).where(
                PromotionPublicationRow.company_id == company_id,
                PromotionPublicationRow.status == "published",
            )
        ).all()
        return [
            CompiledPromotion.model_validate(r.document)
            for r in rows
            if r.document is not None
            and r.promotion_id not in skip
            and (r.all_stores or store_id in r.store_ids)
        ]

    def preview(
        self, promotion_ids: Sequence[uuid.UUID], cart: EvaluateRequest, *, include_published: bool
    ) -> PreviewOut:
        """Evaluate ``cart`` with the promotions (compiled now) and optionally the store's
        published ones. Raises ``NotFound`` for an unknown promotion, ``InvalidInput``."""
        with self.ctx.sessions() as session:
            rows = [get_promotion(session, pid) for pid in dict.fromkeys(promotion_ids)]
            try:
                master = load_master(session, rows[0].company_id)
            except Exception as exc:  # pragma: no cover - the row's company exists
                raise InvalidInput.single("cart.store_id", "unknown_reference", str(exc)) from exc
            store = master.stores.get(cart.store_id)
            if store is None:
                raise InvalidInput.single(
                    "cart.store_id",
                    "unknown_reference",
                    f"no store {cart.store_id} in this company",
                )
            documents = self._compile(session, rows)
            if include_published:
                documents += self._published(
                    session, store.id, store.company_id, {r.id for r in rows}
                )
        # imported here: the engine is only needed by the API process, not by the relay etc.
        from promoflow_evaluator.engine import EngineContext, EngineError, PromotionIndex, evaluate

        brand = next(iter(store.brand_ids)) if len(store.brand_ids) == 1 else None
        context = EngineContext(
            store_id=store.id,
            company_id=store.company_id,
            brand_id=brand,
            timezone=store.timezone,
            country_code=store.country_code,
            currency=store.currency,
            now=self.ctx.clock(),
        )
        try:
            result = evaluate(cart, PromotionIndex.build(documents), context)
        except EngineError as exc:
            field = _ENGINE_FIELDS.get(type(exc).__name__, "cart")
            raise InvalidInput.single(field, "engine", str(exc)) from exc
        return PreviewOut(result=result, promotions=documents)
