"""Non-stackable promotions compete with everything else; the larger customer benefit wins.

``is_stackable = false`` means the promotion never combines with another on the same cart
(DESIGN.md). The alternatives are: all stackable promotions together (one alternative) and
each non-stackable promotion alone. Each is evaluated in full (stages, bundle search, caps);
the engine applies the alternative with the largest **customer benefit = bill discount +
cashback** (free-item offers and points multipliers count zero: they are not money on this
cart). Ties, deterministically: larger bill discount, then the stackable group, then the
non-stackable promotion that comes first in evaluation order (stage, priority, code).
Promotions of the losing alternatives that would have applied are reported
``not_stackable`` with ``lost_to`` naming the winners; the others keep their own reason.
"""

from __future__ import annotations

from collections.abc import Sequence

from promoflow_contracts.results import ReasonCode
from promoflow_evaluator.engine.ledger import Env
from promoflow_evaluator.engine.model import Promo
from promoflow_evaluator.engine.outcome import Miss
from promoflow_evaluator.engine.pipeline import RunResult, run
from promoflow_evaluator.engine.screen import Live


class Choice:
    """The winning alternative and what the losing ones report. (Explicit ``__init__``: see
    :mod:`.outcome` on why not a dataclass.)"""

    __slots__ = ("losers", "winner")

    def __init__(self, winner: RunResult, losers: list[tuple[Promo, Miss]] | None = None) -> None:
        self.winner = winner
        self.losers: list[tuple[Promo, Miss]] = [] if losers is None else losers


class _Lost:
    """The ``not_stackable`` miss of promotions that lost to ``winner`` (the winner's codes
    and benefit text built once, not once per loser)."""

    __slots__ = ("codes", "env", "prefix")

    def __init__(self, winner: RunResult, env: Env) -> None:
        self.env = env
        self.codes = tuple([a.promo.code for a in winner.applied])
        self.prefix = (
            f"not combined: {', '.join(self.codes) or 'the other promotions'} give the customer "
            f"more ({env.fmt.money(winner.benefit)} against "
        )

    def miss(self, own: int) -> Miss:
        """The miss of a loser whose own customer benefit was ``own`` (minor)."""
        return Miss(
            ReasonCode.NOT_STACKABLE,
            f"{self.prefix}{self.env.fmt.money(own)})",
            lost_to=self.codes,
        )


def choose(lives: Sequence[Live], env: Env) -> Choice:
    """Evaluate the alternatives and pick the winner (see the module docstring)."""
    stackable = [live for live in lives if live.promo.stackable]
    singles = [live for live in lives if not live.promo.stackable]
    group = run(stackable, env)
    if not singles:
        return Choice(group)
    # (benefit, bill discount, group first, earlier evaluation order) - larger wins.
    best_key = (group.benefit, group.bill_discount, 1, 0) if stackable else None
    best: RunResult | None = group if stackable else None
    best_single: Promo | None = None
    alone: list[tuple[Live, RunResult]] = []
    for live in singles:
        result = run([live], env)
        alone.append((live, result))
        key = (result.benefit, result.bill_discount, 0, -live.promo.rank)
        if best_key is None or key > best_key:
            best_key, best, best_single = key, result, live.promo
    assert best is not None
    losers: list[tuple[Promo, Miss]] = []
    lost = _Lost(best, env)
    if best_single is not None:
        for applied in group.applied:
            losers.append((applied.promo, lost.miss(applied.discount + applied.cashback)))
        losers.extend((promo, miss.without_offers()) for promo, miss in group.misses)
    for live, result in alone:
        if live.promo is best_single:
            continue
        if result.applied:
            losers.append((live.promo, lost.miss(result.benefit)))
        else:
            losers.extend((promo, miss.without_offers()) for promo, miss in result.misses)
    return Choice(best, losers)
