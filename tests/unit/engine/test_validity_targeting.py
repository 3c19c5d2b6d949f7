"""When and for whom: store-local dates and windows (crossing midnight), weekdays, holidays,
targeting, vouchers and manual promotions."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from promoflow_contracts.results import HintKind, ReasonCode
from tests.factories import (
    BRAND_ID,
    COMPANY_ID,
    LATTE,
    OTHER_BRAND_ID,
    OTHER_STORE_ID,
    STORE_ID,
    cart,
    promotion,
)
from tests.unit.engine.builders import applied_codes, context, latte, miss_of, reason_of, run

TEN = {"type": "percent_discount", "discount_percent": "10"}


def _at(when: datetime, **validity: Any) -> tuple[list[str], Any]:
    promo = promotion(
        "P", rules=TEN, validity={"start_date": "2026-01-01", "end_date": "2026-12-31", **validity}
    )
    result = run(cart(latte(), evaluated_at=when), [promo])
    return applied_codes(result), result


@pytest.mark.parametrize(
    ("when", "applies"),
    [
        (datetime(2026, 3, 3, 22, 0), True),  # Tuesday 22:00, start inclusive
        (datetime(2026, 3, 4, 1, 59), True),  # Wednesday 01:59 belongs to Tuesday's window
        (datetime(2026, 3, 4, 2, 0), False),  # end exclusive
        (datetime(2026, 3, 3, 21, 59), False),
    ],
)
def test_window_crossing_midnight_covers_the_night(when: datetime, applies: bool) -> None:
    codes, _ = _at(when, time_start="22:00", time_end="02:00")
    assert (codes == ["P"]) is applies


def test_part_after_midnight_belongs_to_the_day_the_window_started() -> None:
    # given a Tuesday-only night window: Wednesday 01:00 is still Tuesday's night
    codes, _ = _at(
        datetime(2026, 3, 4, 1, 0), time_start="22:00", time_end="02:00", days_of_week=[2]
    )
    assert codes == ["P"]
    # and Tuesday 01:00 is Monday's night, so it does not apply
    codes, result = _at(
        datetime(2026, 3, 3, 1, 0), time_start="22:00", time_end="02:00", days_of_week=[2]
    )
    assert codes == []
    assert reason_of(result, "P") is ReasonCode.WRONG_DAY


def test_night_after_the_last_day_still_belongs_to_the_last_day() -> None:
    codes, _ = _at(
        datetime(2027, 1, 1, 0, 30), time_start="22:00", time_end="02:00", end_date="2026-12-31"
    )
    assert codes == ["P"]


def test_validity_dates_are_read_in_the_store_time_zone() -> None:
    # given 16:30 UTC on 31 December = 23:30 WIB: still 2026 in Jakarta, valid
    promo = promotion("P", rules=TEN)
    result = run(cart(latte(), evaluated_at=datetime(2026, 12, 31, 16, 30, tzinfo=UTC)), [promo])
    assert applied_codes(result) == ["P"]
    # and 17:30 UTC = 00:30 WIB on 1 January 2027: expired
    result = run(cart(latte(), evaluated_at=datetime(2026, 12, 31, 17, 30, tzinfo=UTC)), [promo])
    assert reason_of(result, "P") is ReasonCode.EXPIRED


def test_the_same_instant_differs_between_wib_and_wit_stores() -> None:
    promo = promotion(
        "P",
        rules=TEN,
        validity={
            "start_date": "2026-01-01",
            "end_date": "2026-12-31",
            "time_start": "08:00",
            "time_end": "10:00",
        },
    )
    instant = datetime(2026, 3, 3, 1, 30, tzinfo=UTC)  # 08:30 WIB, 10:30 WIT
    assert applied_codes(run(cart(latte(), evaluated_at=instant), [promo])) == ["P"]
    wit = run(cart(latte(), evaluated_at=instant), [promo], context(timezone="Asia/Jayapura"))
    assert reason_of(wit, "P") is ReasonCode.OUTSIDE_TIME_WINDOW


def test_not_started_yet_within_a_week_is_reported() -> None:
    _, result = _at(datetime(2026, 3, 3, 12), start_date="2026-03-05")
    assert reason_of(result, "P") is ReasonCode.NOT_STARTED


def test_promotion_far_from_its_dates_is_not_a_candidate() -> None:
    # given a promotion that starts in a month and one that ended two weeks ago
    later = promotion(
        "LATER", rules=TEN, validity={"start_date": "2026-04-03", "end_date": "2026-12-31"}
    )
    past = promotion(
        "PAST", rules=TEN, validity={"start_date": "2026-01-01", "end_date": "2026-02-17"}
    )
    result = run(cart(latte(), evaluated_at=datetime(2026, 3, 3, 12)), [later, past])
    # then neither is evaluated nor reported: it could not apply to this cart
    assert result.applied == []
    assert result.not_applied == []


def test_indonesian_independence_day_is_excluded_as_a_holiday() -> None:
    # 17 August 2026 is a national holiday in Indonesia (holidays library)
    codes, result = _at(datetime(2026, 8, 17, 12), exclude_holidays=True)
    assert codes == []
    assert reason_of(result, "P") is ReasonCode.HOLIDAY_EXCLUDED
    codes, _ = _at(datetime(2026, 8, 18, 12), exclude_holidays=True)
    assert codes == ["P"]


def test_company_holiday_is_excluded() -> None:
    _codes, result = _at(
        datetime(2026, 3, 3, 12), exclude_holidays=True, company_holidays=["2026-03-03"]
    )
    assert reason_of(result, "P") is ReasonCode.HOLIDAY_EXCLUDED


def test_holiday_only_matters_when_excluded() -> None:
    codes, _ = _at(datetime(2026, 8, 17, 12))
    assert codes == ["P"]


def _targeted(**targeting: Any) -> Any:
    """10 % off lattes (a product scope, so the index finds it for any latte cart)."""
    return promotion(
        "T",
        rules=TEN,
        scope={"apply_to": "products", "products": [{"id": str(LATTE), "name": "Latte"}]},
        targeting={"company_id": str(COMPANY_ID), "stores": [str(STORE_ID)], **targeting},
    )


@pytest.mark.parametrize(
    ("targeting", "request_fields", "reason"),
    [
        ({"stores": [str(OTHER_STORE_ID)]}, {}, ReasonCode.STORE_NOT_TARGETED),
        ({"brands": [str(OTHER_BRAND_ID)]}, {}, ReasonCode.BRAND_NOT_TARGETED),
        ({"exclude_brands": [str(BRAND_ID)]}, {}, ReasonCode.BRAND_NOT_TARGETED),
        ({"sales_channels": ["delivery"]}, {}, ReasonCode.CHANNEL_NOT_TARGETED),
        ({"exclude_channels": ["dine_in"]}, {}, ReasonCode.CHANNEL_NOT_TARGETED),
        ({"member_only": True}, {}, ReasonCode.MEMBER_ONLY),
        (
            {"member_tiers": ["gold"]},
            {"customer": {"is_member": True, "tier": "silver"}},
            ReasonCode.TIER_NOT_ELIGIBLE,
        ),
        (
            {"customer_type": "student"},
            {"customer": {"customer_type": "staff"}},
            ReasonCode.CUSTOMER_TYPE_NOT_ELIGIBLE,
        ),
    ],
)
def test_targeting_failures_name_their_reason(
    targeting: dict[str, Any], request_fields: dict[str, Any], reason: ReasonCode
) -> None:
    result = run(cart(latte(), **request_fields), [_targeted(**targeting)])
    assert reason_of(result, "T") is reason


def test_cart_wide_promotion_of_another_brand_is_not_a_candidate() -> None:
    promo = promotion(
        "OTHER",
        rules=TEN,
        targeting={"company_id": str(COMPANY_ID), "brands": [str(OTHER_BRAND_ID)]},
    )
    result = run(cart(latte()), [promo])
    assert (result.applied, result.not_applied) == ([], [])


def test_targeting_matches_tier_and_customer_type_case_insensitively() -> None:
    promo = _targeted(member_only=True, member_tiers=["Gold"], customer_type="Student")
    request = cart(
        latte(), customer={"is_member": True, "tier": "GOLD", "customer_type": "student"}
    )
    assert applied_codes(run(request, [promo])) == ["T"]


def test_member_only_miss_hints_membership() -> None:
    result = run(cart(latte()), [_targeted(member_only=True)])
    assert [h.kind for h in result.hints] == [HintKind.MEMBERSHIP]


def test_lines_of_an_excluded_brand_get_nothing() -> None:
    promo = _targeted(exclude_brands=[str(OTHER_BRAND_ID)])
    result = run(cart(latte("a"), latte("b", brand_id=str(OTHER_BRAND_ID))), [promo])
    assert {ln.line_id: ln.discount for ln in result.lines} == {
        "a": Decimal("2500"),
        "b": Decimal("0"),
    }


def test_voucher_in_the_wrong_case_still_unlocks_the_promotion() -> None:
    promo = promotion("V", rules=TEN, require_voucher=True, voucher_codes=["HEMAT10"])
    assert applied_codes(run(cart(latte(), voucher_codes=["hemat10"]), [promo])) == ["V"]
    assert reason_of(run(cart(latte()), [promo]), "V") is ReasonCode.VOUCHER_REQUIRED
    assert (
        reason_of(run(cart(latte(), voucher_codes=["other"]), [promo]), "V")
        is ReasonCode.VOUCHER_REQUIRED
    )


def test_manual_promotion_applies_only_when_its_code_is_entered() -> None:
    promo = promotion("STAFF", rules=TEN, is_auto_apply=False)
    assert reason_of(run(cart(latte()), [promo]), "STAFF") is ReasonCode.NOT_AUTO_APPLY
    assert applied_codes(run(cart(latte(), voucher_codes=["staff"]), [promo])) == ["STAFF"]


def test_inactive_promotion_is_reported_inactive() -> None:
    result = run(cart(latte()), [promotion("OFF", rules=TEN, is_active=False)])
    assert miss_of(result, "OFF").reason_code is ReasonCode.INACTIVE


def test_promotion_priced_in_another_currency_does_not_apply() -> None:
    result = run(cart(latte()), [promotion("GBP", rules=TEN, currency="GBP")])
    assert reason_of(result, "GBP") is ReasonCode.CURRENCY_MISMATCH
