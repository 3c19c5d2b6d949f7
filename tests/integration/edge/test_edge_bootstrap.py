"""Bootstrap from the HO sync API (served here by a tiny local HTTP server of the test)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse
from uuid import UUID

import pytest
from sqlalchemy import select

from promoflow_contracts import edge_store as es
from promoflow_contracts.promotion import CompiledPromotion
from promoflow_contracts.topics import Topics
from promoflow_edge_sync.bootstrap import EdgeSync, ho_client_for
from promoflow_edge_sync.service import sync_from_ho
from promoflow_infra.processes import free_port
from tests.factories import BRAND_ID, COMPANY_ID, OTHER_STORE_ID
from tests.integration.edge.helpers import make_service, running, store_promotion, wait_until

REPO = Path(__file__).resolve().parents[3]
TOKEN = "ho-secret-token"


@dataclass
class FakeHo:
    """What the fake HO answers next, and the requests it received."""

    promotions: list[dict[str, Any]] = field(default_factory=list)
    deleted_ids: list[str] = field(default_factory=list)
    sync_timestamp: str = "2026-03-03T05:00:00+00:00"
    full_sync: bool | None = None
    requests: list[dict[str, Any]] = field(default_factory=list)
    url: str = ""

    def answer(
        self, *docs: CompiledPromotion | dict[str, Any], deleted: list[UUID] = (), at: str
    ) -> None:  # type: ignore[assignment]
        self.promotions = [
            d.model_dump(mode="json") if isinstance(d, CompiledPromotion) else d for d in docs
        ]
        self.deleted_ids = [str(d) for d in deleted]
        self.sync_timestamp = at


@pytest.fixture
def ho() -> Iterator[FakeHo]:
    """A local HTTP server playing the HO sync API."""
    state = FakeHo()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parsed = urlparse(self.path)
            state.requests.append(
                {
                    "path": parsed.path,
                    "query": {k: v[0] for k, v in parse_qs(parsed.query).items()},
                    "authorization": self.headers.get("Authorization"),
                }
            )
            if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                self.send_response(401)
                self.end_headers()
                return
            body = json.dumps(
                {
                    "promotions": state.promotions,
                    "deleted_ids": state.deleted_ids,
                    "sync_timestamp": state.sync_timestamp,
                    **({} if state.full_sync is None else {"full_sync": state.full_sync}),
                }
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


def _service(store_id: UUID, edge_url: str, ho: FakeHo, kafka: str = "127.0.0.1:1") -> EdgeSync:
    return make_service(
        store_id, edge_url, kafka, Topics("unused."), ho_sync_url=ho.url, ho_sync_token=TOKEN
    )


def _stored(service: EdgeSync) -> dict[str, int]:
    with service.store.engine.connect() as connection:
        rows = connection.execute(select(es.promotions.c.code, es.promotions.c.version))
        return {code: version for code, version in rows}


async def _pull(service: EdgeSync, full: bool = False) -> Any:
    client = ho_client_for(service.settings)
    assert client is not None
    return await sync_from_ho(
        store=service.store, identity=service.settings.identity, client=client, full=full
    )


async def test_bootstrap_stores_the_store_promotions_then_pulls_only_changes(
    ho: FakeHo, store_id: UUID, edge_url: str
) -> None:
    # given HO lists a promotion for this store and one for another store
    first = store_promotion(store_id, "BOOT", 1)
    elsewhere = store_promotion(
        store_id,
        "ELSEWHERE",
        targeting={"company_id": str(COMPANY_ID), "stores": [str(OTHER_STORE_ID)]},
    )
    ho.answer(first, elsewhere, at="2026-03-03T05:00:00+00:00")
    service = _service(store_id, edge_url, ho)
    # when the store bootstraps, and later pulls again after HO changed and deleted things
    report = await _pull(service)
    after_first = _stored(service)
    gone = store_promotion(store_id, "GONE", 1)
    ho.answer(gone, at="2026-03-03T05:01:00+00:00")
    await _pull(service)
    ho.answer(
        store_promotion(store_id, "BOOT", 2), deleted=[gone.id], at="2026-03-03T05:02:00+00:00"
    )
    await _pull(service)
    # then the first pull was a full one with the bearer token and the store id
    assert report.full and report.received == 2
    assert after_first == {"BOOT": 1}
    assert ho.requests[0]["authorization"] == f"Bearer {TOKEN}"
    assert ho.requests[0]["path"] == "/api/v1/sync/promotions"
    assert ho.requests[0]["query"] == {"store_id": str(store_id)}
    # and the next ones asked for changes since HO's last sync timestamp
    assert ho.requests[1]["query"]["updated_since"] == "2026-03-03T05:00:00+00:00"
    assert ho.requests[2]["query"]["updated_since"] == "2026-03-03T05:01:00+00:00"
    assert _stored(service) == {"BOOT": 2}


async def test_a_full_bootstrap_removes_what_ho_no_longer_lists(
    ho: FakeHo, store_id: UUID, edge_url: str
) -> None:
    service = _service(store_id, edge_url, ho)
    ho.answer(
        store_promotion(store_id, "A"),
        store_promotion(store_id, "B"),
        at="2026-03-03T05:00:00+00:00",
    )
    await _pull(service)
    # when a full pull lists only A
    ho.answer(store_promotion(store_id, "A"), at="2026-03-03T06:00:00+00:00")
    report = await _pull(service, full=True)
    # then B is gone and no updated_since was sent
    assert _stored(service) == {"A": 1}
    assert report.applied.removed == 1
    assert "updated_since" not in ho.requests[-1]["query"]


async def test_ho_saying_full_sync_replaces_the_set_even_on_an_incremental_pull(
    ho: FakeHo, store_id: UUID, edge_url: str
) -> None:
    service = _service(store_id, edge_url, ho)
    ho.answer(
        store_promotion(store_id, "A"),
        store_promotion(store_id, "B"),
        at="2026-03-03T05:00:00+00:00",
    )
    await _pull(service)
    # when HO answers the next (incremental) pull with its whole set and full_sync = true
    ho.full_sync = True
    ho.answer(store_promotion(store_id, "B"), at="2026-03-03T06:00:00+00:00")
    report = await _pull(service)
    # then what HO no longer lists is removed
    assert "updated_since" in ho.requests[-1]["query"]
    assert report.full and _stored(service) == {"B": 1}


async def test_an_invalid_document_is_rejected_and_the_cursor_stays_put(
    ho: FakeHo, store_id: UUID, edge_url: str
) -> None:
    service = _service(store_id, edge_url, ho)
    broken = store_promotion(store_id, "BROKEN").model_dump(mode="json")
    broken["rules"] = {"type": "percent_discount", "discount_percent": "250"}
    ho.answer(store_promotion(store_id, "OK"), broken, at="2026-03-03T05:00:00+00:00")
    # when HO sends one valid and one invalid document
    report = await _pull(service)
    await _pull(service)
    # then the valid one is stored, the invalid one named, and the next pull starts over
    assert _stored(service) == {"OK": 1}
    assert report.rejected and "discount_percent" in report.rejected[0]
    assert "updated_since" not in ho.requests[1]["query"]
    with service.store.engine.connect() as connection:
        error = connection.execute(select(es.sync_status.c.last_error)).scalar_one()
    assert "discount_percent" in error


def test_the_bootstrap_command_pulls_from_ho_and_prints_a_summary(
    ho: FakeHo, store_id: UUID, edge_url: str
) -> None:
    ho.answer(store_promotion(store_id, "CLI"), at="2026-03-03T05:00:00+00:00")
    env = {
        **os.environ,
        "PROMOFLOW_STORE_ID": str(store_id),
        "PROMOFLOW_STORE_COMPANY_ID": str(COMPANY_ID),
        "PROMOFLOW_STORE_BRAND_ID": str(BRAND_ID),
        "PROMOFLOW_EDGE_DATABASE_URL": edge_url,
        "PROMOFLOW_HO_SYNC_TOKEN": TOKEN,
    }
    # when the launcher runs `python -m promoflow_edge_sync bootstrap --ho-url ...`
    done = subprocess.run(
        [sys.executable, "-m", "promoflow_edge_sync", "bootstrap", "--ho-url", ho.url],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    # then it exits 0 and reports what it stored
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert summary["stored"] == 1 and summary["full"] is True


async def test_run_pulls_from_ho_while_kafka_is_unreachable(
    ho: FakeHo, store_id: UUID, edge_url: str
) -> None:
    # given Kafka cannot be reached but HO can
    ho.answer(store_promotion(store_id, "OFFLINE"), at="2026-03-03T05:00:00+00:00")
    service = _service(store_id, edge_url, ho, kafka=f"127.0.0.1:{free_port()}")
    # when the edge sync runs
    async with running(service):
        # then it fills the store from the HO sync API
        await wait_until(lambda: _stored(service) == {"OFFLINE": 1}, 30, "HO pull")
