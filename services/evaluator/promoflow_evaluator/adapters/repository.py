"""The edge store as the evaluator sees it: promotions to read, usage to count, checkouts to
record (with their outbox rows) in one write transaction."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from pydantic import ValidationError
from sqlalchemy import Connection, Engine, and_, func, insert, or_, select, update

from promoflow_contracts import edge_store as es
from promoflow_contracts.events import Event
from promoflow_contracts.promotion import CompiledPromotion
from promoflow_contracts.topics import Topics, to_record, topic_for
from promoflow_evaluator.domain.events import RedemptionDraft, VoidedRedemption
from promoflow_evaluator.domain.limits import LocalUsage

log = logging.getLogger(__name__)

RECORDED, VOIDED = "recorded", "voided"


@dataclass(frozen=True, slots=True)
class StoredTransaction:
    """A recorded checkout: its request hash, status and the stored responses (JSON)."""

    transaction_id: str
    request_hash: str
    status: str
    response: dict[str, Any]
    void_response: dict[str, Any] | None


class Reader:
    """Reads on one connection (a read or a write transaction)."""

    def __init__(self, connection: Connection) -> None:
        self.conn = connection

    def versions(self) -> tuple[int, int]:
        """``(data_version, usage_version)`` of the store (0, 0 before the first sync)."""
        meta = es.store_meta
        row = self.conn.execute(
            select(meta.c.data_version, meta.c.usage_version).where(meta.c.id == es.meta_row_id())
        ).first()
        return (0, 0) if row is None else (int(row[0]), int(row[1]))

    def active_versions(self) -> dict[UUID, int]:
        """Ids and versions of the active promotions."""
        table = es.promotions
        rows = self.conn.execute(select(table.c.id, table.c.version).where(table.c.is_active))
        return {pid: version for pid, version in rows}

    def documents(self, ids: Sequence[UUID]) -> list[CompiledPromotion]:
        """The compiled documents of ``ids`` (documents that fail validation are skipped)."""
        table = es.promotions
        found: list[CompiledPromotion] = []
        for start in range(0, len(ids), 500):
            chunk = list(ids[start : start + 500])
            for pid, document in self.conn.execute(
                select(table.c.id, table.c.document).where(table.c.id.in_(chunk))
            ):
                try:
                    found.append(CompiledPromotion.model_validate(document))
                except ValidationError:
                    log.exception("stored promotion %s does not validate; skipped", pid)
        return found

    def local_usage(self, limited: Iterable[CompiledPromotion], business_date: date) -> LocalUsage:
        """The store's own counts for ``limited`` promotions (see :class:`LocalUsage`)."""
        promos = list(limited)
        if not promos:
            return LocalUsage()
        r, o = es.redemptions, es.outbox
        ids = [p.id for p in promos]
        today = {
            pid: int(n)
            for pid, n in self.conn.execute(
                select(r.c.promotion_id, func.count())
                .where(r.c.status == RECORDED, r.c.business_date == business_date)
                .where(r.c.promotion_id.in_(ids))
                .group_by(r.c.promotion_id)
            )
        }
        pending: dict[UUID, int] = {}
        totals = [p for p in promos if p.limits.max_uses is not None]
        if totals:
            compiled = {p.id: p.compiled_at for p in totals}
            oldest = min(compiled.values())
            rows = self.conn.execute(
                select(r.c.promotion_id, o.c.sent_at)
                .join(o, o.c.event_id == r.c.event_id)
                .where(r.c.status == RECORDED, r.c.promotion_id.in_(list(compiled)))
                .where(or_(o.c.sent_at.is_(None), o.c.sent_at > oldest))
            )
            for pid, sent_at in rows:
                if sent_at is None or sent_at > compiled[pid]:
                    pending[pid] = pending.get(pid, 0) + 1
        campaigns = {p.campaign.campaign_id for p in promos if p.campaign is not None}
        count: dict[UUID, int] = {}
        amount: dict[UUID, Decimal] = {}
        if campaigns:
            for cid, n, discount, reward in self.conn.execute(
                select(
                    r.c.campaign_id,
                    func.count(),
                    func.sum(r.c.discount_amount),
                    func.sum(r.c.reward_amount),
                )
                .where(r.c.status == RECORDED, r.c.campaign_id.in_(list(campaigns)))
                .group_by(r.c.campaign_id)
            ):
                count[cid] = int(n)
                amount[cid] = (discount or Decimal(0)) + (reward or Decimal(0))
        return LocalUsage(pending, today, count, amount)

    def customer_uses(
        self, customer_id: str, ids: Sequence[UUID]
    ) -> tuple[dict[UUID, int], dict[UUID, int]]:
        """This customer's recorded redemptions per promotion at this store: ``(all, not yet
        relayed to HO)``."""
        if not ids:
            return {}, {}
        r, o = es.redemptions, es.outbox
        total: dict[UUID, int] = {}
        unsent: dict[UUID, int] = {}
        rows = self.conn.execute(
            select(r.c.promotion_id, o.c.sent_at)
            .join(o, o.c.event_id == r.c.event_id)
            .where(r.c.status == RECORDED, r.c.customer_id == customer_id)
            .where(r.c.promotion_id.in_(list(ids)))
        )
        for pid, sent_at in rows:
            total[pid] = total.get(pid, 0) + 1
            if sent_at is None:
                unsent[pid] = unsent.get(pid, 0) + 1
        return total, unsent

    def customer_counts(self, ids: Sequence[UUID]) -> dict[str, dict[UUID, int]]:
        """Per customer, the recorded (not voided) redemptions at this store of each of
        ``ids`` (customers without any are absent). One grouped query (index
        ``ix_redemptions_promotion_customer``); the snapshot keeps the answer per usage
        version so evaluating a member's cart reads nothing."""
        counts: dict[str, dict[UUID, int]] = {}
        if not ids:
            return counts
        r = es.redemptions
        for start in range(0, len(ids), 500):
            chunk = list(ids[start : start + 500])
            rows = self.conn.execute(
                select(r.c.customer_id, r.c.promotion_id, func.count())
                .where(r.c.status == RECORDED, r.c.customer_id.is_not(None))
                .where(r.c.promotion_id.in_(chunk))
                .group_by(r.c.customer_id, r.c.promotion_id)
            )
            for customer, pid, n in rows:
                counts.setdefault(customer, {})[pid] = int(n)
        return counts

    def transaction(self, transaction_id: str) -> StoredTransaction | None:
        """The recorded checkout ``transaction_id``, or None."""
        t = es.transactions
        row = self.conn.execute(
            select(t.c.request_hash, t.c.status, t.c.response, t.c.void_response).where(
                t.c.transaction_id == transaction_id
            )
        ).first()
        if row is None:
            return None
        return StoredTransaction(transaction_id, row[0], row[1], row[2], row[3])

    def redemptions_of(self, transaction_id: str) -> list[VoidedRedemption]:
        """The recorded (not yet voided) redemptions of a checkout."""
        r = es.redemptions
        rows = self.conn.execute(
            select(
                r.c.redemption_id,
                r.c.promotion_id,
                r.c.customer_id,
                r.c.discount_amount,
                r.c.reward_amount,
                r.c.business_date,
            )
            .where(r.c.transaction_id == transaction_id, r.c.status == RECORDED)
            .order_by(r.c.redeemed_at, r.c.promotion_code)
        )
        return [VoidedRedemption(*row) for row in rows]


