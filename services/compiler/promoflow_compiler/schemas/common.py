"""Shapes shared by several endpoints: pages, issues, validators of common fields."""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from promoflow_compiler.domain.findings import Issue

T = TypeVar("T")


class ApiModel(BaseModel):
    """Base of request bodies: unknown fields are a 422 naming them."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Page(BaseModel, Generic[T]):
    """One page of a list: ``items``, the ``total`` matching, and the window asked for."""

    items: list[T]
    total: int
    limit: int
    offset: int


class IssueOut(BaseModel):
    """A validation finding: dotted ``field`` path, stable ``code``, readable ``message``."""

    field: str
    code: str
    message: str

    @classmethod
    def of(cls, issue: Issue) -> IssueOut:
        """From the domain issue."""
        return cls(field=issue.field, code=issue.code, message=issue.message)


def _check_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown IANA time zone {name!r}") from exc
    return name


#: An IANA time zone name such as ``Asia/Jakarta``.
TimeZoneName = Annotated[str, Field(min_length=1, max_length=64), AfterValidator(_check_zone)]
#: An ISO 3166-1 alpha-2 country code (``ID``).
CountryCode = Annotated[str, Field(pattern=r"^[A-Z]{2}$")]
#: A short code typed by people (store code, brand code, category code).
ShortCode = Annotated[str, Field(min_length=1, max_length=64)]
#: A name shown to people.
Label = Annotated[str, Field(min_length=1, max_length=255)]
