"""Usage limits and campaign budgets: the service supplies what is left, the engine decides.

* A promotion marked exhausted by HO (``limit_state.total_exhausted``) or exhausted today for
  this store or all stores (``exhausted_days``, store-local date) does not apply.
* ``remaining_uses`` / ``remaining_uses_today`` / ``remaining_uses_customer`` (context, per
  promotion id) of 0 or less stop it; each promotion applied to a cart uses one, however many
  sets it forms.
* A campaign's ``remaining_budget_redemptions`` is shared by its promotions in priority order
  within the cart; ``remaining_budget_amount`` caps what they grant together (bill discounts
  and cashback): the discount that does not fit is shrunk to what is left and flagged
  ``budget_limited``.
"""

from __future__ import annotations

from promoflow_contracts.results import ReasonCode
from promoflow_evaluator.engine.ledger import Env, Ledger
from promoflow_evaluator.engine.model import Promo
from promoflow_evaluator.engine.outcome import Miss

_USES = Miss(ReasonCode.USAGE_LIMIT_REACHED, "usage limit reached")
_TODAY = Miss(ReasonCode.DAILY_LIMIT_REACHED, "daily usage limit reached")
_CUSTOMER = Miss(ReasonCode.CUSTOMER_LIMIT_REACHED, "this customer has used it the maximum times")
BUDGET_EXHAUSTED = Miss(ReasonCode.BUDGET_EXHAUSTED, "campaign budget exhausted")


def check_limits(promo: Promo, env: Env) -> Miss | None:
    """Static limit checks (before any calculation)."""
    context = env.context
    if promo.total_exhausted:
        return _USES
    if promo.exhausted_days:
        day = env.cart.local_date
        days = promo.exhausted_days
        if (day, None) in days or (day, context.store_id.int) in days:
            return _TODAY
    pid = promo.id
    if context.remaining_uses and context.remaining_uses.get(pid, 1) <= 0:
        return _USES
    if context.remaining_uses_today and context.remaining_uses_today.get(pid, 1) <= 0:
        return _TODAY
    if context.remaining_uses_customer and context.remaining_uses_customer.get(pid, 1) <= 0:
        return _CUSTOMER
    cid = promo.campaign_key
    if cid is not None and cid in env.budget_exhausted:
        return BUDGET_EXHAUSTED
    return None


def budget_room(promo: Promo, ledger: Ledger) -> int | None:
    """Minor units the promotion's campaign may still grant in this alternative (None =
    unlimited); 0 when its redemptions are used up by other promotions of the cart."""
    cid = promo.campaign_key
    if cid is None or promo.campaign_id is None:
        return None
    ledger.load_budget(cid, promo.campaign_id)
    if ledger.budget_redemptions.get(cid, 1) <= 0:
        return 0
    return ledger.budget_amounts.get(cid)


def spend_budget(promo: Promo, ledger: Ledger, amount: int) -> None:
    """Record one redemption and ``amount`` minor units against the promotion's campaign."""
    cid = promo.campaign_key
    if cid is None or promo.campaign_id is None:
        return
    ledger.load_budget(cid, promo.campaign_id)
    if cid in ledger.budget_redemptions:
        ledger.budget_redemptions[cid] -= 1
    if cid in ledger.budget_amounts:
        ledger.budget_amounts[cid] -= amount
