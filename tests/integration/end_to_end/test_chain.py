"""End to end: the README's run command brings up the whole chain; a promotion authored at HO
changes what a POS pays in the targeted store only, its redemptions are counted once at HO, its
usage limit reached at HO stops it in every store, and deactivating it removes it; Ctrl-C stops
everything.

One chain (``promoflow run``, three demo stores, every service a real process over a real Kafka
broker and PostgreSQL) serves the tests of this module, in order; the last one interrupts it.
"""

from __future__ import annotations

import signal
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from promoflow_infra.services import DEMO_COMPANY_ID, StoreSite
from promoflow_infra.store_status import read_store
from tests.http_checks import ok
from tests.integration.end_to_end.chain import (
    ADMIN,
    ANALYST,
    TERMINAL,
    Chain,
    launch,
    wait_for,
)

pytestmark = pytest.mark.timeout(900)
PROPAGATION_S = 30.0  # bounded waits: HO commit -> store, store -> HO, limit -> stores


@pytest.fixture(scope="module")
def chain(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Chain]:
    running = launch(Path(tmp_path_factory.mktemp("e2e")) / "run", stores=3)
    try:
        yield running
    finally:
        if running.process.poll() is None:
            running.process.kill()
        running.cli("down")  # whatever happened, leave no broker, database or service behind


def _promotion(
    code: str, product_id: uuid.UUID, percent: int, stores: list[StoreSite], **extra: Any
) -> dict[str, Any]:
    today = date.today()
    return {
        "company_id": str(DEMO_COMPANY_ID),
        "code": code,
        "name": f"End-to-end {code}",
        "currency": stores[0].currency,
        "validity": {
            "start_date": str(today - timedelta(days=2)),
            "end_date": str(today + timedelta(days=30)),
        },
        "scope": {"apply_to": "products", "product_ids": [str(product_id)]},
        "targeting": {"stores": [str(s.store_id) for s in stores]},
        "rules": {"type": "percent_discount", "discount_percent": str(percent)},
        "activate": True,
        **extra,
    }


def _cart(site: StoreSite, product_id: uuid.UUID, **extra: Any) -> dict[str, Any]:
    return {
        "store_id": str(site.store_id),
        "lines": [
            {"line_id": "1", "product_id": str(product_id), "unit_price": "20000", "quantity": 2}
        ],
        **extra,
    }


def _evaluate(chain: Chain, site: StoreSite, product_id: uuid.UUID) -> dict[str, Any]:
    url = f"{chain.evaluator_url(site)}/api/v1/evaluate"
    return ok(httpx.post(url, json=_cart(site, product_id), headers=TERMINAL, timeout=10))


def _applied(result: dict[str, Any]) -> dict[str, Decimal]:
    """Applied promotion code -> discount (major unit)."""
    return {a["code"]: Decimal(a["discount"]) for a in result["applied"]}


def _uses_at_ho(chain: Chain, promotion_id: str) -> int:
    today = date.today()
    report = ok(
        httpx.get(
            f"{chain.collector_url}/api/v1/analytics/promotions/{promotion_id}/performance",
            params={
                "date_from": str(today - timedelta(days=1)),
                "date_to": str(today + timedelta(days=1)),
            },
            headers=ANALYST,
            timeout=10,
        )
    )
    return int(report["summary"]["uses"])


def test_the_run_command_reports_every_part_ready(chain: Chain) -> None:
    started = "".join(chain.output)
    assert "PromoFlow is up" in started, started
    for part in (
        "kafka: ready",
        "postgres: ready",
        "compiler-migrate: schema at head",
        "usage-collector-migrate: schema at head",
        "compiler-api: ready",
        "usage-collector-worker: ready",
        "demo data:",
    ):
        assert part in started, (part, started)
    for site in chain.sites:
        assert f"evaluator-{site.code}: ready" in started, (site.code, started)
        health = httpx.get(f"{chain.evaluator_url(site)}/health", timeout=5)
        assert health.status_code == 200


