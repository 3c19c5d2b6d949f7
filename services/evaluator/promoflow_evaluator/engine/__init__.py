"""PromoFlow promotion engine: a pure library (no I/O, no framework) shared by the evaluator
service, HO's preview API and the benchmarks.

Public API::

    context = EngineContext(store_id=..., company_id=..., brand_id=..., timezone="Asia/Jakarta",
                            country_code="ID", currency="IDR", now=aware_datetime)
    index = PromotionIndex.build(compiled_promotions)      # once per snapshot
    result = evaluate(request, index, context)             # EvaluateRequest -> EvaluationResult

Every rule the engine follows, and why where the seed documents were ambiguous, is in
``docs/engine.md`` (repository root); each module's docstring states the rules it implements.
"""

from promoflow_evaluator.engine.context import EngineContext
from promoflow_evaluator.engine.errors import (
    AmountPrecisionError,
    CurrencyMismatch,
    EngineError,
    InvalidContext,
    MissingEvaluationTime,
    StoreMismatch,
)
from promoflow_evaluator.engine.evaluate import evaluate
from promoflow_evaluator.engine.index import PromotionIndex
from promoflow_evaluator.engine.result import ENGINE_VERSION

__all__ = [
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
]
