"""SQLAlchemy 2 ORM models of the head-office (HO) PostgreSQL database.

`Base.metadata` is Alembic's `target_metadata`. Every schema change needs a hand-written
migration in ``promoflow_compiler/migrations/versions`` that matches these models.

Tables: master data (``companies``, ``brands``, ``stores`` + ``store_brands``, ``categories``
as a tree through ``parent_id``, ``products``), authoring (``promotions`` with the authored
spec in JSONB and the filtered/joined fields as columns, ``promotion_refs`` = the targeting and
item sets of each promotion), publication (``promotion_versions`` = every compiled document,
``promotion_publications`` = the current published state per promotion, what the sync API
reads), the outbox, ``audit_log``, ``api_tokens`` (hashed) and ``processed_events`` (consumer
idempotence). Money is ``NUMERIC(18, 4)`` in the currency's major unit.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    MetaData,
    Numeric,
    Sequence,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Deterministic constraint names, so that migrations can refer to them.
NAMING_CONVENTION: dict[str, str] = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base of all HO tables."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


#: Global change counter of ``promotion_publications`` (the sync API's ``version``).
CHANGE_SEQ = Sequence("promotion_change_seq", metadata=Base.metadata)
NEXT_CHANGE_SEQ = text("nextval('promotion_change_seq')")


def _uuid_pk() -> Mapped[uuid.UUID]:
    return mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)


def _created() -> Mapped[datetime]:
    return mapped_column(DateTime(timezone=True), server_default=text("now()"))


def _updated() -> Mapped[datetime]:
    return mapped_column(
        DateTime(timezone=True), server_default=text("now()"), onupdate=text("now()")
    )


class OutboxMessage(Base):
    """Transactional outbox: a Kafka record written in the same transaction as the change.

    A relay publishes unsent rows (``sent_at IS NULL``) in ``id`` order to ``topic`` with
    key ``message_key``, then sets ``sent_at``. ``payload`` NULL is a tombstone (Kafka
    record with a null value, for compacted topics).
    """

    __tablename__ = "outbox_messages"
    __table_args__ = (
        Index("ix_outbox_messages_unsent", "id", postgresql_where=text("sent_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    event_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), unique=True)
    topic: Mapped[str] = mapped_column(Text)
    message_key: Mapped[str | None] = mapped_column(Text)
    # none_as_null: Python None must be SQL NULL (tombstone), not the JSON value 'null'.
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSONB(none_as_null=True))
    headers: Mapped[dict[str, str]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=text("now()")
    )
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    last_error: Mapped[str | None] = mapped_column(Text)


# --- master data ---------------------------------------------------------------------------


class CompanyRow(Base):
    """A company (tenant): default currency, country and time zone, company holidays."""

    __tablename__ = "companies"

    id: Mapped[uuid.UUID] = _uuid_pk()
    code: Mapped[str] = mapped_column(Text, unique=True)
    name: Mapped[str] = mapped_column(Text)
    currency: Mapped[str] = mapped_column(Text, server_default="IDR")
    country_code: Mapped[str] = mapped_column(Text, server_default="ID")
    timezone: Mapped[str] = mapped_column(Text, server_default="Asia/Jakarta")
    #: Company-defined holidays (ISO dates), compiled into ``validity.company_holidays``.
    holidays: Mapped[list[str]] = mapped_column(JSONB, server_default=text("'[]'::jsonb"))
    is_active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    created_at: Mapped[datetime] = _created()
    updated_at: Mapped[datetime] = _updated()


class BrandRow(Base):
    """A brand of a company (e.g. a coffee chain and a bakery chain of one group)."""

    __tablename__ = "brands"
    __table_args__ = (UniqueConstraint("company_id", "code", name="uq_brands_company_code"),)

    id: Mapped[uuid.UUID] = _uuid_pk()
    company_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("companies.id", ondelete="RESTRICT"), index=True
    )
    code: Mapped[str] = mapped_column(Text)
    name: Mapped[str] = mapped_column(Text)
    is_active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    created_at: Mapped[datetime] = _created()
    updated_at: Mapped[datetime] = _updated()


class StoreRow(Base):
    """A store: IANA time zone, ISO country code, currency, sales channels, brands it serves."""

    __tablename__ = "stores"
    __table_args__ = (UniqueConstraint("company_id", "code", name="uq_stores_company_code"),)

    id: Mapped[uuid.UUID] = _uuid_pk()
    company_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("companies.id", ondelete="RESTRICT"), index=True
    )
    code: Mapped[str] = mapped_column(Text)
    name: Mapped[str] = mapped_column(Text)
    timezone: Mapped[str] = mapped_column(Text)
    country_code: Mapped[str] = mapped_column(Text)
    currency: Mapped[str] = mapped_column(Text)
    sales_channels: Mapped[list[str]] = mapped_column(ARRAY(Text))
    is_active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    created_at: Mapped[datetime] = _created()
    updated_at: Mapped[datetime] = _updated()


class StoreBrandRow(Base):
    """A brand served at a store (food courts serve several)."""

    __tablename__ = "store_brands"

    store_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("stores.id", ondelete="CASCADE"), primary_key=True
    )
    brand_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("brands.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class CategoryRow(Base):
    """A product category; ``parent_id`` makes the tree (any depth, no cycles)."""

    __tablename__ = "categories"
    __table_args__ = (UniqueConstraint("company_id", "code", name="uq_categories_company_code"),)

    id: Mapped[uuid.UUID] = _uuid_pk()
    company_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("companies.id", ondelete="RESTRICT"), index=True
    )
    brand_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("brands.id"))
    parent_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("categories.id", ondelete="RESTRICT"), index=True
    )
    code: Mapped[str | None] = mapped_column(Text)
    name: Mapped[str] = mapped_column(Text)
    is_active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    created_at: Mapped[datetime] = _created()
    updated_at: Mapped[datetime] = _updated()


class ProductRow(Base):
    """A product with its HO price (major unit of the company currency)."""

    __tablename__ = "products"
    __table_args__ = (UniqueConstraint("company_id", "sku", name="uq_products_company_sku"),)

    id: Mapped[uuid.UUID] = _uuid_pk()
    company_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("companies.id", ondelete="RESTRICT"), index=True
    )
    brand_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("brands.id"))
    category_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("categories.id", ondelete="RESTRICT"), index=True
    )
    sku: Mapped[str] = mapped_column(Text)
    name: Mapped[str] = mapped_column(Text)
    price: Mapped[Decimal] = mapped_column(Numeric(18, 4))
    is_active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    created_at: Mapped[datetime] = _created()
    updated_at: Mapped[datetime] = _updated()


# --- promotions ----------------------------------------------------------------------------


class PromotionRow(Base):
    """An authored promotion. ``spec`` is the validated authoring document
    (:class:`promoflow_compiler.domain.spec.PromotionSpec`); the columns repeat what is
    filtered and joined on. ``status``: draft | active | inactive | deleted (soft delete).
    ``current_version`` is the last version number handed out (published or withdrawn)."""

    __tablename__ = "promotions"
    __table_args__ = (
        Index(
            "uq_promotions_company_code_live",
            "company_id",
            "code",
            unique=True,
            postgresql_where=text("status <> 'deleted'"),
        ),
        Index("ix_promotions_status_end_date", "status", "end_date"),
        CheckConstraint("status IN ('draft', 'active', 'inactive', 'deleted')", name="status"),
    )

    id: Mapped[uuid.UUID] = _uuid_pk()
    company_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("companies.id", ondelete="RESTRICT"), index=True
    )
    brand_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("brands.id"))
    code: Mapped[str] = mapped_column(Text)
    name: Mapped[str] = mapped_column(Text)
    promo_type: Mapped[str] = mapped_column(Text, index=True)
    execution_stage: Mapped[str] = mapped_column(Text)
    execution_priority: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(Text, server_default="draft")
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    is_auto_apply: Mapped[bool] = mapped_column(Boolean)
    require_voucher: Mapped[bool] = mapped_column(Boolean)
    is_stackable: Mapped[bool] = mapped_column(Boolean)
    member_only: Mapped[bool] = mapped_column(Boolean)
    is_cross_brand: Mapped[bool] = mapped_column(Boolean)
    spec: Mapped[dict[str, Any]] = mapped_column(JSONB)
    limit_state: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    current_version: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    created_at: Mapped[datetime] = _created()
    updated_at: Mapped[datetime] = _updated()
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class PromotionRefRow(Base):
    """One member of a promotion's targeting or item sets.

    ``kind``: ``store``, ``store_brand``, ``brand``, ``exclude_brand``, ``scope_category``,
    ``scope_product``, ``exclude_category``, ``exclude_product``, ``rule_product``,
    ``rule_category``, ``cross_brand``, ``brand_owner``. Answers "which promotions embed product X".
    """

    __tablename__ = "promotion_refs"

    promotion_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("promotions.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(Text, primary_key=True)
    ref_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, index=True)


class PromotionVersionRow(Base):
    """Every version of every promotion: a compiled document or a withdrawal (no document)."""

    __tablename__ = "promotion_versions"
    __table_args__ = (
        UniqueConstraint("promotion_id", "version", name="uq_promotion_versions_promotion_version"),
        CheckConstraint("event IN ('published', 'withdrawn')", name="event"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    promotion_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("promotions.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    event: Mapped[str] = mapped_column(Text)  # published | withdrawn
    reason: Mapped[str | None] = mapped_column(Text)
    document: Mapped[dict[str, Any] | None] = mapped_column(JSONB(none_as_null=True))
    content_hash: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = _created()


class PromotionPublicationRow(Base):
    """The current published state of a promotion, as the sync API serves it.

    ``updated_at`` is the writing transaction's start time (``now()``), which lets the sync API
    compute a safe ``sync_timestamp`` (see ``adapters.sync_queries``). ``store_ids`` is the
    resolved store targeting (empty with ``all_stores``).
    """

    __tablename__ = "promotion_publications"
    __table_args__ = (
        Index("ix_promotion_publications_company_updated", "company_id", "updated_at"),
        Index("ix_promotion_publications_store_ids", "store_ids", postgresql_using="gin"),
        CheckConstraint("status IN ('published', 'withdrawn')", name="status"),
    )

    promotion_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("promotions.id", ondelete="CASCADE"), primary_key=True
    )
    company_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(Text)  # published | withdrawn
    all_stores: Mapped[bool] = mapped_column(Boolean)
    store_ids: Mapped[list[uuid.UUID]] = mapped_column(ARRAY(UUID(as_uuid=True)))
    document: Mapped[dict[str, Any] | None] = mapped_column(JSONB(none_as_null=True))
    #: The same document as JSON text, served as is by the sync API (no JSONB conversion).
    document_text: Mapped[str | None] = mapped_column(Text)
    content_hash: Mapped[str | None] = mapped_column(Text)
    change_seq: Mapped[int] = mapped_column(BigInteger, server_default=NEXT_CHANGE_SEQ)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=text("now()")
    )


# --- operations ----------------------------------------------------------------------------


class AuditLogRow(Base):
    """Who changed what, when: one row per write, ``changes`` = ``{field: [old, new]}``."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_entity", "entity_type", "entity_id"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    at: Mapped[datetime] = _created()
    actor: Mapped[str] = mapped_column(Text)
    actor_role: Mapped[str] = mapped_column(Text)
    action: Mapped[str] = mapped_column(Text)
    entity_type: Mapped[str] = mapped_column(Text)
    entity_id: Mapped[str] = mapped_column(Text)
    changes: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))


class ApiTokenRow(Base):
    """An API token: only its SHA-256 is stored. ``store_id`` pins a store_edge token."""

    __tablename__ = "api_tokens"
    __table_args__ = (
        CheckConstraint("role IN ('admin', 'manager', 'analyst', 'store_edge')", name="role"),
    )

    id: Mapped[uuid.UUID] = _uuid_pk()
    name: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(Text)
    token_hash: Mapped[str] = mapped_column(Text, unique=True)
    store_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("stores.id"))
    created_by: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = _created()
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ProcessedEventRow(Base):
    """An event a consumer applied; the primary key makes re-delivery a no-op."""

    __tablename__ = "processed_events"

    event_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    consumer: Mapped[str] = mapped_column(Text)
    processed_at: Mapped[datetime] = _created()


target_metadata = Base.metadata
