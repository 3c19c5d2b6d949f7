"""Properties over random carts and promotions of all 12 types (hypothesis).

The examples per property are bounded so the engine suite stays fast.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from promoflow_contracts.cart import EvaluateRequest
from promoflow_contracts.promotion import CompiledPromotion
from promoflow_contracts.results import EvaluationResult
from promoflow_evaluator.engine import EngineContext, PromotionIndex, evaluate
from tests.unit.engine.builders import check_invariants, context
from tests.unit.engine.strategies import (
    BUNDLE_TYPES_NAMES,
    CAMPAIGN,
    NON_BUNDLE_TYPES,
    carts,
    promotion_sets,
    promotions,
)

PROPERTY = settings(
    max_examples=int(__import__("os").environ.get("ENGINE_EXAMPLES", "120")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
CTX = context()


def _evaluate(
    request: EvaluateRequest, promos: list[CompiledPromotion], ctx: EngineContext = CTX
) -> EvaluationResult:
    return evaluate(request, PromotionIndex.build(promos), ctx)


def _benefit(result: EvaluationResult) -> Decimal:
    return result.total_discount + sum((r.amount for r in result.rewards), Decimal(0))


@PROPERTY
@given(
    request=carts(),
    promos=promotion_sets(),
    coarse=st.booleans(),
    budget=st.sampled_from([None, "0", "2500", "1000000"]),
    redemptions=st.sampled_from([None, 0, 1, 5]),
)
def test_discount_between_zero_and_subtotal_allocations_exact_no_negative_line(
    request: EvaluateRequest,
    promos: list[CompiledPromotion],
    coarse: bool,
    budget: str | None,
    redemptions: int | None,
) -> None:
    ctx = context(
        rounding_unit=Decimal(100) if coarse else None,
        cash_rounding_unit=Decimal(500) if coarse else None,
        remaining_budget_amount={} if budget is None else {CAMPAIGN: Decimal(budget)},
        remaining_budget_redemptions={} if redemptions is None else {CAMPAIGN: redemptions},
    )
    result = _evaluate(request, promos, ctx)
    check_invariants(result)
    assert Decimal(0) <= result.total_discount <= result.subtotal
    if budget is not None:
        campaign_codes = {p.code for p in promos if p.campaign is not None}
        granted = sum(
            (a.discount for a in result.applied if a.code in campaign_codes), Decimal(0)
        ) + sum((r.amount for r in result.rewards if r.code in campaign_codes), Decimal(0))
        assert granted <= Decimal(budget)
    if redemptions is not None:
        campaign_codes = {p.code for p in promos if p.campaign is not None}
        used = {a.code for a in result.applied if a.code in campaign_codes}
        assert len(used) <= redemptions


@PROPERTY
@given(request=carts(), promos=promotion_sets(), data=st.data())
def test_result_is_deterministic_and_independent_of_line_order(
    request: EvaluateRequest, promos: list[CompiledPromotion], data: st.DataObject
) -> None:
    first = _evaluate(request, promos)
    again = _evaluate(request, promos)
    shuffled = request.model_copy(update={"lines": data.draw(st.permutations(request.lines))})
    reordered_promos = data.draw(st.permutations(promos))
    other = _evaluate(shuffled, list(reordered_promos))
    assert first.model_dump() == again.model_dump()
    assert _canonical(first) == _canonical(other)


def _canonical(result: EvaluationResult) -> dict[str, Any]:
    dumped = result.model_dump()
    dumped["lines"] = sorted(dumped["lines"], key=lambda ln: ln["line_id"])
    return dumped


@PROPERTY
@given(
    request=carts(),
    others=st.lists(
        promotions("X", types=NON_BUNDLE_TYPES, stage="item_level", priority=100), max_size=3
    ),
    bundles=st.lists(
        promotions("B", types=BUNDLE_TYPES_NAMES, stage="item_level", priority=900), max_size=3
    ),
    added=st.sampled_from(["bundle", "other"]),
    data=st.data(),
)
def test_adding_a_stackable_promotion_never_lowers_the_customer_benefit(
    request: EvaluateRequest,
    others: list[CompiledPromotion],
    bundles: list[CompiledPromotion],
    added: str,
    data: st.DataObject,
) -> None:
    """Precisely: customer benefit (bill discount + cashback) with rounding unit 1, when the
    bundle search is exact and every bundle promotion is an item-level promotion evaluated
    before the non-bundle promotions of that stage. (Across stages it does not hold: an
    item-level bundle consumes units a cart-level bundle needed, by design of stage order;
    nor with a shared campaign budget, spent in priority order.)"""
    base = _renamed(others, "X") + _renamed(bundles, "B")
    if added == "bundle":
        extra = data.draw(
            promotions(
                "NEW", types=BUNDLE_TYPES_NAMES, stackable=True, stage="item_level", priority=900
            )
        )
    else:
        extra = data.draw(promotions("NEW", types=NON_BUNDLE_TYPES, stackable=True, priority=100))
    before = _evaluate(request, base)
    after = _evaluate(request, [*base, extra])
    if before.search.exact and after.search.exact:
        assert _benefit(after) >= _benefit(before)


def _renamed(promos: list[CompiledPromotion], prefix: str) -> list[CompiledPromotion]:
    out = []
    for i, promo in enumerate(promos):
        code = f"{prefix}{i}"
        out.append(
            promo.model_copy(update={"code": code, "id": __import__("uuid").uuid5(promo.id, code)})
        )
    return out
