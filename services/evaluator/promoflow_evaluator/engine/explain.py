"""Readable texts: money and percents as a cashier reads them, and reason phrasing helpers."""

from __future__ import annotations

from promoflow_evaluator.engine.cart import Line
from promoflow_evaluator.engine.model import Promo
from promoflow_evaluator.engine.money import format_money, format_percent, from_minor


class Fmt:
    """Formats amounts of one currency (minor units) for reasons, hints and details. (A plain
    class with an explicit ``__init__``: a dataclass ``__init__`` stays interpreted under
    mypyc, see :mod:`.outcome`.)"""

    __slots__ = ("currency", "digits")

    def __init__(self, currency: str, digits: int) -> None:
        self.currency = currency
        self.digits = digits

    def money(self, minor: int) -> str:
        """``Rp 15.000`` / ``£7.95``."""
        return format_money(minor, self.currency, self.digits)

    def decimal(self, minor: int) -> str:
        """The amount as a major-unit decimal string for structured details (``"15000"``)."""
        return str(from_minor(minor, self.digits))

    @staticmethod
    def percent(micro: int) -> str:
        """``"12.5%"``."""
        return format_percent(micro)


def product_name(promo: Promo, product: int, lines: tuple[Line, ...]) -> str:
    """The product's name (id as ``UUID.int``) from the promotion's embedded names or the
    cart, else "item"."""
    name = promo.names.get(product)
    if name:
        return name
    for line in lines:
        if line.product == product and line.name:
            return line.name
    return "item"


def plural(count: int, noun: str) -> str:
    """``"1 Latte"`` / ``"2 x Latte"``."""
    return f"{count} {noun}" if count == 1 else f"{count} x {noun}"


def items_label(
    promo: Promo,
    product_ids: frozenset[int],
    category_ids: frozenset[int],
    pool: tuple[Line, ...] | list[Line],
) -> str:
    """A readable name for a set of items: embedded names of its products and categories,
    else the names of the cart lines in it, else "items"."""
    label = embedded_label(promo.names, product_ids, category_ids)
    if label:
        return label
    return lines_label(pool)


def lines_label(pool: tuple[Line, ...] | list[Line]) -> str:
    """The names of the lines in ``pool`` (the first three different ones) joined by " or ",
    else "items": :func:`items_label` for a set the promotion names none of."""
    seen: list[str] = []
    for line in pool:
        if line.name and line.name not in seen:
            seen.append(line.name)
    return " or ".join(seen[:3]) if seen else "items"


def embedded_label(
    names: dict[int, str], product_ids: frozenset[int], category_ids: frozenset[int]
) -> str:
    """The embedded names of a set's products and categories joined by " or " ("" when the
    promotion names none of them: :func:`items_label` then names the cart's lines)."""
    found = [names[i] for i in sorted(product_ids) if i in names]
    found += [names[i] for i in sorted(category_ids) if i in names]
    return " or ".join(found)