class Writer(Reader):
    """Writes of one write transaction (``BEGIN IMMEDIATE`` / advisory lock)."""

    def __init__(self, connection: Connection, topics: Topics) -> None:
        super().__init__(connection)
        self._topics = topics

    def insert_transaction(self, **values: Any) -> None:
        """Insert the ``transactions`` row (raises ``IntegrityError`` for a duplicate id)."""
        self.conn.execute(insert(es.transactions).values(**values))

    def insert_redemptions(self, drafts: Sequence[RedemptionDraft], status: str = RECORDED) -> None:
        """Insert the redemption rows of ``drafts``."""
        for draft in drafts:
            data = draft.event.data
            self.conn.execute(
                insert(es.redemptions).values(
                    redemption_id=data.redemption_id,
                    transaction_id=data.transaction_id,
                    event_id=draft.event.event_id,
                    promotion_id=data.promotion_id,
                    promotion_code=data.promotion_code,
                    promotion_version=data.promotion_version,
                    campaign_id=draft.campaign_id,
                    customer_id=data.customer_id,
                    business_date=data.business_date,
                    redeemed_at=data.redeemed_at,
                    discount_amount=data.discount_amount,
                    reward_amount=data.reward_amount,
                    verified=draft.verified,
                    status=status,
                )
            )

    def enqueue(self, events: Iterable[Event], now: datetime) -> None:
        """Add outbox rows for ``events`` (topic, key, value and headers from the contracts)."""
        rows = []
        for event in events:
            record = to_record(event)
            rows.append(
                {
                    "event_id": event.event_id,
                    "event_type": event.event_type,
                    "topic": topic_for(event, self._topics),
                    "key": record.key.decode(),
                    "value": None if record.value is None else record.value.decode(),
                    "headers": [[name, value.decode()] for name, value in record.headers],
                    "created_at": now,
                    "attempts": 0,
                }
            )
        if rows:
            self.conn.execute(insert(es.outbox), rows)

    def void_transaction(
        self, transaction_id: str, void_response: Mapping[str, Any], now: datetime
    ) -> None:
        """Mark the checkout and its redemptions voided and keep the void response."""
        t, r = es.transactions, es.redemptions
        self.conn.execute(
            update(t)
            .where(t.c.transaction_id == transaction_id)
            .values(status=VOIDED, voided_at=now, void_response=dict(void_response))
        )
        self.conn.execute(
            update(r)
            .where(and_(r.c.transaction_id == transaction_id, r.c.status == RECORDED))
            .values(status=VOIDED, voided_at=now)
        )

    def bump_usage_version(self, now: datetime) -> None:
        """Tell every evaluator worker that usage counts changed."""
        meta = es.store_meta
        self.conn.execute(
            update(meta)
            .where(meta.c.id == es.meta_row_id())
            .values(usage_version=meta.c.usage_version + 1, updated_at=now)
        )


class EdgeRepository:
    """Entry point to the edge store for the evaluator's API workers."""

    def __init__(self, engine: Engine, store_id: UUID, topics: Topics) -> None:
        self.engine = engine
        self.store_id = store_id
        self.topics = topics

    def create(self) -> None:
        """Create missing tables and the meta row (raises ``StoreMismatch`` for another store)."""
        es.create_schema(self.engine, self.store_id)

    @contextmanager
    def read(self) -> Iterator[Reader]:
        """A read transaction."""
        with self.engine.connect() as connection, connection.begin():
            yield Reader(connection)

    @contextmanager
    def write(self) -> Iterator[Writer]:
        """A write transaction; commits on normal exit, rolls back on an exception."""
        with es.write_transaction(self.engine) as connection:
            yield Writer(connection, self.topics)
