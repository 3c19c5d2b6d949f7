"""The demo importer: dataset -> HO catalogue and promotions, through the compiler's API only.

Create-or-update, idempotently: master data is keyed by the datasets' stable ids (the API
accepts a client ``id`` on create) and compared field by field, so a second run patches only
what changed and creates nothing; promotions are keyed by ``code`` (unique per company), each
is run through ``POST /promotions/validate`` first, created active (``activate: true``) when
new, replaced (``PUT``) when its spec differs, and activated when it is not active. A
promotion the validator refuses is reported with the fields it named and the others still go
through; master data the API refuses stops the import (:class:`ApiError`).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any
from uuid import UUID

from promoflow_infra.demo.authoring import PROMOTION_TYPES, AuthoredPromotion, author
from promoflow_infra.demo.catalogue import DemoCatalogue
from promoflow_infra.demo.ho_client import ApiError, HoClient

API = "/api/v1"
DEMO_COMPANY_CODE = "PROMOFLOW-DEMO"


@dataclass(slots=True)
class Tally:
    """What one kind of record went through: created, updated, unchanged (and activated)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    activated: int = 0

    def __str__(self) -> str:
        text = f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"
        return text + (f", {self.activated} activated" if self.activated else "")


@dataclass(slots=True)
class ImportReport:
    """The outcome of one import (``errors`` empty = every promotion validated and active)."""

    tallies: dict[str, Tally] = field(default_factory=dict)
    per_store: dict[str, Counter[str]] = field(default_factory=dict)
    promotion_ids: dict[str, UUID] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    requests: int = 0

    def tally(self, kind: str) -> Tally:
        """The tally of ``kind`` (created on first use)."""
        return self.tallies.setdefault(kind, Tally())

    @property
    def created(self) -> int:
        """Records created, all kinds together."""
        return sum(t.created for t in self.tallies.values())

    def lines(self) -> list[str]:
        """The printable summary; the last line sums it up on its own."""
        out = [f"{len(self.warnings)} validator warnings, {len(self.errors)} errors"]
        out += [f"  error: {e}" for e in self.errors]
        header = " ".join(t.split("_")[0][:7].ljust(7) for t in PROMOTION_TYPES)
        out.append(f"promotions per type per store:\n  {'store':14} {header}")
        for store, counts in self.per_store.items():
            row = " ".join(str(counts[t]).ljust(7) for t in PROMOTION_TYPES)
            out.append(f"  {store:14} {row}")
        totals = Tally()
        for tally in self.tallies.values():
            totals.created += tally.created
            totals.updated += tally.updated
            totals.unchanged += tally.unchanged
        promotions = self.tallies.get("promotions", Tally())
        active = promotions.created + promotions.updated + promotions.unchanged
        out.append(
            f"{active} promotions active on {len(self.per_store)} stores; records: {totals}; "
            f"{len(self.errors)} errors; {self.seconds:.1f}s, {self.requests} requests"
        )
        return out


def same(mine: Any, theirs: Any) -> bool:
    """True when ``theirs`` (an API response) holds everything in ``mine`` (what we send).

    Dicts compare on ``mine``'s keys only (the API adds defaults and timestamps); numbers
    compare as decimals (``"20"`` equals ``20.0``); other scalars as text.
    """
    if isinstance(mine, Mapping):
        return isinstance(theirs, Mapping) and all(same(v, theirs.get(k)) for k, v in mine.items())
    if isinstance(mine, list):
        return (
            isinstance(theirs, list)
            and len(mine) == len(theirs)
            and all(same(a, b) for a, b in zip(mine, theirs, strict=True))
        )
    if mine is None or isinstance(mine, bool) or theirs is None or isinstance(theirs, bool):
        return mine is theirs or mine == theirs
    if str(mine) == str(theirs):
        return True
    try:
        return Decimal(str(mine)) == Decimal(str(theirs))
    except InvalidOperation:
        return False


