"""Tables of the usage collector in the HO PostgreSQL, all in the schema ``usage``.

They belong to the collector alone (its own Alembic environment, version table
``alembic_version_usage_collector``); no other service reads or writes them. Money columns are
``NUMERIC`` in the currency's major unit; dates are store-local business dates.

``metadata`` is Alembic's ``target_metadata``; every change needs a hand-written migration in
``promoflow_usage_collector/migrations/versions``.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Identity,
    Index,
    Integer,
    MetaData,
    Numeric,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID

SCHEMA = "usage"

NAMING_CONVENTION: dict[str, str] = {
    "ix": "ix_%(table_name)s_%(column_0_name)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(schema=SCHEMA, naming_convention=NAMING_CONVENTION)


def _money(name: str) -> Column[object]:
    return Column(name, Numeric(24, 4), nullable=False, server_default=text("0"))


#: Every event applied, by id: written in the same transaction as its effects (dedupe).
processed_events = Table(
    "processed_events",
    metadata,
    Column("event_id", UUID(as_uuid=True), primary_key=True),
    Column("event_type", Text, nullable=False),
    Column("processed_by", Text, nullable=False),
    Column(
        "processed_at",
        DateTime(timezone=True),
        nullable=False,
        server_default=text("clock_timestamp()"),
    ),
)

#: What the collector knows of each promotion, from ``promotions.v1`` (latest version wins).
promotions = Table(
    "promotions",
    metadata,
    Column("promotion_id", UUID(as_uuid=True), primary_key=True),
    Column("code", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("company_id", UUID(as_uuid=True), nullable=False),
    Column("brand_id", UUID(as_uuid=True)),
    Column("campaign_id", UUID(as_uuid=True)),
    Column("max_uses", Integer),
    Column("max_uses_per_day", Integer),
    Column("max_uses_per_customer", Integer),
    Column("version", Integer, nullable=False),
    Column("withdrawn", Boolean, nullable=False, server_default=text("false")),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=text("now()")),
)

#: One row per redemption ever seen: the state a void is subtracted from.
redemptions = Table(
    "redemptions",
    metadata,
    Column("redemption_id", UUID(as_uuid=True), primary_key=True),
    Column("promotion_id", UUID(as_uuid=True), nullable=False),
    Column("store_id", UUID(as_uuid=True), nullable=False),
    Column("brand_id", UUID(as_uuid=True)),
    Column("campaign_id", UUID(as_uuid=True)),
    Column("customer_id", Text),
    Column("business_date", Date, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("discount", Numeric(18, 4), nullable=False),
    Column("reward", Numeric(18, 4), nullable=False),
    Column("cart_subtotal", Numeric(18, 4), nullable=False),
    Column("cart_total", Numeric(18, 4)),
    Column("redeemed_at", DateTime(timezone=True)),
    Column("voided_at", DateTime(timezone=True)),
    Column("verified", Boolean, nullable=False),
    Column("recorded", Boolean, nullable=False),
    Column("voided", Boolean, nullable=False),
    Index("ix_redemptions_promotion_date", "promotion_id", "business_date"),
)

#: Usage per promotion, store-local day, store and brand (``brand_key`` nil UUID = no brand).
promotion_daily = Table(
    "promotion_daily",
    metadata,
    Column("promotion_id", UUID(as_uuid=True), nullable=False),
    Column("business_date", Date, nullable=False),
    Column("store_id", UUID(as_uuid=True), nullable=False),
    Column("brand_key", UUID(as_uuid=True), nullable=False),
    Column("uses", Integer, nullable=False, server_default=text("0")),
    _money("discount"),
    _money("reward"),
    _money("gross_sales"),
    _money("net_sales"),
    PrimaryKeyConstraint("promotion_id", "business_date", "store_id", "brand_key"),
    Index("ix_promotion_daily_business_date", "business_date"),
)

#: Legacy (schema 0001): no longer written; distinct customers come from ``redemptions``.
customer_days = Table(
    "customer_days",
    metadata,
    Column("promotion_id", UUID(as_uuid=True), nullable=False),
    Column("business_date", Date, nullable=False),
    Column("store_id", UUID(as_uuid=True), nullable=False),
    Column("customer_id", Text, nullable=False),
    Column("uses", Integer, nullable=False, server_default=text("0")),
    PrimaryKeyConstraint("promotion_id", "business_date", "store_id", "customer_id"),
)

#: Uses per customer per promotion (what edges ask for per-customer limits).
customer_usage = Table(
    "customer_usage",
    metadata,
    Column("customer_id", Text, nullable=False),
    Column("promotion_id", UUID(as_uuid=True), nullable=False),
    Column("uses", Integer, nullable=False, server_default=text("0")),
    _money("discount"),
    Column("last_redeemed_at", DateTime(timezone=True)),
    PrimaryKeyConstraint("customer_id", "promotion_id"),
)

#: Usage per promotion over its whole life (``max_uses``).
promotion_totals = Table(
    "promotion_totals",
    metadata,
    Column("promotion_id", UUID(as_uuid=True), primary_key=True),
    Column("uses", Integer, nullable=False, server_default=text("0")),
    _money("discount"),
    _money("reward"),
    _money("gross_sales"),
    _money("net_sales"),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=text("now()")),
)

#: Evaluations per promotion, day and store: evaluated / applied, with cart values.
evaluation_daily = Table(
    "evaluation_daily",
    metadata,
    Column("promotion_id", UUID(as_uuid=True), nullable=False),
    Column("business_date", Date, nullable=False),
    Column("store_id", UUID(as_uuid=True), nullable=False),
    Column("evaluated", BigInteger, nullable=False, server_default=text("0")),
    Column("applied", BigInteger, nullable=False, server_default=text("0")),
    _money("applied_discount"),
    _money("applied_cart_value"),
    _money("skipped_cart_value"),
    PrimaryKeyConstraint("promotion_id", "business_date", "store_id"),
    Index("ix_evaluation_daily_business_date", "business_date"),
)

#: Skipped evaluations per promotion, day, store and reason code.
evaluation_reasons = Table(
    "evaluation_reasons",
    metadata,
    Column("promotion_id", UUID(as_uuid=True), nullable=False),
    Column("business_date", Date, nullable=False),
    Column("store_id", UUID(as_uuid=True), nullable=False),
    Column("reason_code", Text, nullable=False),
    Column("skipped", BigInteger, nullable=False, server_default=text("0")),
    PrimaryKeyConstraint("promotion_id", "business_date", "store_id", "reason_code"),
)

#: The last limit state announced per limit key (see ``domain.limits.LimitKey.scope_key``).
limit_states = Table(
    "limit_states",
    metadata,
    Column("promotion_id", UUID(as_uuid=True), nullable=False),
    Column("limit_name", Text, nullable=False),
    Column("scope_key", Text, nullable=False),
    Column("business_date", Date),
    Column("store_id", UUID(as_uuid=True)),
    Column("state", Text, nullable=False),
    Column("uses", Integer, nullable=False),
    Column("max_uses", Integer),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=text("now()")),
    PrimaryKeyConstraint("promotion_id", "limit_name", "scope_key"),
)

#: Transactional outbox of the records the collector publishes (``LimitStateChanged``).
outbox = Table(
    "outbox",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("event_id", UUID(as_uuid=True), nullable=False, unique=True),
    Column("topic", Text, nullable=False),
    Column("message_key", Text, nullable=False),
    Column("payload", Text, nullable=False),
    Column("headers", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=text("now()")),
    Column("sent_at", DateTime(timezone=True)),
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("last_error", Text),
    Index("ix_outbox_unsent", "id", postgresql_where=text("sent_at IS NULL")),
)
