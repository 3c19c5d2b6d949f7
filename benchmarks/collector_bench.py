"""Usage collector benchmark: ingest rate, end-to-end latency, limit slip-through.

Runs the real worker (``python -m promoflow_usage_collector worker``, one process) against a
real Kafka broker and PostgreSQL, and prints:

1. **Sustained ingest rate** of ``RedemptionRecorded`` events for one worker: a backlog of N
   events is produced first, then the worker drains it; rate = N / (time between the first and
   the last ``processed_events`` row). Every event is deduplicated, aggregated into 4 tables and
   limit-checked, with offsets committed only after the database commit (target >= 5,000/s).
2. **End-to-end latency** from produce (what an edge's outbox relay does after checkout) to the
   aggregate being visible at HO (a poller sees the event's row, committed in the same
   transaction as the aggregates): events are produced at a steady rate, p50/p99/max are
   printed (target p99 < 2 s). The edge's own outbox delay (store-and-forward) is not part of it.
3. **Limit slip-through**: one hot promotion with ``max_uses = M`` is redeemed by many stores at
   R redemptions/s. Stores keep redeeming until they learn the limit: here, when the
   ``LimitStateChanged`` appears on ``limits.v1`` plus an assumed propagation delay D (the
   compiler's republish + edge sync, other services; 0 by default). Slip = counted uses - M.
   Reasoning: redemptions keep arriving at R/s during the window between the M-th redemption
   and the stores learning it, so slip ~= R x (HO detection latency + D) (+ one batch already in
   flight). The measured figure at D = 0 is the floor; each second of D adds R redemptions.
   Per-customer limits do not slip this way when edges are online (they ask HO's
   ``/api/v1/usage/customers/...`` before applying); offline they are flagged unverified.

   The split printed under it: M-th produced -> the transaction of the batch that crossed
   the limit starts (broker, faust fetch, batch fill: ``--batch-within``) -> the relay sent
   ``LimitStateChanged`` (apply, commit, outbox round) -> a consumer saw it.
4. **Floors** (``floor``): a faust agent and a plain aiokafka consumer reading raw records and
   doing nothing (why the worker reads its busy topics with aiokafka, not faust agents); and
   the worker's batch ingest **alone** (``plain``): its ``BatchConsumer`` (aiokafka ``getmany``
   batches into the same ``IngestService``) in this process, without the faust app around it.

``--parts`` picks what to run (default: all); without ``ingest`` the rate is ``--rate``.

Infra: set ``PROMOFLOW_TEST_KAFKA`` / ``PROMOFLOW_TEST_DATABASE_URL`` to reuse running ones,
otherwise a broker and a PostgreSQL are started in a temporary directory and stopped after.

    uv run python benchmarks/collector_bench.py --quick     # < ~90 s
    uv run python benchmarks/collector_bench.py             # larger figures
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from promoflow_contracts.events import (
    LimitStateChanged,
    PromotionPublished,
    PromotionPublishedData,
    RedemptionRecorded,
    RedemptionRecordedData,
)
from promoflow_contracts.promotion import CompiledPromotion
from promoflow_contracts.topics import Topics, decode_event, to_record
from promoflow_infra.paths import REPO_ROOT
from promoflow_infra.processes import KafkaBroker, PostgresCluster, free_port
from promoflow_infra.topics import ensure_topics
from promoflow_usage_collector.adapters.migrate import upgrade_to_head

COMPANY = uuid.UUID("6f1c7d2e-0000-4c59-9a57-3f6f0c8f2a10")
BUSINESS_DATE = date(2026, 3, 3)


# --- infrastructure -----------------------------------------------------------------------


@contextmanager
def infrastructure(run_dir: Path) -> Iterator[tuple[str, str]]:
    """(bootstrap, admin database URL): reused from the environment, or started here."""
    kafka_given = os.environ.get("PROMOFLOW_TEST_KAFKA")
    pg_given = os.environ.get("PROMOFLOW_TEST_DATABASE_URL")
    broker = postgres = None
    try:
        if not kafka_given:
            broker = KafkaBroker(
                port=free_port(), run_dir=run_dir / "kafka", controller_port=free_port()
            )
            broker.start(echo=sys.stderr)
        if not pg_given:
            postgres = PostgresCluster(port=free_port(), run_dir=run_dir / "postgres")
            postgres.start(echo=sys.stderr)
        yield (
            kafka_given or broker.bootstrap_servers,  # type: ignore[union-attr]
            pg_given or postgres.url,  # type: ignore[union-attr]
        )
    finally:
        if postgres is not None:
            postgres.stop(echo=sys.stderr)
        if broker is not None:
            broker.stop(echo=sys.stderr)


@contextmanager
def fresh_database(admin_url: str) -> Iterator[str]:
    name = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
        upgrade_to_head(url)
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` (Linux ``/proc``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def worker(
    bootstrap: str, topics: Topics, database_url: str, run_dir: Path, *extra: str
) -> Iterator[subprocess.Popen[bytes]]:
    log = (run_dir / "worker.log").open("ab")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PROMOFLOW_")}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "promoflow_usage_collector",
            "worker",
            "--broker",
            bootstrap,
            "--topic-prefix",
            topics.prefix,
            "--app-id",
            f"bench-{topics.prefix.strip('.')}",
            "--data-dir",
            str(run_dir / "faust"),
            "--database-url",
            database_url,
            "--no-migrate",
            *extra,
        ],
        cwd=REPO_ROOT,
        env=env,
        stdout=log,
        stderr=log,
    )
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
        if process.returncode not in (0, -15, None):
            print((run_dir / "worker.log").read_text()[-3000:], file=sys.stderr)


# --- events ---------------------------------------------------------------------------------


def cart_values(count: int) -> tuple[list[Decimal], str]:
    """Cart subtotals of real receipts (London takeaway, GBP) when the data is here."""
    try:
        from promoflow_infra.datasets import london_takeaway
        from promoflow_infra.datasets.paths import data_dir

        folder = data_dir()
        if folder is not None:
            receipts = london_takeaway.read(folder, limit=5000).receipts
            values = [r.subtotal for r in receipts if r.subtotal > 0]
            if values:
                return [values[i % len(values)] for i in range(count)], "london_takeaway (GBP)"
    except Exception as exc:  # pragma: no cover - data missing or changed
        print(f"(real receipts unavailable: {exc!r}; using synthetic carts)", file=sys.stderr)
    rng = random.Random(7)
    return [Decimal(rng.randrange(500, 6000)) / 100 for _ in range(count)], "synthetic (GBP)"


def redemption(
    promotion_id: uuid.UUID, store_id: uuid.UUID, subtotal: Decimal, customer: str
) -> RedemptionRecorded:
    discount = (subtotal / 10).quantize(Decimal("0.01"))
    now = datetime.now(UTC)
    return RedemptionRecorded(
        occurred_at=now,
        producer="bench/edge",
        data=RedemptionRecordedData(
            redemption_id=uuid.uuid4(),
            transaction_id=uuid.uuid4().hex[:12],
            store_id=store_id,
            company_id=COMPANY,
            promotion_id=promotion_id,
            promotion_code="BENCH",
            promotion_version=1,
            promo_type="percent_discount",
            customer_id=customer,
            sales_channel="takeaway",
            currency="GBP",
            discount_amount=discount,
            cart_subtotal=subtotal,
            cart_total=subtotal - discount,
            business_date=BUSINESS_DATE,
            redeemed_at=now,
        ),
    )


def hot_promotion(promotion_id: uuid.UUID, max_uses: int) -> PromotionPublished:
    doc = CompiledPromotion.model_validate(
        {
            "id": str(promotion_id),
            "code": "HOT",
            "name": "Hot promotion",
            "company_id": str(COMPANY),
            "promo_type": "percent_discount",
            "currency": "GBP",
            "validity": {"start_date": "2026-01-01", "end_date": "2026-12-31"},
            "targeting": {"company_id": str(COMPANY)},
            "rules": {"type": "percent_discount", "discount_percent": "10"},
            "limits": {"max_uses": max_uses},
            "compiled_at": datetime.now(UTC).isoformat(),
            "compiler_version": "bench",
            "version": 1,
        }
    )
    return PromotionPublished(
        occurred_at=datetime.now(UTC),
        producer="bench/compiler",
        data=PromotionPublishedData(promotion=doc),
    )


async def new_producer(bootstrap: str) -> AIOKafkaProducer:
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, linger_ms=5, max_batch_size=512 * 1024, acks="all"
    )
    await producer.start()
    return producer


# --- measurements ---------------------------------------------------------------------------


def scalar(engine: Any, sql: str, **params: Any) -> Any:
    with engine.connect() as conn:
        return conn.execute(text(sql), params).scalar()


async def wait_processed(engine: Any, count: int, limit_s: float) -> None:
    for _ in range(int(limit_s / 0.2)):
        if scalar(engine, "SELECT COUNT(*) FROM usage.processed_events") >= count:
            return
        await asyncio.sleep(0.2)
    raise SystemExit(f"timed out waiting for {count} processed events")


async def warm_up(ctx: dict[str, Any]) -> None:
    """One redemption through a freshly started worker: it has joined its group after this."""
    before = scalar(ctx["engine"], "SELECT COUNT(*) FROM usage.processed_events")
    producer = await new_producer(ctx["bootstrap"])
    record = to_record(redemption(uuid.uuid4(), uuid.uuid4(), Decimal(10), "warm-up"))
    await producer.send_and_wait(ctx["topics"].redemptions.name, record.value, key=record.key)
    await producer.stop()
    await wait_processed(ctx["engine"], before + 1, limit_s=120)


def in_process_ingest(ctx: dict[str, Any], events: int) -> dict[str, float]:
    """The collector's own code without faust: IngestService on batches of 1,000 records."""
    from promoflow_usage_collector.bootstrap import build_ingest
    from promoflow_usage_collector.config import Settings
    from promoflow_usage_collector.ingest_service import RawRecord

    values, _ = cart_values(events)
    promotions = [uuid.uuid4() for _ in range(200)]
    stores = [uuid.uuid4() for _ in range(50)]
    records = []
    for i in range(events):
        r = to_record(redemption(promotions[i % 200], stores[i % 50], values[i], f"P-{i % 5000}"))
        records.append(RawRecord("bench", 0, i, r.key, r.value, r.headers))
    ingest = build_ingest(Settings(ho_database_url=ctx["database_url"]))
    cpu, wall = time.process_time(), time.perf_counter()
    for start in range(0, events, 1000):
        ingest.redemptions(records[start : start + 1000])
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    ingest.engine.dispose()
    return {"events": events, "rate": events / wall, "cpu_us_per_event": 1e6 * cpu / events}


