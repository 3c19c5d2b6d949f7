"""The outbox relay against the real broker: what authors do reaches promotions.v1, once per
change, in order, and nothing is lost when the relay dies between publishing and marking."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text

from promoflow_compiler.adapters.orm import OutboxMessage
from promoflow_compiler.adapters.relay import OutboxRelay, kafka_producer
from promoflow_compiler.bootstrap import Container
from promoflow_contracts.events import PromotionPublished, PromotionWithdrawn
from promoflow_contracts.topics import Topics
from tests.factories import LATTE
from tests.integration.compiler.conftest import Clock
from tests.integration.compiler.kafka_io import read_topic, version_of
from tests.integration.compiler.seed import ADMIN, ADMIN_TOKEN, ok
from tests.unit.compiler.builders import RULES, spec_dict

PROMOS = "/api/v1/promotions"
REPO = Path(__file__).resolve().parents[3]


def author(client: TestClient, code: str, **overrides: Any) -> str:
    rules = overrides.pop("rules", None)
    body = ok(
        client.post(
            PROMOS,
            headers=ADMIN,
            json={**spec_dict(rules, code=code, **overrides), "activate": True},
        ),
        201,
    )
    return str(body["id"])


def unsent(container: Container) -> int:
    with container.ctx.sessions() as session:
        return session.scalar(select(func.count()).where(OutboxMessage.sent_at.is_(None))) or 0


async def test_authoring_publishes_exactly_one_event(
    kafka_client: TestClient, kafka_container: Container, topics: Topics, kafka_bootstrap: str
) -> None:
    # given an authored and activated promotion
    pid = author(kafka_client, "ONE")
    # when the relay drains the outbox
    relay = kafka_container.relay()
    sent = await relay.drain()
    await relay.close()
    # then exactly one record is on promotions.v1: the compiled document, keyed by the promotion
    seen = await read_topic(kafka_bootstrap, topics.promotions.name)
    assert sent == 1 and len(seen) == 1
    assert seen[0].key == pid and isinstance(seen[0].event, PromotionPublished)
    assert seen[0].event.data.promotion.version == 1 and unsent(kafka_container) == 0


async def test_edit_publishes_a_higher_version_and_delete_a_tombstone(
    kafka_client: TestClient, kafka_container: Container, topics: Topics, kafka_bootstrap: str
) -> None:
    pid = author(kafka_client, "EDIT")
    ok(
        kafka_client.put(
            f"{PROMOS}/{pid}",
            headers=ADMIN,
            json=spec_dict(
                code="EDIT", rules={"type": "percent_discount", "discount_percent": "25"}
            ),
        )
    )
    ok(kafka_client.delete(f"{PROMOS}/{pid}", headers=ADMIN), 204)
    relay = kafka_container.relay()
    await relay.drain()
    await relay.close()
    seen = [s for s in await read_topic(kafka_bootstrap, topics.promotions.name) if s.key == pid]
    assert [(type(s.event).__name__, version_of(s)) for s in seen] == [
        ("PromotionPublished", 1),
        ("PromotionPublished", 2),
        ("PromotionWithdrawn", 3),
    ]
    assert seen[-1].tombstone and isinstance(seen[-1].event, PromotionWithdrawn)
    assert seen[-1].event.data.reason == "deleted"
    assert seen[1].event.data.promotion.rules.discount_percent == 25  # type: ignore[union-attr]


async def test_a_price_change_republishes_the_promotions_that_embed_the_product(
    kafka_client: TestClient, kafka_container: Container, topics: Topics, kafka_bootstrap: str
) -> None:
    combo = author(kafka_client, "COMBO", rules=RULES["combo"])
    latte = author(
        kafka_client, "LATTE", scope={"apply_to": "products", "product_ids": [str(LATTE)]}
    )
    upsell = author(kafka_client, "UPSELL", rules=RULES["upsell"])  # embeds the croissant only
    other = author(
        kafka_client,
        "MUFFIN",
        scope={"apply_to": "products", "product_ids": [str(RULES["free_item"]["free_product_id"])]},
    )
    ok(kafka_client.patch(f"/api/v1/products/{LATTE}", headers=ADMIN, json={"price": "29000"}))
    relay = kafka_container.relay()
    await relay.drain()
    await relay.close()
    seen = await read_topic(kafka_bootstrap, topics.promotions.name)
    latest = {s.key: version_of(s) for s in seen}
    assert latest == {combo: 2, latte: 2, upsell: 1, other: 1}
    combo_v2 = next(s.event for s in seen if s.key == combo and version_of(s) == 2)
    assert isinstance(combo_v2, PromotionPublished)
    prices = {str(i.product_id): i.unit_price for i in combo_v2.data.promotion.rules.items}  # type: ignore[union-attr]
    assert prices[str(LATTE)] == 29000


async def test_relay_killed_between_publish_and_mark_loses_nothing(
    kafka_client: TestClient,
    kafka_container: Container,
    topics: Topics,
    kafka_bootstrap: str,
    ho_database_url: str,
) -> None:
    # given three changes waiting in the outbox
    first = author(kafka_client, "K1")
    second = author(kafka_client, "K2")
    ok(kafka_client.post(f"{PROMOS}/{first}/deactivate", headers=ADMIN))
    assert unsent(kafka_container) == 3
    # when a relay process publishes them and is SIGKILLed before marking them sent
    env = {
        **os.environ,
        "PROMOFLOW_ENV": "test",
        "PROMOFLOW_HO_DATABASE_URL": ho_database_url,
        "PROMOFLOW_ADMIN_TOKEN": ADMIN_TOKEN,
        "PROMOFLOW_KAFKA_BOOTSTRAP": kafka_bootstrap,
        "PROMOFLOW_TOPIC_PREFIX": topics.prefix,
    }
    crashed = subprocess.run(
        [sys.executable, "-m", "tests.integration.compiler.relay_crash"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert crashed.returncode == -9, crashed.stderr
    assert "dying before marking" in crashed.stdout
    # then the rows are still unsent although the broker has them
    after_crash = await read_topic(kafka_bootstrap, topics.promotions.name)
    assert len(after_crash) == 3 and unsent(kafka_container) == 3
    # when a new relay runs
    relay = kafka_container.relay()
    assert await relay.drain() == 3
    await relay.close()
    # then every event is on the topic (twice: harmless, same event ids and versions) and the
    # outbox is empty; the latest record per promotion is the latest version HO wrote
    seen = await read_topic(kafka_bootstrap, topics.promotions.name)
    assert unsent(kafka_container) == 0 and len(seen) == 6
    ids = [s.event.event_id for s in seen]
    assert len(set(ids)) == 3 and all(ids.count(i) == 2 for i in ids)
    latest = {s.key: (version_of(s), s.tombstone) for s in seen}
    assert latest == {first: (2, True), second: (1, False)}


async def test_relay_retries_while_the_broker_is_down_and_then_delivers(
    kafka_client: TestClient, kafka_container: Container, topics: Topics, kafka_bootstrap: str
) -> None:
    author(kafka_client, "LATE")
    # given a relay whose broker is unreachable
    down = OutboxRelay(
        kafka_container.engine,
        lambda: kafka_producer("127.0.0.1:1"),
        backoff_initial=0.05,
        backoff_max=0.2,
        poll_interval=0.05,
    )
    stop = asyncio.Event()
    task = asyncio.create_task(down.run(stop))
    await asyncio.sleep(1.5)
    stop.set()
    await asyncio.wait_for(task, timeout=10)
    # then the row is kept, with its failed attempts recorded
    with kafka_container.ctx.sessions() as session:
        row = session.scalars(select(OutboxMessage)).one()
    assert row.sent_at is None and row.attempts >= 1 and row.last_error
    # when the broker is reachable again, the row is delivered
    up = kafka_container.relay()
    stop = asyncio.Event()
    task = asyncio.create_task(up.run(stop))
    for _ in range(100):
        if unsent(kafka_container) == 0:
            break
        await asyncio.sleep(0.1)
    stop.set()
    await asyncio.wait_for(task, timeout=10)
    assert unsent(kafka_container) == 0
    assert len(await read_topic(kafka_bootstrap, topics.promotions.name)) == 1


async def test_only_one_relay_leads_at_a_time(kafka_container: Container) -> None:
    one, two = kafka_container.relay(), kafka_container.relay()
    try:
        assert one.acquire_leadership() is True
        assert one.acquire_leadership() is True  # re-checks its lock
        assert two.acquire_leadership() is False
        # the leader holds no open transaction (it would hold back the sync API's timestamp)
        with kafka_container.engine.connect() as conn:
            idle = conn.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND state = 'idle in transaction'"
                )
            ).scalar()
        assert idle == 0
        one.release_leadership()
        assert two.acquire_leadership() is True
    finally:
        one.release_leadership()
        two.release_leadership()


async def test_scheduler_withdraws_an_ended_promotion_once(
    kafka_client: TestClient,
    kafka_container: Container,
    topics: Topics,
    kafka_bootstrap: str,
    clock: Clock,
) -> None:
    from datetime import timedelta

    # given a promotion ending 2026-03-05, published
    pid = author(
        kafka_client, "SHORT", validity={"start_date": "2026-03-01", "end_date": "2026-03-05"}
    )
    assert kafka_container.scheduler.tick() == []
    # when it is 23:30 on the 5th in Jakarta (WIB is the last Indonesian zone to end a day)
    clock.now = clock.now.replace(day=5, hour=16, minute=30)  # 23:30 WIB on the 5th
    assert kafka_container.scheduler.tick() == []
    clock.now = clock.now + timedelta(hours=1)  # 00:30 WIB on the 6th
    changes = kafka_container.scheduler.tick()
    again = kafka_container.scheduler.tick()
    relay = kafka_container.relay()
    await relay.drain()
    await relay.close()
    # then it was withdrawn once, as expired
    assert [(str(c.promotion_id), c.event) for c in changes] == [(pid, "withdrawn")] and again == []
    last = (await read_topic(kafka_bootstrap, topics.promotions.name))[-1]
    assert (
        last.tombstone
        and isinstance(last.event, PromotionWithdrawn)
        and last.event.data.reason == "expired"
    )


@pytest.mark.parametrize("count", [60])
async def test_relay_sends_many_rows_in_batches_in_order(
    kafka_client: TestClient,
    kafka_container: Container,
    topics: Topics,
    kafka_bootstrap: str,
    count: int,
) -> None:
    pid = author(kafka_client, "MANY")
    for i in range(count - 1):
        ok(
            kafka_client.put(
                f"{PROMOS}/{pid}", headers=ADMIN, json=spec_dict(code="MANY", execution_priority=i)
            )
        )
    relay = OutboxRelay(
        kafka_container.engine, lambda: kafka_producer(kafka_bootstrap), batch_size=25
    )
    assert await relay.drain() == count
    await relay.close()
    seen = await read_topic(kafka_bootstrap, topics.promotions.name)
    assert [version_of(s) for s in seen] == list(range(1, count + 1))
