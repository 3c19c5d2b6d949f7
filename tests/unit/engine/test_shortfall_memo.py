"""The buy-x-get-y, combo, package and mix-and-match shortfall misses remembered on the rule across carts give the
same results as computing them afresh (a new index per cart starts with empty memos), and
equal the plan's own ``incomplete()``."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from promoflow_contracts.cart import EvaluateRequest
from promoflow_contracts.promotion import CompiledPromotion
from promoflow_evaluator.engine import PromotionIndex, evaluate
from promoflow_evaluator.engine.cart import prepare_cart
from promoflow_evaluator.engine.explain import Fmt
from promoflow_evaluator.engine.ledger import Env, Ledger
from promoflow_evaluator.engine.model import BuyGetRule, ComboRule, MixMatchRule, PackageRule
from promoflow_evaluator.engine.scope import cart_eligible_lines
from promoflow_evaluator.engine.types import PLANS, PRECHECKS, SHORTFALL_BY_INDEX, Ready
from tests.unit.engine.builders import context
from tests.unit.engine.strategies import carts, promotions

CTX = context()
KINDS = ["package", "mix_match", "buy_x_get_y", "combo"]


@st.composite
def _sets(draw: st.DrawFn) -> list[CompiledPromotion]:
    size = draw(st.integers(1, 4))
    return [draw(promotions(f"S{i}", types=KINDS)) for i in range(size)]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(promos=_sets(), requests=st.lists(carts(), min_size=2, max_size=5))
def test_remembered_misses_give_the_results_of_fresh_ones(
    promos: list[CompiledPromotion], requests: list[EvaluateRequest]
) -> None:
    # given one index shared by every cart (its memos fill up) and a fresh index per cart
    shared = PromotionIndex.build(promos)
    for request in requests:
        # when each cart is evaluated twice with the shared index and once with a fresh one
        first = evaluate(request, shared, CTX).model_dump()
        again = evaluate(request, shared, CTX).model_dump()
        fresh = evaluate(request, PromotionIndex.build(promos), CTX).model_dump()
        # then all three results are equal
        assert first == fresh
        assert again == fresh


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(promos=_sets(), request=carts())
def test_shortfall_equals_the_plans_incomplete(
    promos: list[CompiledPromotion], request: EvaluateRequest
) -> None:
    # given a cart and package / mix-and-match promotions
    cart = prepare_cart(request, CTX)
    env = Env(cart, CTX, Fmt(CTX.currency, CTX.digits))
    for promo in PromotionIndex.build(promos).promotions:
        ready = PRECHECKS[promo.promo_type](promo, env, tuple(cart_eligible_lines(promo, cart)))
        if not isinstance(ready, Ready):
            continue
        plan = PLANS[promo.promo_type](promo, ready, Ledger.start(cart, CTX), env)
        shortfall = SHORTFALL_BY_INDEX[promo.type_index]
        assert shortfall is not None
        # when the shortfall is asked twice (the second answer from the memo, labels from the
        # cart's names included)
        first = shortfall(promo, ready, env)
        second = shortfall(promo, ready, env)
        # then it reports exactly when the plan finds the cart short, with the plan's miss
        assert (first is not None) == plan.impossible()
        assert second is first
        if first is not None:
            expected = plan.incomplete()
            assert (first.code, first.reason, first.offers) == (
                expected.code,
                expected.reason,
                expected.offers,
            )
            hints = [
                h and (h.kind, h.message, h.missing_quantity, h.product_id, h.category_id)
                for h in (first.hint, expected.hint)
            ]
            assert hints[0] == hints[1]
            rule = promo.rule
            assert isinstance(rule, PackageRule | MixMatchRule | BuyGetRule | ComboRule)
            assert first in rule.misses.values()
