"""How a worker derives its next promotion index: from the previous one and the change when the
engine can (cost follows the change), from scratch otherwise."""

from __future__ import annotations

from collections.abc import Collection
from uuid import UUID

from promoflow_contracts.promotion import CompiledPromotion
from promoflow_evaluator.engine import PromotionIndex
from promoflow_evaluator.snapshot import next_index
from tests.factories import promotion


class _Derivable:
    """A previous index that records what it was asked to change."""

    def __init__(self, result: PromotionIndex) -> None:
        self.result = result
        self.calls: list[tuple[list[UUID], list[UUID]]] = []

    def with_changes(
        self, *, upserted: Collection[CompiledPromotion], removed: Collection[UUID]
    ) -> PromotionIndex:
        self.calls.append(([p.id for p in upserted], list(removed)))
        return self.result


def test_a_change_is_handed_to_the_previous_index_and_nothing_else_is_parsed() -> None:
    # given a snapshot of three promotions where B changed and C went away
    a, b2 = promotion("A"), promotion("B", version=2)
    c = promotion("C")
    expected = PromotionIndex.build([a, b2])
    previous = _Derivable(expected)
    # when the next index is derived
    index = next_index(previous, [a, b2], upserted=[b2], removed=[c.id])  # type: ignore[arg-type]
    # then only the change went to the engine, and its index is the snapshot's
    assert previous.calls == [([b2.id], [c.id])]
    assert index is expected


def test_the_first_load_builds_the_index_from_every_promotion() -> None:
    a, b = promotion("A"), promotion("B")
    index = next_index(None, [a, b], upserted=[a, b], removed=[])
    assert sorted(p.code for p in index.promotions) == ["A", "B"]
