"""Errors of the usage collector, turned into HTTP answers or dead letters at the entrypoints."""

from __future__ import annotations


class UsageCollectorError(Exception):
    """Base of the collector's own errors."""


class ConfigurationError(UsageCollectorError, RuntimeError):
    """A required setting is missing or invalid; the message names the variable."""


class UnexpectedEvent(UsageCollectorError, ValueError):
    """A valid PromoFlow event on a topic where it does not belong (dead-lettered)."""


class InvalidDateRange(UsageCollectorError, ValueError):
    """``date_from`` is after ``date_to`` or the range is too long (HTTP 422 naming ``field``)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
