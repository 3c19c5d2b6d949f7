"""Checkout and void over a real edge store: idempotency, limits, outbox rows, HO usage checks."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import func, select

from promoflow_contracts import edge_store as es
from promoflow_contracts.topics import Topics
from promoflow_infra.processes import free_port
from tests.integration.edge.helpers import (
    RunningApi,
    checkout_body,
    evaluator_settings,
    running_api,
    seed_store,
    store_promotion,
)

TOPICS = Topics("store.")


def count(api: RunningApi, table: Any, *where: Any) -> int:
    with api.container.repository.engine.connect() as connection:
        return int(
            connection.execute(select(func.count()).select_from(table).where(*where)).scalar_one()
        )


async def test_checkout_records_redemptions_and_outbox_rows_in_one_transaction(
    store_id: UUID, edge_url: str
) -> None:
    seed_store(store_id, edge_url, store_promotion(store_id, "TEN"))
    async with running_api(evaluator_settings(store_id, edge_url, "127.0.0.1:1", TOPICS)) as api:
        # when the POS checks out, claiming a total it made up
        response = await api.client.post(
            "/api/v1/transactions", json=checkout_body(store_id, "T-1", expected_total="50000")
        )
        body = response.json()
        rows = count(api, es.redemptions), count(api, es.transactions)
        with api.container.repository.engine.connect() as connection:
            outbox = connection.execute(
                select(es.outbox.c.event_type, es.outbox.c.topic, es.outbox.c.key).order_by(
                    es.outbox.c.id
                )
            ).all()
    # then the edge's own evaluation is recorded, and the POS's total only reported
    assert response.status_code == 200
    assert Decimal(body["result"]["payable"]) == 61200
    assert Decimal(body["total_mismatch"]) == -11200  # the POS expected 11,200 less
    [redemption] = body["redemptions"]
    assert redemption["code"] == "TEN" and Decimal(redemption["discount"]) == 6800
    assert redemption["verified"] is True
    assert rows == (1, 1)
    promo_id = str(store_promotion(store_id, "TEN").id)
    assert [tuple(r) for r in outbox] == [
        ("RedemptionRecorded", "store.redemptions.v1", promo_id),
        ("EvaluationLogged", "store.evaluations.v1", str(store_id)),
    ]


async def test_a_retried_checkout_returns_the_same_answer_and_records_nothing_twice(
    store_id: UUID, edge_url: str
) -> None:
    seed_store(store_id, edge_url, store_promotion(store_id, "TEN"))
    async with running_api(evaluator_settings(store_id, edge_url, "127.0.0.1:1", TOPICS)) as api:
        first = await api.client.post("/api/v1/transactions", json=checkout_body(store_id, "T-2"))
        retry = await api.client.post(
            "/api/v1/transactions",
            json=checkout_body(store_id, "T-2", evaluated_at="2026-03-03T12:01:00"),
        )
        other_cart = checkout_body(store_id, "T-2")
        other_cart["lines"][0]["quantity"] = 5
        conflict = await api.client.post("/api/v1/transactions", json=other_cart)
        rows = count(api, es.redemptions), count(api, es.outbox)
    assert retry.status_code == 200 and retry.json()["replayed"] is True
    assert retry.json()["redemptions"] == first.json()["redemptions"]
    assert retry.json()["result"] == first.json()["result"]
    assert conflict.status_code == 409
    assert rows == (1, 2)


async def test_concurrent_checkouts_never_exceed_a_daily_limit(
    store_id: UUID, edge_url: str
) -> None:
    # given a promotion that may be used 5 times a day
    limited = store_promotion(store_id, "FIVE", limits={"max_uses_per_day": 5})
    seed_store(store_id, edge_url, limited)
    async with running_api(evaluator_settings(store_id, edge_url, "127.0.0.1:1", TOPICS)) as api:
        # when 12 terminals check out at the same moment
        responses = await asyncio.gather(
            *(
                api.client.post("/api/v1/transactions", json=checkout_body(store_id, f"C-{n}"))
                for n in range(12)
            )
        )
        # then exactly 5 got the discount, and evaluate now says the daily limit is reached
        evaluate = await api.client.post(
            "/api/v1/evaluate",
            json={k: v for k, v in checkout_body(store_id, "x").items() if k != "transaction_id"},
        )
    assert all(r.status_code == 200 for r in responses)
    assert sum(len(r.json()["redemptions"]) for r in responses) == 5
    assert count(api, es.redemptions) == 5
    reasons = [n["reason_code"] for n in evaluate.json()["not_applied"]]
    assert reasons == ["daily_limit_reached"]


async def test_void_records_the_reversal_and_frees_the_limit(store_id: UUID, edge_url: str) -> None:
    limited = store_promotion(store_id, "ONCE", limits={"max_uses_per_day": 1})
    seed_store(store_id, edge_url, limited)
    async with running_api(evaluator_settings(store_id, edge_url, "127.0.0.1:1", TOPICS)) as api:
        first = await api.client.post("/api/v1/transactions", json=checkout_body(store_id, "V-1"))
        blocked = await api.client.post("/api/v1/transactions", json=checkout_body(store_id, "V-2"))
        # when the first checkout is voided (twice: the POS retried)
        void = await api.client.post("/api/v1/transactions/V-1/void", json={"reason": "refund"})
        again = await api.client.post("/api/v1/transactions/V-1/void", json={"reason": "refund"})
        unknown = await api.client.post("/api/v1/transactions/NOPE/void", json={"reason": "x"})
        freed = await api.client.post("/api/v1/transactions", json=checkout_body(store_id, "V-3"))
        voided_events = count(api, es.outbox, es.outbox.c.event_type == "RedemptionVoided")
        replayed = await api.client.post(
            "/api/v1/transactions", json=checkout_body(store_id, "V-1")
        )
    assert len(first.json()["redemptions"]) == 1 and blocked.json()["redemptions"] == []
    assert void.status_code == 200
    assert void.json()["voided_redemptions"] == [first.json()["redemptions"][0]["redemption_id"]]
    assert (
        again.json()["replayed"] is True and again.json()["voided_at"] == void.json()["voided_at"]
    )
    assert unknown.status_code == 404
    assert len(freed.json()["redemptions"]) == 1
    assert voided_events == 1
    assert replayed.json()["status"] == "voided"


class _FakeUsage:
    """HO's customer usage API: answers ``uses`` per promotion, optionally slowly."""

    def __init__(self) -> None:
        self.uses = 0
        self.delay = 0.0
        self.paths: list[str] = []


