"""Evaluator HTTP load benchmark: real carts, 1,000 active promotions, 50 POS connections,
2 evaluator workers, load from a second process on loopback.

Usage::

    uv run python benchmarks/evaluator_bench.py            # 30 s per phase
    uv run python benchmarks/evaluator_bench.py --quick    # 10 s per phase (< 90 s in all)
    uv run python benchmarks/evaluator_bench.py --promotions 100 --rate 500

What it does:

1. Carts: the London takeaway receipts (``benchmarks/carts.py``: one cart per order, items
   mapped to products with stable ids and keyword categories; synthetic only when the data is
   missing, and the output says so). Promotions: ``benchmarks/promotion_sets.py`` (all 12
   types, every one active for the store).
2. The promotions are written into a fresh SQLite edge store by edge_sync's own ``apply``
   (exactly what the consumer does), then ``python -m promoflow_evaluator api --workers 2``
   is started as a separate process on a free loopback port (store in Europe/London, GBP).
3. This process (the load generator: a minimal asyncio HTTP/1.1 keep-alive client, 50
   connections; see :class:`Connection` for why not httpx) runs a warm-up, then

   * **closed loop**: 50 connections send back to back for the phase duration: sustained
     requests per second and latency percentiles;
   * **open loop** at ``--rate`` (default 500 req/s): requests are scheduled at fixed
     intervals and latency is measured from the *scheduled* time (no coordinated omission);
     if the server cannot keep up, the backlog grows and the phase stops early, saying so.

Latency is client-observed (send → full response body). Target (issue 5): p99 ≤ 10 ms at
500 req/s. On a 2-core machine the client shares the CPUs with the two workers.

Server side, from the evaluator's own histograms (means over all phases): the request
(``promoflow_evaluator_request_seconds``), the handler's synchronous work in it (key check,
parse, engine, serialise: ``..._handler_seconds``) and the engine's share of that
(``..._engine_seconds``); request minus handler is socket I/O and time spent waiting for the
event loop while other requests run (large when the workers are saturated).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import math
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from carts import BRAND_ID, COMPANY_ID, STORE_ID, load_carts
from promotion_sets import generate

from promoflow_contracts.edge_store import create_edge_engine
from promoflow_contracts.events import PromotionPublished, PromotionPublishedData
from promoflow_contracts.promotion import CompiledPromotion
from promoflow_edge_sync.adapters.store import EdgeStore
from promoflow_edge_sync.domain.decisions import StoreIdentity
from promoflow_edge_sync.service import apply_events
from promoflow_infra.processes import free_port

REPO = Path(__file__).resolve().parent.parent
KEY = "bench-terminal-key"
PATH = "/api/v1/evaluate"


@dataclass
class Phase:
    """Latencies (seconds) and errors of one load phase."""

    name: str
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    elapsed: float = 0.0
    note: str = ""
    #: open loop: scheduled send time -> the request being written (the load generator's own
    #: delay: waiting for the CPU or for a free connection), seconds
    send_lags: list[float] = field(default_factory=list)
    #: server-side means over the phase (ms): request, handler, engine; CPU ms per request
    server: dict[str, float] = field(default_factory=dict)

    def pct(self, q: float) -> float:
        data = sorted(self.latencies)
        if not data:
            return float("nan")
        return data[min(len(data) - 1, int(q * len(data)))] * 1000

    def row(self) -> str:
        rate = len(self.latencies) / self.elapsed if self.elapsed else 0.0
        return (
            f"{self.name:<22} {len(self.latencies):>8} {rate:>9.1f} {self.pct(0.5):>8.2f} "
            f"{self.pct(0.9):>8.2f} {self.pct(0.99):>8.2f} {self.pct(1.0):>9.2f} {self.errors:>6}"
            + (f"  {self.note}" if self.note else "")
        )


class Meter:
    """Server-side figures of one phase: the evaluator's histograms (scraped from ``/metrics``
    before and after) and CPU time (``/proc``) of the server's processes and of this client."""

    def __init__(self, base: str, server_pid: int) -> None:
        self._base = base
        self._pid = server_pid
        self._start: tuple[dict[str, tuple[float, float]], float, float] | None = None

    async def _histograms(self) -> dict[str, tuple[float, float]]:
        async with httpx.AsyncClient(base_url=self._base) as client:
            text = (await client.get("/metrics")).text
        return {
            name: _sum_count(text, f"promoflow_evaluator_{name}_seconds", label, value)
            for name, label, value in (
                ("request", "route", PATH),
                ("handler", "endpoint", "evaluate"),
                ("engine", "endpoint", "evaluate"),
            )
        }

    async def engine_build(self) -> str:
        """The engine build the server runs (its ``promoflow_evaluator_engine_build`` gauge)."""
        async with httpx.AsyncClient(base_url=self._base) as client:
            text = (await client.get("/metrics")).text
        for line in text.splitlines():
            if line.startswith("promoflow_evaluator_engine_build{"):
                return line.split('"')[1]
        return "unknown"

    async def start(self) -> None:
        self._start = (await self._histograms(), _tree_cpu(self._pid), time.process_time())

    async def stop(self, phase: Phase) -> None:
        """Fill ``phase.server`` with the differences since :meth:`start`."""
        assert self._start is not None
        before, server_cpu, client_cpu = self._start
        after = await self._histograms()
        for name, (total, count) in after.items():
            done = count - before[name][1]
            phase.server[name] = (total - before[name][0]) / done * 1000 if done else math.nan
        requests = max(len(phase.latencies) + phase.errors, 1)
        phase.server["server_cpu"] = (_tree_cpu(self._pid) - server_cpu) / requests * 1000
        phase.server["client_cpu"] = (time.process_time() - client_cpu) / requests * 1000


