"""The generic receipts CSV reader: a column mapping turns any till export into a Dataset."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from promoflow_infra.datasets import paths
from promoflow_infra.datasets.model import Dataset, stable_id
from promoflow_infra.datasets.receipts_csv import (
    NAMESPACE,
    CustomerReceipt,
    ReceiptsCsvError,
    load,
    read,
)
from promoflow_infra.datasets.receipts_mapping import (
    MAPPINGS_DIR,
    MappingError,
    load_mapping,
    mapping_path,
)

D = Decimal

MAPPING = """
format = "promoflow-receipts-csv/1"

[dataset]
name = "test_cafe"
brand = "Test Cafe"
brand_code = "TC"
store_name = "Test Cafe Bandung"
store_code = "TC-BDG"
currency = "IDR"
country = "ID"
timezone = "Asia/Jakarta"
city = "Bandung"

[csv]
delimiter = ";"
decimal_separator = ","
thousands_separator = "."
strip = "Rp"

[receipt]
id = "nota"
timestamp = ["tanggal", "jam"]
timestamp_format = "%d/%m/%Y %H:%M"
customer = "pelanggan"

[line]
product = "menu"
category = "kategori"
quantity = "qty"
unit_price = "harga"
"""

RECEIPTS = """\
nota;tanggal;jam;pelanggan;menu;kategori;qty;harga;total
A-1;02/03/2026;07:41;;Kopi Susu;Kopi;2;Rp 25.000,00;50.000
A-1;02/03/2026;07:41;;Croissant;Roti;1;22.000,00;22.000
A-2;02/03/2026;07:55;M-0042;Kopi Susu;Kopi;1;25.000;25.000
A-3;02/03/2026;08:10;M-0042;Kopi Susu;Kopi;1;23.000;23.000
A-3;02/03/2026;08:10;M-0042;Air Mineral;Minuman;0;5.000;0
A-4;02/03/2026;08:12;;Croissant;Roti;1;0;0

