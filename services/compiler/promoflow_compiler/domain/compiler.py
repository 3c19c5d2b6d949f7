"""The compiler: an authored promotion plus master data -> a self-contained compiled document.

Source: backend roadmap "1.1 Promotion Compiler Service" and the contract
:class:`promoflow_contracts.promotion.CompiledPromotion`. Deterministic: the same spec, master
data, version, ``compiled_at`` and limit state give the same document, byte for byte (every
list whose order carries no meaning is sorted by id or value; package slots and tiers keep the
author's order). What is embedded:

* scope categories as :class:`CategoryRef` with name, code, brand and ``descendant_ids``
  (every sub-category, any depth); scope products as :class:`ProductRef` with name, SKU,
  HO price, category and brand;
* names and prices in the rules (combo items, free/upsell/tier products, package slot names);
* item sets (``ItemSet.category_ids`` in buy/get sets, mix-and-match sets and cart conditions)
  *expanded* with their descendant categories, because an ``ItemSet`` carries no tree;
* store targeting resolved by :mod:`promoflow_compiler.domain.targeting`;
* the company's holidays, when ``exclude_holidays`` is set.

``version`` is handed in by the caller (``next_version`` of the promotion's last version,
taken under a row lock), so it increases monotonically per promotion.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any
from uuid import UUID

import orjson

from promoflow_compiler.domain.compile_rules import compile_conditions, compile_rules
from promoflow_compiler.domain.exceptions import CompileError
from promoflow_compiler.domain.master import MasterData
from promoflow_compiler.domain.spec import PromotionSpec
from promoflow_compiler.domain.targeting import resolve_stores
from promoflow_contracts.promotion import (
    CategoryRef,
    CompiledPromotion,
    CrossBrand,
    Limits,
    LimitState,
    ProductRef,
    Scope,
    ScopeKind,
    Targeting,
    Validity,
)

__all__ = ["COMPILER_VERSION", "CompileError", "compile_promotion", "content_hash", "next_version"]

#: Written into every document's ``compiler_version``.
COMPILER_VERSION = "promoflow-compiler/1.0"


def next_version(current: int) -> int:
    """The version after ``current`` (0 = never published): versions only ever increase."""
    if current < 0:
        raise ValueError("current version must be >= 0")
    return current + 1


def category_ref(category_id: UUID, master: MasterData, path: str) -> CategoryRef:
    """The embedded form of a category, with its descendants."""
    category = master.categories.get(category_id)
    if category is None:
        raise CompileError(f"{path}: unknown category {category_id}")
    return CategoryRef(
        id=category.id,
        name=category.name,
        code=category.code,
        company_id=category.company_id,
        brand_id=category.brand_id,
        descendant_ids=list(master.descendants(category.id)),
    )


def product_ref(product_id: UUID, master: MasterData, path: str) -> ProductRef:
    """The embedded form of a product, with its HO price."""
    product = master.products.get(product_id)
    if product is None:
        raise CompileError(f"{path}: unknown product {product_id}")
    return ProductRef(
        id=product.id,
        name=product.name,
        sku=product.sku,
        price=product.price,
        category_id=product.category_id,
        company_id=product.company_id,
        brand_id=product.brand_id,
    )


def _sorted_ids(ids: list[UUID]) -> list[UUID]:
    return sorted(set(ids), key=str)


def _scope(spec: PromotionSpec, master: MasterData) -> Scope:
    s = spec.scope
    categories = s.category_ids if s.apply_to is ScopeKind.CATEGORIES else []
    products = s.product_ids if s.apply_to is ScopeKind.PRODUCTS else []
    return Scope(
        apply_to=s.apply_to,
        categories=[category_ref(c, master, "scope.category_ids") for c in _sorted_ids(categories)],
        products=[product_ref(p, master, "scope.product_ids") for p in _sorted_ids(products)],
        exclude_categories=[
            category_ref(c, master, "scope.exclude_category_ids")
            for c in _sorted_ids(s.exclude_category_ids)
        ],
        exclude_products=[
            product_ref(p, master, "scope.exclude_product_ids")
            for p in _sorted_ids(s.exclude_product_ids)
        ],
    )


def _validity(spec: PromotionSpec, master: MasterData) -> Validity:
    v = spec.validity
    holidays = set(master.company.holidays) | set(v.extra_holidays) if v.exclude_holidays else set()
    return Validity(
        start_date=v.start_date,
        end_date=v.end_date,
        time_start=v.time_start,
        time_end=v.time_end,
        days_of_week=sorted(set(v.days_of_week)) if v.days_of_week is not None else None,
        exclude_holidays=v.exclude_holidays,
        company_holidays=sorted(holidays),
    )


def _targeting(spec: PromotionSpec, master: MasterData) -> Targeting:
    t = spec.targeting
    return Targeting(
        company_id=spec.company_id,
        stores=resolve_stores(t, master),
        brands=t.brands if t.brands == "all" else _sorted_ids(t.brands),
        exclude_brands=_sorted_ids(t.exclude_brands),
        sales_channels=sorted(set(t.sales_channels)) if t.sales_channels is not None else None,
        exclude_channels=sorted(set(t.exclude_channels)),
        member_only=t.member_only or bool(t.member_tiers),
        member_tiers=sorted(set(t.member_tiers)),
        customer_type=t.customer_type,
    )


def _cross_brand(spec: PromotionSpec) -> CrossBrand | None:
    c = spec.cross_brand
    if c is None:
        return None
    return CrossBrand(
        enabled=c.enabled,
        trigger_brands=_sorted_ids(c.trigger_brands),
        trigger_min_amount=c.trigger_min_amount,
        benefit_brands=_sorted_ids(c.benefit_brands),
    )


def compile_promotion(
    spec: PromotionSpec,
    master: MasterData,
    *,
    promotion_id: UUID,
    version: int,
    compiled_at: datetime,
    limit_state: LimitState | None = None,
    is_active: bool = True,
) -> CompiledPromotion:
    """Compile ``spec`` into the document stores receive.

    ``master`` must hold the company's categories and stores and every referenced product;
    ``compiled_at`` must be timezone-aware. Raises :class:`CompileError` for a reference the
    snapshot lacks, and ``pydantic.ValidationError`` if the result breaks the contract.
    """
    voucher_codes = sorted({c.casefold(): c for c in spec.voucher_codes}.values(), key=str.casefold)
    return CompiledPromotion(
        id=promotion_id,
        code=spec.code,
        name=spec.name,
        description=spec.description,
        terms_conditions=spec.terms_conditions,
        company_id=spec.company_id,
        brand_id=spec.brand_id,
        promo_type=spec.effective_type,
        execution_stage=spec.effective_stage,
        execution_priority=spec.execution_priority,
        is_active=is_active,
        is_auto_apply=spec.is_auto_apply,
        require_voucher=spec.require_voucher,
        voucher_codes=voucher_codes,
        is_stackable=spec.is_stackable,
        compounding=spec.compounding,
        currency=spec.currency or master.company.currency,
        validity=_validity(spec, master),
        scope=_scope(spec, master),
        targeting=_targeting(spec, master),
        rules=compile_rules(spec.rules, master),
        conditions=compile_conditions(spec.conditions, master),
        limits=Limits(
            max_uses=spec.limits.max_uses,
            max_uses_per_customer=spec.limits.max_uses_per_customer,
            max_uses_per_day=spec.limits.max_uses_per_day,
        ),
        limit_state=limit_state or LimitState(),
        cross_brand=_cross_brand(spec),
        campaign=spec.campaign,
        compiled_at=compiled_at,
        compiler_version=COMPILER_VERSION,
        version=version,
    )


def document_json(document: CompiledPromotion) -> dict[str, Any]:
    """The document as JSON-ready data (money as strings), as stored and published."""
    return document.model_dump(mode="json")


def content_hash(document: CompiledPromotion) -> str:
    """SHA-256 of the document without ``version`` and ``compiled_at``: equal hashes mean a
    recompile changed nothing a store would see, so no new version is published."""
    data = document.model_dump(mode="json", exclude={"version", "compiled_at"})
    return hashlib.sha256(orjson.dumps(data, option=orjson.OPT_SORT_KEYS)).hexdigest()
