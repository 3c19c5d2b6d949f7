"""Propagation benchmark: a PromotionPublished produced to Kafka → visible in the evaluator.

Usage::

    uv run python benchmarks/propagation_bench.py            # 100 updates
    uv run python benchmarks/propagation_bench.py --quick    # 30 updates (< 90 s in all)
    uv run python benchmarks/propagation_bench.py --kafka 127.0.0.1:9092   # reuse a broker

Setup: a Kafka broker of its own (``promoflow_infra.processes.KafkaBroker``, unless
``--kafka`` is given), this run's topics, 1,000 active promotions already on the topic (so
every change rebuilds a 1,000-promotion snapshot), then the store's two processes exactly as
the launcher starts them: ``python -m promoflow_edge_sync run`` and
``python -m promoflow_evaluator api --workers 2`` over one SQLite edge store.

Each measurement publishes a new version of one promotion (as the compiler's relay does:
``to_record``, idempotent producer) and records, from just before the produce call:

* **store**: ``store_meta.data_version`` committed by edge_sync (read from the SQLite file);
* **first visible** / **all workers**: ``GET /api/v1/promotions/{id}`` returns the new
  version on the first / the last worker. One keep-alive connection is pinned to each worker
  (``/ready`` names the worker that answered; the evaluator gives each worker its own
  ``SO_REUSEPORT`` socket, so connections stay where the kernel put them) and each is polled
  every 10 ms; the workers poll the store independently (every 100 ms by default).

The compiler's outbox relay (HO commit → produce) adds its own poll interval on top; see the
compiler's figures. Target (issue 5): p99 under 1 s.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from uuid import uuid4

import httpx
from aiokafka import AIOKafkaProducer
from sqlalchemy import create_engine, select

sys.path.insert(0, str(Path(__file__).resolve().parent))

from carts import BRAND_ID, COMPANY_ID, STORE_ID, load_carts
from promotion_sets import generate

from promoflow_contracts import edge_store as es
from promoflow_contracts.events import PromotionPublished, PromotionPublishedData
from promoflow_contracts.promotion import CompiledPromotion
from promoflow_contracts.topics import Topics, to_record
from promoflow_edge_sync.domain.decisions import StoreIdentity
from promoflow_infra.processes import KafkaBroker, free_port
from promoflow_infra.topics import ensure_topics

REPO = Path(__file__).resolve().parent.parent
KEY = "bench-terminal-key"


def pct(values: list[float], q: float) -> float:
    data = sorted(values)
    return data[min(len(data) - 1, int(q * len(data)))] * 1000 if data else float("nan")


def event(doc: CompiledPromotion) -> PromotionPublished:
    return PromotionPublished(
        occurred_at=datetime.now(UTC), producer="bench", data=PromotionPublishedData(promotion=doc)
    )


def store_env(url: str, kafka: str, topics: Topics) -> dict[str, str]:
    return {
        **os.environ,
        "PROMOFLOW_ENV": "test",
        "PROMOFLOW_STORE_ID": str(STORE_ID),
        "PROMOFLOW_STORE_COMPANY_ID": str(COMPANY_ID),
        "PROMOFLOW_STORE_BRAND_ID": str(BRAND_ID),
        "PROMOFLOW_STORE_TIMEZONE": "Europe/London",
        "PROMOFLOW_STORE_COUNTRY": "GB",
        "PROMOFLOW_STORE_CURRENCY": "GBP",
        "PROMOFLOW_TERMINAL_KEYS": KEY,
        "PROMOFLOW_EDGE_DATABASE_URL": url,
        "PROMOFLOW_KAFKA_BOOTSTRAP": kafka,
        "PROMOFLOW_TOPIC_PREFIX": topics.prefix,
    }


def data_version(engine: object) -> int:
    try:
        with engine.connect() as conn:  # type: ignore[attr-defined]
            return int(conn.execute(select(es.store_meta.c.data_version)).scalar() or 0)
    except Exception:
        return 0


async def version_seen(client: httpx.AsyncClient, url: str) -> int:
    try:
        response = await client.get(url)
    except httpx.HTTPError:
        return 0
    return int(response.json()["version"]) if response.status_code == 200 else 0


async def pin_workers(base: str, workers: int, promotions: int) -> dict[int, httpx.AsyncClient]:
    """One keep-alive connection per evaluator worker, each worker holding ``promotions``:
    clients of one connection each are opened until every worker (``worker_pid`` of
    ``/ready``) has one; the kernel keeps a connection on the worker that accepted it."""
    pinned: dict[int, httpx.AsyncClient] = {}
    deadline = time.monotonic() + 180
    while len(pinned) < workers:
        if time.monotonic() > deadline:
            raise RuntimeError(f"reached {len(pinned)} of {workers} loaded workers")
        client = httpx.AsyncClient(
            base_url=base,
            headers={"X-Terminal-Key": KEY},
            timeout=10,
            limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
        )
        try:
            body = (await client.get("/ready")).json()
        except (httpx.HTTPError, ValueError):
            body = {}
        pid = body.get("worker_pid")
        if pid is not None and pid not in pinned and body.get("promotions") == promotions:
            pinned[int(pid)] = client
        else:
            await client.aclose()
            await asyncio.sleep(0.1)
    return pinned


async def committed(engine: object, before: int, started: float) -> float:
    """Seconds from ``started`` until edge_sync has committed a new data version."""
    while data_version(engine) <= before:
        if time.perf_counter() - started > 10:
            raise RuntimeError("not committed in the edge store after 10 s")
        await asyncio.sleep(0.003)
    return time.perf_counter() - started


async def visible(client: httpx.AsyncClient, path: str, version: int, started: float) -> float:
    """Seconds from ``started`` until this worker serves ``version`` (polled every 10 ms)."""
    while await version_seen(client, path) != version:
        if time.perf_counter() - started > 10:
            raise RuntimeError(f"version {version} not visible after 10 s")
        await asyncio.sleep(0.01)
    return time.perf_counter() - started


async def measure(args: argparse.Namespace, kafka: str) -> None:
    topics = Topics(f"bench-{uuid4().hex[:8]}.")
    await ensure_topics(kafka, topics)
    _carts, catalogue, source = load_carts()
    generated = generate(catalogue, args.promotions, seed=42, brands=args.brands)
    identity = StoreIdentity(STORE_ID, COMPANY_ID, BRAND_ID)
    promotions = [p for p in generated if identity.targets(p)]  # what edge_sync will keep
    producer = AIOKafkaProducer(bootstrap_servers=kafka, enable_idempotence=True, linger_ms=0)
    await producer.start()
    processes: list[subprocess.Popen[bytes]] = []
    with tempfile.TemporaryDirectory(prefix="promoflow-prop-") as tmp:
        url = f"sqlite:///{tmp}/edge.db"
        env = store_env(url, kafka, topics)
        try:
            futures = []
            for doc in generated:
                record = to_record(event(doc))
                futures.append(
                    await producer.send(
                        topics.promotions.name, record.value, key=record.key, headers=record.headers
                    )
                )
            await asyncio.gather(*futures)
            port = free_port()
            sync_cmd = [
                sys.executable,
                "-m",
                "promoflow_edge_sync",
                "run",
                "--log-level",
                "WARNING",
            ]
            api_cmd = [sys.executable, "-m", "promoflow_evaluator", "api", "--port", str(port)]
            api_cmd += ["--workers", str(args.workers), "--log-level", "WARNING"]
            for command in (sync_cmd, api_cmd):
                processes.append(subprocess.Popen(command, cwd=REPO, env=env))  # noqa: ASYNC220
            base = f"http://127.0.0.1:{port}"
            engine = create_engine(url)
            async with httpx.AsyncClient(
                base_url=base, headers={"X-Terminal-Key": KEY}, timeout=10
            ) as client:
                deadline = time.monotonic() + 120
                while True:
                    try:
                        ready = (await client.get("/ready")).json()
                        if ready.get("promotions") == len(promotions):
                            break
                    except (httpx.HTTPError, ValueError):
                        pass
                    if time.monotonic() > deadline:
                        raise RuntimeError("the store did not load the promotions in time")
                    await asyncio.sleep(0.2)
                pinned = await pin_workers(base, args.workers, len(promotions))
                store_s: list[float] = []
                first_s: list[float] = []
                all_s: list[float] = []
                targets = promotions[: min(10, len(promotions))]
                versions = {p.id: p.version for p in promotions}
                try:
                    for n in range(args.updates):
                        doc = targets[n % len(targets)]
                        versions[doc.id] += 1
                        new = doc.model_copy(
                            update={"version": versions[doc.id], "name": f"{doc.name} #{n}"}
                        )
                        before = data_version(engine)
                        path = f"/api/v1/promotions/{doc.id}"
                        record = to_record(event(new))
                        started = time.perf_counter()
                        await producer.send_and_wait(
                            topics.promotions.name,
                            record.value,
                            key=record.key,
                            headers=record.headers,
                        )
                        stored, seen = await asyncio.gather(
                            committed(engine, before, started),
                            asyncio.gather(
                                *(
                                    visible(worker, path, versions[doc.id], started)
                                    for worker in pinned.values()
                                )
                            ),
                        )
                        store_s.append(stored)
                        first_s.append(min(seen))
                        all_s.append(max(seen))
                        await asyncio.sleep(args.gap)
                finally:
                    for worker in pinned.values():
                        await worker.aclose()
            engine.dispose()
        finally:
            await producer.stop()
            for process in processes:
                process.send_signal(signal.SIGTERM)
            for process in processes:
                try:
                    process.wait(20)
                except subprocess.TimeoutExpired:
                    process.kill()
    print(f"catalogue: {source}")
    print(
        f"store: {len(promotions)} active promotions ({len(generated)} on the topic); edge_sync + evaluator api --workers {args.workers} over SQLite; broker {kafka}"
    )
    print(
        f"{args.updates} updates, one every ~{args.gap * 1000:.0f} ms; times from the produce call"
    )
    print(
        "machine load average (1/5/15 min) at the end: {:.1f} {:.1f} {:.1f}".format(
            *os.getloadavg()
        )
    )
    print(f"{'stage':<28} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for name, values in (
        ("committed in edge store", store_s),
        ("first visible in evaluator", first_s),
        ("visible on all workers", all_s),
    ):
        print(
            f"{name:<28} {pct(values, 0.5):>8.1f} {pct(values, 0.9):>8.1f} {pct(values, 0.99):>8.1f} {pct(values, 1.0):>8.1f}"
        )
    print(f"target p99 < 1 s (all workers): {'MET' if pct(all_s, 0.99) < 1000 else 'MISSED'}")


async def run(args: argparse.Namespace) -> None:
    if args.kafka:
        await measure(args, args.kafka)
        return
    with tempfile.TemporaryDirectory(prefix="promoflow-prop-kafka-") as tmp:
        broker = KafkaBroker(port=free_port(), run_dir=Path(tmp), controller_port=free_port())
        await asyncio.to_thread(broker.start)
        try:
            await measure(args, broker.bootstrap_servers)
        finally:
            await asyncio.to_thread(broker.stop)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="30 updates")
    parser.add_argument("--updates", type=int, default=100)
    parser.add_argument("--promotions", type=int, default=1000)
    parser.add_argument(
        "--brands",
        type=int,
        default=1,
        help="brands the promotions are spread over (1 = all on the store's menu)",
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--gap", type=float, default=0.25, help="seconds between updates")
    parser.add_argument("--kafka", default=None, help="host:port of a broker to use")
    args = parser.parse_args()
    if args.quick:
        args.updates = 30
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
