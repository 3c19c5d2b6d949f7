"""``PromotionIndex.with_changes``: deriving an index from another plus upserts and removals
gives the same index (and the same results) as building the resulting set from scratch."""

from __future__ import annotations

from dataclasses import fields
from typing import Any
from uuid import UUID

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from promoflow_contracts.cart import EvaluateRequest
from promoflow_contracts.promotion import CompiledPromotion
from promoflow_evaluator.engine import PromotionIndex, evaluate
from promoflow_evaluator.engine.index import RANK_STEP
from promoflow_evaluator.engine.model import Promo
from tests.factories import BAKERY, BEVERAGES, cart, promotion, uid
from tests.unit.engine.builders import BEVERAGES_SCOPE, context, croissant, latte
from tests.unit.engine.strategies import carts, promotions

CTX = context()
_FIELDS = [f.name for f in fields(Promo) if f.name not in {"rank", "source", "eligible_key"}]


def _facts(promo: Promo) -> tuple[Any, ...]:
    return tuple(getattr(promo, name) for name in _FIELDS)


def _describe(index: PromotionIndex) -> dict[str, Any]:
    """Everything an index holds, with ranks replaced by order (only the order matters)."""

    def ids(promos: tuple[Promo, ...]) -> list[UUID]:
        ranks = [p.rank for p in promos]
        assert ranks == sorted(ranks) and len(set(ranks)) == len(ranks)
        return [p.id for p in promos]

    promos = index.promotions
    assert [p.rank for p in promos] == sorted(p.rank for p in promos)
    return {
        "order": [(p.id, p.version) for p in promos],
        "facts": [_facts(p) for p in promos],
        "documents": list(index.documents),
        "by_product": {k: ids(v) for k, v in index._by_product.items()},
        "by_category": {k: ids(v) for k, v in index._by_category.items()},
        "by_brand": {k: ids(v) for k, v in index._by_brand.items()},
        "always": ids(index._always),
    }


def _same_results(a: PromotionIndex, b: PromotionIndex, *requests: EvaluateRequest) -> None:
    for request in requests:
        assert evaluate(request, a, CTX).model_dump() == evaluate(request, b, CTX).model_dump()


def test_upsert_and_remove_equal_a_fresh_build() -> None:
    # given an index of three promotions
    a = promotion("A", scope=BEVERAGES_SCOPE, execution_priority=0)
    b = promotion(
        "B", rules={"type": "percent_discount", "discount_percent": "5"}, execution_priority=0
    )
    c = promotion("C", execution_priority=50)
    index = PromotionIndex.build([a, b, c])
    # when B is removed, C gets a new version and D is added
    c2 = promotion("C", execution_priority=10, version=2)
    d = promotion("D", scope=BEVERAGES_SCOPE, execution_priority=70)
    changed = index.with_changes(upserted=[c2, d], removed=[b.id])
    # then it equals a build of A, C v2 and D, and the original index is unchanged
    expected = PromotionIndex.build([a, c2, d])
    assert _describe(changed) == _describe(expected)
    assert [p.code for p in changed.promotions] == ["D", "C", "A"]
    assert [p.code for p in index.promotions] == ["C", "A", "B"]
    request = cart(latte(quantity=2), croissant())
    _same_results(changed, expected, request)
    assert {x.code for x in evaluate(request, changed, CTX).applied} == {"A", "C", "D"}


def test_a_stale_version_is_ignored_and_no_change_returns_the_same_index() -> None:
    # given an index holding version 3 of a promotion
    current = promotion("A", version=3, execution_priority=5)
    index = PromotionIndex.build([current])
    # when version 2 arrives late
    again = index.with_changes(upserted=[promotion("A", version=2)], removed=[uid("unknown")])
    # then nothing changes
    assert again is index
    assert index.promotions[0].priority == 5


def test_an_id_both_removed_and_upserted_keeps_the_upserted_document() -> None:
    # given version 3 of A
    index = PromotionIndex.build([promotion("A", version=3)])
    # when the same batch removes A and upserts version 1 of it
    replacement = promotion("A", version=1, execution_priority=9)
    changed = index.with_changes(upserted=[replacement], removed=[replacement.id])
    # then A is the upserted version 1
    assert _describe(changed) == _describe(PromotionIndex.build([replacement]))


