"""The promotion validator: errors block a save, warnings come back with it.

Source of the rules: backend roadmap "1.3 Validation Engine" and issue 4. Shapes and per-field
bounds (percent in (0, 100], quantities >= 1, money >= 0, tiers strictly increasing, payment
methods not empty, happy hour times present) are enforced when the spec is parsed; this module
checks what needs several fields or master data. Every issue names a dotted field path
(``validity.end_date``, ``rules.items.1.product_id``) and a stable ``code``.

Errors: dates and time window out of order, empty scope, references to products, categories,
stores or brands that do not exist, are inactive or belong to another company; no targeted
active store; store currency different from the promotion's; incomplete BOGO, combo, package,
free item or upsell; cross-brand trigger and benefit brands overlapping; voucher required
without codes; ``promo_type`` different from ``rules.type``.
Warnings: end date in the past, benefits that save nothing (a combo dearer than its items), very
deep discounts, ignored fields, channels no targeted store offers, limits that can never bind,
and other active promotions on the same items, stores and dates (named by code).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from uuid import UUID

from promoflow_compiler.domain.conflicts import ExistingPromotion, conflicting
from promoflow_compiler.domain.findings import Findings, Issue, ValidationReport
from promoflow_compiler.domain.master import Brand, Category, MasterData, Product, Store
from promoflow_compiler.domain.references import noun_of, spec_refs
from promoflow_compiler.domain.spec import PromotionSpec
from promoflow_compiler.domain.targeting import targeted_stores
from promoflow_compiler.domain.validation_rules import check_rules
from promoflow_contracts.base import PromotionType, Stage
from promoflow_contracts.promotion import ScopeKind


def _check_dates(spec: PromotionSpec, today: date | None, out: Findings) -> None:
    v = spec.validity
    if v.end_date < v.start_date:
        out.error("validity.end_date", "date_range", "end_date must not be before start_date")
    elif today is not None and v.end_date < today:
        out.warn("validity.end_date", "ended", f"the promotion ended on {v.end_date}")
    if (v.time_start is None) != (v.time_end is None):
        missing = "time_end" if v.time_end is None else "time_start"
        out.error(f"validity.{missing}", "time_range", "time_start and time_end go together")
    elif v.time_start is not None and v.time_start == v.time_end:
        out.error("validity.time_end", "time_range", "time_start and time_end must differ")
    if v.days_of_week is not None:
        if not v.days_of_week:
            out.error("validity.days_of_week", "empty", "use null for every day, not []")
        elif len(set(v.days_of_week)) != len(v.days_of_week):
            out.warn("validity.days_of_week", "duplicate", "days_of_week repeats a day")
    if v.extra_holidays and not v.exclude_holidays:
        out.warn("validity.extra_holidays", "ignored", "ignored unless exclude_holidays is set")


def _check_scope(spec: PromotionSpec, out: Findings) -> None:
    s = spec.scope
    if s.apply_to is ScopeKind.CATEGORIES and not s.category_ids:
        out.error("scope.category_ids", "empty_scope", "name at least one category")
    if s.apply_to is ScopeKind.PRODUCTS and not s.product_ids:
        out.error("scope.product_ids", "empty_scope", "name at least one product")
    if s.apply_to is not ScopeKind.CATEGORIES and s.category_ids:
        out.warn("scope.category_ids", "ignored", f"ignored with apply_to {s.apply_to.value!r}")
    if s.apply_to is not ScopeKind.PRODUCTS and s.product_ids:
        out.warn("scope.product_ids", "ignored", f"ignored with apply_to {s.apply_to.value!r}")
    if set(s.product_ids) & set(s.exclude_product_ids):
        out.error(
            "scope.exclude_product_ids", "contradiction", "a product is included and excluded"
        )
    if set(s.category_ids) & set(s.exclude_category_ids):
        out.error(
            "scope.exclude_category_ids", "contradiction", "a category is included and excluded"
        )


def _check_references(spec: PromotionSpec, master: MasterData, out: Findings) -> None:
    company = master.company.id
    if spec.company_id != company:
        out.error("company_id", "unknown", f"unknown company {spec.company_id}")
        return
    if not master.company.is_active:
        out.error("company_id", "inactive", "the company is inactive")
    tables: dict[str, Mapping[UUID, Product | Category | Store | Brand]] = {
        "product": master.products,
        "category": master.categories,
        "store": master.stores,
        "brand": master.brands,
    }
    for ref in spec_refs(spec):
        noun = noun_of(ref.kind)
        record = tables[noun].get(ref.id)
        if record is None or record.company_id != company:
            out.error(ref.field, "unknown_reference", f"no {noun} {ref.id} in this company")
        elif not record.is_active and not ref.kind.startswith("exclude"):
            out.error(ref.field, "inactive_reference", f"{noun} {ref.id} is inactive")


def _check_targeting(spec: PromotionSpec, master: MasterData, out: Findings) -> None:
    t = spec.targeting
    if t.stores != "all" and not t.stores:
        out.error("targeting.stores", "empty", 'name at least one store, or "all"')
        return
    if t.brands != "all" and not t.brands:
        out.error("targeting.brands", "empty", 'name at least one brand, or "all"')
    if t.brands != "all" and set(t.brands) & set(t.exclude_brands):
        out.error("targeting.exclude_brands", "contradiction", "a brand is targeted and excluded")
    stores = targeted_stores(t, master)
    if not stores:
        out.error("targeting.stores", "no_store", "no active store of the company is targeted")
        return
    currency = spec.currency or master.company.currency
    wrong = sorted(s.code for s in stores if s.currency != currency)
    if wrong:
        out.error(
            "targeting.stores", "currency", f"stores {', '.join(wrong)} do not sell in {currency}"
        )
    if t.sales_channels is not None:
        if not t.sales_channels:
            out.error("targeting.sales_channels", "empty", "use null for every channel, not []")
        offered = set().union(*(s.sales_channels for s in stores))
        unused = sorted(c.value for c in t.sales_channels if c.value not in offered)
        if unused:
            out.warn(
                "targeting.sales_channels",
                "unused_channel",
                f"no targeted store offers {', '.join(unused)}",
            )
        if set(t.sales_channels) & set(t.exclude_channels):
            out.warn("targeting.exclude_channels", "contradiction", "a channel is in both lists")
    if t.member_tiers and not t.member_only:
        out.warn("targeting.member_tiers", "implies_member", "member tiers imply member_only")


def _check_general(spec: PromotionSpec, out: Findings) -> None:
    if spec.promo_type is not None and spec.promo_type != spec.effective_type:
        out.error(
            "promo_type",
            "type_mismatch",
            f"promo_type {spec.promo_type.value!r} differs from rules.type {spec.rules.type!r}",
        )
    if spec.require_voucher and not spec.voucher_codes:
        out.error("voucher_codes", "empty", "require_voucher needs at least one voucher code")
    folded = [c.casefold() for c in spec.voucher_codes]
    if len(folded) != len(set(folded)):
        out.error("voucher_codes", "duplicate", "voucher codes repeat (case-insensitively)")
    if spec.voucher_codes and not spec.require_voucher:
        out.warn("voucher_codes", "ignored", "voucher codes are ignored unless require_voucher")
    payment_types = {PromotionType.PAYMENT_DISCOUNT, PromotionType.CASHBACK}
    if spec.effective_type in payment_types and spec.effective_stage is not Stage.PAYMENT_LEVEL:
        out.warn("execution_stage", "stage", "payment benefits normally run at payment_level")
    lim = spec.limits
    if lim.max_uses is not None:
        for name in ("max_uses_per_day", "max_uses_per_customer"):
            value = getattr(lim, name)
            if value is not None and value > lim.max_uses:
                out.warn(f"limits.{name}", "never_binds", f"{name} exceeds max_uses")
    cross = spec.cross_brand
    if cross is not None:
        both = set(cross.trigger_brands) & set(cross.benefit_brands)
        if both:
            out.error(
                "cross_brand.benefit_brands",
                "same_brands",
                "trigger_brands and benefit_brands must differ",
            )


def validate_promotion(
    spec: PromotionSpec,
    master: MasterData,
    *,
    others: Sequence[ExistingPromotion] = (),
    today: date | None = None,
    promotion_id: UUID | None = None,
) -> ValidationReport:
    """Check ``spec`` against ``master`` (which must hold every product it and ``others``
    reference) and the company's other active promotions ``others``.

    ``today`` (HO's date) enables the "already ended" warning; ``promotion_id`` excludes the
    promotion itself from the conflict check. Pure: no I/O, deterministic.
    """
    out = Findings()
    _check_general(spec, out)
    _check_dates(spec, today, out)
    _check_scope(spec, out)
    _check_references(spec, master, out)
    _check_targeting(spec, master, out)
    check_rules(spec, master, out)
    if not out.errors and others:
        clashes = conflicting(spec, list(others), master, exclude_id=promotion_id)
        if clashes:
            codes = ", ".join(p.code for p in clashes)
            note = (
                " (one is not stackable: only the larger benefit applies)"
                if not spec.is_stackable or any(not p.spec.is_stackable for p in clashes)
                else " (their benefits stack)"
            )
            out.warn(
                "scope", "conflict", f"overlaps active promotions {codes} on the same items{note}"
            )
    return ValidationReport(tuple(out.errors), tuple(out.warnings))


__all__ = ["ExistingPromotion", "Issue", "ValidationReport", "validate_promotion"]