"""


def write(folder: Path, receipts: str = RECEIPTS, mapping: str = MAPPING) -> tuple[Path, Path]:
    """A receipts CSV and its mapping in ``folder``."""
    (folder / "receipts.csv").write_text(receipts, encoding="utf-8")
    (folder / "mapping.toml").write_text(mapping, encoding="utf-8")
    return folder / "receipts.csv", folder / "mapping.toml"


def read_tmp(folder: Path, receipts: str = RECEIPTS, mapping: str = MAPPING) -> Dataset:
    csv_path, mapping_file = write(folder, receipts, mapping)
    return read(csv_path, load_mapping(mapping_file))


def test_rows_become_receipts_products_and_categories(tmp_path: Path) -> None:
    # given a semicolon export with decimal commas, a refund-like row and a free line
    csv_path, mapping_file = write(tmp_path)
    # when it is read
    result = load(csv_path, load_mapping(mapping_file))
    dataset = result.dataset
    # then lines group into receipts in file order, rows of nothing are counted as skipped
    assert [r.receipt_id for r in dataset.receipts] == ["A-1", "A-2", "A-3"]
    assert [len(r.lines) for r in dataset.receipts] == [2, 1, 1]
    assert (result.rows, result.lines) == (6, 4)
    assert result.skipped == {"quantity <= 0": 1, "unit price <= 0": 1}
    # and one brand, one store with the mapping's constants
    [brand], [store] = dataset.brands, dataset.stores
    assert (brand.code, brand.name) == ("TC", "Test Cafe")
    assert (store.code, store.timezone, store.currency, store.country, store.city) == (
        "TC-BDG",
        "Asia/Jakarta",
        "IDR",
        "ID",
        "Bandung",
    )
    assert sorted(c.name for c in dataset.categories) == ["Kopi", "Roti"]
    assert dataset.receipts[0].at == datetime(2026, 3, 2, 7, 41)
    assert dataset.receipts[0].subtotal == D(72000)


def test_list_price_is_the_unit_price_seen_most_often(tmp_path: Path) -> None:
    dataset = read_tmp(tmp_path)
    prices = {p.name: p.price for p in dataset.products}
    # Kopi Susu sold at 25.000 twice and 23.000 once; the free croissant line does not count
    assert prices == {"Croissant": D(22000), "Kopi Susu": D(25000)}


def test_ids_are_stable_across_reads_and_named_by_the_dataset(tmp_path: Path) -> None:
    first = read_tmp(tmp_path)
    second = read_tmp(tmp_path)
    assert [p.id for p in first.products] == [p.id for p in second.products]
    assert [s.id for s in first.stores] == [s.id for s in second.stores]
    kopi = next(p for p in first.products if p.name == "Kopi Susu")
    assert kopi.id == stable_id("product", NAMESPACE, "test_cafe", "Kopi Susu")
    assert first.brands[0].id == stable_id("brand", NAMESPACE, "test_cafe")


def test_receipts_keep_their_customer_and_anonymous_is_none(tmp_path: Path) -> None:
    dataset = read_tmp(tmp_path)
    customers = [r.customer_id for r in dataset.receipts if isinstance(r, CustomerReceipt)]
    assert customers == [None, "M-0042", "M-0042"]


def test_line_totals_give_unit_prices_rounded_to_the_currency(tmp_path: Path) -> None:
    mapping = MAPPING.replace('unit_price = "harga"', 'line_total = "total"')
    mapping = mapping.replace('currency = "IDR"', 'currency = "GBP"')
    receipts = "nota;tanggal;jam;pelanggan;menu;kategori;qty;harga;total\n"
    receipts += "B-1;02/03/2026;07:41;;Scone;Bakery;3;0;10,00\n"
    dataset = read_tmp(tmp_path, receipts, mapping)
    assert dataset.receipts[0].lines[0].unit_price == D("3.33")


def test_utc_timestamps_become_store_local_time(tmp_path: Path) -> None:
    # given timestamps written in UTC for a Jakarta store (UTC+7)
    mapping = MAPPING.replace(
        'timestamp_format = "%d/%m/%Y %H:%M"',
        'timestamp_format = "%d/%m/%Y %H:%M"\ntimestamp_timezone = "UTC"',
    )
    dataset = read_tmp(tmp_path, mapping=mapping)
    # then receipt times are naive Jakarta time
    assert dataset.receipts[0].at == datetime(2026, 3, 2, 14, 41)


def test_iso_timestamps_with_offsets_become_store_local_time(tmp_path: Path) -> None:
    mapping = MAPPING.replace('timestamp = ["tanggal", "jam"]', 'timestamp = "at"')
    mapping = mapping.replace('"%d/%m/%Y %H:%M"', '"iso"')
    receipts = "nota;at;pelanggan;menu;kategori;qty;harga\n"
    receipts += "C-1;2026-03-01T23:30:00+00:00;;Teh;Teh;1;10.000\n"
    receipts += "C-2;2026-03-02T08:00:00+09:00;;Teh;Teh;1;10.000\n"
    dataset = read_tmp(tmp_path, receipts, mapping)
    assert [r.at for r in dataset.receipts] == [
        datetime(2026, 3, 2, 6, 30),
        datetime(2026, 3, 2, 6, 0),
    ]


def test_a_store_column_gives_one_store_per_outlet_named_from_a_lookup(tmp_path: Path) -> None:
    # given an outlet column, a header to skip and lookups for products and outlets
    mapping = """
format = "promoflow-receipts-csv/1"
[dataset]
name = "chain"
brand = "Chain"
brand_code = "CH"
store_name = "Chain"
store_code = "CH"
currency = "USD"
country = "us"
timezone = "America/New_York"
city = "New York"
[csv]
header = "skip"
columns = ["id", "day", "time", "outlet", "customer", "product", "qty", "price"]
[receipt]
id = ["outlet", "day", "id"]
timestamp = ["day", "time"]
timestamp_format = "%Y-%m-%d %H:%M:%S"
store = "outlet"
customer = "customer"
anonymous_customers = ["0"]
[line]
product = "product"
product_key = "id"
quantity = "qty"
unit_price = "price"
[products]
file = "products.csv"
key = "product_id"
name = "product"
category = "category"
[stores]
file = "outlets.csv"
key = "outlet_id"
name = "neighbourhood"
city = "city"
timezone = "zone"
"""
    receipts = '"id,""day"",""etc"""\n'
    receipts += "7,2019-04-01,12:04:43,3,558,52,1,2.50\n"
    receipts += "7,2019-04-01,12:04:43,8,0,52,2,2.50\n"
    receipts += "7,2019-04-02,09:00:00,3,0,10,1,18.00\n"
    (tmp_path / "products.csv").write_text(
        "product_id,category,product\n52,Tea,Earl Grey Rg\n10,Coffee beans,Colombian\n"
    )
    (tmp_path / "outlets.csv").write_text(
        "outlet_id,neighbourhood,city,zone\n3,Astoria,Long Island City,\n8,Denver,Denver,"
        "America/Denver\n"
    )
    dataset = read_tmp(tmp_path, receipts, mapping)
    # then receipts are keyed per outlet and day, stores named from the lookup
    assert [r.receipt_id for r in dataset.receipts] == [
        "3-2019-04-01-7",
        "8-2019-04-01-7",
        "3-2019-04-02-7",
    ]
    assert [(s.code, s.name, s.city, s.timezone, s.country) for s in dataset.stores] == [
        ("CH-3", "Chain Astoria", "Long Island City", "America/New_York", "US"),
        ("CH-8", "Chain Denver", "Denver", "America/Denver", "US"),
    ]
    assert [(p.sku, p.name, p.price) for p in dataset.products] == [
        ("CH-10", "Colombian", D("18.00")),
        ("CH-52", "Earl Grey Rg", D("2.50")),
    ]
    assert sorted(c.name for c in dataset.categories) == ["Coffee beans", "Tea"]
    customers = [r.customer_id for r in dataset.receipts if isinstance(r, CustomerReceipt)]
    assert customers == ["558", None, None]


