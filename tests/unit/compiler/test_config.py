"""Settings: development defaults only in development."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from promoflow_compiler.config import DEV_ADMIN_TOKEN, DEV_DATABASE_URL, Settings


def test_development_gets_a_bootstrap_admin_token_and_local_database(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("PROMOFLOW_ENV", "PROMOFLOW_ADMIN_TOKEN", "PROMOFLOW_HO_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings()
    assert settings.env == "development"
    assert (
        settings.admin_token_value == DEV_ADMIN_TOKEN and settings.database_url == DEV_DATABASE_URL
    )


@pytest.mark.parametrize("env", ["test", "production"])
def test_outside_development_the_admin_token_is_required(
    monkeypatch: pytest.MonkeyPatch, env: str
) -> None:
    monkeypatch.delenv("PROMOFLOW_ADMIN_TOKEN", raising=False)
    monkeypatch.setenv("PROMOFLOW_HO_DATABASE_URL", "postgresql+psycopg://x@h/db")
    with pytest.raises(ValidationError, match="PROMOFLOW_ADMIN_TOKEN is required"):
        Settings(env=env)


def test_outside_development_the_database_url_is_required(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PROMOFLOW_HO_DATABASE_URL", raising=False)
    with pytest.raises(ValidationError, match="PROMOFLOW_HO_DATABASE_URL is required"):
        Settings(env="production", admin_token="s3cret")  # type: ignore[arg-type]


def test_topics_follow_the_prefix() -> None:
    assert Settings(topic_prefix="x.").topics.promotions.name == "x.promotions.v1"
