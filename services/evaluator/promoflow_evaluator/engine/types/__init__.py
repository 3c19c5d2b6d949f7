"""One module per family of promotion types, registered by :class:`PromotionType`.

* :mod:`.discounts`: percent_discount, amount_discount, happy_hour
* :mod:`.payment`: payment_discount, cashback
* :mod:`.tiers`: threshold_tier
* :mod:`.buy_get`: buy_x_get_y (bundle)
* :mod:`.sets`: combo, package, mix_match (bundles, fixed set prices)
* :mod:`.addons`: free_item, upsell (bundles)

Every type has a *precheck* (static checks on the cart before discounts, giving a
:class:`~.common.Ready` or a :class:`~..outcome.Miss`); non-bundles have a *grant* (what they
grant at the current line amounts), bundles a *plan* class that forms sets of units.
"""

from __future__ import annotations

from collections.abc import Callable

from promoflow_contracts.base import PromotionType
from promoflow_evaluator.engine.bundles import BundlePlan
from promoflow_evaluator.engine.cart import Line
from promoflow_evaluator.engine.ledger import Env, Ledger
from promoflow_evaluator.engine.model import TYPE_ORDER, Promo
from promoflow_evaluator.engine.outcome import Grant, Miss
from promoflow_evaluator.engine.types import addons, buy_get, discounts, payment, sets, tiers
from promoflow_evaluator.engine.types.common import Ready

Precheck = Callable[[Promo, Env, tuple[Line, ...]], Miss | Ready]
GrantFn = Callable[[Promo, Ready, Ledger, Env], Grant | Miss]
PlanFactory = Callable[[Promo, Ready, Ledger, Env], BundlePlan]

T = PromotionType

PRECHECKS: dict[PromotionType, Precheck] = {
    T.PERCENT_DISCOUNT: discounts.precheck_percent,
    T.AMOUNT_DISCOUNT: discounts.precheck_amount,
    T.HAPPY_HOUR: discounts.precheck_happy_hour,
    T.PAYMENT_DISCOUNT: payment.precheck_payment,
    T.CASHBACK: payment.precheck_cashback,
    T.THRESHOLD_TIER: tiers.precheck_tier,
    T.BUY_X_GET_Y: buy_get.precheck_buy_get,
    T.COMBO: sets.precheck_combo,
    T.PACKAGE: sets.precheck_package,
    T.MIX_MATCH: sets.precheck_mix_match,
    T.FREE_ITEM: addons.precheck_free_item,
    T.UPSELL: addons.precheck_upsell,
}

GRANTS: dict[PromotionType, GrantFn] = {
    T.PERCENT_DISCOUNT: discounts.grant_percent,
    T.AMOUNT_DISCOUNT: discounts.grant_amount,
    T.HAPPY_HOUR: discounts.grant_happy_hour,
    T.PAYMENT_DISCOUNT: payment.grant_payment,
    T.CASHBACK: payment.grant_cashback,
    T.THRESHOLD_TIER: tiers.grant_tier,
}

PLANS: dict[PromotionType, PlanFactory] = {
    T.BUY_X_GET_Y: buy_get.BuyGetPlan,
    T.COMBO: sets.ComboPlan,
    T.PACKAGE: sets.PackagePlan,
    T.MIX_MATCH: sets.MixMatchPlan,
    T.FREE_ITEM: addons.FreeItemPlan,
    T.UPSELL: addons.UpsellPlan,
}

#: :data:`PRECHECKS` and :data:`PLANS` by :attr:`Promo.type_index` (no Enum hashing per candidate;
#: a plan is None for a type that is not a bundle)
PRECHECK_BY_INDEX: tuple[Precheck, ...] = tuple(PRECHECKS[t] for t in TYPE_ORDER)
PLAN_BY_INDEX: tuple[PlanFactory | None, ...] = tuple(PLANS.get(t) for t in TYPE_ORDER)

Shortfall = Callable[[Promo, Ready, Env], Miss | None]
#: by :attr:`Promo.type_index`: the bundle's miss when the whole cart's unit counts cannot form
#: one set (the plan's ``impossible()`` then ``incomplete()``), found without making a plan
SHORTFALL_BY_INDEX: tuple[Shortfall | None, ...] = tuple(
    {
        T.BUY_X_GET_Y: buy_get.buy_get_shortfall,
        T.COMBO: sets.combo_shortfall,
        T.PACKAGE: sets.package_shortfall,
        T.MIX_MATCH: sets.mix_match_shortfall,
    }.get(t)
    for t in TYPE_ORDER
)

__all__ = [
    "GRANTS",
    "PLANS",
    "PLAN_BY_INDEX",
    "PRECHECKS",
    "PRECHECK_BY_INDEX",
    "SHORTFALL_BY_INDEX",
    "Ready",
]
