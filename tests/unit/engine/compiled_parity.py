"""Evaluate a fixed workload and print one SHA-256 per cart of the result's JSON.

Run as a script by ``test_compiled_build.py`` in a fresh interpreter per engine build
(``PROMOFLOW_ENGINE_BUILD=interpreted|compiled``): equal lines mean equal results. The workload
is the benchmarks' own, made deterministic: 1,000 generated promotions of all 12 types with
issue 8's parameters on one menu (the most candidates per cart), synthetic carts, the London
context with campaign budgets. Prints the build in use on the first line.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parents[3] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

from carts import synthetic_carts  # noqa: E402
from engine_bench import context  # noqa: E402
from promotion_sets import generate  # noqa: E402

from promoflow_evaluator.engine import BUILD, PromotionIndex, evaluate  # noqa: E402


def main(carts: int) -> None:
    """Print the build, then one hash per cart."""
    requests, catalogue = synthetic_carts(count=carts, seed=11)
    index = PromotionIndex.build(generate(catalogue, 1_000, seed=42, brands=1))
    ctx = context()
    print(BUILD.build)
    for request in requests:
        body = evaluate(request, index, ctx).model_dump_json().encode()
        print(hashlib.sha256(body).hexdigest())


if __name__ == "__main__":
    main(int(sys.argv[1]))