async def plain_consumer_ingest(ctx: dict[str, Any], events: int) -> dict[str, float]:
    """The worker's batch ingest alone (no faust app, no subprocess): its ``BatchConsumer``.

    The worker's own :class:`BatchConsumer` reads a fresh backlog of redemptions in batches of
    up to 1,000 (``getmany``), applies each batch with the same :class:`IngestService` in a
    thread while it fetches the next, and commits a batch's offsets only after its database
    commit. The clock starts when the first batch is committed (its events are not counted).
    """
    from aiokafka.admin import AIOKafkaAdminClient, NewTopic

    from promoflow_usage_collector.adapters.batch_consumer import BatchConsumer
    from promoflow_usage_collector.bootstrap import build_ingest
    from promoflow_usage_collector.config import Settings

    bootstrap = ctx["bootstrap"]
    topic = f"plain-{uuid.uuid4().hex[:8]}"
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    await admin.create_topics([NewTopic(topic, 12, 1)])
    await admin.close()
    values, _ = cart_values(events)
    promotions = [uuid.uuid4() for _ in range(200)]
    stores = [uuid.uuid4() for _ in range(50)]
    producer = await new_producer(bootstrap)
    for _ in range(100):
        if len(await producer.partitions_for(topic) or ()) == 12:
            break
        await asyncio.sleep(0.1)
    futures = []
    for i in range(events):
        r = to_record(redemption(promotions[i % 200], stores[i % 50], values[i], f"A-{i % 5000}"))
        futures.append(await producer.send(topic, r.value, key=r.key, headers=r.headers))
    await asyncio.gather(*futures)
    await producer.stop()

    ingest = build_ingest(Settings(ho_database_url=ctx["database_url"]))
    started: list[float] = []
    drained = asyncio.Event()

    def committed(result: Any) -> None:  # no polling: a waking loop slows the applying thread
        if not started:
            started.extend((time.perf_counter(), time.process_time(), result.received))
        if batches.committed_records >= events:
            drained.set()

    batches = BatchConsumer(
        bootstrap=bootstrap,
        group_id=f"plain-{topic}",
        appliers={topic: ingest.redemptions},
        batch_size=1000,
        batch_within=0.2,
        after_commit=committed,
    )
    running = asyncio.create_task(batches.run())
    waiting = asyncio.create_task(drained.wait())
    await asyncio.wait({running, waiting}, return_when=asyncio.FIRST_COMPLETED)
    if running.done():
        await running  # it failed
    wall, cpu = time.perf_counter() - started[0], time.process_time() - started[1]
    await batches.stop()
    await running
    ingest.engine.dispose()
    # the clock starts after the first batch is committed: its events are not in the rate
    timed = events - started[2]
    return {"events": events, "rate": timed / wall, "cpu_us_per_event": 1e6 * cpu / timed}