class Importer:
    """Runs one import of ``catalogue`` into ``company_id`` through ``client``."""

    def __init__(
        self,
        client: HoClient,
        catalogue: DemoCatalogue,
        company_id: UUID,
        echo: Callable[[str], None] = print,
        workers: int = 4,
    ) -> None:
        self.client, self.catalogue, self.company_id = client, catalogue, company_id
        self.echo, self.workers = echo, workers
        self.report = ImportReport()

    def run(self) -> ImportReport:
        """Import master data, then promotions. Raises :class:`ApiError` on refused master
        data and ``httpx.HTTPError`` when the compiler cannot be reached."""
        started = time.perf_counter()
        self._company()
        self._master_data()
        self.import_promotions(author(self.catalogue, self.company_id))
        self.report.seconds = time.perf_counter() - started
        self.report.requests = self.client.requests
        return self.report

    # --- master data ----------------------------------------------------------------------

    def _company(self) -> None:
        desired = {
            "code": DEMO_COMPANY_CODE,
            "name": "PromoFlow demo chain",
            "currency": "IDR",
            "country_code": "ID",
            "timezone": "Asia/Jakarta",
        }
        existing = self.client.get_or_none(f"{API}/companies/{self.company_id}")
        outcome = self._upsert("companies", {"id": str(self.company_id), **desired}, existing)
        setattr(self.report.tally("companies"), outcome, 1)

    def _existing(self, kind: str) -> dict[str, Any]:
        items = self.client.list_all(f"{API}/{kind}", company_id=str(self.company_id))
        return {item["id"]: item for item in items}

    def _master_data(self) -> None:
        company = str(self.company_id)
        c = self.catalogue
        brands = [{"id": str(b.id), "code": b.code, "name": b.name} for b in c.brands]
        stores = [
            {
                "id": str(s.id),
                "code": s.code,
                "name": s.name[:255],
                "timezone": s.timezone,
                "country_code": s.country,
                "currency": s.currency,
                "brand_ids": [str(s.brand_id)],
            }
            for s in c.stores
        ]
        categories = [
            {"id": str(k.id), "brand_id": str(k.brand_id), "code": k.code, "name": k.name[:255]}
            for k in c.categories
        ]
        products = [
            {
                "id": str(p.id),
                "sku": p.sku,
                "name": p.name[:255],
                "price": str(p.price),
                "category_id": str(p.category_id),
                "brand_id": str(p.brand_id),
            }
            for p in c.products
        ]
        for kind, rows in (
            ("brands", brands),
            ("stores", stores),
            ("categories", categories),
            ("products", products),
        ):
            self._sync_kind(kind, [{**row, "company_id": company} for row in rows])

    def _sync_kind(self, kind: str, rows: list[dict[str, Any]]) -> None:
        """Upsert ``rows`` of one kind (``workers`` at a time) and echo the tally."""
        started = time.perf_counter()
        existing = self._existing(kind)

        def upsert(row: dict[str, Any]) -> str:
            return self._upsert(kind, {**row, "is_active": True}, existing.get(row["id"]))

        with ThreadPoolExecutor(self.workers) as pool:
            outcomes = list(pool.map(upsert, rows))
        tally = self.report.tally(kind)
        tally.created += outcomes.count("created")
        tally.updated += outcomes.count("updated")
        tally.unchanged += outcomes.count("unchanged")
        took = time.perf_counter() - started
        self.echo(f"{kind:11} {tally} ({took:.1f}s)")

    def _upsert(self, kind: str, desired: dict[str, Any], existing: Any) -> str:
        """Create or patch one record; returns ``created``, ``updated`` or ``unchanged``."""
        if existing is None:
            self.client.post(f"{API}/{kind}", desired)
            return "created"
        changes = {
            k: v
            for k, v in desired.items()
            if k not in ("id", "company_id") and not same(v, existing.get(k))
        }
        if not changes:
            return "unchanged"
        self.client.patch(f"{API}/{kind}/{desired['id']}", changes)
        return "updated"

    # --- promotions -----------------------------------------------------------------------

    def import_promotions(self, authored: list[AuthoredPromotion]) -> None:
        """Validate, create or update, and activate ``authored``; refusals go to
        ``report.errors`` (``CODE: ... field: message``) and the rest still go through."""
        existing = {
            p["code"].casefold(): p
            for p in self.client.list_all(
                f"{API}/promotions", page_size=500, company_id=str(self.company_id)
            )
        }
        started = time.perf_counter()
        for promotion in authored:
            try:
                self._promotion(promotion, existing.get(promotion.code.casefold()))
            except ApiError as exc:
                self.report.errors.append(f"{promotion.code}: {exc}")
        took = time.perf_counter() - started
        self.echo(f"{'promotions':11} {self.report.tally('promotions')} ({took:.1f}s)")
        for store in self.catalogue.stores:
            counts = Counter(p.promo_type for p in authored if p.brand_id == store.brand_id)
            self.report.per_store[store.code] = counts

    def _promotion(self, promotion: AuthoredPromotion, existing: Any) -> None:
        verdict = self.client.post(f"{API}/promotions/validate", promotion.spec)
        if not verdict["ok"]:
            problems = [f"{e['field']}: {e['message']}" for e in verdict["errors"]]
            raise ApiError("POST", f"{API}/promotions/validate", 422, problems)
        self.report.warnings += [
            f"{promotion.code}: {w['field']}: {w['message']}" for w in verdict["warnings"]
        ]
        tally = self.report.tally("promotions")
        if existing is None:
            saved = self.client.post(f"{API}/promotions", {**promotion.spec, "activate": True})
            tally.created += 1
        elif not same(promotion.spec, existing["spec"]):
            saved = self.client.put(f"{API}/promotions/{existing['id']}", promotion.spec)
            tally.updated += 1
        else:
            saved = existing
            tally.unchanged += 1
        if saved["status"] != "active":
            saved = self.client.post(f"{API}/promotions/{saved['id']}/activate")
            tally.activated += 1
        self.report.promotion_ids[promotion.code] = UUID(saved["id"])


def run_import(
    client: HoClient,
    catalogue: DemoCatalogue,
    company_id: UUID,
    echo: Callable[[str], None] = print,
    workers: int = 4,
) -> ImportReport:
    """Import ``catalogue`` and its demo promotions into ``company_id`` (see the module doc);
    master data goes ``workers`` requests at a time."""
    return Importer(client, catalogue, company_id, echo, workers).run()
