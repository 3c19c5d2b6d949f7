"""The usage collector's schema ``usage``: dedupe, promotions, redemptions, aggregates,
evaluation counts, limit states and the outbox.

Revision ID: 0001
Revises:
Create Date: 2026-11-21 20:27:04.776734+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("CREATE SCHEMA IF NOT EXISTS usage")
    op.create_table(
        "customer_days",
        sa.Column("promotion_id", sa.UUID(), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("store_id", sa.UUID(), nullable=False),
        sa.Column("customer_id", sa.Text(), nullable=False),
        sa.Column("uses", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.PrimaryKeyConstraint(
            "promotion_id",
            "business_date",
            "store_id",
            "customer_id",
            name=op.f("pk_customer_days"),
        ),
        schema="usage",
    )
    op.create_table(
        "customer_usage",
        sa.Column("customer_id", sa.Text(), nullable=False),
        sa.Column("promotion_id", sa.UUID(), nullable=False),
        sa.Column("uses", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column(
            "discount",
            sa.Numeric(precision=24, scale=4),
            server_default=sa.text("0"),
            nullable=False,
        ),
        sa.Column("last_redeemed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("customer_id", "promotion_id", name=op.f("pk_customer_usage")),
        schema="usage",
    )
    op.create_table(
        "evaluation_daily",
        sa.Column("promotion_id", sa.UUID(), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("store_id", sa.UUID(), nullable=False),
        sa.Column("evaluated", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("applied", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column(
            "applied_discount",
            sa.Numeric(precision=24, scale=4),
            server_default=sa.text("0"),
            nullable=False,
        ),
        sa.Column(
            "applied_cart_value",
            sa.Numeric(precision=24, scale=4),
            server_default=sa.text("0"),
            nullable=False,
        ),
        sa.Column(
            "skipped_cart_value",
            sa.Numeric(precision=24, scale=4),
            server_default=sa.text("0"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint(
            "promotion_id", "business_date", "store_id", name=op.f("pk_evaluation_daily")
        ),
        schema="usage",
    )
    op.create_index(
        "ix_evaluation_daily_business_date",
        "evaluation_daily",
        ["business_date"],
        unique=False,
        schema="usage",
    )
    op.create_table(
        "evaluation_reasons",
        sa.Column("promotion_id", sa.UUID(), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("store_id", sa.UUID(), nullable=False),
        sa.Column("reason_code", sa.Text(), nullable=False),
        sa.Column("skipped", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.PrimaryKeyConstraint(
            "promotion_id",
            "business_date",
            "store_id",
            "reason_code",
            name=op.f("pk_evaluation_reasons"),
        ),
        schema="usage",
    )
    op.create_table(
        "limit_states",
        sa.Column("promotion_id", sa.UUID(), nullable=False),
        sa.Column("limit_name", sa.Text(), nullable=False),
        sa.Column("scope_key", sa.Text(), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=True),
        sa.Column("store_id", sa.UUID(), nullable=True),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("uses", sa.Integer(), nullable=False),
        sa.Column("max_uses", sa.Integer(), nullable=True),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint(
            "promotion_id", "limit_name", "scope_key", name=op.f("pk_limit_states")
        ),
        schema="usage",
    )
    op.create_table(
        "outbox",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("event_id", sa.UUID(), nullable=False),
        sa.Column("topic", sa.Text(), nullable=False),
        sa.Column("message_key", sa.Text(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column(
            "headers",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint("event_id", name=op.f("uq_outbox_event_id")),
        schema="usage",
    )
    op.create_index(
        "ix_outbox_unsent",
        "outbox",
        ["id"],
        unique=False,
        schema="usage",
        postgresql_where=sa.text("sent_at IS NULL"),
    )
    op.create_table(
        "processed_events",
        sa.Column("event_id", sa.UUID(), nullable=False),
        sa.Column("event_type", sa.Text(), nullable=False),
        sa.Column("processed_by", sa.Text(), nullable=False),
        sa.Column(
            "processed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("clock_timestamp()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_processed_events")),
        schema="usage",
    )
    op.create_table(
        "promotion_daily",
        sa.Column("promotion_id", sa.UUID(), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("store_id", sa.UUID(), nullable=False),
        sa.Column("brand_key", sa.UUID(), nullable=False),
        sa.Column("uses", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column(
            "discount",
            sa.Numeric(precision=24, scale=4),
            server_default=sa.text("0"),
            nullable=False,
        ),
        sa.Column(
            "reward", sa.Numeric(precision=24, scale=4), server_default=sa.text("0"), nullable=False
        ),
        sa.Column(
            "gross_sales",
            sa.Numeric(precision=24, scale=4),
            server_default=sa.text("0"),
            nullable=False,
        ),
        sa.Column(
            "net_sales",
            sa.Numeric(precision=24, scale=4),
            server_default=sa.text("0"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint(
            "promotion_id",
            "business_date",
            "store_id",
            "brand_key",
            name=op.f("pk_promotion_daily"),
        ),
        schema="usage",
    )
    op.create_index(
        "ix_promotion_daily_business_date",
        "promotion_daily",
        ["business_date"],
        unique=False,
        schema="usage",
    )
    op.create_table(
        "promotion_totals",
        sa.Column("promotion_id", sa.UUID(), nullable=False),
        sa.Column("uses", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column(
            "discount",
            sa.Numeric(precision=24, scale=4),
            server_default=sa.text("0"),
            nullable=False,
        ),
        sa.Column(
            "reward", sa.Numeric(precision=24, scale=4), server_default=sa.text("0"), nullable=False
        ),
        sa.Column(
            "gross_sales",
            sa.Numeric(precision=24, scale=4),
            server_default=sa.text("0"),
            nullable=False,
        ),
        sa.Column(
            "net_sales",
            sa.Numeric(precision=24, scale=4),
            server_default=sa.text("0"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("promotion_id", name=op.f("pk_promotion_totals")),
        schema="usage",
    )
    op.create_table(
        "promotions",
        sa.Column("promotion_id", sa.UUID(), nullable=False),
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("company_id", sa.UUID(), nullable=False),
        sa.Column("brand_id", sa.UUID(), nullable=True),
        sa.Column("campaign_id", sa.UUID(), nullable=True),
        sa.Column("max_uses", sa.Integer(), nullable=True),
        sa.Column("max_uses_per_day", sa.Integer(), nullable=True),
        sa.Column("max_uses_per_customer", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("withdrawn", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("promotion_id", name=op.f("pk_promotions")),
        schema="usage",
    )
    op.create_table(
        "redemptions",
        sa.Column("redemption_id", sa.UUID(), nullable=False),
        sa.Column("promotion_id", sa.UUID(), nullable=False),
        sa.Column("store_id", sa.UUID(), nullable=False),
        sa.Column("brand_id", sa.UUID(), nullable=True),
        sa.Column("campaign_id", sa.UUID(), nullable=True),
        sa.Column("customer_id", sa.Text(), nullable=True),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("discount", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("reward", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("cart_subtotal", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("cart_total", sa.Numeric(precision=18, scale=4), nullable=True),
        sa.Column("redeemed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("voided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("verified", sa.Boolean(), nullable=False),
        sa.Column("recorded", sa.Boolean(), nullable=False),
        sa.Column("voided", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("redemption_id", name=op.f("pk_redemptions")),
        schema="usage",
    )
    op.create_index(
        "ix_redemptions_promotion_date",
        "redemptions",
        ["promotion_id", "business_date"],
        unique=False,
        schema="usage",
    )


def downgrade() -> None:
    op.drop_index("ix_redemptions_promotion_date", table_name="redemptions", schema="usage")
    op.drop_table("redemptions", schema="usage")
    op.drop_table("promotions", schema="usage")
    op.drop_table("promotion_totals", schema="usage")
    op.drop_index("ix_promotion_daily_business_date", table_name="promotion_daily", schema="usage")
    op.drop_table("promotion_daily", schema="usage")
    op.drop_table("processed_events", schema="usage")
    op.drop_index(
        "ix_outbox_unsent",
        table_name="outbox",
        schema="usage",
        postgresql_where=sa.text("sent_at IS NULL"),
    )
    op.drop_table("outbox", schema="usage")
    op.drop_table("limit_states", schema="usage")
    op.drop_table("evaluation_reasons", schema="usage")
    op.drop_index(
        "ix_evaluation_daily_business_date", table_name="evaluation_daily", schema="usage"
    )
    op.drop_table("evaluation_daily", schema="usage")
    op.drop_table("customer_usage", schema="usage")
    op.drop_table("customer_days", schema="usage")
    op.execute("DROP SCHEMA IF EXISTS usage")