async def ingest_rate(ctx: dict[str, Any], events: int) -> dict[str, float]:
    """Produce a backlog, start the worker, time the drain from the database's timestamps."""
    bootstrap, topics, engine = ctx["bootstrap"], ctx["topics"], ctx["engine"]
    values, ctx["carts"] = cart_values(events)
    ctx["in_process"] = in_process = in_process_ingest(ctx, min(events, 3000))
    already = int(in_process["events"])
    promotions = [uuid.uuid4() for _ in range(200)]
    stores = [uuid.uuid4() for _ in range(50)]
    t0 = time.perf_counter()
    records = [
        to_record(redemption(promotions[i % 200], stores[i % 50], values[i], f"M-{i % 5000}"))
        for i in range(events)
    ]
    build_s = time.perf_counter() - t0
    producer = await new_producer(bootstrap)
    t0 = time.perf_counter()
    futures = [
        await producer.send(topics.redemptions.name, r.value, key=r.key, headers=r.headers)
        for r in records
    ]
    await asyncio.gather(*futures)
    await producer.stop()
    produce_s = time.perf_counter() - t0
    started = time.perf_counter()
    ctx["worker"] = worker(
        bootstrap, topics, ctx["database_url"], ctx["run_dir"], *ctx["worker_args"]
    )
    process = ctx["worker"].__enter__()
    await wait_processed(engine, already + 1, limit_s=120)
    cpu_start = cpu_seconds(process.pid)
    await wait_processed(engine, already + events, limit_s=240)
    cpu_used = cpu_seconds(process.pid) - cpu_start
    wall = time.perf_counter() - started
    first, last = (
        scalar(
            engine,
            f"SELECT EXTRACT(EPOCH FROM {f}(processed_at)) FROM usage.processed_events "
            "WHERE processed_by LIKE 'bench-%'",
        )
        for f in ("min", "max")
    )
    span = float(last - first)
    total = scalar(
        engine,
        "SELECT SUM(uses) FROM usage.promotion_totals WHERE promotion_id = ANY(CAST(:p AS uuid[]))",
        p=promotions,
    )
    assert total == events, f"counted {total} of {events}"
    return {
        "events": events,
        "build_s": build_s,
        "produce_rate": events / produce_s,
        "rate": events / span if span else float("inf"),
        "wall_incl_start_s": wall,
        "cpu_us_per_event": 1e6 * cpu_used / events,
    }


