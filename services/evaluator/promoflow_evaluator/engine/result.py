"""Assembling the result document from the winning alternative.

The engine's answer is ONE JSON-ready document (plain ``dict``/``list``/``str``/``int``/
``bool``/``None``): exactly what ``EvaluationResult.model_dump(mode="json")`` gives for the
same result, keys in the model's field order. The evaluator's hot path writes it with orjson;
every other caller gets the contract model by validating it
(:func:`promoflow_evaluator.engine.evaluate.evaluate`).

How the contract's types are written:

* money: the major-unit decimal text of the minor amount with the currency's decimals
  (:func:`~promoflow_evaluator.engine.money.minor_text`: ``"2.92"``, ``"0.00"``, ``"-0.05"``,
  IDR ``"4000"``), what pydantic writes for the Decimal;
* ids (UUID) as their canonical text, enums as their values;
* ``evaluated_at`` (the store-local moment) as pydantic-core writes a datetime: ISO 8601,
  microseconds only when non-zero, a zero UTC offset as ``Z``, an offset as ``+HH:MM``
  (seconds of historical offsets dropped, as pydantic-core does).

Lines are listed in the request's order; allocations and unit uses inside an applied promotion
in canonical (``line_id``) order. ``lines[].allocations`` lists the line's non-zero shares in
the order of ``applied`` (``LineAllocation`` names the line but not the promotion, so the
per-promotion split is read from ``applied[].allocations``); a share is one dict, listed both
in ``applied[].allocations`` and in ``lines[].allocations``. Cash rounding rounds ``total``
half-up to the store's cash unit; it is reported as ``cash_rounding`` (may be negative), never
as a discount, and ``payable`` is never negative.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from promoflow_contracts.results import HintKind, ReasonCode
from promoflow_evaluator.engine.cart import Line
from promoflow_evaluator.engine.ledger import Env
from promoflow_evaluator.engine.model import Promo
from promoflow_evaluator.engine.money import minor_text, round_to_unit
from promoflow_evaluator.engine.outcome import HintDraft, Miss, OfferDraft
from promoflow_evaluator.engine.pipeline import Applied, RunResult

ENGINE_VERSION = "promoflow-engine/1.0"

#: ``RewardKind`` values (contracts' ``results.RewardKind``)
_CASHBACK = "cashback"
_POINTS_MULTIPLIER = "points_multiplier"

#: enum values by member: a dict lookup (the members hash as their ``str``) costs a fraction of
#: ``Enum.value`` (a Python-level property), read ~60 times per cart
_REASON_TEXTS: dict[ReasonCode, str] = {code: code.value for code in ReasonCode}
_HINT_TEXTS: dict[HintKind, str] = {kind: kind.value for kind in HintKind}

_UUID_TEXTS: dict[int, str] = {}

#: placeholder for a line document not built yet (never part of a result)
_NO_DOCUMENT: dict[str, Any] = {}


def uuid_text(value: int) -> str:
    """The canonical text of the UUID whose ``UUID.int`` is ``value`` (recent ones kept)."""
    found = _UUID_TEXTS.get(value)
    if found is None:
        if len(_UUID_TEXTS) > 50_000:
            _UUID_TEXTS.clear()
        found = _UUID_TEXTS[value] = str(UUID(int=value))
    return found


def datetime_text(moment: datetime) -> str:
    """``moment`` as pydantic-core writes a datetime in JSON: ``2026-01-05T12:30:00+07:00``,
    ``...T12:30:00.000123Z`` (microseconds only when non-zero, a zero offset as ``Z``, an
    offset's seconds dropped; no offset for a naive datetime)."""
    offset = moment.utcoffset()
    if offset is None:
        return moment.isoformat()
    seconds = offset.days * 86_400 + offset.seconds
    if seconds == 0 and not offset.microseconds:
        return moment.replace(tzinfo=None).isoformat() + "Z"
    if seconds % 60 == 0 and not offset.microseconds:
        # ``isoformat`` writes whole-minute offsets as ``+HH:MM``, as pydantic-core does
        return moment.isoformat()
    text = moment.replace(tzinfo=None).isoformat()
    if seconds == 0:
        return text + "Z"
    sign = "-" if seconds < 0 else "+"
    seconds = abs(seconds)
    return f"{text}{sign}{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


def _uses(units: dict[int, int], lines: tuple[Line, ...]) -> list[dict[str, Any]]:
    uses: list[dict[str, Any]] = []
    size = len(units)
    if size == 0:  # most grants (line-wide discounts) name no units
        return uses
    if size == 1:
        for i, n in units.items():
            if n > 0:
                uses.append({"line_id": lines[i].line_id, "quantity": n})
        return uses
    for i in sorted(units):  # int keys: no (index, units) tuples to build and compare
        n = units[i]
        if n > 0:
            uses.append({"line_id": lines[i].line_id, "quantity": n})
    return uses


def _applied(item: Applied, env: Env, per_line: list[list[dict[str, Any]]]) -> dict[str, Any]:
    promo = item.promo
    grant = item.grant
    digits = env.context.digits
    lines = env.cart.lines
    details = dict(grant.details)
    if item.capped:
        details["capped"] = True
    if item.cashback:
        details["cashback"] = env.fmt.decimal(item.cashback)
    allocations: list[dict[str, Any]] = []
    for i, a in item.shares.items():  # already in canonical order (see ``Applied``)
        allocation = {"line_id": lines[i].line_id, "amount": minor_text(a, digits)}
        allocations.append(allocation)
        per_line[i].append(allocation)  # the same (never modified) dict, twice
    reason = grant.reason
    if item.budget_limited:
        reason += " (limited by the campaign budget)"
    elif item.capped and grant.cap is not None and item.discount == grant.cap:
        reason += f" (capped at {env.fmt.money(grant.cap)})"
    return {
        "promotion_id": promo.id_text,
        "code": promo.code,
        "name": promo.name,
        "promo_type": promo.type_text,
        "stage": promo.stage_text,
        "version": promo.version,
        "discount": minor_text(item.discount, digits),
        "allocations": allocations,
        "trigger_units": _uses(grant.trigger, lines),
        "benefit_units": _uses(grant.benefit, lines),
        "compounding": "original" if promo.original_amounts else "remaining",
        "budget_limited": item.budget_limited,
        "reason": reason,
        "details": details,
    }


def _reward(item: Applied, env: Env) -> dict[str, Any] | None:
    promo = item.promo
    grant = item.grant
    if item.cashback:
        return {
            "promotion_id": promo.id_text,
            "code": promo.code,
            "kind": _CASHBACK,
            "amount": minor_text(item.cashback, env.context.digits),
            "multiplier": None,
            "method": grant.cashback_method,
            "description": f"{env.fmt.money(item.cashback)} {grant.reason}",
        }
    if grant.multiplier is not None:
        return {
            "promotion_id": promo.id_text,
            "code": promo.code,
            "kind": _POINTS_MULTIPLIER,
            "amount": "0",
            "multiplier": str(Decimal(grant.multiplier)),
            "method": "points",
            "description": grant.reason,
        }
    return None


def _not_applied(promo: Promo, miss: Miss) -> dict[str, Any]:
    return {
        "promotion_id": promo.id_text,
        "code": promo.code,
        "name": promo.name,
        "promo_type": promo.type_text,
        "reason_code": _REASON_TEXTS[miss.code],
        "reason": miss.reason,
        "lost_to": list(miss.lost_to) if miss.lost_to else [],
    }


def _hint(promo: Promo, hint: HintDraft, digits: int) -> dict[str, Any]:
    missing = hint.missing_amount
    potential = hint.potential
    methods = hint.payment_methods
    return {
        "promotion_id": promo.id_text,
        "code": promo.code,
        "kind": _HINT_TEXTS[hint.kind],
        "message": hint.message,
        "missing_amount": None if missing is None else minor_text(missing, digits),
        "missing_quantity": hint.missing_quantity,
        "product_id": None if hint.product_id is None else uuid_text(hint.product_id),
        "category_id": None if hint.category_id is None else uuid_text(hint.category_id),
        "payment_methods": list(methods) if methods else [],
        "potential_discount": None if potential is None else minor_text(potential, digits),
    }


def _offer(promo: Promo, offer: OfferDraft, digits: int) -> dict[str, Any]:
    return {
        "promotion_id": promo.id_text,
        "code": promo.code,
        "product_id": uuid_text(offer.product_id),
        "product_name": offer.name,
        "quantity": offer.quantity,
        "unit_price": None if offer.unit_price is None else minor_text(offer.unit_price, digits),
        "message": offer.message,
    }


def build_document(
    env: Env,
    winner: RunResult,
    not_applied: list[tuple[Promo, Miss]],
    hints: list[tuple[Promo, HintDraft]],
) -> dict[str, Any]:
    """The result document (``EvaluationResult`` as JSON-ready values, see the module
    docstring) for the winning alternative, the misses and the hints (each list already in
    evaluation order). Raises nothing: every value comes from the engine's own checks."""
    cart = env.cart
    context = env.context
    digits = context.digits
    applied = winner.applied
    per_line = [0] * len(cart.lines)
    for item in applied:
        for idx, share in item.shares.items():
            per_line[idx] += share
    line_allocations: list[list[dict[str, Any]]] = [[] for _ in cart.lines]
    applied_documents = [_applied(item, env, line_allocations) for item in applied]
    line_documents: list[dict[str, Any]] = [_NO_DOCUMENT] * len(cart.lines)  # all replaced
    for line in cart.lines:
        discount = per_line[line.idx]
        line_documents[line.position] = {
            "line_id": line.line_id,
            "product_id": uuid_text(line.product),
            "quantity": line.quantity,
            "unit_price": minor_text(line.unit_price, digits),
            "gross_amount": minor_text(line.gross, digits),
            "discount": minor_text(discount, digits),
            "net_amount": minor_text(line.gross - discount, digits),
            "allocations": line_allocations[line.idx],
        }
    total_discount = sum(per_line)
    total = cart.subtotal - total_discount
    payable = total if context.cash_unit is None else round_to_unit(total, context.cash_unit)
    rewards: list[dict[str, Any]] = []
    for item in applied:
        reward = _reward(item, env)
        if reward is not None:
            rewards.append(reward)
    return {
        "store_id": context.store_text,
        "currency": context.currency,
        "evaluated_at": datetime_text(cart.local),
        "subtotal": minor_text(cart.subtotal, digits),
        "total_discount": minor_text(total_discount, digits),
        "total": minor_text(total, digits),
        "cash_rounding": minor_text(payable - total, digits),
        "payable": minor_text(payable, digits),
        "lines": line_documents,
        "applied": applied_documents,
        "rewards": rewards,
        "free_item_offers": [_offer(p, o, digits) for p, o in winner.offers],
        "not_applied": [_not_applied(p, m) for p, m in not_applied],
        "hints": [_hint(p, h, digits) for p, h in hints],
        "search": {
            "exact": winner.exact,
            "explored": winner.explored,
            "note": "; ".join(winner.notes) if winner.notes else None,
        },
        "engine_version": ENGINE_VERSION,
    }
