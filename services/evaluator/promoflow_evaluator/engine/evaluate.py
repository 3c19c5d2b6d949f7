"""The entry points: ``evaluate_document(request, index, context) -> dict`` (the result as a
JSON-ready document, what the evaluator's hot path writes) and ``evaluate(request, index,
context) -> EvaluationResult`` (the same document validated into the contract model)."""

from __future__ import annotations

from typing import Any

from promoflow_contracts.cart import EvaluateRequest
from promoflow_contracts.results import EvaluationResult
from promoflow_evaluator.engine.cart import prepare_cart
from promoflow_evaluator.engine.context import EngineContext
from promoflow_evaluator.engine.explain import Fmt
from promoflow_evaluator.engine.index import PromotionIndex
from promoflow_evaluator.engine.ledger import Env
from promoflow_evaluator.engine.model import Promo
from promoflow_evaluator.engine.outcome import HintDraft, Miss
from promoflow_evaluator.engine.result import build_document
from promoflow_evaluator.engine.screen import screen
from promoflow_evaluator.engine.stacking import choose


def evaluate_document(
    request: EvaluateRequest, index: PromotionIndex, context: EngineContext
) -> dict[str, Any]:
    """Evaluate a cart against the store's promotions; the result as a JSON-ready document.

    ``request``: the cart (amounts in the store currency's major unit). ``index``: the store's
    promotions, built once per snapshot. ``context``: store facts, usage allowances, clock.
    Returns what applies, by how much, on which lines, and why every other candidate did not,
    as exactly ``EvaluationResult.model_dump(mode="json")`` would give it: a ``dict`` of plain
    ``dict``/``list``/``str``/``int``/``bool``/``None`` values in the contract's field order,
    money as major-unit decimal text with the currency's decimals (``"2.92"``, IDR
    ``"4000"``), ids as UUID text, enums as their values, ``evaluated_at`` store-local in ISO
    8601 (:mod:`.result`). Deterministic: the same inputs give the same document, whatever the
    order of the lines. The caller owns the document (a fresh one per call; do not modify it
    if it is also to be validated: the same allocation dict appears under ``applied`` and
    ``lines``).

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
    hints: list[tuple[Promo, HintDraft]] = []
    for promo, miss in screened.rejected:
        if miss.hint:
            hints.append((promo, miss.hint))
    for live in screened.live:
        ready_hint = live.ready.hint
        if ready_hint:
            hints.append((live.promo, ready_hint))
    hints.extend(choice.winner.hints)
    for promo, miss in choice.losers:
        if miss.hint and miss.lost_to == ():
            hints.append((promo, miss.hint))
    hints.sort(key=lambda pair: pair[0].rank)
    unique: list[tuple[Promo, HintDraft]] = []
    for pair in hints:
        # one hint per (promotion, message): same-rank hints are adjacent once sorted
        rank = pair[0].rank
        message = pair[1].message
        j = len(unique) - 1
        while j >= 0 and unique[j][0].rank == rank:
            if unique[j][1].message == message:
                break
            j -= 1
        else:
            unique.append(pair)
    return build_document(env, choice.winner, misses, unique)


def evaluate(
    request: EvaluateRequest, index: PromotionIndex, context: EngineContext
) -> EvaluationResult:
    """Evaluate a cart against the store's promotions; the result as the contract model.

    Same arguments, result and errors as :func:`evaluate_document`, whose document is
    validated by ``EvaluationResult.model_validate`` (a run-time check of the contract for
    every caller but the hot path: money as major-unit Decimals with the currency's decimals,
    ``evaluated_at`` an aware store-local datetime with a fixed UTC offset). A document the
    contract rejects would raise pydantic's ``ValidationError`` (an engine bug, never the
    cart's fault).
    """
    return EvaluationResult.model_validate(evaluate_document(request, index, context))