async def latency(ctx: dict[str, Any], rate: int, seconds: float) -> dict[str, float]:
    """Produce at ``rate``/s for ``seconds``; poll until each event's row is visible."""
    bootstrap, topics, engine = ctx["bootstrap"], ctx["topics"], ctx["engine"]
    values, _ = cart_values(int(rate * seconds))
    promotions = [uuid.uuid4() for _ in range(100)]
    stores = [uuid.uuid4() for _ in range(50)]
    sent: dict[uuid.UUID, float] = {}
    sent_wall: dict[uuid.UUID, float] = {}
    seen: dict[uuid.UUID, float] = {}
    producer = await new_producer(bootstrap)
    done = asyncio.Event()

    async def poll() -> None:
        while not (done.is_set() and len(seen) == len(sent)):
            pending = [eid for eid in sent if eid not in seen]
            if pending:
                with engine.connect() as conn:
                    rows = conn.execute(
                        text(
                            "SELECT event_id FROM usage.processed_events "
                            "WHERE event_id = ANY(CAST(:ids AS uuid[]))"
                        ),
                        {"ids": pending},
                    )
                    now = time.perf_counter()
                    for (eid,) in rows:
                        seen[eid] = now
            await asyncio.sleep(0.02)

    poller = asyncio.create_task(poll())
    total = int(rate * seconds)
    tick = 0.01
    per_tick = max(1, int(rate * tick))
    start = time.perf_counter()
    i = 0
    while i < total:
        for _ in range(min(per_tick, total - i)):
            event = redemption(promotions[i % 100], stores[i % 50], values[i], f"L-{i % 3000}")
            r = to_record(event)
            await producer.send(topics.redemptions.name, r.value, key=r.key, headers=r.headers)
            sent[event.event_id] = time.perf_counter()
            sent_wall[event.event_id] = time.time()
            i += 1
        next_at = start + (i / rate)
        await asyncio.sleep(max(0.0, next_at - time.perf_counter()))
    await producer.flush()
    await producer.stop()
    done.set()
    await asyncio.wait_for(poller, timeout=120)
    lat = sorted(seen[e] - sent[e] for e in sent)
    with engine.connect() as conn:
        stamped = conn.execute(
            text(
                "SELECT event_id, EXTRACT(EPOCH FROM processed_at) FROM usage.processed_events "
                "WHERE event_id = ANY(CAST(:ids AS uuid[]))"
            ),
            {"ids": list(sent)},
        ).all()
    db_lat = sorted(float(at) - sent_wall[eid] for eid, at in stamped)
    by_time = sorted(sent, key=sent.__getitem__)
    fifth = max(1, len(by_time) // 5)
    first_fifth = statistics.median(seen[e] - sent[e] for e in by_time[:fifth])
    last_fifth = statistics.median(seen[e] - sent[e] for e in by_time[-fifth:])
    return {
        "p50_first_fifth_ms": 1000 * first_fifth,
        "db_p50_ms": 1000 * statistics.median(db_lat),
        "db_p99_ms": 1000 * db_lat[int(len(db_lat) * 0.99) - 1],
        "p50_last_fifth_ms": 1000 * last_fifth,
        "events": total,
        "rate": rate,
        "p50_ms": 1000 * statistics.median(lat),
        "p99_ms": 1000 * lat[int(len(lat) * 0.99) - 1],
        "max_ms": 1000 * lat[-1],
    }


async def slip_through(
    ctx: dict[str, Any], max_uses: int, rate: int, propagation_delay: float
) -> dict[str, float]:
    """Redeem a hot promotion at ``rate``/s until its exhaustion reaches the stores."""
    bootstrap, topics, engine = ctx["bootstrap"], ctx["topics"], ctx["engine"]
    promo = uuid.uuid4()
    stores = [uuid.uuid4() for _ in range(40)]
    values, _ = cart_values(max_uses * 3)
    consumer = AIOKafkaConsumer(
        topics.limits.name, bootstrap_servers=bootstrap, auto_offset_reset="earliest"
    )
    await consumer.start()
    producer = await new_producer(bootstrap)
    published = hot_promotion(promo, max_uses)
    r = to_record(published)
    await producer.send_and_wait(topics.promotions.name, r.value, key=r.key, headers=r.headers)
    known = "SELECT COUNT(*) FROM usage.promotions WHERE promotion_id = :p"
    for _ in range(1200):  # the worker learns the limit (up to 60 s)
        if scalar(engine, known, p=promo):
            break
        await asyncio.sleep(0.05)

    learned = asyncio.Event()
    exhausted_at: list[float] = []  # perf_counter when the bench saw LimitStateChanged
    seen_wall: list[float] = []  # the same moment, wall clock
    record_ms: list[int] = []  # the record's Kafka timestamp (when the relay sent it)

    async def watch() -> None:
        async for record in consumer:
            event = decode_event(record.value)
            if (
                isinstance(event, LimitStateChanged)
                and event.data.promotion_id == promo
                and event.data.state == "exhausted"
            ):
                exhausted_at.append(time.perf_counter())
                seen_wall.append(time.time())
                record_ms.append(record.timestamp)
                await asyncio.sleep(propagation_delay)
                learned.set()
                return

    watcher = asyncio.create_task(watch())
    sent = 0
    mth_sent_at = mth_sent_wall = 0.0
    start = time.perf_counter()
    tick = 0.01
    while not learned.is_set() and sent < len(values):
        for _ in range(max(1, int(rate * tick))):
            event = redemption(promo, stores[sent % 40], values[sent], f"H-{sent}")
            rec = to_record(event)
            await producer.send(topics.redemptions.name, rec.value, key=rec.key)
            sent += 1
            if sent == max_uses:
                mth_sent_at, mth_sent_wall = time.perf_counter(), time.time()
        await asyncio.sleep(max(0.0, start + sent / rate - time.perf_counter()))
    await producer.flush()
    await producer.stop()
    watcher.cancel()
    await consumer.stop()
    deadline = time.monotonic() + 60
    counted = 0
    while time.monotonic() < deadline:
        counted = scalar(
            engine, "SELECT uses FROM usage.promotion_totals WHERE promotion_id = :p", p=promo
        )
        if counted == sent:
            break
        await asyncio.sleep(0.2)
    detection = (exhausted_at[0] - mth_sent_at) if exhausted_at and mth_sent_at else float("nan")
    # where the detection time went (wall clocks of this machine: bench, PostgreSQL, broker)
    with engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT EXTRACT(EPOCH FROM created_at), EXTRACT(EPOCH FROM sent_at) "
                "FROM usage.outbox WHERE message_key = :k ORDER BY id LIMIT 1"
            ),
            {"k": str(promo)},
        ).first()
    split = {"to_batch_ms": float("nan"), "batch_relay_ms": float("nan"), "broker_ms": float("nan")}
    if row is not None and record_ms and mth_sent_wall:
        batch_started = float(row[0])
        split = {
            "to_batch_ms": 1000 * (batch_started - mth_sent_wall),
            "batch_relay_ms": record_ms[0] - 1000 * batch_started,
            "broker_ms": 1000 * seen_wall[0] - record_ms[0],
        }
    return {
        "max_uses": max_uses,
        "rate": rate,
        "delay_s": propagation_delay,
        "sent": sent,
        "counted": counted,
        "slip": counted - max_uses,
        "detection_ms": 1000 * detection,
        **split,
    }


