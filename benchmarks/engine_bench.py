"""Engine benchmark: real carts against generated sets of 100, 1,000 and 10,000 promotions.

Usage::

    uv run python benchmarks/engine_bench.py            # 3,000 carts, 5 repeats per size
    uv run python benchmarks/engine_bench.py --quick    # 1,000 carts, 3 repeats (< 1 min)
    uv run python benchmarks/engine_bench.py --carts 0  # every cart of the data

Carts come from ``carts.py`` (real London takeaway orders; synthetic when the data is missing,
and the output says so), promotions from ``promotion_sets.py`` (all 12 types, see its
docstring). Each cart is evaluated with the engine's public entry point exactly as the
evaluator service calls it (request already validated). Per set size it prints carts per
second, p50 and p99 per cart (medians over the repeats; one core, one thread), the index
build time, and peak memory: ``tracemalloc`` peak of building the index and of evaluating the
carts (measured in a separate, untimed pass), plus the process's max RSS.
"""

from __future__ import annotations

import argparse
import gc
import random
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from carts import BRAND_ID, COMPANY_ID, STORE_ID, load_carts  # noqa: E402
from promotion_sets import generate, type_counts  # noqa: E402
from promoflow_contracts.cart import EvaluateRequest  # noqa: E402
from promoflow_evaluator.engine import EngineContext, PromotionIndex, evaluate  # noqa: E402
from promoflow_evaluator.engine.cart import prepare_cart  # noqa: E402

TARGETS = {1_000: (0.5, 2.0), 10_000: (None, 10.0)}


def context() -> EngineContext:
    return EngineContext(
        store_id=STORE_ID,
        company_id=COMPANY_ID,
        brand_id=BRAND_ID,
        timezone="Europe/London",
        country_code="GB",
        currency="GBP",
    )


def percentile(sorted_ns: Sequence[int], q: float) -> float:
    """Nearest-rank percentile in milliseconds."""
    k = max(0, min(len(sorted_ns) - 1, round(q * len(sorted_ns) + 0.5) - 1))
    return sorted_ns[k] / 1e6


def time_once(
    carts: Sequence[EvaluateRequest], index: PromotionIndex, ctx: EngineContext
) -> tuple[float, float, float]:
    """(carts per second, p50 ms, p99 ms) of one pass."""
    timings: list[int] = []
    clock = time.perf_counter_ns
    gc.collect()
    start = clock()
    for request in carts:
        t0 = clock()
        evaluate(request, index, ctx)
        timings.append(clock() - t0)
    elapsed = (clock() - start) / 1e9
    timings.sort()
    return len(carts) / elapsed, percentile(timings, 0.50), percentile(timings, 0.99)


def memory(
    promotions: list, carts: Sequence[EvaluateRequest], ctx: EngineContext
) -> tuple[float, float]:
    """tracemalloc peaks (MiB): building the index, and evaluating the carts with it."""
    gc.collect()
    tracemalloc.start()
    index = PromotionIndex.build(promotions)
    build_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    for request in carts:
        evaluate(request, index, ctx)
    eval_peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    return build_peak / 2**20, eval_peak / 2**20


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="1,000 carts, 3 repeats")
    parser.add_argument("--carts", type=int, default=None, help="carts per pass (0 = all)")
    parser.add_argument("--repeats", type=int, default=None)
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    n_carts = args.carts if args.carts is not None else (1_000 if args.quick else 3_000)
    repeats = args.repeats or (3 if args.quick else 5)
    sizes = [int(s) for s in args.sizes.split(",")]

    t0 = time.perf_counter()
    all_carts, catalogue, source = load_carts()
    carts = (
        all_carts
        if n_carts == 0
        else random.Random(args.seed).sample(all_carts, min(n_carts, len(all_carts)))
    )
    lines = sum(len(c.lines) for c in carts) / len(carts)
    print(
        f"carts: {source}; using {len(carts)} carts, {lines:.1f} lines/cart, {len(catalogue.products)} products"
    )
    print(
        f"python {sys.version.split()[0]}, one thread; repeats per size: {repeats} (medians reported)"
    )
    ctx = context()
    header = f"{'promotions':>10} {'carts/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'index s':>8} {'idx MiB':>8} {'eval MiB':>9} {'applied':>8} {'cands':>7}  target"
    print(header)
    failed = False
    for size in sizes:
        promotions = generate(catalogue, size, seed=args.seed)
        b0 = time.perf_counter()
        index = PromotionIndex.build(promotions)
        build_s = time.perf_counter() - b0
        sample = carts[:200]
        applied = statistics.mean(len(evaluate(c, index, ctx).applied) for c in sample)
        cands = statistics.mean(len(index.candidates(prepare_cart(c, ctx))) for c in sample)
        runs = [time_once(carts, index, ctx) for _ in range(repeats)]
        rate = statistics.median(r[0] for r in runs)
        p50 = statistics.median(r[1] for r in runs)
        p99 = statistics.median(r[2] for r in runs)
        build_mib, eval_mib = memory(promotions, carts[: min(300, len(carts))], ctx)
        target = ""
        if size in TARGETS:
            t50, t99 = TARGETS[size]
            ok = (t50 is None or p50 <= t50) and p99 <= t99
            failed |= not ok
            target = (
                ("p50<=%.1f " % t50 if t50 else "")
                + f"p99<={t99:.0f}: "
                + ("met" if ok else "MISSED")
            )
        print(
            f"{size:>10} {rate:>9.0f} {p50:>8.3f} {p99:>8.3f} {build_s:>8.2f} {build_mib:>8.1f} {eval_mib:>9.2f} {applied:>8.2f} {cands:>7.0f}  {target}"
        )
        if size == sizes[-1]:
            print(f"types in the {size} set: {type_counts(promotions)}")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process max RSS: {rss:.0f} MiB; wall time {time.perf_counter() - t0:.0f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
