"""Command line of the usage collector (the launcher starts these as processes).

``python -m promoflow_usage_collector worker [options]``  faust worker (web server disabled)
``python -m promoflow_usage_collector api --port 8200``  analytics API + HO dashboard
``python -m promoflow_usage_collector migrate``          upgrade the schema ``usage`` to head
``python -m promoflow_usage_collector purge-processed``  drop dedupe rows older than 14 days

Options override the ``PROMOFLOW_*`` environment variables of
:class:`~promoflow_usage_collector.config.Settings`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from promoflow_usage_collector.config import Settings
from promoflow_usage_collector.domain.limits import DailyScope
from promoflow_usage_collector.exceptions import ConfigurationError

cli = typer.Typer(add_completion=False, no_args_is_help=True, help="PromoFlow HO usage collector.")

DatabaseUrl = Annotated[
    str | None,
    typer.Option("--database-url", help="HO database URL (env PROMOFLOW_HO_DATABASE_URL)"),
]


def _settings(**overrides: Any) -> Settings:
    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})
    except ConfigurationError as exc:  # pragma: no cover - raised lazily below
        raise typer.BadParameter(str(exc)) from exc


def _fail(exc: Exception) -> typer.Exit:
    typer.echo(f"usage-collector: {exc}", err=True)
    return typer.Exit(2)


@cli.command()
def worker(
    broker: Annotated[
        str | None,
        typer.Option("--broker", "-b", help="Kafka host:port,... (env PROMOFLOW_KAFKA_BOOTSTRAP)"),
    ] = None,
    topic_prefix: Annotated[
        str | None, typer.Option(help="topic prefix (env PROMOFLOW_TOPIC_PREFIX)")
    ] = None,
    app_id: Annotated[
        str | None,
        typer.Option(
            help="faust app id = consumer group; redemptions and evaluations are read by "
            "the group <app id>-ingest (env PROMOFLOW_USAGE_APP_ID)"
        ),
    ] = None,
    database_url: DatabaseUrl = None,
    data_dir: Annotated[
        Path | None, typer.Option(help="faust data directory (env PROMOFLOW_USAGE_DATA_DIR)")
    ] = None,
    batch_size: Annotated[
        int | None, typer.Option(help="events per transaction (env PROMOFLOW_USAGE_BATCH_SIZE)")
    ] = None,
    batch_within: Annotated[
        float | None,
        typer.Option(help="seconds to fill a batch (env PROMOFLOW_USAGE_BATCH_WITHIN)"),
    ] = None,
    daily_limit_scope: Annotated[
        DailyScope | None,
        typer.Option(help="max_uses_per_day per store or across stores"),
    ] = None,
    session_timeout: Annotated[
        float | None,
        typer.Option(help="seconds before a dead worker's partitions move elsewhere"),
    ] = None,
    migrate: Annotated[bool, typer.Option(help="upgrade the schema before starting")] = True,
    loglevel: Annotated[str, typer.Option("--loglevel", "-l", help="log level")] = "warn",
    without_web: Annotated[
        bool, typer.Option("--without-web", hidden=True, help="accepted; web is always off")
    ] = True,
) -> None:
    """Run the faust worker: ingest redemptions, evaluations and promotions; publish limits."""
    import faust

    from promoflow_usage_collector.adapters.migrate import upgrade_to_head
    from promoflow_usage_collector.bootstrap import build_worker

    settings = _settings(
        kafka_bootstrap=broker,
        topic_prefix=topic_prefix,
        usage_app_id=app_id,
        ho_database_url=database_url,
        usage_data_dir=data_dir,
        usage_batch_size=batch_size,
        usage_batch_within=batch_within,
        usage_daily_limit_scope=daily_limit_scope,
        usage_session_timeout=session_timeout,
    )
    try:
        if migrate:
            upgrade_to_head(settings.database_url())
        collector = build_worker(settings)
    except ConfigurationError as exc:
        raise _fail(exc) from exc
    faust.Worker(collector.app, loglevel=loglevel, quiet=True).execute_from_commandline()


@cli.command()
def api(
    host: Annotated[str, typer.Option(help="interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8200,
    database_url: DatabaseUrl = None,
    log_level: Annotated[str, typer.Option(help="uvicorn log level")] = "warning",
) -> None:
    """Serve the read-only analytics API and the HO dashboard (token: PROMOFLOW_ANALYTICS_TOKEN)."""
    import uvicorn

    from promoflow_usage_collector.bootstrap import build_api

    settings = _settings(ho_database_url=database_url)
    try:
        app = build_api(settings)
    except ConfigurationError as exc:
        raise _fail(exc) from exc
    uvicorn.run(app, host=host, port=port, log_level=log_level)


@cli.command("migrate")
def migrate_command(database_url: DatabaseUrl = None) -> None:
    """Upgrade the collector's schema ``usage`` in the HO database to head."""
    from promoflow_usage_collector.adapters.migrate import upgrade_to_head

    settings = _settings(ho_database_url=database_url)
    try:
        upgrade_to_head(settings.database_url())
    except ConfigurationError as exc:
        raise _fail(exc) from exc
    typer.echo("usage schema: at head")


@cli.command("purge-processed")
def purge_processed_command(
    older_than_days: Annotated[
        int, typer.Option(min=8, help="keep dedupe rows younger than this many days")
    ] = 14,
    database_url: DatabaseUrl = None,
) -> None:
    """Delete old ``processed_events`` rows (run daily; topics keep events 7 days)."""
    from sqlalchemy import create_engine

    from promoflow_usage_collector.adapters.usage_repository import purge_processed

    settings = _settings(ho_database_url=database_url)
    try:
        engine = create_engine(settings.database_url())
    except ConfigurationError as exc:
        raise _fail(exc) from exc
    with engine.begin() as conn:
        deleted = purge_processed(conn, older_than_days=older_than_days)
    engine.dispose()
    typer.echo(f"processed_events: {deleted} rows older than {older_than_days} days deleted")


def main() -> None:
    """Entry point of ``python -m promoflow_usage_collector``."""
    cli()