# --- consumer floors: what faust and plain aiokafka cost per event, doing nothing ----------

_NOOP_AGENT = """
import os, resource, sys, time, faust
topic, count, boot = sys.argv[1], int(sys.argv[2]), sys.argv[3]
app = faust.App("floor-" + topic, broker="kafka://" + boot, web_enabled=False,
    datadir=sys.argv[4], consumer_auto_offset_reset="earliest", stream_wait_empty=False,
    topic_disable_leader=True, broker_commit_every=1000, broker_commit_interval=1.0)
channel = app.topic(topic, key_type=bytes, value_type=bytes, key_serializer="raw",
    value_serializer="raw")
seen = {"n": 0}
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
@app.agent(channel, concurrency=1)
async def noop(stream):
    async for events in stream.noack_take(1000, within=0.2):
        if not seen["n"]:
            seen["t"], seen["c"] = time.perf_counter(), cpu()
        for event in events:
            await stream.ack(event)
        seen["n"] += len(events)
        if seen["n"] >= count:
            result = f'{seen["n"]} {time.perf_counter() - seen["t"]} {cpu() - seen["c"]}'
            with open(sys.argv[5], "w") as out:  # faust takes over stdout
                out.write(result)
            os._exit(0)
faust.Worker(app, loglevel="error", quiet=True).execute_from_commandline()
"""


