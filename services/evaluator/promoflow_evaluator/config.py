"""Evaluator settings, from ``PROMOFLOW_*`` environment variables."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal
from uuid import UUID

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

#: Terminal key accepted in development when ``PROMOFLOW_TERMINAL_KEYS`` is not set.
DEVELOPMENT_TERMINAL_KEY = "dev-terminal-key"


class Settings(BaseSettings):
    """Configuration of one store's evaluator processes (API workers and relay).

    Store identity: ``PROMOFLOW_STORE_ID`` (UUID, required), ``PROMOFLOW_STORE_COMPANY_ID``
    (UUID, required), ``PROMOFLOW_STORE_BRAND_ID`` (UUID, optional: a food court has none),
    ``PROMOFLOW_STORE_TIMEZONE`` (IANA, default ``Asia/Jakarta``), ``PROMOFLOW_STORE_COUNTRY``
    (ISO, default ``ID``; national holidays), ``PROMOFLOW_STORE_CURRENCY`` (default ``IDR``),
    ``PROMOFLOW_STORE_ROUNDING_UNIT`` / ``PROMOFLOW_STORE_CASH_ROUNDING_UNIT`` (major units,
    e.g. ``1`` / ``100``; unset = the currency's minor unit / no cash rounding).

    POS authentication: ``PROMOFLOW_TERMINAL_KEYS`` (comma-separated; header
    ``X-Terminal-Key``); unset in development means :data:`DEVELOPMENT_TERMINAL_KEY`, unset
    elsewhere is an error.

    Store and HO: ``PROMOFLOW_EDGE_DATABASE_URL`` (default
    ``sqlite:///.run/stores/<store_id>/edge.db``), ``PROMOFLOW_KAFKA_BOOTSTRAP``,
    ``PROMOFLOW_TOPIC_PREFIX``, ``PROMOFLOW_HO_USAGE_URL`` (usage collector base URL; unset =
    offline, per-customer limits decided locally and flagged unverified),
    ``PROMOFLOW_HO_USAGE_TOKEN`` (the collector's analytics bearer token; a different secret
    from the compiler's sync token).
    """

    model_config = SettingsConfigDict(env_prefix="PROMOFLOW_", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    store_id: UUID
    store_company_id: UUID
    store_brand_id: UUID | None = None
    store_timezone: str = "Asia/Jakarta"
    store_country: str = "ID"
    store_currency: str = "IDR"
    store_rounding_unit: Decimal | None = None
    store_cash_rounding_unit: Decimal | None = None
    terminal_keys: Annotated[list[str], NoDecode] = Field(default_factory=list)
    edge_database_url: str = ""
    kafka_bootstrap: str = "127.0.0.1:9092"
    topic_prefix: str = "promoflow."
    ho_usage_url: str | None = None
    ho_usage_token: SecretStr | None = None
    #: Time budget of one HO usage lookup at checkout (milliseconds, at most 300).
    ho_usage_timeout_ms: int = Field(default=250, ge=10, le=300)
    #: How often each worker checks the store's data and usage versions (milliseconds). One
    #: indexed single-row read per look (tens of microseconds of a worker's time); a change
    #: costs what changed (incremental rebuild), so 100 ms keeps HO commit → visible on every
    #: worker well under the 1 s target.
    snapshot_poll_ms: int = Field(default=100, ge=20, le=10_000)
    #: A checkout honours the POS's ``evaluated_at`` when within this many seconds of now.
    checkout_clock_tolerance_s: int = Field(default=900, ge=0)
    #: Outbox rows the relay sends per round, and its back-off ceiling (seconds).
    relay_batch_size: int = Field(default=200, ge=1, le=5_000)
    relay_backoff_max_s: float = Field(default=30.0, gt=0)
    relay_idle_poll_ms: int = Field(default=200, ge=10)

    @field_validator("terminal_keys", mode="before")
    @classmethod
    def _split_keys(cls, value: object) -> object:
        if isinstance(value, str):
            return [key.strip() for key in value.split(",") if key.strip()]
        return value

    @model_validator(mode="after")
    def _defaults(self) -> Settings:
        if not self.edge_database_url:
            self.edge_database_url = f"sqlite:///.run/stores/{self.store_id}/edge.db"
        if not self.terminal_keys:
            if self.env != "development":
                raise ValueError("PROMOFLOW_TERMINAL_KEYS is required outside development")
            self.terminal_keys = [DEVELOPMENT_TERMINAL_KEY]
        if self.env == "production" and self.ho_usage_url and self.ho_usage_token is None:
            raise ValueError("PROMOFLOW_HO_USAGE_TOKEN is required in production")
        return self
