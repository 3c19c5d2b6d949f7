"""HO compiler benchmark: compile time per promotion, and the sync API for a store with 1,000
promotions, against a real PostgreSQL.

Usage::

    uv run python benchmarks/compiler_bench.py            # 12,000 compiles; sync at 1,000 and 10,000
    uv run python benchmarks/compiler_bench.py --quick    # 1,200 compiles; sync at 1,000 (< 1 min)

Master data: the real GoFood Surabaya/Medan menus (IDR prices, chains with several outlets;
``/work/shared/data/gofood_surabaya_medan_menus_2026``) as brands, stores, categories (menu
sections) and products; synthetic when the data is missing (the output says which). The
promotions are generated over that catalogue, all 12 types in equal shares, with random
scopes, item sets, store lists and validity.

* Compile: ``compile_promotion`` (pure, what every publish runs) per promotion, median and
  p99; also compile + content hash + JSON (the whole in-memory part of a publish).
* Sync: the HO API is started as its own process (``python -m promoflow_compiler api``) on a
  migrated database holding N published promotions for one store (plus N/2 for other stores,
  which the query must skip); a full ``GET /api/v1/sync/promotions?store_id=...`` over HTTP is
  timed (median, p99), then an incremental sync and ``GET /api/v1/sync/version``. The
  database is seeded with the compiler's own functions (compile, ``apply_spec``, the
  publication row) in bulk, not through 1,000 authoring calls.

PostgreSQL: ``PROMOFLOW_BENCH_DATABASE_URL`` (a role that may create databases), else a
throwaway cluster from ``infra/postgres/postgres.sh`` in a temporary directory.
Targets (issue 4): compile median <= 5 ms; sync for 1,000 promotions median <= 200 ms.
"""

from __future__ import annotations

import argparse
import csv
import glob
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import make_url

from promoflow_compiler.adapters.migrate import upgrade_to_head
from promoflow_compiler.adapters.orm import (
    BrandRow,
    CategoryRow,
    CompanyRow,
    ProductRow,
    PromotionPublicationRow,
    PromotionRow,
    PromotionVersionRow,
    StoreBrandRow,
    StoreRow,
)
from promoflow_compiler.domain.compiler import compile_promotion, content_hash, document_json
from promoflow_compiler.domain.master import Brand, Category, Company, MasterData, Product, Store
from promoflow_compiler.domain.spec import PromotionSpec
from promoflow_compiler.service.promotions import apply_spec
from promoflow_contracts.base import PromotionType

REPO = Path(__file__).resolve().parents[1]
GOFOOD = Path("/work/shared/data/gofood_surabaya_medan_menus_2026")
NS = uuid.UUID("0d7f0c43-6a57-4d4f-a3a1-2a2a6d9b1f00")
COMPILE_TARGET_MS, SYNC_TARGET_MS = 5.0, 200.0
ADMIN_TOKEN = "bench-admin-token"


def uid(*parts: object) -> uuid.UUID:
    return uuid.uuid5(NS, "/".join(map(str, parts)))


# --- master data ---------------------------------------------------------------------------