async def consumer_floors(ctx: dict[str, Any], events: int) -> dict[str, float]:
    """Per-event cost of consuming (and acking/committing) records with no work at all.

    The same raw records (900 bytes, 12 partitions) are read by a faust agent that does the
    worker's ``noack_take`` + ``ack`` and nothing else, and by a plain aiokafka consumer
    (``getmany`` + explicit commit per batch): the floor each approach puts under a worker.
    """
    bootstrap = ctx["bootstrap"]
    topic = f"floor-{uuid.uuid4().hex[:8]}"
    from aiokafka.admin import AIOKafkaAdminClient, NewTopic

    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    await admin.create_topics([NewTopic(topic, 12, 1)])
    await admin.close()
    producer = await new_producer(bootstrap)
    for _ in range(100):  # until the new topic's metadata is everywhere
        if len(await producer.partitions_for(topic) or ()) == 12:
            break
        await asyncio.sleep(0.1)
    futures = [await producer.send(topic, b"x" * 900, key=str(i).encode()) for i in range(events)]
    await asyncio.gather(*futures)
    await producer.stop()
    skip = 1000  # measured from the first batch: start-up and group join are not counted
    script = ctx["run_dir"] / "noop_agent.py"
    script.write_text(_NOOP_AGENT)
    data_dir = str(ctx["run_dir"] / "floor-faust")
    result = ctx["run_dir"] / "floor-result.txt"
    out = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, str(script), topic, str(events - skip), bootstrap, data_dir, str(result)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if not result.exists():
        raise SystemExit(f"faust floor failed: {(out.stdout + out.stderr)[-3000:]}")
    n, wall, cpu = result.read_text().split()
    faust_rate, faust_cpu = int(n) / float(wall), 1e6 * float(cpu) / int(n)

    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=f"plain-{topic}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        max_poll_records=1000,
    )
    await consumer.start()
    count, started, cpu_start = 0, 0.0, 0.0
    while count < events:
        batch = await consumer.getmany(timeout_ms=500, max_records=1000)
        if batch and not started:
            started, cpu_start = time.perf_counter(), time.process_time()
        count += sum(len(records) for records in batch.values())
        if batch:
            await consumer.commit({tp: rs[-1].offset + 1 for tp, rs in batch.items()})
    wall_s, cpu_s = time.perf_counter() - started, time.process_time() - cpu_start
    await consumer.stop()
    return {
        "events": events,
        "faust_rate": faust_rate,
        "faust_cpu_us": faust_cpu,
        "aiokafka_rate": count / wall_s,
        "aiokafka_cpu_us": 1e6 * cpu_s / count,
    }


