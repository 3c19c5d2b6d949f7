"""The HO schema migrates on the real PostgreSQL, and the outbox keeps tombstones as NULL."""

from __future__ import annotations

import uuid

from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text

from promoflow_compiler.adapters.migrate import upgrade_to_head
from promoflow_infra.paths import REPO_ROOT

ALEMBIC_INI = REPO_ROOT / "services" / "compiler" / "promoflow_compiler" / "alembic.ini"


def _head_revision() -> str:
    config = Config(str(ALEMBIC_INI))
    head = ScriptDirectory.from_config(config).get_current_head()
    assert head is not None
    return head


def test_migrations_create_the_outbox_and_are_idempotent(database_url: str) -> None:
    # given an empty database
    # when the HO schema is migrated to head twice
    upgrade_to_head(database_url)
    upgrade_to_head(database_url)
    engine = create_engine(database_url)
    try:
        tables = set(inspect(engine).get_table_names())
        with engine.begin() as conn:
            version = conn.execute(text("select version_num from alembic_version")).scalar_one()
            server = conn.execute(text("show server_version")).scalar_one()
    finally:
        engine.dispose()
    # then the outbox exists and one revision is recorded
    assert {"outbox_messages", "alembic_version"} <= tables
    assert version == _head_revision()
    assert int(server.split(".")[0]) >= 15


def test_outbox_row_without_payload_is_a_sql_null_tombstone(database_url: str) -> None:
    upgrade_to_head(database_url)
    engine = create_engine(database_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "insert into outbox_messages (event_id, topic, message_key, payload)"
                    " values (:id, 'promoflow.promotions.v1', 'k', NULL)"
                ),
                {"id": uuid.uuid4()},
            )
            nulls = conn.execute(
                text(
                    "select count(*) from outbox_messages where payload is null and sent_at is null"
                )
            ).scalar_one()
    finally:
        engine.dispose()
    assert nulls == 1
