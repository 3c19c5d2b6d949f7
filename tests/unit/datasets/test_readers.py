"""Dataset readers handle the quirks their READMEs list, on small copies of the real format."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from promoflow_infra.datasets import gofood, london_takeaway, synthetic

LONDON = (
    "Order Number,Order Date,Item Name,Quantity,Product Price,Total products\r\n"
    "16118,03/08/2019 20:25,Plain Papadum,2,0.8,6\r\n"
    "16118,03/08/2019 20:25,Madras,1,7.95,6\r\n"
    "16117,03/08/2019 20:17,Madras,1,8.95,1\r\n"
    "16116,02/08/2019 19:00,Madras,1,8.95,2\r\n"
    "16116,02/08/2019 19:00,Madras,1,8.95,2"
)

GOFOOD_HEADER = "restaurant_uid,restaurant_name,restaurant_url,scraped_at,status,section_uid,section_name,section_type,item_uid,item_name,item_description,item_status,price_units,currency_code,image_url,variant_count\r\n"


def _gofood_row(
    outlet: str,
    name: str,
    section: str,
    item: str,
    item_name: str,
    price: str,
    at: str = "2026-02-25T10:00:00+07:00",
) -> str:
    return f'{outlet},"{name}",/surabaya/restaurant/x-{outlet},{at},success,s1,{section},1,{item},{item_name},"desc, with comma",1,{price},IDR,,0\r\n'


def test_london_orders_group_into_receipts_with_day_first_dates(tmp_path: Path) -> None:
    folder = tmp_path / london_takeaway.FOLDER
    folder.mkdir()
    (folder / london_takeaway.ORDERS).write_text(LONDON)
    dataset = london_takeaway.read(tmp_path)
    receipts = {r.receipt_id: r for r in dataset.receipts}
    assert receipts["16118"].at.month == 8 and receipts["16118"].at.day == 3
    assert receipts["16118"].subtotal == Decimal("9.55")
    # duplicate rows stay separate lines; the line price is the one charged
    assert len(receipts["16116"].lines) == 2
    madras = next(p for p in dataset.products if p.name == "Madras")
    assert madras.price == Decimal("8.95")  # most frequent observed price
    assert dataset.stores[0].currency == "GBP" and dataset.stores[0].timezone == "Europe/London"


def test_london_reader_ids_are_stable(tmp_path: Path) -> None:
    folder = tmp_path / london_takeaway.FOLDER
    folder.mkdir()
    (folder / london_takeaway.ORDERS).write_text(LONDON)
    assert london_takeaway.read(tmp_path).products == london_takeaway.read(tmp_path).products


def test_categories_are_derived_from_item_names() -> None:
    assert london_takeaway.category_for("Peshwari Naan") == "Breads"
    assert london_takeaway.category_for("Vegetable Rice") == "Rice"
    assert london_takeaway.category_for("Bottle Coke") == "Drinks"
    assert london_takeaway.category_for("Chicken Tikka Masala") == "Curries"


def test_gofood_dedupes_prefers_real_sections_and_drops_placeholders(tmp_path: Path) -> None:
    folder = tmp_path / gofood.FOLDER
    folder.mkdir()
    rows = [
        _gofood_row("o1", "KFC, Darmo", "Resto's top picks", "i1", "Bucket", "120000"),
        _gofood_row("o1", "KFC, Darmo", "Ayam", "i1", "Bucket", "120000"),
        _gofood_row(
            "o2", "KFC, Gubeng", "Ayam", "i1b", "Bucket", "125000", at="2026-02-27T10:00:00+07:00"
        ),
        _gofood_row("o2", "KFC, Gubeng", "Ayam", "i1b", "Bucket", "120000"),
        _gofood_row("o1", "KFC, Darmo", "Promo", "i2", "Diskon 50 Persen", "1"),
        _gofood_row("o1", "KFC, Darmo", "Extra", "i3", "Sendok", "480"),
        _gofood_row("o3", "Warung Solo, Sukolilo", "Nasi", "i4", "Nasi Pecel", "15000"),
    ]
    (folder / "menus.csv").write_text(GOFOOD_HEADER + "".join(rows))
    dataset = gofood.read(tmp_path)
    assert [b.name for b in dataset.brands] == ["KFC"]  # single-outlet warung is not a chain
    assert len(dataset.stores) == 2
    assert [p.name for p in dataset.products] == ["Bucket"]
    assert [c.name for c in dataset.categories] == ["Ayam"]
    assert dataset.stores[0].timezone == "Asia/Jakarta"


def test_synthetic_dataset_is_deterministic_and_spans_three_time_zones() -> None:
    first, second = synthetic.generate(receipts=50), synthetic.generate(receipts=50)
    assert first.receipts == second.receipts
    assert {s.timezone for s in first.stores} == {"Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"}
    assert all(r.lines for r in first.receipts)
