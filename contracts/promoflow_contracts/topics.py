"""Topic names, partition keys and (de)serialisation of every Kafka record PromoFlow writes.

Names carry a configurable prefix (default ``promoflow.``): ``Topics("promoflow.").promotions``
is ``promoflow.promotions.v1``. Values are UTF-8 JSON of the event (envelope included); keys are
UTF-8 strings. The partition key of each topic is fixed here, so that ordering holds where it
matters:

========================  =================  ===========================================
topic                     key                why
========================  =================  ===========================================
``promotions.v1``         promotion id       compacted: the latest version per promotion
``redemptions.v1``        promotion id       one collector partition owns its counters
``evaluations.v1``        store id           a store's evaluation log stays in order
``limits.v1``             promotion id       limit changes of a promotion stay in order
``<topic>.dlq``           original key       malformed records, with the error in headers
========================  =================  ===========================================

A withdrawal on ``promotions.v1`` is a tombstone (null value) whose envelope travels in headers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final
from uuid import UUID

from pydantic import TypeAdapter, ValidationError

from promoflow_contracts.events import (
    EvaluationLogged,
    Event,
    LimitStateChanged,
    PromotionPublished,
    PromotionWithdrawn,
    PromotionWithdrawnData,
    RedemptionRecorded,
    RedemptionVoided,
)

DEFAULT_PREFIX: Final = "promoflow."
DLQ_SUFFIX: Final = ".dlq"
CONTENT_TYPE: Final = "application/json"

Headers = list[tuple[str, bytes]]

_EVENT_ADAPTER: TypeAdapter[Event] = TypeAdapter(Event)


class MalformedRecord(ValueError):
    """A Kafka record that is not a valid PromoFlow event; the message names the field."""


@dataclass(frozen=True, slots=True)
class TopicSpec:
    """A topic's full name, what its key is, and how it is created by default."""

    name: str
    key: str
    partitions: int
    compacted: bool = False

    @property
    def dead_letter(self) -> str:
        """Name of this topic's dead-letter topic."""
        return self.name + DLQ_SUFFIX


@dataclass(frozen=True, slots=True)
class Topics:
    """All PromoFlow topics under one prefix (default ``promoflow.``)."""

    prefix: str = DEFAULT_PREFIX

    @property
    def promotions(self) -> TopicSpec:
        """Compacted topic of compiled promotions, key = promotion id."""
        return TopicSpec(self.prefix + "promotions.v1", "promotion_id", 6, compacted=True)

    @property
    def redemptions(self) -> TopicSpec:
        """Redemptions and voids from every store, key = promotion id."""
        return TopicSpec(self.prefix + "redemptions.v1", "promotion_id", 12)

    @property
    def evaluations(self) -> TopicSpec:
        """Evaluation logs from every store, key = store id."""
        return TopicSpec(self.prefix + "evaluations.v1", "store_id", 12)

    @property
    def limits(self) -> TopicSpec:
        """Limit state changes from the collector to the compiler, key = promotion id."""
        return TopicSpec(self.prefix + "limits.v1", "promotion_id", 6)

    def all(self) -> tuple[TopicSpec, ...]:
        """Every topic, in creation order."""
        return (self.promotions, self.redemptions, self.evaluations, self.limits)


def partition_key(event: Event) -> bytes:
    """The Kafka key of ``event`` on its topic (UTF-8), as the table in this module says."""
    key: UUID
    if isinstance(event, PromotionPublished):
        key = event.data.promotion.id
    elif isinstance(event, PromotionWithdrawn | RedemptionRecorded | RedemptionVoided):
        key = event.data.promotion_id
    elif isinstance(event, EvaluationLogged):
        key = event.data.store_id
    elif isinstance(event, LimitStateChanged):
        key = event.data.promotion_id
    else:  # pragma: no cover - the union is closed
        raise TypeError(f"not a PromoFlow event: {type(event).__name__}")
    return str(key).encode()


