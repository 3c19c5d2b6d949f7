"""The compiler: every type compiles into a valid self-contained document, deterministically."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from promoflow_compiler.domain.compiler import (
    COMPILER_VERSION,
    CompileError,
    compile_promotion,
    content_hash,
    next_version,
)
from promoflow_compiler.domain.master import Company, Store
from promoflow_compiler.domain.spec import PromotionSpec
from promoflow_contracts.base import Stage
from promoflow_contracts.promotion import CompiledPromotion, LimitState
from promoflow_contracts.rules import (
    BuyXGetYRules,
    ComboRules,
    FreeItemRules,
    MixMatchRules,
    PackageRules,
    ThresholdTierRules,
    UpsellRules,
)
from tests.factories import (
    AMERICANO,
    BAKERY,
    BEVERAGES,
    BRAND_ID,
    COMPANY_ID,
    CROISSANT,
    LATTE,
    MUFFIN,
    OTHER_BRAND_ID,
    OTHER_STORE_ID,
    STORE_ID,
    uid,
)
from tests.unit.compiler.builders import (
    COFFEE,
    ESPRESSO,
    PAPUA_STORE,
    PASTRY,
    RULES,
    STORES,
    master,
    spec,
)

PROMO_ID = uid("promo-under-test")
AT = datetime(2026, 2, 1, 9, 30, tzinfo=UTC)


def compile_(promotion: PromotionSpec, version: int = 1, **kwargs: Any) -> CompiledPromotion:
    data = kwargs.pop("master", None) or master()
    return compile_promotion(
        promotion, data, promotion_id=PROMO_ID, version=version, compiled_at=AT, **kwargs
    )


@pytest.mark.parametrize("promo_type", sorted(RULES))
def test_every_type_compiles_into_a_valid_document(promo_type: str) -> None:
    # given a valid spec of this type
    promotion = spec(RULES[promo_type], code=promo_type.upper())
    # when compiled
    doc = compile_(promotion)
    # then the document has the type, identity and metadata, and survives a JSON round trip
    assert doc.promo_type.value == promo_type
    assert (doc.id, doc.code, doc.version, doc.compiled_at) == (PROMO_ID, promo_type.upper(), 1, AT)
    assert doc.compiler_version == COMPILER_VERSION
    assert CompiledPromotion.model_validate_json(doc.model_dump_json()) == doc


def test_combo_embeds_product_names_and_prices_sorted_by_product() -> None:
    doc = compile_(spec(RULES["combo"]))
    assert isinstance(doc.rules, ComboRules)
    embedded = {(i.product_id, i.product_name, i.unit_price) for i in doc.rules.items}
    assert embedded == {
        (LATTE, "Caffè Latte", Decimal(32000)),
        (CROISSANT, "Croissant", Decimal(18000)),
    }
    assert [str(i.product_id) for i in doc.rules.items] == sorted(
        str(i.product_id) for i in doc.rules.items
    )


def test_free_item_upsell_and_tier_products_are_embedded() -> None:
    free = compile_(spec(RULES["free_item"])).rules
    upsell = compile_(spec(RULES["upsell"])).rules
    tiers = compile_(spec(RULES["threshold_tier"])).rules
    assert isinstance(free, FreeItemRules) and (
        free.free_product_name,
        free.free_product_price,
    ) == ("Muffin", Decimal(15000))
    assert isinstance(upsell, UpsellRules) and (
        upsell.upsell_product_name,
        upsell.upsell_product_price,
    ) == ("Croissant", Decimal(18000))
    assert isinstance(tiers, ThresholdTierRules)
    assert (tiers.tiers[1].free_product_name, tiers.tiers[1].free_product_price) == (
        "Muffin",
        Decimal(15000),
    )
    assert [t.tier_name for t in tiers.tiers] == ["Silver", "Gold"]


def test_author_supplied_prices_are_overwritten_with_master_data() -> None:
    rules = {**RULES["upsell"], "upsell_product_name": "Stale", "upsell_product_price": "1"}
    compiled = compile_(spec(rules)).rules
    assert isinstance(compiled, UpsellRules) and compiled.upsell_product_price == Decimal(18000)


def test_package_slots_keep_their_order_and_get_names() -> None:
    compiled = compile_(spec(RULES["package"])).rules
    assert isinstance(compiled, PackageRules)
    assert [s.name for s in compiled.items] == ["Caffè Latte", "Bakery"]


def test_scope_categories_carry_names_and_every_descendant() -> None:
    doc = compile_(spec(scope={"apply_to": "categories", "category_ids": [str(BEVERAGES)]}))
    (category,) = doc.scope.categories
    assert (category.id, category.name, category.code, category.brand_id) == (
        BEVERAGES,
        "Beverages",
        "BEV",
        BRAND_ID,
    )
    assert set(category.descendant_ids) == {COFFEE, ESPRESSO}


def test_scope_products_embed_price_sku_category_and_brand() -> None:
    doc = compile_(
        spec(
            scope={
                "apply_to": "products",
                "product_ids": [str(LATTE)],
                "exclude_product_ids": [str(AMERICANO)],
            }
        )
    )
    (latte,) = doc.scope.products
    assert (latte.name, latte.sku, latte.price, latte.category_id, latte.brand_id) == (
        "Caffè Latte",
        "LAT",
        Decimal(32000),
        ESPRESSO,
        BRAND_ID,
    )
    assert [p.id for p in doc.scope.exclude_products] == [AMERICANO]


def test_item_sets_are_expanded_with_descendant_categories() -> None:
    bogo = compile_(spec(RULES["buy_x_get_y"])).rules
    mix = compile_(spec(RULES["mix_match"])).rules
    assert isinstance(bogo, BuyXGetYRules) and set(bogo.buy_set.category_ids) == {COFFEE, ESPRESSO}
    assert bogo.get_set.product_ids == [CROISSANT]
    assert isinstance(mix, MixMatchRules) and set(mix.item_set.category_ids) == {BAKERY, PASTRY}


def test_conditions_are_expanded_too() -> None:
    condition = {"items": {"category_ids": [str(BAKERY)]}, "min_quantity": 1}
    doc = compile_(spec(conditions=[condition]))
    assert set(doc.conditions[0].items.category_ids) == {BAKERY, PASTRY}


def test_all_stores_stays_all_so_stores_opened_later_are_included() -> None:
    assert compile_(spec()).targeting.stores == "all"


def test_a_store_list_compiles_to_sorted_active_ids() -> None:
    doc = compile_(
        spec(targeting={"stores": [str(PAPUA_STORE), str(STORE_ID), str(OTHER_STORE_ID)]})
    )
    assert doc.targeting.stores == sorted([PAPUA_STORE, STORE_ID, OTHER_STORE_ID], key=str)


def test_store_brand_filter_resolves_to_the_stores_serving_the_brand() -> None:
    doc = compile_(spec(targeting={"store_brand_ids": [str(OTHER_BRAND_ID)]}))
    assert doc.targeting.stores == sorted([OTHER_STORE_ID, PAPUA_STORE], key=str)


def test_a_new_store_of_a_targeted_brand_changes_the_filtered_document() -> None:
    promotion = spec(targeting={"store_brand_ids": [str(OTHER_BRAND_ID)]})
    new_store = Store(
        id=uid("store-new"),
        company_id=COMPANY_ID,
        code="NEW",
        name="New",
        brand_ids=frozenset({OTHER_BRAND_ID}),
    )
    before = compile_(promotion)
    after = compile_(promotion, master=master(stores=[*STORES, new_store]))
    assert new_store.id in after.targeting.stores  # type: ignore[operator]
    assert content_hash(before) != content_hash(after)


def test_company_holidays_are_embedded_only_when_holidays_are_excluded() -> None:
    company = Company(
        id=COMPANY_ID, code="CAFE", name="Café", holidays=(date(2026, 8, 17), date(2026, 3, 20))
    )
    validity = {
        "start_date": "2026-01-01",
        "end_date": "2026-12-31",
        "exclude_holidays": True,
        "extra_holidays": ["2026-05-01"],
    }
    excluded = compile_(spec(validity=validity), master=master(company=company))
    assert excluded.validity.company_holidays == [
        date(2026, 3, 20),
        date(2026, 5, 1),
        date(2026, 8, 17),
    ]
    plain = compile_(spec(), master=master(company=company))
    assert plain.validity.company_holidays == []


def test_currency_defaults_to_the_company_and_stage_to_the_type() -> None:
    assert compile_(spec()).currency == "IDR"
    assert compile_(spec(RULES["payment_discount"])).execution_stage is Stage.PAYMENT_LEVEL
    assert compile_(spec(RULES["threshold_tier"])).execution_stage is Stage.CART_LEVEL
    assert compile_(spec(RULES["combo"])).execution_stage is Stage.ITEM_LEVEL
    assert (
        compile_(spec(RULES["combo"], execution_stage="cart_level")).execution_stage
        is Stage.CART_LEVEL
    )


def test_limit_state_and_inactive_flag_are_carried() -> None:
    state = LimitState(total_exhausted=True, updated_at=AT)
    doc = compile_(spec(limits={"max_uses": 100}), limit_state=state, is_active=False)
    assert doc.limit_state == state and doc.limits.max_uses == 100 and doc.is_active is False


def shuffled(values: list[Any], seed: int) -> list[Any]:
    copy = list(values)
    random.Random(seed).shuffle(copy)
    return copy


def test_same_input_gives_byte_identical_output_whatever_the_list_order() -> None:
    # given the same promotion authored twice with its lists in different orders
    products = [str(LATTE), str(AMERICANO), str(CROISSANT), str(MUFFIN)]
    stores = [str(STORE_ID), str(OTHER_STORE_ID), str(PAPUA_STORE)]

    def authored(seed: int) -> PromotionSpec:
        return spec(
            RULES["cashback"] | {"payment_methods": shuffled(["OVO", "GOPAY", "DANA"], seed)},
            scope={"apply_to": "products", "product_ids": shuffled(products, seed)},
            targeting={
                "stores": shuffled(stores, seed),
                "member_tiers": shuffled(["gold", "silver"], seed),
            },
            voucher_codes=shuffled(["B1", "a2", "C3"], seed),
            require_voucher=True,
        )

    # when both are compiled with the same version and time
    first = compile_(authored(1)).model_dump_json()
    second = compile_(authored(2)).model_dump_json()
    # then the documents are identical byte for byte
    assert first == second


def test_versions_increase_and_a_recompile_keeps_the_content_hash() -> None:
    promotion = spec(RULES["combo"])
    v1 = compile_(promotion, version=next_version(0))
    v2 = compile_(promotion, version=next_version(v1.version))
    assert (v1.version, v2.version) == (1, 2)
    assert content_hash(v1) == content_hash(v2)


def test_a_price_change_changes_the_content_hash() -> None:
    promotion = spec(RULES["combo"])
    before = compile_(promotion)
    cheaper = [
        p
        if p.id != LATTE
        else type(p)(**{**{f: getattr(p, f) for f in p.__slots__}, "price": Decimal(30000)})
        for p in master().products.values()
    ]
    after = compile_(promotion, master=master(products=cheaper))
    assert content_hash(before) != content_hash(after)


def test_next_version_refuses_a_negative_version() -> None:
    with pytest.raises(ValueError, match="version"):
        next_version(-1)


def test_an_unknown_product_is_a_compile_error_naming_the_field() -> None:
    rules = {**RULES["free_item"], "free_product_id": str(uid("ghost"))}
    with pytest.raises(CompileError, match=r"rules\.free_product_id"):
        compile_(spec(rules))
