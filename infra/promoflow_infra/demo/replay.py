"""POS replay: send a store's receipts to its evaluator, evaluate then check out, and measure.

For each cart (:mod:`.carts`): ``POST /api/v1/evaluate`` (timed), then
``POST /api/v1/transactions`` with the receipt's transaction id (timed), at ``rate`` carts per
second (0 = as fast as the evaluator answers) over ``connections`` concurrent connections.
The checkout's redemptions are what counts (the store re-evaluates at checkout with its own
clock and limits); the redemptions flow on to HO through the store's outbox relay. A re-run
sends the same transaction ids, which the store answers from its records (``replayed``), so
nothing is counted twice. Progress is echoed every ``progress_every`` seconds.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from uuid import UUID

import httpx

from promoflow_infra.demo.carts import ReplayCart
from promoflow_infra.demo.ho_client import problems_of
from promoflow_infra.demo.stats import Redemption, ReplayStats

#: Development terminal key of the evaluator (``PROMOFLOW_ENV=development``).
DEV_TERMINAL_KEY = "dev-terminal-key"
API = "/api/v1"
#: Checkout attempts per cart (server errors and lost answers are retried).
CHECKOUT_ATTEMPTS = 3


@dataclass(frozen=True, slots=True)
class StorePromotions:
    """The promotions a store holds (``GET /api/v1/promotions?all=true``): id -> (code, type)."""

    store_id: UUID
    promotions: dict[UUID, tuple[str, str]]


def evaluator_client(url: str, terminal_key: str, connections: int) -> httpx.AsyncClient:
    """An async client of one store's evaluator with ``connections`` pooled connections."""
    return httpx.AsyncClient(
        base_url=url.rstrip("/"),
        headers={"X-Terminal-Key": terminal_key},
        limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections),
        timeout=httpx.Timeout(30.0),
    )


async def store_promotions(client: httpx.AsyncClient) -> StorePromotions:
    """The store's id and every active promotion it holds. Raises ``httpx.HTTPError``."""
    response = await client.get(f"{API}/promotions", params={"all": "true"})
    response.raise_for_status()
    body = response.json()
    promotions = {UUID(p["id"]): (str(p["code"]), str(p["promo_type"])) for p in body["promotions"]}
    return StorePromotions(UUID(body["store_id"]), promotions)


async def wait_for_promotions(
    client: httpx.AsyncClient, wait_s: float, echo: Callable[[str], None]
) -> StorePromotions | None:
    """Wait (at most ``wait_s`` s) until the evaluator is ready and holds promotions; the
    last answer (None when it never answered)."""
    deadline = time.monotonic() + wait_s
    last: StorePromotions | None = None
    while True:
        try:
            last = await store_promotions(client)
            if last.promotions:
                return last
        except httpx.HTTPError as exc:
            echo(f"waiting for the evaluator: {exc.__class__.__name__}")
        if time.monotonic() >= deadline:
            return last
        await asyncio.sleep(1.0)


def _redemptions(body: dict[str, Any], known: dict[UUID, tuple[str, str]]) -> list[Redemption]:
    result = body["result"]
    types = {UUID(a["promotion_id"]): a["promo_type"] for a in result["applied"]}
    types.update({UUID(r["promotion_id"]): r["kind"] for r in result.get("rewards", [])})
    out = []
    for line in body["redemptions"]:
        pid = UUID(line["promotion_id"])
        promo_type = known[pid][1] if pid in known else types.get(pid, "unknown")
        out.append(
            Redemption(
                pid,
                line["code"],
                promo_type,
                Decimal(str(line["discount"])),
                Decimal(str(line.get("reward_amount", 0))),
            )
        )
    return out


async def replay_cart(
    client: httpx.AsyncClient,
    cart: ReplayCart,
    known: dict[UUID, tuple[str, str]],
    stats: ReplayStats,
    attempts: int = CHECKOUT_ATTEMPTS,
) -> None:
    """Evaluate then check out one cart, recording latencies and the outcome in ``stats``.

    A checkout that fails with a server error or no answer is retried (``attempts`` in all),
    as a POS would: checkout is idempotent on the transaction id. A retry answered as
    ``replayed`` was recorded by this run's earlier attempt, so it counts as new.
    """
    try:
        started = time.perf_counter()
        evaluated = await client.post(f"{API}/evaluate", json=cart.body)
        stats.evaluate_ms.append((time.perf_counter() - started) * 1000)
        if evaluated.status_code != 200:
            stats.error(f"{cart.receipt_id}: evaluate {_problem(evaluated)}")
            return
        promised = Decimal(str(evaluated.json()["total_discount"]))
    except httpx.HTTPError as exc:
        stats.error(f"{cart.receipt_id}: evaluate {exc.__class__.__name__}: {exc}")
        return
    body = {**cart.body, "transaction_id": cart.transaction_id, "terminal_id": "replay"}
    failure = ""
    for attempt in range(attempts):
        if attempt:
            stats.retries += 1
            await asyncio.sleep(0.5 * attempt)
        try:
            started = time.perf_counter()
            checked = await client.post(f"{API}/transactions", json=body)
            stats.checkout_ms.append((time.perf_counter() - started) * 1000)
        except httpx.HTTPError as exc:
            failure = f"{exc.__class__.__name__}: {exc}"
            continue
        if checked.status_code >= 500:
            failure = _problem(checked)
            continue
        if checked.status_code != 200:
            stats.error(f"{cart.receipt_id}: checkout {_problem(checked)}")
            return
        answer = checked.json()
        stats.checkout(
            _redemptions(answer, known),
            replayed=bool(answer.get("replayed")) and not attempt,
            evaluated_discount=promised,
            checkout_discount=Decimal(str(answer["result"]["total_discount"])),
        )
        return
    stats.error(f"{cart.receipt_id}: checkout failed {attempts} times, last: {failure}")


def _problem(response: httpx.Response) -> str:
    return f"HTTP {response.status_code}: {'; '.join(problems_of(_json(response)))}"


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return {"detail": response.text[:300]}


async def replay(
    client: httpx.AsyncClient,
    carts: Sequence[ReplayCart],
    known: dict[UUID, tuple[str, str]],
    *,
    rate: float = 0.0,
    connections: int = 8,
    echo: Callable[[str], None] = print,
    progress_every: float = 2.0,
) -> tuple[ReplayStats, float]:
    """Replay ``carts`` (see the module docstring); returns the stats and the wall time (s).

    ``rate`` is carts per second across all connections (0 = unthrottled); cart ``i`` starts
    no earlier than ``i / rate`` seconds after the start.
    """
    stats = ReplayStats()
    order = itertools.count()
    started = time.monotonic()

    async def worker() -> None:
        while (index := next(order)) < len(carts):
            if rate > 0:
                delay = started + index / rate - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
            await replay_cart(client, carts[index], known, stats)

    async def progress() -> None:
        while True:
            await asyncio.sleep(progress_every)
            done = stats.carts + stats.errors
            elapsed = time.monotonic() - started
            echo(
                f"  {done}/{len(carts)} receipts, {done / elapsed:.0f}/s, "
                f"{stats.discounted} discounted, {stats.errors} errors"
            )

    reporter = asyncio.create_task(progress())
    try:
        await asyncio.gather(*(worker() for _ in range(max(1, connections))))
    finally:
        reporter.cancel()
    return stats, time.monotonic() - started
