"""The demo promotions: all 12 types per brand, amounts in the store's currency, deterministic."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any

import pytest
from pydantic import TypeAdapter

from promoflow_contracts.rules import PromotionRules
from promoflow_infra.datasets import paths
from promoflow_infra.demo.amounts import GBP, IDR
from promoflow_infra.demo.authoring import PROMOTION_TYPES, AuthoredPromotion, author, money
from promoflow_infra.demo.catalogue import DemoCatalogue, load_catalogue
from promoflow_infra.services import DEMO_COMPANY_ID, demo_sites

RULES = TypeAdapter(PromotionRules)
MONEY_FIELDS = {
    "max_discount_amount",
    "min_purchase",
    "discount_amount",
    "combo_price",
    "special_price",
    "package_price",
    "cashback_max",
    "max_discount",
    "min_amount",
}


@pytest.fixture(scope="module")
def synthetic_catalogue() -> DemoCatalogue:
    """The generated café chain (used when a clone has no ../shared/data)."""
    return load_catalogue(3, use_env=False)


@pytest.fixture(scope="module")
def real_catalogue() -> DemoCatalogue:
    """Every demo store of the real datasets: London takeaway and three GoFood chains."""
    found = paths.data_dir()
    if found is None:
        pytest.skip("no ../shared/data in this clone")
    return load_catalogue(10_000, found)


@pytest.fixture(params=["synthetic", "real"])
def catalogue(request: pytest.FixtureRequest) -> DemoCatalogue:
    """Each dataset in turn."""
    return request.getfixturevalue(f"{request.param}_catalogue")  # type: ignore[no-any-return]


def money_values(node: Any) -> list[Decimal]:
    """Every money amount in a rules dict (tiers included)."""
    if isinstance(node, list):
        return [v for item in node for v in money_values(item)]
    if not isinstance(node, dict):
        return []
    found = [Decimal(str(v)) for k, v in node.items() if k in MONEY_FIELDS]
    return found + [v for value in node.values() for v in money_values(value)]


def test_every_brand_gets_one_promotion_of_each_of_the_12_types(catalogue: DemoCatalogue) -> None:
    # when the demo promotions are authored
    promotions = author(catalogue, DEMO_COMPANY_ID)
    # then each brand has exactly one promotion of every type, with a unique code
    assert len(PROMOTION_TYPES) == 12
    per_brand = Counter((p.brand_id, p.promo_type) for p in promotions)
    assert set(per_brand.values()) == {1}
    for brand in catalogue.brands:
        assert {t for b, t in per_brand if b == brand.id} == set(PROMOTION_TYPES)
    assert len({p.code.casefold() for p in promotions}) == len(promotions)


def test_every_rule_parses_as_the_contract_the_stores_read(catalogue: DemoCatalogue) -> None:
    for promotion in author(catalogue, DEMO_COMPANY_ID):
        rules = RULES.validate_python(promotion.spec["rules"])
        assert rules.type == promotion.promo_type


def test_amounts_are_in_the_currency_of_the_brands_stores(catalogue: DemoCatalogue) -> None:
    currency_of = {s.brand_id: s.currency for s in catalogue.stores}
    for promotion in author(catalogue, DEMO_COMPANY_ID):
        # then the promotion sells in its stores' currency
        assert promotion.spec["currency"] == promotion.currency == currency_of[promotion.brand_id]
        amounts = money_values(promotion.spec["rules"])
        if promotion.promo_type not in ("buy_x_get_y", "happy_hour"):  # percent or free only
            assert amounts, promotion.code
        if promotion.currency == "IDR":
            # whole rupiah in round amounts (set prices in steps of Rp 500)
            assert all(a >= 500 and a % 500 == 0 for a in amounts), promotion.code
        else:
            # pounds and pence, never rupiah-sized
            assert promotion.currency == "GBP"
            assert all(0 < a < 200 and a == a.quantize(Decimal("0.01")) for a in amounts)


def test_the_london_menu_gets_the_promotions_people_would_expect(
    real_catalogue: DemoCatalogue,
) -> None:
    london = {
        p.code.removeprefix("DEMO-LDN-TAKEAWAY-"): p
        for p in author(real_catalogue, DEMO_COMPANY_ID)
        if p.currency == "GBP"
    }
    assert london["PCT-MAINS"].spec["name"] == "20% off Curries over £25 (max £5)"
    assert london["HAPPY-HOUR"].spec["rules"]["time_start"] == "17:00:00"
    assert london["BUY2GET1"].spec["name"] == "Buy 2 Breads, get 1 free"
    assert london["COMBO"].spec["name"].startswith("Chicken Tikka Masala + Pilau Rice")
    assert london["PAY"].spec["rules"]["payment_methods"] == ["CARD"]
    assert london["CASHBACK"].spec["targeting"]["member_only"] is True


def test_set_prices_save_the_customer_something(catalogue: DemoCatalogue) -> None:
    prices = {str(p.id): p.price for p in catalogue.products}
    for promotion in author(catalogue, DEMO_COMPANY_ID):
        rules = promotion.spec["rules"]
        if rules["type"] == "combo":
            total = sum(prices[i["product_id"]] * i["quantity"] for i in rules["items"])
            assert Decimal(rules["combo_price"]) < total, promotion.code
            assert len({i["product_id"] for i in rules["items"]}) == len(rules["items"])
        elif rules["type"] == "upsell":
            assert Decimal(rules["special_price"]) < prices[rules["upsell_product_id"]]
            assert rules["required_product_id"] != rules["upsell_product_id"]
        elif rules["type"] == "mix_match":
            dearest = max(prices[i] for i in rules["item_set"]["product_ids"])
            assert Decimal(rules["special_price"]) < 3 * dearest, promotion.code


def test_every_promotion_targets_the_stores_of_its_brand_only(catalogue: DemoCatalogue) -> None:
    for promotion in author(catalogue, DEMO_COMPANY_ID):
        targeting = promotion.spec["targeting"]
        assert targeting["stores"] == "all"
        assert targeting["store_brand_ids"] == [str(promotion.brand_id)]


def test_authoring_is_deterministic(synthetic_catalogue: DemoCatalogue) -> None:
    # given the same dataset read twice
    again = load_catalogue(3, use_env=False)
    # when promotions are authored from each
    first: list[AuthoredPromotion] = author(synthetic_catalogue, DEMO_COMPANY_ID)
    second = author(again, DEMO_COMPANY_ID)
    # then they are identical, code for code
    assert [p.spec for p in first] == [p.spec for p in second]


@pytest.mark.parametrize(
    ("amount", "currency", "text"),
    [
        (Decimal(25), "GBP", "£25"),
        (Decimal("0.50"), "GBP", "£0.50"),
        (Decimal(150_000), "IDR", "Rp 150.000"),
    ],
)
def test_amounts_are_named_the_local_way(amount: Decimal, currency: str, text: str) -> None:
    assert money(amount, currency) == text


def test_set_prices_round_down_to_the_currency_step() -> None:
    assert GBP.floor(Decimal("15.17")) == Decimal("15.15")
    assert IDR.floor(Decimal("70_999")) == Decimal(70_500)
    assert IDR.floor(Decimal(100)) == Decimal(500)  # never free


def test_the_import_covers_exactly_the_stores_the_launcher_runs(
    real_catalogue: DemoCatalogue,
) -> None:
    sites = demo_sites(len(real_catalogue.stores))
    assert [s.code for s in real_catalogue.stores] == [s.code for s in sites]
    assert [s.id for s in real_catalogue.stores] == [s.store_id for s in sites]
    assert {s.brand_id for s in real_catalogue.stores} == {b.id for b in real_catalogue.brands}


def test_every_demo_currency_has_amounts_and_a_happy_hour() -> None:
    from promoflow_infra.demo.amounts import BY_CURRENCY
    from promoflow_infra.demo.authoring import HAPPY_HOURS

    assert set(HAPPY_HOURS) == set(BY_CURRENCY) >= {"GBP", "IDR", "USD"}
    for amounts in BY_CURRENCY.values():
        minimums = [tier[0] for tier in amounts.tiers]
        assert minimums == sorted(minimums), amounts.currency
        assert set(amounts.payment_methods) <= set(amounts.all_payment_methods)
