"""Per-promotion data computed at index build for screening: the type's position in
``TYPE_ORDER`` and the key of the eligible-lines memo (equal exactly when scope, targeting and
cross-brand rules are the same)."""

from __future__ import annotations

from promoflow_evaluator.engine import PromotionIndex
from promoflow_evaluator.engine.model import TYPE_ORDER
from promoflow_evaluator.engine.types import PLAN_BY_INDEX, PLANS, PRECHECK_BY_INDEX, PRECHECKS
from tests.factories import promotion
from tests.unit.engine.builders import BEVERAGES_SCOPE


def test_type_index_picks_the_types_own_checks() -> None:
    # given promotions of a plain and of a bundle type
    plain = promotion("P")
    bundle = promotion("B", rules={"type": "buy_x_get_y", "buy_quantity": 1, "get_quantity": 1})
    # when the index is built
    index = PromotionIndex.build([plain, bundle])
    # then each promotion's type index selects its type's precheck and plan
    for promo in index.promotions:
        assert TYPE_ORDER[promo.type_index] is promo.promo_type
        assert PRECHECK_BY_INDEX[promo.type_index] is PRECHECKS[promo.promo_type]
        assert PLAN_BY_INDEX[promo.type_index] is PLANS.get(promo.promo_type)


def test_eligible_key_is_shared_exactly_by_equal_scope_rules() -> None:
    # given two promotions with the same scope and one with another scope
    a = promotion("A", scope=BEVERAGES_SCOPE)
    b = promotion("B", scope=BEVERAGES_SCOPE, execution_priority=10)
    c = promotion("C")
    # when the index is built
    by_code = {p.code: p for p in PromotionIndex.build([a, b, c]).promotions}
    # then the equal scopes share a key (and their interned rules), the other one does not
    assert by_code["A"].eligible_key == by_code["B"].eligible_key
    assert by_code["A"].scope is by_code["B"].scope
    assert by_code["C"].eligible_key != by_code["A"].eligible_key