def print_floors(r: dict[str, float]) -> None:
    print(f"== consumer floors: {r['events']:,.0f} raw records, no work per event")
    print(
        f"  faust agent (noack_take + ack)      {r['faust_rate']:,.0f} events/s, "
        f"{r['faust_cpu_us']:.0f} us CPU per event"
    )
    print(
        f"  aiokafka getmany + commit           {r['aiokafka_rate']:,.0f} events/s, "
        f"{r['aiokafka_cpu_us']:.0f} us CPU per event"
    )


# --- main -----------------------------------------------------------------------------------


async def run(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="collector-bench-") as tmp:
        run_dir = Path(tmp)
        with infrastructure(run_dir) as (bootstrap, admin_url), fresh_database(admin_url) as url:
            topics = Topics(f"bench-{uuid.uuid4().hex[:8]}.")
            await ensure_topics(bootstrap, topics)  # production partition counts
            engine = create_engine(url)
            ctx: dict[str, Any] = {
                "bootstrap": bootstrap,
                "topics": topics,
                "engine": engine,
                "database_url": url,
                "run_dir": run_dir,
                "worker_args": args.worker_args,
            }
            try:
                rate = args.rate or 500
                if "floor" in args.parts:
                    print_floors(await consumer_floors(ctx, min(args.events, 20_000)))
                if "ingest" in args.parts:
                    ingest = await ingest_rate(ctx, args.events)
                    print_ingest(ingest, ctx["carts"], ctx["in_process"])
                if "plain" in args.parts:
                    plain = await plain_consumer_ingest(ctx, args.events)
                    print(
                        f"== the worker's BatchConsumer alone (no faust app, no subprocess), "
                        f"pipelined\n  ingest rate           {plain['rate']:,.0f} events/s, "
                        f"{plain['cpu_us_per_event']:.0f} us CPU per event ({plain['events']:,.0f} "
                        "events; offsets committed after each batch's DB commit)"
                    )
                if "ingest" in args.parts:
                    # latency and slip at a load the worker sustains: half its measured rate
                    rate = args.rate or max(100, int(ingest["rate"] / 2 / 100) * 100)
                elif {"latency", "slip"} & set(args.parts):
                    ctx["worker"] = worker(bootstrap, topics, url, run_dir, *ctx["worker_args"])
                    ctx["worker"].__enter__()
                    await warm_up(ctx)
                if "latency" in args.parts:
                    lat = await latency(ctx, rate, args.seconds)
                    print_latency(lat)
                for delay in args.delays if "slip" in args.parts else []:
                    slip = await slip_through(ctx, args.max_uses, args.slip_rate or rate, delay)
                    print_slip(slip)
            finally:
                if "worker" in ctx:
                    ctx["worker"].__exit__(None, None, None)
                engine.dispose()


