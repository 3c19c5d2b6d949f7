"""PromoFlow promotion engine: a pure library (no I/O, no framework imports, no clock reads)
shared by the evaluator service, HO's preview API and the benchmarks.

Public API::

    context = EngineContext(store_id=..., company_id=..., brand_id=..., timezone="Asia/Jakarta",
                            country_code="ID", currency="IDR", now=aware_datetime)
    index = PromotionIndex.build(compiled_promotions)      # once per snapshot
    result = evaluate(request, index, context)             # EvaluateRequest -> EvaluationResult
    document = evaluate_document(request, index, context)  # the same, JSON-ready (hot path)

The modules below are compiled by mypyc when built (``make install``/``make engine``): ``BUILD``
says which build runs (``promoflow_evaluator.engine_native``); both give identical results.

Every rule the engine follows, and why where the seed documents were ambiguous, is written in
``docs/engine.md`` at the repository root; each module's docstring states the rules it
implements. In one line each:

* money: integer minor units inside; each discount rounded half-up once to the rounding unit
  (IDR 1 default, 100 configurable), then capped, limited to what is left and to the budget;
  split over lines by largest remainder (ties by ``line_id``); no line or total below zero;
* a line's unit price includes its modifiers; fixed prices (set, add-on, special price)
  replace the base price only, modifier upcharges stay payable;
* thresholds (minimum purchase: cart subtotal by default, as in the seeds; tiers; conditions)
  are measured before discounts;
* stages ``item_level`` → ``cart_level`` → ``payment_level``; higher priority first, ties by
  code; later promotions compute on what is left (``compounding = remaining``, default) or on
  the original amounts (``original``) but never take more than is left;
* validity in the store's zone; a window crossing midnight belongs to the day it started;
  national holidays from ``holidays`` plus company dates; happy hour's window and the validity
  window must both hold;
* bundle types consume units, each unit at most once; the assignment with the largest discount
  wins (exact bounded search; past ``max_bundle_search`` states, priority order, said in
  ``search``); rewards are the cheapest units, fixed-price sets take the most expensive;
* non-stackable promotions compete with the stackable group; the larger customer benefit (bill
  discount + cashback) wins; ties: bill discount, then the group, then evaluation order;
* cashback is a reward, never a bill discount; payment discounts need a known, listed payment
  method, otherwise a hint; free items not in the cart become "add it free" offers;
* cash rounding of the payable total is reported apart from discounts, half-up, never negative;
* candidates are the promotions filed under the cart's products, categories and brands and
  within 7 days of their dates; the others are not reported.
"""

# Before any engine module is imported: the mypyc-compiled build when it is current, else the
# sources (``promoflow_evaluator.engine_native``; PROMOFLOW_ENGINE_BUILD=auto|interpreted|compiled).
from promoflow_evaluator.engine_native import select_build

#: the build in use: ``BUILD.build`` is "compiled" or "interpreted" (``BUILD.reason`` says why)
BUILD = select_build(__path__)

from promoflow_evaluator.engine.context import EngineContext
from promoflow_evaluator.engine.errors import (
    AmountPrecisionError,
    CurrencyMismatch,
    EngineError,
    InvalidContext,
    MissingEvaluationTime,
    StoreMismatch,
)
from promoflow_evaluator.engine.evaluate import evaluate, evaluate_document
from promoflow_evaluator.engine.index import PromotionIndex
from promoflow_evaluator.engine.result import ENGINE_VERSION

__all__ = [
    "BUILD",
    "ENGINE_VERSION",
    "AmountPrecisionError",
    "CurrencyMismatch",
    "EngineContext",
    "EngineError",
    "InvalidContext",
    "MissingEvaluationTime",
    "PromotionIndex",
    "StoreMismatch",
    "evaluate",
    "evaluate_document",
]
