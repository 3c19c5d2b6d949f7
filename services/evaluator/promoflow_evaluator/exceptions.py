"""Errors of the evaluator service; the entry points turn them into HTTP answers."""

from __future__ import annotations


class EvaluatorError(Exception):
    """Base of the evaluator service's errors."""


class NotReady(EvaluatorError):
    """No snapshot of the store's promotions is loaded yet (HTTP 503)."""


class InvalidCart(EvaluatorError):
    """The engine refused the cart (other store or currency, amount too fine): HTTP 422.

    ``field`` names the request field at fault.
    """

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class CheckoutConflict(EvaluatorError):
    """A ``transaction_id`` was reused for a different cart (HTTP 409)."""


class TransactionNotFound(EvaluatorError):
    """No checkout with this ``transaction_id`` (HTTP 404)."""


class PromotionNotFound(EvaluatorError):
    """No promotion with this id in the store (HTTP 404)."""
