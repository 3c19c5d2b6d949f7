"""The engine context: what the evaluating store and service know that the cart does not.

The evaluator service builds one per request (store master data, usage allowances read from
its store, the clock); HO's preview API and the benchmarks build it by hand. The engine never
reads a clock, a file or an environment variable itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from promoflow_contracts.base import MINOR_UNIT_DIGITS
from promoflow_evaluator.engine.calendar import national_holidays
from promoflow_evaluator.engine.errors import InvalidContext

_EMPTY: Mapping[UUID, int] = {}


def _empty_int_map() -> Mapping[UUID, int]:
    return _EMPTY


def _empty_money_map() -> Mapping[UUID, Decimal]:
    return {}


class MinorBudgets:
    """A context's remaining budget amounts in minor units, rounded down and never below 0
    (never more than the budget), converted when a campaign's amount is asked for: the
    service passes every campaign's budget, a cart reaches few of them."""

    __slots__ = ("amounts", "digits")

    def __init__(self, amounts: Mapping[UUID, Decimal], digits: int) -> None:
        self.amounts = amounts
        self.digits = digits

    def get(self, campaign: UUID) -> int | None:
        """Campaign ``campaign``'s remaining amount (minor units); None: unlimited."""
        amount = self.amounts.get(campaign)
        if amount is None:
            return None
        return max(0, int(amount.scaleb(self.digits).to_integral_value(rounding="ROUND_FLOOR")))


#: (time zone, holiday country) pairs already checked, with the zone: a service builds a
#: context per request for the same store (cleared past :data:`_MAX_PLACES` entries)
_PLACES: dict[tuple[str, str], ZoneInfo] = {}
_MAX_PLACES = 64


#: ``str(store_id)`` by ``store_id.int`` (``UUID.__str__`` is Python code; cleared past
#: :data:`_MAX_PLACES` entries)
_STORE_TEXTS: dict[int, str] = {}


def _store_text(store_id: UUID) -> str:
    key = store_id.int
    text = _STORE_TEXTS.get(key)
    if text is None:
        if len(_STORE_TEXTS) >= _MAX_PLACES:
            _STORE_TEXTS.clear()
        text = _STORE_TEXTS[key] = str(store_id)
    return text


def _place(timezone: str, country_code: str) -> ZoneInfo:
    """The zone ``timezone``, once it and the holiday calendar of ``country_code`` are known
    to exist (raises :class:`InvalidContext` otherwise, the zone checked first)."""
    key = (timezone, country_code)
    zone = _PLACES.get(key)
    if zone is not None:
        return zone
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidContext(f"unknown time zone {timezone!r}") from exc
    try:
        national_holidays(country_code, 2026)
    except NotImplementedError as exc:
        raise InvalidContext(f"no holiday calendar for country {country_code!r}") from exc
    if len(_PLACES) >= _MAX_PLACES:
        _PLACES.clear()
    _PLACES[key] = zone
    return zone


@dataclass(frozen=True, slots=True)
class EngineContext:
    """Store facts, usage allowances and the clock for one evaluation.

    * ``store_id``/``company_id``/``brand_id``: the evaluating store (targeting; a store without
      a brand, e.g. a food court, leaves ``brand_id`` None and brands are checked on lines).
    * ``timezone``: IANA zone the store's validity dates and times are read in.
    * ``country_code``: ISO country for the national holiday calendar (``holidays`` library).
    * ``currency``: the store's ISO 4217 currency; carts in another currency are refused.
    * ``rounding_unit``: major-unit step every discount is rounded to, half-up (default: the
      currency's minor unit, e.g. ``Decimal(1)`` for IDR; ``Decimal(100)`` is common).
    * ``cash_rounding_unit``: major-unit step the payable total is rounded to (half-up), reported
      separately as ``cash_rounding``; None = no cash rounding.
    * ``remaining_uses`` (total), ``remaining_uses_today`` (this store-local day),
      ``remaining_uses_customer`` (this cart's customer): allowances per promotion id;
      a missing key means unlimited, 0 or less means exhausted. Every promotion applied to the
      cart uses one.
    * ``remaining_budget_redemptions``/``remaining_budget_amount``: per campaign id, shared by
      the campaign's promotions; missing = unlimited. Amounts are major units.
    * ``now``: aware time used when the cart has no ``evaluated_at``.
    * ``max_bundle_search``: bound on the bundle assignment search, in set-formation attempts
      (one competing promotion tried in one state); past it, priority order decides.

    Raises :class:`InvalidContext` for an unknown currency, time zone or holiday country, a
    naive ``now``, or a rounding unit that is not a positive multiple of the minor unit.
    """

    store_id: UUID
    company_id: UUID
    brand_id: UUID | None = None
    timezone: str = "Asia/Jakarta"
    country_code: str = "ID"
    currency: str = "IDR"
    rounding_unit: Decimal | None = None
    cash_rounding_unit: Decimal | None = None
    remaining_uses: Mapping[UUID, int] = field(default_factory=_empty_int_map)
    remaining_uses_today: Mapping[UUID, int] = field(default_factory=_empty_int_map)
    remaining_uses_customer: Mapping[UUID, int] = field(default_factory=_empty_int_map)
    remaining_budget_redemptions: Mapping[UUID, int] = field(default_factory=_empty_int_map)
    remaining_budget_amount: Mapping[UUID, Decimal] = field(default_factory=_empty_money_map)
    now: datetime | None = None
    max_bundle_search: int = 5_000
    zone: ZoneInfo = field(init=False, repr=False, compare=False)
    digits: int = field(init=False, repr=False, compare=False)
    unit: int = field(init=False, repr=False, compare=False)
    cash_unit: int | None = field(init=False, repr=False, compare=False)
    #: ``remaining_budget_amount`` in minor units, rounded down (never more than the budget)
    budget_minor: MinorBudgets = field(init=False, repr=False, compare=False)
    #: ``str(store_id)`` (the result's ``store_id``; ``UUID.__str__`` is Python code)
    store_text: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.currency not in MINOR_UNIT_DIGITS:
            raise InvalidContext(f"unknown currency {self.currency!r}")
        digits = MINOR_UNIT_DIGITS[self.currency]
        zone = _place(self.timezone, self.country_code)
        if self.now is not None and self.now.utcoffset() is None:
            raise InvalidContext("now must be an aware datetime")
        if self.max_bundle_search < 0:
            raise InvalidContext("max_bundle_search must not be negative")
        object.__setattr__(self, "zone", zone)
        object.__setattr__(self, "store_text", _store_text(self.store_id))
        object.__setattr__(self, "digits", digits)
        object.__setattr__(self, "unit", _unit(self.rounding_unit, digits, "rounding_unit") or 1)
        object.__setattr__(
            self, "cash_unit", _unit(self.cash_rounding_unit, digits, "cash_rounding_unit")
        )
        object.__setattr__(self, "budget_minor", MinorBudgets(self.remaining_budget_amount, digits))


def _unit(value: Decimal | None, digits: int, name: str) -> int | None:
    if value is None:
        return None
    scaled = value.scaleb(digits)
    if value <= 0 or scaled != scaled.to_integral_value():
        raise InvalidContext(f"{name} {value} must be a positive multiple of the minor unit")
    return int(scaled)