def print_ingest(r: dict[str, float], carts: str, alone: dict[str, float]) -> None:
    print("== usage collector: sustained ingest (1 worker, redemptions.v1 with 12 partitions)")
    print(f"  carts from            {carts}")
    print(
        f"  events                {r['events']:,.0f} (built in {r['build_s']:.1f} s, "
        f"produced at {r['produce_rate']:,.0f}/s)"
    )
    print(f"  ingest rate           {r['rate']:,.0f} events/s   (target >= 5,000/s)")
    print(f"  drain incl. start-up  {r['wall_incl_start_s']:.1f} s")
    print(
        f"  worker CPU per event  {r['cpu_us_per_event']:.0f} us (faust consume + decode + batch SQL)"
    )
    print(
        f"  without faust         {alone['rate']:,.0f} events/s, {alone['cpu_us_per_event']:.0f} us CPU "
        f"per event (IngestService in-process, {alone['events']:,.0f} events, batches of 1,000)"
    )
    print(
        f"  => faust's share      ~{r['cpu_us_per_event'] - alone['cpu_us_per_event']:.0f} us CPU "
        "per event (consumer -> conductor -> stream -> ack)"
    )


def print_latency(r: dict[str, float]) -> None:
    print(
        f"== end-to-end latency, produce -> aggregate visible ({r['rate']:,.0f}/s for "
        f"{r['events']:,.0f} events)"
    )
    print(
        f"  p50 {r['p50_ms']:.0f} ms   p99 {r['p99_ms']:.0f} ms   max {r['max_ms']:.0f} ms"
        "   (target p99 < 2,000 ms)"
    )
    print(
        f"  by the database clock (row written; commit follows): p50 {r['db_p50_ms']:.0f} ms, "
        f"p99 {r['db_p99_ms']:.0f} ms"
    )
    print(
        f"  p50 of the first fifth {r['p50_first_fifth_ms']:.0f} ms, of the last fifth "
        f"{r['p50_last_fifth_ms']:.0f} ms (if the second grows, the worker fell behind)"
    )


def print_slip(r: dict[str, float]) -> None:
    print(
        f"== limit slip-through: max_uses {r['max_uses']:,.0f}, {r['rate']:,.0f} redemptions/s, "
        f"stores learn {r['delay_s']:.1f} s after LimitStateChanged"
    )
    print(
        f"  sent {r['sent']:,.0f}, counted {r['counted']:,.0f}, over the limit "
        f"{r['slip']:,.0f}; M-th redemption -> LimitStateChanged {r['detection_ms']:.0f} ms"
    )
    print(
        f"  split: M-th produced -> its batch's transaction starts {r['to_batch_ms']:.0f} ms "
        f"(broker, faust fetch, batch fill); -> LimitStateChanged sent {r['batch_relay_ms']:.0f} ms "
        f"(apply + commit + outbox relay); -> seen by a consumer {r['broker_ms']:.0f} ms"
    )
    print(
        f"  model: slip ~= rate x (detection + delay) = "
        f"{r['rate'] * (r['detection_ms'] / 1000 + r['delay_s']):,.0f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller run, under ~90 s")
    parser.add_argument("--events", type=int, help="backlog size for the ingest rate")
    parser.add_argument(
        "--rate", type=int, help="events/s for the latency run (default: half the ingest rate)"
    )
    parser.add_argument("--seconds", type=float, help="length of the latency run")
    parser.add_argument("--max-uses", type=int, default=1000)
    parser.add_argument(
        "--slip-rate", type=int, help="hot promotion's redemptions/s (default: the latency rate)"
    )
    parser.add_argument(
        "--delays", type=float, nargs="*", help="propagation delays to simulate (s)"
    )
    parser.add_argument(
        "--parts",
        nargs="+",
        choices=("floor", "ingest", "plain", "latency", "slip"),
        default=["floor", "ingest", "plain", "latency", "slip"],
        help="what to measure (without ingest, the rate is --rate or 500/s)",
    )
    parser.add_argument(
        "--batch-within",
        type=float,
        help="the worker's --batch-within (seconds to fill a batch; its default otherwise)",
    )
    args = parser.parse_args()
    args.worker_args = (
        [] if args.batch_within is None else ["--batch-within", str(args.batch_within)]
    )
    args.events = args.events or (20_000 if args.quick else 150_000)
    args.seconds = args.seconds or (10 if args.quick else 30)
    args.delays = args.delays if args.delays is not None else ([0.0] if args.quick else [0.0, 1.0])
    started = time.perf_counter()
    load = os.getloadavg()[0]
    asyncio.run(run(args))
    print(
        f"(benchmark took {time.perf_counter() - started:.0f} s on {os.cpu_count()} cores; "
        f"load average {load:.1f} before, {os.getloadavg()[0]:.1f} after)"
    )


if __name__ == "__main__":
    main()
