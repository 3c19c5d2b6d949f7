"""``python -m promoflow_edge_sync run | bootstrap | status``."""

from __future__ import annotations

import asyncio
import json
import logging
import signal
import sys
from typing import Annotated

import typer
from sqlalchemy import select

from promoflow_contracts import edge_store as es
from promoflow_edge_sync.bootstrap import bootstrap
from promoflow_edge_sync.exceptions import HoSyncError
from promoflow_edge_sync.service import sync_from_ho

app = typer.Typer(help="Keep this store's promotions in its edge store.", no_args_is_help=True)

LogLevel = Annotated[str, typer.Option(help="Logging level (DEBUG, INFO, WARNING).")]


def _logging(level: str) -> None:
    logging.basicConfig(
        level=level.upper(),
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("aiokafka").setLevel(max(logging.WARNING, logging.getLogger().level))


@app.command()
def run(
    ho_url: Annotated[
        str | None,
        typer.Option(help="HO API base URL to pull while Kafka is down (PROMOFLOW_HO_SYNC_URL)."),
    ] = None,
    log_level: LogLevel = "INFO",
) -> None:
    """Consume promotions.v1 (group edge-sync.<store_id>) into the edge store until stopped."""
    _logging(log_level)
    service = bootstrap(ho_url=ho_url)

    async def main() -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, service.consumer.stop)
        await service.consumer.run()

    asyncio.run(main())


@app.command("bootstrap")
def bootstrap_command(
    ho_url: Annotated[
        str | None, typer.Option(help="HO API base URL, e.g. http://127.0.0.1:8000.")
    ] = None,
    full: Annotated[bool, typer.Option(help="Ignore the last cursor; replace everything.")] = False,
    log_level: LogLevel = "INFO",
) -> None:
    """Pull the store's promotions from the HO sync API once (incremental after the first)."""
    _logging(log_level)
    service = bootstrap(ho_url=ho_url)
    if service.ho_client is None:
        raise typer.BadParameter("give --ho-url or set PROMOFLOW_HO_SYNC_URL")
    service.store.create()
    try:
        report = asyncio.run(
            sync_from_ho(
                store=service.store,
                identity=service.settings.identity,
                client=service.ho_client,
                full=full,
            )
        )
    except HoSyncError as exc:
        typer.echo(f"bootstrap failed: {exc}", err=True)
        raise typer.Exit(2) from exc
    typer.echo(
        json.dumps(
            {
                "full": report.full,
                "received": report.received,
                "deleted": report.deleted,
                "stored": report.applied.upserted,
                "removed": report.applied.removed,
                "rejected": report.rejected,
                "data_version": report.applied.data_version,
            }
        )
    )
    if report.rejected:
        raise typer.Exit(1)


@app.command()
def status() -> None:
    """Print the store's sync status and promotion count as JSON."""
    service = bootstrap()
    service.store.create()
    with service.store.engine.connect() as connection:
        rows = connection.execute(select(es.sync_status)).mappings().all()
        count = len(service.store.promotion_versions())
    typer.echo(
        json.dumps(
            {
                "store_id": str(service.settings.store_id),
                "data_version": service.store.data_version(),
                "promotions": count,
                "sync_status": [dict(row) for row in rows],
            },
            default=str,
        )
    )
