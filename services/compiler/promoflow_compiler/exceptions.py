"""Errors of the compiler's services; entrypoints turn them into HTTP responses.

``NotFound`` -> 404, ``Conflict`` -> 409, ``InvalidInput`` -> 422 (with field paths),
``Forbidden`` -> 403.
"""

from __future__ import annotations

from collections.abc import Sequence

from promoflow_compiler.domain.findings import Issue


class ServiceError(Exception):
    """Base of the service errors."""


class NotFound(ServiceError):
    """No such entity (or it is deleted)."""

    def __init__(self, entity: str, entity_id: object) -> None:
        super().__init__(f"{entity} {entity_id} not found")
        self.entity = entity
        self.entity_id = entity_id


class Conflict(ServiceError):
    """The request clashes with the current state (a duplicate code, a referenced row)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class InvalidInput(ServiceError):
    """The input breaks a rule; ``errors`` name the fields, ``warnings`` come along."""

    def __init__(self, errors: Sequence[Issue], warnings: Sequence[Issue] = ()) -> None:
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in errors))
        self.errors = tuple(errors)
        self.warnings = tuple(warnings)

    @classmethod
    def single(cls, field: str, code: str, message: str) -> InvalidInput:
        """One error on one field."""
        return cls([Issue(field, code, message)])


class Forbidden(ServiceError):
    """The caller's role may not do this."""
