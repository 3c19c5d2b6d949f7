"""Evaluate and checkout requests reject bad carts with errors that name the field."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from promoflow_contracts.cart import EvaluateRequest
from promoflow_contracts.checkout import CheckoutRequest
from tests.factories import LATTE, STORE_ID


def _request(**line: Any) -> dict[str, Any]:
    base = {"line_id": "1", "product_id": str(LATTE), "unit_price": "25000", "quantity": 2}
    return {"store_id": str(STORE_ID), "lines": [{**base, **line}]}


@pytest.mark.parametrize(
    ("line", "location"),
    [
        ({"quantity": 0}, "lines.0.quantity"),
        ({"quantity": -1}, "lines.0.quantity"),
        ({"unit_price": "0"}, "lines.0.unit_price"),
        ({"unit_price": "-100"}, "lines.0.unit_price"),
        ({"unit_price": "1.00001"}, "lines.0.unit_price"),
        ({"product_id": "latte"}, "lines.0.product_id"),
    ],
)
def test_bad_line_is_rejected_naming_the_field(line: dict[str, Any], location: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        EvaluateRequest.model_validate(_request(**line))
    assert [".".join(str(p) for p in e["loc"]) for e in excinfo.value.errors()] == [location]


def test_json_numbers_become_exact_decimals() -> None:
    request = EvaluateRequest.model_validate_json(
        '{"store_id": "%s", "lines": [{"line_id": "1", "product_id": "%s", "unit_price": 7.95, "quantity": 1}]}'
        % (STORE_ID, LATTE)
    )
    assert request.lines[0].unit_price == Decimal("7.95")


def test_empty_cart_is_valid() -> None:
    assert EvaluateRequest(store_id=STORE_ID).lines == []


def test_duplicate_line_ids_are_rejected() -> None:
    data = _request()
    data["lines"].append(dict(data["lines"][0]))
    with pytest.raises(ValidationError, match="duplicate line_id 1"):
        EvaluateRequest.model_validate(data)


def test_vouchers_are_deduplicated_case_insensitively() -> None:
    request = EvaluateRequest(store_id=STORE_ID, voucher_codes=["Hemat10", "HEMAT10", "other"])
    assert request.voucher_codes == ["Hemat10", "other"]


def test_checkout_requires_a_transaction_id() -> None:
    with pytest.raises(ValidationError) as excinfo:
        CheckoutRequest.model_validate(_request())
    assert [".".join(map(str, e["loc"])) for e in excinfo.value.errors()] == ["transaction_id"]
