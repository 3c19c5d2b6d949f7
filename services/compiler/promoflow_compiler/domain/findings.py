"""What the validator finds: issues with a field path, collected as errors or warnings."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Issue:
    """One finding: the dotted ``field`` path, a stable ``code`` and a readable message."""

    field: str
    code: str
    message: str


@dataclass(slots=True)
class Findings:
    """Collects errors and warnings while the checks run."""

    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)

    def error(self, path: str, code: str, message: str) -> None:
        """Record an error (blocks the save)."""
        self.errors.append(Issue(path, code, message))

    def warn(self, path: str, code: str, message: str) -> None:
        """Record a warning (returned with the save)."""
        self.warnings.append(Issue(path, code, message))


@dataclass(frozen=True, slots=True)
class ValidationReport:
    """The validator's verdict: ``ok`` when there is no error."""

    errors: tuple[Issue, ...] = ()
    warnings: tuple[Issue, ...] = ()

    @property
    def ok(self) -> bool:
        """True when nothing blocks the save."""
        return not self.errors