def gofood_master() -> tuple[MasterData, str]:
    """Brands = chains, stores = outlets, categories = menu sections, products = items."""
    files = sorted(glob.glob(str(GOFOOD / "*.csv")))
    if not files:
        return synthetic_master(), "synthetic (GoFood data missing)"
    company = Company(id=uid("company"), code="GOFOOD", name="GoFood demo group")
    brands: dict[str, Brand] = {}
    stores: dict[uuid.UUID, Store] = {}
    categories: dict[tuple[str, str], Category] = {}
    products: dict[tuple[str, str], Product] = {}
    for path in files:
        with open(path, newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                if not row["item_uid"] or not row["price_units"] or int(row["price_units"]) < 1000:
                    continue
                brand_name = row["restaurant_name"].split(",")[0].strip()[:200]
                brand = brands.setdefault(
                    brand_name,
                    Brand(
                        id=uid("brand", brand_name),
                        company_id=company.id,
                        code=f"B{len(brands):03d}",
                        name=brand_name,
                    ),
                )
                store_id = uid("store", row["restaurant_uid"])
                if store_id not in stores:
                    stores[store_id] = Store(
                        id=store_id,
                        company_id=company.id,
                        code=f"S{len(stores):03d}",
                        name=row["restaurant_name"][:200],
                        brand_ids=frozenset({brand.id}),
                    )
                section = row["section_name"].strip() or "Menu"
                if section in ("Resto's top picks", "What's New"):
                    section = "Menu"
                root = categories.setdefault(
                    (brand_name, ""),
                    Category(
                        id=uid("cat", brand_name),
                        company_id=company.id,
                        name=brand_name[:200],
                        code=f"C{len(categories):04d}",
                        brand_id=brand.id,
                    ),
                )
                cat = categories.setdefault(
                    (brand_name, section),
                    Category(
                        id=uid("cat", brand_name, section),
                        company_id=company.id,
                        name=section[:200],
                        code=f"C{len(categories):04d}",
                        brand_id=brand.id,
                        parent_id=root.id,
                    ),
                )
                key = (brand_name, row["item_name"].strip())
                if key not in products:
                    products[key] = Product(
                        id=uid("product", *key),
                        company_id=company.id,
                        sku=f"P{len(products):05d}",
                        name=key[1][:200] or "item",
                        price=Decimal(row["price_units"]),
                        category_id=cat.id,
                        brand_id=brand.id,
                    )
    master = MasterData.build(
        company,
        brands=brands.values(),
        stores=stores.values(),
        categories=categories.values(),
        products=products.values(),
    )
    return (
        master,
        f"GoFood menus: {len(brands)} brands, {len(stores)} outlets, {len(categories)} categories, {len(products)} products (IDR)",
    )


def synthetic_master() -> MasterData:
    company = Company(id=uid("company"), code="SYN", name="Synthetic group")
    brands = [
        Brand(id=uid("brand", i), company_id=company.id, code=f"B{i}", name=f"Brand {i}")
        for i in range(5)
    ]
    stores = [
        Store(
            id=uid("store", i),
            company_id=company.id,
            code=f"S{i}",
            name=f"Store {i}",
            brand_ids=frozenset({brands[i % 5].id}),
        )
        for i in range(50)
    ]
    roots = [
        Category(
            id=uid("cat", b.id), company_id=company.id, name=b.name, code=f"R{i}", brand_id=b.id
        )
        for i, b in enumerate(brands)
    ]
    cats = roots + [
        Category(
            id=uid("cat", i),
            company_id=company.id,
            name=f"Section {i}",
            code=f"C{i}",
            parent_id=roots[i % 5].id,
        )
        for i in range(60)
    ]
    products = [
        Product(
            id=uid("product", i),
            company_id=company.id,
            sku=f"P{i}",
            name=f"Item {i}",
            price=Decimal(10_000 + 500 * (i % 80)),
            category_id=cats[5 + i % 60].id,
            brand_id=brands[i % 5].id,
        )
        for i in range(2_000)
    ]
    return MasterData.build(
        company, brands=brands, stores=stores, categories=cats, products=products
    )


# --- promotions ----------------------------------------------------------------------------

TYPES = [t.value for t in PromotionType]


def rules_for(
    kind: str, rnd: random.Random, products: list[Product], leaf_categories: list[Category]
) -> dict[str, Any]:
    p = rnd.sample(products, 4)
    c = rnd.choice(leaf_categories)
    if kind == "percent_discount":
        return {
            "type": kind,
            "discount_percent": str(rnd.choice([5, 10, 15, 20, 25])),
            "max_discount_amount": "50000",
        }
    if kind == "amount_discount":
        return {
            "type": kind,
            "discount_amount": str(rnd.choice([5000, 10000, 15000])),
            "min_purchase": "75000",
        }
    if kind == "buy_x_get_y":
        return {
            "type": kind,
            "buy_quantity": 2,
            "get_quantity": 1,
            "buy_set": {"category_ids": [str(c.id)]},
            "get_set": {"product_ids": [str(p[0].id)]},
        }
    if kind == "combo":
        return {
            "type": kind,
            "combo_price": str(int(sum(x.price for x in p[:3]) * Decimal("0.8"))),
            "items": [{"product_id": str(x.id)} for x in p[:3]],
        }
    if kind == "free_item":
        return {
            "type": kind,
            "trigger_product_id": str(p[0].id),
            "trigger_quantity": 2,
            "free_product_id": str(p[1].id),
        }
    if kind == "happy_hour":
        return {"type": kind, "time_start": "14:00", "time_end": "17:00", "discount_percent": "30"}
    if kind == "cashback":
        return {
            "type": kind,
            "cashback_type": "percent",
            "cashback_value": "5",
            "cashback_max": "20000",
            "payment_methods": ["OVO", "GOPAY"],
        }
    if kind == "payment_discount":
        return {
            "type": kind,
            "payment_methods": ["OVO"],
            "discount_type": "amount",
            "discount_value": "10000",
        }
    if kind == "package":
        return {
            "type": kind,
            "package_name": "Paket hemat",
            "package_price": "45000",
            "items": [
                {"item_type": "product", "product_id": str(p[0].id)},
                {"item_type": "category", "category_id": str(c.id), "max_selection": 2},
            ],
        }
    if kind == "mix_match":
        return {
            "type": kind,
            "item_set": {"category_ids": [str(c.id)]},
            "required_quantity": 3,
            "special_price": "50000",
        }
    if kind == "upsell":
        return {
            "type": kind,
            "required_product_id": str(p[0].id),
            "upsell_product_id": str(p[1].id),
            "special_price": "10000",
        }
    return {
        "type": kind,
        "tiers": [
            {
                "tier_name": "Silver",
                "min_amount": "100000",
                "discount_type": "percent",
                "discount_value": "5",
            },
            {
                "tier_name": "Gold",
                "min_amount": "200000",
                "discount_type": "free_product",
                "free_product_id": str(p[2].id),
            },
        ],
    }


def generate(
    master: MasterData,
    count: int,
    seed: int,
    stores: list[uuid.UUID] | None = None,
    base: date = date(2026, 1, 1),
) -> list[PromotionSpec]:
    """``count`` valid specs over ``master``, the 12 types in turn, starting near ``base``."""
    rnd = random.Random(seed)
    products = sorted(master.products.values(), key=lambda x: x.sku)
    parents = {c.parent_id for c in master.categories.values()}
    leaves = sorted(
        (c for c in master.categories.values() if c.id not in parents), key=lambda c: str(c.id)
    )
    all_stores = [s.id for s in master.active_stores()]
    specs = []
    for i in range(count):
        kind = TYPES[i % len(TYPES)]
        start = base + timedelta(days=rnd.randrange(0, 60))
        scope: dict[str, Any] = {"apply_to": "all"}
        if kind in ("percent_discount", "happy_hour", "amount_discount") and rnd.random() < 0.7:
            scope = {
                "apply_to": "categories",
                "category_ids": [str(x.id) for x in rnd.sample(leaves, 2)],
                "exclude_product_ids": [str(rnd.choice(products).id)],
            }
        targets: Any = [
            str(s) for s in (stores or rnd.sample(all_stores, min(10, len(all_stores))))
        ]
        if stores is None and rnd.random() < 0.3:
            targets = "all"
        specs.append(
            PromotionSpec.model_validate(
                {
                    "company_id": str(master.company.id),
                    "code": f"BENCH{seed}-{i:05d}",
                    "name": f"Bench promotion {i} ({kind})",
                    "validity": {
                        "start_date": start.isoformat(),
                        "end_date": (start + timedelta(days=120)).isoformat(),
                        "days_of_week": sorted(rnd.sample(range(1, 8), 5)),
                    },
                    "scope": scope,
                    "targeting": {"stores": targets, "sales_channels": ["dine_in", "takeaway"]},
                    "rules": rules_for(kind, rnd, products, leaves),
                    "limits": {"max_uses": 1000, "max_uses_per_day": 100},
                }
            )
        )
    return specs


# --- compile timing ------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(q * len(ordered) + 0.5) - 1))]


def bench_compile(master: MasterData, specs: list[PromotionSpec]) -> None:
    at = datetime(2026, 2, 1, tzinfo=UTC)
    ids = [uuid.uuid4() for _ in specs]
    for spec, pid in zip(specs[:200], ids, strict=False):  # warm-up
        compile_promotion(spec, master, promotion_id=pid, version=1, compiled_at=at)
    compile_ms, publish_ms = [], []
    for spec, pid in zip(specs, ids, strict=True):
        t0 = time.perf_counter_ns()
        doc = compile_promotion(spec, master, promotion_id=pid, version=1, compiled_at=at)
        t1 = time.perf_counter_ns()
        content_hash(doc)
        document_json(doc)
        t2 = time.perf_counter_ns()
        compile_ms.append((t1 - t0) / 1e6)
        publish_ms.append((t2 - t0) / 1e6)
    verdict = "OK" if statistics.median(compile_ms) <= COMPILE_TARGET_MS else "MISSED"
    print(
        f"compile      n={len(specs):>6}  median {statistics.median(compile_ms):7.3f} ms  p99 {percentile(compile_ms, 0.99):7.3f} ms  (target median <= {COMPILE_TARGET_MS} ms: {verdict})"
    )
    print(
        f"compile+hash+json        median {statistics.median(publish_ms):7.3f} ms  p99 {percentile(publish_ms, 0.99):7.3f} ms"
    )


# --- sync timing ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def postgres() -> Iterator[str]:
    given = os.environ.get("PROMOFLOW_BENCH_DATABASE_URL")
    if given:
        yield given
        return
    run_dir = tempfile.mkdtemp(prefix="pf-bench-pg-")
    env = {**os.environ, "PG_PORT": str(free_port()), "PG_RUN_DIR": run_dir}
    script = str(REPO / "infra/postgres/postgres.sh")
    subprocess.run(["bash", script, "start"], env=env, check=True, capture_output=True)
    try:
        dsn = subprocess.run(
            ["bash", script, "dsn"], env=env, check=True, capture_output=True, text=True
        ).stdout.strip()
        yield dsn
    finally:
        subprocess.run(["bash", script, "clean"], env=env, check=False, capture_output=True)


@contextmanager
def fresh_database(admin_url: str) -> Iterator[str]:
    name = f"compiler_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def seed(url: str, master: MasterData, specs: list[PromotionSpec]) -> None:
    """Master data and published promotions, written in bulk with the compiler's functions."""
    engine = create_engine(url)
    at = datetime(2026, 2, 1, tzinfo=UTC)
    c = master.company
    with engine.begin() as conn:
        conn.execute(insert(CompanyRow), [{"id": c.id, "code": c.code, "name": c.name}])
        conn.execute(
            insert(BrandRow),
            [
                {"id": b.id, "company_id": b.company_id, "code": b.code, "name": b.name}
                for b in master.brands.values()
            ],
        )
        conn.execute(
            insert(StoreRow),
            [
                {
                    "id": s.id,
                    "company_id": s.company_id,
                    "code": s.code,
                    "name": s.name,
                    "timezone": s.timezone,
                    "country_code": "ID",
                    "currency": "IDR",
                    "sales_channels": sorted(s.sales_channels),
                }
                for s in master.stores.values()
            ],
        )
        conn.execute(
            insert(StoreBrandRow),
            [
                {"store_id": s.id, "brand_id": b}
                for s in master.stores.values()
                for b in s.brand_ids
            ],
        )
        cats = sorted(master.categories.values(), key=lambda x: x.parent_id is not None)
        conn.execute(
            insert(CategoryRow),
            [
                {
                    "id": x.id,
                    "company_id": x.company_id,
                    "brand_id": x.brand_id,
                    "parent_id": x.parent_id,
                    "code": x.code,
                    "name": x.name,
                }
                for x in cats
            ],
        )
        conn.execute(
            insert(ProductRow),
            [
                {
                    "id": p.id,
                    "company_id": p.company_id,
                    "brand_id": p.brand_id,
                    "category_id": p.category_id,
                    "sku": p.sku,
                    "name": p.name,
                    "price": p.price,
                }
                for p in master.products.values()
            ],
        )
        promotions, versions, publications = [], [], []
        for spec in specs:
            row = PromotionRow(id=uuid.uuid4(), status="active", current_version=1, limit_state={})
            apply_spec(row, spec)
            doc = compile_promotion(spec, master, promotion_id=row.id, version=1, compiled_at=at)
            body, digest = document_json(doc), content_hash(doc)
            stores = doc.targeting.stores
            promotions.append(
                {
                    k: getattr(row, k)
                    for k in (
                        "id",
                        "company_id",
                        "brand_id",
                        "code",
                        "name",
                        "promo_type",
                        "execution_stage",
                        "execution_priority",
                        "status",
                        "start_date",
                        "end_date",
                        "is_auto_apply",
                        "require_voucher",
                        "is_stackable",
                        "member_only",
                        "is_cross_brand",
                        "spec",
                        "limit_state",
                        "current_version",
                    )
                }
            )
            versions.append(
                {
                    "promotion_id": row.id,
                    "version": 1,
                    "event": "published",
                    "document": body,
                    "content_hash": digest,
                    "created_by": "bench",
                }
            )
            publications.append(
                {
                    "promotion_id": row.id,
                    "company_id": c.id,
                    "version": 1,
                    "status": "published",
                    "all_stores": stores == "all",
                    "store_ids": [] if stores == "all" else list(stores),
                    "document": body,
                    "document_text": doc.model_dump_json(),
                    "content_hash": digest,
                }
            )
        conn.execute(insert(PromotionRow), promotions)
        conn.execute(insert(PromotionVersionRow), versions)
        conn.execute(insert(PromotionPublicationRow), publications)
        conn.execute(text("ANALYZE"))
    engine.dispose()


@contextmanager
def api_process(url: str) -> Iterator[str]:
    port = free_port()
    env = {
        **os.environ,
        "PROMOFLOW_ENV": "test",
        "PROMOFLOW_HO_DATABASE_URL": url,
        "PROMOFLOW_ADMIN_TOKEN": ADMIN_TOKEN,
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "promoflow_compiler",
            "api",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        cwd=REPO,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            raise RuntimeError("API did not start")
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def timed(
    client: httpx.Client, url: str, params: dict[str, str], repeats: int
) -> tuple[list[float], httpx.Response]:
    response = client.get(url, params=params)
    response.raise_for_status()
    samples = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        response = client.get(url, params=params)
        response.raise_for_status()
        samples.append((time.perf_counter() - t0) * 1000)
    return samples, response


def bench_sync(admin_url: str, master: MasterData, size: int, repeats: int) -> None:
    store = sorted(master.active_stores(), key=lambda s: s.code)[0]
    others = [s.id for s in master.active_stores() if s.id != store.id][:20]
    mine = generate(master, size, seed=size, stores=[store.id, *others[:4]])
    theirs = generate(master, size // 2, seed=size + 1, stores=others[4:] or others)
    with fresh_database(admin_url) as url:
        upgrade_to_head(url)
        t0 = time.perf_counter()
        seed(url, master, mine + theirs)
        seeded = time.perf_counter() - t0
        with (
            api_process(url) as base,
            httpx.Client(
                base_url=base, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}, timeout=30
            ) as client,
        ):
            full, response = timed(
                client, "/api/v1/sync/promotions", {"store_id": str(store.id)}, repeats
            )
            body = response.json()
            assert body["count"] == size, (body["count"], size)
            incremental, _ = timed(
                client,
                "/api/v1/sync/promotions",
                {"store_id": str(store.id), "updated_since": body["sync_timestamp"]},
                repeats,
            )
            version, _ = timed(client, "/api/v1/sync/version", {"store_id": str(store.id)}, repeats)
            authoring = []
            # drafts dated like the seeded promotions: the conflict check meets all of them
            for spec in generate(master, max(4, repeats // 5), seed=size + 2, stores=[store.id]):
                body = {**spec.model_dump(mode="json"), "activate": False}
                t0 = time.perf_counter()
                created = client.post("/api/v1/promotions", json=body)
                assert created.status_code == 201, created.text
                authoring.append((time.perf_counter() - t0) * 1000)
        mb = len(response.content) / 1e6
        verdict = "OK" if statistics.median(full) <= SYNC_TARGET_MS or size != 1000 else "MISSED"
        target = f"  (target median <= {SYNC_TARGET_MS:.0f} ms: {verdict})" if size == 1000 else ""
        print(
            f"sync full    store with {size:>6} promotions ({mb:.1f} MB, {size + size // 2} in DB, seeded in {seeded:.1f}s)"
        )
        print(
            f"             median {statistics.median(full):7.1f} ms  p99 {percentile(full, 0.99):7.1f} ms{target}"
        )
        print(
            f"sync incremental (nothing new)  median {statistics.median(incremental):6.1f} ms   /sync/version median {statistics.median(version):6.1f} ms"
        )
        print(
            f"create via API, conflicts checked against {size + size // 2} overlapping active promotions  median {statistics.median(authoring):6.1f} ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--quick", action="store_true", help="1,200 compiles, sync only at 1,000 (< 1 min)"
    )
    args = parser.parse_args()
    started = time.perf_counter()
    master, source = gofood_master()
    print(f"master data: {source}")
    compiles = 1_200 if args.quick else 12_000
    bench_compile(master, generate(master, compiles, seed=7))
    sizes = [1_000] if args.quick else [1_000, 10_000]
    with postgres() as admin_url:
        for size in sizes:
            bench_sync(admin_url, master, size, repeats=30 if args.quick else 100)
    print(f"total {time.perf_counter() - started:.1f}s (one process, one core for compiles)")


if __name__ == "__main__":
    main()
