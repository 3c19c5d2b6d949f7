"""The cart as the engine sees it: lines in canonical order, amounts in minor units.

Per-cart objects here and in the rest of the engine are plain slotted classes with an explicit
``__init__`` (compiled by mypyc; a dataclass's generated one stays interpreted), treated as
immutable but not enforced: these are built for every cart. The per-snapshot model
(:mod:`.model`) is frozen.

Lines are sorted by ``line_id`` (unique per cart) and every tie-break in the engine uses that
canonical position, so the result does not depend on the order of lines in the request. A
line's unit price is ``unit_price`` plus the prices of its modifiers (each ``price *
quantity``, per unit of the line), as the contract says: an extra shot is discounted with the
latte it belongs to.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import partial
from uuid import UUID

from promoflow_contracts.base import SalesChannel
from promoflow_contracts.cart import CartLine, EvaluateRequest
from promoflow_evaluator.engine.calendar import local_time
from promoflow_evaluator.engine.context import EngineContext
from promoflow_evaluator.engine.errors import CurrencyMismatch, StoreMismatch
from promoflow_evaluator.engine.money import exact_minor, to_minor


class Line:
    """One cart line. ``unit_price``/``modifiers`` are minor units per unit (``modifiers`` is
    the part of ``unit_price`` that comes from modifiers); ``gross = unit_price * quantity``.
    ``product``/``category``/``brand`` are the ids as ``UUID.int`` (fast set lookups).
    (A plain class with an explicit ``__init__``: see :mod:`.outcome` on why not a
    dataclass.)"""

    __slots__ = (
        "brand",
        "category",
        "gross",
        "idx",
        "line_id",
        "modifiers",
        "name",
        "position",
        "product",
        "product_id",
        "quantity",
        "unit_price",
    )

    def __init__(
        self,
        idx: int,
        position: int,
        line_id: str,
        product_id: UUID,
        product: int,
        category: int | None,
        brand: int | None,
        name: str | None,
        quantity: int,
        unit_price: int,
        modifiers: int,
        gross: int,
    ) -> None:
        self.idx = idx
        self.position = position
        self.line_id = line_id
        self.product_id = product_id
        self.product = product
        self.category = category
        self.brand = brand
        self.name = name
        self.quantity = quantity
        self.unit_price = unit_price
        self.modifiers = modifiers
        self.gross = gross

    def __repr__(self) -> str:
        return (
            f"Line(idx={self.idx}, line_id={self.line_id!r}, quantity={self.quantity}, "
            f"unit_price={self.unit_price}, gross={self.gross})"
        )


class Cart:
    """A prepared cart: canonical lines, subtotal (minor), the store-local moment and the
    folded customer, voucher and payment facts the checks need. (Explicit ``__init__``: see
    :class:`Line`.)"""

    __slots__ = (
        "allowed",
        "brand_keys",
        "category_keys",
        "category_lines",
        "channel",
        "customer_type",
        "is_member",
        "line_brands",
        "lines",
        "local",
        "local_date",
        "payment_key",
        "product_keys",
        "product_lines",
        "request",
        "subtotal",
        "tier",
        "voucher_keys",
    )

    def __init__(
        self,
        request: EvaluateRequest,
        lines: tuple[Line, ...],
        subtotal: int,
        local: datetime,
        local_date: date,
        channel: str,
        is_member: bool,
        tier: str | None,
        customer_type: str | None,
        voucher_keys: frozenset[str],
        payment_key: str | None,
        product_keys: frozenset[int],
        category_keys: frozenset[int],
        brand_keys: frozenset[int],
        product_lines: dict[int, list[int]],
        category_lines: dict[int, list[int]],
        line_brands: bool,
        allowed: dict[int, frozenset[int]],
    ) -> None:
        self.request = request
        self.lines = lines
        self.subtotal = subtotal
        self.local = local
        self.local_date = local_date
        self.channel = channel
        self.is_member = is_member
        self.tier = tier
        self.customer_type = customer_type
        self.voucher_keys = voucher_keys
        self.payment_key = payment_key
        self.product_keys = product_keys
        self.category_keys = category_keys
        self.brand_keys = brand_keys
        #: canonical line indices per product / category (``UUID.int``)
        self.product_lines = product_lines
        self.category_lines = category_lines
        #: True when some line names its brand (then targeting brands filter lines)
        self.line_brands = line_brands
        #: per-cart memo: targeting rule id -> indices of the lines its brands allow
        self.allowed = allowed


#: channel texts by member (``Enum.value`` is a Python-level property)
_CHANNELS: dict[SalesChannel, str] = {channel: channel.value for channel in SalesChannel}


def _field(line: CartLine, name: str) -> str:
    return f"line {line.line_id} {name}"


def prepare_cart(request: EvaluateRequest, context: EngineContext) -> Cart:
    """Validate the cart against the store and convert it to minor units.

    Raises :class:`StoreMismatch` (another store's cart), :class:`CurrencyMismatch` (a
    currency other than the store's), :class:`AmountPrecisionError` (a price finer than the
    minor unit) and :class:`MissingEvaluationTime`.
    """
    if request.store_id.int != context.store_id.int:  # UUID.__eq__ is Python code
        raise StoreMismatch(f"cart of store {request.store_id} evaluated for {context.store_id}")
    if request.currency is not None and request.currency != context.currency:
        raise CurrencyMismatch(
            f"cart currency {request.currency} differs from the store's {context.currency}"
        )
    digits = context.digits
    source = request.lines
    order = sorted(range(len(source)), key=lambda i: source[i].line_id)
    lines: list[Line] = []
    for idx, position in enumerate(order):
        src = source[position]
        base = exact_minor(src.unit_price, digits)
        if base is None:
            base = to_minor(src.unit_price, digits, what=partial(_field, src, "unit_price"))
        modifiers = 0
        if src.modifiers:
            for mod in src.modifiers:
                price = exact_minor(mod.price, digits)
                if price is None:
                    price = to_minor(
                        mod.price, digits, what=partial(_field, src, f"modifier {mod.name}")
                    )
                modifiers += price * mod.quantity
        unit = base + modifiers
        product_id = src.product_id
        category = src.category_id
        brand = src.brand_id
        lines.append(
            Line(
                idx,
                position,
                src.line_id,
                product_id,
                product_id.int,
                None if category is None else category.int,
                None if brand is None else brand.int,
                src.name,
                src.quantity,
                unit,
                modifiers,
                unit * src.quantity,
            )
        )
    local = local_time(request.evaluated_at, context.now, context.zone)
    customer = request.customer
    product_lines: dict[int, list[int]] = {}
    category_lines: dict[int, list[int]] = {}
    brands: list[int] = []
    for ln in lines:
        found = product_lines.get(ln.product)
        if found is None:
            product_lines[ln.product] = [ln.idx]
        else:
            found.append(ln.idx)
        if ln.category is not None:
            found = category_lines.get(ln.category)
            if found is None:
                category_lines[ln.category] = [ln.idx]
            else:
                found.append(ln.idx)
        if ln.brand is not None:
            brands.append(ln.brand)
    line_brands = bool(brands)
    if context.brand_id is not None:
        brands.append(context.brand_id.int)
    tier: str | None = None
    customer_type: str | None = None
    is_member = False
    if customer:
        is_member = bool(customer.is_member)
        if customer.tier:
            tier = customer.tier.casefold()
        if customer.customer_type:
            customer_type = customer.customer_type.casefold()
    payment = request.payment_method
    return Cart(
        request,
        tuple(lines),
        sum([line.gross for line in lines]),
        local,
        local.date(),
        _CHANNELS[request.sales_channel],
        is_member,
        tier,
        customer_type,
        frozenset([code.casefold() for code in request.voucher_codes]),
        payment.casefold() if payment else None,
        frozenset(product_lines),
        frozenset(category_lines),
        frozenset(brands),
        product_lines,
        category_lines,
        line_brands,
        {},
    )
