"""Edge sync settings, from ``PROMOFLOW_*`` environment variables."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from promoflow_edge_sync.domain.decisions import StoreIdentity


class Settings(BaseSettings):
    """Configuration of one store's edge sync process.

    * ``PROMOFLOW_STORE_ID`` (UUID, required), ``PROMOFLOW_STORE_COMPANY_ID`` and
      ``PROMOFLOW_STORE_BRAND_ID`` (UUIDs; unset = not checked when filtering promotions).
    * ``PROMOFLOW_EDGE_DATABASE_URL``: SQLAlchemy URL of the edge store (default
      ``sqlite:///.run/stores/<store_id>/edge.db``, relative to the working directory).
    * ``PROMOFLOW_KAFKA_BOOTSTRAP``, ``PROMOFLOW_TOPIC_PREFIX``: the broker and topic names.
    * ``PROMOFLOW_HO_SYNC_URL`` (base URL of the HO compiler API) and
      ``PROMOFLOW_HO_SYNC_TOKEN`` (the compiler's bearer token for store edges): the HO sync
      API used by ``bootstrap`` and, while Kafka is unreachable, by ``run``.
    """

    model_config = SettingsConfigDict(env_prefix="PROMOFLOW_", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    store_id: UUID
    store_company_id: UUID | None = None
    store_brand_id: UUID | None = None
    edge_database_url: str = ""
    kafka_bootstrap: str = "127.0.0.1:9092"
    topic_prefix: str = "promoflow."
    ho_sync_url: str | None = None
    ho_sync_token: SecretStr | None = None
    ho_timeout_s: float = Field(default=30.0, gt=0)
    #: Records per consumer batch (one local transaction each).
    sync_batch_size: int = Field(default=500, ge=1, le=10_000)
    #: Longest wait for records in one poll (milliseconds).
    sync_poll_ms: int = Field(default=200, ge=10, le=10_000)
    #: How often lag is recorded while idle (seconds).
    sync_status_interval_s: float = Field(default=5.0, gt=0)
    #: Upper bound of the retry back-off while Kafka or the store fails (seconds).
    sync_retry_max_s: float = Field(default=30.0, gt=0)
    #: How often ``run`` pulls the HO sync API while Kafka is unreachable (seconds).
    ho_sync_interval_s: float = Field(default=60.0, gt=0)
    kafka_session_timeout_ms: int = Field(default=10_000, ge=6_000)

    @model_validator(mode="after")
    def _default_database(self) -> Settings:
        if not self.edge_database_url:
            self.edge_database_url = f"sqlite:///.run/stores/{self.store_id}/edge.db"
        if self.env == "production" and self.ho_sync_url and self.ho_sync_token is None:
            raise ValueError("PROMOFLOW_HO_SYNC_TOKEN is required in production")
        return self

    @property
    def identity(self) -> StoreIdentity:
        """The store this process serves."""
        return StoreIdentity(self.store_id, self.store_company_id, self.store_brand_id)

    @property
    def consumer_group(self) -> str:
        """The store's own consumer group on ``promotions.v1``."""
        return f"edge-sync.{self.store_id}"
