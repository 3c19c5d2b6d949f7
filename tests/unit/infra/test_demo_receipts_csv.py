"""The demo on a mapped receipts CSV: its catalogue gets the 12 promotions, its carts replay."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from pydantic import TypeAdapter
from typer.testing import CliRunner

from promoflow_contracts.cart import EvaluateRequest
from promoflow_contracts.rules import PromotionRules
from promoflow_infra.datasets.model import Dataset
from promoflow_infra.datasets.receipts_csv import read
from promoflow_infra.datasets.receipts_mapping import load_mapping, mapping_path
from promoflow_infra.demo.authoring import PROMOTION_TYPES, author
from promoflow_infra.demo.carts import DEFAULT_PAYMENT_WEIGHTS, carts_for
from promoflow_infra.demo.catalogue import dataset_catalogue
from promoflow_infra.demo.cli import app
from promoflow_infra.services import DEMO_COMPANY_ID

RULES = TypeAdapter(PromotionRules)
MENU = {
    "Kopi": [("Kopi Susu Gula Aren", "25.000"), ("Americano", "22.000"), ("Latte", "28.000")],
    "Teh": [("Teh Tarik", "20.000"), ("Lemon Tea", "18.000")],
    "Roti": [("Croissant", "22.000"), ("Banana Bread", "24.000"), ("Muffin", "21.000")],
    "Makanan": [("Nasi Goreng", "38.000"), ("Mie Goreng", "35.000")],
}
HEADER = "nota;tanggal;jam;kasir;pelanggan;menu;kategori;qty;harga;total\n"


def till_export(receipts: int = 120) -> str:
    """A deterministic till export in the example mapping's shape (1-3 lines per receipt)."""
    items = [(name, category, price) for category, dishes in MENU.items() for name, price in dishes]
    rows = [HEADER]
    for number in range(receipts):
        customer = f"M-{number % 7:04d}" if number % 3 == 0 else ""
        for offset in range(1 + number % 3):
            name, category, price = items[(number * 5 + offset * 3) % len(items)]
            rows.append(
                f"A-{number:04d};02/03/2026;{7 + number // 20:02d}:{number % 60:02d};RINA;"
                f"{customer};{name};{category};{1 + offset % 2};{price},00;0\n"
            )
    return "".join(rows)


@pytest.fixture(scope="module")
def example_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("till") / "till.csv"
    path.write_text(till_export(), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def cafe(example_csv: Path) -> Dataset:
    return read(example_csv, load_mapping(mapping_path("example_generic")))


def test_a_mapped_csv_catalogue_gets_all_12_promotion_types(cafe: Dataset) -> None:
    # given the catalogue of a till export read through the example mapping
    catalogue = dataset_catalogue(cafe)
    assert [s.code for s in catalogue.stores] == ["KKC-BDG"]
    assert sum(catalogue.sold.values()) > 0
    # when the demo promotions are authored
    promotions = author(catalogue, DEMO_COMPANY_ID)
    # then it has one of each type, in rupiah, each parsing as the contract the stores read
    assert Counter(p.promo_type for p in promotions) == dict.fromkeys(PROMOTION_TYPES, 1)
    assert {p.currency for p in promotions} == {"IDR"}
    for promotion in promotions:
        assert RULES.validate_python(promotion.spec["rules"]).type == promotion.promo_type


def test_mapped_receipts_replay_with_their_own_customers(cafe: Dataset) -> None:
    store = cafe.stores[0]
    carts = carts_for(cafe, store, None)
    assert len(carts) == 120
    # known customers are members; anonymous receipts send no customer (never a generated one)
    customers = [c.body.get("customer") for c in carts]
    assert customers[0] == {"customer_id": "M-0000", "is_member": True}
    assert customers[1] is None and customers[2] is None
    assert sum(c is not None for c in customers) == 40
    for cart in carts:
        EvaluateRequest.model_validate(cart.body)


def test_a_currency_without_payment_weights_gets_the_default_methods(cafe: Dataset) -> None:
    store = cafe.stores[0]
    usd = type(store)(**{**{f: getattr(store, f) for f in store.__slots__}, "currency": "USD"})
    methods = {c.body["payment_method"] for c in carts_for(cafe, usd, 60)}
    assert methods <= {m for m, _ in DEFAULT_PAYMENT_WEIGHTS}


def test_import_needs_both_options_and_stops_before_the_api_on_bad_input(
    example_csv: Path, tmp_path: Path
) -> None:
    runner = CliRunner()
    unreachable = ["--compiler-url", "http://127.0.0.1:9"]
    # a CSV without its mapping is a usage error
    alone = runner.invoke(app, ["import", *unreachable, "--receipts-csv", str(example_csv)])
    assert alone.exit_code == 2
    # an unreadable row is named, nothing is sent
    broken = tmp_path / "broken.csv"
    broken.write_text(HEADER + "A;02/03/2026;07:41;RINA;;Teh;Teh;1;dua;0\n", encoding="utf-8")
    args = ["import", *unreachable, "--receipts-csv", str(broken), "--mapping", "example_generic"]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "broken.csv:2: column 'harga': cannot read 'dua' as a number" in result.output


def test_import_refuses_a_currency_the_demo_promotions_lack(
    example_csv: Path, tmp_path: Path
) -> None:
    # given the example mapping switched to euros (contracts price EUR, the demo has no
    # EUR amounts)
    text = mapping_path("example_generic").read_text(encoding="utf-8")
    mapping = tmp_path / "eur.toml"
    mapping.write_text(text.replace('currency = "IDR"', 'currency = "EUR"'), encoding="utf-8")
    args = ["import", "--compiler-url", "http://127.0.0.1:9", "--receipts-csv", str(example_csv)]
    result = CliRunner().invoke(app, [*args, "--mapping", str(mapping)])
    # then the import stops before contacting the compiler, naming the gap
    assert result.exit_code == 1
    assert "no amounts in EUR" in result.output
    assert "cannot reach" not in result.output


def test_replay_of_a_csv_needs_the_evaluator_url(example_csv: Path) -> None:
    args = ["replay", "--receipts-csv", str(example_csv), "--mapping", "example_generic"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert "--evaluator-url" in result.output
