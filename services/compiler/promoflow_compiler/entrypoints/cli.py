"""``python -m promoflow_compiler <command>``: the processes the launcher starts.

Commands: ``api`` (HTTP API), ``migrate`` (Alembic to head), ``relay`` (outbox -> Kafka),
``scheduler`` (expiry/start by schedule), ``limits-consumer`` (limit state from the collector).
Configuration comes from ``PROMOFLOW_*`` environment variables (see ``config.Settings``).
"""

from __future__ import annotations

import logging
from typing import Annotated

import typer

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)


def _logging(level: str) -> None:
    logging.basicConfig(
        level=level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )


LogLevel = Annotated[str, typer.Option(help="log level")]


@app.command()
def api(
    host: Annotated[str, typer.Option(help="interface to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    workers: Annotated[int, typer.Option(help="uvicorn worker processes")] = 1,
    log_level: LogLevel = "info",
) -> None:
    """Serve the HTTP API (OpenAPI docs at /docs)."""
    import uvicorn

    _logging(log_level)
    uvicorn.run(
        "promoflow_compiler.entrypoints.api:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
    )


@app.command()
def migrate() -> None:
    """Upgrade the HO database (PROMOFLOW_HO_DATABASE_URL) to the newest migration."""
    from promoflow_compiler.adapters.migrate import upgrade_to_head
    from promoflow_compiler.config import Settings

    upgrade_to_head(Settings().database_url)
    typer.echo("ho schema: at head")
