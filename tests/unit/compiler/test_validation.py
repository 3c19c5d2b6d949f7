"""The validator: errors block a save and name the field; warnings come back with it."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

from promoflow_compiler.domain.conflicts import ExistingPromotion
from promoflow_compiler.domain.spec import PromotionSpec
from promoflow_compiler.domain.validation import ValidationReport, validate_promotion
from tests.factories import (
    AMERICANO,
    BAKERY,
    BEVERAGES,
    BRAND_ID,
    CROISSANT,
    LATTE,
    MUFFIN,
    OTHER_BRAND_ID,
    OTHER_STORE_ID,
    STORE_ID,
    uid,
)
from tests.unit.compiler.builders import (
    CLOSED_STORE,
    COFFEE,
    ESPRESSO,
    PAPUA_STORE,
    RETIRED,
    RULES,
    master,
    spec,
    spec_dict,
)


def check(promotion: PromotionSpec, **kwargs: Any) -> ValidationReport:
    return validate_promotion(promotion, master(), **kwargs)


def error_fields(report: ValidationReport) -> set[str]:
    return {issue.field for issue in report.errors}


def warning_codes(report: ValidationReport) -> set[str]:
    return {issue.code for issue in report.warnings}


@pytest.mark.parametrize("promo_type", sorted(RULES))
def test_every_sample_type_is_valid_without_errors(promo_type: str) -> None:
    report = check(spec(RULES[promo_type], code=promo_type.upper()))
    assert report.ok, report.errors


def test_end_date_before_start_date_is_an_error_on_end_date() -> None:
    promo = spec(validity={"start_date": "2026-03-10", "end_date": "2026-03-01"})
    assert error_fields(check(promo)) == {"validity.end_date"}


def test_a_time_window_needs_both_ends_and_they_must_differ() -> None:
    half = spec(
        validity={"start_date": "2026-01-01", "end_date": "2026-01-31", "time_start": "10:00"}
    )
    same = spec(
        validity={
            "start_date": "2026-01-01",
            "end_date": "2026-01-31",
            "time_start": "10:00",
            "time_end": "10:00",
        }
    )
    assert error_fields(check(half)) == {"validity.time_end"}
    assert error_fields(check(same)) == {"validity.time_end"}


def test_an_empty_days_of_week_list_is_an_error() -> None:
    promo = spec(
        validity={"start_date": "2026-01-01", "end_date": "2026-01-31", "days_of_week": []}
    )
    assert error_fields(check(promo)) == {"validity.days_of_week"}


def test_an_end_date_in_the_past_is_only_a_warning() -> None:
    report = check(spec(), today=date(2027, 1, 5))
    assert report.ok and "ended" in warning_codes(report)


@pytest.mark.parametrize(
    ("field", "bad"),
    [
        ("discount_percent", "0"),
        ("discount_percent", "100.5"),
        ("discount_percent", "-5"),
    ],
)
def test_percent_out_of_bounds_is_refused_when_parsing_naming_the_field(
    field: str, bad: str
) -> None:
    with pytest.raises(ValidationError) as excinfo:
        spec({"type": "percent_discount", field: bad})
    assert any(field in ".".join(map(str, e["loc"])) for e in excinfo.value.errors())


def test_quantities_and_prices_must_be_positive_when_parsing() -> None:
    with pytest.raises(ValidationError, match="buy_quantity"):
        spec({**RULES["buy_x_get_y"], "buy_quantity": 0})
    with pytest.raises(ValidationError, match="discount_amount"):
        spec({**RULES["amount_discount"], "discount_amount": "0"})


def test_categories_scope_without_categories_is_an_error() -> None:
    report = check(spec(scope={"apply_to": "categories"}))
    assert error_fields(report) == {"scope.category_ids"}
    assert error_fields(check(spec(scope={"apply_to": "products"}))) == {"scope.product_ids"}


def test_unknown_and_inactive_references_are_errors_naming_the_path() -> None:
    promo = spec(
        scope={"apply_to": "products", "product_ids": [str(LATTE), str(uid("ghost")), str(RETIRED)]}
    )
    report = check(promo)
    assert error_fields(report) == {"scope.product_ids.1", "scope.product_ids.2"}
    assert {i.code for i in report.errors} == {"unknown_reference", "inactive_reference"}


def test_rule_references_are_checked_too() -> None:
    rules = {**RULES["upsell"], "upsell_product_id": str(uid("nope"))}
    assert error_fields(check(spec(rules))) == {"rules.upsell_product_id"}


def test_an_inactive_store_in_the_list_is_an_error_and_no_store_left_too() -> None:
    report = check(spec(targeting={"stores": [str(CLOSED_STORE)]}))
    assert error_fields(report) == {"targeting.stores.0", "targeting.stores"}


def test_store_brand_filter_that_matches_no_store_is_an_error() -> None:
    report = check(
        spec(targeting={"stores": [str(STORE_ID)], "store_brand_ids": [str(OTHER_BRAND_ID)]})
    )
    assert error_fields(report) == {"targeting.stores"}


def test_a_store_selling_in_another_currency_is_an_error() -> None:
    report = check(spec(currency="USD"))
    assert "targeting.stores" in error_fields(report)


def test_a_channel_no_targeted_store_offers_is_a_warning() -> None:
    report = check(spec(targeting={"stores": [str(PAPUA_STORE)], "sales_channels": ["delivery"]}))
    assert report.ok and "unused_channel" in warning_codes(report)


def test_bogo_same_product_only_with_a_reward_set_is_incomplete() -> None:
    rules = {**RULES["buy_x_get_y"], "same_product_only": True}
    assert error_fields(check(spec(rules))) == {"rules.get_set"}


def test_combo_needs_two_units_and_distinct_products() -> None:
    single = {"type": "combo", "combo_price": "20000", "items": [{"product_id": str(LATTE)}]}
    twice = {
        "type": "combo",
        "combo_price": "20000",
        "items": [{"product_id": str(LATTE)}, {"product_id": str(LATTE)}],
    }
    assert error_fields(check(spec(single))) == {"rules.items"}
    assert {i.code for i in check(spec(twice)).errors} == {"duplicate"}


def test_a_combo_dearer_than_its_items_is_a_warning() -> None:
    rules = {**RULES["combo"], "combo_price": "60000"}
    report = check(spec(rules))
    assert report.ok and "no_saving" in warning_codes(report)


def test_package_without_a_required_item_is_incomplete() -> None:
    rules = {
        **RULES["package"],
        "items": [{"item_type": "product", "product_id": str(LATTE), "is_required": False}],
    }
    assert error_fields(check(spec(rules))) == {"rules.items"}


def test_free_item_needs_a_trigger_product_or_a_minimum_purchase() -> None:
    rules = {"type": "free_item", "free_product_id": str(MUFFIN)}
    assert error_fields(check(spec(rules))) == {"rules.trigger_product_id"}
    assert check(spec({**rules, "min_purchase": "100000"})).ok


def test_threshold_tiers_must_increase_when_parsing() -> None:
    tiers = list(reversed(RULES["threshold_tier"]["tiers"]))
    with pytest.raises(ValidationError, match="increasing"):
        spec({"type": "threshold_tier", "tiers": tiers})


def test_happy_hour_needs_a_time_window_when_parsing() -> None:
    with pytest.raises(ValidationError, match="time_start"):
        spec({"type": "happy_hour", "discount_percent": "10", "time_end": "17:00"})


def test_payment_discount_needs_methods_when_parsing() -> None:
    with pytest.raises(ValidationError, match="payment_methods"):
        spec({**RULES["payment_discount"], "payment_methods": []})


def test_cross_brand_trigger_and_benefit_brands_must_differ() -> None:
    same = {
        "trigger_brands": [str(BRAND_ID)],
        "benefit_brands": [str(BRAND_ID), str(OTHER_BRAND_ID)],
    }
    assert error_fields(check(spec(cross_brand=same))) == {"cross_brand.benefit_brands"}
    apart = {"trigger_brands": [str(BRAND_ID)], "benefit_brands": [str(OTHER_BRAND_ID)]}
    assert check(spec(cross_brand=apart)).ok


def test_promo_type_must_match_the_rules() -> None:
    assert error_fields(check(spec(promo_type="combo"))) == {"promo_type"}


def test_require_voucher_needs_codes() -> None:
    assert error_fields(check(spec(require_voucher=True))) == {"voucher_codes"}


def test_another_company_is_refused() -> None:
    assert error_fields(check(spec(company_id=str(uid("other-co"))))) == {"company_id"}


def existing(code: str, rules: dict[str, Any] | None = None, **overrides: Any) -> ExistingPromotion:
    return ExistingPromotion(
        id=uid("existing-" + code), code=code, spec=spec(rules, code=code, **overrides)
    )


def conflicts_of(report: ValidationReport) -> list[str]:
    return [i.message for i in report.warnings if i.code == "conflict"]


def test_overlapping_active_promotion_on_the_same_category_is_a_warning_naming_it() -> None:
    # given an active 10% on Coffee (which holds Espresso drinks) at all stores
    coffee = existing("COFFEE10", scope={"apply_to": "categories", "category_ids": [str(COFFEE)]})
    # when a latte promotion is checked
    promo = spec(scope={"apply_to": "products", "product_ids": [str(LATTE)]})
    report = check(promo, others=[coffee])
    # then it is saved with a warning naming COFFEE10
    assert report.ok
    assert len(conflicts_of(report)) == 1 and "COFFEE10" in conflicts_of(report)[0]


def test_combo_items_overlap_a_bakery_promotion_and_non_stackable_is_said() -> None:
    bakery = existing(
        "BAKERY",
        scope={"apply_to": "categories", "category_ids": [str(BAKERY)]},
        is_stackable=False,
    )
    report = check(spec(RULES["combo"]), others=[bakery])
    assert "BAKERY" in conflicts_of(report)[0] and "not stackable" in conflicts_of(report)[0]


@pytest.mark.parametrize(
    ("other", "why"),
    [
        (dict(validity={"start_date": "2027-01-01", "end_date": "2027-01-31"}), "dates"),
        (dict(targeting={"stores": [str(PAPUA_STORE)]}), "stores"),
        (dict(scope={"apply_to": "categories", "category_ids": [str(BAKERY)]}), "items"),
        (dict(scope={"apply_to": "all", "exclude_category_ids": [str(BEVERAGES)]}), "exclusions"),
    ],
)
def test_no_conflict_when_dates_stores_or_items_are_disjoint(
    other: dict[str, Any], why: str
) -> None:
    promo = spec(
        scope={"apply_to": "products", "product_ids": [str(LATTE), str(AMERICANO)]},
        targeting={"stores": [str(STORE_ID), str(OTHER_STORE_ID)]},
    )
    assert conflicts_of(check(promo, others=[existing("OTHER", **other)])) == [], why


def test_the_promotion_itself_is_not_a_conflict() -> None:
    same = ExistingPromotion(id=uid("me"), code="ME", spec=spec())
    assert conflicts_of(check(spec(), others=[same], promotion_id=uid("me"))) == []


def test_revalidating_a_saved_promotion_without_its_id_does_not_flag_itself() -> None:
    # given the saved promotion PROMO and an overlapping OTHER
    saved, other = existing("PROMO"), existing("OTHER")
    # when PROMO's spec is validated again without an id (codes are unique per company)
    warnings = conflicts_of(check(spec(code="promo"), others=[saved, other]))
    # then only OTHER is named
    assert len(warnings) == 1 and "OTHER" in warnings[0] and "PROMO" not in warnings[0]


def test_descendant_category_is_an_overlap() -> None:
    espresso = existing("ESP", scope={"apply_to": "categories", "category_ids": [str(ESPRESSO)]})
    promo = spec(scope={"apply_to": "categories", "category_ids": [str(BEVERAGES)]})
    assert conflicts_of(check(promo, others=[espresso]))


def test_croissant_free_item_reference_is_checked() -> None:
    rules = {**RULES["free_item"], "free_product_id": str(CROISSANT)}
    assert check(spec(rules)).ok


def test_spec_dict_round_trips() -> None:
    assert PromotionSpec.model_validate(spec_dict()).code == "PROMO"


@pytest.mark.parametrize(
    ("basis", "band", "field"),
    [
        ("amount", {"min_amount": "100000", "max_amount": "50000"}, "rules.tiers.0.max_amount"),
        ("quantity", {"min_quantity": 6, "max_quantity": 3}, "rules.tiers.0.max_quantity"),
    ],
)
def test_a_tier_band_ending_below_its_start_is_refused(
    basis: str, band: dict[str, Any], field: str
) -> None:
    tier = {"tier_name": "Band", "discount_type": "percent", "discount_value": "5", **band}
    rules = {"type": "threshold_tier", "basis": basis, "tiers": [tier]}
    assert error_fields(check(spec(rules))) == {field}
