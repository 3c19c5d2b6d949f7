"""Checkout and void: re-evaluate, check limits, record redemptions and outbox rows at once.

Checkout (``POST /api/v1/transactions``):

1. A ``transaction_id`` already recorded returns the stored response (``replayed = true``);
   the same id with a different cart (request hash without ``evaluated_at``) is a conflict.
2. The clock: the POS's ``evaluated_at`` is honoured when within ``checkout_clock_tolerance_s``
   of the edge's clock (a cart priced at 14:59 and paid at 15:01 keeps its happy hour), else
   the edge's clock is used: a POS cannot pick a time to unlock a promotion.
3. A first evaluation finds the applied promotions with a per-customer limit; HO's usage API
   is asked about those (one shared budget of at most 300 ms). A promotion HO could not
   confirm is decided from the store's own counts and recorded ``verified = false``.
4. In one write transaction (``BEGIN IMMEDIATE``; serialises the store's checkouts): the
   store's usage is recounted, the cart is evaluated again with the exact allowances (amounts
   sent by the POS are never used), and the transaction row, one redemption per applied
   promotion, a ``RedemptionRecorded`` per redemption and one ``EvaluationLogged`` go to the
   outbox, and ``usage_version`` is bumped.

Void (``POST /api/v1/transactions/{id}/void``) marks the checkout and its redemptions voided
and writes a ``RedemptionVoided`` per redemption, in one transaction; a repeated void returns
the stored answer.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import date, datetime, timedelta
from uuid import UUID

from sqlalchemy.exc import IntegrityError

from promoflow_contracts.checkout import (
    CheckoutRequest,
    CheckoutResponse,
    RedemptionLine,
    VoidRequest,
    VoidResponse,
)
from promoflow_contracts.results import EvaluationResult
from promoflow_evaluator.adapters.repository import StoredTransaction, Writer
from promoflow_evaluator.adapters.usage_client import UsageClient
from promoflow_evaluator.domain.events import (
    StoreFacts,
    evaluation_log,
    redemption_drafts,
    request_hash,
    void_events,
)
from promoflow_evaluator.domain.limits import allowances
from promoflow_evaluator.exceptions import CheckoutConflict, TransactionNotFound
from promoflow_evaluator.service import EvaluatorService
from promoflow_evaluator.snapshot import Catalog

log = logging.getLogger(__name__)


class CheckoutService:
    """Records checkouts and voids of one store (see the module docstring for the rules)."""

    def __init__(self, evaluator: EvaluatorService, usage: UsageClient | None) -> None:
        self.evaluator = evaluator
        self.repository = evaluator.repository
        self.usage = usage
        settings = evaluator.settings
        self.store = StoreFacts(
            store_id=settings.store_id,
            company_id=settings.store_company_id,
            brand_id=settings.store_brand_id,
            producer=f"evaluator/{settings.store_id}",
        )
        self.tolerance = timedelta(seconds=settings.checkout_clock_tolerance_s)

    # --- checkout -----------------------------------------------------------------------

    async def checkout(self, request: CheckoutRequest) -> CheckoutResponse:
        """Record a checkout (idempotent on ``transaction_id``).

        Raises :class:`CheckoutConflict`, ``NotReady`` and ``InvalidCart``.
        """
        catalog = self.evaluator.catalog()
        digest = request_hash(request)
        stored = await asyncio.to_thread(self._stored, request.transaction_id)
        if stored is not None:
            return _replay(stored, digest)
        now = self.evaluator.clock()
        request = self._clocked(request, now)
        ho_counts = await self._ask_ho(request, catalog, now)
        return await asyncio.to_thread(self._record, request, digest, catalog, ho_counts, now)

    def _stored(self, transaction_id: str) -> StoredTransaction | None:
        with self.repository.read() as reader:
            return reader.transaction(transaction_id)

    def _clocked(self, request: CheckoutRequest, now: datetime) -> CheckoutRequest:
        at = request.evaluated_at
        if at is not None:
            aware = at if at.utcoffset() is not None else at.replace(tzinfo=self.evaluator.zone)
            if abs(aware - now) <= self.tolerance:
                return request
        return request.model_copy(update={"evaluated_at": now})

    async def _ask_ho(
        self, request: CheckoutRequest, catalog: Catalog, now: datetime
    ) -> dict[UUID, int | None]:
        """HO's use counts of the customer for the per-customer-limited promotions that apply
        on a first evaluation (None per promotion when HO could not answer in time)."""
        customer = request.customer.customer_id if request.customer else None
        limited = self.evaluator.customer_lookup_ids(catalog)
        if not customer or not limited:
            return {}
        first = await self.evaluator.evaluate(request)
        ids = [a.promotion_id for a in first.applied if a.promotion_id in limited]
        if not ids:
            return {}
        if self.usage is None:
            return dict.fromkeys(ids)
        return dict(await self.usage.customer_uses(customer, ids))

    def _record(
        self,
        request: CheckoutRequest,
        digest: str,
        catalog: Catalog,
        ho_counts: dict[UUID, int | None],
        now: datetime,
    ) -> CheckoutResponse:
        moment = request.evaluated_at or now
        if moment.utcoffset() is None:
            moment = moment.replace(tzinfo=self.evaluator.zone)
        business_date = moment.astimezone(self.evaluator.zone).date()
        try:
            with self.repository.write() as writer:
                stored = writer.transaction(request.transaction_id)
                if stored is not None:  # a concurrent retry won the race
                    return _replay(stored, digest)
                result, unverified = self._evaluate_exactly(
                    writer, request, catalog, ho_counts, business_date, now
                )
                return self._write(writer, request, digest, catalog, result, unverified, now)
        except IntegrityError:
            stored = self._stored(request.transaction_id)
            if stored is None:
                raise
            return _replay(stored, digest)

    def _evaluate_exactly(
        self,
        writer: Writer,
        request: CheckoutRequest,
        catalog: Catalog,
        ho_counts: dict[UUID, int | None],
        business_date: date,
        now: datetime,
    ) -> tuple[EvaluationResult, frozenset[UUID]]:
        local = writer.local_usage(catalog.limited, business_date)
        customer = request.customer.customer_id if request.customer else None
        limited = self.evaluator.customer_lookup_ids(catalog)
        customer_uses: dict[UUID, int] | None = None
        if customer:
            total, unsent = writer.customer_uses(customer, list(limited))
            customer_uses = dict(total)
            for pid, ho in ho_counts.items():
                if ho is not None:
                    customer_uses[pid] = max(ho + unsent.get(pid, 0), total.get(pid, 0))
        allowed = allowances(catalog.limited, local, customer_uses)
        result = self.evaluator.run_engine(request, catalog.index, allowed, now)
        verified = {pid for pid, ho in ho_counts.items() if ho is not None}
        unverified = frozenset(
            a.promotion_id
            for a in result.applied
            if a.promotion_id in limited and customer and a.promotion_id not in verified
        )
        return result, unverified

    def _write(
        self,
        writer: Writer,
        request: CheckoutRequest,
        digest: str,
        catalog: Catalog,
        result: EvaluationResult,
        unverified: frozenset[UUID],
        now: datetime,
    ) -> CheckoutResponse:
        drafts = redemption_drafts(
            request=request,
            result=result,
            promotions=catalog.by_id,
            unverified=unverified,
            store=self.store,
            redeemed_at=now,
        )
        mismatch = None
        if request.expected_total is not None and request.expected_total != result.payable:
            mismatch = request.expected_total - result.payable
        response = CheckoutResponse(
            transaction_id=request.transaction_id,
            recorded_at=now,
            total_mismatch=mismatch,
            result=result,
            redemptions=[
                RedemptionLine(
                    redemption_id=d.event.data.redemption_id,
                    promotion_id=d.event.data.promotion_id,
                    code=d.event.data.promotion_code,
                    discount=d.event.data.discount_amount,
                    reward_amount=d.event.data.reward_amount,
                    verified=d.verified,
                )
                for d in drafts
            ],
        )
        customer = request.customer.customer_id if request.customer else None
        writer.insert_transaction(
            transaction_id=request.transaction_id,
            request_hash=digest,
            status="completed",
            business_date=result.evaluated_at.date(),
            recorded_at=now,
            payable=result.payable,
            bill_id=request.bill_id,
            terminal_id=request.terminal_id,
            cashier_id=request.cashier_id,
            customer_id=customer,
            response=response.model_dump(mode="json"),
        )
        writer.insert_redemptions(drafts)
        log_event = evaluation_log(request=request, result=result, store=self.store, logged_at=now)
        writer.enqueue([*(d.event for d in drafts), log_event], now)
        writer.bump_usage_version(now)
        return response

    # --- void ---------------------------------------------------------------------------

    async def void(self, transaction_id: str, request: VoidRequest) -> VoidResponse:
        """Void a recorded checkout (idempotent). Raises :class:`TransactionNotFound`."""
        return await asyncio.to_thread(self._void, transaction_id, request)

    def _void(self, transaction_id: str, request: VoidRequest) -> VoidResponse:
        now = self.evaluator.clock()
        with self.repository.write() as writer:
            stored = writer.transaction(transaction_id)
            if stored is None:
                raise TransactionNotFound(f"no checkout {transaction_id!r} at this store")
            if stored.status == "voided" and stored.void_response is not None:
                return VoidResponse.model_validate({**stored.void_response, "replayed": True})
            checkout = CheckoutResponse.model_validate(stored.response)
            redemptions = writer.redemptions_of(transaction_id)
            events = void_events(
                transaction_id=transaction_id,
                redemptions=redemptions,
                currency=checkout.result.currency,
                cart_subtotal=checkout.result.subtotal,
                reason=request.reason,
                store=self.store,
                voided_at=now,
            )
            response = VoidResponse(
                transaction_id=transaction_id,
                voided_at=now,
                voided_redemptions=[r.redemption_id for r in redemptions],
            )
            writer.void_transaction(transaction_id, response.model_dump(mode="json"), now)
            writer.enqueue(events, now)
            writer.bump_usage_version(now)
            return response


def _replay(stored: StoredTransaction, digest: str) -> CheckoutResponse:
    if stored.request_hash != digest:
        raise CheckoutConflict(
            f"transaction_id {stored.transaction_id!r} was already used for a different cart"
        )
    status = "voided" if stored.status == "voided" else "completed"
    return CheckoutResponse.model_validate({**stored.response, "replayed": True, "status": status})
