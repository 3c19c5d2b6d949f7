"""The store edge database: the boundary between ``edge_sync`` (writer of promotions) and the
``evaluator`` (reader of promotions, writer of redemptions, transactions and the outbox).

Both services import these SQLAlchemy Core tables and helpers and nothing of each other.

Engines: SQLite file in WAL mode by default (``sqlite:///.run/stores/<store>/edge.db``),
PostgreSQL by URL (``postgresql+psycopg://...``). :func:`create_edge_engine` applies the SQLite
pragmas (``journal_mode=WAL``, ``busy_timeout``, ``synchronous=NORMAL``, ``foreign_keys``) on
every new connection and makes :func:`write_transaction` start with ``BEGIN IMMEDIATE`` (SQLite)
or take a transaction-scoped advisory lock (PostgreSQL), so a read-then-write transaction never
fails half-way on a lock upgrade and writers of the store are serialised on both databases.

Schema management: :func:`create_schema` is ``create_all`` plus the one ``store_meta`` row. That
is enough here because ``promotions`` is a cache rebuilt from Kafka (or the HO sync API) at any
time. ``redemptions``, ``transactions`` and ``outbox`` are *not* rebuildable until the relay has
forwarded them, so changes to those tables must be additive (new nullable columns, new tables),
and an upgrade that replaces the file must drain the outbox first (``outbox.sent_at`` all set).
``store_meta.schema_version`` records the layout a file was created with.

Money columns store exact ten-thousandths of the major unit in a BIGINT (:class:`Money4`), so
``SUM`` is exact on both databases. Times are stored as UTC (:class:`UtcDateTime`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Final
from uuid import UUID

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Connection,
    Date,
    DateTime,
    Dialect,
    Engine,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    Uuid,
    create_engine,
    event,
    insert,
    select,
    text,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError

#: Layout version of the edge store this module creates.
SCHEMA_VERSION: Final = 1
#: How long a SQLite connection waits for a lock before failing (milliseconds).
SQLITE_BUSY_TIMEOUT_MS: Final = 10_000
#: Key of the PostgreSQL advisory lock that serialises edge store writers.
_PG_WRITE_LOCK: Final = 0x50524F4D4F  # "PROMO"
_META_ID: Final = 1


class Money4(TypeDecorator[Decimal]):
    """Exact money: a Decimal in the major unit stored as an integer of ten-thousandths.

    Raises ``ValueError`` for more than 4 decimal places (contract money never has more).
    """

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> int | None:
        if value is None:
            return None
        scaled = Decimal(value).scaleb(4)
        if scaled != scaled.to_integral_value():
            raise ValueError(f"money with more than 4 decimal places: {value}")
        return int(scaled)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        return None if value is None else from_money4(value)


def from_money4(value: int | Decimal) -> Decimal:
    """A :class:`Money4` integer (e.g. the result of ``SUM``) back into major units."""
    amount = Decimal(int(value)).scaleb(-4)
    if amount == amount.to_integral_value():
        return amount.quantize(Decimal(1))
    return amount.normalize()


class UtcDateTime(TypeDecorator[datetime]):
    """An aware datetime stored as UTC (naive on SQLite); read back aware, in UTC.

    Raises ``ValueError`` when a naive datetime is bound.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.utcoffset() is None:
            raise ValueError("naive datetime given to a UtcDateTime column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        if not isinstance(value, datetime):
            raise TypeError(f"not a datetime: {value!r}")
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


_BigId = BigInteger().with_variant(Integer(), "sqlite")

metadata = MetaData()

#: The store's promotions: the compiled document (``CompiledPromotion`` as JSON, written by
#: edge_sync) plus the columns the evaluator filters on. One row per promotion id, the highest
#: version seen. ``source`` is ``kafka`` or ``ho-sync``.
promotions = Table(
    "promotions",
    metadata,
    Column("id", Uuid(), primary_key=True),
    Column("code", String(64), nullable=False),
    Column("name", String(255), nullable=False),
    Column("version", Integer, nullable=False),
    Column("promo_type", String(32), nullable=False),
    Column("stage", String(16), nullable=False),
    Column("priority", Integer, nullable=False),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date, nullable=False),
    Column("is_active", Boolean, nullable=False),
    Column("company_id", Uuid(), nullable=False),
    Column("brand_id", Uuid(), nullable=True),
    Column("document", JSON, nullable=False),
    Column("source", String(16), nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_promotions_active_end", "is_active", "end_date"),
    Index("ix_promotions_code", "code"),
)

#: Withdrawn promotions and the version they were withdrawn at, so that an older version seen
#: later (a replay, a bootstrap) never brings a withdrawn promotion back. A published version
#: above ``version`` removes the row here and is stored again.
promotion_withdrawals = Table(
    "promotion_withdrawals",
    metadata,
    Column("id", Uuid(), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("reason", String(32), nullable=False),
    Column("withdrawn_at", UtcDateTime, nullable=False),
)

#: Sync progress per source: Kafka topic-partition (``committed_offset`` = the next offset to
#: read, ``lag`` = high watermark - committed offset) or the HO sync API (``topic`` =
#: ``ho-sync-api``, partition 0). ``last_event_at`` is the newest applied record's timestamp.
sync_status = Table(
    "sync_status",
    metadata,
    Column("topic", String(255), primary_key=True),
    Column("partition", Integer, primary_key=True),
    Column("committed_offset", BigInteger, nullable=True),
    Column("high_watermark", BigInteger, nullable=True),
    Column("lag", BigInteger, nullable=True),
    Column("records_applied", BigInteger, nullable=False, default=0),
    Column("last_event_at", UtcDateTime, nullable=True),
    Column("last_error", Text, nullable=True),
    Column("last_error_at", UtcDateTime, nullable=True),
    Column("updated_at", UtcDateTime, nullable=False),
)

#: One row (``id`` = 1). ``data_version`` is bumped by edge_sync in the same transaction as
#: every change to ``promotions`` (the evaluator's cheap "did anything change?" check);
#: ``usage_version`` is bumped by every checkout and void (cached usage counts are stale).
#: ``ho_sync_cursor`` is the ``sync_timestamp`` of the last HO sync API pull. ``relay_owner``/
#: ``relay_lease_until`` make sure one outbox relay at a time forwards the store's rows.
store_meta = Table(
    "store_meta",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("store_id", Uuid(), nullable=False),
    Column("schema_version", Integer, nullable=False),
    Column("data_version", BigInteger, nullable=False, default=0),
    Column("usage_version", BigInteger, nullable=False, default=0),
    Column("ho_sync_cursor", String(64), nullable=True),
    Column("relay_owner", String(128), nullable=True),
    Column("relay_lease_until", UtcDateTime, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

#: Checkouts, one per POS ``transaction_id`` (idempotency key). ``request_hash`` is the SHA-256
#: of the canonical request (a retry with another cart is refused); ``response`` is the stored
#: ``CheckoutResponse`` JSON returned again on a retry; ``void_response`` likewise for voids.
transactions = Table(
    "transactions",
    metadata,
    Column("transaction_id", String(64), primary_key=True),
    Column("request_hash", String(64), nullable=False),
    Column("status", String(16), nullable=False),
    Column("business_date", Date, nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
    Column("payable", Money4, nullable=False),
    Column("bill_id", String(64), nullable=True),
    Column("terminal_id", String(64), nullable=True),
    Column("cashier_id", String(64), nullable=True),
    Column("customer_id", String(64), nullable=True),
    Column("response", JSON, nullable=False),
    Column("voided_at", UtcDateTime, nullable=True),
    Column("void_response", JSON, nullable=True),
)

#: One row per promotion redeemed by a checkout (``status`` ``recorded`` or ``voided``); the
#: store's own usage counts (total, per store-local ``business_date``, per customer, per
#: campaign) come from here. ``event_id`` is the RedemptionRecorded event in the outbox.
redemptions = Table(
    "redemptions",
    metadata,
    Column("redemption_id", Uuid(), primary_key=True),
    Column("transaction_id", String(64), nullable=False),
    Column("event_id", Uuid(), nullable=False),
    Column("promotion_id", Uuid(), nullable=False),
    Column("promotion_code", String(64), nullable=False),
    Column("promotion_version", Integer, nullable=False),
    Column("campaign_id", Uuid(), nullable=True),
    Column("customer_id", String(64), nullable=True),
    Column("business_date", Date, nullable=False),
    Column("redeemed_at", UtcDateTime, nullable=False),
    Column("discount_amount", Money4, nullable=False),
    Column("reward_amount", Money4, nullable=False),
    Column("verified", Boolean, nullable=False),
    Column("status", String(16), nullable=False),
    Column("voided_at", UtcDateTime, nullable=True),
    Index("ix_redemptions_promotion_day", "promotion_id", "business_date"),
    Index("ix_redemptions_promotion_customer", "promotion_id", "customer_id"),
    Index("ix_redemptions_campaign", "campaign_id"),
    Index("ix_redemptions_transaction", "transaction_id"),
)

#: Events waiting for Kafka, written in the same transaction as what they report. The relay
#: sends rows in ``id`` order (so in order per key), stamps ``sent_at`` after the broker's ack,
#: and never deletes a row. ``key``/``value`` are the UTF-8 text of the record (``value`` None =
#: tombstone); ``headers`` is a list of ``[name, text]`` pairs.
outbox = Table(
    "outbox",
    metadata,
    Column("id", _BigId, primary_key=True, autoincrement=True),
    Column("event_id", Uuid(), nullable=False, unique=True),
    Column("event_type", String(64), nullable=False),
    Column("topic", String(255), nullable=False),
    Column("key", String(255), nullable=False),
    Column("value", Text, nullable=True),
    Column("headers", JSON, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("sent_at", UtcDateTime, nullable=True),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text, nullable=True),
    Index(
        "ix_outbox_unsent",
        "id",
        sqlite_where=text("sent_at IS NULL"),
        postgresql_where=text("sent_at IS NULL"),
    ),
)


class StoreMismatch(RuntimeError):
    """The edge store file belongs to another store than the process was configured for."""


def utcnow() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


def _sqlite_file(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    database = parsed.database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        return None
    return Path(database)


def create_edge_engine(url: str, *, pool_size: int = 5, echo: bool = False) -> Engine:
    """An engine for the edge store at ``url`` (SQLite file or PostgreSQL).

    For SQLite, the parent directory is created, each connection gets WAL, ``busy_timeout``
    (:data:`SQLITE_BUSY_TIMEOUT_MS`), ``synchronous=NORMAL`` and ``foreign_keys=ON``, and
    transactions are begun by SQLAlchemy (``BEGIN`` or, for :func:`write_transaction`,
    ``BEGIN IMMEDIATE``) instead of by the driver.
    """
    path = _sqlite_file(url)
    if make_url(url).get_backend_name() != "sqlite":
        return create_engine(url, pool_size=pool_size, pool_pre_ping=True, echo=echo)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        echo=echo,
        pool_size=pool_size,
        connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
    )
    _apply_sqlite_pragmas(engine)
    return engine


def _apply_sqlite_pragmas(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself (below)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        immediate = connection.get_execution_options().get("edge_write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A transaction that will write: ``BEGIN IMMEDIATE`` on SQLite, an advisory lock on
    PostgreSQL. Commits on normal exit, rolls back on an exception."""
    with engine.connect() as connection:
        connection.execution_options(edge_write=True)
        with connection.begin():
            if connection.dialect.name == "postgresql":
                connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_WRITE_LOCK}
                )
            yield connection


def create_schema(engine: Engine, store_id: UUID) -> None:
    """Create the edge tables that are missing and the ``store_meta`` row for ``store_id``.

    Safe to call from several processes starting at once. Raises :class:`StoreMismatch` when
    the database already belongs to another store.
    """
    for attempt in range(3):
        try:
            metadata.create_all(engine, checkfirst=True)
            break
        except (OperationalError, ProgrammingError, IntegrityError):
            if attempt == 2:
                raise  # another process creating the same tables at the same time, 3 times
    now = utcnow()
    with write_transaction(engine) as connection:
        existing = connection.execute(
            select(store_meta.c.store_id).where(store_meta.c.id == _META_ID)
        ).scalar_one_or_none()
        if existing is None:
            connection.execute(
                insert(store_meta).values(
                    id=_META_ID,
                    store_id=store_id,
                    schema_version=SCHEMA_VERSION,
                    data_version=0,
                    usage_version=0,
                    created_at=now,
                    updated_at=now,
                )
            )
        elif existing != store_id:
            raise StoreMismatch(f"edge store belongs to store {existing}, not {store_id}")


def meta_row_id() -> int:
    """The primary key of the single ``store_meta`` row."""
    return _META_ID


__all__ = [
    "SCHEMA_VERSION",
    "Money4",
    "StoreMismatch",
    "UtcDateTime",
    "create_edge_engine",
    "create_schema",
    "from_money4",
    "meta_row_id",
    "metadata",
    "outbox",
    "promotion_withdrawals",
    "promotions",
    "redemptions",
    "store_meta",
    "sync_status",
    "transactions",
    "utcnow",
    "write_transaction",
]