def _tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) of ``pid`` and its children (the evaluator's workers)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if stat.parent.name == str(pid) or fields[1] == str(pid):  # fields[1]: parent pid
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def seed_store(url: str, promotions: list[CompiledPromotion]) -> int:
    """Write ``promotions`` into the edge store the way edge_sync does; returns its version."""
    engine = create_edge_engine(url)
    store = EdgeStore(engine, STORE_ID)
    store.create()
    events = [
        PromotionPublished(
            occurred_at=p.compiled_at, producer="bench", data=PromotionPublishedData(promotion=p)
        )
        for p in promotions
    ]
    report = apply_events(
        store=store,
        identity=StoreIdentity(STORE_ID, COMPANY_ID, BRAND_ID),
        events=events,
        source="kafka",
    )
    engine.dispose()
    return report.data_version


def start_server(url: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    """``python -m promoflow_evaluator api`` for the benchmark store."""
    env = {
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
    }
    command = [sys.executable, "-m", "promoflow_evaluator", "api", "--port", str(port)]
    command += ["--workers", str(workers), "--log-level", "WARNING"]
    return subprocess.Popen(command, cwd=REPO, env=env)


async def wait_ready(base: str, workers: int = 1, limit_s: float = 240) -> dict[str, object]:
    """Wait until ``/ready`` answers 200 from ``workers`` distinct worker processes (each
    request on a fresh connection, so the kernel spreads them over the workers)."""
    deadline = time.monotonic() + limit_s
    seen: dict[object, dict[str, object]] = {}
    while time.monotonic() < deadline:
        try:
            async with httpx.AsyncClient(base_url=base) as client:
                response = await client.get("/ready")
            if response.status_code == 200:
                body = dict(response.json())
                seen[body.get("worker_pid")] = body
                if len(seen) >= workers or None in seen:
                    return body
        except httpx.HTTPError:
            pass
        await asyncio.sleep(0.05 if seen else 0.2)
    raise RuntimeError(f"evaluator did not become ready ({len(seen)} of {workers} workers)")


class Connection:
    """A minimal HTTP/1.1 keep-alive client connection (asyncio streams).

    The load generator shares the machine with the server, so it must cost as little CPU
    per request as possible: httpx's pure-Python stack costs more per request than the
    evaluator itself for small promotion sets, which would measure the client, not the server.
    """

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, body: bytes) -> int:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        assert self.reader is not None
        head = (
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Terminal-Key: {KEY}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        self.writer.write(head.encode() + body)
        headers = await self.reader.readuntil(b"\r\n\r\n")
        length = 0
        for line in headers.split(b"\r\n"):
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        await self.reader.readexactly(length)
        return int(headers[9:12])

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None


async def _send(conn: Connection, body: bytes, phase: Phase) -> bool:
    try:
        status = await conn.post("/api/v1/evaluate", body)
    except (OSError, asyncio.IncompleteReadError):
        conn.close()
        phase.errors += 1
        return False
    if status != 200:
        phase.errors += 1
        return False
    return True


async def closed_loop(
    port: int, bodies: list[bytes], seconds: float, connections: int, name: str
) -> Phase:
    """``connections`` POS terminals sending back to back for ``seconds``."""
    phase = Phase(name)
    stop = time.perf_counter() + seconds

    async def terminal(offset: int) -> None:
        conn = Connection(port)
        n = offset
        while time.perf_counter() < stop:
            started = time.perf_counter()
            if await _send(conn, bodies[n % len(bodies)], phase):
                phase.latencies.append(time.perf_counter() - started)
            n += 1
        conn.close()

    began = time.perf_counter()
    await asyncio.gather(*(terminal(i * 37) for i in range(connections)))
    phase.elapsed = time.perf_counter() - began
    return phase


async def open_loop(
    port: int, bodies: list[bytes], seconds: float, connections: int, rate: float
) -> Phase:
    """Requests at a fixed ``rate`` over at most ``connections`` connections; latency from
    the scheduled send time. Stops early when the backlog shows the server cannot keep up."""
    phase = Phase(f"open loop {rate:.0f}/s")
    idle: asyncio.Queue[Connection] = asyncio.Queue()
    for _ in range(connections):
        idle.put_nowait(Connection(port))
    total = int(seconds * rate)
    tasks: list[asyncio.Task[None]] = []
    backlog_limit = max(connections * 4, int(rate))

    async def one(scheduled: float, body: bytes) -> None:
        conn = await idle.get()
        phase.send_lags.append(time.perf_counter() - scheduled)
        try:
            if await _send(conn, body, phase):
                phase.latencies.append(time.perf_counter() - scheduled)
        finally:
            idle.put_nowait(conn)

    began = time.perf_counter()
    for n in range(total):
        scheduled = began + n / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        if n % 50 == 0:
            tasks = [t for t in tasks if not t.done()]
            if len(tasks) > backlog_limit:
                phase.note = (
                    f"SATURATED: {len(tasks)} requests waiting after {n} sent; stopped early"
                )
                break
        tasks.append(asyncio.create_task(one(scheduled, bodies[n % len(bodies)])))
    await asyncio.gather(*tasks)
    phase.elapsed = time.perf_counter() - began
    while not idle.empty():
        idle.get_nowait().close()
    return phase


async def run(args: argparse.Namespace) -> None:
    carts, catalogue, source = load_carts()
    rng = random.Random(args.seed)
    chosen = rng.sample(carts, min(args.carts, len(carts)))
    bodies = [cart.model_dump_json().encode() for cart in chosen]
    lines = sum(len(c.lines) for c in chosen) / len(chosen)
    promotions = generate(catalogue, args.promotions, seed=args.seed, brands=args.brands)
    with tempfile.TemporaryDirectory(prefix="promoflow-bench-") as tmp:
        url = f"sqlite:///{tmp}/edge.db"
        version = seed_store(url, promotions)
        port = free_port()
        server = start_server(url, port, args.workers)
        base = f"http://127.0.0.1:{port}"
        try:
            ready = await wait_ready(base, args.workers)
            # The load generator's own pauses count as latency (measured from the scheduled
            # send): keep its full collections off the parsed carts and promotions it holds.
            gc.collect()
            gc.freeze()
            await closed_loop(port, bodies, args.warmup, args.connections, "warm-up")
            meter = Meter(base, server.pid)
            await meter.start()
            phases = [
                await closed_loop(
                    port, bodies, args.duration, args.connections, "closed loop (max)"
                )
            ]
            await meter.stop(phases[-1])
            await meter.start()
            phases.append(await open_loop(port, bodies, args.duration, args.connections, args.rate))
            await meter.stop(phases[-1])
            engine_build = await meter.engine_build()
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(20)
            except subprocess.TimeoutExpired:
                server.kill()
    print(f"carts: {source}; {len(chosen)} distinct carts, {lines:.1f} lines/cart")
    print(
        f"store: {ready.get('promotions')} active promotions in the snapshot "
        f"({args.promotions} generated over {args.brands} brand(s), edge_sync kept the store's; "
        f"data version {version})"
    )
    print(
        f"server: python -m promoflow_evaluator api --workers {args.workers} (SQLite edge store); "
        f"client: this process, asyncio HTTP/1.1 keep-alive, {args.connections} connections, loopback; cpus: {os.cpu_count()}"
    )
    print(
        "machine load average (1/5/15 min) at the end: {:.1f} {:.1f} {:.1f}".format(
            *os.getloadavg()
        )
    )
    print(f"server's engine build: {engine_build}")
    for phase in phases:
        m = phase.server
        print(
            f"{phase.name}, server side per evaluate: {m['request']:.2f} ms in the request; "
            f"handler work {m['handler']:.2f} ms = engine {m['engine']:.2f} ms (allowances + "
            f"evaluate) + {m['handler'] - m['engine']:.2f} ms around it (key, parse, "
            f"serialise); {m['request'] - m['handler']:.2f} ms in socket I/O and waits for the "
            f"event loop. CPU per request: server {m['server_cpu']:.2f} ms (all its processes), "
            f"client {m['client_cpu']:.2f} ms"
        )
    print(
        f"{'phase':<22} {'requests':>8} {'req/s':>9} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'max ms':>9} {'errors':>6}"
    )
    for phase in phases:
        print(phase.row())
    open_phase = phases[-1]
    met = not open_phase.note and open_phase.pct(0.99) <= 10 and open_phase.errors == 0
    if open_phase.send_lags:
        lags = sorted(open_phase.send_lags)
        p50, p99 = (lags[min(len(lags) - 1, int(q * len(lags)))] * 1000 for q in (0.5, 0.99))
        print(
            f"open loop: the client itself sent p50 {p50:.2f} / p99 {p99:.2f} ms after the "
            "scheduled time (counted in the latencies above)"
        )
    print(f"target p99 <= 10 ms at {args.rate:.0f} req/s: {'MET' if met else 'MISSED'}")


def _sum_count(metrics: str, name: str, label: str, value: str) -> tuple[float, float]:
    """(sum, count) of the Prometheus histogram ``name`` over series with ``label="value"``."""
    total = count = 0.0
    needle = f'{label}="{value}"'
    for line in metrics.splitlines():
        if line.startswith(name + "_") and needle in line:
            number = float(line.rsplit(" ", 1)[1])
            if line.startswith(name + "_sum"):
                total += number
            elif line.startswith(name + "_count"):
                count += number
    return total, count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="10 s phases, 500 carts")
    parser.add_argument("--promotions", type=int, default=1000)
    parser.add_argument(
        "--brands",
        type=int,
        default=1,
        help="brands the generated promotions are spread over; the store keeps its own "
        "brand's (1 = all of them are on the store's menu)",
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--rate", type=float, default=500.0)
    parser.add_argument("--duration", type=float, default=30.0, help="seconds per phase")
    parser.add_argument("--warmup", type=float, default=5.0)
    parser.add_argument("--carts", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    if args.quick:
        args.duration, args.warmup, args.carts = 10.0, 3.0, 500
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