def test_a_promotion_goes_from_ho_to_the_targeted_store_and_its_limit_comes_back(
    chain: Chain,
) -> None:
    # given two stores in one currency (the last two demo stores) and a product both sell
    targeted, other = chain.sites[-2], chain.sites[-1]
    assert targeted.currency == other.currency
    product_id = uuid.uuid4()
    ok(
        httpx.post(
            f"{chain.compiler_url}/api/v1/products",
            json={
                "id": str(product_id),
                "company_id": str(DEMO_COMPANY_ID),
                "sku": "E2E-TEA",
                "name": "End-to-end iced tea",
                "price": "20000",
            },
            headers=ADMIN,
            timeout=10,
        ),
        201,
    )
    # when HO authors ONLY (10%, the targeted store only) and BOTH (5%, both stores, 2 uses)
    only = ok(
        httpx.post(
            f"{chain.compiler_url}/api/v1/promotions",
            json=_promotion("E2E-ONLY", product_id, 10, [targeted], execution_priority=600),
            headers=ADMIN,
            timeout=10,
        ),
        201,
    )
    both = ok(
        httpx.post(
            f"{chain.compiler_url}/api/v1/promotions",
            json=_promotion("E2E-BOTH", product_id, 5, [targeted, other], limits={"max_uses": 2}),
            headers=ADMIN,
            timeout=10,
        ),
        201,
    )

    # then within a bounded wait both apply at the targeted store: ONLY first (higher
    # priority, 10% of 40,000), then BOTH on what is left (5% of 36,000)
    def both_apply() -> dict[str, Decimal] | None:
        applied = _applied(_evaluate(chain, targeted, product_id))
        return applied if {"E2E-ONLY", "E2E-BOTH"} <= set(applied) else None

    applied, waited = wait_for(both_apply, within=PROPAGATION_S, what="promotions at the store")
    assert applied == {"E2E-ONLY": Decimal(4000), "E2E-BOTH": Decimal(1800)}
    print(f"HO commit -> applied at the store: {waited:.2f}s")
    # and at the other store only BOTH applies, once its edge has caught up with the topic
    wait_for(
        lambda: "E2E-BOTH" in _applied(_evaluate(chain, other, product_id)) or None,
        within=PROPAGATION_S,
        what="the shared promotion at the other store",
    )
    assert set(_applied(_evaluate(chain, other, product_id))) == {"E2E-BOTH"}

    # when the targeted store checks out twice (and the POS retries the first checkout)
    checkout = f"{chain.evaluator_url(targeted)}/api/v1/transactions"
    for n, retry in ((1, False), (1, True), (2, False)):
        body = _cart(targeted, product_id, transaction_id=f"e2e-{n}")
        receipt = ok(httpx.post(checkout, json=body, headers=TERMINAL, timeout=10))
        assert receipt["replayed"] is retry
        assert {r["code"] for r in receipt["redemptions"]} == {"E2E-ONLY", "E2E-BOTH"}

    # then HO analytics count each redemption exactly once
    for promotion in (only, both):
        wait_for(
            lambda p=promotion: _uses_at_ho(chain, p["id"]) == 2 or None,
            within=PROPAGATION_S,
            what=f"2 uses of {promotion['code']} at HO",
        )

    # and BOTH's limit, reached at HO, stops it at the store that never redeemed it
    def stopped_at_other() -> dict[str, Any] | None:
        result = _evaluate(chain, other, product_id)
        skipped = {n["code"]: n["reason_code"] for n in result["not_applied"]}
        return result if skipped.get("E2E-BOTH") == "usage_limit_reached" else None

    result, waited = wait_for(stopped_at_other, within=PROPAGATION_S, what="limit at the store")
    print(f"limit reached at HO -> stopped at the other store: {waited:.2f}s")
    assert Decimal(result["total_discount"]) == 0
    assert "E2E-BOTH" not in _applied(_evaluate(chain, targeted, product_id))
    assert (_uses_at_ho(chain, only["id"]), _uses_at_ho(chain, both["id"])) == (2, 2)

    # when HO deactivates ONLY, then it disappears from the store
    ok(
        httpx.post(
            f"{chain.compiler_url}/api/v1/promotions/{only['id']}/deactivate",
            headers=ADMIN,
            timeout=10,
        )
    )
    detail = f"{chain.evaluator_url(targeted)}/api/v1/promotions/{only['id']}"
    wait_for(
        lambda: httpx.get(detail, headers=TERMINAL, timeout=5).status_code == 404 or None,
        within=PROPAGATION_S,
        what="the deactivated promotion gone from the store",
    )
    assert _applied(_evaluate(chain, targeted, product_id)) == {}


def test_status_shows_every_process_and_each_store_in_sync(chain: Chain) -> None:
    status = chain.cli("status")
    assert status.returncode == 0, status.stdout + status.stderr
    assert "stopped" not in status.stdout
    stores = Path(chain.env["PROMOFLOW_RUN_DIR"]) / "stores"
    for site in chain.sites:
        assert site.code in status.stdout
        # every store's edge has read the whole promotions topic and forwarded its outbox
        wait_for(
            lambda s=site: (
                (
                    (e := read_store(s.code, stores / s.code / "edge.db")).sync_lag == 0
                    and e.outbox_backlog == 0
                )
                or None
            ),
            within=PROPAGATION_S,
            what=f"{site.code} in sync with an empty outbox",
        )


def test_ctrl_c_stops_everything_cleanly(chain: Chain) -> None:
    # when the foreground launcher is interrupted
    chain.process.send_signal(signal.SIGINT)
    rest, _ = chain.process.communicate(timeout=120)
    # then it stopped every service and the platform and exited 0
    assert chain.process.returncode == 0, rest
    assert "kafka: stopped" in rest and f"stopped {6 + 3 * len(chain.sites)} services" in rest
    status = chain.cli("status")
    assert status.returncode == 1
    assert "kafka" in status.stdout and "running" not in status.stdout
