"""Events survive model -> JSON -> model unchanged; malformed payloads name the field."""

from __future__ import annotations

import json

import pytest

from promoflow_contracts.events import PromotionWithdrawn
from promoflow_contracts.topics import (
    MalformedRecord,
    Topics,
    decode_event,
    encode_event,
    from_record,
    partition_key,
    to_record,
    topic_for,
)
from tests.unit.contracts.samples import sample_events

EVENTS = sample_events()


@pytest.mark.parametrize("event", EVENTS, ids=lambda e: e.event_type)
def test_event_round_trips_through_json_unchanged(event: object) -> None:
    assert decode_event(encode_event(event)) == event  # type: ignore[arg-type]


@pytest.mark.parametrize("event", EVENTS, ids=lambda e: e.event_type)
def test_event_round_trips_through_a_kafka_record_unchanged(event: object) -> None:
    record = to_record(event)  # type: ignore[arg-type]
    assert from_record(record.key, record.value, record.headers) == event


def test_every_event_type_is_covered_by_the_samples() -> None:
    from promoflow_contracts.events import EVENT_TYPES

    assert {type(e) for e in EVENTS} == set(EVENT_TYPES)


def test_withdrawal_is_a_tombstone_keyed_by_promotion() -> None:
    withdrawn = next(e for e in EVENTS if isinstance(e, PromotionWithdrawn))
    record = to_record(withdrawn)
    assert record.value is None
    assert record.key == str(withdrawn.data.promotion_id).encode()
    assert dict(record.headers)["version"] == b"3"


def test_bare_tombstone_withdraws_every_version() -> None:
    withdrawn = next(e for e in EVENTS if isinstance(e, PromotionWithdrawn))
    event = from_record(str(withdrawn.data.promotion_id).encode(), None, [])
    assert isinstance(event, PromotionWithdrawn)
    assert event.data.version == 2**31 - 1


def test_tombstone_without_uuid_key_is_malformed() -> None:
    with pytest.raises(MalformedRecord, match="key"):
        from_record(b"not-a-uuid", None, [])


def test_money_is_written_as_strings_not_floats() -> None:
    redemption = next(e for e in EVENTS if e.event_type == "RedemptionRecorded")
    payload = json.loads(encode_event(redemption))
    assert payload["data"]["discount_amount"] == "10000"


def test_keys_and_topics_follow_the_contract() -> None:
    topics = Topics("pf.")
    keys = {e.event_type: (topic_for(e, topics), partition_key(e)) for e in EVENTS}
    evaluation = next(e for e in EVENTS if e.event_type == "EvaluationLogged")
    assert keys["EvaluationLogged"] == ("pf.evaluations.v1", str(evaluation.data.store_id).encode())  # type: ignore[union-attr]
    assert keys["RedemptionRecorded"][0] == "pf.redemptions.v1"
    assert keys["RedemptionRecorded"][1] == keys["PromotionPublished"][1]
    assert keys["LimitStateChanged"][0] == "pf.limits.v1"
    assert topics.promotions.compacted and topics.promotions.dead_letter == "pf.promotions.v1.dlq"


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda d: d["data"].pop("store_id"), "data.store_id"),
        (lambda d: d["data"].__setitem__("discount_amount", "-5"), "data.discount_amount"),
        (lambda d: d.__setitem__("occurred_at", "2026-03-03T05:00:00"), "occurred_at"),
        (lambda d: d["data"].__setitem__("currency", "XYZ"), "data.currency"),
        (lambda d: d.__setitem__("event_id", "nope"), "event_id"),
    ],
)
def test_malformed_redemption_names_the_field(mutate: object, field: str) -> None:
    redemption = next(e for e in EVENTS if e.event_type == "RedemptionRecorded")
    payload = json.loads(encode_event(redemption))
    mutate(payload)  # type: ignore[operator]
    with pytest.raises(MalformedRecord) as excinfo:
        decode_event(json.dumps(payload))
    assert f"RedemptionRecorded.{field}" in str(excinfo.value)


def test_unknown_event_type_is_malformed() -> None:
    with pytest.raises(MalformedRecord, match="event_type"):
        decode_event(b'{"event_type": "Nope"}')


def test_not_json_is_malformed() -> None:
    with pytest.raises(MalformedRecord):
        decode_event(b"\xff not json")
