"""Assembling the :class:`EvaluationResult` from the winning alternative.

Money goes back to major-unit Decimals with the currency's decimals. Lines are listed in the
request's order; allocations and unit uses inside an applied promotion in canonical
(``line_id``) order. ``LineResult.allocations`` lists the line's non-zero shares in the order
of ``applied`` (``LineAllocation`` names the line but not the promotion, so the per-promotion
split is read from ``applied[].allocations``). Cash rounding rounds ``total`` half-up to the
store's cash unit; it is reported as ``cash_rounding`` (may be negative), never as a discount,
and ``payable`` is never negative.
Models are built without validation (:func:`_new`): the engine guarantees the invariants listed
in the contract's module docstring and the unit tests validate every result against the models.
A line's share of a promotion is one :class:`LineAllocation` object, listed both in
``applied[].allocations`` and in ``lines[].allocations`` (equal values; built once).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, TypeVar
from uuid import UUID

from pydantic import BaseModel

from promoflow_contracts.results import (
    AppliedPromotion,
    EvaluationResult,
    FreeItemOffer,
    Hint,
    LineAllocation,
    LineResult,
    NotApplied,
    Reward,
    RewardKind,
    SearchReport,
    UnitUse,
)
from promoflow_evaluator.engine.ledger import Env
from promoflow_evaluator.engine.model import Promo
from promoflow_evaluator.engine.money import from_minor, round_to_unit
from promoflow_evaluator.engine.outcome import HintDraft, Miss, OfferDraft
from promoflow_evaluator.engine.pipeline import Applied, RunResult

ENGINE_VERSION = "promoflow-engine/1.0"

_M = TypeVar("_M", bound=BaseModel)


_SET_DICT = object.__setattr__
_SET_FIELDS = BaseModel.__dict__["__pydantic_fields_set__"].__set__
_SET_EXTRA = BaseModel.__dict__["__pydantic_extra__"].__set__
_SET_PRIVATE = BaseModel.__dict__["__pydantic_private__"].__set__
_ALL_FIELDS: dict[type[BaseModel], set[str]] = {}


def _new(cls: type[_M], **values: Any) -> _M:
    """Build a contract model from values the engine produced, without validation.

    Every field is passed explicitly (``model_construct`` does the same plus per-field default
    handling, about five times slower); the unit tests round-trip every result through
    ``model_validate`` to prove the values are valid. The models' fields-set is one shared set
    of all field names per class: pydantic only ever adds to it (on assignment) a name that is
    already there.
    """
    obj = object.__new__(cls)
    _SET_DICT(obj, "__dict__", values)
    try:
        fields = _ALL_FIELDS[cls]
    except KeyError:
        fields = _ALL_FIELDS[cls] = set(cls.model_fields)
    _SET_FIELDS(obj, fields)
    _SET_EXTRA(obj, None)
    _SET_PRIVATE(obj, None)
    return obj


def _uses(units: dict[int, int], env: Env) -> list[UnitUse]:
    lines = env.cart.lines
    return [
        _new(UnitUse, line_id=lines[i].line_id, quantity=n)
        for i, n in sorted(units.items())
        if n > 0
    ]


def _applied(item: Applied, env: Env, per_line: list[list[LineAllocation]]) -> AppliedPromotion:
    promo = item.promo
    grant = item.grant
    digits = env.context.digits
    lines = env.cart.lines
    details = dict(grant.details)
    if item.capped:
        details["capped"] = True
    if item.cashback:
        details["cashback"] = env.fmt.decimal(item.cashback)
    allocations = []
    for i, a in sorted(item.shares.items()):
        allocation = _new(LineAllocation, line_id=lines[i].line_id, amount=from_minor(a, digits))
        allocations.append(allocation)
        per_line[i].append(allocation)  # the same (immutable in practice) object, twice
    reason = grant.reason
    if item.budget_limited:
        reason += " (limited by the campaign budget)"
    elif item.capped and grant.cap is not None and item.discount == grant.cap:
        reason += f" (capped at {env.fmt.money(grant.cap)})"
    return _new(
        AppliedPromotion,
        promotion_id=promo.id,
        code=promo.code,
        name=promo.name,
        promo_type=promo.promo_type,
        stage=promo.stage,
        version=promo.version,
        discount=from_minor(item.discount, digits),
        allocations=allocations,
        trigger_units=_uses(grant.trigger, env),
        benefit_units=_uses(grant.benefit, env),
        compounding="original" if promo.original_amounts else "remaining",
        budget_limited=item.budget_limited,
        reason=reason,
        details=details,
    )


def _reward(item: Applied, env: Env) -> Reward | None:
    promo = item.promo
    grant = item.grant
    if item.cashback:
        return _new(
            Reward,
            promotion_id=promo.id,
            code=promo.code,
            kind=RewardKind.CASHBACK,
            amount=from_minor(item.cashback, env.context.digits),
            multiplier=None,
            method=grant.cashback_method,
            description=f"{env.fmt.money(item.cashback)} {grant.reason}",
        )
    if grant.multiplier is not None:
        return _new(
            Reward,
            promotion_id=promo.id,
            code=promo.code,
            kind=RewardKind.POINTS_MULTIPLIER,
            amount=Decimal(0),
            multiplier=Decimal(grant.multiplier),
            method="points",
            description=grant.reason,
        )
    return None


def _not_applied(promo: Promo, miss: Miss) -> NotApplied:
    return _new(
        NotApplied,
        promotion_id=promo.id,
        code=promo.code,
        name=promo.name,
        promo_type=promo.promo_type,
        reason_code=miss.code,
        reason=miss.reason,
        lost_to=list(miss.lost_to),
    )


def _hint(promo: Promo, hint: HintDraft, digits: int) -> Hint:
    missing, potential = hint.missing_amount, hint.potential
    return _new(
        Hint,
        promotion_id=promo.id,
        code=promo.code,
        kind=hint.kind,
        message=hint.message,
        missing_amount=None if missing is None else from_minor(missing, digits),
        missing_quantity=hint.missing_quantity,
        product_id=None if hint.product_id is None else UUID(int=hint.product_id),
        category_id=None if hint.category_id is None else UUID(int=hint.category_id),
        payment_methods=list(hint.payment_methods),
        potential_discount=None if potential is None else from_minor(potential, digits),
    )


def _offer(promo: Promo, offer: OfferDraft, digits: int) -> FreeItemOffer:
    return _new(
        FreeItemOffer,
        promotion_id=promo.id,
        code=promo.code,
        product_id=UUID(int=offer.product_id),
        product_name=offer.name,
        quantity=offer.quantity,
        unit_price=None if offer.unit_price is None else from_minor(offer.unit_price, digits),
        message=offer.message,
    )


def build_result(
    env: Env,
    winner: RunResult,
    not_applied: list[tuple[Promo, Miss]],
    hints: list[tuple[Promo, HintDraft]],
) -> EvaluationResult:
    """The contract result for the winning alternative, the misses and the hints (each list
    already in evaluation order)."""
    cart = env.cart
    context = env.context
    digits = context.digits
    applied = winner.applied
    per_line = [0] * len(cart.lines)
    for item in applied:
        for idx, share in item.shares.items():
            per_line[idx] += share
    line_allocations: list[list[LineAllocation]] = [[] for _ in cart.lines]
    applied_models = [_applied(item, env, line_allocations) for item in applied]
    line_results: list[LineResult] = [None] * len(cart.lines)  # type: ignore[list-item]
    for line in cart.lines:
        discount = per_line[line.idx]
        line_results[line.position] = _new(
            LineResult,
            line_id=line.line_id,
            product_id=line.product_id,
            quantity=line.quantity,
            unit_price=from_minor(line.unit_price, digits),
            gross_amount=from_minor(line.gross, digits),
            discount=from_minor(discount, digits),
            net_amount=from_minor(line.gross - discount, digits),
            allocations=line_allocations[line.idx],
        )
    total_discount = sum(per_line)
    total = cart.subtotal - total_discount
    payable = total if context.cash_unit is None else round_to_unit(total, context.cash_unit)
    rewards = [r for r in (_reward(item, env) for item in applied) if r is not None]
    note = "; ".join(winner.notes) if winner.notes else None
    return _new(
        EvaluationResult,
        store_id=cart.request.store_id,
        currency=context.currency,
        evaluated_at=cart.local,
        subtotal=from_minor(cart.subtotal, digits),
        total_discount=from_minor(total_discount, digits),
        total=from_minor(total, digits),
        cash_rounding=from_minor(payable - total, digits),
        payable=from_minor(payable, digits),
        lines=line_results,
        applied=applied_models,
        rewards=rewards,
        free_item_offers=[_offer(p, o, digits) for p, o in winner.offers],
        not_applied=[_not_applied(p, m) for p, m in not_applied],
        hints=[_hint(p, h, digits) for p, h in hints],
        search=_new(SearchReport, exact=winner.exact, explored=winner.explored, note=note),
        engine_version=ENGINE_VERSION,
    )
