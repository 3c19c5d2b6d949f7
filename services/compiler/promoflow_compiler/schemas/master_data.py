"""Master data in and out: companies, brands, stores, categories, products.

``*In`` creates (``id`` optional, a UUID4 is generated), ``*Patch`` changes the given fields
only, ``*Out`` is what every endpoint returns. Money is Decimal in the major unit (IDR).
"""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from promoflow_compiler.schemas.common import ApiModel, CountryCode, Label, ShortCode, TimeZoneName
from promoflow_contracts.base import Currency, PositiveMoney, SalesChannel

ALL_CHANNELS = [SalesChannel.DINE_IN, SalesChannel.TAKEAWAY, SalesChannel.DELIVERY]


class OutModel(BaseModel):
    """Base of responses read from ORM rows."""

    model_config = ConfigDict(from_attributes=True)


class CompanyIn(ApiModel):
    """A new company; ``holidays`` are company-specific days off (used by exclude_holidays)."""

    id: UUID | None = None
    code: ShortCode
    name: Label
    currency: Currency = "IDR"
    country_code: CountryCode = "ID"
    timezone: TimeZoneName = "Asia/Jakarta"
    holidays: list[date] = Field(default_factory=list)
    is_active: bool = True


class CompanyPatch(ApiModel):
    """Fields of a company to change."""

    code: ShortCode | None = None
    name: Label | None = None
    currency: Currency | None = None
    country_code: CountryCode | None = None
    timezone: TimeZoneName | None = None
    holidays: list[date] | None = None
    is_active: bool | None = None


class CompanyOut(OutModel):
    """A company."""

    id: UUID
    code: str
    name: str
    currency: str
    country_code: str
    timezone: str
    holidays: list[date]
    is_active: bool
    created_at: datetime
    updated_at: datetime


class BrandIn(ApiModel):
    """A new brand of a company."""

    id: UUID | None = None
    company_id: UUID
    code: ShortCode
    name: Label
    is_active: bool = True


class BrandPatch(ApiModel):
    """Fields of a brand to change."""

    code: ShortCode | None = None
    name: Label | None = None
    is_active: bool | None = None


class BrandOut(OutModel):
    """A brand."""

    id: UUID
    company_id: UUID
    code: str
    name: str
    is_active: bool
    created_at: datetime
    updated_at: datetime


class StoreIn(ApiModel):
    """A new store: IANA time zone (``Asia/Jakarta``, ``Asia/Makassar``, ``Asia/Jayapura``),
    ISO country code, currency, sales channels and the brands it serves."""

    id: UUID | None = None
    company_id: UUID
    code: ShortCode
    name: Label
    timezone: TimeZoneName = "Asia/Jakarta"
    country_code: CountryCode = "ID"
    currency: Currency = "IDR"
    sales_channels: list[SalesChannel] = Field(
        default_factory=lambda: list(ALL_CHANNELS), min_length=1
    )
    brand_ids: list[UUID] = Field(default_factory=list)
    is_active: bool = True


class StorePatch(ApiModel):
    """Fields of a store to change (``brand_ids`` replaces the list)."""

    code: ShortCode | None = None
    name: Label | None = None
    timezone: TimeZoneName | None = None
    country_code: CountryCode | None = None
    currency: Currency | None = None
    sales_channels: list[SalesChannel] | None = Field(default=None, min_length=1)
    brand_ids: list[UUID] | None = None
    is_active: bool | None = None


class StoreOut(OutModel):
    """A store."""

    id: UUID
    company_id: UUID
    code: str
    name: str
    timezone: str
    country_code: str
    currency: str
    sales_channels: list[str]
    brand_ids: list[UUID] = Field(default_factory=list)
    is_active: bool
    created_at: datetime
    updated_at: datetime


class CategoryIn(ApiModel):
    """A new category; ``parent_id`` places it in the tree (None = a root)."""

    id: UUID | None = None
    company_id: UUID
    brand_id: UUID | None = None
    parent_id: UUID | None = None
    code: ShortCode | None = None
    name: Label
    is_active: bool = True


class CategoryPatch(ApiModel):
    """Fields of a category to change (moving it must not make a cycle)."""

    brand_id: UUID | None = None
    parent_id: UUID | None = None
    code: ShortCode | None = None
    name: Label | None = None
    is_active: bool | None = None


class CategoryOut(OutModel):
    """A category."""

    id: UUID
    company_id: UUID
    brand_id: UUID | None
    parent_id: UUID | None
    code: str | None
    name: str
    is_active: bool
    created_at: datetime
    updated_at: datetime


class ProductIn(ApiModel):
    """A new product; ``price`` is the HO price in the company currency's major unit (> 0)."""

    id: UUID | None = None
    company_id: UUID
    sku: ShortCode
    name: Label
    price: PositiveMoney
    category_id: UUID | None = None
    brand_id: UUID | None = None
    is_active: bool = True


class ProductPatch(ApiModel):
    """Fields of a product to change; a price, name or category change republishes every
    live promotion that embeds the product."""

    sku: ShortCode | None = None
    name: Label | None = None
    price: PositiveMoney | None = None
    category_id: UUID | None = None
    brand_id: UUID | None = None
    is_active: bool | None = None


class ProductOut(OutModel):
    """A product."""

    id: UUID
    company_id: UUID
    sku: str
    name: str
    price: PositiveMoney
    category_id: UUID | None
    brand_id: UUID | None
    is_active: bool
    created_at: datetime
    updated_at: datetime
