"""Evaluator use cases that read: evaluate a cart, list and show promotions, preview one.

Evaluate is read-only and deterministic: the snapshot of the store's promotions, the store's
usage allowances (cached per usage version), the clock. Limits are checked against what the
store knows; checkout (:mod:`promoflow_evaluator.checkout`) re-checks them exactly.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID
from zoneinfo import ZoneInfo

from promoflow_contracts.cart import EvaluateRequest
from promoflow_contracts.edge_store import utcnow
from promoflow_contracts.promotion import CompiledPromotion
from promoflow_contracts.results import EvaluationResult
from promoflow_evaluator.adapters.repository import EdgeRepository
from promoflow_evaluator.config import Settings
from promoflow_evaluator.domain.availability import available
from promoflow_evaluator.domain.describe import describe
from promoflow_evaluator.domain.limits import (
    Allowances,
    allowances,
)
from promoflow_evaluator.engine import (
    AmountPrecisionError,
    CurrencyMismatch,
    EngineContext,
    PromotionIndex,
    StoreMismatch,
    evaluate,
)
from promoflow_evaluator.engine.evaluate import evaluate_document
from promoflow_evaluator.exceptions import InvalidCart, NotReady, PromotionNotFound
from promoflow_evaluator.schemas import PromotionDetail, PromotionList, PromotionSummary
from promoflow_evaluator.snapshot import Catalog, SnapshotHolder

_R = TypeVar("_R")


@dataclass(frozen=True, slots=True)
class _CachedAllowances:
    key: tuple[int, int, object]
    value: Allowances


class EvaluatorService:
    """Evaluates carts of one store against the current snapshot."""

    def __init__(
        self,
        settings: Settings,
        repository: EdgeRepository,
        snapshots: SnapshotHolder,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.settings = settings
        self.repository = repository
        self.snapshots = snapshots
        self.clock = clock
        self.zone = ZoneInfo(settings.store_timezone)
        self._cached: _CachedAllowances | None = None
        self._descriptions: dict[tuple[UUID, int], str] = {}

    def catalog(self) -> Catalog:
        """The current catalog; raises :class:`NotReady` before the first load."""
        catalog = self.snapshots.catalog
        if catalog is None:
            raise NotReady("no snapshot of the store's promotions is loaded yet")
        return catalog

    def context(self, allowed: Allowances, now: datetime) -> EngineContext:
        """The engine context of this store with ``allowed`` allowances at ``now``."""
        s = self.settings
        return EngineContext(
            store_id=s.store_id,
            company_id=s.store_company_id,
            brand_id=s.store_brand_id,
            timezone=s.store_timezone,
            country_code=s.store_country,
            currency=s.store_currency,
            rounding_unit=s.store_rounding_unit,
            cash_rounding_unit=s.store_cash_rounding_unit,
            remaining_uses=allowed.remaining_uses,
            remaining_uses_today=allowed.remaining_uses_today,
            remaining_uses_customer=allowed.remaining_uses_customer,
            remaining_budget_redemptions=allowed.remaining_budget_redemptions,
            remaining_budget_amount=allowed.remaining_budget_amount,
            now=now,
        )

    def run_engine(
        self, request: EvaluateRequest, index: PromotionIndex, allowed: Allowances, now: datetime
    ) -> EvaluationResult:
        """Evaluate into the contract model, turning the engine's refusals into
        :class:`InvalidCart`."""
        return self._engine(evaluate, request, index, allowed, now)

    def run_engine_document(
        self, request: EvaluateRequest, index: PromotionIndex, allowed: Allowances, now: datetime
    ) -> dict[str, Any]:
        """:meth:`run_engine`, the result as the engine's JSON-ready document (see
        :func:`~promoflow_evaluator.engine.evaluate.evaluate_document`)."""
        return self._engine(evaluate_document, request, index, allowed, now)

    def _engine(
        self,
        entry: Callable[[EvaluateRequest, PromotionIndex, EngineContext], _R],
        request: EvaluateRequest,
        index: PromotionIndex,
        allowed: Allowances,
        now: datetime,
    ) -> _R:
        """``entry(request, index, context)`` with the engine's refusals (other store, other
        currency, amount finer than the currency) raised as :class:`InvalidCart`."""
        try:
            return entry(request, index, self.context(allowed, now))
        except StoreMismatch as exc:
            raise InvalidCart(
                "store_id", f"this evaluator serves store {self.settings.store_id}"
            ) from exc
        except CurrencyMismatch as exc:
            raise InvalidCart("currency", str(exc)) from exc
        except AmountPrecisionError as exc:
            raise InvalidCart("lines", str(exc)) from exc

    def base_allowances(self, catalog: Catalog) -> Allowances:
        """Allowances without a customer, cached per (data version, usage version, day)."""
        usage = self.snapshots.usage
        if usage is None or not catalog.limited:
            return Allowances()
        key = (catalog.data_version, usage.usage_version, usage.business_date)
        cached = self._cached
        if cached is None or cached.key != key:
            cached = _CachedAllowances(key, allowances(catalog.limited, usage.local))
            self._cached = cached
        return cached.value

    def allowances_for(self, catalog: Catalog, customer: str | None) -> Allowances:
        """Allowances for a cart of ``customer`` (None = no customer: per-customer limits are
        not checked), from the snapshot alone: the customer's uses at this store come from the
        per-usage-version counts (:class:`~promoflow_evaluator.snapshot.Usage`), never from a
        query per request."""
        base = self.base_allowances(catalog)
        if not customer or not catalog.customer_limited:
            return base
        usage = self.snapshots.usage
        uses = usage.customers.get(customer, {}) if usage is not None else {}
        remaining: dict[UUID, int] = {}
        for pid, promotion in catalog.customer_limited.items():
            limit = promotion.limits.max_uses_per_customer
            if limit is not None:
                remaining[pid] = limit - uses.get(pid, 0)
        return replace(base, remaining_uses_customer=remaining)

    def evaluate_now(self, request: EvaluateRequest) -> EvaluationResult:
        """Evaluate a cart (read-only, no I/O, on the caller's thread): the snapshot, the
        allowances it implies, the clock. Raises :class:`NotReady` or :class:`InvalidCart`."""
        catalog = self.catalog()
        allowed = self._allowances_of(catalog, request)
        return self.run_engine(request, catalog.index, allowed, self.clock())

    def evaluate_document_now(self, request: EvaluateRequest) -> dict[str, Any]:
        """:meth:`evaluate_now`, the result as the engine's JSON-ready document (plain dicts,
        lists, strings, numbers: ``EvaluationResult.model_dump(mode="json")``, money as
        major-unit decimal text), what the hot path writes. Same snapshot, allowances, clock
        and errors (:class:`NotReady`, :class:`InvalidCart`)."""
        catalog = self.catalog()
        allowed = self._allowances_of(catalog, request)
        return self.run_engine_document(request, catalog.index, allowed, self.clock())

    def _allowances_of(self, catalog: Catalog, request: EvaluateRequest) -> Allowances:
        customer = request.customer.customer_id if request.customer else None
        return self.allowances_for(catalog, customer)

    async def evaluate(self, request: EvaluateRequest) -> EvaluationResult:
        """:meth:`evaluate_now` for async callers (nothing is awaited: no I/O)."""
        return self.evaluate_now(request)

    async def warm_up(self) -> None:
        """Evaluate an empty cart once, so the first POS request does not pay for lazy setup
        (holiday calendars, serializers)."""
        result = await self.evaluate(EvaluateRequest(store_id=self.settings.store_id))
        result.model_dump_json()

    # --- promotions ---------------------------------------------------------------------

    def description(self, promotion: CompiledPromotion) -> str:
        """:func:`describe` of ``promotion``, computed once per (id, version)."""
        key = (promotion.id, promotion.version)
        text = self._descriptions.get(key)
        if text is None:
            catalog = self.snapshots.catalog
            if catalog is not None and len(self._descriptions) > 2 * len(catalog.promotions) + 64:
                self._descriptions = {
                    k: v for k, v in self._descriptions.items() if k[0] in catalog.by_id
                }
            text = self._descriptions[key] = describe(promotion)
        return text

    def _summary(self, promotion: CompiledPromotion, moment: datetime) -> PromotionSummary:
        s = self.settings
        return PromotionSummary(
            id=promotion.id,
            code=promotion.code,
            name=promotion.name,
            description=self.description(promotion),
            promo_type=promotion.promo_type,
            stage=promotion.execution_stage,
            priority=promotion.execution_priority,
            version=promotion.version,
            start_date=promotion.validity.start_date,
            end_date=promotion.validity.end_date,
            available_now=available(promotion, moment, s.store_country, s.store_id),
            member_only=promotion.targeting.member_only,
            require_voucher=promotion.require_voucher,
            is_stackable=promotion.is_stackable,
            is_auto_apply=promotion.is_auto_apply,
        )

    def local_moment(self, at: datetime | None = None) -> datetime:
        """``at`` (naive = store-local) or now, in the store's zone."""
        if at is None:
            return self.clock().astimezone(self.zone)
        if at.utcoffset() is None:
            return at.replace(tzinfo=self.zone)
        return at.astimezone(self.zone)

    def promotions(self, *, at: datetime | None = None, include_all: bool = False) -> PromotionList:
        """The store's promotions on offer at ``at`` (all active ones with ``include_all``)."""
        catalog = self.catalog()
        moment = self.local_moment(at)
        summaries = [self._summary(p, moment) for p in catalog.promotions]
        if not include_all:
            summaries = [s for s in summaries if s.available_now]
        return PromotionList(
            store_id=self.settings.store_id,
            data_version=catalog.data_version,
            at=moment,
            promotions=summaries,
        )

    def promotion(self, promotion_id: UUID) -> PromotionDetail:
        """One promotion of the store; raises :class:`PromotionNotFound`."""
        found = self.find(promotion_id)
        summary = self._summary(found, self.local_moment())
        return PromotionDetail(**summary.model_dump(), document=found)

    def find(self, promotion_id: UUID) -> CompiledPromotion:
        """The stored promotion ``promotion_id``; raises :class:`PromotionNotFound`."""
        found = self.catalog().by_id.get(promotion_id)
        if found is None:
            raise PromotionNotFound(f"no promotion {promotion_id} in this store")
        return found

    def preview(
        self, promotion_id: UUID, request: EvaluateRequest
    ) -> tuple[CompiledPromotion, EvaluationResult]:
        """Evaluate ``request`` against one promotion alone (the guide's preview)."""
        promotion = self.find(promotion_id)
        index = PromotionIndex.build([promotion])
        allowed = self.base_allowances(self.catalog())
        return promotion, self.run_engine(request, index, allowed, self.clock())

    def customer_lookup_ids(self, catalog: Catalog) -> Mapping[UUID, CompiledPromotion]:
        """Promotions with a per-customer limit, by id."""
        return catalog.customer_limited
