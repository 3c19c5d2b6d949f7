"""The result document (``evaluate_document``) is exactly the contract model's JSON.

The evaluator's hot path writes ``orjson.dumps(evaluate_document(...))``; the documented route,
checkout and HO preview use ``evaluate(...)`` (the document validated into
``EvaluationResult``). Both must give the same bytes for every cart.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter

from promoflow_contracts.cart import EvaluateRequest
from promoflow_contracts.promotion import CompiledPromotion
from promoflow_contracts.results import EvaluationResult
from promoflow_evaluator.engine import EngineContext, PromotionIndex, evaluate
from promoflow_evaluator.engine.evaluate import evaluate_document
from promoflow_evaluator.engine.money import from_minor, minor_text
from promoflow_evaluator.engine.result import datetime_text
from tests.factories import STORE_ID, promotion
from tests.unit.engine.builders import check_invariants, context, croissant, latte
from tests.unit.engine.strategies import CAMPAIGN, carts, promotion_sets

PROPERTY = settings(
    max_examples=int(__import__("os").environ.get("ENGINE_EXAMPLES", "120")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
RESULT_JSON = EvaluationResult.__pydantic_serializer__
DATETIME = TypeAdapter(datetime)


def _same_bytes(
    request: EvaluateRequest, promos: list[CompiledPromotion], ctx: EngineContext
) -> dict[str, Any]:
    """Then: the document's orjson bytes are the validated model's pydantic-core bytes, and
    the model round-trips; returns the document."""
    index = PromotionIndex.build(promos)
    document = evaluate_document(request, index, ctx)
    result = evaluate(request, index, ctx)
    assert orjson.dumps(document) == RESULT_JSON.to_json(result)
    assert document == result.model_dump(mode="json")
    assert list(document) == list(EvaluationResult.model_fields)
    assert EvaluationResult.model_validate_json(orjson.dumps(document)) == result
    assert EvaluationResult.model_validate(result.model_dump()) == result
    check_invariants(result)
    return document


@PROPERTY
@given(
    request=carts(),
    promos=promotion_sets(),
    cash_unit=st.sampled_from([None, Decimal(100), Decimal(500)]),
    budget=st.sampled_from([None, "0", "2500", "1000000"]),
)
def test_document_bytes_equal_the_contract_models_json_for_random_carts(
    request: EvaluateRequest,
    promos: list[CompiledPromotion],
    cash_unit: Decimal | None,
    budget: str | None,
) -> None:
    # given random carts and promotions of all 12 types, coarse cash rounding, budgets
    budgets = {} if budget is None else {CAMPAIGN: Decimal(budget)}
    ctx = context(cash_rounding_unit=cash_unit, remaining_budget_amount=budgets)
    # when / then
    _same_bytes(request, promos, ctx)


def _gbp(**fields: Any) -> CompiledPromotion:
    return promotion(currency="GBP", **fields)


GBP_CONTEXT = {"currency": "GBP", "timezone": "Europe/London", "country_code": "GB"}


def test_idr_money_is_written_without_decimals_and_negative_cash_rounding_with_a_sign() -> None:
    # given an IDR store rounding cash to 100 and a 7 % promotion
    promo = promotion("P", rules={"type": "percent_discount", "discount_percent": "7"})
    request = EvaluateRequest(store_id=STORE_ID, lines=[latte(), croissant(price=15150)])
    # when
    document = _same_bytes(request, [promo], context(cash_rounding_unit=Decimal(100)))
    # then 40.150 - 2.811 = 37.339 -> payable 37.300
    assert (document["total_discount"], document["total"]) == ("2811", "37339")
    assert (document["cash_rounding"], document["payable"]) == ("-39", "37300")
    assert document["lines"][0]["unit_price"] == "25000"


def test_gbp_money_keeps_two_decimals_even_when_zero() -> None:
    # given a GBP store rounding cash to 5p, a 2.92 cart and a promotion that does not apply
    promo = _gbp(code="P", rules={"type": "amount_discount", "discount_amount": "1.00"})
    promo = promo.model_copy(update={"is_active": False})
    request = EvaluateRequest(
        store_id=STORE_ID, currency="GBP", lines=[latte(price="2.92"), croissant(price="1.08")]
    )
    ctx = context(cash_rounding_unit=Decimal("0.05"), **GBP_CONTEXT)
    # when
    document = _same_bytes(request, [promo], ctx)
    # then
    assert [ln["unit_price"] for ln in document["lines"]] == ["2.92", "1.08"]
    assert (document["total_discount"], document["cash_rounding"]) == ("0.00", "0.00")
    assert document["payable"] == "4.00"
    assert document["not_applied"][0]["promotion_id"] == str(promo.id)


def test_gbp_negative_cash_rounding_is_written_as_a_signed_amount() -> None:
    # given a GBP store rounding cash to 5p and a 10 % promotion on a 3.19 latte
    promo = _gbp(code="TEN", rules={"type": "percent_discount", "discount_percent": "10"})
    request = EvaluateRequest(store_id=STORE_ID, currency="GBP", lines=[latte(price="3.19")])
    ctx = context(cash_rounding_unit=Decimal("0.05"), **GBP_CONTEXT)
    # when
    document = _same_bytes(request, [promo], ctx)
    # then 3.19 - 0.32 = 2.87 -> 2.85
    assert document["applied"][0]["discount"] == "0.32"
    assert document["applied"][0]["allocations"] == [{"line_id": "latte", "amount": "0.32"}]
    assert (document["total"], document["cash_rounding"], document["payable"]) == (
        "2.87",
        "-0.02",
        "2.85",
    )


@pytest.mark.parametrize(
    ("timezone_name", "evaluated_at", "expected"),
    [
        ("UTC", datetime(2026, 3, 3, 9, 30), "2026-03-03T09:30:00Z"),
        ("Europe/London", datetime(2026, 1, 5, 9, 30), "2026-01-05T09:30:00Z"),
        ("Europe/London", datetime(2026, 7, 5, 9, 30), "2026-07-05T09:30:00+01:00"),
        ("Asia/Jakarta", datetime(2026, 3, 3, 9, 30), "2026-03-03T09:30:00+07:00"),
        (
            "Asia/Jakarta",
            datetime(2026, 3, 3, 9, 30, 5, 120),
            "2026-03-03T09:30:05.000120+07:00",
        ),
        ("UTC", datetime(2026, 3, 3, 9, 30, 0, 999999, tzinfo=UTC), "2026-03-03T09:30:00.999999Z"),
    ],
)
def test_evaluated_at_is_written_as_pydantic_writes_the_datetime(
    timezone_name: str, evaluated_at: datetime, expected: str
) -> None:
    # given a store in ``timezone_name`` and a cart evaluated at ``evaluated_at``
    request = EvaluateRequest(store_id=STORE_ID, lines=[latte()], evaluated_at=evaluated_at)
    ctx = context(timezone=timezone_name)
    # when
    document = _same_bytes(request, [promotion("P")], ctx)
    # then
    assert document["evaluated_at"] == expected


@settings(max_examples=300, deadline=None)
@given(
    moment=st.datetimes(
        min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.timezones()
    )
    | st.datetimes(timezones=st.just(UTC))
    | st.builds(
        lambda dt, offset: dt.replace(tzinfo=timezone(timedelta(seconds=offset))),
        st.datetimes(),
        st.integers(-86_399, 86_399),
    )
)
def test_datetime_text_matches_pydantic_core(moment: datetime) -> None:
    # given any aware datetime (zone database zones, historical offsets with seconds, UTC)
    # when / then
    assert datetime_text(moment) == DATETIME.dump_python(moment, mode="json")


@given(value=st.integers(-(10**15), 10**15), digits=st.sampled_from([0, 2, 3]))
def test_minor_text_is_how_pydantic_writes_the_decimal_of_from_minor(
    value: int, digits: int
) -> None:
    # given minor units of a currency with ``digits`` decimals
    # when / then
    expected = TypeAdapter(Decimal).dump_python(from_minor(value, digits), mode="json")
    assert minor_text(value, digits) == expected == str(from_minor(value, digits))


def test_minor_text_examples() -> None:
    # given / when / then
    assert [minor_text(292, 2), minor_text(0, 2), minor_text(-5, 2), minor_text(4000, 0)] == [
        "2.92",
        "0.00",
        "-0.05",
        "4000",
    ]
