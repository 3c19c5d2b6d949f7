"""The engine's per-cart fast paths agree with the straightforward reference functions.

* scope: ``cart_eligible_lines``/``cart_item_lines``/``cart_product_lines`` (set operations on
  the cart's product and category maps, brand verdicts memoised per cart) against the
  line-by-line ``eligible_lines``/``item_lines``/``product_lines``;
* validity: the split check (timing judged once per interned timing, then the dates against
  its business day) against a direct transcription of the documented order.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from promoflow_contracts.cart import EvaluateRequest
from promoflow_contracts.promotion import CompiledPromotion
from promoflow_contracts.results import ReasonCode
from promoflow_evaluator.engine import PromotionIndex
from promoflow_evaluator.engine.calendar import Clock, Window
from promoflow_evaluator.engine.cart import prepare_cart
from promoflow_evaluator.engine.model import HappyHourRule, ItemMatcher, Timing, ValidityRule
from promoflow_evaluator.engine.scope import (
    cart_eligible_lines,
    cart_item_lines,
    cart_item_pool,
    cart_product_lines,
    eligible_lines,
    item_lines,
    product_lines,
)
from promoflow_evaluator.engine.validity import (
    check_dates,
    check_validity,
    days_text,
    is_holiday,
    window_text,
)
from tests.factories import BRAND_ID, OTHER_BRAND_ID
from tests.unit.engine.builders import context
from tests.unit.engine.strategies import CATEGORIES, PRODUCTS, carts, promotions

FAST = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
CTX = context()


@st.composite
def _with_exclusions(draw: st.DrawFn) -> CompiledPromotion:
    promo = draw(promotions("S"))
    scope: dict[str, Any] = promo.scope.model_dump(mode="json")
    if draw(st.booleans()):
        scope["exclude_products"] = [
            {"id": str(draw(st.sampled_from(PRODUCTS))), "name": "Excluded"}
        ]
    if draw(st.booleans()):
        scope["exclude_categories"] = [
            {"id": str(draw(st.sampled_from(CATEGORIES))), "name": "Excluded"}
        ]
    targeting: dict[str, Any] = promo.targeting.model_dump(mode="json")
    brands = draw(st.sampled_from(["all", [str(BRAND_ID)], [str(OTHER_BRAND_ID)]]))
    targeting["brands"] = brands
    if draw(st.booleans()):
        targeting["exclude_brands"] = [str(OTHER_BRAND_ID)]
    doc = promo.model_dump(mode="json")
    doc.update(scope=scope, targeting=targeting)
    return CompiledPromotion.model_validate(doc)


@st.composite
def _branded_carts(draw: st.DrawFn) -> EvaluateRequest:
    request = draw(carts())
    lines = [
        ln.model_copy(update={"brand_id": draw(st.sampled_from([None, BRAND_ID, OTHER_BRAND_ID]))})
        for ln in request.lines
    ]
    return request.model_copy(update={"lines": lines})


@FAST
@given(request=_branded_carts(), doc=_with_exclusions(), data=st.data())
def test_cart_scope_functions_equal_the_line_by_line_ones(
    request: EvaluateRequest, doc: CompiledPromotion, data: st.DataObject
) -> None:
    # given a prepared cart (lines of several brands) and a promotion with exclusions/brands
    cart = prepare_cart(request, CTX)
    [promo] = PromotionIndex.build([doc]).promotions
    # when the fast and the reference functions pick lines
    scoped = eligible_lines(promo, cart.lines)
    items = ItemMatcher(
        frozenset(p.int for p in data.draw(st.lists(st.sampled_from(PRODUCTS), max_size=2))),
        frozenset(c.int for c in data.draw(st.lists(st.sampled_from(CATEGORIES), max_size=1))),
    )
    product = data.draw(st.sampled_from(PRODUCTS)).int
    # then they agree line for line, in canonical order
    assert cart_eligible_lines(promo, cart) == scoped
    assert cart_item_lines(promo, items, cart, scoped) == item_lines(
        promo, items, cart.lines, scoped
    )
    assert cart_item_lines(promo, None, cart, scoped) == scoped
    pool = tuple(scoped)
    assert cart_item_pool(promo, items, cart, pool) == tuple(
        cart_item_lines(promo, items, cart, pool)
    )
    assert cart_item_pool(promo, None, cart, pool) is pool
    assert cart_product_lines(promo, product, cart) == product_lines(promo, product, cart.lines)


def _reference(rule: ValidityRule, moment: datetime, country: str) -> tuple[ReasonCode, str] | None:
    day = moment.date()
    in_window = True
    if rule.window is not None:
        window_day = rule.window.day_of(moment)
        if window_day is None:
            in_window = False
        else:
            day = window_day
    if day < rule.start:
        return ReasonCode.NOT_STARTED, f"starts on {rule.start.isoformat()}"
    if day > rule.end:
        return ReasonCode.EXPIRED, f"ended on {rule.end.isoformat()}"
    if not in_window and rule.window is not None:
        return (
            ReasonCode.OUTSIDE_TIME_WINDOW,
            f"valid {window_text(rule.window)} only (now {moment:%H:%M})",
        )
    if rule.days is not None and day.isoweekday() not in rule.days:
        return ReasonCode.WRONG_DAY, f"valid on {days_text(rule.days)} only"
    if rule.exclude_holidays and is_holiday(day, country, rule.company_holidays):
        return ReasonCode.HOLIDAY_EXCLUDED, f"not valid on holidays ({day.isoformat()})"
    return None


hours = st.integers(0, 23).map(lambda h: time(h, 0))


@FAST
@given(
    start=st.dates(date(2026, 8, 10), date(2026, 8, 20)),
    length=st.integers(0, 5),
    window=st.one_of(st.none(), st.tuples(hours, hours).filter(lambda w: w[0] != w[1])),
    days=st.one_of(st.none(), st.frozensets(st.integers(1, 7), min_size=1)),
    holidays=st.booleans(),
    moment=st.datetimes(datetime(2026, 8, 9), datetime(2026, 8, 27)),
)
def test_split_validity_check_equals_the_documented_order(
    start: date,
    length: int,
    window: tuple[time, time] | None,
    days: frozenset[int] | None,
    holidays: bool,
    moment: datetime,
) -> None:
    # given a validity rule around Indonesian Independence Day (17 August)
    win = None if window is None else Window(*window)
    company = frozenset({date(2026, 8, 12)})
    rule = ValidityRule(
        start=start,
        end=date.fromordinal(start.toordinal() + length),
        window=win,
        days=days,
        exclude_holidays=holidays,
        company_holidays=company,
        timing=Timing(win, days, holidays, company),
    )
    # then the split check gives the reference verdict
    assert check_validity(rule, moment, "ID") == _reference(rule, moment, "ID")
    # and the rule's own date misses (screening's, made once) say what check_dates says
    before = date.fromordinal(rule.start.toordinal() - 1)
    after = date.fromordinal(rule.end.toordinal() + 1)
    assert (rule.not_started.code, rule.not_started.reason) == check_dates(rule, before)
    assert (rule.expired.code, rule.expired.reason) == check_dates(rule, after)


def _reference_day_of(window: Window, moment: datetime) -> date | None:
    # the window compared as ``time`` objects (the documented rule, start inclusive)
    clock = moment.time()
    if window.start < window.end:
        return moment.date() if window.start <= clock < window.end else None
    if clock >= window.start:
        return moment.date()
    if clock < window.end:
        return moment.date() - timedelta(days=1)
    return None


clock_times = st.times().map(lambda t: t.replace(tzinfo=None))


@FAST
@given(start=clock_times, end=clock_times, moment=st.datetimes(datetime(2026, 1, 1)))
def test_window_judged_on_microseconds_equals_comparing_times(
    start: time, end: time, moment: datetime
) -> None:
    # given a window and a moment (any time to the microsecond, equal ends included)
    window = Window(start, end)
    # when it is judged on the moment's clock (microseconds since midnight)
    clock = Clock(moment, "ID")
    offset = window.offset(clock.micros)
    # then it places the moment on the same business day as comparing times does
    expected = _reference_day_of(window, moment)
    assert window.day_of(moment) == expected
    assert (None if offset < 0 else clock.day(offset)) == expected
    if expected is not None:
        assert clock.weekday(offset) == expected.isoweekday()
    assert clock.text == f"{moment:%H:%M}"


@FAST
@given(
    a=st.tuples(clock_times, clock_times, st.none() | st.frozensets(st.integers(1, 7), min_size=1)),
    b=st.tuples(clock_times, clock_times, st.none() | st.frozensets(st.integers(1, 7), min_size=1)),
)
def test_happy_hour_time_key_is_equal_exactly_for_equal_windows_and_weekdays(
    a: tuple[time, time, frozenset[int] | None], b: tuple[time, time, frozenset[int] | None]
) -> None:
    # given two happy-hour rules with the same discount
    def rule(window: tuple[time, time, frozenset[int] | None]) -> HappyHourRule:
        return HappyHourRule(Window(window[0], window[1]), window[2], 10, None, None, None)

    # then their memo keys are equal exactly when window and weekdays are
    assert (rule(a).time_key == rule(b).time_key) == (a == b)
