"""Errors the engine raises. All derive from :class:`EngineError`.

The engine raises only for inputs it cannot evaluate at all (a cart in another currency, an
amount finer than the currency's minor unit, a context that names an unknown time zone). A
promotion that does not apply is never an error: it is reported in ``not_applied``.
"""

from __future__ import annotations


class EngineError(Exception):
    """Base of every error raised by the promotion engine."""


class InvalidContext(EngineError):
    """The :class:`EngineContext` is unusable: unknown currency, time zone or country, a naive
    ``now``, or a rounding unit that is not a positive multiple of the currency's minor unit."""


class StoreMismatch(EngineError):
    """The cart's ``store_id`` is not the store the context describes."""


class CurrencyMismatch(EngineError):
    """The cart names a currency other than the store's currency."""


class AmountPrecisionError(EngineError):
    """A cart amount (unit price, modifier price) is finer than the currency's minor unit,
    e.g. ``25000.5`` rupiah when IDR is priced in whole rupiah."""


class MissingEvaluationTime(EngineError):
    """The cart has no ``evaluated_at`` and the context has no ``now`` to default to."""
