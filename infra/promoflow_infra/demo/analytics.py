"""Does HO's analytics agree with the replay? Uses and discount per promotion at one store.

The collector's per-store report (``GET /api/v1/analytics/stores?promotion_id=..``, bearer
analytics token) is read for each of the store's promotions over the store-local business
dates around now, once before the replay (the baseline) and then repeatedly after it until
HO's increase equals the replay's *new* redemptions (:attr:`ReplayStats.new_by_promotion`) or
the wait runs out. Comparing increases keeps earlier runs and other stores out of it; traffic
from elsewhere on the same store and promotions during the replay would show as a difference.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from uuid import UUID
from zoneinfo import ZoneInfo

import httpx

from promoflow_infra.demo.ho_client import problems_of
from promoflow_infra.demo.stats import Totals

#: Development analytics token of the usage collector.
DEV_ANALYTICS_TOKEN = "dev-analytics-token"


@dataclass(frozen=True, slots=True)
class Window:
    """The store-local business dates to read: yesterday to tomorrow around ``now``."""

    date_from: date
    date_to: date

    @classmethod
    def around_now(cls, timezone: str) -> Window:
        """Yesterday..tomorrow in ``timezone`` (covers a replay that crosses midnight)."""
        today = datetime.now(ZoneInfo(timezone)).date()
        return cls(today - timedelta(days=1), today + timedelta(days=1))


class AnalyticsReader:
    """Reads one store's uses and discount per promotion from the collector's API."""

    def __init__(self, url: str, token: str, store_id: UUID, window: Window) -> None:
        self.http = httpx.Client(
            base_url=url.rstrip("/"), headers={"Authorization": f"Bearer {token}"}, timeout=30
        )
        self.store_id, self.window = store_id, window

    def close(self) -> None:
        """Close the connection pool."""
        self.http.close()

    def usage(self, promotion_ids: Iterable[UUID]) -> dict[UUID, Totals]:
        """Uses and discount of each promotion at the store. Raises ``RuntimeError`` when the
        collector refuses, ``httpx.HTTPError`` when it cannot be reached."""
        found: dict[UUID, Totals] = {}
        for pid in promotion_ids:
            response = self.http.get(
                "/api/v1/analytics/stores",
                params={
                    "promotion_id": str(pid),
                    "date_from": self.window.date_from.isoformat(),
                    "date_to": self.window.date_to.isoformat(),
                },
            )
            if response.status_code != 200:
                detail = "; ".join(problems_of(response.json() if response.content else {}))
                raise RuntimeError(f"analytics HTTP {response.status_code}: {detail}")
            totals = Totals()
            for row in response.json()["stores"]:
                if UUID(row["store_id"]) == self.store_id:
                    totals.uses += int(row["uses"])
                    totals.discount += Decimal(str(row["discount"]))
            found[pid] = totals
        return found


@dataclass(frozen=True, slots=True)
class Comparison:
    """One promotion: what the replay recorded and what HO's figures rose by."""

    promotion_id: UUID
    code: str
    promo_type: str
    replay: Totals
    ho: Totals

    @property
    def agrees(self) -> bool:
        """Same uses and same discount."""
        return (self.replay.uses, self.replay.discount) == (self.ho.uses, self.ho.discount)


def compare(
    expected: dict[UUID, Totals],
    baseline: dict[UUID, Totals],
    now: dict[UUID, Totals],
    names: dict[UUID, tuple[str, str]],
) -> list[Comparison]:
    """Per promotion: the replay's new totals against HO's increase over the baseline."""
    rows = []
    for pid in sorted(set(expected) | set(now), key=lambda p: names.get(p, (str(p), ""))):
        before, after = baseline.get(pid, Totals()), now.get(pid, Totals())
        rose = Totals(after.uses - before.uses, after.discount - before.discount)
        code, promo_type = names.get(pid, (str(pid), "?"))
        rows.append(Comparison(pid, code, promo_type, expected.get(pid, Totals()), rose))
    return rows


def wait_for_agreement(
    reader: AnalyticsReader,
    expected: dict[UUID, Totals],
    baseline: dict[UUID, Totals],
    names: dict[UUID, tuple[str, str]],
    timeout: float,
    echo: Callable[[str], None] = print,
    poll: float = 2.0,
) -> tuple[list[Comparison], float]:
    """Poll until HO agrees with the replay or ``timeout`` s pass; the last comparison and
    how long the wait took (s)."""
    started = time.monotonic()
    ids = set(baseline) | set(expected)
    while True:
        rows = compare(expected, baseline, reader.usage(ids), names)
        waited = time.monotonic() - started
        if all(r.agrees for r in rows) or waited >= timeout:
            return rows, waited
        behind = sum(r.replay.uses - r.ho.uses for r in rows)
        echo(f"  analytics: {behind} redemptions not counted yet ({waited:.0f}s)")
        time.sleep(poll)


def comparison_lines(rows: list[Comparison]) -> list[str]:
    """The printable table."""
    out = [f"{'promotion':34} {'type':16} {'replay uses/discount':>22} {'HO uses/discount':>20}"]
    for r in rows:
        mark = "ok" if r.agrees else "DIFFERS"
        out.append(
            f"{r.code[:34]:34} {r.promo_type[:16]:16} "
            f"{f'{r.replay.uses}/{r.replay.discount}':>22} {f'{r.ho.uses}/{r.ho.discount}':>20}"
            f"  {mark}"
        )
    return out
