"""The demo importer against the real compiler API and PostgreSQL."""

from __future__ import annotations

import time
from collections import Counter
from uuid import uuid4

import pytest

from promoflow_infra.demo.authoring import PROMOTION_TYPES, AuthoredPromotion
from promoflow_infra.demo.catalogue import DemoCatalogue, load_catalogue
from promoflow_infra.demo.ho_client import HoClient
from promoflow_infra.demo.importer import Importer, run_import
from promoflow_infra.services import DEMO_COMPANY_ID

API = "/api/v1"


def quiet(_: str) -> None:
    """Swallow the importer's progress lines."""


@pytest.fixture(scope="module")
def demo_catalogue() -> DemoCatalogue:
    """The catalogue behind the launcher's first two demo stores (real data when
    ../shared/data is there, the synthetic chain otherwise)."""
    return load_catalogue(2)


@pytest.fixture(scope="module")
def small_catalogue() -> DemoCatalogue:
    """The synthetic café chain (15 products), for the tests about re-runs."""
    return load_catalogue(3, use_env=False)


def test_a_second_import_creates_nothing_and_every_promotion_is_active(
    ho: HoClient, demo_catalogue: DemoCatalogue
) -> None:
    catalogue = demo_catalogue
    # when the demo catalogue is imported twice
    started = time.perf_counter()
    first = run_import(ho, catalogue, DEMO_COMPANY_ID)
    first_seconds = time.perf_counter() - started
    second = run_import(ho, catalogue, DEMO_COMPANY_ID, echo=quiet)
    # then the first run created everything and every promotion validated
    assert first.errors == [] and second.errors == []
    assert first.tally("products").created == len(catalogue.products)
    assert first.tally("promotions").created == 12 * len(catalogue.brands)
    # and the second run created and changed nothing
    assert second.created == 0
    assert all(t.updated == 0 and t.activated == 0 for t in second.tallies.values())
    assert second.tally("promotions").unchanged == 12 * len(catalogue.brands)
    # and HO holds each promotion once, active and published, all 12 types per brand
    promotions = list(ho.list_all(f"{API}/promotions", 500, company_id=str(DEMO_COMPANY_ID)))
    assert len(promotions) == 12 * len(catalogue.brands)
    assert {(p["status"], p["publication_status"]) for p in promotions} == {("active", "published")}
    by_brand = Counter((p["spec"]["brand_id"], p["promo_type"]) for p in promotions)
    assert set(by_brand.values()) == {1}
    assert {t for _, t in by_brand} == set(PROMOTION_TYPES)
    # and each demo store is targeted by one promotion of every type
    for store in catalogue.stores:
        assert first.per_store[store.code] == Counter(dict.fromkeys(PROMOTION_TYPES, 1))
    print(f"first import {first_seconds:.1f}s, second {second.seconds:.1f}s")


def test_hand_edits_are_undone_by_updates_not_duplicates(
    ho: HoClient, small_catalogue: DemoCatalogue
) -> None:
    # given an imported demo
    catalogue = small_catalogue
    run_import(ho, catalogue, DEMO_COMPANY_ID, echo=quiet)
    # when HO users change a price, rename a promotion and deactivate another by hand
    product = catalogue.products[0]
    ho.patch(f"{API}/products/{product.id}", {"price": str(product.price + 1000)})
    promotions = {
        p["code"]: p for p in ho.list_all(f"{API}/promotions", 500, company_id=str(DEMO_COMPANY_ID))
    }
    tiers, combo = promotions["DEMO-KOPI-TIERS"], promotions["DEMO-KOPI-COMBO"]
    ho.post(f"{API}/promotions/{tiers['id']}/deactivate")
    ho.put(f"{API}/promotions/{combo['id']}", {**combo["spec"], "name": "Renamed by hand"})
    # and the importer runs again
    again = run_import(ho, catalogue, DEMO_COMPANY_ID, echo=quiet)
    # then the price and the name are restored, the promotion re-activated, nothing created
    assert again.created == 0 and again.errors == []
    assert again.tally("products").updated == 1
    assert again.tally("promotions").updated == 1
    assert again.tally("promotions").activated == 1
    assert float(ho.get(f"{API}/products/{product.id}")["price"]) == float(product.price)
    assert ho.get(f"{API}/promotions/{tiers['id']}")["status"] == "active"
    assert ho.get(f"{API}/promotions/{combo['id']}")["name"] == combo["name"]


def test_a_promotion_the_validator_refuses_is_reported_with_its_field(
    ho: HoClient, small_catalogue: DemoCatalogue
) -> None:
    # given an imported demo
    importer = Importer(ho, small_catalogue, DEMO_COMPANY_ID, echo=quiet)
    importer.run()
    brand = small_catalogue.brands[0]
    # when a promotion rewarding a product HO does not have is imported
    ghost = AuthoredPromotion(
        "DEMO-GHOST",
        "free_item",
        brand.id,
        "IDR",
        {
            "company_id": str(DEMO_COMPANY_ID),
            "code": "DEMO-GHOST",
            "name": "A free ghost",
            "validity": {"start_date": "2024-01-01", "end_date": "2030-12-31"},
            "rules": {
                "type": "free_item",
                "min_purchase": "50000",
                "free_product_id": str(uuid4()),
            },
        },
    )
    importer.import_promotions([ghost])
    # then it is reported with the field the validator named, and not created
    [error] = importer.report.errors
    assert error.startswith("DEMO-GHOST:") and "rules.free_product_id" in error
    assert ho.get(f"{API}/promotions", q="GHOST")["total"] == 0
