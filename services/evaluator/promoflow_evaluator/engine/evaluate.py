"""The entry point: ``evaluate(request, index, context) -> EvaluationResult``."""

from __future__ import annotations

from promoflow_contracts.cart import EvaluateRequest
from promoflow_contracts.results import EvaluationResult
from promoflow_evaluator.engine.cart import prepare_cart
from promoflow_evaluator.engine.context import EngineContext
from promoflow_evaluator.engine.explain import Fmt
from promoflow_evaluator.engine.index import PromotionIndex
from promoflow_evaluator.engine.ledger import Env
from promoflow_evaluator.engine.model import Promo
from promoflow_evaluator.engine.outcome import HintDraft, Miss
from promoflow_evaluator.engine.result import build_result
from promoflow_evaluator.engine.screen import screen
from promoflow_evaluator.engine.stacking import choose


def evaluate(
    request: EvaluateRequest, index: PromotionIndex, context: EngineContext
) -> EvaluationResult:
    """Evaluate a cart against the store's promotions.

    ``request``: the cart (amounts in the store currency's major unit). ``index``: the store's
    promotions, built once per snapshot. ``context``: store facts, usage allowances, clock.
    Returns what applies, by how much, on which lines, and why every other candidate did not.
    Deterministic: the same inputs give the same result, whatever the order of the lines.

    Raises :class:`StoreMismatch`, :class:`CurrencyMismatch`, :class:`AmountPrecisionError`,
    :class:`MissingEvaluationTime` (all :class:`EngineError`). Zero or negative quantities and
    prices never reach the engine: the contract's validation rejects them.
    """
    cart = prepare_cart(request, context)
    env = Env(cart, context, Fmt(context.currency, context.digits))
    screened = screen(index.candidates(cart), env)
    choice = choose(screened.live, env)
    misses: list[tuple[Promo, Miss]] = [*screened.rejected, *choice.winner.misses, *choice.losers]
    misses.sort(key=lambda pair: pair[0].rank)
    hints: list[tuple[Promo, HintDraft]] = [(p, m.hint) for p, m in screened.rejected if m.hint]
    hints.extend((live.promo, live.ready.hint) for live in screened.live if live.ready.hint)
    hints.extend(choice.winner.hints)
    hints.extend((p, m.hint) for p, m in choice.losers if m.hint and m.lost_to == ())
    seen: set[tuple[int, str]] = set()
    unique: list[tuple[Promo, HintDraft]] = []
    for promo, hint in sorted(hints, key=lambda pair: pair[0].rank):
        key = (promo.rank, hint.message)
        if key not in seen:
            seen.add(key)
            unique.append((promo, hint))
    return build_result(env, choice.winner, misses, unique)