@pytest.mark.parametrize(
    ("receipts", "expected"),
    [
        pytest.param(
            "nota;tanggal;jam;pelanggan;menu;qty;harga\n",
            "receipts.csv:1: column 'kategori' (mapping [line] category) is not in the header",
            id="missing mapped column",
        ),
        pytest.param(
            "nota;tanggal;jam;pelanggan;menu;kategori;qty;harga\nA;02/03/2026;07:41;;Teh;Teh;1;12,5x\n",
            "receipts.csv:2: column 'harga': cannot read '12,5x' as a number",
            id="unparseable price",
        ),
        pytest.param(
            "nota;tanggal;jam;pelanggan;menu;kategori;qty;harga\nA;2026-03-02;07:41;;Teh;Teh;1;1\n",
            "receipts.csv:2: column 'tanggal+jam': cannot read '2026-03-02 07:41' as a time",
            id="unparseable date",
        ),
        pytest.param(
            "nota;tanggal;jam;pelanggan;menu;kategori;qty;harga\nA;02/03/2026;07:41;;Teh;Teh;1,5;1\n",
            "receipts.csv:2: column 'qty': quantity '1,5' is not a whole number",
            id="fractional quantity",
        ),
        pytest.param(
            "nota;tanggal;jam;pelanggan;menu;kategori;qty;harga\nA;02/03/2026\n",
            "receipts.csv:2: 2 fields, expected 8",
            id="short row",
        ),
        pytest.param("", "receipts.csv:1: empty file", id="empty file"),
        pytest.param(
            "nota;tanggal;jam;pelanggan;menu;kategori;qty;harga\nA;02/03/2026;07:41;;Teh;Teh;0;1\n",
            "receipts.csv: no receipt lines (skipped: 1 quantity <= 0)",
            id="nothing left",
        ),
    ],
)
def test_bad_rows_are_named_by_file_line_and_column(
    tmp_path: Path, receipts: str, expected: str
) -> None:
    with pytest.raises(ReceiptsCsvError) as caught:
        read_tmp(tmp_path, receipts)
    assert expected in str(caught.value)


def test_a_product_missing_from_the_lookup_is_named(tmp_path: Path) -> None:
    mapping = MAPPING + '[products]\nfile = "menu.csv"\nkey = "code"\nname = "label"\n'
    (tmp_path / "menu.csv").write_text("code,label\nKopi Susu,Kopi Susu Gula Aren\n")
    with pytest.raises(
        ReceiptsCsvError,
        match=r"receipts.csv:3: column 'menu': product 'Croissant' is not in menu.csv",
    ):
        read_tmp(tmp_path, mapping=mapping)


def test_a_missing_file_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    _, mapping_file = write(tmp_path)
    with pytest.raises(ReceiptsCsvError, match=r"nowhere\.csv: cannot open"):
        read(tmp_path / "nowhere.csv", load_mapping(mapping_file))


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ('timezone = "Asia/Jakarta"', 'timezone = "Asia/Bandung"'),
            "[dataset] timezone: unknown IANA time zone 'Asia/Bandung'",
        ),
        (
            ('currency = "IDR"', 'currency = "JPY"'),
            "[dataset] currency: 'JPY' is not a currency PromoFlow prices",
        ),
        (
            ('unit_price = "harga"', 'unit_price = "harga"\nline_total = "total"'),
            "[line] unit_price: name exactly one of unit_price and line_total",
        ),
        (('quantity = "qty"', 'quantity = "qty"\nqty = "x"'), "[line] qty: unknown key"),
        (('brand_code = "TC"\n', ""), "[dataset] brand_code: is required"),
        (('delimiter = ";"', 'delimiter = ";;"'), "[csv] delimiter: must be one character"),
        (
            ('decimal_separator = ","', 'header = "none"'),
            "[csv] columns: is required with header = 'none'",
        ),
        (("[receipt]", "[receipts]"), "[top level] receipts: unknown key"),
        (('id = "nota"', "id = 3"), "[receipt] id: must be a column name or a list of them"),
        (('city = "Bandung"', 'city = "Bandung'), "not valid TOML"),
    ],
)
def test_mapping_errors_name_the_file_and_the_key(
    tmp_path: Path, change: tuple[str, str], expected: str
) -> None:
    assert change[0] in MAPPING
    _, mapping_file = write(tmp_path, mapping=MAPPING.replace(*change, 1))
    with pytest.raises(MappingError) as caught:
        load_mapping(mapping_file)
    assert str(caught.value).startswith(f"{mapping_file}: ")
    assert expected in str(caught.value)


