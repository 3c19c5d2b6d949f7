"""The one place that wires the edge sync: settings → engine, store, HO client, consumer."""

from __future__ import annotations

from dataclasses import dataclass

from promoflow_contracts.edge_store import create_edge_engine
from promoflow_edge_sync.adapters.ho_client import HoSyncClient
from promoflow_edge_sync.adapters.store import EdgeStore
from promoflow_edge_sync.config import Settings
from promoflow_edge_sync.entrypoints.consumer import SyncConsumer


@dataclass(frozen=True, slots=True)
class EdgeSync:
    """The wired service: its settings, store, optional HO client and consumer."""

    settings: Settings
    store: EdgeStore
    ho_client: HoSyncClient | None
    consumer: SyncConsumer


def ho_client_for(settings: Settings, ho_url: str | None = None) -> HoSyncClient | None:
    """The HO sync API client for ``ho_url`` (or ``PROMOFLOW_HO_SYNC_URL``); None if neither."""
    url = ho_url or settings.ho_sync_url
    if not url:
        return None
    token = settings.ho_sync_token.get_secret_value() if settings.ho_sync_token else None
    return HoSyncClient(url, token, settings.ho_timeout_s)


def bootstrap(settings: Settings | None = None, *, ho_url: str | None = None) -> EdgeSync:
    """Wire the edge sync from ``settings`` (default: the environment)."""
    settings = settings or Settings()  # store_id comes from the environment
    engine = create_edge_engine(settings.edge_database_url, pool_size=2)
    store = EdgeStore(engine, settings.store_id)
    client = ho_client_for(settings, ho_url)
    return EdgeSync(settings, store, client, SyncConsumer(settings, store, ho_client=client))
