"""Settings of the HO compiler service, read from ``PROMOFLOW_*`` environment variables.

``PROMOFLOW_ENV`` is ``development`` by default (local runs); only there do
``PROMOFLOW_ADMIN_TOKEN`` and ``PROMOFLOW_HO_DATABASE_URL`` have defaults
(:data:`DEV_ADMIN_TOKEN`, the launcher's PostgreSQL on 127.0.0.1:5433). Any other environment
must set both, or :class:`Settings` refuses to load.
"""

from __future__ import annotations

import socket
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from promoflow_contracts.topics import DEFAULT_PREFIX, Topics

#: Bootstrap admin token used only when ``PROMOFLOW_ENV=development`` and none is set.
DEV_ADMIN_TOKEN = "dev-admin-token"
#: HO database of a local run (``infra/postgres/postgres.sh`` default port 5433).
DEV_DATABASE_URL = "postgresql+psycopg://promoflow:promoflow@127.0.0.1:5433/promoflow"


class Settings(BaseSettings):
    """Every knob of the compiler service (env prefix ``PROMOFLOW_``).

    Times are in seconds. ``producer_name`` goes into every event envelope's ``producer``.
    """

    model_config = SettingsConfigDict(env_prefix="PROMOFLOW_", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    ho_database_url: str | None = None
    kafka_bootstrap: str = "127.0.0.1:9092"
    topic_prefix: str = DEFAULT_PREFIX
    admin_token: SecretStr | None = None
    producer_name: str = Field(default_factory=lambda: f"compiler/{socket.gethostname()}")
    db_pool_size: int = Field(default=10, ge=1, le=200)
    relay_batch_size: int = Field(default=200, ge=1, le=10_000)
    relay_poll_interval: float = Field(default=0.2, gt=0)
    relay_backoff_initial: float = Field(default=0.5, gt=0)
    relay_backoff_max: float = Field(default=30.0, gt=0)
    scheduler_interval: float = Field(default=60.0, gt=0)
    limits_group_id: str = "compiler-limits"

    @model_validator(mode="after")
    def _development_defaults_only(self) -> Settings:
        if self.admin_token is None or not self.admin_token.get_secret_value():
            if self.env != "development":
                raise ValueError("PROMOFLOW_ADMIN_TOKEN is required outside development")
            self.admin_token = SecretStr(DEV_ADMIN_TOKEN)
        if not self.ho_database_url:
            if self.env != "development":
                raise ValueError("PROMOFLOW_HO_DATABASE_URL is required outside development")
            self.ho_database_url = DEV_DATABASE_URL
        return self

    @property
    def topics(self) -> Topics:
        """The topic names under ``topic_prefix``."""
        return Topics(self.topic_prefix)

    @property
    def database_url(self) -> str:
        """The HO database URL (always set after validation)."""
        assert self.ho_database_url is not None
        return self.ho_database_url

    @property
    def admin_token_value(self) -> str:
        """The bootstrap admin token (always set after validation)."""
        assert self.admin_token is not None
        return self.admin_token.get_secret_value()
