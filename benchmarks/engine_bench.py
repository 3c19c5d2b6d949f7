"""Engine benchmark: real carts against generated sets of 100, 1,000 and 10,000 promotions.

Usage::

    uv run python benchmarks/engine_bench.py            # 2,000 carts, 5 repeats per size
    uv run python benchmarks/engine_bench.py --quick    # 300 carts, 3 repeats (< 1 min)
    uv run python benchmarks/engine_bench.py --carts 0  # every cart of the data
    uv run python benchmarks/engine_bench.py --brands 1 # worst case: one menu for all promotions

Carts come from ``carts.py`` (real London takeaway orders; synthetic when the data is missing,
and the output says so), promotions from ``promotion_sets.py`` (all 12 types over a chain of
brands, campaigns spread over time, issue 8's parameters: see its docstring). The context
gives the generated campaigns remaining budgets in money and redemptions, so budgets are
exercised. Each cart is evaluated with the entry point the evaluator's hot path calls,
``evaluate_document`` (the result as a JSON-ready document, request already validated by the
contract), so the figures compare with the server's; writing the document (``orjson.dumps``,
~0.05 ms) is not timed. ``evaluate`` (the same document validated into the contract model, for
the other callers) costs about 0.3 ms more per cart.

In ``--quick`` mode the index's memory is not traced (``idx MiB`` shows nan); the process's
max RSS is still printed.

Timing, on one thread: every cart is evaluated once per repeat; its time is the thread's CPU
time (``time.thread_time_ns``), so other processes of a shared machine do not count against
the engine. Per cart the median over the repeats is kept, and p50/p99 are taken over carts;
carts per second is the median over repeats of carts / wall time. Memory: ``tracemalloc``
peak while building the index and while evaluating carts with it (separate, untimed pass),
and the process's max RSS.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from carts import BRAND_ID, COMPANY_ID, STORE_ID, load_carts
from promotion_sets import CAMPAIGN_BUDGETS, CAMPAIGN_REDEMPTIONS, generate, type_counts

from promoflow_contracts.cart import EvaluateRequest
from promoflow_evaluator.engine import BUILD, EngineContext, PromotionIndex
from promoflow_evaluator.engine.cart import prepare_cart
from promoflow_evaluator.engine.evaluate import evaluate_document

#: size -> (p50 ms target or None, p99 ms target)
TARGETS: dict[int, tuple[float | None, float]] = {1_000: (0.5, 2.0), 10_000: (None, 10.0)}


def context() -> EngineContext:
    """The London takeaway as an engine context (GBP, Europe/London, GB holidays), with the
    generated campaigns' remaining budgets."""
    return EngineContext(
        store_id=STORE_ID,
        company_id=COMPANY_ID,
        brand_id=BRAND_ID,
        timezone="Europe/London",
        country_code="GB",
        currency="GBP",
        remaining_budget_amount=CAMPAIGN_BUDGETS,
        remaining_budget_redemptions=CAMPAIGN_REDEMPTIONS,
    )


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile."""
    k = max(0, min(len(sorted_values) - 1, round(q * len(sorted_values) + 0.5) - 1))
    return sorted_values[k]


def timed_passes(
    carts: Sequence[EvaluateRequest], index: PromotionIndex, ctx: EngineContext, repeats: int
) -> tuple[float, list[float]]:
    """(median carts per second, per-cart median CPU ms over the repeats)."""
    per_cart: list[list[int]] = [[] for _ in carts]
    rates: list[float] = []
    clock = time.thread_time_ns
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter()
        for i, request in enumerate(carts):
            t0 = clock()
            evaluate_document(request, index, ctx)
            per_cart[i].append(clock() - t0)
        rates.append(len(carts) / (time.perf_counter() - start))
    return statistics.median(rates), sorted(statistics.median(t) / 1e6 for t in per_cart)


def index_memory(promotions: list[Any]) -> float:
    """tracemalloc peak (MiB) of building the index (a separate, untimed build)."""
    gc.collect()
    tracemalloc.start()
    PromotionIndex.build(promotions)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def eval_memory(
    index: PromotionIndex, carts: Sequence[EvaluateRequest], ctx: EngineContext
) -> float:
    """tracemalloc peak (MiB) above the baseline while evaluating ``carts`` with ``index``."""
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    for request in carts:
        evaluate_document(request, index, ctx)
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    return peak / 2**20


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="300 carts, 3 repeats")
    parser.add_argument("--carts", type=int, default=None, help="carts per pass (0 = all)")
    parser.add_argument("--repeats", type=int, default=None)
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--brands", type=int, default=10, help="brands of the chain (1 = all on the store's menu)"
    )
    args = parser.parse_args(argv)
    n_carts = args.carts if args.carts is not None else (300 if args.quick else 2_000)
    repeats = args.repeats or (3 if args.quick else 5)
    sizes = [int(s) for s in args.sizes.split(",")]

    t0 = time.perf_counter()
    all_carts, catalogue, source = load_carts()
    rng = random.Random(args.seed)
    carts = all_carts if n_carts == 0 else rng.sample(all_carts, min(n_carts, len(all_carts)))
    lines = sum(len(c.lines) for c in carts) / len(carts)
    print(f"carts: {source}")
    print(f"  using {len(carts)} carts, {lines:.1f} lines/cart, {len(catalogue.products)} products")
    print(f"promotions: all 12 types, a chain of {args.brands} brand(s) (the store's is one)")
    print(f"python {sys.version.split()[0]}, one thread, {repeats} repeats per size")
    why = f" ({BUILD.reason})" if BUILD.reason and "=" not in BUILD.reason else ""
    print(f"engine build: {BUILD.build}{why} (PROMOFLOW_ENGINE_BUILD=interpreted|compiled)")
    print(f"load average at the start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    ctx = context()
    print(
        f"{'promotions':>10} {'carts/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'index s':>7} "
        f"{'idx MiB':>7} {'eval MiB':>8} {'cands':>6} {'applied':>7}  target"
    )
    failed = False
    # One generated set; the smaller sizes are its prefixes (same mix, same distribution).
    generated = generate(catalogue, max(sizes), seed=args.seed, brands=args.brands)
    for size in sizes:
        promotions = generated[:size]
        b0 = time.perf_counter()
        index = PromotionIndex.build(promotions)
        build_s = time.perf_counter() - b0
        build_mib = index_memory(promotions) if not args.quick else float("nan")
        sample = carts[:200]
        cands = statistics.mean(len(index.candidates(prepare_cart(c, ctx))) for c in sample)
        applied = statistics.mean(len(evaluate_document(c, index, ctx)["applied"]) for c in sample)
        rate, per_cart = timed_passes(carts, index, ctx, repeats)
        p50, p99 = percentile(per_cart, 0.50), percentile(per_cart, 0.99)
        eval_mib = eval_memory(index, carts[:100], ctx)
        target = ""
        if size in TARGETS:
            t50, t99 = TARGETS[size]
            ok = (t50 is None or p50 <= t50) and p99 <= t99
            failed |= not ok
            wanted = (f"p50<={t50} " if t50 is not None else "") + f"p99<={t99:g}"
            target = f"{wanted}: {'met' if ok else 'MISSED'}"
        print(
            f"{size:>10} {rate:>8.0f} {p50:>7.3f} {p99:>7.3f} {build_s:>7.2f} "
            f"{build_mib:>7.1f} {eval_mib:>8.2f} {cands:>6.1f} {applied:>7.2f}  {target}"
        )
        if size == sizes[-1]:
            print(f"types in the {size} set: {type_counts(promotions)}")
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process max RSS: {rss:.0f} MiB; wall time {time.perf_counter() - t0:.0f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
