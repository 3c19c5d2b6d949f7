"""The replay's arithmetic (totals, percentiles, analytics comparison) and its carts."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from uuid import uuid4

import httpx
import pytest

from promoflow_infra.datasets import synthetic
from promoflow_infra.demo.analytics import compare
from promoflow_infra.demo.carts import (
    PAYMENT_WEIGHTS,
    ReplayCart,
    carts_for,
    generated_receipts,
)
from promoflow_infra.demo.ho_client import problems_of
from promoflow_infra.demo.importer import same
from promoflow_infra.demo.replay import replay_cart
from promoflow_infra.demo.stats import Redemption, ReplayStats, Totals, percentile

D = Decimal
PCT, CASHBACK = uuid4(), uuid4()


def pct(discount: str) -> Redemption:
    return Redemption(PCT, "PCT", "percent_discount", D(discount))


def cashback(reward: str) -> Redemption:
    return Redemption(CASHBACK, "CB", "cashback", D(0), D(reward))


def test_percentiles_are_nearest_rank() -> None:
    values = [float(v) for v in range(100, 0, -1)]
    assert (percentile(values, 50), percentile(values, 99), percentile(values, 100)) == (
        50.0,
        99.0,
        100.0,
    )
    assert percentile([7.0], 99) == 7.0
    assert percentile([], 50) is None


def test_totals_by_type_and_promotion_add_up() -> None:
    # given three checkouts: two discounts plus a cashback, a plain cart, and a retry
    stats = ReplayStats()
    stats.checkout([pct("2.50"), cashback("1.10")], replayed=False)
    stats.checkout([], replayed=False)
    stats.checkout([pct("1.00")], replayed=True)
    # then types and promotions count every redemption
    assert (stats.by_type["percent_discount"].uses, stats.by_type["percent_discount"].discount) == (
        2,
        D("3.50"),
    )
    assert stats.by_type["cashback"].reward == D("1.10")
    assert (stats.carts, stats.discounted, stats.replayed) == (3, 2, 1)
    assert (stats.total_discount, stats.total_reward) == (D("3.50"), D("1.10"))
    # and only the first run's redemptions are new for HO
    assert stats.new_by_promotion[PCT].uses == 1 and stats.new_by_promotion[PCT].discount == D(
        "2.50"
    )


def test_a_cart_with_only_a_reward_counts_as_rewarded() -> None:
    stats = ReplayStats()
    stats.checkout([cashback("0.40")], replayed=False)
    assert stats.discounted == 1 and stats.total_discount == 0


def test_evaluate_and_checkout_disagreements_are_counted() -> None:
    stats = ReplayStats()
    stats.checkout([], replayed=False, evaluated_discount=D(1), checkout_discount=D(1))
    stats.checkout([], replayed=False, evaluated_discount=D(2), checkout_discount=D(0))
    assert stats.evaluate_checkout_differ == 1


def test_errors_keep_the_first_messages_only() -> None:
    stats = ReplayStats()
    for n in range(8):
        stats.error(f"cart {n}")
    assert stats.errors == 8 and stats.error_samples == [f"cart {n}" for n in range(5)]


def test_the_summary_shows_latencies_and_types() -> None:
    stats = ReplayStats(evaluate_ms=[1.0, 2.0, 3.0], checkout_ms=[10.0])
    stats.checkout([pct("2.50")], replayed=False)
    text = "\n".join(stats.summary("GBP", 2.0))
    assert "evaluate latency p50 2.0 ms p99 3.0 ms" in text
    assert "checkout latency p50 10.0 ms" in text
    assert "percent_discount" in text and "0.5/s" in text


def test_analytics_agree_when_ho_rose_by_the_new_redemptions() -> None:
    # given HO had counted an earlier run, and this run recorded 2 uses worth 3.50
    baseline = {PCT: Totals(5, D("10.00"))}
    expected = {PCT: Totals(2, D("3.50"))}
    names = {PCT: ("PCT", "percent_discount")}
    # when HO now shows 7 uses worth 13.50, it agrees; 6 uses is a difference
    [row] = compare(expected, baseline, {PCT: Totals(7, D("13.5000"))}, names)
    assert row.agrees and row.ho.uses == 2
    [behind] = compare(expected, baseline, {PCT: Totals(6, D("12.00"))}, names)
    assert not behind.agrees


def test_a_promotion_ho_counted_but_the_replay_did_not_is_a_difference() -> None:
    [row] = compare({}, {}, {PCT: Totals(1, D(1))}, {})
    assert not row.agrees


@pytest.fixture(scope="module")
def cafe() -> synthetic.Dataset:
    return synthetic.generate(receipts=300)


def test_carts_are_deterministic_with_unique_transaction_ids(cafe: synthetic.Dataset) -> None:
    store = cafe.stores[0]
    first, second = carts_for(cafe, store, 50), carts_for(cafe, store, 50)
    assert [c.body for c in first] == [c.body for c in second]
    assert len({c.transaction_id for c in first}) == len(first) == 50
    assert all(c.transaction_id.startswith(f"rp-{store.code}-") for c in first)
    # and lines carry the product's category and brand (the engine scopes by them)
    products = cafe.product_by_id()
    for line in (line for c in first for line in c.body["lines"]):
        product = next(p for p in products.values() if str(p.id) == line["product_id"])
        assert line["category_id"] == str(product.category_id)
        assert line["brand_id"] == str(product.brand_id)


def test_carts_get_members_and_payment_methods_of_the_currency(cafe: synthetic.Dataset) -> None:
    carts = carts_for(cafe, cafe.stores[1], 100)
    methods = Counter(c.body["payment_method"] for c in carts)
    assert set(methods) <= {m for m, _ in PAYMENT_WEIGHTS["IDR"]}
    members = sum("customer" in c.body for c in carts)
    assert 10 <= members <= 50


def test_generated_receipts_are_plausible_and_seeded(cafe: synthetic.Dataset) -> None:
    store = cafe.stores[0]
    receipts = generated_receipts(cafe, store, 200)
    assert receipts == generated_receipts(cafe, store, 200)
    assert {len(r.lines) for r in receipts} <= {1, 2, 3, 4, 5}
    brand_products = {p.id for p in cafe.products if p.brand_id == store.brand_id}
    assert all(line.product_id in brand_products for r in receipts for line in r.lines)


def test_api_errors_name_the_fields() -> None:
    body = {
        "detail": [
            {"loc": ["body", "rules", "discount_percent"], "msg": "too big", "type": "x"},
            {"loc": ["body", "code"], "msg": "code is already used", "type": "conflict"},
        ]
    }
    assert problems_of(body) == ["rules.discount_percent: too big", "code: code is already used"]
    assert problems_of({"detail": "Not found"}) == ["Not found"]


def test_a_spec_matches_what_the_api_returns_with_defaults_added() -> None:
    mine = {"rules": {"type": "percent_discount", "discount_percent": "20"}, "tags": ["a"]}
    theirs = {
        "rules": {"type": "percent_discount", "discount_percent": "20.0", "min_purchase": "0"},
        "tags": ["a"],
        "created_at": "2026-01-01",
    }
    assert same(mine, theirs)
    assert not same(mine, {**theirs, "rules": {"type": "percent_discount", "discount_percent": 25}})
    assert not same({"tags": ["a"]}, {"tags": ["a", "b"]})


def checkout_answer(replayed: bool) -> dict[str, object]:
    return {
        "replayed": replayed,
        "result": {
            "total_discount": "1.00",
            "applied": [{"promotion_id": str(PCT), "promo_type": "percent_discount"}],
        },
        "redemptions": [
            {"promotion_id": str(PCT), "code": "PCT", "discount": "1.00", "reward_amount": "0"}
        ],
    }


async def test_a_failed_checkout_is_retried_and_its_redemption_counts_as_new() -> None:
    # given a store whose first checkout answer is lost (a 500), and the retry is answered
    # from the store's records (it had recorded the first attempt)
    checkouts: list[int] = []

    def store(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/evaluate"):
            return httpx.Response(200, json={"total_discount": "1.00"})
        checkouts.append(1)
        if len(checkouts) == 1:
            return httpx.Response(500, json={"detail": "database is locked"})
        return httpx.Response(200, json=checkout_answer(replayed=True))

    cart = ReplayCart("R1", "rp-S-R1", {"store_id": str(uuid4()), "lines": []})
    stats = ReplayStats()
    # when the cart is replayed
    async with httpx.AsyncClient(
        transport=httpx.MockTransport(store), base_url="http://store"
    ) as client:
        await replay_cart(client, cart, {}, stats)
    # then it was retried once, and its redemption is new for HO
    assert (len(checkouts), stats.retries, stats.errors, stats.replayed) == (2, 1, 0, 0)
    assert stats.new_by_promotion[PCT].uses == 1


async def test_a_checkout_refused_for_the_cart_is_an_error_without_retry() -> None:
    def store(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/evaluate"):
            return httpx.Response(200, json={"total_discount": "0"})
        return httpx.Response(409, json={"detail": "another cart under this transaction id"})

    stats = ReplayStats()
    async with httpx.AsyncClient(
        transport=httpx.MockTransport(store), base_url="http://store"
    ) as client:
        await replay_cart(client, ReplayCart("R2", "rp-S-R2", {"lines": []}), {}, stats)
    assert (stats.errors, stats.retries, stats.carts) == (1, 0, 0)
    assert "HTTP 409" in stats.error_samples[0]