def test_shipped_mappings_load_and_are_found_by_name() -> None:
    shipped = sorted(MAPPINGS_DIR.glob("*.toml"))
    assert {p.stem for p in shipped} >= {"ibm_coffee_shop", "example_generic"}
    for path in shipped:
        assert load_mapping(path).dataset.name
    assert mapping_path("ibm_coffee_shop") == MAPPINGS_DIR / "ibm_coffee_shop.toml"
    assert mapping_path("ibm_coffee_shop.toml") == MAPPINGS_DIR / "ibm_coffee_shop.toml"


def test_the_ibm_mapping_reads_the_real_coffee_shop_receipts() -> None:
    # given the shared data folder (CI clones may lack it)
    data = paths.data_dir()
    folder = data / "ibm_coffee_shop_sample_2019_04" if data else None
    if folder is None or not folder.is_dir():
        pytest.skip("no ../shared/data/ibm_coffee_shop_sample_2019_04 in this clone")
    # when its receipts are read through the shipped mapping
    result = load(
        folder / "201904 sales reciepts.csv", load_mapping(mapping_path("ibm_coffee_shop"))
    )
    dataset = result.dataset
    # then the figures match the dataset's README
    assert (result.rows, result.lines, len(dataset.receipts)) == (49_894, 49_894, 39_271)
    assert [s.name for s in dataset.stores] == [
        "Coffee Shop Sample Astoria",
        "Coffee Shop Sample Lower Manhattan",
        "Coffee Shop Sample Hell's Kitchen",
    ]
    assert {s.currency for s in dataset.stores} == {"USD"}
    assert len(dataset.products) == 80
    assert len(dataset.categories) == 9
    total = sum((r.subtotal for r in dataset.receipts), D(0))
    assert D(230_000) < total < D(240_000)  # README: $233,635.95 of line amounts
    first = dataset.receipts[0]
    assert (first.receipt_id, first.at) == ("3-2019-04-01-7", datetime(2019, 4, 1, 12, 4, 43))


def test_the_example_mapping_reads_the_sample_rows_it_documents(tmp_path: Path) -> None:
    # given the sample export quoted in the example mapping's comments
    path = mapping_path("example_generic")
    sample = [
        line.removeprefix("#   ")
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.startswith("#   ") and ";" in line
    ]
    (tmp_path / "till.csv").write_text("\n".join(sample) + "\n", encoding="utf-8")
    # when it is read through that mapping
    dataset = read(tmp_path / "till.csv", load_mapping(path))
    # then it gives the receipts, prices and customers the comments promise
    assert [(r.receipt_id, len(r.lines)) for r in dataset.receipts] == [
        ("A-0001", 2),
        ("A-0002", 1),
    ]
    assert {p.name: p.price for p in dataset.products}["Kopi Susu Gula Aren"] == D(25000)
    assert dataset.receipts[0].subtotal == D(72000)
    customers = [r.customer_id for r in dataset.receipts if isinstance(r, CustomerReceipt)]
    assert customers == [None, "M-0042"]


def test_prices_beyond_4_decimals_are_refused_but_trailing_zeros_are_not(tmp_path: Path) -> None:
    receipts = "nota;tanggal;jam;pelanggan;menu;kategori;qty;harga\n"
    fine = read_tmp(tmp_path, receipts + "A;02/03/2026;07:41;;Teh;Teh;1;2,500000\n")
    assert fine.products[0].price == D("2.5")
    with pytest.raises(ReceiptsCsvError, match=r"receipts\.csv:2: column 'harga': price '2,50001'"):
        read_tmp(tmp_path, receipts + "A;02/03/2026;07:41;;Teh;Teh;1;2,50001\n")