def topic_for(event: Event, topics: Topics) -> str:
    """The topic ``event`` is published on."""
    if isinstance(event, PromotionPublished | PromotionWithdrawn):
        return topics.promotions.name
    if isinstance(event, RedemptionRecorded | RedemptionVoided):
        return topics.redemptions.name
    if isinstance(event, EvaluationLogged):
        return topics.evaluations.name
    return topics.limits.name


def encode_event(event: Event) -> bytes:
    """JSON bytes of ``event`` (money as strings, times as ISO 8601)."""
    return event.model_dump_json().encode()


def decode_event(value: bytes | str) -> Event:
    """Parse JSON bytes into the right event model.

    Raises :class:`MalformedRecord` naming the field path and the problem.
    """
    try:
        return _EVENT_ADAPTER.validate_json(value)
    except ValidationError as exc:
        raise MalformedRecord(describe_validation_error(exc)) from exc


def describe_validation_error(exc: ValidationError) -> str:
    """One line per error: ``field.path: message`` (what a dead-letter header carries)."""
    parts = []
    for error in exc.errors(include_url=False):
        location = ".".join(str(p) for p in error["loc"]) or "<root>"
        parts.append(f"{location}: {error['msg']}")
    return "; ".join(parts)


@dataclass(frozen=True, slots=True)
class KafkaRecord:
    """What to hand a producer: key, value (``None`` = tombstone) and headers."""

    key: bytes
    value: bytes | None
    headers: Headers


def to_record(event: Event) -> KafkaRecord:
    """The record for ``event``: a tombstone with envelope headers for a withdrawal."""
    key = partition_key(event)
    if isinstance(event, PromotionWithdrawn):
        headers: Headers = [
            ("event_id", str(event.event_id).encode()),
            ("event_type", event.event_type.encode()),
            ("schema_version", str(event.schema_version).encode()),
            ("occurred_at", event.occurred_at.isoformat().encode()),
            ("producer", event.producer.encode()),
            ("version", str(event.data.version).encode()),
            ("reason", event.data.reason.encode()),
        ]
        return KafkaRecord(key=key, value=None, headers=headers)
    headers = [
        ("event_type", event.event_type.encode()),
        ("content-type", CONTENT_TYPE.encode()),
    ]
    return KafkaRecord(key=key, value=encode_event(event), headers=headers)


def from_record(key: bytes | None, value: bytes | None, headers: Headers | None = None) -> Event:
    """Parse a consumed record back into an event; the inverse of :func:`to_record`.

    A tombstone becomes a :class:`PromotionWithdrawn`. A tombstone without envelope headers
    (written by a tool) withdraws every version (``version`` = 2**31 - 1) and gets a fresh
    event id; that is safe because applying a withdrawal twice changes nothing.

    Raises :class:`MalformedRecord` for a value that is not a valid event, or a tombstone
    without a UUID key.
    """
    if value is not None:
        return decode_event(value)
    if key is None:
        raise MalformedRecord("key: a tombstone needs the promotion id as its key")
    try:
        promotion_id = UUID(key.decode())
    except ValueError as exc:
        raise MalformedRecord(f"key: not a promotion id: {key!r}") from exc
    meta = {name: raw.decode() for name, raw in headers or []}
    try:
        data = PromotionWithdrawnData(
            promotion_id=promotion_id,
            version=int(meta.get("version", 2**31 - 1)),
            reason=meta.get("reason", "deleted"),
        )
        fields: dict[str, object] = {
            "occurred_at": datetime.fromisoformat(meta["occurred_at"])
            if "occurred_at" in meta
            else datetime.fromtimestamp(0).astimezone(),
            "producer": meta.get("producer", "unknown"),
            "data": data,
        }
        if "event_id" in meta:
            fields["event_id"] = UUID(meta["event_id"])
        if "schema_version" in meta:
            fields["schema_version"] = int(meta["schema_version"])
        return PromotionWithdrawn.model_validate(fields)
    except (ValidationError, ValueError) as exc:
        raise MalformedRecord(f"headers: invalid tombstone envelope: {exc}") from exc