@pytest.fixture
def ho_usage() -> Iterator[tuple[_FakeUsage, str]]:
    state = _FakeUsage()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.paths.append(self.path)
            time.sleep(state.delay)
            body = json.dumps({"uses": state.uses}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    class QuietServer(ThreadingHTTPServer):
        def handle_error(self, request: Any, client_address: Any) -> None:
            pass  # the evaluator hangs up on a slow answer; that is the point

    server = QuietServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield state, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _member(store_id: UUID, transaction_id: str) -> dict[str, Any]:
    return checkout_body(
        store_id, transaction_id, customer={"customer_id": "cust-42", "is_member": True}
    )


async def test_per_customer_limit_is_checked_with_ho(
    store_id: UUID, edge_url: str, ho_usage: tuple[_FakeUsage, str]
) -> None:
    fake, url = ho_usage
    once = store_promotion(store_id, "ONCEPP", limits={"max_uses_per_customer": 1})
    seed_store(store_id, edge_url, once)
    settings = evaluator_settings(store_id, edge_url, "127.0.0.1:1", TOPICS, ho_usage_url=url)
    async with running_api(settings) as api:
        # given HO says the customer has not used it: it applies, verified
        fresh = await api.client.post("/api/v1/transactions", json=_member(store_id, "P-1"))
        # given HO says the customer used it elsewhere already: it does not apply here
        fake.uses = 1
        used = await api.client.post("/api/v1/transactions", json=_member(store_id, "P-2"))
    assert fresh.json()["redemptions"][0]["verified"] is True
    assert used.json()["redemptions"] == []
    assert [n["reason_code"] for n in used.json()["result"]["not_applied"]] == [
        "customer_limit_reached"
    ]
    assert fake.paths[0] == f"/api/v1/usage/customers/cust-42/promotions/{once.id}"


async def test_when_ho_is_slow_or_offline_the_store_decides_and_flags_it_unverified(
    store_id: UUID, edge_url: str, ho_usage: tuple[_FakeUsage, str]
) -> None:
    fake, url = ho_usage
    fake.delay = 2.0
    seed_store(
        store_id, edge_url, store_promotion(store_id, "ONCEPP", limits={"max_uses_per_customer": 1})
    )
    slow = evaluator_settings(store_id, edge_url, "127.0.0.1:1", TOPICS, ho_usage_url=url)
    async with running_api(slow) as api:
        started = time.monotonic()
        first = await api.client.post("/api/v1/transactions", json=_member(store_id, "S-1"))
        elapsed = time.monotonic() - started
    offline = evaluator_settings(
        store_id, edge_url, "127.0.0.1:1", TOPICS, ho_usage_url=f"http://127.0.0.1:{free_port()}"
    )
    async with running_api(offline) as api:
        second = await api.client.post("/api/v1/transactions", json=_member(store_id, "S-2"))
    # then the first is applied unverified within the 300 ms budget, the second is refused locally
    assert first.json()["redemptions"][0]["verified"] is False
    assert elapsed < 1.5
    assert second.json()["redemptions"] == []


async def test_checkout_on_a_postgresql_edge_store_serialises_limits_too(
    store_id: UUID, database_url: str
) -> None:
    # given the edge store is PostgreSQL and a promotion may be used 3 times a day
    seed_store(
        store_id, database_url, store_promotion(store_id, "PG3", limits={"max_uses_per_day": 3})
    )
    settings = evaluator_settings(store_id, database_url, "127.0.0.1:1", TOPICS)
    async with running_api(settings) as api:
        # when 8 terminals check out at once, and one of them retries
        responses = await asyncio.gather(
            *(
                api.client.post("/api/v1/transactions", json=checkout_body(store_id, f"PG-{n}"))
                for n in range(8)
            )
        )
        retry = await api.client.post("/api/v1/transactions", json=checkout_body(store_id, "PG-0"))
        rows = count(api, es.redemptions), count(api, es.outbox)
    # then exactly 3 redemptions were recorded, each with its outbox rows, and none twice
    assert sum(len(r.json()["redemptions"]) for r in responses) == 3
    assert retry.json()["replayed"] is True
    assert rows == (3, 3 + 8)