def test_many_inserts_at_one_place_renumber_and_stay_equal_to_a_build() -> None:
    # given two promotions with consecutive priorities
    base = [promotion("A", execution_priority=100), promotion("Z", execution_priority=0)]
    index = PromotionIndex.build(base)
    added: list[CompiledPromotion] = []
    # when 30 promotions are inserted one by one between them (halving the gap each time)
    for i in range(30):
        doc = promotion(f"M{i:02d}", execution_priority=1 + i)
        added.append(doc)
        index = index.with_changes(upserted=[doc])
    # then ranks ran out of room at some point and the index still equals a build
    assert _describe(index) == _describe(PromotionIndex.build([*base, *added]))
    assert len(index) == 32
    assert index.promotions[-1].rank > 2 * RANK_STEP  # Z was renumbered


def test_descendants_changed_by_another_promotion_reparse_the_promotions_naming_them() -> None:
    # given a mix and match over an item set naming Beverages (no descendants of its own), and
    # a promotion whose scope says Bakery is a descendant of Beverages
    mix = promotion(
        "MIX",
        rules={
            "type": "mix_match",
            "item_set": {"category_ids": [str(BEVERAGES)]},
            "required_quantity": 2,
            "special_price": "20000",
        },
    )
    ref = promotion(
        "REF",
        scope={
            "apply_to": "categories",
            "categories": [
                {"id": str(BEVERAGES), "name": "Beverages", "descendant_ids": [str(BAKERY)]}
            ],
        },
    )
    index = PromotionIndex.build([mix, ref])
    request = cart(croissant("c1"), croissant("c2"))
    assert "MIX" in {a.code for a in evaluate(request, index, CTX).applied}
    # when REF is removed
    changed = index.with_changes(removed=[ref.id])
    # then the croissants are no longer Beverages for MIX, exactly as in a fresh build
    expected = PromotionIndex.build([mix])
    assert _describe(changed) == _describe(expected)
    assert "MIX" not in {a.code for a in evaluate(request, changed, CTX).applied}
    # and adding REF back restores it
    back = changed.with_changes(upserted=[ref])
    assert _describe(back) == _describe(index)


PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def _documents(draw: st.DrawFn, prefix: str, size: int) -> list[CompiledPromotion]:
    docs = []
    for i in range(size):
        doc = draw(promotions(f"{prefix}{i}"))
        version = draw(st.integers(1, 3))
        docs.append(doc.model_copy(update={"version": version}))
    return docs


@PROPERTY
@given(
    initial=st.integers(0, 8).flatmap(lambda n: _documents("P", n)),
    fresh=st.integers(0, 4).flatmap(lambda n: _documents("N", n)),
    data=st.data(),
    request=carts(),
)
def test_with_changes_equals_build_of_the_resulting_set(
    initial: list[CompiledPromotion],
    fresh: list[CompiledPromotion],
    data: st.DataObject,
    request: EvaluateRequest,
) -> None:
    # given an index of random promotions
    index = PromotionIndex.build(initial)
    # when some are removed, some get a new (or stale) version, and new ones arrive
    ids = [doc.id for doc in initial]
    removed = data.draw(st.lists(st.sampled_from(ids), unique=True)) if ids else []
    updated = [
        doc.model_copy(
            update={
                "version": doc.version + data.draw(st.integers(-1, 1)),
                "execution_priority": data.draw(st.integers(0, 1000)),
            }
        )
        for doc in initial
        if data.draw(st.booleans())
    ]
    upserted = [*updated, *fresh]
    changed = index.with_changes(upserted=upserted, removed=removed)
    # then it equals a build of the resulting set, and evaluates the same
    result: dict[UUID, CompiledPromotion] = {d.id: d for d in initial if d.id not in removed}
    for doc in upserted:
        held = result.get(doc.id)
        if held is None or doc.version >= held.version:
            result[doc.id] = doc
    expected = PromotionIndex.build(result.values())
    assert _describe(changed) == _describe(expected)
    _same_results(changed, expected, request)
