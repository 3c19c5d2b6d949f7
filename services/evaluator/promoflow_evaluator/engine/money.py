"""Exact money: integer minor units inside the engine, :class:`~decimal.Decimal` at the boundary.

Units used across the engine:

* **minor** (``int``): the currency's minor unit (1 rupiah for IDR, 1 penny for GBP), per
  ``MINOR_UNIT_DIGITS`` of the contracts. Line amounts, discounts and allocations are minor.
* **raw** (``int``): millionths of a minor unit (:data:`RAW`). Un-rounded discounts are raw so a
  percent with four decimals (``12.3456`` %) of a minor amount is an exact integer:
  ``minor * percent_micro`` where ``percent_micro = percent * 10_000``.

Rounding (DESIGN.md "Engine semantics"): a raw discount is rounded half-up to the rounding unit
(a multiple of the minor unit: IDR 1 by default, 100 if configured) exactly once per promotion.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from functools import lru_cache

from promoflow_evaluator.engine.errors import AmountPrecisionError

#: Raw units per minor unit: raw amounts are millionths of a minor unit.
RAW = 1_000_000
#: ``percent_micro`` units per percent (four decimal places, the contract's precision).
PERCENT_MICRO = 10_000


def to_minor(amount: Decimal, digits: int, *, what: str | Callable[[], str]) -> int:
    """Exact conversion of a major-unit amount to minor units.

    Raises :class:`AmountPrecisionError` when ``amount`` has more decimals than the currency
    prices in (``what`` names the field in the message; a callable is called only then).
    """
    scaled = amount.scaleb(digits)
    value = int(scaled)
    if value != scaled:
        name = what if isinstance(what, str) else what()
        raise AmountPrecisionError(
            f"{name} {amount} is finer than the currency's minor unit (10^-{digits})"
        )
    return value


def to_minor_half_up(amount: Decimal, digits: int) -> int:
    """Major-unit amount of a promotion document to minor units, rounded half-up.

    Promotion amounts finer than the minor unit are a compiler slip, not a reason to refuse
    the whole snapshot; they are rounded once, when the index is built.
    """
    scaled = amount.scaleb(digits)
    return int(scaled.to_integral_value(rounding="ROUND_HALF_UP"))


_DECIMALS: dict[tuple[int, int], Decimal] = {}


def from_minor(value: int, digits: int) -> Decimal:
    """Minor units back to a major-unit :class:`Decimal` with the currency's decimals.

    Decimals are immutable; recent conversions are kept (prices and discounts repeat).
    """
    key = (value, digits)
    found = _DECIMALS.get(key)
    if found is None:
        if len(_DECIMALS) > 50_000:
            _DECIMALS.clear()
        found = _DECIMALS[key] = Decimal(value).scaleb(-digits) if digits else Decimal(value)
    return found


#: recent money texts per number of decimals, keyed by the minor amount (no tuple key to build)
_MINOR_TEXTS: dict[int, dict[int, str]] = {}


def minor_text(value: int, digits: int) -> str:
    """Minor units as the major-unit text the contracts write for money (``292, 2`` →
    ``"2.92"``, ``0, 2`` → ``"0.00"``, ``-5, 2`` → ``"-0.05"``, ``4000, 0`` → ``"4000"``):
    ``str(from_minor(value, digits))``, which is how pydantic writes that Decimal in JSON.
    Recent texts are kept (prices and discounts repeat from cart to cart)."""
    if not digits:
        return str(value)
    texts = _MINOR_TEXTS.get(digits)
    if texts is None:
        texts = _MINOR_TEXTS[digits] = {}
    found = texts.get(value)
    if found is None:
        if len(texts) > 50_000:
            texts.clear()
        whole, part = divmod(abs(value), 10**digits)
        sign = "-" if value < 0 else ""
        found = texts[value] = f"{sign}{whole}.{part:0{digits}d}"
    return found


#: exact major-unit amounts already converted, per number of decimals
_EXACT_MINOR: dict[int, dict[Decimal, int]] = {}


def exact_minor(amount: Decimal, digits: int) -> int | None:
    """``amount`` in minor units, or None when it is finer than the minor unit (the caller
    raises through :func:`to_minor`). Recent conversions are kept (cart prices repeat)."""
    known = _EXACT_MINOR.get(digits)
    if known is None:
        known = _EXACT_MINOR[digits] = {}
    found = known.get(amount)
    if found is None:
        scaled = amount.scaleb(digits)
        value = int(scaled)
        if value != scaled:
            return None
        if len(known) > 50_000:
            known.clear()
        found = known[amount] = value
    return found


def percent_micro(percent: Decimal) -> int:
    """A percent (``Decimal("12.5")``) as an integer of 1/10,000 percent (``125000``)."""
    return int((percent * PERCENT_MICRO).to_integral_value(rounding="ROUND_HALF_UP"))


def half_up_div(numerator: int, denominator: int) -> int:
    """``numerator / denominator`` rounded half-up (``numerator >= 0``, ``denominator > 0``)."""
    return (2 * numerator + denominator) // (2 * denominator)


def round_raw(raw: int, unit: int) -> int:
    """Round a raw (millionths of minor) amount half-up to a multiple of ``unit`` minor units."""
    if raw <= 0:
        return 0
    return half_up_div(raw, RAW * unit) * unit


def round_to_unit(minor: int, unit: int) -> int:
    """Round a non-negative minor amount half-up to a multiple of ``unit`` (cash rounding)."""
    return half_up_div(minor, unit) * unit


def units_raw(line_base: int, units: int, line_quantity: int) -> int:
    """Raw value of ``units`` of a line whose ``line_quantity`` units are worth ``line_base``
    minor units together (a line's units share its amount evenly)."""
    if units == line_quantity:
        return line_base * RAW
    return half_up_div(line_base * units * RAW, line_quantity)


_SYMBOLS = {"IDR": "Rp ", "GBP": "£", "USD": "$", "EUR": "€", "SGD": "S$", "MYR": "RM "}


_TEXTS: dict[tuple[int, str, int], str] = {}


def format_money(value: int, currency: str, digits: int) -> str:
    """Readable amount for reasons and hints: ``Rp 15.000`` for IDR (Indonesian grouping),
    ``£7.95`` for GBP; other currencies use the ISO code and English grouping. Recent texts
    are kept (thresholds and prices repeat from cart to cart)."""
    key = (value, currency, digits)
    text = _TEXTS.get(key)
    if text is None:
        if len(_TEXTS) > 50_000:
            _TEXTS.clear()
        text = _TEXTS[key] = _format_money(value, currency, digits)
    return text


def _format_money(value: int, currency: str, digits: int) -> str:
    sign = "-" if value < 0 else ""
    value = abs(value)
    if digits:
        whole, part = divmod(value, 10**digits)
        text = f"{whole:,}.{part:0{digits}d}"
    else:
        text = f"{value:,}"
    if currency == "IDR":
        return f"{sign}Rp {text.replace(',', '.')}"
    return f"{sign}{_SYMBOLS.get(currency, f'{currency} ')}{text}"


@lru_cache(maxsize=1024)
def format_percent(micro: int) -> str:
    """``125000`` → ``"12.5%"``."""
    text = f"{Decimal(micro) / PERCENT_MICRO:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text}%"
